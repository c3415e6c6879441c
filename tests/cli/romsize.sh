# SPDX-License-Identifier: MIT
# romsize's executable specification: one line per case.
#   t EXIT STREAM 'TEXT' command...     (see tests/lib.sh)
R=$BIN/romsize
G=$GEN
S=$SCRATCH/romsize
mkdir -p "$S"

# --- usage, exit 2 -------------------------------------------------------------
t 2 err 'usage: romsize info'                          $R
t 2 err 'romsize: unknown command: frob'               $R frob x
t 0 out 'romsize check [--json]'                       $R --help
t 0 out 'romsize 0.1'                                  $R --version
t 2 err 'romsize: info takes one or more files, not 0 arguments' $R info
t 2 err "romsize: --slot '12Q': unknown unit; a size is a byte count (65536, 0x10000) or K/KiB, M/MiB, G/GiB multiples (64K, 2M)" $R check --slot 12Q x
t 2 err "romsize: --min-free '2X': unknown unit; a size is a byte count" $R check --min-free 2X x
t 2 err "romsize: --min-free '0K': zero" $R check --min-free 0K x
t 2 err "romsize: --slot '0x1K': a unit after hex digits is ambiguous" $R check --slot 0x1K x
t 2 err "romsize: --slot '1048576G': above 2^48" $R check --slot 1048576G x
t 2 err "romsize: --slot '-64K': no digits" $R check --slot -64K x
t 2 err 'romsize: --slot and --manifest exclude each other' $R check --slot 64K --manifest pkg/slots.conf x
t 2 err 'romsize: check does not take -o/--output (check takes --json, --manifest, --slot, --min-free, --strict, --padded and --require-all)' $R check -o x $G/nic.rom
t 2 err 'romsize: pad does not take --json (pad takes --manifest, --slot and --output)' $R pad --json $G/nic.rom
t 2 err "romsize: $G/nope.rom: cannot open: No such file or directory" $R info $G/nope.rom
t 2 err "romsize: $G: is a directory (info takes files)" $R info $G
printf 'bios.bin 128K bios\nx.rom 64K rom\n' > "$S/bad.conf"
t 2 err "romsize: $S/bad.conf: line 2: unknown kind 'rom' (bios, optionrom, vga, flash)" $R check --manifest "$S/bad.conf" $G/nic.rom

# --- info: what each kind of image is ---------------------------------------------
t 0 out "$G/nic.rom: optionrom, 36864 bytes, region 64 KiB (pow2ceil), used 36864" $R info $G/nic.rom
t 0 out '  image 0 @0x0: x86, 36864 bytes (init 36864), pci 8086:100e, class 020000, pcir rev 3 len 0x1c, last, checksum ok' $R info $G/nic.rom
t 0 out '  image 1 @0x9000: efi, 65536 bytes (init 65536), pci 8086:100e, class 020000, pcir rev 3 len 0x1c, last, efi x64 boot-service-driver(11) uncompressed' $R info $G/chain.rom
t 0 out "$G/nic-66048.rom: optionrom, 66048 bytes, region 128 KiB (pow2ceil)" $R info $G/nic-66048.rom
t 0 out "$G/vga.rom: vga, 32768 bytes"                 $R info $G/vga.rom
t 0 out 'no PCIR (ISA style), last, checksum ok'       $R info $G/isa-vga.rom
t 0 out "$G/isa-vga.rom: vga, 30720 bytes"             $R info $G/isa-vga.rom
t 0 out 'reset vector @0xfff0: jmp far f000:e05b; multiple of 64 KiB: yes; leading zero padding 1000 bytes' $R info $G/bios-64k.bin
t 0 out 'multiple of 64 KiB: no'                       $R info $G/bios-odd.bin
t 1 err "romsize: $G/junk.bin: not a BIOS image, option ROM or flash image" $R info $G/junk.bin
t 1 err "romsize: $G/empty.bin: empty file"            $R info $G/empty.bin
t 1 err "romsize: $G/chain-cut.rom: last-image flag missing: chain ends at 0x9000 (end of file) after image 0" $R info $G/chain-cut.rom
t 1 err "romsize: $G/bad-checksum.rom: image 0 at 0x0: legacy checksum 0x5a over 36864 bytes, expected 0x00" $R info $G/bad-checksum.rom
t 1 err 'last-image flag missing'                      $R info $G/no-last.rom
t 1 err 'image 0 at 0x0: PCIR pointer 0x8ff0 runs past the end of the file (36864 bytes)' $R info $G/pcir-outside.rom
# several files: the worst status wins, the good ones are still reported
t 1 out "$G/nic.rom: optionrom"                        $R info $G/nic.rom $G/junk.bin
t 2 out "$G/nic.rom: optionrom"                        $R info $G/nic.rom $G/nope.rom

