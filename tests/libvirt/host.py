#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fwslot-host-check on a libvirt host: every domain and every state it carries, judged against a new set.

A libvirt session daemon (tests/qemu/virt.py Session) runs four TCG domains
on the machine's own firmware (Debian 12's seabios and ipxe-qemu; Debian 12's
OVMF from out/ref for the UEFI one): a q35 OVMF domain with an e1000 left
running, a pc domain with an e1000 managed-saved (virsh managedsave), and a
pc domain with a qcow2 disk and an e1000 whose internal snapshot holds its
VM state (virsh snapshot-create-as), and one whose external snapshot keeps
its memory in a file of its own (--memspec snapshot=external, the disk in an
overlay). pkg/fwslot-host-check judges them
against three trees: Debian 12's set (everything loads, exit 0), one whose
efi-e1000.rom is past 256 KiB (the running VM, the managed save and the
snapshots do not load: their e1000.rom block is 256 KiB; exit 1), and one
whose OVMF_CODE_4M.fd is a page longer (the running OVMF VM and its nvram
fail, the SeaBIOS states load; exit 1). Each verdict is romsize's or
fdsplit's, which tests/states and tests/migrate hold to QEMU's; this suite
holds the host walk: every domain found, every state read through libvirt.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import harness  # noqa: E402
import virt  # noqa: E402
from harness import Fail  # noqa: E402

DIRS = ("usr/share/seabios", "usr/lib/ipxe/qemu", "usr/share/OVMF", "usr/share/qemu")


def tree(scratch, name, ref, grow=None):
    """A copy of the firmware folders of ref (readable by the daemon's user); grow: {file: size}."""
    root = os.path.join(scratch, name)
    for d in DIRS:
        src = os.path.join(ref, d)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(root, d), symlinks=True)
    for f, size in (grow or {}).items():
        p = os.path.join(root, "usr/lib/ipxe/qemu" if f.endswith(".rom") else "usr/share/OVMF", f)
        real = os.path.realpath(p)
        with open(real, "rb") as i:
            data = i.read()
        os.unlink(p)
        with open(p, "wb") as o:
            o.write(data + bytes(size - len(data)))
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            if not os.path.islink(os.path.join(dirpath, f)):
                os.chmod(os.path.join(dirpath, f), 0o644)
    return root


def domain(name, machine, os_xml, devices):
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='%s'>hvm</type>%s</os><features><acpi/></features>"
            "<devices>%s<interface type='user'><model type='e1000'/></interface>"
            "<video><model type='none'/></video><memballoon model='none'/></devices></domain>") % (
                name, machine, os_xml, devices)


def deb(scratch, name, files):
    """A .deb shipping {path: bytes}, built with dpkg-deb."""
    root = os.path.join(scratch, "deb-" + name)
    os.makedirs(os.path.join(root, "DEBIAN"))
    with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
        f.write("Package: %s\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.org>\n"
                "Description: test\n test\n" % name)
    for path, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), "wb") as f:
            f.write(data)
    out = os.path.join(scratch, name + ".deb")
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", root, out], check=True, capture_output=True)
    os.chmod(out, 0o644)
    return out


