# SPDX-License-Identifier: MIT
# romsize diff's executable specification, on the pinned Debian 12 and Debian
# 13 sets and on trees made here; and Debian 13's images read by the tools.
#   t EXIT STREAM 'TEXT' command...     (see tests/lib.sh)
R=$BIN/romsize
FD=$BIN/fdsplit
D12=$REF
D13=$(dirname "$REF")/deb13/root
S=$SCRATCH/upgrade
mkdir -p "$S"

# --- usage and I/O: exit 2 ------------------------------------------------------------
t 2 err 'romsize: diff takes two trees: OLD NEW, not 1 argument' $R diff "$D12"
t 2 err 'romsize: diff does not take --padded (diff takes --json, --manifest, --romdevs, --allow-removed, --overlay, --code and --machine)' $R diff --padded "$D12" "$D12"
t 2 err 'romsize: check does not take --allow-removed' $R check --allow-removed "$D12"
t 2 err "romsize: $S/nope: not a directory"                $R diff "$S/nope" "$D12"
mkdir -p "$S/empty"
t 2 err "romsize: $S/empty: no firmware images found"      $R diff "$D12" "$S/empty"
printf 'e1000 efi-e1000.rom pc-i440fx-1.4 extra\n' > "$S/bad-romdevs.conf"
t 2 err "romsize: $S/bad-romdevs.conf: line 1: 4 fields, expected DEVICE ROMFILE [block=NAME | MACHINE,...]" $R diff --romdevs "$S/bad-romdevs.conf" "$D12" "$D12"

# --- the same set: nothing to say ----------------------------------------------------
t 0 out '42 images: 0 changed, 0 removed, 0 added, 0 resized within their region, 42 same: every VM of the old set keeps migrating and restoring' $R diff "$D12" "$D12"
# Debian 12 padded to our slots: every region as before (bochs-display at 32K)
t 0 out '0 changed, 0 removed, 0 added'                     $R diff "$D12" "$(dirname "$REF")/padded"
t 0 out 'resized  pxe-e1000.rom: region 131072 bytes both (file 75264 -> 131072 bytes, rom)' $R diff "$D12" "$(dirname "$REF")/padded"
t 0 out 'resized  vgabios-ramfb.bin: no RAM block of its own (file 29184 -> 65536 bytes, through fw_cfg)' $R diff "$D12" "$(dirname "$REF")/padded"
t 0 out 'resized  vgabios-bochs-display.bin: region 32768 bytes both (file 28672 -> 32768 bytes, rom); devices: bochs-display' $R diff "$D12" "$(dirname "$REF")/padded"

# --- the BIOS: which machine types load the file (qom-get firmware, pkg/romdevs.conf) ----
flat "$S/bios-grown" && grow "$S/bios-grown/bios.bin" 196608 front
t 1 out 'changed  bios.bin: region 131072 -> 196608 bytes (file 131072 -> 196608 bytes, pc.bios); devices: the machine'"'"'s BIOS (isapc, pc-i440fx-1.4, pc-i440fx-1.5, pc-i440fx-1.6, pc-i440fx-1.7)' $R diff "$D12" "$S/bios-grown"

