#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds pxe-NIC.rom and efi-NIC.rom for every NIC of NICS (ipxe-roms/nics.conf)
# from an iPXE tree, as QEMU's roms/Makefile does: CONFIG=qemu, the legacy
# bin/VVVVDDDD.rom, and the x86_64 EFI driver as an EFI ROM image
# (bin-x86_64-efi/VVVVDDDD.efirom, iPXE's own efirom: EFI-compressed by iPXE 2.0,
# as Debian 13 ships it) chained after it with iPXE's catrom.pl.
# Reproducible: the build timestamp and each image's build id are pinned (the
# id from the target's name, so two ROMs in one VM still differ), the version
# is iPXE's plus EXTRAVERSION, and no path or host goes into an image.
# With ORIGIN=none (no source: ipxe-roms/ipxe-src.sh) it copies Debian's
# binaries from REPACK_DIR instead, and says so loudly.
# usage: ipxe-roms/build-ipxe.sh TREE|- NICS OUTDIR EXTRAVERSION TIMESTAMP [REPACK_DIR]
set -euo pipefail
tree=$1 nics=$2 out=$(realpath -m "$3") extra=$4 stamp=$5 repack=${6:-}
die() { echo "build-ipxe: $*" >&2; exit 1; }
[ -n "$extra" ] || die "EXTRAVERSION is empty: the banner would not say whose build it is"
[[ "$stamp" =~ ^[0-9]+$ ]] || die "TIMESTAMP '$stamp' is not seconds since 1970"

list=()
while read -r nic vid did rest; do
	case "$nic" in ''|'#'*) continue ;; esac
	[[ "$vid$did" =~ ^[0-9a-f]{8}$ ]] && [ -z "$rest" ] || die "$nics: '$nic $vid $did $rest': want NIC VENDOR DEVICE in 4 hex digits each"
	list+=("$nic:$vid$did")
done < "$nics"
[ ${#list[@]} -gt 0 ] || die "$nics: no NIC"
rm -rf "$out.new"
mkdir -p "$out.new"

if [ "$tree" = - ]; then
	[ -d "$repack" ] || die "no iPXE source and no repack folder"
	echo "build-ipxe: WARNING: REPACKING Debian's ipxe-qemu ROMs from $repack: nothing is built from source" >&2
	for e in "${list[@]}"; do
		nic=${e%%:*}
		cp "$repack/pxe-$nic.rom" "$repack/efi-$nic.rom" "$out.new/"
	done
	echo repacked > "$out.new/ORIGIN"
else
	src=$(realpath "$tree")/src
	[ -f "$src/Makefile" ] && [ -f "$src/util/catrom.pl" ] || die "$tree: not an iPXE tree (no src/Makefile, src/util/catrom.pl)"
	targets=()
	for e in "${list[@]}"; do
		id=${e#*:}
		targets+=("bin/$id.rom" "bin-x86_64-efi/$id.efirom")
	done
	# iPXE's make is its own: not the -n, -k or jobserver of a make that ran us.
	# BUILD_ID_CMD runs in each link recipe, where $* is the target's stem.
	env -u MAKEFLAGS -u MFLAGS make -C "$src" -j"${IPXE_JOBS:-$(nproc)}" \
		CONFIG=qemu NO_WERROR=1 EXTRAVERSION="$extra" BUILD_TIMESTAMP="$stamp" \
		BUILD_ID_CMD='printf "0x%08x" $$(printf %s "$*" | cksum | cut -d" " -f1)' \
		"${targets[@]}"
	for e in "${list[@]}"; do
		nic=${e%%:*} id=${e#*:}
		cp "$src/bin/$id.rom" "$out.new/pxe-$nic.rom"
		perl "$src/util/catrom.pl" "$src/bin/$id.rom" "$src/bin-x86_64-efi/$id.efirom" > "$out.new/efi-$nic.rom"
	done
	# (iPXE prints its dependency scan before the version: the last line is it)
	env -u MAKEFLAGS -u MFLAGS make -s -C "$src" CONFIG=qemu EXTRAVERSION="$extra" version | tail -1 > "$out.new/VERSION"
	echo built > "$out.new/ORIGIN"
fi
rm -rf "$out"
mv "$out.new" "$out"
