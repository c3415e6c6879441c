#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The QEMU/QMP/libvirt layer the suites stand on, tested without QEMU:
`info ramblock` parsing, what libvirt chose from a live XML, comparing two
sets' verdicts, the tally, the virsh wrapper (against a stand-in virsh).
Prints a line per check and "# layer: P passed, F failed".
"""
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import qemuview  # noqa: E402
import virt  # noqa: E402

T = harness.Tally("layer")

# QEMU 7.2's `info ramblock` (HMP) for `-M pc -device e1000 -nodefaults`, as printed
RAMBLOCK = """              Block Name    PSize              Offset               Used              Total
                  pc.ram    4 KiB  0x0000000000000000 0x0000000008000000 0x0000000008000000
    /rom@etc/acpi/tables    4 KiB  0x00000000080c0000 0x0000000000020000 0x0000000000200000
                 pc.bios    4 KiB  0x0000000008000000 0x0000000000040000 0x0000000000040000
  0000:00:02.0/e1000.rom    4 KiB  0x0000000008080000 0x0000000000040000 0x0000000000040000
                  pc.rom    4 KiB  0x0000000008040000 0x0000000000020000 0x0000000000020000
   /rom@etc/table-loader    4 KiB  0x00000000082c0000 0x0000000000001000 0x0000000000010000
      /rom@etc/acpi/rsdp    4 KiB  0x0000000008300000 0x0000000000001000 0x0000000000001000