# --- a saved VM as OLD (romsize diff STATE NEW; QEMU is the judge in tests/states) -----
printf 'QEVM\0\0\0\3\7\0\0\0\15pc-i440fx-7.2\1\0\0\0\2\3ram\0\0\0\0\0\0\0\4' > "$S/short.state"
t 1 err 'the stream ends at 0x2b inside the RAM total: the block list needs more of it' $R diff "$S/short.state" "$D12"
printf 'LibvirtQemudPart' > "$S/part.save" && head -c 200 /dev/zero >> "$S/part.save"
t 1 err 'a libvirt save image still being written (LibvirtQemudPart): incomplete' $R diff "$S/part.save" "$D12"
{ printf 'LibvirtQemudSave\2\0\0\0\10\0\0\0\0\0\0\0\2\0\0\0'; head -c 60 /dev/zero; printf '<d/>\0\0\0\0BZh9'; } > "$S/bz.save"
t 1 err 'bz.save: the stream: its bzip2 data stops short at the end of the file (0x4 bytes in, 0x0 out): the file is cut' $R diff "$S/bz.save" "$D12"
{ printf 'LibvirtQemudSave\2\0\0\0\10\0\0\0\0\0\0\0\3\0\0\0'; head -c 60 /dev/zero; printf '<d/>\0\0\0\0\375\067zXZ\0\377\377\377\377'; head -c 64 /dev/zero; } > "$S/badxz.save"
t 1 err 'badxz.save: the stream: xz data at 0x64: not valid after 0xc bytes in, 0x0 out (liblzma error 9: corrupt data)' $R diff "$S/badxz.save" "$D12"
# lzop has no library: libvirt runs the program, and so does romsize; without it, it says so
{ printf 'LibvirtQemudSave\2\0\0\0\10\0\0\0\0\0\0\0\4\0\0\0'; head -c 60 /dev/zero; printf '<d/>\0\0\0\0'; printf 'QEVM' | lzop -c; } > "$S/lzo.save"
t 2 err 'lzo.save: the stream is lzop'"'"'s, and lzop (the program libvirt restores it with) is not installed' env PATH=/nonexistent $R diff "$S/lzo.save" "$D12"
t 1 err 'lzo.save (libvirt save image, lzop): the stream ends at 0x4 inside the version: the block list needs more of it' $R diff "$S/lzo.save" "$D12"
t 1 err 'not a QEMU migration stream: no "QEVM" at 0x0'        $R diff "$D12/usr/share/seabios/bios.bin" "$D12"
# a running VM: its info ramblock table (virsh qemu-monitor-command --hmp), with the domain's machine type
{ printf '              Block Name    PSize              Offset               Used              Total\r\n'
  printf '                 pc.bios    4 KiB  0x0000000008000000 0x0000000000040000 0x0000000000040000\r\n'
  printf '  0000:00:02.0/e1000.rom    4 KiB  0x0000000008080000 0x0000000000040000 0x0000000000040000\r\n'; } > "$S/vm1.ramblock"
t 0 out "$S/vm1.ramblock (info ramblock of a running VM): pc-i440fx-7.2, 2 RAM blocks, 2 from firmware files: loads on the new set" $R diff --machine pc-i440fx-7.2 "$S/vm1.ramblock" "$D12"
t 1 err 'a RAM block table names no machine type (libvirt: virsh dumpxml, <type machine=...>), and whether it loads depends on it (pc-i440fx-1.4: does not load): pass --machine TYPE' $R diff "$S/vm1.ramblock" "$D12"
t 1 out 'changed  pc.bios: 0x40000 -> 0x20000 (bios.bin 131072 bytes)' $R diff --machine pc-i440fx-1.4 "$S/vm1.ramblock" "$D12"
printf '  Block Name PSize Offset\n pc.bios 4 KiB 0x0\n' > "$S/cut.ramblock"
t 1 err 'line 1: not the header of QEMU'"'"'s info ramblock table (Block Name, PSize, Offset, Used, ...)' $R diff --machine pc "$S/cut.ramblock" "$D12"
qemu-img create -q -f qcow2 "$S/disk.qcow2" 1M
t 1 err 'a qcow2 image with no snapshot holding a VM state (0 snapshots)' $R diff "$S/disk.qcow2" "$D12"
t 2 err 'romsize: --code and --machine describe a saved state: OLD here is a tree' $R diff --code OVMF_CODE_4M.fd "$D12" "$D12"
t 2 err 'romsize: --code: the CODE'"'"'s file name in NEW (OVMF_CODE_4M.fd), no folder' $R diff --code /usr/share/OVMF/OVMF_CODE_4M.fd "$S/short.state" "$D12"
t 2 err 'with a saved state, NEW is the whole tree'            $R diff --overlay "$S/short.state" "$D12"

