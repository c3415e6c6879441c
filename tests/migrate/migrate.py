#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Migration tests: a VM started on Debian's firmware moves to our firmware,
and back; an image whose size crosses its slot is refused, with QEMU's words.

For each kind (bios, VGA ROM, NIC ROM pxe and efi, OVMF CODE+VARS) a source
QEMU runs on one image, is stopped and saved over QMP (migrate
"exec:cat > FILE"); a second QEMU with the same command line but the other
image loads it with -incoming "exec:cat FILE", must leave "inmigrate", and
must be "running" after cont. The counter-proofs use an image grown one
512-byte block past its slot (or bios.bin for bios-256k.bin, 2M OVMF for 4M)
and expect QEMU's "Size mismatch: <block>" ("Length mismatch" before ~6.0).
A savevm/loadvm round trip on qcow2 covers one SeaBIOS and one OVMF VM.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "qemu"))
import harness  # noqa: E402
import qemuview  # noqa: E402
from harness import SEABIOS_BANNER, Fail, Vm  # noqa: E402


def grown(ctx, src, size):
    """A copy of src zero-padded to size bytes: an image that crossed its slot."""
    dst = os.path.join(ctx.scratch, "grown-%d-%s" % (size, os.path.basename(src)))
    with open(src, "rb") as f:
        data = f.read()
    if len(data) > size:
        raise Fail("%s is already %d bytes" % (src, len(data)))
    with open(dst, "wb") as f:
        f.write(data + bytes(size - len(data)))
    return dst


def wait_migrated(vm, what):
    while time.monotonic() < vm.deadline:
        r = vm.qmp.cmd("query-migrate")
        st = r.get("status")
        if st == "completed":
            return
        if st in ("failed", "cancelled"):
            raise Fail("%s: outgoing migration %s%s" % (what, st, (": " + r["error-desc"]) if "error-desc" in r else ""),
                       vm.logs())
        time.sleep(0.05)
    raise Fail("%s: migration did not complete in time" % what, vm.logs())


def save(ctx, args, ready, state, timeout):
    """Starts the source, waits until its firmware has run, saves its state."""
    with Vm(ctx, args, "src", timeout=timeout) as vm:
        path, needle = ready
        vm.wait_for(getattr(vm, path), needle, "source firmware")
        vm.qmp.cmd("stop")
        vm.qmp.cmd("migrate", uri="exec:cat > " + state)
        wait_migrated(vm, "source")
        vm.qmp.cmd("quit")


def cont_after_incoming(vm):
    """Waits until the destination has taken the state (not inmigrate),
    continues it, and returns its status a moment later."""
    while vm.status() == "inmigrate":
        if time.monotonic() > vm.deadline:
            raise Fail("destination still inmigrate at its deadline", vm.logs())
        time.sleep(0.05)
    vm.qmp.cmd("cont")
    time.sleep(0.3)
    return vm.status()


def load(ctx, args, state, timeout, expect_block=None):
    """Loads the state into a QEMU on the other image; returns a verdict string."""
    # a refused load ends QEMU at once: no QMP for it
    with Vm(ctx, args + ["-incoming", "exec:cat " + state], "dst", qmp=not expect_block, timeout=timeout) as vm:
        if expect_block:
            rc = vm.wait()
            err = harness.read(vm.stderr)
            m = re.search(r"(Size|Length) mismatch: %s[^\n]*" % re.escape(expect_block), err)
            if rc == 0 or not m:
                raise Fail("expected the load to fail with 'Size mismatch: %s' (exit %d)" % (expect_block, rc),
                           vm.logs())
            return "refused as expected: " + m.group(0).strip()
        try:
            st = cont_after_incoming(vm)
        except Fail as f:
            if vm.proc.poll() is not None:
                raise Fail("destination QEMU exited %d while loading" % vm.proc.returncode, vm.logs(), "mismatch")
            raise f
        if st != "running":
            raise Fail("destination status %s after cont, expected running" % st, vm.logs())
        return "loaded, running after cont"


def migrate_case(name, common, src_extra, dst_extra, ready, expect_block=None, timeout=40):
    def run(ctx):
        state = os.path.join(ctx.scratch, name.replace(" ", "_").replace("/", "_") + ".state")
        save(ctx, common(ctx) + src_extra(ctx), ready, state, timeout)
        size = os.path.getsize(state)
        verdict = load(ctx, common(ctx) + dst_extra(ctx), state, timeout, expect_block)
        os.unlink(state)
        return "%s (state %.1f MB)" % (verdict, size / 1e6)
    return run


def savevm_case(name, base, disks, first, second, ready, timeout=60):
    """savevm on one image, loadvm on the other, on qcow2 (VARS in qcow2 too)."""
    def run(ctx):
        d = os.path.join(ctx.scratch, name.replace(" ", "_"))
        os.makedirs(d)
        drives = disks(ctx, d)
        with Vm(ctx, base + first(ctx) + drives, "savevm", timeout=timeout) as vm:
            path, needle = ready
            vm.wait_for(getattr(vm, path), needle, "firmware before savevm")
            out = vm.qmp.hmp("savevm fwslot")
            if out.strip():
                raise Fail("savevm said: " + out.strip(), vm.logs())
            vm.qmp.cmd("quit")
        with Vm(ctx, base + second(ctx) + drives + ["-loadvm", "fwslot"], "loadvm", timeout=timeout) as vm:
            time.sleep(0.3)
            st = vm.status()
            if st != "running":
                raise Fail("status %s after -loadvm, expected running" % st, vm.logs())
        return "savevm on the first image, loadvm on the second: running"
    return run


def L(files):
    """An -L folder of exactly these {default name: file}, made per case."""
    return lambda ctx: ["-L", ctx.rom_dir("m", files)]


def fixed(args):
    return lambda ctx: list(args)


SEABIOS_READY = ("debug", SEABIOS_BANNER)
OVMF_READY = ("serial", "BdsDxe: ")
ROM_READY = ("debug", "Running option rom at")
VGA_READY = ("debug", "Start SeaVGABIOS")
PC = ["-M", "pc", "-m", "128", "-vga", "none"]


def bios_of(s):
    return L({"bios-256k.bin": s["seabios"] + "/bios-256k.bin"})