# --- check against a slot -----------------------------------------------------------
t 1 err "romsize: $G/nic-66048.rom: 66048 bytes exceeds the 64 KiB slot by 512 bytes" $R check --slot 64K $G/nic-66048.rom
t 1 err "romsize: $G/nic.rom: 36864 bytes is 28672 bytes short of the 64 KiB slot (not padded: romsize pad --slot 64K)" $R check --padded --slot 65536 $G/nic.rom
t 0 err "romsize: $G/nic.rom: note: unpadded, 36864 bytes: region 64 KiB = slot" $R check --slot 65536 $G/nic.rom
t 1 err "romsize: $G/nic.rom: 36864 bytes maps a 64 KiB region, not the 128 KiB slot (QEMU: Size mismatch on migration; romsize pad --slot 128K)" $R check --slot 128K $G/nic.rom
t 0 out "$G/bios-64k.bin: ok"                          $R check --padded --slot 64K $G/bios-64k.bin
t 1 err '65536 bytes is 65536 bytes short of the 128 KiB slot' $R check --slot 128K $G/bios-64k.bin
t 1 err 'no slot known for this file (not in the manifest; pass --slot SIZE)' $R check $G/nic.rom
t 1 err 'slot 96 KiB is not a power of two'            $R check --slot 96K $G/nic.rom
t 1 err 'legacy checksum 0x5a'                         $R check --slot 36K $G/bad-checksum.rom
t 1 err 'not a multiple of 64 KiB (QEMU: could not load PC BIOS)' $R check --slot 66048 $G/bios-odd.bin
t 0 out "$G/bios-64k.bin: ok, bios 65536 bytes, 1000 free" $R check --slot 64K $G/bios-64k.bin
# --min-free: a warning, or a failure with --strict
t 0 err 'warning: only 1000 bytes free in the 64 KiB slot (64536 used), less than --min-free 2 KiB' $R check --slot 64K --min-free 2K $G/bios-64k.bin
t 1 err 'only 1000 bytes free'                         $R check --slot 64K --min-free 2K --strict $G/bios-64k.bin
t 0 -  ''                                              $R check --slot 64K --min-free 1000 --strict $G/bios-64k.bin

# --- pad --------------------------------------------------------------------------------
t 0 -  ''                                              $R pad --slot 64K -o $S/nic64.rom $G/nic.rom
t 0 out "$S/nic64.rom: ok, optionrom 65536 bytes, 28672 free" $R check --slot 64K $S/nic64.rom
ok 'pad keeps the chain bytes and appends zeros'       cmp -s <(head -c 36864 $S/nic64.rom) $G/nic.rom
ok 'the padding is zeros'                              cmp -s <(tail -c 28672 $S/nic64.rom) <(head -c 28672 /dev/zero)
t 0 out 'after the chain: 28672 bytes of padding'      $R info $S/nic64.rom
t 0 -  ''                                              $R pad --slot 64K -o $S/nic64-again.rom $S/nic64.rom
ok 'padding a padded image to the same slot is a no-op' cmp -s $S/nic64.rom $S/nic64-again.rom
t 0 -  ''                                              $R pad --slot 128K -o $S/chain128.rom $G/chain.rom
t 0 out 'image 1 @0x9000: efi, 65536 bytes'            $R info $S/chain128.rom
t 1 err "romsize: $G/nic-66048.rom: 66048 bytes exceeds the 64 KiB slot by 512 bytes" $R pad --slot 64K -o $S/toobig.rom $G/nic-66048.rom
ok 'a refused pad writes nothing'                      test ! -e $S/toobig.rom
t 1 err 'refusing to pad a malformed image'            $R pad --slot 64K -o $S/broken.rom $G/chain-cut.rom
ok 'a malformed image is not padded'                   test ! -e $S/broken.rom
t 1 err 'slot 96 KiB is not a power of two'            $R pad --slot 96K -o $S/x.rom $G/nic.rom
t 1 err 'no slot known (not in the manifest): pass --slot SIZE' $R pad -o $S/x.rom $G/nic.rom
# a BIOS grows at the front: the reset vector stays on top
t 0 -  ''                                              $R pad --slot 128K -o $S/bios128.bin $G/bios-64k.bin
ok 'BIOS padding keeps the image at the top'           cmp -s <(tail -c 65536 $S/bios128.bin) $G/bios-64k.bin
ok 'BIOS padding is zeros in front'                    cmp -s <(head -c 65536 $S/bios128.bin) <(head -c 65536 /dev/zero)
t 0 out 'leading zero padding 66536 bytes'             $R info $S/bios128.bin
t 1 err 'slot 96 KiB is not a multiple of 64 KiB'      $R pad --slot 96K -o $S/x.bin $G/bios-64k.bin
t 1 err 'not a BIOS image, option ROM or flash image'  $R pad --slot 64K -o $S/x.bin $G/junk.bin
# in place (no -o): replaced atomically; the input of a -o pad is never touched
cp $G/nic.rom $S/inplace.rom
t 0 -  ''                                              $R pad --slot 64K $S/inplace.rom
ok 'in-place pad replaced the file'                    cmp -s $S/inplace.rom $S/nic64.rom
ok 'pad -o leaves its input untouched'                 cmp -s $G/nic.rom <(head -c 36864 $S/nic64.rom)
ok 'no temp files left behind'                         test -z "$(ls $S | grep '\.tmp\.')"
# several files into a directory
mkdir -p $S/many
t 0 -  ''                                              $R pad --slot 128K -o $S/many $G/nic.rom $G/vga.rom
ok 'pad into a directory keeps the names'              test "$(stat -c %s $S/many/nic.rom $S/many/vga.rom | sort -u)" = 131072
t 2 err 'with several files, -o must name a directory' $R pad --slot 128K -o $S/nodir.rom $G/nic.rom $G/vga.rom

