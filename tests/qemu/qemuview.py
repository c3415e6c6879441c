# SPDX-License-Identifier: MIT
"""QEMU's own view of the firmware it loads, asked over QMP with nothing booted.

Every question starts a QEMU with -S (the guest never runs), sends QMP commands
on stdin and reads the answers; each run has a timeout. Nothing here is a
hand-typed list: machine types come from `-machine help`, PCI device types from
qom-list-types, a device's default ROM from qom-get of its `romfile` property,
and RAM block sizes from `info ramblock`.
"""
import atexit
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")


class QemuError(Exception):
    pass


class Answers:
    """QEMU's answers kept across runs: DIR/qemu-ID.json, where ID names this
    QEMU: the sha256 of its binary and the name and size of every file in
    its data folders (`-L help`: its own, SeaBIOS's and iPXE's). A question
    asked with -S runs no guest, so its answer depends on the binary, the
    question (its files named by name and size) and those folders, nothing
    else; another QEMU, or other files in its folders, is another ID. No DIR
    (FWSLOT_QEMU_CACHE unset): nothing is kept."""
    def __init__(self, folder):
        self.path, self.lock, self.known, self.new = None, threading.Lock(), {}, 0
        if not folder:
            return
        exe = shutil.which(QEMU)
        if not exe:
            return
        h = hashlib.sha256()
        with open(exe, "rb") as f:
            h.update(f.read())
        dirs = subprocess.run([QEMU, "-L", "help"], capture_output=True, text=True, timeout=20).stdout.split()
        for d in dirs:
            try:
                names = sorted(os.listdir(d))
            except OSError:
                names = []
            for n in names:
                try:
                    size = os.path.getsize(os.path.join(d, n))
                except OSError:
                    size = None
                h.update(("%s/%s %s\n" % (os.path.realpath(d), n, size)).encode())
        self.path = os.path.join(folder, "qemu-%s.json" % h.hexdigest()[:16])
        try:
            with open(self.path) as f:
                self.known = json.load(f)
        except (OSError, ValueError):
            self.known = {}

    def get(self, key, ask):
        """ask()'s answer to the question key (JSON), from an earlier run of
        this QEMU when there is one. A QemuError is an answer too."""
        k = json.dumps(key, sort_keys=True)
        with self.lock:
            have = self.known.get(k)
        if have is None:
            try:
                have = {"answer": ask()}
            except QemuError as e:
                have = {"error": str(e)}
            with self.lock:
                self.known[k] = have
                self.new += 1
        if "error" in have:
            raise QemuError(have["error"])
        # a copy each time, as it reads back from the file: what a caller
        # does with its answer changes no other caller's
        return json.loads(json.dumps(have["answer"]))

    def save(self):
        """Writes what was asked in this run (with what earlier runs kept)."""
        if not self.path or not self.new:
            return
        with self.lock:
            try:
                with open(self.path) as f:
                    merged = json.load(f)
            except (OSError, ValueError):
                merged = {}
            merged.update(self.known)
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path + ".%d.tmp" % os.getpid(), "w") as f:
                json.dump(merged, f)
            os.replace(self.path + ".%d.tmp" % os.getpid(), self.path)
            self.new = 0


_answers = None


def answers():
    """The store of this process (FWSLOT_QEMU_CACHE)."""
    global _answers
    if _answers is None:
        _answers = Answers(os.environ.get("FWSLOT_QEMU_CACHE"))
        atexit.register(_answers.save)
    return _answers