def seabios_cases(deb, our):
    """pc.bios: bios-256k.bin both ways, and bios.bin in its place refused."""
    pc = fixed(PC + ["-nic", "none"])
    return [("bios-256k.bin debian -> ours", migrate_case("bios fwd", pc, bios_of(deb), bios_of(our), SEABIOS_READY)),
            ("bios-256k.bin ours -> debian", migrate_case("bios rev", pc, bios_of(our), bios_of(deb), SEABIOS_READY)),
            ("bios-256k.bin debian -> bios.bin (refused)", migrate_case(
                "bios counter", pc, bios_of(deb), L({"bios-256k.bin": our["seabios"] + "/bios.bin"}), SEABIOS_READY,
                expect_block="pc.bios"))]


def dev_rom(s, our, file, sub):
    """An -L folder with the set's file and our bios-256k.bin."""
    return L({file: "%s/%s" % (s[sub], file), "bios-256k.bin": our["seabios"] + "/bios-256k.bin"})


def display_cases(deb, our, table):
    """Every display device with a ROM (pkg/romdevs.conf, checked against QEMU
    by tests/qemu/romdevs.py), its block 0000:00:02.0/<dev>.rom both ways; a
    grown stdvga ROM and bochs-display padded to 64K refused."""
    cases = []
    for dev, file in sorted(table.items()):
        if not file.startswith("vgabios"):
            continue
        common = fixed(PC + ["-device", dev, "-nic", "none"])
        for way, a, b in (("debian -> ours", deb, our), ("ours -> debian", our, deb)):
            cases.append(("%s (%s) %s" % (file, dev, way), migrate_case(
                "vga %s %s" % (dev, way[:3]), common, dev_rom(a, our, file, "seabios"),
                dev_rom(b, our, file, "seabios"), VGA_READY)))
    for dev, file, block, size in (("VGA", "vgabios-stdvga.bin", "vga.rom", 65536 + 512),
                                   # the regression that made the slots anchored
                                   ("bochs-display", "vgabios-bochs-display.bin", "bochs-display.rom", 65536)):
        cases.append(("%s debian -> %d bytes (refused)" % (file, size), migrate_case(
            "%s counter" % dev, fixed(PC + ["-device", dev, "-nic", "none"]), dev_rom(deb, our, file, "seabios"),
            lambda ctx, file=file, size=size: L({file: grown(ctx, deb["seabios"] + "/" + file, size),
                                                 "bios-256k.bin": our["seabios"] + "/bios-256k.bin"})(ctx),
            VGA_READY, expect_block="0000:00:02.0/" + block)))
    return cases


def nics_together(nics, a, b, our, way):
    """Every NIC model in one VM (each at its own PCI slot, from 3 up, with the
    set's file under its default name), saved on set a and loaded on set b:
    ({RAM block: (used, total)} as b's QEMU mapped them, verdict). One VM instead
    of one per model: the state carries every ROM block, and QEMU loads it
    only if each one fits."""
    def run(ctx):
        files = {f: "%s/%s" % (a["ipxe"], f) for f in {f for _, f in nics}}
        files_b = {f: "%s/%s" % (b["ipxe"], f) for f in files}
        bios = {"bios-256k.bin": our["seabios"] + "/bios-256k.bin"}
        devs = ["-nic", "none"]  # (no default NIC)
        for i, (dev, _) in enumerate(nics):
            devs += ["-device", "%s,addr=0x%x" % (dev, 3 + i)]
        state = os.path.join(ctx.scratch, "nics-%s.state" % way[:3])
        save(ctx, PC + devs + L(dict(files, **bios))(ctx), ROM_READY, state, 40)
        size = os.path.getsize(state)
        args = PC + devs + L(dict(files_b, **bios))(ctx) + ["-incoming", "exec:cat " + state]
        with Vm(ctx, args, "dst", timeout=40) as vm:
            st = cont_after_incoming(vm)
            if st != "running":
                raise Fail("destination status %s after cont, expected running" % st, vm.logs())
            blocks = qemuview.parse_ramblocks(vm.qmp.hmp("info ramblock"))
        os.unlink(state)
        return blocks, "loaded, running after cont (state %.1f MB)" % (size / 1e6)
    return run


def shared_rom_case(block, slot, shared, alone, with_what):
    """One NIC's share of a VM with others (shared: harness.Once giving the
    destination's RAM blocks and its verdict): its ROM block, at its slot,
    was in what the destination took. Should the shared VM fail, the NIC
    runs alone (alone), so each verdict names its own device."""
    def run(ctx):
        try:
            blocks, verdict = shared.get(ctx)
        except Fail:
            return alone(ctx) + " (alone: the VM %s failed)" % with_what
        name = "0000:00:%02x.0/%s" % (slot, block)
        if name not in blocks:
            raise Fail("the destination maps no %s: %s" % (name, sorted(blocks)))
        return "%s, %s; %s (0x%x) came across" % (verdict, with_what, name, blocks[name][0])
    return run


def nic_cases(deb, our, table, blocks):
    """Every NIC model QEMU loads an iPXE ROM for (pkg/romdevs.conf), both
    ways, all in one VM; then pxe- and efi-e1000.rom in e1000's slot, and
    each grown one 512-byte block past its slot refused."""
    cases = []
    nics = [(dev, file) for dev, file in sorted(table.items(), key=lambda x: (x[1], x[0]))
            if not file.startswith("vgabios")]
    for way, a, b in (("debian -> ours", deb, our), ("ours -> debian", our, deb)):
        shared = harness.Once(nics_together(nics, a, b, our, way))
        for i, (dev, file) in enumerate(nics):
            common = fixed(PC + ["-netdev", "user,id=n,restrict=on", "-device", "%s,netdev=n" % dev])
            alone = migrate_case("nic %s %s" % (dev, way[:3]), common, dev_rom(a, our, file, "ipxe"),
                                 dev_rom(b, our, file, "ipxe"), ROM_READY)
            cases.append(("%s (%s) %s" % (file, dev, way),
                          shared_rom_case(blocks[dev], 3 + i, shared, alone, "with every NIC model")))
    nic = fixed(PC + ["-netdev", "user,id=n,restrict=on", "-device", "e1000,netdev=n"])
    for kind, slot in (("pxe", 131072), ("efi", 262144)):
        def nic_of(s, kind=kind):
            return L({"efi-e1000.rom": "%s/%s-e1000.rom" % (s["ipxe"], kind),
                      "bios-256k.bin": our["seabios"] + "/bios-256k.bin"})
        cases.append(("%s-e1000.rom debian -> ours" % kind,
                      migrate_case(kind + " fwd", nic, nic_of(deb), nic_of(our), ROM_READY)))
        cases.append(("%s-e1000.rom ours -> debian" % kind,
                      migrate_case(kind + " rev", nic, nic_of(our), nic_of(deb), ROM_READY)))
        cases.append(("%s-e1000.rom debian -> %d bytes (refused)" % (kind, slot + 512), migrate_case(
            kind + " counter", nic, nic_of(deb),
            lambda ctx, kind=kind, slot=slot: L({
                "efi-e1000.rom": grown(ctx, "%s/%s-e1000.rom" % (deb["ipxe"], kind), slot + 512),
                "bios-256k.bin": our["seabios"] + "/bios-256k.bin"})(ctx),
            ROM_READY, expect_block="0000:00:02.0/e1000.rom")))
    return cases


