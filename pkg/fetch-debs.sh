#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Downloads the Debian binary packages pinned in a lock file, verifies each
# sha256 before use, and unpacks them into one root.
# usage: pkg/fetch-debs.sh LOCKFILE DEBDIR ROOTDIR [RELEASE]
# Lock lines: PACKAGE VERSION SHA256 [RELEASE]. Without RELEASE the lines with
# no release field are fetched with the machine's own apt configuration; with
# RELEASE (another Debian release, e.g. trixie) the lines marked with it are
# fetched through a private apt configuration in DEBDIR/apt whose entries are
# the machine's own, renamed to that release (pkg/apt-src.sh --binary).
set -euo pipefail
lock=$1 debdir=$(realpath -m "$2") root=$(realpath -m "$3") release=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$debdir"

if [ -n "$release" ]; then
	apt=$debdir/apt
	mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	"$here/apt-src.sh" --binary "$release" ${APT_ETC:+"$APT_ETC"} > "$apt/etc/sources.list.d/derived.sources.new"
	mv "$apt/etc/sources.list.d/derived.sources.new" "$apt/etc/sources.list.d/derived.sources"
	cat > "$apt/apt.conf" <<-EOF
	// written by pkg/fetch-debs.sh: the machine's own entries, for $release
	Dir::Etc::SourceList "/dev/null";
	Dir::Etc::SourceParts "$apt/etc/sources.list.d";
	Dir::State::Lists "$apt/lists";
	Dir::Cache "$apt/cache";
	EOF
	export APT_CONFIG=$apt/apt.conf
	# the private lists start empty: the first download below updates them
fi

fetch_one() { # name version sha
	local name=$1 ver=$2 sum=$3 deb have tmp
	deb="$debdir/${name}_${ver//:/%3a}_all.deb"
	if [ -f "$deb" ] && [ "$(sha256sum < "$deb" | cut -d' ' -f1)" = "$sum" ]; then
		return 0
	fi
	echo "  FETCH   $name=$ver"
	tmp=$(mktemp -d "$debdir/.dl.XXXXXX")
	# apt's download sandbox user cannot write into root's directories
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$name=$ver" >/dev/null 2>"$tmp/err"); then
		# a fresh machine has no package lists: update once and try again
		if { [ "$(id -u)" = 0 ] || [ -n "$release" ]; } && [ -z "${FETCH_UPDATED:-}" ]; then
			apt-get update -q >/dev/null
			FETCH_UPDATED=1
			(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$name=$ver" >/dev/null 2>"$tmp/err") || {
				echo "fetch-debs: $name=$ver: apt-get download failed: $(tail -1 "$tmp/err")" >&2; rm -rf "$tmp"; exit 2; }
		else
			echo "fetch-debs: $name=$ver: apt-get download failed: $(tail -1 "$tmp/err")" >&2
			rm -rf "$tmp"; exit 2
		fi
	fi
	have=$(sha256sum "$tmp"/*.deb | cut -d' ' -f1)
	if [ "$have" != "$sum" ]; then
		echo "fetch-debs: $name=$ver: sha256 $have, expected $sum (refusing to unpack)" >&2
		rm -rf "$tmp"; exit 1
	fi
	mv "$tmp"/*.deb "$deb"
	rm -rf "$tmp"
}

stamp="$root.stamp"
changed=0
debs=()
while read -r name ver sum rel; do
	case "$name" in ''|'#'*) continue ;; esac
	[ "$rel" = "$release" ] || continue
	[[ "$sum" =~ ^[0-9a-f]{64}$ ]] || { echo "fetch-debs: $lock: $name: bad sha256 field" >&2; exit 2; }
	fetch_one "$name" "$ver" "$sum"
	debs+=("$debdir/${name}_${ver//:/%3a}_all.deb")
done < "$lock"
[ ${#debs[@]} -gt 0 ] || { echo "fetch-debs: $lock: no package pinned${release:+ for $release}" >&2; exit 2; }

# unpack into a fresh root only when this release's pins changed (the stamp
# holds the sum of the .debs unpacked; another release's lines do not count)
want=$(sha256sum "${debs[@]}" | cut -d' ' -f1 | sha256sum | cut -d' ' -f1)
if [ ! -d "$root" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	rm -rf "$root.new" && mkdir -p "$(dirname "$root")"
	for d in "${debs[@]}"; do
		dpkg-deb -x "$d" "$root.new"
	done
	rm -rf "$root"
	mv "$root.new" "$root"
	echo "$want" > "$stamp"
fi
