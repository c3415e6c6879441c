# SPDX-License-Identifier: MIT
# The exit contract, subcommand by subcommand: 0 ok, 1 check failed or input
# refused, 2 usage or I/O trouble (out of memory included: no verdict).
# Every subcommand of both tools has a row for each class; the table ends with
# a check that none is missing. Trouble (2) says so on stderr as "TOOL: ...".
R=$BIN/romsize
F=$BIN/fdsplit
S=$SCRATCH/exits
O_=$REF/usr/share/OVMF
rm -rf "$S" && mkdir -p "$S"
head -c 4096 /dev/zero > "$S/junk"  # no option ROM, firmware volume or BIOS reset vector
cp "$REF/usr/lib/ipxe/qemu/pxe-e1000.rom" "$S/pxe-e1000.rom"
flat "$S/old" && flat "$S/new" && grow "$S/new/efi-virtio.rom" $((262144 + 512))
printf 'int big_table[17500] = { 1 };\n' > "$S/big.c" && gcc -c -o "$S/big.o" "$S/big.c"
"$TBIN/gen" --transitions "$S/t16.fd" 16

declare -A _classes
# row CLASS TOOL SUBCOMMAND command...: the command exits CLASS (2: with a TOOL: line on stderr)
row() {
	local class=$1 tool=$2 sub=$3
	shift 3
	_classes[$tool $sub]+=$class
	if [ "$class" = 2 ]; then
		t 2 err "$tool: " "$@"
	else
		t "$class" - '' "$@"
	fi
}

row 0 romsize info    $R info "$REF/usr/share/seabios/bios-256k.bin"
row 1 romsize info    $R info "$S/junk"
row 2 romsize info    $R info "$S/nope"
row 2 romsize info    $R info --slot 12Q "$S/junk"
row 0 romsize check   $R check "$REF/usr/share/seabios/bios-256k.bin"
row 1 romsize check   $R check --slot 64K "$S/pxe-e1000.rom"
row 2 romsize check   $R check --min-free 2X "$S/pxe-e1000.rom"
row 2 romsize check   $R check --manifest "$S/nope" "$S/pxe-e1000.rom"
row 0 romsize pad     $R pad "$S/pxe-e1000.rom" -o "$S/pxe-padded.rom"
row 1 romsize pad     $R pad --slot 256K "$O_/OVMF_VARS.fd" -o "$S/x.fd"
row 1 romsize pad     $R pad --slot 64K "$S/pxe-e1000.rom" -o "$S/x.rom"
row 1 romsize pad     $R pad "$S/nope.rom" -o "$S/x.rom"
row 2 romsize pad     $R pad --slot 128K "$S/nope.rom" -o "$S/x.rom"
row 0 romsize diff    $R diff "$S/old" "$S/old"
row 1 romsize diff    $R diff "$S/old" "$S/new"
row 2 romsize diff    $R diff "$S/old"
row 2 romsize diff    $R diff "$S/old" "$S/nope"
row 0 romsize blame   $R blame "$S/big.o"
row 1 romsize blame   $R blame "$REF/usr/share/seabios/bios.bin"
row 2 romsize blame   $R blame "$S/nope.o"
row 2 romsize blame   $R blame --top 0 "$S/big.o"

row 0 fdsplit split   $F split "$REF/usr/share/ovmf/OVMF.fd" --code "$S/CODE.fd" --vars "$S/VARS.fd"
row 1 fdsplit split   $F split "$O_/OVMF_VARS.fd" --code "$S/c" --vars "$S/v"
row 2 fdsplit split   $F split "$REF/usr/share/ovmf/OVMF.fd" --code "$S/c"
row 0 fdsplit join    $F join "$O_/OVMF_VARS.fd" "$O_/OVMF_CODE.fd" -o "$S/joined.fd"
row 1 fdsplit join    $F join "$O_/OVMF_VARS.fd" "$O_/OVMF_VARS.fd" -o "$S/j"
row 2 fdsplit join    $F join "$O_/OVMF_VARS.fd" "$O_/OVMF_CODE.fd"
row 0 fdsplit info    $F info "$O_/OVMF_VARS_4M.fd"
row 1 fdsplit info    $F info "$S/junk"
row 2 fdsplit info    $F info "$S/nope.fd"
row 0 fdsplit check   $F check "$O_/OVMF_VARS_4M.fd" --code "$O_/OVMF_CODE_4M.fd"
row 1 fdsplit check   $F check "$O_/OVMF_VARS.fd" --code "$O_/OVMF_CODE_4M.fd"
row 1 fdsplit check   $F check "$O_/OVMF_VARS.fd" --code "$O_/OVMF_VARS.fd"
row 2 fdsplit check   $F check "$S/nope.fd"
row 2 fdsplit check   $F check --frob "$O_/OVMF_VARS.fd"
row 0 fdsplit migrate $F migrate "$O_/OVMF_VARS.fd" --template "$O_/OVMF_VARS_4M.fd" -o "$S/m4.fd"
row 1 fdsplit migrate $F migrate "$S/junk" --template "$O_/OVMF_VARS_4M.fd" -o "$S/m.fd"
row 2 fdsplit migrate $F migrate "$O_/OVMF_VARS.fd" -o "$S/m.fd"
ok 'exits: nothing refused left an output behind' test ! -e "$S/x.fd" -a ! -e "$S/x.rom" -a ! -e "$S/c" -a ! -e "$S/v" -a ! -e "$S/j" -a ! -e "$S/m.fd"

# out of memory is trouble (2), never a refusal: the plain build (sanitizers
# reserve terabytes of address space) in 40 MiB, on a 16 MiB store of 131072
# records whose table of variables does not fit: "out of memory for N
# variables (B bytes)"
if command -v prlimit >/dev/null && [ -x "$O/bin/fdsplit" ]; then
	# (the parser's own allocation fails first, and says so: before lib/ named its
	# results that was a refusal, which only a later allocation turned into 2)
	for sub in info check; do
		t 2 err 'variables (' prlimit --as=$((40 << 20)) "$O/bin/fdsplit" $sub "$S/t16.fd"
	done
	t 2 err 'variables (' prlimit --as=$((40 << 20)) "$O/bin/fdsplit" migrate "$S/t16.fd" \
		--template "$O_/OVMF_VARS_4M.fd" --force-readable -o "$S/m.fd"
	ok 'exits: out of memory writes no output' test ! -e "$S/m.fd"
	# romsize diff reads a VARS template's layout: no memory for it is no verdict, not "differs"
	mkdir -p "$S/bigvars" && cp "$S/t16.fd" "$S/bigvars/OVMF_VARS_4M.fd"
	t 2 err 'variables (' prlimit --as=$((40 << 20)) "$O/bin/romsize" diff "$S/bigvars" "$S/bigvars"
else
	skip 'exits: out of memory' 'prlimit (util-linux) or the plain build out/bin/fdsplit is missing'
fi

missing=
for k in "romsize info" "romsize check" "romsize pad" "romsize diff" "romsize blame" \
	"fdsplit split" "fdsplit join" "fdsplit info" "fdsplit check" "fdsplit migrate"; do
	for want in 0 1 2; do
		case "${_classes[$k]:-}" in *$want*) ;; *) missing+="$k: $want; " ;; esac
	done
done
ok "exits: every subcommand of romsize and fdsplit has a case for exit 0, 1 and 2 (missing: ${missing:-none})" \
	test -z "$missing"