def ovmf_code(s):
    return fixed(["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s/OVMF_CODE_4M.fd" % s["ovmf"]])


def ovmf_cases(deb, our):
    """system.flash0 (CODE) and system.flash1 (the VM's VARS, moving with it):
    4M Debian -> ours, 2M ours -> Debian, 2M -> 4M refused."""
    q35 = fixed(["-M", "q35", "-m", "256", "-vga", "none", "-nic", "none"])

    def ovmf(s, code, vars_name, tag):
        def args(ctx):
            v = os.path.join(ctx.scratch, "vars-" + tag)
            if not os.path.exists(v):
                shutil.copyfile(os.path.join(deb["ovmf"], vars_name), v)
            return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s/%s" % (s["ovmf"], code),
                    "-drive", "if=pflash,format=raw,unit=1,file=" + v]
        return args
    return [("OVMF_CODE_4M.fd debian -> ours", migrate_case(
                "ovmf fwd", q35, ovmf(deb, "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", "fwd"),
                ovmf(our, "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", "fwd"), OVMF_READY, timeout=90)),
            ("OVMF_CODE.fd (2M) ours -> debian", migrate_case(
                "ovmf rev", q35, ovmf(our, "OVMF_CODE.fd", "OVMF_VARS.fd", "rev"),
                ovmf(deb, "OVMF_CODE.fd", "OVMF_VARS.fd", "rev"), OVMF_READY, timeout=90)),
            ("OVMF 2M debian -> 4M ours (refused)", migrate_case(
                "ovmf counter", q35, ovmf(deb, "OVMF_CODE.fd", "OVMF_VARS.fd", "c2m"),
                ovmf(our, "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", "c4m"), OVMF_READY,
                expect_block="system.flash", timeout=90))]


def qcow2_disk(ctx, d):
    disk = os.path.join(d, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
    return ["-drive", "file=%s,format=qcow2,if=ide" % disk]


def savevm_cases(deb, our):
    """savevm on Debian's set, loadvm on ours (qcow2; OVMF's VARS in qcow2
    too), and a raw writable VARS refused by savevm in QEMU's words."""
    def ovmf_qcow2(ctx, d):
        v = os.path.join(d, "vars.qcow2")
        subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2",
                        deb["ovmf"] + "/OVMF_VARS_4M.fd", v], check=True)
        return ["-drive", "if=pflash,format=qcow2,unit=1,file=" + v]

    def raw_vars_refused(ctx):
        d = os.path.join(ctx.scratch, "savevm-raw")
        os.makedirs(d)
        v = os.path.join(d, "vars.fd")
        shutil.copyfile(deb["ovmf"] + "/OVMF_VARS_4M.fd", v)
        args = ["-M", "q35", "-m", "256", "-vga", "none", "-nic", "none"] + ovmf_code(our)(ctx) + \
            ["-drive", "if=pflash,format=raw,unit=1,file=" + v] + qcow2_disk(ctx, d)
        with Vm(ctx, args, "savevm-raw", timeout=60) as vm:
            vm.wait_for(vm.serial, "BdsDxe: ", "OVMF before savevm")
            out = vm.qmp.hmp("savevm fwslot")
            want = "Device 'pflash1' is writable but does not support snapshots"
            if want not in out:
                raise Fail("savevm with a raw VARS said %r, expected %r" % (out.strip(), want), vm.logs())
        return "refused as expected: " + want
    def ticking_guest(ctx):
        """The ticker boot sector, on the qcow2 disk that savevm writes into."""
        d = tempfile.mkdtemp(prefix="savevm-tick.", dir=ctx.scratch)
        disk = os.path.join(d, "disk.qcow2")
        subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", ticker_bin(ctx), disk], check=True)
        base = PC + ["-nic", "none", "-drive", "file=%s,format=qcow2,if=ide" % disk]
        with Vm(ctx, base + bios_of(deb)(ctx), "savevm", timeout=40) as vm:
            wait_ticks(vm, "guest on Debian's set", 0)
            out = vm.qmp.hmp("savevm fwslot")
            if out.strip():
                raise Fail("savevm said: " + out.strip(), vm.logs())
            saved = ticks(vm)[-1]
            vm.qmp.cmd("quit")
        with Vm(ctx, base + bios_of(our)(ctx) + ["-loadvm", "fwslot"], "loadvm", timeout=40) as vm:
            got = wait_ticks(vm, "guest loaded on ours", saved)
            if min(got) < saved:
                raise Fail("after loadvm the guest counted from %d, it was saved at %d: not the same guest" %
                           (min(got), saved), vm.logs())
        return "savevm at tick %d on Debian's bios-256k.bin; loadvm on ours: the guest goes on, ticks %d..%d" % (
            saved, got[0], got[-1])

    return [("savevm debian bios-256k.bin, loadvm ours (qcow2)", savevm_case(
                "savevm seabios", PC + ["-nic", "none"], qcow2_disk, bios_of(deb), bios_of(our), SEABIOS_READY)),
            ("savevm of a running guest on debian bios-256k.bin, loadvm ours: it keeps counting", ticking_guest),
            ("savevm debian OVMF 4M, loadvm ours (VARS in qcow2)", savevm_case(
                "savevm ovmf", ["-M", "q35", "-m", "256", "-vga", "none", "-nic", "none"], ovmf_qcow2,
                ovmf_code(deb), ovmf_code(our), OVMF_READY, timeout=90)),
            ("savevm OVMF with raw VARS (refused)", raw_vars_refused)]