def apt_hook_cases(t, s, scratch, tools, root, out):
    """pkg/fwslot-apt-hook as apt runs it (DPkg::Pre-Install-Pkgs, protocol version 2), on
    the domains above, with FWSLOT_ROOT the installed tree (Debian 12's set)."""
    e1000 = open(os.path.join(root, "usr/lib/ipxe/qemu/efi-e1000.rom"), "rb").read()
    breaking = deb(scratch, "fwslot-test-break", {"usr/lib/ipxe/qemu/efi-e1000.rom": e1000 + bytes(262144 + 512 - len(e1000))})
    harmless = deb(scratch, "fwslot-test-doc", {"usr/share/doc/fwslot-test-doc/README": b"no firmware\n"})
    same = deb(scratch, "fwslot-test-same", {"usr/lib/ipxe/qemu/efi-e1000.rom": e1000})
    shutil.copy("pkg/fwslot-apt-hook", tools)
    env = dict(s.env, PATH=tools + ":" + os.environ["PATH"], LIBVIRT_DEFAULT_URI="qemu:///session", FWSLOT_ROOT=root)

    def hook(debs, config="", extra_env=None):
        req = "VERSION 2\nAPT::Architecture=amd64\n%s\n" % config + "".join(
            "%s - < 1 %s\n" % (os.path.basename(d)[:-4], d) for d in debs)
        t0 = time.monotonic()
        r = subprocess.run(s.pre + [os.path.join(tools, "fwslot-apt-hook")], input=req, text=True,
                           capture_output=True, env=dict(env, **(extra_env or {})), timeout=300)
        return r.returncode, r.stderr, time.monotonic() - t0

    rc, err, secs = hook([harmless])
    t.check(rc == 0 and not err, "apt hook, a package without firmware: exit %d, silent, %.2f s" % (rc, secs))
    rc, err, _ = hook([harmless, same])
    t.check(rc == 0 and "every saved VM of this host loads" in err,
            "apt hook, Debian's own efi-e1000.rom again: exit %d (%s)" % (rc, err.strip().splitlines()[-1:]))
    rc, err, _ = hook([harmless, breaking])
    good = (rc == 1 and "vm-saved: managed-save" in err and "vm-snapshot: snapshot s1" in err and
            "vm-external: snapshot e1 (memory" in err and
            "warning: vm-running: the running VM" in err and "refusing the transaction: 3 saved state" in err)
    t.check(good, "apt hook, efi-e1000.rom past 256 KiB: refused, naming the managed save and both snapshots; the running VM warned (exit %d)" % rc)
    if not good:
        print(err)
    rc, err, _ = hook([breaking], "Fwslot::Allow-Breaking=true\n")
    t.check(rc == 0 and "going on: Fwslot::Allow-Breaking is set" in err, "apt hook, -o Fwslot::Allow-Breaking=true: exit %d" % rc)
    rc, err, _ = hook([breaking], extra_env={"FWSLOT_ALLOW_BREAKING": "1"})
    t.check(rc == 0 and "going on" in err, "apt hook, FWSLOT_ALLOW_BREAKING=1: exit %d" % rc)