def qmp_batch(args, commands, timeout=20):
    """Runs QEMU -S with args, sends commands [(name, arguments)], returns their
    answers in order ('return' values; an 'error' answer is a dict {'error': desc})."""
    full = [QEMU, "-accel", "tcg", "-S", "-display", "none", "-nodefaults", "-no-user-config",
            "-qmp", "stdio"] + args
    msgs = [{"execute": "qmp_capabilities"}] + [dict({"execute": n}, **({"arguments": a} if a else {}))
                                                  for n, a in commands] + [{"execute": "quit"}]
    try:
        p = subprocess.run(full, input="".join(json.dumps(m) + "\n" for m in msgs), capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise QemuError("%s: no answer in %d s" % (" ".join(args), timeout))
    answers = []
    for line in p.stdout.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if "return" in r:
            answers.append(r["return"])
        elif "error" in r:
            answers.append({"error": r["error"].get("desc", "")})
    # capabilities + commands + quit; a QEMU that refused its command line answers nothing
    if len(answers) < len(commands) + 1:
        err = p.stderr.strip().splitlines()
        raise QemuError(err[-1] if err else "QEMU exited %d" % p.returncode)
    return answers[1:len(commands) + 1]


def machine_types():
    """The pc-* machine types this QEMU lists, plus its pc and q35 aliases' targets."""
    def ask():
        out = subprocess.run([QEMU, "-machine", "help"], capture_output=True, text=True, timeout=20, check=True).stdout
        return sorted({line.split()[0] for line in out.splitlines() if line.startswith("pc-")})
    return answers().get(["machine help"], ask)


def pci_device_types():
    """Every concrete PCI device type of this QEMU."""
    def ask():
        r = qmp_batch(["-machine", "none"], [("qom-list-types", {"implements": "pci-device", "abstract": False})])[0]
        return sorted(t["name"] for t in r)
    return answers().get(["pci device types"], ask)


def default_romfile(dev, machines=("pc", "q35")):
    """(romfile, block, machine): the device's default romfile ('' for none)
    and the name of the ROM block QEMU maps for it ("e1000.rom", after the
    device's PCI path; None when it maps none), read on the first of machines
    that creates the device alone; (None, None, why) when none does."""
    why = ""
    for m in machines:
        try:
            blocks, roms = ramblocks(["-M", m], [(dev, 5)])
        except QemuError as e:
            why = str(e)
            continue
        mapped = [n.split("/", 1)[1] for n in blocks if n.startswith("0000:00:05.0/") and n.endswith(".rom")]
        return roms.get(dev, ""), (mapped[0] if mapped else None), m
    return None, None, why


def romfile_table(workers=4):
    """({device: romfile} for every PCI device type that maps its default firmware
    file as a ROM block, {device: romfile} of those whose romfile QEMU does not
    map, {device: why} for those that cannot be created alone, {device: the
    ROM block's name} for the first)."""
    return tuple(answers().get(["romfile table"], lambda: ask_romfile_table(workers)))


def ask_romfile_table(workers):
    devs = pci_device_types()
    table, unmapped, skipped, blocks = {}, {}, {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        for dev, (rom, block, how) in zip(devs, ex.map(default_romfile, devs)):
            if rom is None:
                skipped[dev] = how
            elif rom and block:
                table[dev] = rom
                blocks[dev] = block
            elif rom:
                unmapped[dev] = rom
    return table, unmapped, skipped, blocks


def machine_key(m):
    """pc-i440fx-1.10 after pc-i440fx-1.9: version parts as numbers."""
    head, _, ver = m.rpartition("-")
    return (head, tuple(int(x) if x.isdigit() else x for x in ver.split(".")))


def machine_romfiles(table, machines, workers=4):
    """Where a machine type loads another file than the default: {(device,
    machine): romfile} ('' when it loads none there), for every device of
    table ({device: default romfile}) on every machine type. Each VGA device
    gets a VM of its own (one legacy VGA per machine), the rest share VMs."""
    vgas = sorted(d for d, f in table.items() if f.startswith("vgabios"))
    rest = sorted(d for d in table if d not in vgas)
    groups = [[v] for v in vgas] + [rest[i:i + 12] for i in range(0, len(rest), 12)]

    def one(m):
        found = {}
        for g in groups:
            roms = answers().get(["romfiles", m, g], lambda: ramblocks(["-M", m], [(d, 2 + i) for i, d in enumerate(g)])[1])
            for d in g:
                if roms.get(d, "") != table[d]:
                    found[(d, m)] = roms.get(d, "")
        return found

    out = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        for found in ex.map(one, machines):
            out.update(found)
    return out


def machine_bios(machines, workers=4):
    """{machine type: the BIOS file it loads}: qom-get of /machine's firmware
    property; empty means QEMU's built-in default, bios.bin (hw/i386/x86.c
    x86_bios_rom_init)."""
    def one(m):
        ans = answers().get(["machine firmware", m], lambda: qmp_batch(
            ["-M", m], [("qom-get", {"path": "/machine", "property": "firmware"})])[0])
        return m, ans if isinstance(ans, str) and ans else "bios.bin"
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return dict(ex.map(one, machines))


MACHINE = "machine"  # pkg/romdevs.conf's name for the machine itself: the BIOS it loads into pc.bios


def parse_table(path, with_machines=False, with_blocks=False):
    """pkg/romdevs.conf: {device: romfile} of its default rows; with_machines,
    also {(device, machine): romfile} of its rows for older machine types
    (DEVICE ROMFILE MACHINE,MACHINE...); with_blocks, also {device: ROM block
    name} (DEVICE ROMFILE block=NAME)."""
    table, machines, blocks = {}, {}, {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) == 2 or (len(line) == 3 and line[2].startswith("block=")):
                table[line[0]] = line[1]
                if len(line) == 3:
                    blocks[line[0]] = line[2][len("block="):]
            elif len(line) == 3:
                for m in line[2].split(","):
                    machines[(line[0], m)] = line[1]
            else:
                raise ValueError("%s: want DEVICE ROMFILE [block=NAME | MACHINE,...]: %s" % (path, " ".join(line)))
    if not with_blocks:  # the machine's own BIOS row is no PCI device
        table.pop(MACHINE, None)
        machines = {k: v for k, v in machines.items() if k[0] != MACHINE}
    out = (table,) + ((machines,) if with_machines else ()) + ((blocks,) if with_blocks else ())
    return out if len(out) > 1 else table


RAMBLOCK = re.compile(r"^\s*(\S+)\s+\S+\s+\S+\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s*$")


def parse_ramblocks(text):
    """{block name: (used, total)} from `info ramblock`."""
    blocks = {}
    for line in text.splitlines():
        m = RAMBLOCK.match(line)
        if m:
            blocks[m.group(1)] = (int(m.group(3), 16), int(m.group(4), 16))
    return blocks


def ramblocks(args, devices):
    """Starts one VM with args and devices [(type, addr)], returns (blocks,
    {type: romfile it loaded}); raises QemuError if QEMU refuses the set."""
    dargs = []
    for i, (dev, addr) in enumerate(devices):
        dargs += ["-device", "%s,id=d%d,addr=0x%x" % (dev, i, addr)]
    cmds = [("human-monitor-command", {"command-line": "info ramblock"})]
    cmds += [("qom-get", {"path": "/machine/peripheral/d%d" % i, "property": "romfile"}) for i in range(len(devices))]
    ans = qmp_batch(args + dargs, cmds)
    roms = {dev: (r if isinstance(r, str) else "") for (dev, _), r in zip(devices, ans[1:])}
    if not isinstance(ans[0], str):
        raise QemuError("info ramblock: %s" % ans[0])
    return parse_ramblocks(ans[0]), roms