TICK = re.compile(r"fwslot tick ([0-9a-fA-F]{4})\r?\n")
# the size of the torn store's churned variables (test-image.c, -DCHURN_SIZE)
CHURN_SIZE = 1200


def ticker_bin(ctx):
    """tests/boot/ticker.asm assembled, once per run (in ctx.scratch)."""
    tick = os.path.join(ctx.scratch, "ticker.bin")
    if not os.path.exists(tick):
        subprocess.run(["nasm", "-f", "bin", "-o", tick + ".tmp", "tests/boot/ticker.asm"], check=True)
        os.replace(tick + ".tmp", tick)
    return tick


def ticks(vm):
    """The counter values of the complete tick lines on vm's serial."""
    return [int(t, 16) for t in TICK.findall(harness.read(vm.serial))]


def wait_ticks(vm, what, above, n=2):
    """Waits for n tick lines above `above` on vm's serial; returns them all."""
    while time.monotonic() < vm.deadline:
        got = ticks(vm)
        if len([t for t in got if t > above]) >= n:
            return got
        if vm.proc.poll() is not None:
            raise Fail("%s: QEMU exited (%s) while the guest should be ticking" % (what, vm.proc.returncode),
                       vm.logs())
        time.sleep(0.05)
    raise Fail("%s: fewer than %d ticks above %d on serial (%s)" % (what, n, above, ticks(vm)[-5:]), vm.logs())


def live_chain(name, common, sets, timeout=40, blocks=None):
    """A guest that runs (the ticker boot sector or UEFI image, counting on
    serial) is started on sets[0]'s images and migrated while it runs (no
    stop: the source is live until migration's last pass) to a QEMU on
    sets[1]'s, then on to sets[2]'s. Each destination must start by itself
    (the source was running), and its guest must go on counting from the
    source's last tick, not from 1: the same guest, not a new boot."""
    def run(ctx):
        # (the state file goes through a shell: exec:cat > FILE)
        last, hops, tag = None, [], re.sub(r"[^A-Za-z0-9.-]+", "_", name)
        for i, extra in enumerate(sets):
            state_in = os.path.join(ctx.scratch, "%s.%d.state" % (tag, i - 1))
            state_out = os.path.join(ctx.scratch, "%s.%d.state" % (tag, i))
            args = common(ctx) + extra(ctx)
            if last is not None:
                args += ["-incoming", "exec:cat " + state_in]
            with Vm(ctx, args, "live%d" % i, timeout=timeout) as vm:
                got = wait_ticks(vm, "VM %d" % i, last if last is not None else 0)
                if last is not None:
                    if vm.status() != "running":
                        raise Fail("VM %d: status %s after the incoming migration, expected running" %
                                   (i, vm.status()), vm.logs())
                    # the line in flight at the switch may be printed by both
                    if min(got) < last:
                        raise Fail("VM %d: its guest counted from %d, the source had reached %d: not the "
                                   "same guest" % (i, min(got), last), vm.logs())
                    os.unlink(state_in)
                if i == len(sets) - 1:
                    hops.append("%d..%d" % (got[0], got[-1]))
                    if blocks is not None:  # the RAM blocks the last destination took
                        blocks.update(qemuview.parse_ramblocks(vm.qmp.hmp("info ramblock")))
                    break
                vm.qmp.cmd("migrate", uri="exec:cat > " + state_out)
                wait_migrated(vm, "VM %d" % i)
                if vm.status() != "postmigrate":
                    raise Fail("VM %d: status %s after migrating, expected postmigrate" % (i, vm.status()),
                               vm.logs())
                got = ticks(vm)
                last = got[-1]
                hops.append("%d..%d" % (got[0], last))
                vm.qmp.cmd("quit")
        return "running guest migrated live, ticks %s" % " -> ".join(hops)
    return run


def live_cases(ctx, deb, our, table, machines, blocks):
    """Live migration of a running guest, Debian's set -> ours -> Debian's:
    pc.bios (bios-256k.bin on pc; bios.bin on pc-i440fx-1.7, whose type loads
    it), one device of every VGA ROM and every NIC ROM file (efi-* on pc,
    pxe-* on pc-i440fx-1.4, the type that loads them), and OVMF 4M pflash."""
    disk = ["-drive", "file=%s,format=raw,if=ide,snapshot=on" % ticker_bin(ctx)]
    cases = []

    def chain(label, common, of):
        cases.append(("live %s: debian -> ours -> debian" % label,
                      live_chain(label, common, [of(deb), of(our), of(deb)])))
    chain("bios-256k.bin (pc)", fixed(PC + ["-nic", "none"] + disk), bios_of)
    chain("bios.bin (pc-i440fx-1.7)", fixed(["-M", "pc-i440fx-1.7", "-m", "128", "-vga", "none", "-nic", "none"] + disk),
          lambda s: L({"bios.bin": s["seabios"] + "/bios.bin"}))
    seen, nics = set(), []
    for dev, file in sorted(table.items(), key=lambda x: (x[1], x[0])):
        if file in seen:
            continue
        seen.add(file)
        if file.startswith("vgabios"):
            common = fixed(PC + ["-device", dev, "-nic", "none"] + disk)
            chain("%s (%s)" % (file, dev), common, lambda s, file=file: dev_rom(s, our, file, "seabios"))
        else:
            nics.append((dev, file))
    old = []
    for (dev, machine), file in sorted(machines.items(), key=lambda x: (x[1], x[0])):
        if machine != "pc-i440fx-1.4" or not file.startswith("pxe-") or file in seen:
            continue
        seen.add(file)
        old.append((dev, file))
    # the NIC ROM files share a running guest: one device loading each file
    # in one VM per machine type (each at its own PCI slot); each file's case
    # checks its block came across; should the shared chain fail, the file
    # runs alone
    for machine, group, bios in (("pc", nics, "bios-256k.bin"), ("pc-i440fx-1.4", old, "bios.bin")):
        head = ["-M", machine, "-m", "128", "-vga", "none"]

        def devices(group=group):
            out = []
            for i, (dev, _) in enumerate(group):
                out += ["-netdev", "user,id=n%d,restrict=on" % i, "-device", "%s,netdev=n%d,addr=0x%x" % (dev, i, 3 + i)]
            return out

        def of(s, group=group, bios=bios):
            return L(dict({f: "%s/%s" % (s["ipxe"], f) for _, f in group}, **{bios: our["seabios"] + "/" + bios}))
        got = {}
        label = "every NIC ROM file on %s" % machine
        shared = harness.Once(lambda ctx, head=head, devices=devices, of=of, got=got, label=label: (
            got, live_chain(label, fixed(head + devices() + disk), [of(deb), of(our), of(deb)], blocks=got)(ctx)))
        for i, (dev, file) in enumerate(group):
            one = fixed(head + ["-netdev", "user,id=n,restrict=on", "-device", "%s,netdev=n" % dev] + disk)
            alone = live_chain("%s (%s, %s)" % (file, dev, machine), one,
                               [of(s, [(dev, file)]) for s in (deb, our, deb)])
            cases.append(("live %s (%s%s): debian -> ours -> debian" % (
                file, dev, "" if machine == "pc" else ", " + machine),
                shared_rom_case(blocks[dev], 3 + i, shared, alone, "with every NIC ROM file")))
    return cases


