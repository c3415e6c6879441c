#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Our .debs over Debian 12's firmware packages on a real system, under a
system libvirtd, and README's way back: what an admin does, in order.

It runs in a throwaway copy of this machine: a mount namespace where / is an
overlay whose upper layer is a tmpfs, chrooted into. apt, dpkg, libvirtd and
QEMU change that copy only; the host's files and packages stay as they were
(libvirtd also gets a network namespace of its own). apt reaches Debian's
archive through the host's network and apt sources.

Inside the copy, as root:
1. `apt-get install seabios ipxe-qemu ovmf`: Debian 12's packages.
2. A system libvirtd (qemu:///system; the copy has no systemd, dbus or
   virtlogd, so qemu.conf runs QEMU as root, without cgroups, logging to
   files). For each firmware request a guest can make (libvirt's default BIOS,
   firmware='bios', efi on q35 and pc, Secure Boot with and without enrolled
   keys, no Secure Boot, an explicit OVMF_CODE_4M.ms.fd loader) a VM is
   defined and started under TCG: which loader and nvram template libvirt
   chose (from the live XML), whether Secure Boot refused an unsigned UEFI
   image, which SeaBIOS printed its version on the debug port.
3. `apt-get install ./fwslot-tools_*.deb`, then with `./fwslot-firmware_*.deb`
   (the tools first: their apt hook judges the firmware transaction): apt takes
   Debian's three away and keeps qemu-system-x86 (our Provides satisfy its
   Depends). libvirtd keeps running, as it does through a package upgrade.
   Before it, two VMs keep a state made on Debian's firmware: a managed save
   (virsh managedsave) and an internal snapshot in a qcow2 disk
   (snapshot-create-as); fwslot-tools' apt hook judges them during this very
   transaction (they load on ours: it goes through), then the managed save
   restores (virsh start) and the snapshot reverts (snapshot-revert) on ours.
   A package built here whose efi-e1000.rom is past 256 KiB is then refused
   by the hook before dpkg runs, naming both VMs and their states.
4. The VMs from 2 (their nvram copied from Debian's templates) start again,
   and a new VM per request starts: every request that started with Debian's
   packages starts, picks the files of the same names, refuses the unsigned
   image where Debian's refused it, and the BIOS is ours.
5. README.md's way back, taken from README.md and run as written (with -y):
   ours is removed, Debian's files verify (dpkg --verify), the VMs start on
   Debian's firmware again.

Skipped, with the reason, when not root or without unshare, overlayfs,
libvirtd or out/deb (make check builds out/deb in tests/cli/deb.sh).
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import harness  # noqa: E402
import virt  # noqa: E402
from harness import Fail  # noqa: E402

BIOS_DEFAULT = "bios: libvirt's default (no firmware attribute)"
BIOS_ASKED = "firmware='bios'"
REQUESTS = [(BIOS_DEFAULT, "pc", "", None), (BIOS_ASKED, "pc", "", "bios")] + virt.REQUESTS
BOOTS_EFI = ("efi on q35", "efi, secure-boot, enrolled-keys")  # these boot the unsigned image
BOOTS_BIOS = (BIOS_DEFAULT, BIOS_ASKED)  # these report which SeaBIOS ran
WORK = "/var/lib/libvirt/fwslot"
DEBIAN_PKGS = ("seabios", "ipxe-qemu", "ovmf")


def skip(why):
    print("SKIP system drop-in: %s" % why)
    print("# system: 0 passed, 0 failed")
    return 0


# ---- outside: the throwaway copy of this machine ---------------------------------

SETUP = r'''set -e
mount -t tmpfs -o size=4g fwslot-system "$1"
mkdir "$1/u" "$1/w" "$1/m"
mount -t overlay fwslot-system -o "lowerdir=/,upperdir=$1/u,workdir=$1/w" "$1/m"
for d in proc dev sys; do mount --rbind "/$d" "$1/m/$d"; done
mount -t tmpfs fwslot-run "$1/m/run"
# the checkout on a file system of its own is not in the overlay of /: bind it (read as is)
[ -f "$1/m$2/tests/system/dropin.py" ] || mount --rbind "$2" "$1/m$2"
top=$1
shift
exec chroot "$top/m" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$@"
'''


def outer():
    started = time.monotonic()
    out = os.path.abspath(os.environ.get("O", "out"))
    if os.getuid() != 0:
        return skip("not root (it needs a mount namespace, an overlay of / and chroot)")
    missing = [t for t in ("unshare", "chroot", "libvirtd", "virsh", "apt-get", "dpkg") if not shutil.which(t)]
    if missing:
        return skip("%s not installed (Debian: apt-get install libvirt-daemon libvirt-daemon-driver-qemu "
                    "libvirt-clients)" % ", ".join(missing))
    with open("/proc/filesystems") as f:
        if not re.search(r"\toverlay$", f.read(), re.M):
            return skip("the kernel has no overlayfs")
    debs = sorted(glob.glob(os.path.join(out, "deb", "fwslot-*.deb")))
    if len(debs) != 2:
        return skip("%s/deb holds no fwslot-tools and fwslot-firmware .debs (make deb)" % out)
    top = tempfile.mkdtemp(prefix="fwslot-system.")
    env = dict(os.environ, O=out, FWSLOT_DEBS=" ".join(debs))
    inner = [sys.executable, os.path.abspath(__file__), "--inside"]
    rc = None
    try:
        r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", SETUP, "sh", top,
                            os.getcwd()] + inner, env=env, capture_output=True, text=True, timeout=1500)
        rc = r.returncode
        text = r.stdout + ("" if rc == 0 else r.stderr[-3000:])
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        text += "\nFAIL system drop-in: no end after 1500 s\n"
    finally:
        # nothing started in the copy may outlive it (QEMU, libvirtd)
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if os.readlink("/proc/%s/root" % pid).startswith(top + "/m"):
                        os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(top, ignore_errors=True)
    sys.stdout.write(text)
    m = re.search(r"# system: (\d+) passed, (\d+) failed", text)
    if not m:
        print("FAIL system drop-in: the run inside the copy ended without its tally (exit %s)" % rc)
        print("# system: 0 passed, 1 failed")
        passed, failed = 0, 1
    else:
        passed, failed = int(m.group(1)), int(m.group(2))
    os.makedirs(os.path.join(out, "test"), exist_ok=True)
    with open(os.path.join(out, "test", "system.json"), "w") as f:
        json.dump({"suite": "system", "wall_seconds": round(time.monotonic() - started, 1), "passed": passed,
                   "failed": failed}, f)
    return 1 if failed else 0


