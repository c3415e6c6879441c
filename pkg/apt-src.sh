#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints deb-src entries (deb822) derived from the machine's own apt sources:
# every enabled `deb` entry becomes a `deb-src` entry with the same URIs,
# suites, components and keyring. Nothing here names a mirror.
# usage: pkg/apt-src.sh [APT_ETC_DIR]     (default /etc/apt)
set -euo pipefail
etc=${1:-/etc/apt}

files=()
[ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || { echo "apt-src: $etc: no sources.list or sources.list.d/*.{list,sources}" >&2; exit 2; }

out=$(for f in "${files[@]}"; do
	case "$f" in
	*.sources) awk -f /dev/fd/3 "$f" 3<<'AWK'
# deb822: blank-line separated stanzas; a line starting with space continues
# the field before it (an inline Signed-By key, for one)
function flush(   i, n, t, isdeb) {
	if (nf == 0) return
	n = split(tolower(val["types"]), t, /[ \t]+/)
	isdeb = 0
	for (i = 1; i <= n; i++) if (t[i] == "deb") isdeb = 1
	if (isdeb && tolower(val["enabled"]) != "no" && val["uris"] != "" && val["suites"] != "") {
		printf "Types: deb-src\nURIs: %s\nSuites: %s\n", val["uris"], val["suites"]
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
	*) awk -f /dev/fd/3 "$f" 3<<'AWK'
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
	printf "Types: deb-src\nURIs: %s\nSuites: %s\n", f[1], f[2]
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
[ -n "$out" ] || { echo "apt-src: $etc: no enabled 'deb' entry to derive a deb-src entry from" >&2; exit 1; }
printf '%s\n' "$out"
