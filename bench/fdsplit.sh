#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fdsplit info on OVMF_VARS_4M.ms.fd against cat of the file and UEFIExtract's
# report on the same file, in the same run; prints ratios.
set -euo pipefail
O=${O:-out}
N=${N:-50}
f=$O/ref/root/usr/share/OVMF/OVMF_VARS_4M.ms.fd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$f" "$tmp/v.fd"
ns() { date +%s%N; }
run() { local t0 t1; t0=$(ns); for ((i = 0; i < N; i++)); do "$@" >/dev/null 2>&1 || true; done; t1=$(ns); echo $((t1 - t0)); }
c=0 s=0 u=0
for round in 1 2 3; do
	c=$((c + $(run cat "$tmp/v.fd")))
	s=$((s + $(run "$O"/bin/fdsplit info "$tmp/v.fd")))
	if command -v UEFIExtract >/dev/null; then
		u=$((u + $(run sh -c 'rm -f "$1.report.txt"; UEFIExtract "$1" report' _ "$tmp/v.fd")))
	fi
done
printf 'fdsplit info, OVMF_VARS_4M.ms.fd (%d bytes), %d runs x 3 rounds\n' "$(stat -c %s "$f")" "$N"
printf '  cat                 1.00x (floor)\n'
awk -v a="$s" -v b="$c" 'BEGIN { printf "  fdsplit info        %.2fx cat\n", a / b }'
if [ "$u" != 0 ]; then
	awk -v a="$u" -v b="$c" -v s="$s" 'BEGIN { printf "  UEFIExtract report  %.2fx cat (fdsplit is %.1fx faster)\n", a / b, a / s }'
else
	echo "  UEFIExtract         not installed (Debian package uefitool-cli): not compared"
fi
