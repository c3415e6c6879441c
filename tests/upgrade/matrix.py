#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""QEMU's own view of a firmware upgrade: every pc-* machine type, every PCI
device whose default romfile is a firmware file, and the OVMF pflash pairs,
started with -S (nothing boots) on an old and a new firmware set; `info
ramblock` on both; every RAM block whose Used/Total differs is listed. Then
`romsize diff OLD NEW`'s prediction (region per file) is held against what
QEMU reported, block by block.

  matrix.py [--romsize BIN] [--json OUT] NAME=OLD:NEW[:EXPECT] ...

EXPECT says what the pair must show besides the prediction agreeing:
  same        no differing block at all
  roms-same   no differing pc.bios or PCI ROM block (pflash may change)
  FILE        exactly the blocks of the devices loading FILE differ
Machine types come from `-machine help`, devices from qom-list-types and
qom-get romfile (tests/qemu/qemuview.py): nothing is a hand-typed list.
Prints a line per pair and "# upgrade: P passed, F failed".
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "qemu"))
import harness  # noqa: E402
import qemuview  # noqa: E402

CHUNK = 15  # devices per VM: q35 runs out of slots near 28

# QEMU's RAM blocks depend on the sizes of the files it loads, not their bytes:
# a question asked once per (machine type, devices, sizes of the files those
# devices and the BIOS can load) is answered once, for every pair that asks it
# (Debian 12's set is the old side of each pair; a break changes one file),
# and kept for the next run of the same QEMU (qemuview.Answers)
ROMFILES = {}  # device -> every file it loads on some machine type (pkg/romdevs.conf, checked against QEMU)
asked_count = [0]


def ramblocks(key, args, placed):
    """qemuview.ramblocks(args, placed), answered once per key."""
    def ask():
        asked_count[0] += 1
        b, roms = qemuview.ramblocks(args, placed)
        return {"blocks": b, "roms": roms}
    a = qemuview.answers().get(key, ask)
    return {n: tuple(v) for n, v in a["blocks"].items()}, a["roms"]


def sizes(ldir, files):
    out = []
    for f in sorted(files):
        p = os.path.join(ldir, f)
        out.append((f, os.path.getsize(p) if os.path.exists(p) else None))
    return tuple(out)


def asked(args, ldir, placed, files):
    # (QEMU refusing the set is an answer too: raised again for each asker)
    return ramblocks(["ramblocks", args, placed, sizes(ldir, files)], list(args) + ["-L", ldir], placed)


def diff_json(romsize, old, new):
    p = subprocess.run([romsize, "diff", "--json", "--allow-removed", old, new], capture_output=True, text=True,
                       timeout=60)
    if p.returncode not in (0, 1):
        raise SystemExit("matrix: romsize diff %s %s: exit %d: %s" % (old, new, p.returncode, p.stderr.strip()))
    return {im["name"]: im for im in json.loads(p.stdout)["images"]}


def l_dir(scratch, name, images, side):
    """An -L folder holding every file of one side under its QEMU name."""
    d = tempfile.mkdtemp(prefix=name + ".", dir=scratch)
    for n, im in images.items():
        if im[side]:
            os.symlink(os.path.abspath(im[side]["path"]), os.path.join(d, n))
    return d


def groups_for(devices, split_vga):
    """VM device lists: qxl-vga first (QEMU wants it as the first display),
    every VGA alone where the machine allows one legacy VGA, chunks of CHUNK."""
    vga = sorted((d for d, f in devices.items() if f.startswith("vgabios")), key=lambda d: (d != "qxl-vga", d))
    nic = sorted(d for d in devices if d not in vga)
    if split_vga:
        out = [[v] for v in vga]
        rest = nic
    else:
        out = []
        rest = vga + nic
    out += [rest[i:i + CHUNK] for i in range(0, len(rest), CHUNK)]
    return out