# --- the manifest: kinds, PCI ids, directories -----------------------------------------
mkdir -p $S/dir/sub
cp $S/nic64.rom $S/dir/pxe-rtl8139.rom
cp $S/bios128.bin $S/dir/sub/bios.bin
cp $G/junk.bin $S/dir/unlisted.txt
printf 'pxe-rtl8139.rom 64K optionrom 10ec:8139\nbios.bin 128K bios\nvgabios-stdvga.bin 64K vga\n' > $S/m.conf
t 1 err "romsize: $S/dir/pxe-rtl8139.rom: image 0 at 0x0: PCI id 8086:100e, the manifest expects 10ec:8139" $R check --manifest $S/m.conf $S/dir
t 1 out "$S/dir/sub/bios.bin: ok, bios 131072 bytes, 66536 free" $R check --manifest $S/m.conf $S/dir
printf 'pxe-rtl8139.rom 64K optionrom 8086:100e\nbios.bin 128K bios\nvgabios-stdvga.bin 64K vga\n' > $S/m.conf
t 0 -  ''                                              $R check --manifest $S/m.conf $S/dir
t 1 err 'romsize: vgabios-stdvga.bin: missing (named in the manifest, line 3)' $R check --require-all --manifest $S/m.conf $S/dir
printf 'bios.bin 128K optionrom\n' > $S/m2.conf
t 1 err 'kind bios, the manifest expects optionrom'    $R check --manifest $S/m2.conf $S/dir/sub/bios.bin
# the built-in manifest is pkg/slots.conf
t 0 out "$S/dir/sub/bios.bin: ok"                      $R check $S/dir/sub/bios.bin

# --- JSON ------------------------------------------------------------------------------------
json_has() { # FILE PYTHON-EXPR
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
$R info --json $G/chain.rom > $S/chain.json
ok 'info --json: document and version'                 json_has $S/chain.json 'd["romsize"]==1 and d["command"]=="info" and d["ok"] is True'
ok 'info --json: the EFI image'                        json_has $S/chain.json 'd["files"][0]["images"][1]["efi"]=={"subsystem":11,"machine":"x64","machine_type":34404,"compression":0,"stored_size":65536-0x60,"image_size":65536-0x60,"pe_ok":True}'
ok 'info --json: the legacy image'                     json_has $S/chain.json 'd["files"][0]["images"][0]["pci_id"]=="8086:100e" and d["files"][0]["images"][0]["checksum_ok"] is True and d["files"][0]["images"][0]["last"] is False'
$R check --json --slot 64K $G/nic-66048.rom > $S/big.json 2>/dev/null
ok 'check --json: the failure and its message'         json_has $S/big.json 'd["ok"] is False and d["files"][0]["errors"]==["66048 bytes exceeds the 64 KiB slot by 512 bytes"] and d["files"][0]["region"]==131072'

# --- EFI-compressed images (Debian 13's efi-*.rom are all this way) -------------------
t 0 out 'efi x64 boot-service-driver(11) compressed'  $R info $G/chain-compressed.rom
t 0 out ' -> 4096 bytes, pe machine 0x8664 subsystem 11' $R info $G/chain-compressed.rom
t 0 out "$G/chain-compressed.rom: ok, optionrom 102400 bytes" $R check --slot 128K $G/chain-compressed.rom
