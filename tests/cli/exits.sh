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

declare -A _table
declare -A _classes
# row CLASS TOOL SUBCOMMAND STREAM 'TEXT' command...: the command exits CLASS and
# says why: TEXT is on STREAM (out or err; - only for a quiet success, whose
# output file is checked below). A row passes for its reason, not any exit 1.
row() {
	local class=$1 tool=$2 sub=$3 stream=$4 text=$5
	shift 5
	_classes[$tool $sub]+=$class
	if [ "$class" = 2 ] && [ "$stream" = err ]; then
		text="$tool: ${text#"$tool: "}"
	fi
	t "$class" "$stream" "$text" "$@"
}

row 0 romsize info    out 'bios, 262144 bytes, region 256 KiB (exact), slot 256 KiB' $R info "$REF/usr/share/seabios/bios-256k.bin"
row 1 romsize info    err 'junk: not a BIOS image, option ROM or flash image: signature 0x0000 at 0x0' $R info "$S/junk"
row 2 romsize info    err "$S/nope: cannot open: No such file or directory" $R info "$S/nope"
row 2 romsize info    err "--slot '12Q': unknown unit; a size is a byte count" $R info --slot 12Q "$S/junk"
row 0 romsize check   out 'bios-256k.bin: ok, bios 262144 bytes' $R check "$REF/usr/share/seabios/bios-256k.bin"
row 1 romsize check   err 'pxe-e1000.rom: 75264 bytes exceeds the 64 KiB slot by 9728 bytes' $R check --slot 64K "$S/pxe-e1000.rom"
row 2 romsize check   err "--min-free '2X': unknown unit" $R check --min-free 2X "$S/pxe-e1000.rom"
row 2 romsize check   err "$S/nope: cannot open: No such file or directory" $R check --manifest "$S/nope" "$S/pxe-e1000.rom"
row 0 romsize pad     -   '' $R pad "$S/pxe-e1000.rom" -o "$S/pxe-padded.rom"
row 1 romsize pad     err 'OVMF_VARS.fd: flash images are never padded' $R pad --slot 256K "$O_/OVMF_VARS.fd" -o "$S/x.fd"
row 1 romsize pad     err 'pxe-e1000.rom: 75264 bytes exceeds the 64 KiB slot by 9728 bytes' $R pad --slot 64K "$S/pxe-e1000.rom" -o "$S/x.rom"
row 1 romsize pad     err 'nope.rom: no slot known (not in the manifest): pass --slot SIZE' $R pad "$S/nope.rom" -o "$S/x.rom"
row 2 romsize pad     err "$S/nope.rom: cannot open: No such file or directory" $R pad --slot 128K "$S/nope.rom" -o "$S/x.rom"
row 0 romsize diff    out '42 images: 0 changed, 0 removed, 0 added' $R diff "$S/old" "$S/old"
row 1 romsize diff    out 'changed  efi-virtio.rom: region 262144 -> 524288 bytes' $R diff "$S/old" "$S/new"
row 2 romsize diff    err 'diff takes two trees: OLD NEW, not 1 argument' $R diff "$S/old"
row 2 romsize diff    err "$S/nope: not a directory" $R diff "$S/old" "$S/nope"
row 0 romsize blame   out 'big.o: 2 allocated sections, 70000 bytes' $R blame "$S/big.o"
row 1 romsize blame   err 'bios.bin: not an ELF file' $R blame "$REF/usr/share/seabios/bios.bin"
row 2 romsize blame   err "$S/nope.o: cannot open: No such file or directory" $R blame "$S/nope.o"
row 2 romsize blame   err '--top: a count from 1 to 100000: 0' $R blame --top 0 "$S/big.o"