def machine_view(machine, ldir, devices):
    """{block: (used, total)} and {block: device} for one machine type and set."""
    blocks, owner = {}, {}
    for split in (False, True):
        try:
            blocks, owner = {}, {}
            for k, group in enumerate(groups_for(devices, split)):
                placed = [(d, 2 + i) for i, d in enumerate(group)]
                files = {"bios-256k.bin", "bios.bin"} | {f for d in group for f in ROMFILES.get(d, {devices[d]})}
                b, roms = asked(["-M", machine], ldir, placed, files)
                for dev, addr in placed:
                    for name in b:
                        if name.startswith("0000:00:%02x.0/" % addr) and name.endswith(".rom"):
                            owner[(name, tuple(group))] = (dev, roms.get(dev, ""))
                # every block of the first VM (pc.bios among them), the device ROMs of the others
                blocks.update({(n, tuple(group)): v for n, v in b.items()
                               if k == 0 or (n, tuple(group)) in owner})
            return blocks, owner
        except qemuview.QemuError as e:
            if split or "Only one global VGA" not in str(e):
                raise
    return blocks, owner


def flash_view(ldir, code, vars_):
    args = ["-M", "q35", "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s/%s" % (ldir, code),
            "-drive", "if=pflash,format=raw,unit=1,readonly=on,file=%s/%s" % (ldir, vars_)]
    b, _ = ramblocks(["flash", code, vars_, sizes(ldir, (code, vars_))], args, [])
    return {k: v for k, v in b.items() if k.startswith("system.flash")}


def vars_for(code, names):
    """The VARS template a CODE is used with: OVMF_CODE_4M.ms.fd -> OVMF_VARS_4M.ms.fd,
    else the plain one of its size (OVMF_CODE_4M.secboot.fd -> OVMF_VARS_4M.fd)."""
    exact = code.replace("OVMF_CODE", "OVMF_VARS")
    if exact in names:
        return exact
    plain = exact.split(".")[0] + ".fd"
    return plain if plain in names else None


def run_pair(name, old, new, expect, romsize, scratch, machines, devices):
    t0 = time.monotonic()
    images = diff_json(romsize, old, new)
    lo, ln = l_dir(scratch, name + "-old", images, "old"), l_dir(scratch, name + "-new", images, "new")
    both = {n for n, im in images.items() if im["old"] and im["new"]}
    # only devices whose default file both sets have: a missing one would come from the host's QEMU
    devs = {d: f for d, f in devices.items() if f in both}
    problems, differing, compared = [], [], 0

    def predicted(file):
        im = images[file]
        return im["old"]["region"] != im["new"]["region"]

    def one(machine):
        a, owner = machine_view(machine, lo, devs)
        b, _ = machine_view(machine, ln, devs)
        return machine, a, b, owner

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        views = list(ex.map(one, machines))
    for machine, a, b, owner in views:
        for key in sorted(set(a) | set(b)):
            block = key[0]
            va, vb = a.get(key), b.get(key)
            if va != vb:
                differing.append((machine, block, va, vb))
            if block == "pc.bios" and "bios-256k.bin" in both:
                file = "bios-256k.bin"
            elif key in owner:
                dev, file = owner[key]
                if file not in both:
                    problems.append("%s %s: loads %s, not in both sets" % (machine, block, file))
                    continue
            else:
                continue
            compared += 1
            if predicted(file) != (va != vb):
                problems.append("%s %s (%s): romsize diff says %s, QEMU %s -> %s" % (
                    machine, block, file, "changed" if predicted(file) else "same", va, vb))
    # pflash: every CODE variant of both sets with its VARS template
    for code in sorted(n for n in both if n.startswith("OVMF_CODE")):
        vars_ = vars_for(code, both)
        if not vars_:
            continue
        fa, fb = flash_view(lo, code, vars_), flash_view(ln, code, vars_)
        for block, file in (("system.flash0", code), ("system.flash1", vars_)):
            compared += 1
            if fa.get(block) != fb.get(block):
                differing.append(("q35 " + code, block, fa.get(block), fb.get(block)))
            if predicted(file) != (fa.get(block) != fb.get(block)):
                problems.append("q35 %s %s (%s): romsize diff says %s, QEMU %s -> %s" % (
                    code, block, file, "changed" if predicted(file) else "same", fa.get(block), fb.get(block)))
    # a pair that compared nothing proves nothing: every machine type must
    # have given blocks on both sides, and blocks must have been compared
    for machine, a, b, owner in views:
        if not a or not b:
            problems.append("%s: QEMU reported no RAM block (old %d, new %d)" % (machine, len(a), len(b)))
    if not views or compared == 0:
        problems.append("no block compared (%d machine types, %d devices)" % (len(views), len(devs)))
    # what the pair must show
    rom_diff = [x for x in differing if x[1] == "pc.bios" or x[1].endswith(".rom")]
    if expect == "same" and differing:
        problems.append("expected no differing block, QEMU shows %d" % len(differing))
    elif expect == "roms-same" and rom_diff:
        problems.append("expected no differing pc.bios or ROM block, QEMU shows %d" % len(rom_diff))
    elif expect not in ("same", "roms-same", ""):
        # on each machine type: exactly the ROM blocks of the devices that load FILE there
        should = 0
        for machine, a, b, owner in views:
            for key, (dev, file) in owner.items():
                should += file == expect
                if (file == expect) != (a.get(key) != b.get(key)):
                    problems.append("%s %s (%s, %s): expected %s, QEMU %s -> %s" % (
                        machine, key[0], dev, file, "a change" if file == expect else "no change",
                        a.get(key), b.get(key)))
        if not should:
            problems.append("no device loads %s" % expect)
        if any(x[1] == "pc.bios" for x in differing):
            problems.append("pc.bios differs")
    secs = time.monotonic() - t0
    return {"pair": name, "old": old, "new": new, "expect": expect, "machines": len(machines),
            "devices": len(devs), "blocks_compared": compared, "differing": differing,
            "problems": problems, "seconds": round(secs, 1)}


