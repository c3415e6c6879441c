#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Resolves the iPXE source tree the ROMs are built from, in this order:
#   1. Debian's ipxe source package pinned in LOCK (pkg/fetch-src.sh: apt-get
#      source, sha256 verified, Debian's patches applied by dpkg-source);
#   2. the upstream tarball pinned as ipxe-upstream in LOCK, at TARBALL,
#      sha256 verified before it is unpacked;
#   3. none: the ROMs are then repacked from Debian's binary package
#      (ipxe-roms/build-ipxe.sh says so, loudly).
# Leaves WORKDIR/ipxe (the tree, src/ inside) and WORKDIR/ipxe.stamp, whose
# first line is the origin (debian|upstream|none) and the rest the pins; says
# in one line which source it took and why.
# usage: ipxe-roms/ipxe-src.sh LOCK WORKDIR TARBALL
set -euo pipefail
lock=$1 work=$(realpath -m "$2") tarball=$3
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$work/ipxe stamp=$work/ipxe.stamp
die() { echo "ipxe-src: $*" >&2; exit "${2:-2}"; }

pins=$(awk '$1 == "ipxe" || $1 == "ipxe-upstream"' "$lock")
[ -n "$pins" ] || die "$lock: no ipxe or ipxe-upstream entry"
read -r _ up_commit up_file up_sum _ < <(awk '$1 == "ipxe-upstream"' "$lock") || die "$lock: no ipxe-upstream entry"
[[ "$up_sum" =~ ^[0-9a-f]{64}$ ]] || die "$lock: ipxe-upstream: sha256 must be 64 hex digits"
[ "$(basename "$tarball")" = "$up_file" ] || die "IPXE_TARBALL $tarball: the pinned file is $up_file"

# nothing to do when the tree came from exactly these pins (and the same choice)
if [ -f "$stamp" ] && [ "$(tail -n +2 "$stamp")" = "$pins" ]; then
	case $(head -1 "$stamp") in
	debian|upstream) [ -d "$tree/src" ] && exit 0 ;;
	none) exit 0 ;;
	esac
fi
mkdir -p "$work"
rm -f "$stamp"

# 1. Debian's source package: fetch-src.sh unpacks it into $work/ipxe
if log=$("$here/pkg/fetch-src.sh" "$lock" ipxe "$work" 2>&1); then
	printf 'debian\n%s\n' "$pins" > "$stamp"
	echo "  IPXE    source: Debian's ipxe source package ($(awk '$1 == "ipxe" { print $2; exit }' "$lock"), Debian's patches applied)"
	exit 0
fi
why=$(printf '%s\n' "$log" | grep -o '404 *Not Found' | head -1 || true)
why=${why:-$(printf '%s\n' "$log" | tail -1 | sed 's/^fetch-src: //')}

# 2. the pinned upstream tarball
if [ -f "$tarball" ]; then
	got=$(sha256sum "$tarball" | cut -d' ' -f1)
	[ "$got" = "$up_sum" ] || die "$tarball: sha256 $got, expected $up_sum (refusing to unpack)" 1
	rm -rf "$tree" "$tree.new"
	mkdir -p "$tree.new"
	tar -xJf "$tarball" -C "$tree.new" --strip-components=1
	[ -f "$tree.new/src/Makefile" ] || die "$tarball: no src/Makefile in it: not an iPXE tree" 1
	mv "$tree.new" "$tree"
	printf 'upstream\n%s\n' "$pins" > "$stamp"
	echo "  IPXE    source: upstream iPXE ${up_commit:0:7} from $tarball (sha256 verified; Debian's ipxe source package could not be fetched: $why)"
	exit 0
fi

# 3. nothing to build from
rm -rf "$tree"
printf 'none\n%s\n' "$pins" > "$stamp"
echo "  IPXE    WARNING: no iPXE source: Debian's ipxe source package could not be fetched ($why) and $tarball is missing; the ROMs will be REPACKED from Debian's ipxe-qemu binary package, not built" >&2
