#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""libvirt picks the same firmware from our descriptors as from Debian's.

A libvirt session daemon (qemu:///session, run as an unprivileged user when
we are root, everything under a scratch XDG tree in the system's temporary
directory, where that user can read) reads the firmware descriptors of one
set at a time from $XDG_CONFIG_HOME/qemu/firmware, with their paths pointed
at a copy of that set's OVMF files: Debian 12's (out/ref/root) and ours
(out/firmware). For each firmware request a guest can make (plain efi on q35
and pc, Secure Boot with and without enrolled keys, no Secure Boot, an
explicit .ms.fd loader) a domain is defined and started under TCG, and
libvirt's choice (loader, nvram template) is read back from the live XML:
ours must pick the file of the same name as Debian's. The plain efi q35
domain also boots an unsigned UEFI binary from a disk: refused (Secure Boot
enforced) with both sets, as Debian's 40-edk2-secure-enrolled makes it.

Skipped, saying why, where libvirt is not installed (make check installs it
on Debian).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "qemu"))
import harness  # noqa: E402
import virt  # noqa: E402
from harness import Fail  # noqa: E402

REQUESTS = virt.REQUESTS
Session = virt.Session


def main():
    started = time.monotonic()
    out = os.path.abspath(os.environ.get("O", "out"))
    missing = [t for t in ("virsh", "libvirtd") if not shutil.which(t)]
    if missing:
        print("SKIP libvirt: %s not installed (Debian: apt-get install libvirt-daemon libvirt-daemon-driver-qemu "
              "libvirt-clients)" % ", ".join(missing))
        print("# libvirt: 0 passed, 0 failed")
        return 0
    fw, ref = os.path.join(out, "firmware"), os.path.join(out, "ref", "root")
    if not os.path.exists(os.path.join(fw, "SHA256SUMS")):
        print("SKIP libvirt: out/firmware not built (run make)")
        print("# libvirt: 0 passed, 0 failed")
        return 0
    # the daemon runs as an unprivileged user, who may not reach into this
    # checkout: what it reads (each set's OVMF files, the test disk) and its
    # home are staged in a scratch folder of the system's temporary directory
    scratch = tempfile.mkdtemp(prefix="fwslot-libvirt.")
    os.chmod(scratch, 0o755)
    image = harness.build_test_image(scratch)
    disk = harness.efi_disk(scratch, image)
    os.chmod(disk, 0o644)
    home = tempfile.mkdtemp(prefix="home.", dir=scratch)
    s = Session(home)
    sets = []
    for name, src_root, descriptors in (("debian", ref, ref + "/usr/share/qemu/firmware"), ("ours", fw, "pkg/descriptors")):
        root = os.path.join(scratch, name)
        shutil.copytree(os.path.join(src_root, "usr", "share", "OVMF"), os.path.join(root, "usr", "share", "OVMF"))
        for dirpath, dirnames, filenames in os.walk(root):
            os.chmod(dirpath, 0o755)
            for f in filenames:
                os.chmod(os.path.join(dirpath, f), 0o644)
        sets.append((name, root, descriptors))
    picks, t = {}, harness.Tally("libvirt")
    try:
        for set_name, root, src in sets:
            s.descriptors(root, src)
            caps = s.virsh("domcapabilities", "--arch", "x86_64", "--machine", "q35", "--virttype", "qemu")
            if root + "/usr/share/OVMF/" not in caps:
                raise Fail("virsh domcapabilities lists no loader of the %s set" % set_name, caps)
            for i, (req, machine, inner, firmware) in enumerate(REQUESTS):
                name = "fwslot-%s-%d" % (set_name, i)
                serial = os.path.join(home, name + ".serial")
                boot = req == "efi on q35"
                xml = os.path.join(home, name + ".xml")
                with open(xml, "w") as f:
                    f.write(virt.domain_xml(name, machine, inner, firmware, root, serial, disk if boot else None))
                os.chmod(xml, 0o644)
                s.virsh("define", xml)
                try:
                    s.virsh("start", name)
                    live = s.virsh("dumpxml", name)
                    # every request here is for UEFI: a pick that names no loader or
                    # no template is no verdict at all
                    pick = virt.chosen(live)
                    picks[(set_name, req)] = pick if all(pick) else None
                    if boot:
                        picks[(set_name, "unsigned image")] = harness.unsigned_image_verdict(serial, 120)
                finally:
                    s.virsh("destroy", name, check=False)
                    s.virsh("undefine", name, "--nvram", check=False)
        for req, *_ in REQUESTS:
            d, o = picks.get(("debian", req)), picks.get(("ours", req))
            good, why = harness.agree(d, o)
            t.check(good, "%-42s debian %s, ours %s%s" % (req, d, o, "" if good else " (%s)" % why))
        # Secure Boot enforced with both sets: a verdict from each, and it is "refused"
        d, o = picks.get(("debian", "unsigned image")), picks.get(("ours", "unsigned image"))
        good, why = harness.agree(d, o)
        t.check(good and d == "refused", "%-42s debian %s, ours %s" % ("efi on q35: unsigned image refused", d, o))
    except Fail as e:
        t.check(False, "libvirt: %s" % e.what)
        if e.log:
            print("\n".join("     | " + x for x in str(e.log).splitlines()[-20:]))
    finally:
        s.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    rc = t.close()
    os.makedirs(os.path.join(out, "test"), exist_ok=True)
    with open(os.path.join(out, "test", "libvirt.json"), "w") as f:
        json.dump({"suite": "libvirt", "wall_seconds": round(time.monotonic() - started, 1), "passed": t.passed,
                   "failed": t.failed}, f)
    return rc


if __name__ == "__main__":
    sys.exit(main())
