# SPDX-License-Identifier: MIT
"""QEMU test harness shared by tests/boot and tests/migrate.

Every QEMU run has a deadline and is killed with its whole process group when
the case ends, passed or not. Cases run two at a time; each prints one line
(name, result, seconds) and a failing case prints the log lines around what
was missing. KVM is used when /dev/kvm works and is fast enough (a SeaBIOS
probe boot must finish in 3 s and an OVMF one reach its boot manager in 10 s),
TCG otherwise; FWSLOT_ACCEL=kvm|tcg forces one. A nested KVM can pass the
SeaBIOS probe and still stop OVMF with "KVM internal error" (x87 emulation),
which is why both are probed.
"""
import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
SEABIOS_BANNER = "SeaBIOS (version "
BOOT_MARKER = "fwslot: boot sector reached"
SERCON = b"\xf8\x03"  # SeaBIOS etc/sercon-port: copy the screen to COM1


class Fail(Exception):
    """A case's verdict: what was expected, and the evidence."""

    def __init__(self, what, log=None, needle=None):
        super().__init__(what)
        self.what = what
        self.log = log
        self.needle = needle
        self.exit = None  # a VM that ended before its QMP answered: its exit status


def tail_around(text, needle, lines=12):
    """The last lines of a log, or the lines around the first hit of needle."""
    rows = text.splitlines()
    if needle:
        for i, r in enumerate(rows):
            if needle in r:
                return "\n".join(rows[max(0, i - lines // 2): i + lines // 2])
    return "\n".join(rows[-lines:])


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except FileNotFoundError:
        return ""


class Qmp:
    def __init__(self, path, deadline, proc, logs):
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if proc.poll() is not None:
                    raise Fail("QEMU exited (%d) before its QMP socket appeared" % proc.returncode, logs())
                if time.monotonic() > deadline:
                    raise Fail("QMP socket never appeared", logs())
                time.sleep(0.02)
        self.sock.settimeout(max(1.0, deadline - time.monotonic()))
        self.f = self.sock.makefile("rw")
        self.proc, self.logs = proc, logs
        try:
            self.f.readline()  # greeting
        except OSError as e:
            raise Fail("QMP: %s (QEMU exit %s)" % (e, proc.poll()), logs())
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        try:
            self.f.write(json.dumps(msg) + "\n")
            self.f.flush()
        except OSError as e:
            raise Fail("QMP %s: %s (QEMU exit %s)" % (name, e, self.proc.poll()), self.logs())
        while True:
            try:
                line = self.f.readline()
            except OSError as e:
                raise Fail("QMP %s: %s (QEMU exit %s)" % (name, e, self.proc.poll()), self.logs())
            if not line:
                raise Fail("QMP: QEMU closed the connection during %s" % name)
            r = json.loads(line)
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise Fail("QMP %s: %s" % (name, r["error"].get("desc")))

    def hmp(self, line):
        """A human monitor command (`info ramblock`, `savevm NAME`); its text."""
        return self.cmd("human-monitor-command", **{"command-line": line})

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Once:
    """A run several cases share: the first case to ask runs it, the others
    wait for its result (or its failure, raised in each of them)."""
    def __init__(self, fn):
        self.fn, self.lock, self.done, self.result, self.error = fn, threading.Lock(), False, None, None

    def get(self, ctx):
        with self.lock:
            if not self.done:
                try:
                    self.result = self.fn(ctx)
                except Exception as e:  # noqa: BLE001 (each case reports it)
                    self.error = e
                self.done = True
        if self.error is not None:
            raise self.error
        return self.result


class Vm:
    """One QEMU process in its own directory, killed on exit whatever happens."""

    def __init__(self, ctx, args, name="vm", qmp=True, timeout=30):
        self.dir = tempfile.mkdtemp(prefix=name + ".", dir=ctx.scratch)
        self.debug = os.path.join(self.dir, "debugcon.log")
        self.serial = os.path.join(self.dir, "serial.log")
        self.stderr = os.path.join(self.dir, "stderr.log")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.deadline = time.monotonic() + timeout
        self.qmp = None
        full = [QEMU, "-accel", ctx.accel, "-display", "none", "-no-user-config",
                "-chardev", "file,id=dbg,path=" + self.debug,
                "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
                "-serial", "file:" + self.serial] + args
        if qmp:
            full += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self.args = full
        self.errf = open(self.stderr, "w")
        # a process group of its own (killpg), in this session: with the kernel's
        # autogroups a new session would be scheduled as an equal of the whole test
        # run, whatever the lane's nice says (and starve the suites beside it)
        self.proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=self.errf, stderr=self.errf,
                                     process_group=0, cwd=self.dir)
        if qmp:
            try:
                self.qmp = Qmp(self.qmp_path, self.deadline, self.proc, self.logs)
            except Fail as f:
                self.kill()
                f.exit = self.proc.returncode  # QEMU gone by now (killed if it was not): how it ended
                raise
            except BaseException:
                self.kill()
                raise

    def left(self):
        return max(0.1, self.deadline - time.monotonic())

    def wait(self):
        """Waits for QEMU to exit by itself before the deadline; returns its status."""
        try:
            return self.proc.wait(timeout=self.left())
        except subprocess.TimeoutExpired:
            raise Fail("QEMU still running after its deadline", self.logs())

    def wait_for(self, path, needle, what):
        while time.monotonic() < self.deadline:
            if needle in read(path):
                return
            if self.proc.poll() is not None:
                raise Fail("%s: QEMU exited (%s) before it" % (what, self.proc.returncode), self.logs(), needle)
            if KVM_BROKEN in read(self.stderr):
                raise Fail("%s: not seen: %s (this host's KVM cannot run the guest; FWSLOT_ACCEL=tcg)"
                           % (what, KVM_BROKEN), self.logs(), KVM_BROKEN)
            time.sleep(0.05)
        raise Fail("%s: not seen within the deadline" % what, self.logs(), needle)

    def status(self):
        return self.qmp.cmd("query-status")["status"]

    def logs(self):
        return "\n".join("[%s]\n%s" % (os.path.basename(p), read(p)) for p in (self.stderr, self.debug, self.serial)
                         if read(p))

    def kill(self):
        if self.qmp:
            self.qmp.close()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.errf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False


KVM_BROKEN = "KVM internal error"


def probe_ovmf_kvm(scratch, ovmf, timeout=10):
    """None when OVMF (code, vars template) reaches BdsDxe under KVM in time, else why not."""
    code, template = map(os.path.abspath, ovmf)  # QEMU runs in the Vm's own folder
    nvram = os.path.join(tempfile.mkdtemp(prefix="kvm-probe-ovmf.", dir=scratch), "vars.fd")
    shutil.copyfile(template, nvram)
    try:
        with Vm(Ctx(scratch, "kvm"), ["-M", "q35", "-nic", "none",
                                      "-drive", "if=pflash,format=raw,readonly=on,file=" + code,
                                      "-drive", "if=pflash,format=raw,file=" + nvram],
                name="kvm-probe-ovmf", qmp=False, timeout=timeout) as vm:
            vm.wait_for(vm.serial, "BdsDxe", "BdsDxe")
        return None
    except Fail as f:
        return f.what


def probe_accel(scratch, bootsect, ovmf=None):
    """KVM when asked for, or when /dev/kvm opens, boots the SeaBIOS probe in 3 s
    and (given ovmf=(code, vars template)) OVMF's probe to its boot manager."""
    want = os.environ.get("FWSLOT_ACCEL", "auto")
    if want in ("kvm", "tcg"):
        return want, "FWSLOT_ACCEL=" + want
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        return "tcg", "no usable /dev/kvm (%s)" % e.strerror
    log = os.path.join(scratch, "kvm-probe.log")
    try:
        r = subprocess.run([QEMU, "-accel", "kvm", "-M", "pc", "-display", "none", "-nic", "none",
                            "-chardev", "file,id=dbg,path=" + log, "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
                            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                            "-drive", "file=%s,format=raw,if=ide,snapshot=on" % bootsect],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=3)
        if r.returncode != 33 or BOOT_MARKER not in read(log):
            return "tcg", "/dev/kvm opens but the KVM probe boot failed (exit %d)" % r.returncode
    except subprocess.TimeoutExpired:
        return "tcg", "/dev/kvm opens but a KVM boot takes over 3 s (nested?)"
    if ovmf:
        why = probe_ovmf_kvm(scratch, ovmf)
        if why:
            return "tcg", "/dev/kvm boots SeaBIOS but not OVMF: " + why
    return "kvm", "/dev/kvm works" + (" (SeaBIOS and OVMF probes)" if ovmf else "")


# The UEFI test image (tests/boot/test-image.c, built with gnu-efi at test time):
# it prints RAN, then keeps the non-volatile variable FwslotTest (sets it, or
# prints its value); Debian's UEFI Shell refuses to run under Secure Boot at all
RAN = "fwslot: test image ran"
REFUSED = "Access Denied"
VAR_SET = "fwslot: FwslotTest set: Success"
VAR_READ = "fwslot: FwslotTest=written-by-the-first-firmware attributes 0x7"


def unsigned_image_verdict(serial, timeout):
    """What became of the test image in a VM whose serial goes to the file
    serial (libvirt's VMs, not a Vm): "ran", "refused" (Secure Boot), or None
    when neither was printed within timeout seconds."""
    t0 = time.monotonic()
    while True:
        log = read(serial)
        if RAN in log:
            return "ran"
        if REFUSED in log:
            return "refused"
        if time.monotonic() - t0 >= timeout:
            return None
        time.sleep(0.5)


def build_test_image(scratch, mode=None, churn_size=None):
    """tests/boot/test-image.c as a UEFI application (gnu-efi), unsigned;
    mode "churn", "dump" or "tick" builds its variable-churning, -dumping or
    forever-ticking variant; churn_size: the churned variables' size (the
    source's CHURN_SIZE when None)."""
    stem = "test-image" + ("-" + mode if mode else "") + ("-%d" % churn_size if churn_size else "")
    o, so, efi = (os.path.join(scratch, stem + x) for x in (".o", ".so", ".efi"))
    defs = (["-DFWSLOT_" + mode.upper()] if mode else []) + (["-DCHURN_SIZE=%d" % churn_size] if churn_size else [])
    for cmd in (["gcc", "-c", "-O2", "-fno-stack-protector", "-fpic", "-fshort-wchar", "-mno-red-zone"] + defs +
                ["-maccumulate-outgoing-args", "-DGNU_EFI_USE_MS_ABI", "-I/usr/include/efi",
                 "-I/usr/include/efi/x86_64", os.path.join(os.path.dirname(__file__), "..", "boot", "test-image.c"), "-o", o],
                ["ld", "-nostdlib", "-znocombreloc", "-T", "/usr/lib/elf_x86_64_efi.lds", "-shared", "-Bsymbolic",
                 "-L/usr/lib", "/usr/lib/crt0-efi-x86_64.o", o, "-o", so, "-lefi", "-lgnuefi"],
                ["objcopy", "-j", ".text", "-j", ".sdata", "-j", ".data", "-j", ".dynamic", "-j", ".dynsym",
                 "-j", ".rel", "-j", ".rela", "-j", ".reloc", "--target=efi-app-x86_64", so, efi]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("boot: building the UEFI test image failed: %s: %s" % (cmd[0], r.stderr.strip()))
    return efi


def snakeoil_signed(scratch, efi, keys, tag):
    """efi signed (sbsigntool) with the snakeoil key pair in the folder keys
    (a root's usr/share/ovmf: Debian 12 ships the 2020 key, edk2 2025.02's
    source the 2023 one); returns the signed file, scratch/NAME-snakeoil-TAG.efi.
    Debian's snakeoil key is encrypted with the pass phrase "snakeoil"
    (debian/tests/shell.py); sbsign wants it in the clear."""
    stem = os.path.join(scratch, "%s-snakeoil-%s" % (os.path.basename(efi)[:-len(".efi")], tag))
    clear, signed = stem + ".key", stem + ".efi"
    subprocess.run(["openssl", "rsa", "-in", os.path.join(keys, "PkKek-1-snakeoil.key"), "-passin", "pass:snakeoil",
                    "-out", clear], check=True, capture_output=True)
    subprocess.run(["sbsign", "--key", clear, "--cert", os.path.join(keys, "PkKek-1-snakeoil.pem"),
                    "--output", signed, efi], check=True, capture_output=True)
    return signed


def efi_disk(scratch, efi):
    """A FAT disk (mtools) whose removable-media path \\EFI\\BOOT\\BOOTX64.EFI is efi."""
    disk = os.path.join(scratch, os.path.basename(efi) + ".img")
    subprocess.run(["mformat", "-C", "-i", disk, "-T", "65536", "-h", "16", "-s", "32", "::"], check=True,
                   capture_output=True)
    subprocess.run(["mmd", "-i", disk, "::/EFI", "::/EFI/BOOT"], check=True)
    subprocess.run(["mcopy", "-i", disk, efi, "::/EFI/BOOT/BOOTX64.EFI"], check=True)
    return disk



def ovmf_disk_args(code, vars_path, disk, secure=False):
    """QEMU arguments for OVMF (CODE, the VM's own VARS file) on q35 with a FAT
    disk. secure: SMM and a secure pflash, as Secure Boot builds need (and S3
    off for a 2M one)."""
    args = ["-M", "q35" + (",smm=on" if secure else ""), "-m", "256",
            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + os.path.abspath(code),
            "-drive", "if=pflash,format=raw,unit=1,file=" + os.path.abspath(vars_path),
            "-drive", "file=%s,format=raw,if=virtio,snapshot=on" % os.path.abspath(disk), "-vga", "none", "-nic", "none"]
    if secure:
        args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        if os.path.getsize(code) < 0x200000:
            args += ["-global", "ICH9-LPC.disable_s3=1"]  # the 2M SMM build's X64 PEI
    return args


def ovmf_boot_disk(ctx, code, vars_path, disk, needle, secure=False, timeout=90):
    """Boots OVMF from a FAT disk (ovmf_disk_args) until needle is on serial;
    returns the serial log."""
    args = ovmf_disk_args(code, vars_path, disk, secure)
    with Vm(ctx, args, "ovmf-disk", timeout=timeout) as vm:
        vm.wait_for(vm.serial, needle, needle)
        time.sleep(0.3)  # the rest of what it prints
        log = read(vm.serial)
        vm.qmp.cmd("quit")
        vm.proc.wait(timeout=vm.left())  # the varstore is complete once QEMU is gone
    return log


class Tally:
    """A suite's checks: one line each ("ok"/"FAIL" and what), closed by
    "# NAME: P passed, F failed", the line tests/run.sh counts."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, good, text, quiet=False):
        """Counts one check; quiet: print it only when it fails (long tables)."""
        good = bool(good)
        if not (quiet and good):
            print("%-4s %s" % ("ok" if good else "FAIL", text), flush=True)
        self.passed, self.failed = self.passed + good, self.failed + (not good)
        return good

    def close(self):
        print("# %s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def agree(theirs, ours):
    """Two sets compared: the same verdict, and a verdict from each. Returns
    (good, why); None on either side is no verdict, and never agrees, not
    even with another None (both sides timing out proves nothing)."""
    if theirs is None or ours is None:
        return False, "no verdict from %s" % ("either" if theirs is ours else "Debian's" if theirs is None else "ours")
    if theirs != ours:
        return False, "%s, expected %s" % (ours, theirs)
    return True, str(ours)


class Ctx:
    def __init__(self, scratch, accel):
        self.scratch = scratch
        self.accel = accel

    def rom_dir(self, name, files):
        """A -L folder holding exactly the given {default name: file}."""
        d = tempfile.mkdtemp(prefix=name + ".L.", dir=self.scratch)
        for dst, src in files.items():
            if not os.path.isfile(src):
                raise Fail("missing image %s" % src)
            os.symlink(os.path.abspath(src), os.path.join(d, dst))
        return d


def run_cases(title, cases, ctx, json_out, workers=2):
    """cases: [(name, fn(ctx))]; fn raises Fail. Prints a line per case and the tally."""
    results = []
    only = os.environ.get("FWSLOT_CASES")  # run only cases whose name has this
    if only:
        cases = [c for c in cases if only in c[0]]

    def one(case):
        name, fn = case
        t0 = time.monotonic()
        try:
            detail = fn(ctx) or ""
            ok, why, ev = True, detail, None
        except Fail as f:
            ok, why, ev = False, f.what, tail_around(f.log, f.needle) if f.log else None
        except Exception as e:  # a harness bug is a failure, not a crash
            ok, why, ev = False, "%s: %s" % (type(e).__name__, e), None
        return {"case": name, "ok": ok, "seconds": round(time.monotonic() - t0, 2), "detail": why, "evidence": ev}

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        for r in ex.map(one, cases):
            results.append(r)
            print("%-4s %-58s %6.2f s  %s" % ("ok" if r["ok"] else "FAIL", r["case"], r["seconds"], r["detail"]),
                  flush=True)
            if not r["ok"] and r["evidence"]:
                print("\n".join("     | " + x for x in r["evidence"].splitlines()[-24:]), flush=True)
    wall = round(time.monotonic() - t0, 1)
    p = sum(1 for r in results if r["ok"])
    f = len(results) - p
    if not results:
        f = 1  # an empty matrix proves nothing
        print("FAIL %s: no case ran" % title)
    os.makedirs(os.path.dirname(json_out) or ".", exist_ok=True)
    with open(json_out, "w") as fh:
        json.dump({"suite": title, "accel": ctx.accel, "wall_seconds": wall, "passed": p, "failed": f,
                   "cases": results}, fh, indent=1)
    print("%s: %d cases in %.1f s wall (%s), details in %s" % (title, len(results), wall, ctx.accel, json_out))
    print("# %s: %d passed, %d failed" % (title, p, f))
    return 0 if f == 0 else 1


def setup(title):
    """Common start: scratch dir, the boot sector, the accelerator."""
    out = os.path.abspath(os.environ.get("O", "out"))
    scratch = os.path.abspath(os.path.join(out, "test", "qemu-" + title + os.environ.get("FWSLOT_SCRATCH_SUFFIX", "")))
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    bootsect = os.path.join(scratch, "bootsect.bin")
    subprocess.run(["nasm", "-f", "bin", "-o", bootsect, "tests/boot/bootsect.asm"], check=True)
    # a 1 MiB disk: SeaBIOS's AHCI driver (q35) wants more than one sector
    with open(bootsect, "r+b") as f:
        f.truncate(1 << 20)
    ovmf_dir = os.path.join(out, "ref", "root", "usr", "share", "OVMF")
    ovmf = (os.path.join(ovmf_dir, "OVMF_CODE_4M.fd"), os.path.join(ovmf_dir, "OVMF_VARS_4M.fd"))
    # probed once per test run (tests/run.sh empties out/test): a probe that times out costs 3 s a suite
    cache = os.path.join(out, "test", "accel")
    if os.path.exists(cache) and "FWSLOT_ACCEL" not in os.environ:
        with open(cache) as f:
            accel, why = f.read().split(" ", 1)
        why = why.strip() + "; probed earlier in this run"
    else:
        accel, why = probe_accel(scratch, bootsect, ovmf if all(map(os.path.isfile, ovmf)) else None)
        with open(cache, "w") as f:
            f.write("%s %s\n" % (accel, why))
    print("%s: accelerator %s (%s)" % (title, accel, why), flush=True)
    return out, scratch, bootsect, Ctx(scratch, accel)