def main(argv):
    romsize, out_json, pairs = "out/bin/romsize", None, []
    it = iter(argv)
    for a in it:
        if a == "--romsize":
            romsize = next(it)
        elif a == "--json":
            out_json = next(it)
        elif "=" in a:
            name, spec = a.split("=", 1)
            parts = spec.split(":")
            if len(parts) < 2:
                raise SystemExit("matrix: %s: want NAME=OLD:NEW[:EXPECT]" % a)
            pairs.append((name, parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        else:
            raise SystemExit(__doc__)
    if not pairs:
        raise SystemExit(__doc__)
    t0 = time.monotonic()
    machines = qemuview.machine_types()
    devices = qemuview.romfile_table()[0]
    table, per_machine = qemuview.parse_table(os.path.join(os.path.dirname(__file__), "..", "..", "pkg", "romdevs.conf"),
                                              with_machines=True)
    for d, f in list(table.items()) + [(d, f) for (d, _), f in per_machine.items()]:
        ROMFILES.setdefault(d, set()).add(f)
    print("upgrade: %d pc-* machine types, %d PCI devices with a default firmware file (from QEMU)" % (
        len(machines), len(devices)), flush=True)
    scratch = tempfile.mkdtemp(prefix="upgrade.")
    results, t = [], harness.Tally("upgrade")
    for name, old, new, expect in pairs:
        r = run_pair(name, old, new, expect, romsize, scratch, machines, devices)
        results.append(r)
        ok = not r["problems"]
        t.check(ok, "%s: %d machine types x %d devices + pflash, %d blocks compared, %d differ, "
                "romsize diff's prediction %s (%.1f s)" % (
                    name, r["machines"], r["devices"], r["blocks_compared"],
                    len(r["differing"]), "agrees" if ok else "checked", r["seconds"]))
        for m, block, va, vb in r["differing"][:8]:
            print("     differs: %s %s: %s -> %s" % (m, block, va and "0x%x/0x%x" % va, vb and "0x%x/0x%x" % vb))
        if len(r["differing"]) > 8:
            print("     ... %d more differing blocks" % (len(r["differing"]) - 8))
        for x in r["problems"][:12]:
            print("     problem: " + x)
    subprocess.run(["rm", "-rf", scratch])
    if out_json:
        with open(out_json, "w") as fh:
            json.dump({"seconds": round(time.monotonic() - t0, 1), "pairs": results}, fh, indent=1)
    kept = qemuview.answers().path
    print("upgrade: %d pairs in %.1f s, %d questions put to QEMU%s" % (
        len(pairs), time.monotonic() - t0, asked_count[0],
        ", the others answered as this QEMU answered them before (%s)" % kept if kept else ""))
    return t.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
