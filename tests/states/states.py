#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""romsize diff STATE NEW, held to what QEMU does with the same state.

States are made at test time by QEMU on Debian 12's set (out/ref/root), three
of them on ours too (pc, q35, OVMF): a
migration stream (`migrate "exec:cat > FILE"`, the guest stopped with -S) for
several machine types and devices: pc and q35 of today, pc-i440fx-2.3 (no
configuration section, no footers), pc-i440fx-1.4 (bios.bin, pxe-*.rom),
x-ignore-shared, OVMF 4M in pflash; a qcow2 `savevm` snapshot; libvirt save
images (raw, gzip and xz) written with libvirt's header (qemu_saveimage.h: 92
bytes, the domain XML naming the machine type and the loader) around such a
stream; and each of those VMs running, as its info ramblock table (HMP, what
virsh qemu-monitor-command returns), whose verdict on a target is its stream's;
and a live migration with postcopy-ram, switched to postcopy at once, from a
VM on Debian 12's set to one on each target, recorded through a proxy on its
way (the return path passes untouched). For each state and each target tree (Debian 12's, ours, and
generated breaks: efi-e1000.rom one block past 256 KiB, vgabios-stdvga.bin
past 64 KiB, efi-virtio.rom past 256 KiB with vgabios-bochs-display.bin
padded to 64 KiB, OVMF_CODE_4M.fd one page longer), romsize's verdict (exit 0:
loads) must equal QEMU's: the destination, started on the target's files,
loads the state (`-incoming`, `-loadvm`) and runs, or refuses it.
Prints a line per case and "# states: P passed, F failed".
"""
import bz2
import collections
import glob
import gzip
import lzma
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import harness  # noqa: E402
from harness import Fail, Vm  # noqa: E402

TREE_DIRS = ("usr/share/seabios", "usr/lib/ipxe/qemu", "usr/share/OVMF", "usr/share/qemu")


def flat(scratch, name, root, grow=None):
    """An -L folder of a tree's firmware files under their names; grow:
    {name: size} copies zero-padded to that size (a generated break)."""
    d = os.path.join(scratch, name)
    os.makedirs(d)
    for sub in TREE_DIRS:
        for f in sorted(glob.glob(os.path.join(root, sub, "*"))):
            n = os.path.basename(f)
            if os.path.isfile(f) and not os.path.exists(os.path.join(d, n)):
                os.symlink(os.path.realpath(f), os.path.join(d, n))
    for n, size in (grow or {}).items():
        src = os.path.realpath(os.path.join(d, n))
        os.unlink(os.path.join(d, n))
        with open(src, "rb") as i, open(os.path.join(d, n), "wb") as o:
            data = i.read()
            o.write(data + bytes(size - len(data)))
    return d


def libvirt_image(stream, out, fmt, machine, loader):
    """A libvirt save image around a stream: LibvirtQemudSave, version 2, the
    data length, was_running, the format, no cookie; the XML NUL-terminated
    and padded, as qemuSaveImageCreate writes it (host order: little-endian)."""
    xml = ("<domain type='qemu'><name>s</name><os><type arch='x86_64' machine='%s'>hvm</type>%s</os></domain>"
           % (machine, "<loader readonly='yes' type='pflash'>/usr/share/OVMF/%s</loader>" % loader if loader else ""))
    data = xml.encode() + b"\0" + bytes(4096)
    codes = {"raw": 0, "gzip": 1, "bzip2": 2, "xz": 3, "lzop": 4, "zstd": 5}
    with open(stream, "rb") as f:
        body = f.read()
    if fmt in ("lzop", "zstd"):  # the programs libvirt runs (qemu_saveimage.c: "lzop", "zstd" -c)
        body = subprocess.run([fmt, "-c"], input=body, capture_output=True, check=True).stdout
    else:
        body = {"raw": lambda b: b, "gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}[fmt](body)
    with open(out, "wb") as f:
        f.write(b"LibvirtQemudSave" + struct.pack("<5I", 2, len(data), 0, codes[fmt], 0) + bytes(56) + data + body)


def compress_vmstate(disk, zstd=False, upto=1 << 20):
    """Rewrites the first clusters (upto bytes) of the image's first snapshot's
    VM state as compressed clusters, in place, as QEMU would have written them
    (qcow2.txt "Compressed Clusters Descriptor", qcow2_alloc_compressed_cluster_offset):
    raw deflate with a 4 KiB window, or a zstd frame, at the cluster's own host
    offset (refcounts stay right), the L2 entry bit 62 and the sectors it spans.
    QEMU writes a VM state uncompressed; this is what a reader must still read.
    Returns how many clusters were compressed."""
    with open(disk, "r+b") as f:
        h = f.read(112)
        cluster_bits, = struct.unpack(">I", h[20:24])
        size, = struct.unpack(">Q", h[24:32])
        snap_off, = struct.unpack(">Q", h[64:72])
        cs = 1 << cluster_bits
        f.seek(snap_off)
        l1_off, l1_size = struct.unpack(">QI", f.read(12))
        span = cs * (cs // 8)
        base = (size + span - 1) // span * span
        shift = 62 - (cluster_bits - 8)
        done = 0
        for v in range(base, base + upto, cs):
            l1i, l2i = v // span, (v % span) // cs
            if l1i >= l1_size:
                break
            f.seek(l1_off + 8 * l1i)
            l2_table = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
            if not l2_table:
                continue
            f.seek(l2_table + 8 * l2i)
            e, = struct.unpack(">Q", f.read(8))
            host = e & 0x00fffffffffffe00
            if not host or e & (1 << 62) or e & 1:
                continue
            f.seek(host)
            data = f.read(cs)
            if zstd:
                packed = subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
            else:
                c = zlib.compressobj(6, zlib.DEFLATED, -12)
                packed = c.compress(data) + c.flush()
            if len(packed) >= cs - 512:
                continue
            f.seek(host)
            f.write(packed)
            sectors = ((host + len(packed) - 1) >> 9) - (host >> 9)
            f.seek(l2_table + 8 * l2i)
            f.write(struct.pack(">Q", (1 << 62) | (sectors << shift) | host))
            done += 1
        return done


# name, the VM, the file romsize reads, the stream QEMU loads (None: -loadvm), capabilities, snapshot
State = collections.namedtuple("State", "name case path stream caps loadvm")


class Case:
    def __init__(self, name, machine, args, make=None):
        self.name, self.machine, self.args, self.make = name, machine, args, make


def vm_args(machine, args, ldir, ctx_dir):
    """The VM's command line on one set: -L the set, OVMF's CODE from it, the VM's own VARS copy."""
    out = ["-M", machine, "-m", "128", "-nodefaults", "-L", ldir]
    for a in args:
        out.append(a.replace("@L", ldir).replace("@D", ctx_dir))
    return out


