#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed corpora for the fuzz harnesses, from the Debian reference images and
the tests' generated fixtures, kept small: whole ROMs and 2M varstores, only
the headers of the big images, and a synthetic small OVMF CODE (a 4 KiB
volume followed by the real CODE's last 4 KiB: GUID table and TDX metadata).

usage: tests/fuzz/seeds.py OUTDIR REF_ROOT GEN_DIR
"""
import bz2
import gzip
import lzma
import os
import struct
import subprocess
import sys
import zlib


def fv_sum_fix(b):
    """Sets the FV header checksum (u16 at 0x32) so the header sums to 0."""
    hlen = struct.unpack_from("<H", b, 0x30)[0]
    struct.pack_into("<H", b, 0x32, 0)
    s = sum(struct.unpack_from("<%dH" % (hlen // 2), b, 0)) & 0xFFFF
    struct.pack_into("<H", b, 0x32, (0x10000 - s) & 0xFFFF)


def variables(store):
    """(name, decoder, data) of the live PK, KEK, db, dbx, Boot#### and ConOut of an
    authenticated varstore (60-byte headers after the 0x48 FV and 0x1c store headers)."""
    off, found = 0x48 + 0x1c, []
    while off + 60 <= len(store) and store[off:off + 2] == b"\xaa\x55":
        state = store[off + 2]
        nsize, dsize = struct.unpack_from("<II", store, off + 0x24)
        name = store[off + 60:off + 60 + nsize].decode("utf-16-le", "replace").rstrip("\0")
        data = store[off + 60 + nsize:off + 60 + nsize + dsize]
        if state == 0x3F:
            if name in ("PK", "KEK", "db", "dbx"):
                found.append((name, 0, data))
            elif name.startswith("Boot0"):
                found.append((name, 2, data))
            elif name == "ConOut":
                found.append((name, 1, data))
        off = (off + 60 + nsize + dsize + 3) & ~3
    return found


def zstd_c(data):
    return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout


def main(out, ref, gen):
    seabios, ipxe, ovmf = (os.path.join(ref, p) for p in ("usr/share/seabios", "usr/lib/ipxe/qemu", "usr/share/OVMF"))
    rd = lambda p: open(p, "rb").read()  # noqa: E731
    seeds = {k: {} for k in ("optrom", "image", "fv", "varstore", "ovmfcode", "slots", "size", "efidecomp", "varmigrate",
                             "savedstate", "keys")}
    for n in ("pxe-e1000.rom", "efi-e1000.rom", "pxe-virtio.rom"):
        seeds["optrom"][n] = seeds["image"][n] = rd(os.path.join(ipxe, n))
    for n in ("vgabios-stdvga.bin", "vgabios-ramfb.bin"):
        seeds["optrom"][n] = seeds["image"][n] = rd(os.path.join(seabios, n))
    seeds["image"]["bios.bin"] = rd(os.path.join(seabios, "bios.bin"))
    for n in sorted(os.listdir(gen)):
        data = rd(os.path.join(gen, n))
        if len(data) <= 256 << 10:
            seeds["optrom"]["gen-" + n] = seeds["image"]["gen-" + n] = data
    vars2m, ms2m = rd(os.path.join(ovmf, "OVMF_VARS.fd")), rd(os.path.join(ovmf, "OVMF_VARS.ms.fd"))
    seeds["varstore"]["OVMF_VARS.fd"] = vars2m
    seeds["varstore"]["OVMF_VARS.ms.fd"] = ms2m
    seeds["varmigrate"]["OVMF_VARS.fd"] = vars2m
    seeds["varmigrate"]["OVMF_VARS.ms.fd"] = ms2m
    # stores caught mid-write (gen_vars_torn): the FTW start-up's every branch
    for n in sorted(os.listdir(gen)):
        if n.startswith("torn-"):
            seeds["varstore"][n] = seeds["varmigrate"][n] = rd(os.path.join(gen, n))
    # keys and boot options: each variable's data behind the byte that picks its decoder
    # (fuzz_keys.c: 0 signature lists, 1 device path, 2 load option)
    for name, sel, data in variables(ms2m):
        seeds["keys"][name] = bytes([sel]) + data
    seeds["image"]["OVMF_VARS.fd"] = vars2m
    seeds["fv"]["vars-head"] = vars2m[:0x1000]
    for code in ("OVMF_CODE.fd", "OVMF_CODE_4M.fd"):
        c = rd(os.path.join(ovmf, code))
        seeds["fv"][code + "-head"] = c[:0x1000]
        head = bytearray(c[:0x1000])
        struct.pack_into("<Q", head, 0x20, 0x1000)          # FvLength
        struct.pack_into("<II", head, 0x38, 1, 0x1000)      # block map: 1 x 4 KiB
        struct.pack_into("<II", head, 0x40, 0, 0)
        fv_sum_fix(head)
        seeds["ovmfcode"][code + "-small"] = bytes(head) + c[-0x1000:]
    # EFI-compressed streams: generated ones, and Debian 13's efi ROMs (the stream
    # starts at the EFI image's EfiImageHeaderOffset) when that set is fetched
    seeds["efidecomp"]["gen-stream"] = rd(os.path.join(gen, "efi-stream.bin"))
    deb13 = os.path.join(os.path.dirname(ref), "deb13", "root", "usr", "share", "qemu")
    for n in ("efi-e1000.rom", "efi-virtio.rom"):
        p = os.path.join(deb13, n)
        if os.path.exists(p):
            rom = rd(p)
            seeds["optrom"]["deb13-" + n] = seeds["image"]["deb13-" + n] = rom
            img = rom[2] * 512  # the legacy image: its size byte, in 512-byte units
            pe = struct.unpack_from("<H", rom, img + 0x16)[0]
            seeds["efidecomp"]["deb13-" + n] = rom[img + pe:]
    seeds["slots"]["slots.conf"] = rd("pkg/slots.conf")
    seeds["slots"]["one"] = b"pxe-e1000.rom 128K optionrom 8086:100e\n"
    seeds["slots"]["guid"] = b"96b582de-1fb2-45f7-baea-a366c55a082d"
    for i, s in enumerate(("128K", "0x10000", "64KiB", "2M", "65536", "4k")):
        seeds["size"]["s%d" % i] = s.encode()
    # saved states: a stream as QEMU 7.2 writes one (pc, e1000), without its configuration
    # (machine types 2.3 and older), and a qcow2 image whose snapshot holds it
    blocks = [(b"pc.ram", 0x8000000), (b"/rom@etc/acpi/tables", 0x20000), (b"pc.bios", 0x40000),
              (b"0000:00:02.0/e1000.rom", 0x40000), (b"pc.rom", 0x20000)]
    ram = struct.pack(">B", 1) + struct.pack(">I", 2) + b"\x03ram" + struct.pack(">II", 0, 4)
    ram += struct.pack(">Q", sum(n for _, n in blocks) | 4)
    ram += b"".join(struct.pack(">B", len(k)) + k + struct.pack(">Q", n) for k, n in blocks) + struct.pack(">Q", 0x10)
    machine = b"pc-i440fx-7.2"
    stream = b"QEVM" + struct.pack(">I", 3) + b"\x07" + struct.pack(">I", len(machine)) + machine + ram + b"\x7e\0\0\0\x02"
    seeds["savedstate"]["stream"] = stream
    seeds["savedstate"]["stream-2.3"] = b"QEVM" + struct.pack(">I", 3) + ram
    q = bytearray(0xa00)
    struct.pack_into(">IIIIQ", q, 0, 0x514649fb, 3, 0, 0, 0)
    struct.pack_into(">IQ", q, 20, 9, 0x8000)
    struct.pack_into(">IQ", q, 60, 1, 0x200)
    struct.pack_into(">QIHH", q, 0x200, 0x400, 2, 1, 4)
    struct.pack_into(">II", q, 0x220, len(stream), 16)
    struct.pack_into(">QQ", q, 0x228, len(stream), 0x8000)
    q[0x238:0x23d] = b"1snap"
    struct.pack_into(">Q", q, 0x408, 0x600)
    struct.pack_into(">Q", q, 0x600, 0x800)
    q[0x800:0x800 + len(stream)] = stream
    seeds["savedstate"]["qcow2"] = bytes(q)
    # the state's cluster compressed as QEMU writes one (raw deflate, 4 KiB window; a zstd
    # frame in an image whose header says zstd), and the stream as each compressor wraps it
    cluster = bytes(q[0x800:0xa00])
    zc = zlib.compressobj(6, zlib.DEFLATED, -12)
    for kind, packed in (("zlib", zc.compress(cluster) + zc.flush()), ("zstd", zstd_c(cluster))):
        c = bytearray(q)
        c[0x800:0xa00] = bytes(0x200)
        c[0x800:0x800 + len(packed)] = packed
        struct.pack_into(">Q", c, 0x600, 1 << 62 | ((0x800 + len(packed) - 1) >> 9) - (0x800 >> 9) << 61 | 0x800)
        if kind == "zstd":
            struct.pack_into(">Q", c, 72, 8)
            struct.pack_into(">I", c, 100, 112)
            c[104] = 1
        seeds["savedstate"]["qcow2-" + kind] = bytes(c)
    seeds["savedstate"]["stream.gz"] = gzip.compress(stream)
    seeds["savedstate"]["stream.bz2"] = bz2.compress(stream)
    seeds["savedstate"]["stream.xz"] = lzma.compress(stream)
    seeds["savedstate"]["stream.zst"] = zstd_c(stream)
    # the same VM running: its info ramblock table, as QEMU 7.2's HMP prints it
    table = "%24s %8s  %18s %18s %18s\r\n" % ("Block Name", "PSize", "Offset", "Used", "Total")
    table += "".join("%24s %8s  0x%016x 0x%016x 0x%016x\r\n" % (k.decode(), "4 KiB", 0, n, n) for k, n in blocks)
    seeds["savedstate"]["ramblock"] = table.encode()
    for k, files in seeds.items():
        d = os.path.join(out, k)
        os.makedirs(d, exist_ok=True)
        for n, data in files.items():
            with open(os.path.join(d, n), "wb") as f:
                f.write(data)
    print("fuzz seeds: " + ", ".join("%s %d" % (k, len(v)) for k, v in seeds.items()))


if __name__ == "__main__":
    main(*sys.argv[1:4])
