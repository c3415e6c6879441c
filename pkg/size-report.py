#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The size report `make` prints at its end: every image with its slot, used
and free bytes (from `romsize check --json`), and for OVMF how full each EDK2
firmware volume is (fv-fill.txt of each build). Writes TEXT and JSON.

usage: pkg/size-report.py ROMSIZE FWDIR TEXT JSON [VARIANT=BUILDDIR=CODEFILE ...]
"""
import json
import os
import subprocess
import sys


def pct(used, total):
    return round(100.0 * used / total, 1) if total else 0.0


def main(argv):
    romsize, fw, text_out, json_out = argv[1:5]
    files = []
    for root, _, names in sorted(os.walk(fw)):
        for n in sorted(names):
            p = os.path.join(root, n)
            if os.path.islink(p) or not (n.endswith((".bin", ".rom", ".fd"))):
                continue
            files.append(p)
    res = subprocess.run([romsize, "check", "--json", *files], capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit("size-report: romsize failed: " + res.stderr.strip())
    doc = json.loads(res.stdout)
    images = []
    for f in doc["files"]:
        images.append({
            "image": os.path.relpath(f["file"], fw), "kind": f.get("kind"),
            "slot": f.get("slot"), "used": f.get("used"), "free": f.get("free"),
            "percent": pct(f.get("used") or 0, f.get("slot") or 0), "ok": f.get("ok"),
        })
    volumes = []
    for spec in argv[5:]:
        variant, build, code = spec.split("=", 2)
        with open(os.path.join(build, "fv-fill.txt")) as fh:
            for line in fh:
                name, total, taken = line.split()
                total, taken = int(total), int(taken)
                volumes.append({"image": code, "build": variant, "fv": name, "size": total,
                                "used": taken, "free": total - taken, "percent": pct(taken, total)})

    lines = ["%-44s %-10s %9s %9s %9s %6s" % ("image", "kind", "slot", "used", "free", "used%")]
    for i in images:
        lines.append("%-44s %-10s %9d %9d %9d %5.1f%%%s" % (
            i["image"], i["kind"], i["slot"] or 0, i["used"] or 0, i["free"] or 0, i["percent"],
            "" if i["ok"] else "  FAILS ITS SLOT"))
    if volumes:
        lines.append("")
        lines.append("%-44s %-10s %9s %9s %9s %6s" % ("OVMF firmware volume (EDK2)", "build", "size", "used", "free", "used%"))
        for v in volumes:
            lines.append("%-44s %-10s %9d %9d %9d %5.1f%%" % (
                v["image"] + ":" + v["fv"], v["build"], v["size"], v["used"], v["free"], v["percent"]))
    text = "\n".join(lines) + "\n"
    for path, body in ((text_out, text), (json_out, json.dumps({"images": images, "volumes": volumes}, indent=1) + "\n")):
        with open(path + ".tmp", "w") as fh:
            fh.write(body)
        os.replace(path + ".tmp", path)
    sys.stdout.write(text)
    return 0 if doc.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