def save_stream(ctx, case, ldir, path, caps=()):
    """The VM's stream into path; its info ramblock table (what libvirt's
    qemu-monitor-command returns for a running VM) into path.ramblock, and its
    resolved machine type (what the domain XML names) into path.machine."""
    with Vm(ctx, vm_args(case.machine, case.args, ldir, ctx.scratch) + ["-S"], "save", timeout=60) as vm:
        with open(path + ".ramblock", "w") as f:
            f.write(vm.qmp.hmp("info ramblock"))
        with open(path + ".machine", "w") as f:
            f.write(vm.qmp.cmd("qom-get", path="/machine", property="type")[:-len("-machine")])
        if caps:
            vm.qmp.cmd("migrate-set-capabilities", capabilities=[{"capability": c, "state": True} for c in caps])
        vm.qmp.cmd("migrate", uri="exec:cat > " + path)
        while vm.qmp.cmd("query-migrate").get("status") not in ("completed", "failed"):
            if time.monotonic() > vm.deadline:
                raise Fail("the source did not finish its migration", vm.logs())
            time.sleep(0.05)
        vm.qmp.cmd("quit")


REFUSAL = re.compile(r"(Size|Length) mismatch|Unknown ramblock")


def refused(log):
    """QEMU's refusal of a state, in its own words (ram_load_precopy, qemu_ram_resize);
    a QEMU that ended for any other reason is trouble in the test, never a verdict."""
    if not REFUSAL.search(log or ""):
        raise Fail("QEMU ended without refusing the state in its own words", log)
    return False


