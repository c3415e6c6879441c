#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fdsplit check --code CODE over many varstores (an admin checking every VM's
# nvram before a CODE upgrade) against cat of the same files, in the same run:
# the check must cost no more than MAX_RATIO x cat. The stores are copies of
# Debian's 4M templates, empty and Microsoft-enrolled, one file per VM.
set -euo pipefail
O=${O:-out}
N=${N:-10000}
MAX_RATIO=${MAX_RATIO:-2.0}
ovmf=$O/ref/root/usr/share/OVMF
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fdsplit-many.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for ((i = 0; i < N; i++)); do
	if ((i % 2)); then src=$ovmf/OVMF_VARS_4M.ms.fd; else src=$ovmf/OVMF_VARS_4M.fd; fi
	cp "$src" "$tmp/vm$i.fd"
done
ns() { date +%s%N; }
best() { # the fastest of 3 rounds, in ns
	local b=0 t0 t1
	for round in 1 2 3; do
		t0=$(ns)
		"$@" >/dev/null
		t1=$(ns)
		if [ $b = 0 ] || [ $((t1 - t0)) -lt $b ]; then b=$((t1 - t0)); fi
	done
	echo $b
}
cd "$tmp"
c=$(best sh -c 'find . -name "vm*.fd" -print0 | xargs -0 cat')
f=$(best sh -c 'find . -name "vm*.fd" -print0 | xargs -0 '"$OLDPWD/$O"'/bin/fdsplit check --code '"$OLDPWD/$ovmf"'/OVMF_CODE_4M.fd')
cd "$OLDPWD"
printf 'fdsplit check --code OVMF_CODE_4M.fd over %d varstores of 0x84000 bytes (%d MiB), best of 3\n' "$N" $((N * 540672 >> 20))
awk -v c="$c" -v f="$f" -v n="$N" -v max="$MAX_RATIO" 'BEGIN {
	printf "  cat            %6.2f s   1.00x (floor)\n", c / 1e9
	printf "  fdsplit check  %6.2f s   %.2fx cat (limit %.1fx)\n", f / 1e9, f / c, max
	exit (f / c <= max) ? 0 : 1 }' || { echo "fdsplit-many: fdsplit check costs more than ${MAX_RATIO}x cat" >&2; exit 1; }
