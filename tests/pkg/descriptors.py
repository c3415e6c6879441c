#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks firmware descriptors against the rules of QEMU's
docs/interop/firmware.json (Firmware, FirmwareMapping, FirmwareTarget and the
enums), then against the installed tree: every file named exists, and each
flash pairing's varstore template passes `fdsplit check --code` against its
executable. Prints one line per finding; exit 1 if any.

usage: tests/pkg/descriptors.py FDSPLIT ROOT DESCRIPTOR...
"""
import json
import os
import subprocess
import sys

INTERFACES = {"bios", "openfirmware", "uboot", "uefi"}
ARCHES = {"aarch64", "arm", "i386", "loongarch64", "x86_64"}
FEATURES = {"acpi-s3", "acpi-s4", "amd-sev", "amd-sev-es", "amd-sev-snp", "intel-tdx", "enrolled-keys",
            "requires-smm", "secure-boot", "verbose-dynamic", "verbose-static"}
DEVICES = {"flash", "kernel", "memory"}
FORMATS = {"raw", "qcow2"}
MODES = {"split", "combined", "stateless"}


def check(path, root, fdsplit):
    bad = []

    def need(obj, key, kind, where):
        if not isinstance(obj, dict) or key not in obj:
            bad.append("%s: %s: missing member '%s'" % (path, where, key))
            return None
        if not isinstance(obj[key], kind):
            bad.append("%s: %s.%s: not a %s" % (path, where, key, kind.__name__))
            return None
        return obj[key]

    try:
        d = json.load(open(path))
    except (OSError, ValueError) as e:
        return ["%s: not JSON: %s" % (path, e)]
    for k in set(d) - {"description", "interface-types", "mapping", "targets", "features", "tags"}:
        bad.append("%s: unknown member '%s'" % (path, k))
    need(d, "description", str, "firmware")
    for it in need(d, "interface-types", list, "firmware") or []:
        if it not in INTERFACES:
            bad.append("%s: interface-types: '%s' is not one of %s" % (path, it, sorted(INTERFACES)))
    files = {}
    m = need(d, "mapping", dict, "firmware") or {}
    dev = need(m, "device", str, "mapping")
    if dev is not None and dev not in DEVICES:
        bad.append("%s: mapping.device '%s' is not one of %s" % (path, dev, sorted(DEVICES)))
    if dev == "flash":
        mode = m.get("mode", "split")
        if mode not in MODES:
            bad.append("%s: mapping.mode '%s' is not one of %s" % (path, mode, sorted(MODES)))
        for part in ("executable",) + (("nvram-template",) if mode == "split" else ()):
            f = need(m, part, dict, "mapping") or {}
            fn, fmt = need(f, "filename", str, part), need(f, "format", str, part)
            if fmt is not None and fmt not in FORMATS:
                bad.append("%s: %s.format '%s' is not one of %s" % (path, part, fmt, sorted(FORMATS)))
            if fn:
                files[part] = fn
    elif dev == "memory":
        fn = need(m, "filename", str, "mapping")
        if fn:
            files["memory"] = fn
    elif dev == "kernel":
        fn = need(m, "filename", str, "mapping")
        if fn:
            files["kernel"] = fn
    targets = need(d, "targets", list, "firmware") or []
    if not targets:
        bad.append("%s: targets: empty" % path)
    for i, t in enumerate(targets):
        a = need(t, "architecture", str, "targets[%d]" % i)
        if a is not None and a not in ARCHES:
            bad.append("%s: targets[%d].architecture '%s' is not one of %s" % (path, i, a, sorted(ARCHES)))
        ms = need(t, "machines", list, "targets[%d]" % i) or []
        if not ms or not all(isinstance(x, str) and x for x in ms):
            bad.append("%s: targets[%d].machines: want non-empty machine globs" % (path, i))
    feats = need(d, "features", list, "firmware") or []
    for f in feats:
        if f not in FEATURES:
            bad.append("%s: features: '%s' is not one of %s" % (path, f, sorted(FEATURES)))
    need(d, "tags", list, "firmware")
    if "requires-smm" in feats and any("pc-i440fx" in x for t in targets for x in t.get("machines", [])):
        bad.append("%s: requires-smm firmware cannot target pc-i440fx (SMM needs q35)" % path)
    # against the installed tree
    for part, fn in files.items():
        if not os.path.isabs(fn):
            bad.append("%s: %s filename '%s' is not absolute" % (path, part, fn))
        elif not os.path.isfile(root + fn):
            bad.append("%s: %s '%s' is not installed under %s" % (path, part, fn, root))
    if "executable" in files and "nvram-template" in files and not bad:
        r = subprocess.run([fdsplit, "check", root + files["nvram-template"], "--code", root + files["executable"]],
                           capture_output=True, text=True)
        if r.returncode != 0:
            bad.append("%s: its template does not fit its executable: %s" % (path, r.stderr.strip()))
        # enrolled-keys only where the template holds the keys, and never without the feature
        r = subprocess.run([fdsplit, "info", "--json", root + files["nvram-template"]], capture_output=True, text=True)
        try:
            vs = json.loads(r.stdout)["files"][0]["vars"]["variables"]
            have = {v["name"] for v in vs if v["state_name"] == "added"} & {"PK", "KEK", "db"}
        except (ValueError, KeyError, IndexError):
            have = set()
            bad.append("%s: fdsplit info cannot read its template: %s" % (path, r.stderr.strip()))
        if "enrolled-keys" in feats and have != {"PK", "KEK", "db"}:
            bad.append("%s: says enrolled-keys, its template holds only %s of PK, KEK, db" % (
                path, ", ".join(sorted(have)) or "none"))
        if "enrolled-keys" not in feats and have:
            bad.append("%s: its template holds %s but enrolled-keys is not among its features" % (
                path, ", ".join(sorted(have))))
    return bad


def main(fdsplit, root, *paths):
    bad = []
    for p in paths:
        bad += check(p, root, fdsplit)
    for b in bad:
        print(b)
    print("descriptors: %d checked, %d findings" % (len(paths), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
