#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes what the last `make` and `make check` measured into doc/measurements.md,
as a dated section (today's is replaced, older ones are kept): the build steps'
times from out/log/*.log ("# exit 0 after N s", pkg/logged.sh), the QEMU and
libvirt suites' case counts and wall times from out/test/*.json, make check's
own total (out/test/run.json), the fuzzers' rates (out/fuzz/report.txt) and the
core count. Nothing is typed in by hand.

usage: pkg/measurements.py OUT DOC
"""
import datetime
import glob
import json
import os
import re
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main(out, doc):
    rows = []
    logs = {}
    for p in sorted(glob.glob(os.path.join(out, "log", "*.log"))):
        with open(p, errors="replace") as f:
            m = re.findall(r"^# exit 0 after (\d+) s$", f.read(), re.M)
        if m:
            logs[os.path.basename(p)[:-4]] = int(m[-1])
    sea = [v for k, v in logs.items() if k.startswith("seabios-")]
    if sea:
        rows.append(("SeaBIOS and SeaVGABIOS, %d images (each)" % len(sea), "%d-%d s" % (min(sea), max(sea))))
    for k in sorted(logs):
        if not k.startswith("seabios-"):
            rows.append(("build step `%s`" % k, "%d s" % logs[k]))
    for name in ("upgrade", "boot", "migrate", "libvirt", "system"):
        d = load(os.path.join(out, "test", name + ".json"))
        if not d:
            continue
        secs = d.get("wall_seconds", d.get("seconds"))
        if name == "upgrade":
            what = "QEMU upgrade matrix, %d pairs of firmware sets" % len(d.get("pairs", []))
        elif name in ("libvirt", "system"):
            what = "%s suite, %d checks (%d failed)" % ({"libvirt": "libvirt", "system": "system drop-in (apt, libvirtd)"}[name],
                                                        d.get("passed", 0) + d.get("failed", 0), d.get("failed", 0))
        else:
            what = "QEMU %s suite, %d cases (%d failed)" % (name, len(d.get("cases", [])), d.get("failed", 0))
        if secs is not None:
            rows.append((what, "%.1f s" % secs))
    r = load(os.path.join(out, "test", "run.json"))
    if r:
        rows.append(("`make check`: %d checks (%d spec, %d sweep), %d failed"
                     % (r["passed"] + r["failed"], r["passed"] - r["sweep"], r["sweep"], r["failed"]),
                     "%d min %d s" % divmod(r["seconds"], 60)))
    try:
        with open(os.path.join(out, "fuzz", "report.txt")) as f:
            rates = re.findall(r"fuzz_(\w+)\s+\d+ executions in \d+s \((\d+)/s\)", f.read())
        if rates:
            rows.append(("fuzz harnesses, executions per second",
                         ", ".join("%s %s" % (n, v) for n, v in rates)))
    except OSError:
        pass
    if not rows:
        print("measurements: nothing measured under %s (run make and make check first)" % out, file=sys.stderr)
        return 1
    day = datetime.date.today().isoformat()
    head = "## %s (make measurements, %d cores)" % (day, os.cpu_count() or 0)
    section = head + "\n\n| step | measured |\n|---|---|\n" + "".join("| %s | %s |\n" % x for x in rows)
    with open(doc) as f:
        text = f.read()
    parts = re.split(r"(?m)^(?=## )", text)
    parts = [p for p in parts if not p.startswith(head)]
    text = parts[0] + section + "\n" + "".join(parts[1:])
    with open(doc + ".tmp", "w") as f:
        f.write(text)
    os.replace(doc + ".tmp", doc)
    print("  DOC     %s: %s, %d rows" % (doc, head[3:], len(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