row 0 fdsplit split   -   '' $F split "$REF/usr/share/ovmf/OVMF.fd" --code "$S/CODE.fd" --vars "$S/VARS.fd"
row 1 fdsplit split   err 'OVMF_VARS.fd: a varstore of 0x20000 bytes with no CODE volume after it' $F split "$O_/OVMF_VARS.fd" --code "$S/c" --vars "$S/v"
row 2 fdsplit split   err 'split needs --code OUT and --vars OUT' $F split "$REF/usr/share/ovmf/OVMF.fd" --code "$S/c"
row 0 fdsplit join    -   '' $F join "$O_/OVMF_VARS.fd" "$O_/OVMF_CODE.fd" -o "$S/joined.fd"
row 1 fdsplit join    err 'OVMF_VARS.fd: not a CODE image' $F join "$O_/OVMF_VARS.fd" "$O_/OVMF_VARS.fd" -o "$S/j"
row 2 fdsplit join    err 'join needs -o OUT' $F join "$O_/OVMF_VARS.fd" "$O_/OVMF_CODE.fd"
row 0 fdsplit info    out 'OVMF_VARS_4M.fd: OVMF varstore (VARS), 0x84000 bytes' $F info "$O_/OVMF_VARS_4M.fd"
row 1 fdsplit info    err 'junk: no firmware volume at 0x0 (no "_FVH" at 0x28): not an OVMF image' $F info "$S/junk"
row 2 fdsplit info    err "$S/nope.fd: cannot open: No such file or directory" $F info "$S/nope.fd"
row 0 fdsplit check   out 'OVMF_VARS_4M.fd: ok, authenticated varstore 0x84000 bytes' $F check "$O_/OVMF_VARS_4M.fd" --code "$O_/OVMF_CODE_4M.fd"
row 1 fdsplit check   err 'OVMF_VARS.fd: FvLength 0x20000, CODE expects 0x84000 (4M layout' $F check "$O_/OVMF_VARS.fd" --code "$O_/OVMF_CODE_4M.fd"
row 1 fdsplit check   err 'OVMF_VARS.fd: not a CODE image' $F check "$O_/OVMF_VARS.fd" --code "$O_/OVMF_VARS.fd"
row 2 fdsplit check   err "$S/nope.fd: cannot open: No such file or directory" $F check "$S/nope.fd"
row 2 fdsplit check   err "unrecognized option '--frob'" $F check --frob "$O_/OVMF_VARS.fd"
row 0 fdsplit migrate out 'm4.fd: 0 variables from' $F migrate "$O_/OVMF_VARS.fd" --template "$O_/OVMF_VARS_4M.fd" -o "$S/m4.fd"
row 1 fdsplit migrate err 'junk: not a varstore or a unified OVMF image' $F migrate "$S/junk" --template "$O_/OVMF_VARS_4M.fd" -o "$S/m.fd"
row 2 fdsplit migrate err 'migrate needs --template TEMPLATE and -o OUT' $F migrate "$O_/OVMF_VARS.fd" -o "$S/m.fd"
row 0 fdsplit audit   out "audit: 1 varstore, 1 with Secure Boot on" $F audit "$O_/OVMF_VARS_4M.ms.fd"
row 1 fdsplit audit   err "junk: not a varstore (VARS) image" $F audit "$S/junk"
row 2 fdsplit audit   err "$S/nope.fd: cannot open: No such file or directory" $F audit "$S/nope.fd"
cp "$O_/OVMF_VARS_4M.ms.fd" "$S/keys.fd"
row 0 fdsplit update-keys out "keys.fd: updated KEK +1, db +3, dbx +443" $F update-keys --from "$(dirname "$REF")/sid/root/usr/share/OVMF/OVMF_VARS_4M.ms.fd" --no-backup "$S/keys.fd"
row 1 fdsplit update-keys err "OVMF_VARS_4M.fd: no PK (setup mode): no keys enrolled to update" $F update-keys --from "$S/keys.fd" "$O_/OVMF_VARS_4M.fd"
row 2 fdsplit update-keys err "$S/nope.fd: cannot open: No such file or directory" $F update-keys --from "$S/keys.fd" "$S/nope.fd"
ok 'exits: the quiet successes wrote their outputs (pad 128 KiB, split, join)' test "$(stat -c %s "$S/pxe-padded.rom")" = 131072 \
	-a -s "$S/CODE.fd" -a -s "$S/VARS.fd" -a -s "$S/joined.fd"

# every option a command does not take is a usage error naming the command,
# generated from each tool's own command table (TOOL --commands)
for tool in romsize fdsplit; do
	bin=$R
	[ $tool = fdsplit ] && bin=$F
	all=$("$bin" --commands | tr ' ' '\n' | grep -- '^--' | sort -u)
	while read -r cmd takes; do
		[ -n "$cmd" ] || continue
		_table[$tool $cmd]=1
		for opt in $all; do
			case " $takes " in *" $opt "*) continue ;; esac
			arg=
			case $opt in --json|--strict|--padded|--allow-removed|--overlay|--require-all|--force-readable) ;; *) arg=x ;; esac
			want=$opt
			[ "$opt" = --output ] && want=-o/--output
			t 2 err "$tool: $cmd does not take $want (" "$bin" "$cmd" $opt $arg "$S/junk"
		done
	done < <("$bin" --commands)
done
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

# the rows cover exactly the commands the tables list
ok "exits: the rows name the commands of both tables (rows: ${!_classes[*]}; tables: ${!_table[*]})" \
	test "$(printf '%s\n' "${!_classes[@]}" | sort)" = "$(printf '%s\n' "${!_table[@]}" | sort)"
missing=
for k in "${!_table[@]}"; do
	for want in 0 1 2; do
		case "${_classes[$k]:-}" in *$want*) ;; *) missing+="$k: $want; " ;; esac
	done
done
ok "exits: every subcommand of romsize and fdsplit has a case for exit 0, 1 and 2 (missing: ${missing:-none})" \
	test -z "$missing"