def qemu_loads(ctx, case, ldir, state, caps=(), loadvm=None):
    """QEMU's own verdict: True when the destination on ldir loads the state and runs,
    False when it refuses it (Size mismatch and the like)."""
    extra = ["-loadvm", loadvm] if loadvm else ["-incoming", "defer"]
    try:
        vm = Vm(ctx, vm_args(case.machine, case.args, ldir, ctx.scratch) + extra, "load", timeout=60)
    except Fail as f:  # -loadvm refused: QEMU ends (exit 1) before its QMP answers
        if f.exit is not None and f.exit > 0:
            return refused(f.log)
        raise
    with vm:
        try:
            if not loadvm:
                if caps:
                    vm.qmp.cmd("migrate-set-capabilities",
                               capabilities=[{"capability": c, "state": True} for c in caps])
                vm.qmp.cmd("migrate-incoming", uri="exec:cat " + state)
                while vm.status() == "inmigrate":
                    if time.monotonic() > vm.deadline:
                        raise Fail("still inmigrate at the deadline", vm.logs())
                    time.sleep(0.05)
            st = vm.status()
        except Fail:
            try:  # a refused load ends QEMU; its QMP socket may close first
                vm.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                raise
            return refused(vm.logs())
        if st in ("paused", "running", "postmigrate", "prelaunch"):
            return True
        raise Fail("the destination is %s: neither loaded nor refused" % st, vm.logs())


def live_postcopy(ctx, case, src_ldir, dst_ldir, rec):
    """A live migration with postcopy-ram from a VM on src_ldir to one on
    dst_ldir, switched to postcopy at once, through a proxy that records what
    the source sends into rec (the return path goes back untouched). QEMU's
    verdict: True when the destination loads it and runs."""
    caps = [{"capability": "postcopy-ram", "state": True}]
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(60)
    with Vm(ctx, vm_args(case.machine, case.args, dst_ldir, ctx.scratch) + ["-incoming", "defer"], "pc-dst",
            timeout=60) as dst, open(rec, "wb") as out:
        dst.qmp.cmd("migrate-set-capabilities", capabilities=caps)
        dst.qmp.cmd("migrate-incoming", uri="tcp:127.0.0.1:0")
        port = int(dst.qmp.cmd("query-migrate")["socket-address"][0]["port"])

        def pump(a, b, copy):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    if copy:
                        out.write(d)
                    b.sendall(d)
            except OSError:
                pass
            for sk in (a, b):
                try:
                    sk.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def proxy():
            try:
                c, _ = lsock.accept()
                d = socket.create_connection(("127.0.0.1", port), timeout=60)
            except OSError:
                return
            c.settimeout(None)
            d.settimeout(None)
            back = threading.Thread(target=pump, args=(d, c, False))
            back.start()
            pump(c, d, True)
            back.join()
            c.close()
            d.close()

        pt = threading.Thread(target=proxy)
        pt.start()
        try:
            with Vm(ctx, vm_args(case.machine, case.args, src_ldir, ctx.scratch) + ["-S"], "pc-src",
                    timeout=60) as src:
                src.qmp.cmd("migrate-set-capabilities", capabilities=caps)
                src.qmp.cmd("migrate", uri="tcp:127.0.0.1:%d" % lsock.getsockname()[1])
                try:
                    src.qmp.cmd("migrate-start-postcopy")
                except Fail:
                    pass  # the destination refused the state before the switch: the source has failed
                # a destination that refuses the state after the source switched to postcopy
                # leaves the source in postcopy-paused (waiting for a recovery), not failed
                while True:
                    status = src.qmp.cmd("query-migrate").get("status")
                    # or the destination ended: a source left postcopy-active with no one to send to
                    if status in ("completed", "failed", "postcopy-paused") or dst.proc.poll() is not None:
                        break
                    if time.monotonic() > src.deadline:
                        raise Fail("the postcopy source did not finish (%s; the destination %s)" % (
                            status, "ended" if dst.proc.poll() is not None else "runs"), src.logs())
                    time.sleep(0.05)
                # the destination ends by itself when it refuses; when it takes the state its own
                # query-migrate says completed
                while dst.proc.poll() is None:
                    try:
                        done = dst.qmp.cmd("query-migrate").get("status")
                    except Fail:
                        break
                    if done in ("completed", "failed") or time.monotonic() > dst.deadline:
                        break
                    time.sleep(0.05)
        finally:
            lsock.close()
            pt.join(30)
        # QEMU's verdict is its own words: a destination that ended refused the state (Size
        # mismatch, Length mismatch, Unknown ramblock), one that runs took it; anything else
        # is trouble in the test, not a verdict
        if dst.proc.poll() is None:
            try:
                done, st = dst.qmp.cmd("query-migrate").get("status"), dst.status()
            except Fail:
                done = st = None
            # the source ran -S: a precopy that completed before the switch gives the destination
            # the source's run state (prelaunch), a postcopy one runs it
            if done == "completed" and st in ("paused", "running", "prelaunch"):
                return True
            raise Fail("the destination neither took nor refused the state (migration %s, run state %s)"
                       % (done, st), dst.logs())
        refusal = re.search(r"(Size|Length) mismatch|Unknown ramblock", harness.read(dst.stderr))
        if not refusal:
            raise Fail("the destination ended without refusing the state (exit %s)" % dst.proc.returncode, dst.logs())
        return False


