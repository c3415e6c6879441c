#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints deb-src entries (deb822) derived from the machine's own apt sources:
# every enabled `deb` entry becomes a `deb-src` entry with the same URIs,
# suites, components and keyring. Nothing here names a mirror.
# usage: pkg/apt-src.sh [APT_ETC_DIR]     (default /etc/apt)
#        pkg/apt-src.sh --binary RELEASE [APT_ETC_DIR]
#        pkg/apt-src.sh --source RELEASE [APT_ETC_DIR]
#   --binary: `deb` entries for another Debian release instead: every enabled
#   entry whose suites are this machine's release (CODENAME, CODENAME-updates,
#   CODENAME-security, ...) with CODENAME replaced by RELEASE; other entries are
#   left out. CODENAME is VERSION_CODENAME of /etc/os-release (APT_SRC_CODENAME
#   overrides it). sid (unstable) has no -updates or -security suite: only
#   CODENAME itself becomes sid.
#   --source: the same, as `deb-src` entries (source packages of RELEASE).
set -euo pipefail
type=deb-src release="" codename=""
if [ "${1:-}" = --binary ] || [ "${1:-}" = --source ]; then
	[ -n "${2:-}" ] || { echo "apt-src: $1 needs a release name" >&2; exit 2; }
	[ "$1" = --source ] || type=deb
	release=$2
	shift 2
	codename=${APT_SRC_CODENAME:-$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")}
	[ -n "$codename" ] || { echo "apt-src: cannot tell this machine's release (no VERSION_CODENAME in /etc/os-release; set APT_SRC_CODENAME)" >&2; exit 2; }
fi
etc=${1:-/etc/apt}
nosub=0
case "$release" in sid|unstable) nosub=1 ;; esac

files=()
[ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || { echo "apt-src: $etc: no sources.list or sources.list.d/*.{list,sources}" >&2; exit 2; }

out=$(for f in "${files[@]}"; do
	case "$f" in
	*.sources) awk -v type="$type" -v rel="$release" -v code="$codename" -v nosub="$nosub" -f /dev/fd/3 "$f" 3<<'AWK'
# deb822: blank-line separated stanzas; a line starting with space continues
# the field before it (an inline Signed-By key, for one)
# suites for --binary: the suites of this release renamed to rel, the others dropped
function suites(s,   n, w, i, out) {
	if (rel == "") return s
	n = split(s, w, /[ \t]+/); out = ""
	for (i = 1; i <= n; i++)
		if (w[i] == code || (index(w[i], code "-") == 1 && !nosub))
			out = out (out == "" ? "" : " ") rel substr(w[i], length(code) + 1)
	return out
}
function flush(   i, n, t, isdeb, su) {
	if (nf == 0) return
	n = split(tolower(val["types"]), t, /[ \t]+/)
	isdeb = 0
	for (i = 1; i <= n; i++) if (t[i] == "deb") isdeb = 1
	su = suites(val["suites"])
	if (isdeb && tolower(val["enabled"]) != "no" && val["uris"] != "" && su != "") {
		printf "Types: %s\nURIs: %s\nSuites: %s\n", type, val["uris"], su
		if (val["components"] != "") printf "Components: %s\n", val["components"]
		if (val["signed-by"] != "") printf "Signed-By: %s\n", val["signed-by"]
		if (val["trusted"] != "") printf "Trusted: %s\n", val["trusted"]
		printf "\n"
	}
	delete val; nf = 0; key = ""
}
/^#/ { next }
/^[ \t]*$/ { flush(); next }
/^[ \t]/ { if (key != "") { sub(/[ \t]+$/, ""); val[key] = val[key] "\n" $0 }; next }
{
	i = index($0, ":"); if (i == 0) next
	key = tolower(substr($0, 1, i - 1)); v = substr($0, i + 1)
	sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
	val[key] = v; nf++
}
END { flush() }
AWK
	;;
	*) awk -v type="$type" -v rel="$release" -v code="$codename" -v nosub="$nosub" -f /dev/fd/3 "$f" 3<<'AWK'
# one-line style: deb [opt=val ...] URI SUITE [COMPONENT...]
{ sub(/#.*/, "") }
$1 != "deb" { next }
{
	line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
	signed = ""; trusted = ""
	if (line ~ /^\[/) {
		opts = substr(line, 2, index(line, "]") - 2)
		line = substr(line, index(line, "]") + 1)
		n = split(opts, o, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			if (o[i] ~ /^signed-by=/) { signed = substr(o[i], 11); gsub(",", " ", signed) }
			if (o[i] ~ /^trusted=/) trusted = substr(o[i], 9)
		}
	}
	n = split(line, w, /[ \t]+/)
	j = 0; for (i = 1; i <= n; i++) if (w[i] != "") f[++j] = w[i]
	if (j < 2) next
	if (rel != "") {
		if (f[2] == code || (index(f[2], code "-") == 1 && !nosub)) f[2] = rel substr(f[2], length(code) + 1)
		else next
	}
	printf "Types: %s\nURIs: %s\nSuites: %s\n", type, f[1], f[2]
	comps = ""; for (i = 3; i <= j; i++) comps = comps (i > 3 ? " " : "") f[i]
	if (comps != "") printf "Components: %s\n", comps
	if (signed != "") printf "Signed-By: %s\n", signed
	if (trusted != "") printf "Trusted: %s\n", trusted
	printf "\n"
}
AWK
	;;
	esac
done)
[ -n "$out" ] || { echo "apt-src: $etc: no enabled 'deb' entry to derive a $type entry from${release:+ (for $release: no $codename suite)}" >&2; exit 1; }
printf '%s\n' "$out"