def main():
    out = os.path.abspath(os.environ.get("O", "out"))
    t = harness.Tally("host-check")
    missing = [x for x in ("virsh", "libvirtd") if not shutil.which(x)]
    if missing:
        print("SKIP host-check: %s not installed" % ", ".join(missing))
        return t.close()
    ref = os.path.join(out, "ref", "root")
    bin_dir = os.path.join(out, "asan", "bin")
    scratch = tempfile.mkdtemp(prefix="fwslot-host.")
    os.chmod(scratch, 0o755)
    code_len = os.path.getsize(os.path.join(ref, "usr/share/OVMF/OVMF_CODE_4M.fd"))
    trees = {"debian12": tree(scratch, "debian12", ref),
             "broken-efi-e1000": tree(scratch, "broken-efi-e1000", ref, {"efi-e1000.rom": 262144 + 512}),
             "broken-ovmf-code": tree(scratch, "broken-ovmf-code", ref, {"OVMF_CODE_4M.fd": code_len + 4096})}
    # the tools the daemon's user runs: copies it can read
    tools = os.path.join(scratch, "bin")
    os.makedirs(tools)
    for b in ("romsize", "fdsplit"):
        shutil.copy(os.path.join(bin_dir, b), tools)
    shutil.copy("pkg/fwslot-host-check", tools)
    os.chmod(tools, 0o755)
    home = tempfile.mkdtemp(prefix="home.", dir=scratch)
    disk = os.path.join(home, "snap.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
    ext_disk = os.path.join(home, "ext.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", ext_disk, "16M"], check=True)
    s = virt.Session(home)
    ovmf = trees["debian12"] + "/usr/share/OVMF"
    doms = {
        "vm-running": domain("vm-running", "q35",
                             "<loader readonly='yes' type='pflash'>%s/OVMF_CODE_4M.fd</loader>"
                             "<nvram template='%s/OVMF_VARS_4M.fd'>%s/vm-running_VARS.fd</nvram>" % (ovmf, ovmf, home), ""),
        "vm-saved": domain("vm-saved", "pc", "", ""),
        "vm-snapshot": domain("vm-snapshot", "pc", "",
                              "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                              "<source file='%s'/><target dev='hda' bus='ide'/></disk>" % disk),
        "vm-external": domain("vm-external", "pc", "",
                              "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                              "<source file='%s'/><target dev='hda' bus='ide'/></disk>" % ext_disk),
    }
    try:
        for n, xml in doms.items():
            p = os.path.join(home, n + ".xml")
            with open(p, "w") as f:
                f.write(xml)
            os.chmod(p, 0o644)
            s.virsh("define", p)
            s.virsh("start", n)
        time.sleep(1)
        s.virsh("managedsave", "vm-saved", timeout=180)
        s.virsh("snapshot-create-as", "vm-snapshot", "s1", timeout=180)
        s.virsh("destroy", "vm-snapshot")
        # an external snapshot: its memory in a file of its own (libvirt's save image format), the disk in an overlay
        s.virsh("snapshot-create-as", "vm-external", "e1", "--memspec", "file=%s/e1.mem,snapshot=external" % home,
                "--diskspec", "hda,snapshot=external,file=%s/e1.qcow2" % home, timeout=180)
        s.virsh("destroy", "vm-external")
        t.check("yes" in s.virsh("dominfo", "vm-saved"), "vm-saved has a managed save image")

        def judge(name):
            cmd = s.pre + [os.path.join(tools, "fwslot-host-check"), "-c", "qemu:///session", "--json",
                           "--romsize", os.path.join(tools, "romsize"), "--fdsplit", os.path.join(tools, "fdsplit"),
                           trees[name]]
            r = subprocess.run(cmd, env=s.env, capture_output=True, text=True, timeout=300)
            try:
                return r.returncode, json.loads(r.stdout), r.stderr
            except ValueError:
                raise Fail("fwslot-host-check %s: exit %d, no JSON: %s" % (name, r.returncode, r.stderr.strip()))

        expect = {  # tree: {(domain, kind): loads?}
            "debian12": {("vm-running", "running"): True, ("vm-running", "nvram"): True,
                         ("vm-saved", "managed-save"): True, ("vm-snapshot", "snapshot"): True,
                         ("vm-external", "snapshot"): True},
            "broken-efi-e1000": {("vm-running", "running"): False, ("vm-running", "nvram"): True,
                                 ("vm-saved", "managed-save"): False, ("vm-snapshot", "snapshot"): False,
                                 ("vm-external", "snapshot"): False},
            "broken-ovmf-code": {("vm-running", "running"): False, ("vm-running", "nvram"): False,
                                 ("vm-saved", "managed-save"): True, ("vm-snapshot", "snapshot"): True,
                                 ("vm-external", "snapshot"): True},
        }
        for i, (name, want) in enumerate(expect.items()):
            if i == 1:
                # judged running against the first tree, paused against the others (an
                # active domain all the same): and OVMF, idle in its shell under TCG,
                # stops spinning a core for the rest of the suite
                s.virsh("suspend", "vm-running")
            rc, doc, err = judge(name)
            states = {(d["name"], st["kind"]): st for d in doc["domains"] for st in d["states"]}
            got = {k: st["ok"] for k, st in states.items()}
            whys = {k: st["why"] for k, st in states.items()}
            what = str(states.get(("vm-running", "running"), {}).get("what"))
            t.check(re.search(r"\(pc-q35-[0-9.]+%s\)$" % (", paused" if i else ""), what) is not None,
                    "%-17s vm-running judged %s: %s" % (name, "paused" if i else "running", what))
            for key, ok in sorted(want.items()):
                t.check(got.get(key) == ok, "%-17s %-11s %-13s %s%s" % (
                    name, key[0], key[1], "loads" if got.get(key) else "does not load" if key in got else "not judged",
                    "" if ok else ": " + str(whys.get(key))))
            t.check(rc == (0 if all(want.values()) else 1) and doc["summary"]["states"] == len(want),
                    "%s: exit %d, %d states judged (%s)" % (name, rc, doc["summary"]["states"], err.strip()[:200]))
        # what an admin reads: a line per VM and state, and the summary
        r = subprocess.run(s.pre + [os.path.join(tools, "fwslot-host-check"), "-c", "qemu:///session",
                                    "--romsize", os.path.join(tools, "romsize"), "--fdsplit", os.path.join(tools, "fdsplit"),
                                    trees["broken-efi-e1000"]], env=s.env, capture_output=True, text=True, timeout=300)
        print("\n".join("     | " + x for x in r.stdout.splitlines()))
        t.check(r.returncode == 1 and "vm-saved: managed save " in r.stdout and
                "4 domains, 5 states judged against %s: 1 load, 4 do not" % trees["broken-efi-e1000"] in r.stdout,
                "text: a line per VM and state, and the summary (exit %d)" % r.returncode)
        apt_hook_cases(t, s, scratch, tools, trees["debian12"], out)
    except Fail as f:
        t.check(False, "host-check: %s" % f.what)
        if f.log:
            print(f.log[-2000:] if isinstance(f.log, str) else f.log)
    finally:
        for n in doms:
            s.virsh("destroy", n, check=False)
            s.virsh("managedsave-remove", n, check=False)
            for snap in s.virsh("snapshot-list", n, "--name", check=False).split():
                s.virsh("snapshot-delete", n, snap, "--metadata", check=False)
            s.virsh("undefine", n, "--nvram", check=False)
        s.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return t.close()


if __name__ == "__main__":
    sys.exit(main())