# --- a file only an older machine type loads: its devices, with the machine type ------
# (QEMU 7.2: pc-i440fx-1.4 loads pxe-e1000.rom for e1000; pkg/romdevs.conf, from QEMU)
flat "$S/pxe-grown" && grow "$S/pxe-grown/pxe-e1000.rom" 140000
t 1 out 'changed  pxe-e1000.rom: region 131072 -> 262144 bytes (file 75264 -> 140000 bytes, rom); devices: e1000 (pc-i440fx-1.4)' $R diff "$D12" "$S/pxe-grown"

# --- the regression this gate exists for: bochs-display padded to 64K ------------------
flat "$S/bochs64"
grow "$S/bochs64/vgabios-bochs-display.bin" 65536
t 1 out 'changed  vgabios-bochs-display.bin: region 32768 -> 65536 bytes (file 28672 -> 65536 bytes, rom); devices: bochs-display' $R diff "$D12" "$S/bochs64"
t 1 out '1 changed, 0 removed'                             $R diff "$D12" "$S/bochs64"
# an efi-virtio.rom one block past 256 KiB (Ubuntu once shipped 512 KiB): every virtio NIC
flat "$S/virtio"
grow "$S/virtio/efi-virtio.rom" $((262144 + 512))
t 1 out 'changed  efi-virtio.rom: region 262144 -> 524288 bytes (file 249344 -> 262656 bytes, rom); devices: virtio-net-pci virtio-net-pci-transitional' $R diff "$D12" "$S/virtio"
# bios.bin one 64 KiB step larger: pc.bios
flat "$S/bios"
grow "$S/bios/bios-256k.bin" $((262144 + 65536)) front
t 1 out 'changed  bios-256k.bin: region 262144 -> 327680 bytes (file 262144 -> 327680 bytes, pc.bios)' $R diff "$D12" "$S/bios"
# a removed file fails, unless removals are allowed; a size change fails regardless
flat "$S/removed"
rm "$S/removed/pxe-pcnet.rom"
t 1 out 'removed  pxe-pcnet.rom: region 131072 bytes (optionrom, file 74752 bytes)' $R diff "$D12" "$S/removed"
t 0 out '0 changed, 1 removed, 0 added, 0 resized within their region, 41 same: no QEMU-visible size changed (removed files allowed)' $R diff --allow-removed "$D12" "$S/removed"
t 1 out 'changed  vgabios-bochs-display.bin'               $R diff --allow-removed "$D12" "$S/bochs64"
# added files are fine
t 0 out 'added    pxe-pcnet.rom'                            $R diff "$S/removed" "$D12"
# a VARS template of the same size but another layout: OVMF would erase every VM's variables
flat "$S/vars"
rm "$S/vars/OVMF_VARS_4M.fd"
cp "$D12/usr/share/OVMF/OVMF_VARS_4M.fd" "$S/vars/OVMF_VARS_4M.fd"
printf '\xb8\xff\x02\x00' | dd of="$S/vars/OVMF_VARS_4M.fd" bs=1 seek=$((0x48 + 0x10)) conv=notrunc status=none
t 1 out 'changed  OVMF_VARS_4M.fd: region 540672 bytes both (file 540672 -> 540672 bytes, pflash); ' $R diff "$D12" "$S/vars"
t 1 out 'varstore'                                         $R diff "$D12" "$S/vars"

# --- an installed root and a package laid over it: QEMU's own qboot bios-microvm.bin in
# share/qemu (qemu-system-data) comes first, and a package that does not ship it leaves it
mkdir -p "$S/host"
cp -rs "$(realpath "$D12")/usr" "$S/host/"
cp "$GEN/bios-64k.bin" "$S/host/usr/share/qemu/bios-microvm.bin"
t 1 out 'changed  bios-microvm.bin: region 65536 -> 131072 bytes (file 65536 -> 131072 bytes, pc.bios)' $R diff "$S/host" "$D12"
t 0 out '0 changed, 0 removed, 0 added'                 $R diff --overlay "$S/host" "$D12"
t 1 out 'changed  vgabios-bochs-display.bin'            $R diff --overlay "$S/host" "$S/bochs64"