# ---- inside the copy --------------------------------------------------------------

def run(cmd, timeout=600, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def apt(args):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return run(["apt-get", "-q", "-o", "Dpkg::Use-Pty=0"] + args, env=env, timeout=900)


def status(pkg):
    r = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}${Version}", pkg])
    return r.stdout.strip() if r.returncode == 0 else "not known"


def installed(pkg):
    return status(pkg).startswith("ii")


virsh = virt.Virsh("qemu:///system")


def start_libvirtd():
    """The system daemon as this copy can run it: no systemd, dbus, virtlogd."""
    with open("/usr/sbin/policy-rc.d", "w") as f:  # no package starts a service here
        f.write("#!/bin/sh\nexit 101\n")
    os.chmod("/usr/sbin/policy-rc.d", 0o755)
    if run(["getent", "passwd", "libvirt-qemu"]).returncode != 0:  # libvirtd's built-in QEMU user
        run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/var/lib/libvirt",
             "libvirt-qemu"])
    for d in ("/etc/libvirt", "/var/log/libvirt", "/var/lib/libvirt/qemu/nvram", "/var/cache/libvirt", WORK):
        os.makedirs(d, exist_ok=True)
    with open("/etc/libvirt/qemu.conf", "w") as f:
        f.write('user = "root"\ngroup = "root"\ncgroup_controllers = [ ]\nstdio_handler = "file"\n')
    r = run(["unshare", "-n", "libvirtd", "-d"])
    if r.returncode != 0:
        raise Fail("libvirtd -d: exit %d" % r.returncode, r.stderr)
    t0 = time.monotonic()
    while run(["virsh", "-c", "qemu:///system", "version"]).returncode != 0:
        if time.monotonic() - t0 > 30:
            raise Fail("the system libvirtd did not answer in 30 s", harness.read("/var/log/libvirt/libvirtd.log"))
        time.sleep(0.3)


