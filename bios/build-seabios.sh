#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one SeaBIOS or SeaVGABIOS image out of tree from a config fragment.
# usage: bios/build-seabios.sh TREE FRAGMENT OUTDIR bios|vgabios EXTRAVERSION
# Leaves OUTDIR/bios.bin or OUTDIR/vgabios.bin and the linked ELF next to it
# (rom.o or vgarom.o); with ROMSIZE=path/to/romsize a failed build lists the
# ELF's largest symbols. Fails when kconfig drops an option of the fragment or
# when the version string carries a build time and host name (which would
# make the bytes differ between two builds).
set -euo pipefail
tree=$(realpath "$1") frag=$2 out=$(realpath -m "$3") what=$4 extra=$5
die() { echo "build-seabios: $*" >&2; exit 1; }
[ -f "$tree/Makefile" ] && [ -d "$tree/vgasrc" ] || die "$tree: not a SeaBIOS source tree (no Makefile, vgasrc/)"
[ -n "$extra" ] || die "EXTRAVERSION is empty: the version would carry the build time and host"
case $what in bios|vgabios) ;; *) die "target must be bios or vgabios, not '$what'" ;; esac

# SeaBIOS's make is its own: not the -n, -k or jobserver of a make that ran us
mk() { env -u MAKEFLAGS -u MFLAGS make -C "$tree" PYTHON=python3 KCONFIG_CONFIG="$out/.config" OUT="$out/" "$@"; }
# a changed fragment (or tree) starts from scratch; otherwise SeaBIOS's own
# dependency tracking decides (SEABIOS_SRC trees are asked on every make)
# (the tree is known by its path and its version: a new source unpacked at
# the same path must not meet the objects and dependencies of the old one)
treeid=$(printf '%s\n' "$tree" "$(cat "$tree/.version" 2>/dev/null)" "$(head -1 "$tree/debian/changelog" 2>/dev/null)")
if ! cmp -s "$frag" "$out/fragment" || [ "$(cat "$out/tree" 2>/dev/null)" != "$treeid" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	cp "$frag" "$out/.config"
	mk oldnoconfig
	cp "$frag" "$out/fragment"
	echo "$treeid" > "$out/tree"
fi

# kconfig silently drops symbols it does not know or whose dependencies fail
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	key=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$key=y" "$out/.config" && die "$frag: $line: kconfig kept $key=y"
	else
		grep -qxF "$line" "$out/.config" || die "$frag: $line: kconfig dropped it (got: $(grep "^$key=\|# $key is" "$out/.config" || echo nothing))"
	fi
done < "$frag"

elf=$out/rom.o
[ "$what" = vgabios ] && elf=$out/vgarom.o
if ! mk EXTRAVERSION="$extra" "$out/$what.bin"; then
	# checkrom.py refuses an image that outgrew CONFIG_ROM_SIZE: say what is big
	if [ -f "$elf" ] && [ -n "${ROMSIZE:-}" ]; then
		echo "build-seabios: $what.bin failed; largest sections and symbols of $elf:"
		"$ROMSIZE" blame --top 15 "$elf" || true
	fi
	exit 1
fi

# buildversion.py appends time and host unless it sees a clean release tree
hdr=$out/autoversion.h
[ "$what" = vgabios ] && hdr=$out/autovgaversion.h
ver=$(sed -n 's/^#define BUILD_VERSION "\(.*\)"$/\1/p' "$hdr")
case "$ver" in
*"$(hostname)"*|*-20[0-9][0-9][01][0-9][0-3][0-9]_*)
	die "$hdr: version '$ver' has the build time or host: not reproducible (a git tree without Debian's nogitversion.patch?)" ;;
esac
echo "$ver" > "$out/version"
# SeaBIOS's make leaves an up-to-date image untouched: mark it as made now, or
# the outer make would run this recipe again on every call
touch "$out/$what.bin"