"""
blocks = qemuview.parse_ramblocks(RAMBLOCK)
T.check(blocks.get("pc.bios") == (0x40000, 0x40000), "ramblock: pc.bios used/total 0x40000 (%s)" % (blocks.get("pc.bios"),))
T.check(blocks.get("0000:00:02.0/e1000.rom") == (0x40000, 0x40000), "ramblock: a PCI ROM block by its full name")
T.check(blocks.get("/rom@etc/acpi/tables") == (0x20000, 0x200000), "ramblock: used and total differ for a resizable block")
T.check("Block" not in blocks and len(blocks) == 7, "ramblock: the header is no block; 7 blocks (%d)" % len(blocks))
T.check(qemuview.parse_ramblocks("Error: no such command\n") == {}, "ramblock: an error answer gives no block")

# a live domain XML as libvirt 9.0 writes it
LIVE = """<domain type='qemu' id='3'>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>/var/lib/libvirt/qemu/nvram/vm_VARS.fd</nvram>
  </os>"""
T.check(virt.chosen(LIVE) == ("OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd"), "chosen: loader and template basenames (%s)"
        % (virt.chosen(LIVE),))
T.check(virt.chosen(LIVE.replace("'", '"')) == ("OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd"), "chosen: double quotes too")
T.check(virt.chosen("<domain><os><type>hvm</type></os></domain>") == (None, None), "chosen: a BIOS domain names neither")
T.check("firmware='efi'" in virt.domain_xml("d", "q35", "", "efi", "", "/s"), "domain_xml: the firmware attribute")
T.check("OVMF_CODE_4M.ms.fd</loader>" in virt.domain_xml("d", "q35", "LOADER", None, "/r", "/s"),
        "domain_xml: an explicit loader under the set's root")
T.check("isa-debugcon" in virt.domain_xml("d", "pc", "", None, "", "/s", debugcon="/d") and
        "firmware=" not in virt.domain_xml("d", "pc", "", None, "", "/s"), "domain_xml: libvirt's default BIOS, debugcon")

# two sets compared need a verdict from each
T.check(harness.agree("refused", "refused") == (True, "refused"), "agree: the same verdict")
T.check(not harness.agree("refused", "ran")[0], "agree: different verdicts")
T.check(harness.agree(None, None) == (False, "no verdict from either"), "agree: nothing from both is no agreement")
T.check(not harness.agree(None, "ran")[0] and not harness.agree("ran", None)[0], "agree: nothing from one side")

# the tally: a line per check, the closing line, an exit status
t = harness.Tally("inner")
buf = io.StringIO()
with redirect_stdout(buf):
    t.check(True, "one")
    t.check(0, "two")
    rc = t.close()
T.check(buf.getvalue() == "ok   one\nFAIL two\n# inner: 1 passed, 1 failed\n" and rc == 1,
        "tally: lines, closing line, exit 1 on a failure (%d lines)" % len(buf.getvalue().splitlines()))
buf = io.StringIO()
with redirect_stdout(buf):
    rc = harness.Tally("empty").close()
T.check(rc == 0 and buf.getvalue() == "# empty: 0 passed, 0 failed\n", "tally: nothing run closes 0/0")

# virsh: its message on failure, its output on success (a stand-in on PATH)
d = tempfile.mkdtemp(prefix="layer.")
fake = os.path.join(d, "virsh")
with open(fake, "w") as f:
    f.write('#!/bin/sh\n[ "$4" = start ] && { echo "error: Unable to find any firmware to satisfy \'bios\'" >&2; exit 1; }\n'
            'echo "args: $*"\n')
os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
os.environ["PATH"] = d + os.pathsep + os.environ["PATH"]
v = virt.Virsh("qemu:///system")
T.check(v("list", "--name").stdout == "args: -q -c qemu:///system list --name\n", "virsh: -q -c URI, then the arguments")
try:
    v("start", "vm1")
    T.check(False, "virsh: a failing command raises Fail")
except harness.Fail as e:
    T.check("virsh start vm1: error: Unable to find any firmware" in e.what, "virsh: Fail names the command and "
            "virsh's message (%s)" % e.what)
T.check(v("start", "vm1", check=False).returncode == 1, "virsh: check=False returns the status")
os.unlink(fake)
# a session's daemon, told apart from another session's of the same user by its
# XDG_RUNTIME_DIR (two stand-ins named libvirtd): stop ends its own only
shutil.copy("/bin/sleep", os.path.join(d, "libvirtd"))
procs = {r: subprocess.Popen([os.path.join(d, "libvirtd"), "60"], env=dict(os.environ, XDG_RUNTIME_DIR=d + r))
         for r in ("/run-a", "/run-b")}
# (Popen returns before the kernel has set up the new program's arguments: wait for them)
for p in procs.values():
    for _ in range(500):
        with open("/proc/%d/cmdline" % p.pid, "rb") as f:
            if f.read().startswith(os.path.join(d, "libvirtd").encode()):
                break
        time.sleep(0.01)
found = {r: virt.daemons(d + r) for r in ("/run-a", "/run-b", "/run-c")}
T.check(found == {"/run-a": [procs["/run-a"].pid], "/run-b": [procs["/run-b"].pid], "/run-c": []},
        "daemons: the libvirtd of one XDG_RUNTIME_DIR, not another's (%s; started %s)"
        % (found, {r: p.pid for r, p in procs.items()}))
sess = virt.Session.__new__(virt.Session)
sess.env = {"XDG_RUNTIME_DIR": d + "/run-a"}
sess.stop()
T.check(procs["/run-a"].wait(timeout=10) == -signal.SIGTERM and procs["/run-b"].poll() is None,
        "Session.stop: its own daemon ends (SIGTERM), the other session's runs on")
procs["/run-b"].kill()
procs["/run-b"].wait()
shutil.rmtree(d)
# a daemon in a session of its own (an autogroup: the kernel schedules it as an
# equal of this whole run) gets the priority of the process that asks: nice 5 here
if os.path.exists("/proc/self/autogroup"):
    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    r = subprocess.run([sys.executable, "-c", "import os, sys; sys.path.insert(0, %r); import virt; os.nice(5); "
                        "sys.exit(0 if virt.share_priority(%d) else 1)" % (os.path.dirname(os.path.abspath(__file__)),
                                                                          sleeper.pid)])
    with open("/proc/%d/autogroup" % sleeper.pid) as f:
        group = f.read().strip()
    want = min(os.nice(0) + 5, 19)
    T.check(r.returncode == 0 and group.endswith(" nice %d" % want),
            "share_priority: the daemon's autogroup takes the asker's nice (%s, want nice %d)" % (group, want))
    sleeper.kill()
    sleeper.wait()
# Once: cases sharing one run (one OVMF boot with every NIC)
import threading  # noqa: E402
calls = []


def slow(ctx):
    calls.append(ctx)
    time.sleep(0.05)
    return "booted"


once = harness.Once(slow)
got = []
threads = [threading.Thread(target=lambda c=c: got.append(once.get(c))) for c in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join()
T.check(len(calls) == 1 and got == ["booted"] * 4, "Once: four cases at once, one run, each gets its result (%d runs)"
        % len(calls))


def broken(ctx):
    calls.append(ctx)
    raise harness.Fail("no boot")


calls.clear()
once = harness.Once(broken)
said = []
for c in range(2):
    try:
        once.get(c)
    except harness.Fail as e:
        said.append(e.what)
T.check(said == ["no boot", "no boot"] and len(calls) == 1, "Once: a failed run fails every case that shares it, run once")

# Answers: QEMU's answers kept across runs, under the identity of the QEMU
# that gave them (its binary, the files of its data folders)
tmp = tempfile.mkdtemp(prefix="layer-answers.")
data, keep = os.path.join(tmp, "data"), os.path.join(tmp, "keep")
os.makedirs(data)
with open(os.path.join(data, "bios.bin"), "wb") as f:
    f.write(b"\0" * 128)
fake = os.path.join(tmp, "qemu-fake")


def fake_qemu(version):
    with open(fake, "w") as f:
        f.write("#!/bin/sh\n# %s\n[ \"$1 $2\" = \"-L help\" ] && echo %s\n" % (version, data))
    os.chmod(fake, 0o755)


fake_qemu("7.2")
real_qemu, qemuview.QEMU = qemuview.QEMU, fake
asks = []


def ask_blocks():
    asks.append(1)
    return {"pc.bios": [0x40000, 0x40000]}


def ask_refused():
    asks.append(1)
    raise qemuview.QemuError("Size mismatch")


a = qemuview.Answers(keep)
first = a.get(["ramblocks", "pc"], ask_blocks)
first["pc.bios"][0] = 0  # what a caller does with its answer
T.check(a.get(["ramblocks", "pc"], ask_blocks) == {"pc.bios": [0x40000, 0x40000]} and len(asks) == 1,
        "Answers: asked once in a run; a caller changing its copy changes no other's")
try:
    a.get(["refused"], ask_refused)
except qemuview.QemuError:
    pass
a.save()
b = qemuview.Answers(keep)
said = None
try:
    b.get(["refused"], ask_refused)
except qemuview.QemuError as e:
    said = str(e)
T.check(b.get(["ramblocks", "pc"], ask_blocks) == {"pc.bios": [0x40000, 0x40000]} and said == "Size mismatch"
        and len(asks) == 2, "Answers: the next run of the same QEMU reads both answers, a refusal too (%d asks)" % len(asks))
with open(os.path.join(data, "efi-e1000.rom"), "wb") as f:
    f.write(b"\0" * 64)
c = qemuview.Answers(keep)
c.get(["ramblocks", "pc"], ask_blocks)
T.check(len(asks) == 3 and c.path != b.path, "Answers: a file added to QEMU's data folder is another QEMU: asked again")
fake_qemu("8.0")
d = qemuview.Answers(keep)
d.get(["ramblocks", "pc"], ask_blocks)
T.check(len(asks) == 4 and d.path not in (b.path, c.path), "Answers: another QEMU binary: asked again")
e = qemuview.Answers(None)
e.get(["ramblocks", "pc"], ask_blocks)
e.get(["ramblocks", "pc"], ask_blocks)
e.save()
T.check(len(asks) == 5 and e.path is None, "Answers: no folder: asked once in the run, nothing kept")
qemuview.QEMU = real_qemu
subprocess.run(["rm", "-rf", tmp])

sys.exit(T.close())
