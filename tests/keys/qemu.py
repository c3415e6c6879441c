#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The firmware judges fdsplit update-keys: a VM's store, updated offline, is
what OVMF enforces at its next boot.

A VM's 4M store as Debian 12's OVMF wrote it from its .ms template (its boot
options; the test image is refused there, since every Debian 12 CODE enforces
Secure Boot with these keys) holding FwslotTest, the test image's own
variable, set on our 4M CODE built without Secure Boot, is updated from a test template: sid's .ms template
(Microsoft's 2011 and 2023 CAs, 443 dbx hashes) with a test certificate added
to db and the Authenticode hash of a second test image added to dbx, both by
virt-fw-vars (Debian sid's python3-virt-firmware, the tool admins use today).
Then, on our 4M Secure Boot CODE (SMM):
  - the image signed with the test key was refused before the update and runs
    after it, reading FwslotTest back;
  - the dbx-listed image, signed with the same key, is refused; with a
    template that lacks that hash (the control) it runs: the hash is what
    refuses it;
  - the unsigned image is still refused;
  - BootOrder, every boot option and the VM's own dbx entry are kept.
Runs under Debian's python3 (python3-pefile, for virt-firmware's Authenticode hash).
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

QEMU_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu")
sys.path.insert(0, QEMU_DIR)
import harness  # noqa: E402
from harness import Fail  # noqa: E402
sys.path.remove(QEMU_DIR)  # its virt.py would hide virt-firmware's namespace package "virt"

OWNER = "6b1c3d54-8f0e-4c6a-9b53-2a1f0e7d9c41"  # the test image's vendor GUID, as the test key's owner


def peer_env(out):
    site = glob.glob(out + "/peers/root/usr/lib/python3/dist-packages")
    if not site:
        raise SystemExit("keys-qemu: no %s/peers/root (make fetches pkg/peers.lock)" % out)
    return dict(os.environ, PYTHONPATH=site[0]), site[0]


def run(cmd, env=None, what=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise Fail("%s: exit %d: %s" % (what or cmd[0], r.returncode, (r.stderr or r.stdout).strip()[-600:]))
    return r.stdout


def info(fdsplit, path):
    return json.loads(run([fdsplit, "info", "--json", path]))["files"][0]


def main():
    out, scratch, _, ctx = harness.setup("keys")
    fdsplit = os.path.join(out, "asan", "bin", "fdsplit")
    deb = os.path.join(out, "ref", "root", "usr", "share", "OVMF")
    ours = os.path.join(out, "firmware", "usr", "share", "OVMF")
    sid = os.path.join(out, "ref", "sid", "root", "usr", "share", "OVMF", "OVMF_VARS_4M.ms.fd")
    code = os.path.join(ours, "OVMF_CODE_4M.secboot.fd")
    if not os.path.exists(code):
        print("SKIP keys-qemu: %s not built (run make)" % code)
        print("# keys-qemu: 0 passed, 0 failed")
        return 0
    env, site = peer_env(out)
    sys.path.insert(0, site)
    import pefile  # noqa: E402
    from virt.peutils import pesign  # noqa: E402

    # the test key, and three images: signed (A), signed and listed in dbx (B), unsigned
    key, crt = os.path.join(scratch, "test.key"), os.path.join(scratch, "test.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=fwslot update-keys test key/",
         "-days", "3650", "-keyout", key, "-out", crt])
    plain = harness.build_test_image(scratch)
    other = harness.build_test_image(scratch, "dump")

    def signed(efi, name):
        s = os.path.join(scratch, name)
        run(["sbsign", "--key", key, "--cert", crt, "--output", s, efi])
        return s
    a, b = signed(plain, "a-signed.efi"), signed(other, "b-signed-dbx.efi")
    disk_a, disk_b, disk_u = (harness.efi_disk(scratch, x) for x in (a, b, plain))
    b_hash = pesign.pe_authenticode_hash(pefile.PE(b)).hex()
    fw_vars = [sys.executable, os.path.join(out, "peers", "root", "usr", "bin", "virt-fw-vars")]
    tmpl, control = os.path.join(scratch, "template.fd"), os.path.join(scratch, "template-no-dbx-hash.fd")
    run(fw_vars + ["-i", sid, "--add-db", OWNER, crt, "--add-dbx-hash", OWNER, b_hash, "-o", tmpl], env, "virt-fw-vars")
    run(fw_vars + ["-i", sid, "--add-db", OWNER, crt, "-o", control], env, "virt-fw-vars")

    # the VM: Debian 12's 4M .ms store as Debian 12's OVMF writes it at boot (boot options;
    # the test image refused: every Debian 12 CODE enforces Secure Boot), then the test
    # image's own variable, set on our 4M CODE built without Secure Boot
    vm = os.path.join(scratch, "vm-4m.fd")
    shutil.copyfile(os.path.join(deb, "OVMF_VARS_4M.ms.fd"), vm)
    harness.ovmf_boot_disk(ctx, os.path.join(deb, "OVMF_CODE_4M.fd"), vm, disk_a, harness.REFUSED)
    harness.ovmf_boot_disk(ctx, os.path.join(ours, "OVMF_CODE_4M.fd"), vm, disk_a, harness.VAR_SET)
    before = info(fdsplit, vm)
    shutil.copyfile(vm, vm + ".before")

    def updated(template, name):
        v = os.path.join(scratch, name)
        shutil.copyfile(vm + ".before", v)
        run([fdsplit, "update-keys", "--from", template, "--code", code, "--no-backup", v])
        return v
    after = updated(tmpl, "vm-4m-updated.fd")
    no_hash = updated(control, "vm-4m-control.fd")

    def boot(store, disk, needle, other_needle):
        def case(ctx):
            v = tempfile.mktemp(prefix="boot.", suffix=".fd", dir=ctx.scratch)
            shutil.copyfile(store, v)
            log = harness.ovmf_boot_disk(ctx, code, v, disk, needle, secure=True)
            if other_needle in log:
                raise Fail("both %r and %r on serial" % (needle, other_needle), log, other_needle)
            return "%r on serial" % needle
        return case

    def kept(ctx):
        a_, b_ = before, info(fdsplit, after)
        live = lambda f: {(v["name"], v["guid"]) for v in f["vars"]["variables"] if v["live"]}  # noqa: E731
        if live(a_) != live(b_):
            raise Fail("live variables differ: %s" % sorted(live(a_) ^ live(b_)))
        if a_["boot_order"] != b_["boot_order"] or a_["boot_options"] != b_["boot_options"]:
            raise Fail("boot order or options changed: %s -> %s" % (a_["boot_order"], b_["boot_order"]))
        keys = {k["name"]: k for k in b_["secure_boot"]["keys"]}
        dbx = [e.get("hash") for l in keys["dbx"]["lists"] for e in l["entries"]]
        own = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        if dbx[0] != own or b_hash not in dbx or len(dbx) != 445:
            raise Fail("dbx: the VM's own entry first, then sid's 443 and the test hash: %d entries, first %s" % (
                len(dbx), dbx[0]))
        names = [e.get("common_name") for l in keys["db"]["lists"] for e in l["entries"]]
        if "fwslot update-keys test key" not in names:
            raise Fail("db lacks the test certificate: %s" % names)
        return "BootOrder %s and %d boot options kept; dbx: the VM's own entry, sid's 443, the test image's hash" % (
            b_["boot_order"], len(b_["boot_options"]))

    cases = [
        ("before: the test-signed image refused", boot(vm + ".before", disk_a, harness.REFUSED, harness.RAN)),
        ("after: the test-signed image runs, FwslotTest read back", boot(after, disk_a, harness.VAR_READ, harness.REFUSED)),
        ("after: the dbx-listed image refused", boot(after, disk_b, harness.REFUSED, harness.RAN)),
        ("control: without its dbx hash the same image runs", boot(no_hash, disk_b, harness.RAN, harness.REFUSED)),
        ("after: the unsigned image refused", boot(after, disk_u, harness.REFUSED, harness.RAN)),
        ("after: BootOrder, boot options and the VM's own dbx entry kept", kept),
    ]
    return harness.run_cases("keys-qemu", cases, ctx, os.path.join(out, "test", "keys-qemu.json"))


if __name__ == "__main__":
    sys.exit(main())