# --- Debian 12 -> 13: every ROM and BIOS keeps its region; the 2M OVMF images go ---------
t 1 out 'resized  efi-e1000.rom: region 262144 bytes both (file 249856 -> 262144 bytes, rom); devices: e1000 e1000-82544gc e1000-82545em' $R diff "$D12" "$D13"
t 1 out 'resized  pxe-eepro100.rom: region 131072 bytes both (file 75264 -> 109056 bytes, rom); devices: i82550' $R diff "$D12" "$D13"
for f in OVMF_CODE.fd OVMF_CODE.ms.fd OVMF_CODE.secboot.fd OVMF_VARS.fd OVMF_VARS.ms.fd; do
	t 1 out "removed  $f: region "                          $R diff "$D12" "$D13"
done
t 1 out 'changed  OVMF.fd: region 2097152 -> 4194304 bytes' $R diff "$D12" "$D13"
t 1 out '1 changed, 5 removed, 1 added'                    $R diff "$D12" "$D13"
$R diff --json "$D12" "$D13" > "$S/d13.json"
ok 'diff --json 12 -> 13: no ROM or BIOS region changes; OVMF.fd is the one change' python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
changed = [i["name"] for i in d["images"] if i["status"] == "changed"]
assert changed == ["OVMF.fd"], changed
roms = [i for i in d["images"] if i["block"] in ("rom", "pc.bios", "fw_cfg") and i["old"] and i["new"]]
assert len(roms) == 29 and all(i["old"]["region"] == i["new"]["region"] for i in roms), len(roms)
assert d["summary"] == {"same": 11, "resized": 25, "changed": 1, "removed": 5, "added": 1} and d["ok"] is False, d["summary"]
ev = [i for i in d["images"] if i["name"] == "efi-virtio.rom"][0]
assert ev["devices"] == ["virtio-net-pci", "virtio-net-pci-transitional"] and ev["new"]["path"].endswith("usr/share/qemu/efi-virtio.rom")
' "$S/d13.json"

# --- Debian 13's images: read, and at their slots as QEMU maps them ---------------------
for f in "$D13"/usr/share/qemu/*.rom "$D13"/usr/share/seabios/*.bin "$D13"/usr/share/OVMF/*.fd "$D13"/usr/share/ovmf/OVMF.fd; do
	t 0 out "$f: " $R info "$f"
done
for f in "$D13"/usr/share/qemu/efi-*.rom; do
	t 0 out "$f: ok, optionrom 262144 bytes" $R check --slot 256K "$f"
	t 0 out 'compressed'                     $R info "$f"
done
for f in "$D13"/usr/share/qemu/pxe-*.rom; do
	t 0 err "$f: note: unpadded, "           $R check "$f"
done
t 0 out 'efi x64 boot-service-driver(11) compressed 48948 -> 86528 bytes, pe machine 0x8664 subsystem 11' $R info "$D13/usr/share/qemu/efi-e1000.rom"
# Debian 12's 4M varstores work with Debian 13's CODE; its 2M ones cannot
for v in OVMF_VARS_4M.fd OVMF_VARS_4M.ms.fd OVMF_VARS_4M.snakeoil.fd; do
	t 0 out "$D12/usr/share/OVMF/$v: ok, authenticated varstore 0x84000 bytes" $FD check "$D12/usr/share/OVMF/$v" --code "$D13/usr/share/OVMF/OVMF_CODE_4M.fd"
done
for v in OVMF_VARS.fd OVMF_VARS.ms.fd; do
	t 1 err "fdsplit: $D12/usr/share/OVMF/$v: FvLength 0x20000, CODE expects 0x84000 (TDX metadata CFV raw size)" $FD check "$D12/usr/share/OVMF/$v" --code "$D13/usr/share/OVMF/OVMF_CODE_4M.fd"
done
