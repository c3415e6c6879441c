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
# A lock line may name a RELEASE in a fifth column (trixie, sid): the package
# then comes from that release's deb-src entries (apt-src.sh --source, in
# WORKDIR/apt-RELEASE). A package pinned without a .dsc (the archive answers
# 404 for edk2 2025.02-8+deb13u1's) is downloaded file by file with
# apt-helper, its sums taken from the archive's Sources index, and unpacked as
# dpkg-source unpacks a 3.0 (quilt) package: the orig tarball, the debian
# tarball over it, debian/patches/series applied in order.
#
# The project's own patches come after Debian's: pkg/patches/NAME/series names
# them, one a line, each applied with patch -p1 in that order. Their sums are
# part of the stamp: a changed patch unpacks the tree again.
#
# usage: pkg/fetch-src.sh LOCK NAME WORKDIR
#   APT_ETC=DIR   read the machine's sources from DIR instead of /etc/apt
#   FETCH_OFFLINE=1  never download: fail unless every file is already here
#   FETCH_PATCHES=DIR  the project's patches are in DIR/NAME (default pkg/patches)
set -euo pipefail
lock=$1 name=$2 work=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
dl=$work/dl tree=$work/$name stamp=$work/$name.stamp
die() { echo "fetch-src: $*" >&2; exit "${2:-2}"; }
die1() { echo "fetch-src: $*" >&2; exit 1; }

# the lock's lines for this package: VERSION FILE SHA256 [RELEASE]
ver="" files=() sums=() rel="" seen=0
lineno=0
while read -r src v file sum r extra; do
	lineno=$((lineno + 1))
	case "$src" in ''|'#'*) continue ;; esac
	[ "$src" = "$name" ] || continue
	[ -n "$file" ] && [ -z "$extra" ] || die "$lock:$lineno: want 'SOURCE VERSION FILE SHA256 [RELEASE]'"
	[[ -z "$r" || "$r" =~ ^[a-z]+$ ]] || die "$lock:$lineno: $r: a release name (trixie, sid), please"
	[ "$seen" = 0 ] || [ "$rel" = "$r" ] || die "$lock:$lineno: $name pinned from two releases (${rel:-this machine}, ${r:-this machine})"
	seen=1 rel=$r
	[[ "$sum" =~ ^[0-9a-f]{64}$ ]] || die "$lock:$lineno: $file: sha256 must be 64 hex digits"
	[[ "$file" != */* && "$file" != .* ]] || die "$lock:$lineno: $file: a file name, not a path"
	[ -z "$ver" ] || [ "$ver" = "$v" ] || die "$lock:$lineno: $name pinned at two versions ($ver, $v)"
	ver=$v files+=("$file") sums+=("$sum")
done < "$lock"
[ -n "$ver" ] || die "$lock: no entry for source package '$name'"
apt=$work/apt${rel:+-$rel}
dsc="" orig="" debtar=""
for f in "${files[@]}"; do
	case "$f" in
	*.dsc) dsc=$f ;;
	*.orig.tar.*) orig=$f ;;
	*.debian.tar.*) debtar=$f ;;
	esac
done
[ -n "$dsc" ] || { [ -n "$orig" ] && [ -n "$debtar" ]; } ||
	die "$lock: $name: pin its .dsc, or (when the archive has none) its orig and debian tarballs"
want=$(for i in "${!files[@]}"; do echo "$ver ${files[$i]} ${sums[$i]}${rel:+ $rel}"; done)
sha() { sha256sum "$1" | cut -d' ' -f1; }

# the project's patches, after Debian's
pdir=${FETCH_PATCHES:-$here/patches}/$name ours=()
if [ -f "$pdir/series" ]; then
	while read -r p extra; do
		[ -z "$extra" ] && [[ "$p" != */* ]] || die "$pdir/series: '$p $extra': one patch file name a line, please"
		[ -f "$pdir/$p" ] || die "$pdir/series: $p: no such patch in $pdir"
		ours+=("$p")
		want+=$'\n'"patch $p $(sha "$pdir/$p")"
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pdir/series")
fi