def live_ovmf_case(ctx, deb, our):
    """OVMF 4M (CODE in system.flash0, the VM's VARS in system.flash1, which
    moves with it) running the ticking UEFI test image, Debian -> ours -> Debian."""
    efi = harness.build_test_image(ctx.scratch, "tick")
    disk = harness.efi_disk(ctx.scratch, efi)
    q35 = fixed(["-M", "q35", "-m", "256", "-vga", "none", "-nic", "none",
                 "-drive", "file=%s,format=raw,if=virtio,snapshot=on" % disk])

    def ovmf(s):
        def args(ctx):
            v = os.path.join(ctx.scratch, "vars-live")
            if not os.path.exists(v):
                shutil.copyfile(os.path.join(deb["ovmf"], "OVMF_VARS_4M.fd"), v)
            return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s/OVMF_CODE_4M.fd" % s["ovmf"],
                    "-drive", "if=pflash,format=raw,unit=1,file=" + v]
        return args
    return [("live OVMF_CODE_4M.fd + VARS: debian -> ours -> debian",
             live_chain("ovmf", q35, [ovmf(deb), ovmf(our), ovmf(deb)], timeout=120))]


def main():
    out, scratch, _, ctx = harness.setup("migrate")
    fw, ref = os.path.join(out, "firmware"), os.path.join(out, "ref", "root")

    def dirs(root):
        return {"seabios": root + "/usr/share/seabios", "ipxe": root + "/usr/lib/ipxe/qemu",
                "ovmf": root + "/usr/share/OVMF"}
    deb, built = dirs(ref), os.path.exists(os.path.join(fw, "SHA256SUMS"))
    if built:
        our = dirs(fw)
    else:
        # still worth proving: Debian's images padded to their slots migrate
        our = dict(dirs(os.path.join(out, "ref", "padded")), ovmf=None)
        print("SKIP migrate: out/firmware not built (run make): SeaBIOS/ROM cases use Debian's images "
              "padded to their slots as the new set; OVMF and savevm cases not run")
    table, machines = qemuview.parse_table("pkg/romdevs.conf", with_machines=True)
    # (a call of its own: with_blocks keeps the machine's BIOS row in the table)
    _, blocks = qemuview.parse_table("pkg/romdevs.conf", with_blocks=True)
    cases = seabios_cases(deb, our) + display_cases(deb, our, table) + nic_cases(deb, our, table, blocks) + \
        live_cases(ctx, deb, our, table, machines, blocks)
    if built:
        cases += ovmf_cases(deb, our) + savevm_cases(deb, our) + varstore_cases(out, scratch, deb, our) + \
            live_ovmf_case(ctx, deb, our)
        # the long OVMF cases first, so two workers end together
        cases.sort(key=lambda c: "OVMF" not in c[0] and "varstore" not in c[0])
    return harness.run_cases("migrate", cases, ctx, os.path.join(out, "test", "migrate.json"))


def live_vars(fdsplit, path):
    """{(name, guid)} of the live ("added") variables fdsplit reads in a varstore."""
    r = subprocess.run([fdsplit, "info", "--json", path], capture_output=True, text=True)
    if r.returncode != 0:
        raise Fail("fdsplit info %s: %s" % (path, r.stderr.strip()))
    vs = json.loads(r.stdout)["files"][0]["vars"]
    return {(v["name"], v["guid"]) for v in vs["variables"] if v["state_name"] == "added"}, vs["deleted"]


# EDK2's UefiBootManagerLib marks the boot options it made itself (for a
# device it found) with this GUID as their optional data, and deletes them
# again when the device is gone (BmBoot.c, mBmAutoCreateBootOptionGuid).
# OVMF registers options for applications in its own firmware volume (UiApp,
# the UEFI Shell: Fv(...)/FvFile(...)) and deletes those whose file the
# image no longer has (PlatformBootManagerLib RemoveStaleFvFileOptions).
AUTO_CREATED = struct.pack("<IHH8B", 0x8108ac4e, 0x9f11, 0x4d59, 0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2)


def auto_boot_options(fdsplit, path):
    """{(name, guid): description} of the live Boot#### options of a store that
    the firmware created itself (EFI_LOAD_OPTION: attributes, device path
    length, UTF-16 description, device path, optional data = AUTO_CREATED), or
    for a file of its own firmware volume."""
    vs = fdsplit_json(fdsplit, "info", path)["files"][0]["vars"]["variables"]
    with open(path, "rb") as f:
        raw = f.read()
    out = {}
    for v in vs:
        n = v["name"]
        if not (v["live"] and len(n) == 8 and n.startswith("Boot") and all(c in "0123456789ABCDEF" for c in n[4:])):
            continue
        b = raw[v["data_offset"]:v["data_offset"] + v["data_size"]]
        if len(b) < 8:
            continue
        plen = struct.unpack_from("<H", b, 4)[0]
        end = 6
        while end + 1 < len(b) and b[end:end + 2] != b"\0\0":
            end += 2
        desc = b[6:end].decode("utf-16-le", "replace")
        path = b[end + 2:end + 2 + plen]
        in_fv = len(path) >= 2 and path[0] == 4 and path[1] == 7  # MEDIA_DEVICE_PATH, MEDIA_PIWG_FW_VOL_DP
        if b[end + 2 + plen:] == AUTO_CREATED or in_fv:
            out[(n, v["guid"])] = desc
    return out