def stop_libvirtd():
    for name in virsh("list", "--name", check=False).stdout.split():
        virsh("destroy", name, check=False)
    try:
        with open("/run/libvirtd.pid") as f:
            os.kill(int(f.read().strip()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


def start(name, req, machine, inner, firmware, disk, define=True):
    """Defines (unless it exists) and starts one VM; what libvirt chose and
    what the guest showed, or why it did not start."""
    serial, debug = os.path.join(WORK, name + ".serial"), os.path.join(WORK, name + ".debug")
    for p in (serial, debug):
        if os.path.exists(p):
            os.unlink(p)
    if define:
        xml = os.path.join(WORK, name + ".xml")
        with open(xml, "w") as f:
            f.write(virt.domain_xml(name, machine, inner, firmware, "", serial, disk if req in BOOTS_EFI else None,
                                  debug if req in BOOTS_BIOS else None))
        virsh("define", xml)
    r = virsh("start", name, check=False)
    if r.returncode != 0:
        return {"started": False, "error": (r.stderr or r.stdout).strip().splitlines()[-1]}
    try:
        got = {"started": True, "pick": virt.chosen(virsh("dumpxml", name).stdout)}
        t0 = time.monotonic()
        # "boot": what the guest showed, None when it showed nothing in time (no verdict)
        if req in BOOTS_EFI:
            got["boot"] = harness.unsigned_image_verdict(serial, 150)
        if req in BOOTS_BIOS:
            while time.monotonic() - t0 < 60 and "\n" not in harness.read(debug).partition(harness.SEABIOS_BANNER)[2]:
                time.sleep(0.1)
            m = re.search(re.escape(harness.SEABIOS_BANNER) + r"([^)]*)\)", harness.read(debug))
            got["boot"] = "SeaBIOS " + m.group(1) if m else None
        return got
    finally:
        virsh("destroy", name, check=False)


def describe(g):
    if not g:
        return "not run"
    if not g["started"]:
        return "did not start (%s)" % g["error"]
    return "%s + %s%s" % (g["pick"][0], g["pick"][1],
                          "" if "boot" not in g else ", " + (g["boot"] or "nothing seen in time"))


def same(req, d, o):
    """o started as d did: the same loader and template names (a UEFI request
    names both), and a verdict from both guests that agrees: the same one on
    the unsigned image; a SeaBIOS banner from each (which one is checked apart:
    it must differ)."""
    if not (d and d["started"] and o and o["started"] and d["pick"] == o["pick"]):
        return False
    if req not in BOOTS_BIOS and not all(d["pick"]):
        return False
    if "boot" not in d:
        return True
    if req in BOOTS_BIOS:
        return bool(d["boot"] and o["boot"] and d["boot"].startswith("SeaBIOS") and o["boot"].startswith("SeaBIOS"))
    return harness.agree(d["boot"], o["boot"])[0]


def bios_is(tally, phase, got, pkg):
    """The SeaBIOS banner on the debug port names a version that pkg's
    /usr/share/seabios/bios-256k.bin holds, and pkg owns that file."""
    owner = run(["dpkg-query", "-S", "/usr/share/seabios/bios-256k.bin"]).stdout.split(":")[0]
    with open("/usr/share/seabios/bios-256k.bin", "rb") as f:
        image = f.read()
    boot = got.get("boot") or ""
    version = boot[len("SeaBIOS "):] if boot.startswith("SeaBIOS ") else None
    tally.check(owner == pkg and version is not None and version.encode() in image,
                "%s: the BIOS that ran is %s's bios-256k.bin (%s; the file belongs to %s)" %
                (phase, pkg, boot or "no boot", owner or "nobody"))


def saved_vms(t):
    """A managed save and an internal snapshot made on the firmware installed now."""
    disk = os.path.join(WORK, "snap.qcow2")
    run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"])
    for name, devs in (("saved-vm", ""), ("snap-vm", "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                                   "<source file='%s'/><target dev='hda' bus='ide'/></disk>" % disk)):
        xml = os.path.join(WORK, name + ".xml")
        with open(xml, "w") as f:
            f.write("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                    "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
                    "<devices>%s<interface type='user'><model type='e1000'/></interface>"
                    "<video><model type='none'/></video><memballoon model='none'/></devices></domain>" % (name, devs))
        virsh("define", xml)
        virsh("start", name)
    virsh("managedsave", "saved-vm", timeout=300)
    virsh("snapshot-create-as", "snap-vm", "s1", timeout=300)
    virsh("destroy", "snap-vm")
    t.check("yes" in virsh("dominfo", "saved-vm").stdout and "s1" in virsh("snapshot-list", "snap-vm", "--name").stdout,
            "on Debian's firmware: saved-vm managed-saved, snap-vm's snapshot s1 holds its VM state")


def breaking_deb():
    """A package whose efi-e1000.rom is one block past 256 KiB (Debian 12's, padded)."""
    root = os.path.join(WORK, "break")
    os.makedirs(os.path.join(root, "DEBIAN"), exist_ok=True)
    os.makedirs(os.path.join(root, "usr/lib/ipxe/qemu"), exist_ok=True)
    with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
        f.write("Package: fwslot-test-break\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.org>\n"
                "Description: test\n test\n")
    data = open("/usr/lib/ipxe/qemu/efi-e1000.rom", "rb").read()
    with open(os.path.join(root, "usr/lib/ipxe/qemu/efi-e1000.rom"), "wb") as f:
        f.write(data + bytes(262144 + 512 - len(data)))
    deb = os.path.join(WORK, "fwslot-test-break_1_all.deb")
    r = run(["dpkg-deb", "--root-owner-group", "--build", root, deb])
    if r.returncode != 0:
        raise Fail("dpkg-deb --build: " + r.stderr.strip())
    return deb


def inside():
    t = harness.Tally("system")
    debs = os.environ["FWSLOT_DEBS"].split()
    readme = open("README.md").read()
    m = re.search(r"`(apt-get install seabios ipxe-qemu ovmf)`", readme)
    results = {}
    try:
        # the copy's man-db does not rebuild its index after each apt run (CPU the
        # test has no use for; nothing here reads man pages): its trigger runs
        # mandb only while this file exists
        if os.path.exists("/var/lib/man-db/auto-update"):
            os.unlink("/var/lib/man-db/auto-update")
        # 1. Debian 12's packages, from the archive
        r = apt(["install", "-y"] + list(DEBIAN_PKGS))
        if r.returncode != 0:
            raise Fail("apt-get install seabios ipxe-qemu ovmf: exit %d" % r.returncode, r.stdout + r.stderr)
        print("     Debian's: %s" % ", ".join("%s %s" % (p, status(p)[3:]) for p in DEBIAN_PKGS))
        start_libvirtd()
        scratch = os.path.join(WORK, "image")
        os.makedirs(scratch, exist_ok=True)
        disk = harness.efi_disk(scratch, harness.build_test_image(scratch))
        # 2. every request on Debian's firmware
        for i, (req, machine, inner, firmware) in enumerate(REQUESTS):
            results[("debian", req)] = start("old-%d" % i, req, machine, inner, firmware, disk)
            print("     Debian's, %-38s %s" % (req + ":", describe(results[("debian", req)])))
        # every request but firmware='bios' (Debian 12's seabios ships no firmware
        # descriptor) must start on Debian's: the others are compared below
        refused = [q[0] for q in REQUESTS if not results[("debian", q[0])]["started"]]
        t.check(refused in ([BIOS_ASKED], []), "Debian's packages start every request but firmware='bios' "
                "(not started: %s)" % (", ".join(refused) or "none"))
        saved_vms(t)
        # 3. ours over them, the tools first: apt reads its hooks when it starts, so
        # fwslot-tools' hook judges the firmware transaction that follows it
        tools = [d for d in debs if os.path.basename(d).startswith("fwslot-tools_")]
        r = apt(["install", "-y"] + tools)
        t.check(r.returncode == 0, "apt-get install %s: exit %d" % (" ".join(os.path.basename(d) for d in tools),
                                                                   r.returncode))
        r = apt(["install", "-y"] + debs)
        t.check(r.returncode == 0, "apt-get install %s: exit %d" % (" ".join(os.path.basename(d) for d in debs),
                                                                   r.returncode))
        if r.returncode != 0:
            print("\n".join("     | " + x for x in (r.stdout + r.stderr).splitlines()[-15:]))
            raise Fail("ours did not install")
        said = [x for x in (r.stdout + r.stderr).splitlines() if x.startswith("fwslot: ")]
        t.check(any("every saved VM of this host loads on the new firmware" in x for x in said),
                "the hook judged the VMs during that transaction: %s" % (said[-1] if said else "said nothing"))
        r2 = virsh("start", "saved-vm", check=False)
        r3 = virsh("snapshot-revert", "snap-vm", "s1", check=False)
        t.check(r2.returncode == 0 and r3.returncode == 0 and
                virsh("domstate", "saved-vm").stdout.strip() == "running" and
                virsh("domstate", "snap-vm").stdout.strip() in ("running", "paused"),
                "on ours: saved-vm's managed save restores (virsh start), snap-vm reverts to s1 (%s%s)" % (
                    (r2.stderr or "").strip()[-200:], (r3.stderr or "").strip()[-200:]))
        virsh("managedsave", "saved-vm", timeout=300, check=False)
        virsh("destroy", "snap-vm", check=False)
        # a package that would break them: refused before dpkg runs, naming each
        br = apt(["install", "-y", breaking_deb()])
        out = br.stdout + br.stderr
        t.check(br.returncode != 0 and "saved-vm: managed-save" in out and "snap-vm: snapshot s1" in out and
                "refusing the transaction" in out and not installed("fwslot-test-break"),
                "apt-get install of a package whose efi-e1000.rom is past 256 KiB: refused by fwslot-tools' hook, "
                "naming saved-vm's managed save and snap-vm's snapshot (exit %d)" % br.returncode)
        if br.returncode == 0 or "refusing" not in out:
            print("\n".join("     | " + x for x in out.splitlines()[-15:]))
        t.check(installed("fwslot-firmware") and installed("fwslot-tools")
                and not any(installed(p) for p in DEBIAN_PKGS) and installed("qemu-system-x86"),
                "apt replaced seabios, ipxe-qemu and ovmf with fwslot-firmware and kept qemu-system-x86 (%s)" %
                ", ".join("%s %s" % (p, status(p)[:2]) for p in DEBIAN_PKGS + ("qemu-system-x86", "fwslot-firmware")))
        t.check(apt(["check"]).returncode == 0, "apt-get check: every dependency satisfied with ours installed")
        # 4. the old VMs and new ones on ours
        for i, (req, machine, inner, firmware) in enumerate(REQUESTS):
            results[("old", req)] = start("old-%d" % i, req, machine, inner, firmware, disk, define=False)
            results[("new", req)] = start("new-%d" % i, req, machine, inner, firmware, disk)
            d = results[("debian", req)]
            for kind, what in (("old", "a VM defined on Debian's"), ("new", "a new VM")):
                o = results[(kind, req)]
                if d["started"]:
                    t.check(same(req, d, o), "ours, %s, %s: %s (Debian's: %s)" % (what, req, describe(o),
                                                                                   describe(d)))
                elif req == BIOS_ASKED:
                    # a request Debian's could not serve: ours serves it from its descriptor,
                    # for the VM defined on Debian's and a new one
                    t.check(o["started"] and o["pick"][0] == "bios-256k.bin",
                            "ours, %s, %s: %s (Debian's: %s)" % (what, req, describe(o), describe(d)))
                else:
                    t.check(False, "ours, %s, %s: nothing to compare, Debian's did not start it (%s)" %
                            (what, req, describe(d)))
        for req in BOOTS_BIOS:
            for kind in ("old", "new"):
                if results[(kind, req)]["started"]:
                    bios_is(t, "ours, %s VM, %s" % (kind, req), results[(kind, req)], "fwslot-firmware")
        # 5. the way back, as README.md writes it
        t.check(m is not None, "README.md documents the way back (apt-get install seabios ipxe-qemu ovmf)")
        if m:
            r = apt(m.group(1).split()[1:] + ["-y"])
            t.check(r.returncode == 0, "the way back, %s: exit %d" % (m.group(1), r.returncode))
            t.check(not installed("fwslot-firmware") and all(installed(p) for p in DEBIAN_PKGS)
                    and installed("qemu-system-x86"),
                    "the way back: Debian's three installed, fwslot-firmware removed, qemu-system-x86 kept (%s)" %
                    ", ".join("%s %s" % (p, status(p)[:2]) for p in DEBIAN_PKGS + ("fwslot-firmware",)))
            v = run(["dpkg", "--verify"] + list(DEBIAN_PKGS))
            t.check(v.returncode == 0 and not v.stdout.strip(),
                    "the way back: dpkg --verify seabios ipxe-qemu ovmf finds every file as Debian ships it%s" %
                    ("" if not v.stdout.strip() else ": " + v.stdout.strip().splitlines()[0]))
            for i, (req, machine, inner, firmware) in enumerate(REQUESTS):
                if req in BOOTS_EFI[1:]:
                    continue
                d, b = results[("debian", req)], start("old-%d" % i, req, machine, inner, firmware, disk,
                                                      define=False)
                if d["started"]:
                    t.check(same(req, d, b), "back on Debian's, %s: %s" % (req, describe(b)))
                    if req == BIOS_DEFAULT:
                        bios_is(t, "back on Debian's, " + req, b, "seabios")
                else:
                    t.check(not b["started"], "back on Debian's, %s: as before ours, not started: %s" %
                            (req, describe(b)))
    except Fail as e:
        t.check(False, "system drop-in: %s" % e.what)
        if e.log:
            print("\n".join("     | " + x for x in str(e.log).splitlines()[-20:]))
    finally:
        stop_libvirtd()
    return t.close()


if __name__ == "__main__":
    sys.exit(inside() if sys.argv[1:] == ["--inside"] else outer())
