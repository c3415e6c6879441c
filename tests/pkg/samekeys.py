#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Exit 0 when two varstores hold the same live PK, KEK, db and dbx data, byte
for byte (located with `fdsplit info --json`: data_offset, data_size); else
print which differ and exit 1.

usage: tests/pkg/samekeys.py FDSPLIT VARS_A VARS_B
"""
import json
import subprocess
import sys

NAMES = ("PK", "KEK", "db", "dbx")


def keys(fdsplit, path):
    r = subprocess.run([fdsplit, "info", "--json", path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("samekeys: %s: fdsplit info: %s" % (path, r.stderr.strip()))
    raw = open(path, "rb").read()
    out = {}
    for v in json.loads(r.stdout)["files"][0]["vars"]["variables"]:
        if v["state_name"] == "added" and v["name"] in NAMES:
            out[v["name"]] = raw[v["data_offset"]:v["data_offset"] + v["data_size"]]
    return out


def main(fdsplit, a, b):
    ka, kb = keys(fdsplit, a), keys(fdsplit, b)
    bad = [n for n in NAMES if n not in ka or n not in kb or ka[n] != kb[n]]
    for n in bad:
        print("%s: %s has %s bytes, %s has %s" % (n, a, len(ka[n]) if n in ka else "none",
                                                 b, len(kb[n]) if n in kb else "none"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
