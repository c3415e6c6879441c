#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Crash safety: `romsize pad`, `fdsplit split` and `fdsplit migrate` killed with SIGKILL at
random moments. After every kill the input must be byte-identical, each
output absent or complete (equal to what an uninterrupted run writes), and no
other file may be left in the output directory, except "OUT.tmp.PID" of the
killed process, which io_write_atomic documents for a kill in the instant
between naming its finished temp file and renaming it (counted, reported).

usage: tests/crash/crash.py TRIALS BINDIR ROM OVMF_FD
"""
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import harness  # noqa: E402


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def trial_set(t, name, argv_for, inputs, outputs, trials, scratch, rng, old=None):
    """argv_for(dir) -> argv; outputs are file names in dir. With old (bytes),
    each output exists beforehand with that content and must afterwards hold
    either it or the complete new output."""
    before = {p: sha(p) for p in inputs}
    ref = tempfile.mkdtemp(prefix=name + ".ref.", dir=scratch)
    t0 = time.monotonic()
    subprocess.run(argv_for(ref), check=True, stdout=subprocess.DEVNULL)
    runtime = time.monotonic() - t0
    want = {o: sha(os.path.join(ref, o)) for o in outputs}
    bad, complete, absent, window = [], 0, 0, 0
    for i in range(trials):
        d = tempfile.mkdtemp(prefix="%s.%d." % (name, i), dir=scratch)
        if old is not None:
            for o in outputs:
                with open(os.path.join(d, o), "wb") as f:
                    f.write(old)
        p = subprocess.Popen(argv_for(d), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, runtime * 1.3))
        try:
            p.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        for path, h in before.items():
            if sha(path) != h:
                bad.append("trial %d: input %s changed" % (i, path))
        for o in outputs:
            f = os.path.join(d, o)
            if old is None and not os.path.exists(f):
                absent += 1
            elif old is not None and os.path.exists(f) and sha(f) == hashlib.sha256(old).hexdigest():
                absent += 1  # the old file, untouched
            elif sha(f) == want[o]:
                complete += 1
            else:
                bad.append("trial %d: %s is neither absent nor complete (%d bytes)" % (i, o, os.path.getsize(f)))
        for extra in sorted(set(os.listdir(d)) - set(outputs)):
            if extra.endswith(".tmp.%d" % p.pid) and extra[:-len(".tmp.%d" % p.pid)] in outputs:
                window += 1
            else:
                bad.append("trial %d: left behind %s" % (i, extra))
        shutil.rmtree(d)
    shutil.rmtree(ref)
    t.check(not bad, "%-20s %3d kills over %.0f ms runs: %d outputs complete, %d %s, %d temp names in the rename "
            "window" % (name, trials, runtime * 1000, complete, absent, "absent" if old is None else "old and untouched",
                        window))
    for b in bad[:10]:
        print("     " + b)


def main(trials, bindir, rom, fd):
    out = os.path.abspath(os.environ.get("O", "out"))
    scratch = os.path.join(out, "test", "crash")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    rng = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    romsize, fdsplit = os.path.join(bindir, "romsize"), os.path.join(bindir, "fdsplit")
    tmpl = os.path.join(os.path.dirname(os.path.dirname(fd)), "OVMF", "OVMF_VARS_4M.fd")
    sets = [
        # big outputs so a kill lands inside the write: a ROM padded to 64 MiB
        ("romsize-pad", lambda d: [romsize, "pad", "--slot", "64M", "-o", os.path.join(d, "big.rom"), rom],
         [rom], ["big.rom"], None),
        # a unified OVMF image split in two
        ("fdsplit-split", lambda d: [fdsplit, "split", fd, "--code", os.path.join(d, "CODE.fd"),
                                     "--vars", os.path.join(d, "VARS.fd")],
         [fd], ["CODE.fd", "VARS.fd"], None),
        # replacing an existing file: the old bytes or the new, never a mix
        ("romsize-pad-replace", lambda d: [romsize, "pad", "--slot", "64M", "-o", os.path.join(d, "big.rom"), rom],
         [rom], ["big.rom"], b"old image\n" * 1000),
        # a VM's variables moved to another layout: the new store is absent or complete
        ("fdsplit-migrate", lambda d: [fdsplit, "migrate", fd, "--template", tmpl, "-o", os.path.join(d, "VARS_4M.fd")],
         [fd, tmpl], ["VARS_4M.fd"], None),
    ]
    t = harness.Tally("crash")  # one check per trial set
    for name, argv_for, inputs, outputs, old in sets:
        trial_set(t, name, argv_for, inputs, outputs, trials, scratch, rng, old=old)
    return t.close()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), *sys.argv[2:5]))