# nothing to do when the tree was unpacked from exactly these pins
if [ -d "$tree" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

have_all() {
	local i
	for i in "${!files[@]}"; do
		[ -f "$dl/${files[$i]}" ] && [ "$(sha "$dl/${files[$i]}")" = "${sums[$i]}" ] || return 1
	done
}

apt_setup() {
	mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	"$here/apt-src.sh" ${rel:+--source "$rel"} ${APT_ETC:+"$APT_ETC"} > "$apt/etc/sources.list.d/derived.sources.new"
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
	if [ -n "$dsc" ]; then
		get() { (cd "$tmp" && apt-get source -q --download-only "$name=$ver") >"$tmp/.log" 2>&1; }
	else
		# no .dsc to fetch: the pinned files one by one, from the URIs the
		# Sources index gives (apt-helper checks each against its pin)
		get() {
			local uri i
			(cd "$tmp" && apt-get source -q --print-uris "$name=$ver") >"$tmp/.uris" 2>"$tmp/.log" || return 1
			for i in "${!files[@]}"; do
				# a line is 'URI' FILE SIZE SHA256:SUM
				uri=$(awk -v f="${files[$i]}" '$2 == f { gsub("\047", "", $1); print $1; exit }' "$tmp/.uris")
				[ -n "$uri" ] || { echo "E: the Sources index has no $name=$ver file ${files[$i]}" >>"$tmp/.log"; return 1; }
				# (a file that fails here is no stale-list problem: refused at once)
				/usr/lib/apt/apt-helper download-file "$uri" "$tmp/${files[$i]}" "SHA256:${sums[$i]}" >"$tmp/.dl.log" 2>&1 ||
					die1 "$name=$ver: ${files[$i]}: download failed ($(grep -E '^(E|W):|Hash' "$tmp/.dl.log" | head -1 | tr -d '\n'))"
			done
		}
	fi
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
echo "  UNPACK  $name=$ver${rel:+ ($rel)}"
rm -rf "$tree.new" "$tree"
rm -f "$stamp"
if [ -n "$dsc" ]; then
	command -v dpkg-source >/dev/null || die "dpkg-source not found (Debian package dpkg-dev)"
	# the sums above are the trust anchor; the .dsc signature needs debian-keyring
	dpkg-source --no-check -x "$dl/$dsc" "$tree.new" >"$work/$name.unpack.log" 2>&1 \
		|| die "$dsc: dpkg-source -x failed (log: $work/$name.unpack.log)"
else
	# as dpkg-source -x does for 3.0 (quilt): orig, debian/ over it, the series
	{
		mkdir -p "$tree.new" &&
		tar -xf "$dl/$orig" -C "$tree.new" --strip-components=1 &&
		rm -rf "$tree.new/debian" &&
		tar -xf "$dl/$debtar" -C "$tree.new" &&
		[ "$(cat "$tree.new/debian/source/format" 2>/dev/null)" = "3.0 (quilt)" ] &&
		if [ -f "$tree.new/debian/patches/series" ]; then
			sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$tree.new/debian/patches/series" | while read -r p opt; do
				echo "applying $p"
				(cd "$tree.new" && patch ${opt:--p1} -s -f -E --no-backup-if-mismatch < "debian/patches/$p") || exit 1
			done
		fi
	} >"$work/$name.unpack.log" 2>&1 || die "$name=$ver: unpacking $orig and $debtar failed (not 3.0 (quilt), or a patch did not apply; log: $work/$name.unpack.log)"
fi
for p in "${ours[@]}"; do
	echo "  PATCH   $name: $p"
	(cd "$tree.new" && patch -p1 -s -f -E --no-backup-if-mismatch < "$pdir/$p") >>"$work/$name.unpack.log" 2>&1 \
		|| die "$pdir/$p: does not apply to $name=$ver (log: $work/$name.unpack.log)"
done
# dpkg-source leaves a copy of the orig tarball beside the tree
for f in "${files[@]}"; do rm -f "$work/$f"; done
mv "$tree.new" "$tree"
echo "$want" > "$stamp"