def lost_variables(before, after, auto):
    """The variables of before that after lacks, leaving out the boot options
    the firmware made itself (auto: auto_boot_options of the store when before
    was read; it removes those whose device it no longer finds); returns
    (lost, [descriptions of the refreshed auto options])."""
    gone = before - after
    return gone - set(auto), sorted(auto[k] for k in gone & set(auto))


def fdsplit_json(fdsplit, cmd, path):
    r = subprocess.run([fdsplit, cmd, "--json", path], capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except ValueError:
        raise Fail("fdsplit %s --json %s: exit %d: %s" % (cmd, path, r.returncode, r.stderr.strip()))


def churn_rounds(fdsplit, path):
    """{FwslotChurnNN: round} of the live churn variables of a clean store."""
    vs = fdsplit_json(fdsplit, "info", path)["files"][0]["vars"]
    with open(path, "rb") as f:
        data = f.read()
    return {v["name"]: struct.unpack_from("<I", data, v["data_offset"])[0] for v in vs["variables"]
            if v["live"] and v["name"].startswith("FwslotChurn")}


def last_write(path):
    """(header flags, first record flags) of the last write in the FTW queue of
    an OVMF varstore, walked as FtwGetLastWriteHeader does; None past the end."""
    ws = os.path.getsize(path) // 2 - 0x1000
    with open(path, "rb") as f:
        f.seek(ws)
        w = f.read(0x1000)
    off = 0x20
    while off + 0x50 <= len(w) and not w[off] & 4:  # Complete set: skip it
        n, priv = struct.unpack_from("<QQ", w, off + 0x18)
        off += 0x28 + n * (0x28 + priv)
    return (w[off], w[off + 0x28]) if off + 0x50 <= len(w) else None


def kill_mid_restart(ctx, code, v, disk, mid):
    """Runs the churning image on OVMF until a reclaim's spare copy is complete
    (SpareComplete set, DestinationComplete not) and OVMF, copying it back, has
    rewritten the first block (the FV and store headers back, byte for byte
    the spare's) but not yet the block at `mid` (erased, where the compact
    store still has variables to come): then
    SIGKILLs QEMU, as a host crash would. Under TCG that window is a few
    blocks of a copy back that writes a byte at a time (the 4M store's took
    about ten seconds; the 2M store is a fifth of its size). Returns whether
    the write was still pending at the kill."""
    args = harness.ovmf_disk_args(code, v, disk)

    def pending():
        s = last_write(v)
        return s is not None and not s[0] & 1 and s[0] & 4 and not s[1] & 2 and s[1] & 4

    def midway():
        # the whole first block, not only the FV signature: a kill inside the
        # FV header leaves a store the flash driver reformats (seen under load)
        with open(v, "rb") as f:
            head = f.read(mid + 0x1000)
            f.seek(os.path.getsize(v) // 2)
            spare = f.read(0x1000)
        return head[:0x1000] == spare and head[mid:] == b"\xff" * 0x1000

    with Vm(ctx, args, "churn", timeout=150) as vm:
        while not (pending() and midway()):
            if vm.proc.poll() is not None or time.monotonic() > vm.deadline - 1:
                raise Fail("no reclaim was caught copying its store back", vm.logs())
            time.sleep(0.005)
        os.killpg(vm.proc.pid, signal.SIGKILL)
        vm.proc.wait()
    return pending()


def varstore_cases(out, scratch, deb, our):
    """A VM's variables moved between varstore layouts with fdsplit migrate, and
    read back by the firmware: the 2M firmware writes a variable of its own
    (the test image sets FwslotTest), the store moves to the 4M layout, the 4M
    firmware (Debian's and ours) reads it back and keeps every variable; the
    Microsoft-enrolled 2M store keeps Secure Boot enforced on the 4M SMM build;
    and the way back to 2M."""
    fdsplit = os.path.join(out, "asan", "bin", "fdsplit")
    image = harness.build_test_image(scratch)
    disk = harness.efi_disk(scratch, image)

    def migrate(old, template, code, new):
        r = subprocess.run([fdsplit, "migrate", old, "--template", template, "--code", code, "-o", new],
                           capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(new):
            raise Fail("fdsplit migrate %s -> %s: exit %d: %s" % (old, template, r.returncode, r.stderr.strip()))
        return r.stdout.strip()

    def make_2m_store(ctx):
        """A 2M varstore the 2M firmware wrote: FwslotTest set on the first boot,
        read on the second (boot options rewritten: deleted records too). Made
        once; each case migrates a copy of it."""
        v2 = os.path.join(tempfile.mkdtemp(prefix="varstore-2m.", dir=ctx.scratch), "vars-2m.fd")
        shutil.copyfile(deb["ovmf"] + "/OVMF_VARS.fd", v2)
        harness.ovmf_boot_disk(ctx, deb["ovmf"] + "/OVMF_CODE.fd", v2, disk, harness.VAR_SET)
        harness.ovmf_boot_disk(ctx, deb["ovmf"] + "/OVMF_CODE.fd", v2, disk, harness.VAR_READ)
        live, deleted = live_vars(fdsplit, v2)
        if not any(n == "FwslotTest" for n, _ in live) or deleted == 0:
            raise Fail("the 2M store holds no live FwslotTest or no deleted record (%d deleted)" % deleted)
        return v2, live
    first_2m = harness.Once(make_2m_store)

    def to_4m(target):
        def run(ctx):
            d = tempfile.mkdtemp(prefix="varstore.", dir=ctx.scratch)
            made, live2 = first_2m.get(ctx)
            v2 = os.path.join(d, "vars-2m.fd")
            shutil.copyfile(made, v2)
            v4 = os.path.join(d, "vars-4m.fd")
            code = target["ovmf"] + "/OVMF_CODE_4M.fd"
            said = migrate(v2, our["ovmf"] + "/OVMF_VARS_4M.fd", code, v4)
            before, _ = live_vars(fdsplit, v4)
            auto = auto_boot_options(fdsplit, v4)
            if before != live2:
                raise Fail("the migrated store's live variables differ from the 2M store's: %s" % sorted(before ^ live2))
            harness.ovmf_boot_disk(ctx, code, v4, disk, harness.VAR_READ)
            r = subprocess.run([fdsplit, "check", v4, "--code", code], capture_output=True, text=True)
            if r.returncode != 0:
                raise Fail("after the 4M boot the store fails fdsplit check: " + r.stderr.strip())
            after, _ = live_vars(fdsplit, v4)
            lost, refreshed = lost_variables(before, after, auto)
            if lost:
                raise Fail("the 4M firmware lost variables (reformatted the store?): %s" % sorted(lost))
            # and back: the same VM onto the 2M layout, read by the 2M firmware
            back = os.path.join(d, "vars-2m-again.fd")
            migrate(v4, deb["ovmf"] + "/OVMF_VARS.fd", deb["ovmf"] + "/OVMF_CODE.fd", back)
            harness.ovmf_boot_disk(ctx, deb["ovmf"] + "/OVMF_CODE.fd", back, disk, harness.VAR_READ)
            return "FwslotTest read back by the 4M firmware and again on 2M; %d live variables kept (%s)%s" % (
                len(before) - len(refreshed), said.split(": ", 1)[1].split(";")[0],
                "; the firmware's own boot options refreshed: " + ", ".join(refreshed) if refreshed else "")
        return run

    def secure_boot(ctx):
        d = tempfile.mkdtemp(prefix="varstore-sb.", dir=ctx.scratch)
        code = our["ovmf"] + "/OVMF_CODE_4M.secboot.fd"
        ms, plain = os.path.join(d, "ms-4m.fd"), os.path.join(d, "plain-4m.fd")
        migrate(deb["ovmf"] + "/OVMF_VARS.ms.fd", our["ovmf"] + "/OVMF_VARS_4M.fd", code, ms)
        migrate(deb["ovmf"] + "/OVMF_VARS.fd", our["ovmf"] + "/OVMF_VARS_4M.fd", code, plain)
        r = subprocess.run(["python3", "tests/pkg/samekeys.py", fdsplit, ms, deb["ovmf"] + "/OVMF_VARS.ms.fd"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Fail("PK, KEK, db, dbx changed in the move: " + r.stdout.strip())
        log = harness.ovmf_boot_disk(ctx, code, ms, disk, harness.REFUSED, secure=True)
        if harness.RAN in log:
            raise Fail("the unsigned image ran with the migrated .ms store", log)
        harness.ovmf_boot_disk(ctx, code, plain, disk, harness.RAN, secure=True)
        return "migrated .ms store: unsigned image refused (Access Denied), keys byte-identical; migrated empty store: it ran"

    def torn(ctx):
        """A 2M store from a VM killed while OVMF copied a reclaimed store back
        from the spare: fdsplit says what the next boot restores, and the
        firmware's own reads agree, variable by variable. The churn runs on
        the plain build; the store is read back by an SMM build, the kind
        that restores the spare before its variable driver reads (see
        lib/ftwboot.h: Debian's OVMF_CODE.fd, without SMM, does not).

        The 2M layout (56 KiB of variables), not the 4M one (256 KiB): the
        SMM build restores the spare a byte at a time, and QEMU's pflash
        writes each byte to the file and wakes its main loop (measured, the
        4M store: 18-25 s alone, 15 s of it system time, and up to 63 s in
        make check). The 4M layout's torn store is generated instead
        (tests/gen: torn-restart-4m.fd, read by ftwboot_test and fdsplit.sh)."""
        d = tempfile.mkdtemp(prefix="varstore-torn.", dir=ctx.scratch)
        code, v = deb["ovmf"] + "/OVMF_CODE.fd", os.path.join(d, "vars-2m.fd")
        template = deb["ovmf"] + "/OVMF_VARS.fd"
        smm = deb["ovmf"] + "/OVMF_CODE.secboot.fd"
        # 16 variables of 1200 bytes: a third of the store, so every other round reclaims
        churn_efi = harness.build_test_image(ctx.scratch, "churn", CHURN_SIZE)
        churn = harness.efi_disk(ctx.scratch, churn_efi)
        dump = harness.efi_disk(ctx.scratch, harness.build_test_image(ctx.scratch, "dump", CHURN_SIZE))
        # the torn store is a fixture OVMF makes (seconds of TCG churn): kept in out/cache
        # under what made it (CODE, template, churn image, QEMU), made again when any changes
        key = hashlib.sha256()
        for f in (code, template, churn_efi):
            with open(f, "rb") as fh:
                key.update(hashlib.sha256(fh.read()).digest())
        key.update(subprocess.run([harness.QEMU, "--version"], capture_output=True).stdout)
        cached = os.path.join(out, "cache", "torn-vars-2m-%s.fd" % key.hexdigest()[:16])
        t0 = time.monotonic()
        made = "from out/cache (made earlier by OVMF from the same CODE, template, churn image and QEMU)"
        boot = None
        if os.path.exists(cached):
            shutil.copyfile(cached, v)
            boot = fdsplit_json(fdsplit, "check", v)["files"][0]["boot"]
        if boot is None or boot["action"] != "restart":
            for attempt in range(3):
                shutil.copyfile(template, v)
                killed = kill_mid_restart(ctx, code, v, churn, 0x4000)  # within the ~24 KiB of live variables
                boot = fdsplit_json(fdsplit, "check", v)["files"][0]["boot"]
                if killed and boot["action"] == "restart":
                    break
            else:
                raise Fail("no kill landed while OVMF copied the spare back (fdsplit says %s)" % boot["action"])
            made = "attempt %d" % (attempt + 1)
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            shutil.copyfile(v, cached + ".tmp")
            os.replace(cached + ".tmp", cached)
        r = subprocess.run([fdsplit, "check", v, "--code", code], capture_output=True, text=True)
        if r.returncode != 1 or "no FaultTolerantWritePei" not in r.stderr:
            raise Fail("fdsplit check --code OVMF_CODE.fd (no SMM) should refuse the torn store: "
                       + r.stdout + r.stderr)
        if not boot["disk_live"] < boot["live"]:
            raise Fail("the torn store shows %d live variables on disk, the restored one %d: not torn"
                       % (boot["disk_live"], boot["live"]))
        # the prediction, as a clean store: fdsplit migrate moves what the firmware will see
        pred = os.path.join(d, "predicted.fd")
        migrate(v, template, code, pred)
        want = churn_rounds(fdsplit, pred)
        if len(want) != 16:
            raise Fail("fdsplit predicts %d of the 16 churned variables" % len(want))
        t1 = time.monotonic()
        log = harness.ovmf_boot_disk(ctx, smm, v, dump, "fwslot: churn dump done", secure=True, timeout=120)
        t2 = time.monotonic()
        got = dict(re.findall(r"fwslot: churn (FwslotChurn\d\d) round (\d+) size %d" % CHURN_SIZE, log))
        got = {k: int(r) for k, r in got.items()}
        if got != want:
            raise Fail("OVMF read %s; fdsplit predicted %s" % (sorted(got.items()), sorted(want.items())), log)
        r = subprocess.run([fdsplit, "check", v, "--code", smm], capture_output=True, text=True)
        if r.returncode != 0 or "write in progress" in r.stdout:
            raise Fail("after the boot the store is not settled: " + r.stdout + r.stderr)
        return ("killed during the reclaim's copy back (%s, %.0f s): %d live on disk, %d predicted; OVMF "
                "(SMM build, %.0f s) read all %d churned variables with the predicted rounds"
                % (made, t1 - t0, boot["disk_live"], boot["live"], t2 - t1, len(got)))

    def powered_off(tmpl):
        """A powered-off VM's varstore that Debian 12's Secure Boot OVMF wrote,
        from Debian 12's enrolled template, then booted on our 2025.02 CODE:
        with the snakeoil store the signed test image sets FwslotTest on
        Debian's and reads it back on ours; with the Microsoft store Debian's
        writes its boot options (the image refused). Either way ours keeps
        every variable (keys byte for byte) and still refuses the unsigned image."""
        def run(ctx):
            d = tempfile.mkdtemp(prefix="varstore-off.", dir=ctx.scratch)
            v = os.path.join(d, "vars.fd")
            shutil.copyfile(deb["ovmf"] + "/" + tmpl, v)
            old, new = deb["ovmf"] + "/OVMF_CODE_4M.secboot.fd", our["ovmf"] + "/OVMF_CODE_4M.secboot.fd"
            snakeoil = "snakeoil" in tmpl
            if snakeoil:
                # signed with Debian 12's snakeoil key, the one its .snakeoil template trusts
                signed = harness.efi_disk(d, harness.snakeoil_signed(
                    d, image, os.path.join(out, "ref", "root", "usr", "share", "ovmf"), "debian"))
                harness.ovmf_boot_disk(ctx, old, v, signed, harness.VAR_SET, secure=True)
            else:
                # the Microsoft store runs nothing of ours: Debian's boot manager
                # writes its boot options, the image refused (with the snakeoil
                # store the signed boot above wrote them)
                harness.ovmf_boot_disk(ctx, old, v, disk, harness.REFUSED, secure=True)
            before, _ = live_vars(fdsplit, v)
            auto = auto_boot_options(fdsplit, v)
            if snakeoil and not any(n == "FwslotTest" for n, _ in before):
                raise Fail("Debian's firmware left no live FwslotTest")
            if not any(n.startswith("Boot0") for n, _ in before):
                raise Fail("Debian's firmware wrote no boot option")
            keep = os.path.join(d, "before.fd")
            shutil.copyfile(v, keep)
            if snakeoil:
                harness.ovmf_boot_disk(ctx, new, v, signed, harness.VAR_READ, secure=True)
            log = harness.ovmf_boot_disk(ctx, new, v, disk, harness.REFUSED, secure=True)
            if harness.RAN in log:
                raise Fail("the unsigned image ran on our CODE", log)
            after, _ = live_vars(fdsplit, v)
            lost, refreshed = lost_variables(before, after, auto)
            if lost:
                raise Fail("our firmware lost variables (reformatted the store?): %s" % sorted(lost))
            r = subprocess.run(["python3", "tests/pkg/samekeys.py", fdsplit, v, keep], capture_output=True, text=True)
            if r.returncode != 0:
                raise Fail("PK, KEK, db, dbx changed on our firmware: " + r.stdout.strip())
            r = subprocess.run([fdsplit, "check", v, "--code", new], capture_output=True, text=True)
            if r.returncode != 0:
                raise Fail("after our boot the store fails fdsplit check: " + r.stderr.strip())
            return ("%d live variables kept on our CODE (the firmware's own boot options refreshed: %s), keys byte "
                    "for byte; %sunsigned image refused" % (
                        len(before) - len(refreshed), ", ".join(refreshed) or "none",
                        "FwslotTest read back by the signed image; " if snakeoil else ""))
        return run

    return [("varstore torn mid-reclaim (QEMU killed): OVMF restores what fdsplit predicts", torn),
            ("varstore of a powered-off VM, Debian 12's .snakeoil template written by Debian 12's Secure Boot OVMF, "
             "on our 2025.02 CODE", powered_off("OVMF_VARS_4M.snakeoil.fd")),
            ("varstore of a powered-off VM, Debian 12's .ms template written by Debian 12's Secure Boot OVMF, "
             "on our 2025.02 CODE", powered_off("OVMF_VARS_4M.ms.fd")),
            ("varstore 2M -> 4M (fdsplit migrate), Debian's OVMF_CODE_4M.fd reads FwslotTest", to_4m(deb)),
            ("varstore 2M -> 4M (fdsplit migrate), our OVMF_CODE_4M.fd reads FwslotTest", to_4m(our)),
            ("varstore 2M .ms -> 4M (fdsplit migrate): Secure Boot still enforced", secure_boot)]


if __name__ == "__main__":
    sys.exit(main())
