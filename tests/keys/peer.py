#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Peer judge: every key fdsplit info --json lists equals what virt-fw-vars reads.

For each varstore of the corpus (Debian 12's, 13's and sid's OVMF_VARS
templates, ours, and the stores the test run made), the PK, KEK, db and dbx
that `fdsplit info --json` reports are compared with python3-virt-firmware's
own reading of the same file (Debian sid's package, pkg/peers.lock): the
variables present, their timestamps, each signature list's type, and per
entry the owner GUID and either the certificate (SHA-256 of its DER,
subject, issuer, serial, validity) or the hash. Extra files: argv;
--only FILE...: those files alone.
"""
import datetime
import glob
import json
import os
import subprocess
import sys

O = os.environ.get("O", "out")
BIN = os.environ.get("BIN", O + "/asan/bin")
PEER = glob.glob(O + "/peers/root/usr/lib/python3/dist-packages")
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}{': ' + detail if detail else ''}")


def ours(path):
    r = subprocess.run([BIN + "/fdsplit", "info", "--json", path], capture_output=True, text=True)
    doc = json.loads(r.stdout)
    f = doc["files"][0]
    keys = {}
    for k in (f.get("secure_boot") or {}).get("keys", []):
        if not k["present"]:
            continue
        lists = []
        for l in k["lists"]:
            entries = []
            for e in l["entries"]:
                if e["type"] == "x509":
                    entries.append((e["owner"], "x509", e["sha256"], e["subject"], e["issuer"],
                                    int(e["serial"], 16), e["not_before"], e["not_after"]))
                else:
                    entries.append((e["owner"], e["type"], e.get("hash")))
            lists.append((l["type_guid"], entries))
        keys[k["name"]] = (k["timestamp"], lists)
    return keys


def theirs(path):
    sys.path.insert(0, PEER[0])
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID
    from virt.firmware.varstore import edk2
    names = {NameOID.EMAIL_ADDRESS: "emailAddress"}

    def when(t):
        if t.tzinfo is not None:
            t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    varlist = edk2.Edk2VarStore(path).get_varlist()
    keys = {}
    for name in ("PK", "KEK", "db", "dbx"):
        var = varlist.get(name)
        if var is None:
            continue
        lists = []
        for sl in var.sigdb or []:
            entries = []
            for sig in sl:
                owner = str(sig["guid"])
                if str(sl.guid) == "a5c059a1-94e4-4aa7-87b5-ab155c2bf072":
                    x = sl.x509
                    nb = getattr(x, "not_valid_before_utc", None) or x.not_valid_before
                    na = getattr(x, "not_valid_after_utc", None) or x.not_valid_after
                    entries.append((owner, "x509", x.fingerprint(hashes.SHA256()).hex(),
                                    x.subject.rfc4514_string(names), x.issuer.rfc4514_string(names),
                                    x.serial_number, when(nb), when(na)))
                else:
                    entries.append((owner, None, sig["data"].hex()))
            lists.append((str(sl.guid), entries))
        keys[name] = (when(var.time) if var.time else None, lists)
    return keys


def compare(path):
    a, b = ours(path), theirs(path)
    name = os.path.relpath(path, O) if path.startswith(O) else path
    check(sorted(a) == sorted(b), f"{name}: the same keys present", f"ours {sorted(a)}, virt-fw-vars {sorted(b)}")
    for k in sorted(set(a) & set(b)):
        (ta, la), (tb, lb) = a[k], b[k]
        check(ta == tb, f"{name}: {k} timestamp {ta}", f"virt-fw-vars {tb}")
        n = sum(len(e) for _, e in la)
        # hash entries: virt-fw-vars does not name the type; compare the owner and bytes
        la_cmp = [(g, [e if e[1] == "x509" else (e[0], None, e[2]) for e in es]) for g, es in la]
        diff = next((f"list {i}: ours {x}, virt-fw-vars {y}" for i, (x, y) in enumerate(zip(la_cmp, lb)) if x != y),
                    f"{len(la)} lists, virt-fw-vars {len(lb)}")
        check(la_cmp == lb, f"{name}: {k}: {len(la)} lists, {n} entries equal", diff)


def microsoft_cas():
    """Our table of Microsoft CAs (lib/keyaudit.c, by fingerprint) against virt-firmware's
    certs/microsoft.com: on sid's template, the CAs audit names are exactly its
    certificates whose DER is one of those files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    theirs = set()
    for pem in glob.glob(PEER[0] + "/virt/firmware/certs/microsoft.com/*.pem"):
        theirs.add(x509.load_pem_x509_certificate(open(pem, "rb").read()).fingerprint(hashes.SHA256()).hex())
    sid = glob.glob(O + "/ref/sid/root/usr/share/OVMF/OVMF_VARS_4M.ms.fd")[0]
    info = json.loads(subprocess.run([BIN + "/fdsplit", "info", "--json", sid], capture_output=True, text=True).stdout)
    held = {e["common_name"] for k in info["files"][0]["secure_boot"]["keys"] for l in k.get("lists", [])
            for e in l["entries"] if e["type"] == "x509" and e["sha256"] in theirs}
    audit = json.loads(subprocess.run([BIN + "/fdsplit", "audit", "--json", sid], capture_output=True, text=True).stdout)
    ours = set(audit["files"][0]["microsoft_cas"])
    check(len(theirs) >= 7 and ours == held and len(ours) == 7,
          f"the 7 Microsoft CAs audit knows on sid's template are virt-firmware's certs/microsoft.com",
          f"ours {sorted(ours)}, by virt-firmware's files {sorted(held)}")


def main():
    if not PEER:
        check(False, "virt-fw-vars unpacked", f"no {O}/peers/root (make fetches pkg/peers.lock)")
    elif sys.argv[1:2] == ["--only"]:
        for f in sys.argv[2:]:
            compare(f)
    else:
        files = sorted(glob.glob(O + "/ref/root/usr/share/OVMF/OVMF_VARS*.fd") +
                       glob.glob(O + "/ref/deb13/root/usr/share/OVMF/OVMF_VARS*.fd") +
                       glob.glob(O + "/ref/sid/root/usr/share/OVMF/OVMF_VARS*.fd") +
                       glob.glob(O + "/firmware/usr/share/OVMF/OVMF_VARS*.fd")) + sys.argv[1:]
        check(len(files) >= 10, f"{len(files)} varstores to judge")
        for f in files:
            compare(f)
        microsoft_cas()
    print(f"# peer-keys: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
