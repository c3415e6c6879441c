#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches one Debian source package pinned in pkg/sources.lock, verifies the
# sha256 of every file before anything unpacks it, and unpacks it with
# dpkg-source (Debian's patches applied) into WORKDIR/NAME.
#
# Downloads go through a private apt configuration in WORKDIR/apt whose
# deb-src entries come from the machine's own sources (pkg/apt-src.sh). The
# network is touched only when a pinned file is missing or wrong.
#
# usage: pkg/fetch-src.sh LOCK NAME WORKDIR
#   APT_ETC=DIR   read the machine's sources from DIR instead of /etc/apt
#   FETCH_OFFLINE=1  never download: fail unless every file is already here
set -euo pipefail
lock=$1 name=$2 work=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
dl=$work/dl apt=$work/apt tree=$work/$name stamp=$work/$name.stamp
die() { echo "fetch-src: $*" >&2; exit "${2:-2}"; }
die1() { echo "fetch-src: $*" >&2; exit 1; }

# the lock's lines for this package: VERSION FILE SHA256
ver="" files=() sums=()
lineno=0
while read -r src v file sum extra; do
	lineno=$((lineno + 1))
	case "$src" in ''|'#'*) continue ;; esac
	[ "$src" = "$name" ] || continue
	[ -n "$file" ] && [ -z "$extra" ] || die "$lock:$lineno: want 'SOURCE VERSION FILE SHA256'"
	[[ "$sum" =~ ^[0-9a-f]{64}$ ]] || die "$lock:$lineno: $file: sha256 must be 64 hex digits"
	[[ "$file" != */* && "$file" != .* ]] || die "$lock:$lineno: $file: a file name, not a path"
	[ -z "$ver" ] || [ "$ver" = "$v" ] || die "$lock:$lineno: $name pinned at two versions ($ver, $v)"
	ver=$v files+=("$file") sums+=("$sum")
done < "$lock"
[ -n "$ver" ] || die "$lock: no entry for source package '$name'"
dsc=""
for f in "${files[@]}"; do case "$f" in *.dsc) dsc=$f ;; esac; done
[ -n "$dsc" ] || die "$lock: $name: no .dsc file pinned"
want=$(for i in "${!files[@]}"; do echo "$ver ${files[$i]} ${sums[$i]}"; done)

# nothing to do when the tree was unpacked from exactly these pins
if [ -d "$tree" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

sha() { sha256sum "$1" | cut -d' ' -f1; }
have_all() {
	local i
	for i in "${!files[@]}"; do
		[ -f "$dl/${files[$i]}" ] && [ "$(sha "$dl/${files[$i]}")" = "${sums[$i]}" ] || return 1
	done
}

apt_setup() {
	mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	"$here/apt-src.sh" ${APT_ETC:+"$APT_ETC"} > "$apt/etc/sources.list.d/derived.sources.new"
	mv "$apt/etc/sources.list.d/derived.sources.new" "$apt/etc/sources.list.d/derived.sources"
	cat > "$apt/apt.conf" <<-EOF
	// written by pkg/fetch-src.sh: deb-src entries derived from the machine's sources
	Dir::Etc::SourceList "/dev/null";
	Dir::Etc::SourceParts "$apt/etc/sources.list.d";
	Dir::State::Lists "$apt/lists";
	Dir::Cache "$apt/cache";
	APT::Sandbox::User "root";
	EOF
	# apt's download sandbox drops to _apt, which cannot write root's tree
	[ "$(id -u)" = 0 ] || sed -i '/Sandbox/d' "$apt/apt.conf"
}

if ! have_all; then
	[ -z "${FETCH_OFFLINE:-}" ] || die "$name=$ver: files missing in $dl or not matching their pins, and FETCH_OFFLINE is set"
	command -v apt-get >/dev/null || die "apt-get not found: cannot download $name=$ver"
	echo "  FETCH   $name=$ver (apt-get source)"
	# make -j fetches several packages at once through the same private lists:
	# one apt-get at a time, or a second 'apt-get update' fails on apt's lock
	mkdir -p "$work"
	exec 9>"$work/.apt.lock"
	flock 9
	apt_setup
	export APT_CONFIG=$apt/apt.conf
	tmp=$(mktemp -d "$work/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	get() { (cd "$tmp" && apt-get source -q --download-only "$name=$ver") >"$tmp/.log" 2>&1; }
	if ! get; then
		# private package lists are fetched on first use, and again when stale
		apt-get update -q >"$tmp/.update.log" 2>&1 || die "apt-get update (private config $apt/apt.conf) failed: $(grep -E '^(E|W):' "$tmp/.update.log" | head -2 | tr '\n' ' ')"
		get || die "$name=$ver: apt-get source failed: $(grep -E '^E:' "$tmp/.log" | head -2 | tr '\n' ' ')"
	fi
	exec 9>&-
	mkdir -p "$dl"
	for i in "${!files[@]}"; do
		f=$tmp/${files[$i]}
		[ -f "$f" ] || die "$name=$ver: apt-get source did not deliver ${files[$i]} (got: $(cd "$tmp" && ls | tr '\n' ' '))"
		got=$(sha "$f")
		[ "$got" = "${sums[$i]}" ] || die1 "${files[$i]}: sha256 $got, expected ${sums[$i]} (refusing to unpack)"
		mv "$f" "$dl/${files[$i]}"
	done
fi

# verify again right before unpacking: files in dl/ may have been touched
for i in "${!files[@]}"; do
	got=$(sha "$dl/${files[$i]}")
	[ "$got" = "${sums[$i]}" ] || die1 "${files[$i]}: sha256 $got, expected ${sums[$i]} (refusing to unpack)"
done
command -v dpkg-source >/dev/null || die "dpkg-source not found (Debian package dpkg-dev)"
echo "  UNPACK  $name=$ver"
rm -rf "$tree.new" "$tree"
rm -f "$stamp"
# the sums above are the trust anchor; the .dsc signature needs debian-keyring
dpkg-source --no-check -x "$dl/$dsc" "$tree.new" >"$work/$name.unpack.log" 2>&1 \
	|| die "$dsc: dpkg-source -x failed (log: $work/$name.unpack.log)"
# dpkg-source leaves a copy of the orig tarball beside the tree
for f in "${files[@]}"; do rm -f "$work/$f"; done
mv "$tree.new" "$tree"
echo "$want" > "$stamp"
