# SPDX-License-Identifier: MIT
# The Debian 12 reference images (seabios, ipxe-qemu, ovmf at pinned versions):
# all parse and all pass `romsize check` as shipped, because QEMU maps each to
# the region its slot promises (unpadded ROMs with a note); `--padded` fails
# exactly the unpadded ones; padded ones pass with the same chains and checksums.
R=$BIN/romsize
S=$SCRATCH/reference
mkdir -p "$S/padded"
REF_FILES=$(ls "$REF"/usr/share/seabios/*.bin "$REF"/usr/lib/ipxe/qemu/*.rom "$REF"/usr/share/OVMF/*.fd "$REF"/usr/share/ovmf/OVMF.fd)

ok 'the reference set has 42 images (38 files, 4 symlinks)' test "$(echo "$REF_FILES" | wc -l)" = 42
for f in $REF_FILES; do
	t 0 out "$f: " $R info "$f"
	case $(basename "$f") in
	*.fd|bios*.bin) t 0 out "$f: ok" $R check "$f"
	                t 0 out "$f: ok" $R check --padded "$f" ;;      # shipped at their exact size
	vgabios.bin|vgabios-isavga.bin|vgabios-ramfb.bin)
	                t 0 err 'note: unpadded, ' $R check "$f"
	                t 0 err 'ISA-style ROM (no PCIR), no RAM block of its own' $R check "$f"
	                t 1 err 'bytes short of the'  $R check --padded "$f" ;;
	*)              t 0 err 'note: unpadded, ' $R check "$f"
	                t 0 err ' KiB = slot'  $R check "$f"          # shipped unpadded, same region
	                t 1 err 'bytes short of the'  $R check --padded "$f" ;;
	esac
done
# what Debian ships, and what QEMU maps
t 0 out 'efi-e1000.rom: optionrom, 249856 bytes, region 256 KiB (pow2ceil), slot 256 KiB, used 249856, free 12288' $R info $REF/usr/lib/ipxe/qemu/efi-e1000.rom
t 0 out 'image 1 @0x12600: efi, 174592 bytes (init 174592), pci 8086:100e, class 020000, pcir rev 0 len 0x18, last, efi x64 boot-service-driver(11) uncompressed 174536 bytes, pe machine 0x8664 subsystem 11' $R info $REF/usr/lib/ipxe/qemu/efi-e1000.rom
t 0 out 'pxe-virtio.rom: optionrom, 75776 bytes, region 128 KiB' $R info $REF/usr/lib/ipxe/qemu/pxe-virtio.rom
t 0 out 'pci 1af4:1041'                                $R info $REF/usr/lib/ipxe/qemu/pxe-virtio.rom
t 0 out 'no PCIR (ISA style)'                          $R info $REF/usr/share/seabios/vgabios-ramfb.bin
t 0 out 'leading zero padding 2016 bytes'              $R info $REF/usr/share/seabios/bios.bin
t 0 out 'leading zero padding 75552 bytes'             $R info $REF/usr/share/seabios/bios-256k.bin
t 0 out 'fff12b8d-7696-4c8b-a985-2747075b4f50 (EfiSystemNvDataFv), FvLength 0x20000, variable store (VARS)' $R info $REF/usr/share/ovmf/OVMF.fd
t 0 out 'second volume @0x20000: unified image'        $R info $REF/usr/share/ovmf/OVMF.fd
t 1 err 'flash images are never padded'                $R pad -o $S/x.fd $REF/usr/share/OVMF/OVMF_CODE_4M.fd
t 1 err 'seabios/bios-256k.bin: 262144 bytes exceeds the 128 KiB slot by 131072 bytes' $R pad --slot 128K -o $S/x.bin $REF/usr/share/seabios/bios-256k.bin

# pad everything that is not flash to its manifest slot
t 0 - '' $R pad -o $S/padded $REF/usr/share/seabios/*.bin $REF/usr/lib/ipxe/qemu/*.rom
t 0 - '' $R check --min-free 1K --strict --padded $S/padded
t 1 err 'only 2016 bytes free in the 128 KiB slot'     $R check --min-free 4K --strict $S/padded/bios.bin
for f in $S/padded/*; do
	orig=$(ls $REF/usr/share/seabios/$(basename $f) $REF/usr/lib/ipxe/qemu/$(basename $f) 2>/dev/null)
	$R info --json "$orig" > $S/a.json
	$R info --json "$f" > $S/b.json
	ok "$(basename $f): padded chain parses as before, checksums hold" python3 -c '
import json,sys
a=json.load(open(sys.argv[1]))["files"][0]; b=json.load(open(sys.argv[2]))["files"][0]
assert a.get("images")==b.get("images"), "images differ"
assert all(i["checksum_ok"] in (True,None) for i in b.get("images",[]))
assert a["used"]==b["used"] and b["size"]==b["slot"] and b["ok"]
' $S/a.json $S/b.json
done

# every corrupted copy the sweep kept: exit 1 with a message, never a crash
# (counted with the sweep in the closing lines)
sweep_cli_before=$pass
for f in $SCRATCH/corrupt/*; do
	t 1 err "romsize: $f: " $R info "$f"
	t 1 err "romsize: $f: " $R check "$f"
done
sweep=$((${sweep:-0} + pass - sweep_cli_before))