def romsize_loads(romsize, state, tree, code=None, machine=None):
    """romsize's verdict; code: the CODE the VM's pflash names, machine: its
    machine type (what a bare stream does not say)."""
    r = subprocess.run([romsize, "diff"] + (["--code", code] if code else []) +
                       (["--machine", machine] if machine else []) + [state, tree],
                       capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 1):
        raise Fail("romsize diff %s %s: exit %d: %s" % (state, tree, r.returncode, r.stderr.strip()))
    return r.returncode == 0, (r.stdout + r.stderr).strip().splitlines()


def main():
    out, scratch, _, ctx = harness.setup("states")
    romsize = os.path.abspath(os.environ.get("ROMSIZE", os.path.join(out, "asan", "bin", "romsize")))
    t = harness.Tally("states")
    deb = os.path.join(out, "ref", "root")
    trees = {"debian12": deb}
    if os.path.exists(os.path.join(out, "firmware", "SHA256SUMS")):
        trees["ours"] = os.path.join(out, "firmware")
    else:
        print("SKIP states on ours: out/firmware not built (run make)")
    breaks = {"broken-efi-e1000": {"efi-e1000.rom": 262144 + 512},
              "broken-stdvga": {"vgabios-stdvga.bin": 65536 + 512},
              # the pair: efi-virtio.rom past 256 KiB (the q35 case's virtio-net-pci),
              # vgabios-bochs-display.bin padded to 64 KiB (the 2.3 case's bochs-display)
              "broken-virtio-bochs": {"efi-virtio.rom": 262144 + 512, "vgabios-bochs-display.bin": 65536},
              "broken-ovmf-code": {"OVMF_CODE_4M.fd": os.path.getsize(deb + "/usr/share/OVMF/OVMF_CODE_4M.fd") + 4096}}
    ldirs = {n: flat(scratch, "L-" + n, r) for n, r in trees.items()}
    for n, grow in breaks.items():
        ldirs[n] = flat(scratch, "L-" + n, deb, grow)
        trees[n] = ldirs[n]  # romsize reads an -L folder as a tree too
    vars_copy = os.path.join(scratch, "vars.fd")
    ovmf = ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=@L/OVMF_CODE_4M.fd",
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    cases = [
        Case("pc 7.2, e1000 and VGA", "pc", ["-device", "VGA", "-device", "e1000"]),
        Case("q35 7.2, virtio-net-pci and e1000e", "q35", ["-device", "virtio-net-pci", "-device", "e1000e"]),
        Case("pc-i440fx-2.3 (no configuration), rtl8139, bochs-display", "pc-i440fx-2.3",
             ["-device", "rtl8139", "-device", "bochs-display"]),
        Case("pc-i440fx-1.4 (bios.bin, pxe-e1000.rom), e1000", "pc-i440fx-1.4", ["-device", "e1000"]),
        Case("pc 7.2 x-ignore-shared, e1000", "pc", ["-device", "e1000"]),
        Case("q35 OVMF 4M in pflash, e1000", "q35", ovmf + ["-device", "e1000"]),
    ]
    states = []
    for i, c in enumerate(cases):
        caps = ("x-ignore-shared",) if "x-ignore-shared" in c.name else ()
        path = os.path.join(scratch, "state-%d" % i)
        shutil.copyfile(deb + "/usr/share/OVMF/OVMF_VARS_4M.fd", vars_copy)
        save_stream(ctx, c, ldirs["debian12"], path, caps)
        states.append(State(c.name, c, path, path, caps, None))
    # the same VMs running: their info ramblock tables, judged with the machine type the
    # domain XML would name; QEMU's verdict is that VM's stream loaded on the target
    for st in list(states):
        with open(st.path + ".machine") as f:
            resolved = f.read().strip()
        states.append(State("running VM (info ramblock, --machine %s) of: %s" % (resolved, st.name), st.case,
                            st.path + ".ramblock", st.stream, st.caps, None))
    # states made on ours too (the VMs started after the upgrade): judged on every set, Debian 12's included
    if "ours" in trees:
        for i in (0, 1, 5):
            c = cases[i]
            path = os.path.join(scratch, "state-ours-%d" % i)
            shutil.copyfile(deb + "/usr/share/OVMF/OVMF_VARS_4M.fd", vars_copy)
            save_stream(ctx, c, ldirs["ours"], path)
            states.append(State("made on ours: " + c.name, c, path, path, (), None))
    # libvirt save images around the plain pc stream and the OVMF one: QEMU loads that stream
    pc, ovmf_state = states[0], states[5]
    for fmt in ("raw", "gzip", "bzip2", "xz", "lzop", "zstd"):
        img = os.path.join(scratch, "libvirt-%s.save" % fmt)
        libvirt_image(pc.stream, img, fmt, "pc-i440fx-7.2", None)
        states.append(State("libvirt save image (%s) of: %s" % (fmt, pc.name), pc.case, img, pc.stream, (), None))
    img = os.path.join(scratch, "libvirt-ovmf.save")
    libvirt_image(ovmf_state.stream, img, "raw", "pc-q35-7.2", "OVMF_CODE_4M.fd")
    states.append(State("libvirt save image (raw) of: " + ovmf_state.name, ovmf_state.case, img, ovmf_state.stream,
                        (), None))
    # a qcow2 savevm snapshot: the VM's disk holds the state
    disk = os.path.join(scratch, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
    snap = Case("pc 7.2 savevm into qcow2, e1000", "pc", ["-device", "e1000", "-drive", "file=%s,format=qcow2,if=ide" % disk])
    with Vm(ctx, vm_args(snap.machine, snap.args, ldirs["debian12"], scratch) + ["-S"], "savevm", timeout=60) as vm:
        said = vm.qmp.hmp("savevm fwslot")
        if said.strip():
            raise SystemExit("states: savevm said: " + said.strip())
        vm.qmp.cmd("quit")
    states.append(State(snap.name, snap, disk, None, (), "fwslot"))
    # the same snapshot with its VM state's clusters compressed, zlib and zstd (an
    # image whose header says zstd): QEMU reads them, qemu-img check finds them sound
    for kind in ("zlib", "zstd"):
        cdisk = os.path.join(scratch, "disk-%s.qcow2" % kind)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2"] + (["-o", "compression_type=zstd"] if kind == "zstd" else []) +
                       [cdisk, "16M"], check=True)
        csnap = Case("pc 7.2 savevm into qcow2, VM state in %s-compressed clusters, e1000" % kind, "pc",
                     ["-device", "e1000", "-drive", "file=%s,format=qcow2,if=ide" % cdisk])
        with Vm(ctx, vm_args(csnap.machine, csnap.args, ldirs["debian12"], scratch) + ["-S"], "savevm", timeout=60) as vm:
            said = vm.qmp.hmp("savevm fwslot")
            vm.qmp.cmd("quit")
        n = compress_vmstate(cdisk, zstd=kind == "zstd")
        chk = subprocess.run(["qemu-img", "check", cdisk], capture_output=True, text=True)
        t.check(n > 0 and chk.returncode == 0 and not said.strip(),
                "%s: %d clusters compressed, qemu-img check: %s" % (csnap.name, n, chk.stdout.strip().splitlines()[0]
                                                                     if chk.stdout.strip() else chk.stderr.strip()))
        states.append(State(csnap.name, csnap, cdisk, None, (), "fwslot"))
    # postcopy: live, from a VM on Debian 12's set to one on each target, the
    # stream recorded on its way; romsize judges what was recorded
    live = Case("pc 7.2 live postcopy-ram (recorded through a proxy), e1000", "pc", ["-device", "e1000"])
    for tree_name, tree in trees.items():
        if tree_name == "broken-ovmf-code":
            continue
        rec = os.path.join(scratch, "postcopy-%s" % tree_name)
        try:
            q = live_postcopy(ctx, live, ldirs["debian12"], ldirs[tree_name], rec)
        except Fail as f:
            t.check(False, "%s on %s: %s" % (live.name, tree_name, f.what))
            print("\n".join("     | " + x for x in (f.log or "").splitlines()[-12:]))
            continue
        r, lines = romsize_loads(romsize, rec, tree)
        with open(rec, "rb") as f:  # QEMU_VM_COMMAND MIG_CMD_POSTCOPY_ADVISE, 16 bytes: a postcopy stream
            advised = b"\x08\x00\x03\x00\x10" in f.read(65536)
        t.check(q == r and advised, "%-60s on %-16s QEMU %s, romsize %s%s" % (
            live.name, tree_name, "loads" if q else "refuses", "loads" if r else "refuses",
            "" if advised else " (no POSTCOPY_ADVISE in the recording)"))
        if q != r:
            print("\n".join("     | " + x for x in lines[:12]))

    asked = {}  # QEMU's verdict on one stream and set, asked once: a table or a save image carries that stream
    for name, case, path, stream, caps, loadvm in states:
        for tree_name, tree in trees.items():
            if "OVMF" not in name and tree_name == "broken-ovmf-code":
                continue
            shutil.copyfile(deb + "/usr/share/OVMF/OVMF_VARS_4M.fd", vars_copy)
            try:
                if loadvm:
                    work = os.path.join(scratch, "disk-%s.qcow2" % tree_name)
                    shutil.copyfile(path, work)
                    case_t = Case(case.name, case.machine, [a.replace(path, work) for a in case.args])
                    q = qemu_loads(ctx, case_t, ldirs[tree_name], None, loadvm=loadvm)
                elif (stream, tree_name) in asked:
                    q = asked[stream, tree_name]
                else:
                    q = asked[stream, tree_name] = qemu_loads(ctx, case, ldirs[tree_name], stream, caps)
            except Fail as f:
                t.check(False, "%-60s on %-16s QEMU: %s" % (name, tree_name, f.what))
                print("\n".join("     | " + x for x in (f.log or "").splitlines()[-12:]))
                continue
            # a stream or snapshot does not name the VM's CODE file, its command line does
            code = "OVMF_CODE_4M.fd" if "OVMF" in name and "libvirt" not in name else None
            machine = case.machine if case.machine.startswith("pc-i440fx-1") or case.machine.endswith("-2.3") else None
            if path.endswith(".ramblock"):  # a table never names it: the domain's, as resolved
                machine = name.split("--machine ", 1)[1].split(")", 1)[0]
            r, lines = romsize_loads(romsize, path, tree, code, machine)
            t.check(q == r, "%-60s on %-16s QEMU %s, romsize %s" % (name, tree_name, "loads" if q else "refuses",
                                                                  "loads" if r else "refuses"))
            if q != r:
                print("\n".join("     | " + x for x in lines[:12]))
    # the malformed-input sweep over these real states (tests/sweep/states.c): every cut inside
    # what the readers need, every byte of a block list flipped, each header field corrupted
    swept = [st.path for st in states if not st.path.endswith(".ramblock") and not st.path.endswith("lzop.save")]
    swept += [os.path.join(scratch, "postcopy-debian12")]
    sweep = os.path.join(out, "asan", "tests", "sweep")
    r = subprocess.run([sweep, "--state"] + sorted(set(swept)), capture_output=True, text=True, timeout=300)
    tally = [x for x in r.stdout.splitlines() if x.startswith("# sweep")]
    t.check(r.returncode == 0 and tally and " 0 failed" in tally[-1],
            "malformed-input sweep over %d real states: %s (exit %d)" % (len(set(swept)), tally[-1][2:] if tally else
                                                                       "no tally", r.returncode))
    if r.returncode:
        print("\n".join("     | " + x for x in (r.stdout + r.stderr).splitlines()[-20:]))
    # what a bare stream does not say is asked for, never guessed
    for name, case, path, stream, caps, loadvm in states:
        if path.endswith(".ramblock") and case.machine == "pc-i440fx-1.4":
            r = subprocess.run([romsize, "diff", path, deb], capture_output=True, text=True)
            t.check(r.returncode == 1 and "a RAM block table names no machine type" in r.stderr,
                    "%s: without --machine, romsize says it cannot tell (exit %d)" % (name, r.returncode))
            continue
        if case.machine == "pc-i440fx-1.4" and not path.endswith(".save"):
            r = subprocess.run([romsize, "diff", path, deb], capture_output=True, text=True)
            t.check(r.returncode == 1 and "pass --machine TYPE" in r.stderr,
                    "%s: without --machine, romsize says it cannot tell (exit %d)" % (name, r.returncode))
        if "OVMF" in name and not path.endswith(".save"):
            r = subprocess.run([romsize, "diff", path, deb], capture_output=True, text=True)
            t.check(r.returncode == 1 and "(--code NAME)" in r.stderr,
                    "%s: without --code, romsize says it cannot tell (exit %d)" % (name, r.returncode))
    return t.close()


if __name__ == "__main__":
    sys.exit(main())
