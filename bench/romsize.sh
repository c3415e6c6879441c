#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# romsize check of the whole reference set against cat of the same files (the
# floor), in the same run; prints ratios, not absolute times (noisy machines).
set -euo pipefail
O=${O:-out}
N=${N:-30}
files=$(ls "$O"/ref/padded/usr/share/seabios/* "$O"/ref/padded/usr/lib/ipxe/qemu/* "$O"/ref/padded/usr/share/OVMF/*)
ns() { date +%s%N; }
run() { # N times "$@", returns total nanoseconds
	local t0 t1
	t0=$(ns)
	for ((i = 0; i < N; i++)); do "$@" >/dev/null 2>&1 || true; done
	t1=$(ns)
	echo $((t1 - t0))
}
# interleave the rounds so drift hits every command alike
cat_t=0 rs_t=0 efirom_t=0
for round in 1 2 3; do
	cat_t=$((cat_t + $(run cat $files)))
	rs_t=$((rs_t + $(run "$O"/bin/romsize check $files)))
	if command -v EfiRom >/dev/null; then
		efirom_t=$((efirom_t + $(run sh -c 'for f in "$@"; do EfiRom -d "$f"; done' _ $files)))
	fi
done
n=$(echo "$files" | wc -w)
bytes=$(cat $files | wc -c)
printf 'romsize check, %d files, %d bytes, %d runs x 3 rounds\n' "$n" "$bytes" "$N"
printf '  cat                 1.00x (floor)\n'
awk -v a="$rs_t" -v b="$cat_t" 'BEGIN { printf "  romsize check       %.2fx cat  (goal: within 2x)\n", a / b }'
if [ "$efirom_t" != 0 ]; then
	awk -v a="$efirom_t" -v b="$cat_t" 'BEGIN { printf "  EfiRom -d (each)    %.2fx cat\n", a / b }'
else
	echo "  EfiRom -d           not installed (EDK2 BaseTools; Debian has no package for it): not compared"
fi
