#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# After `make`: how long each build step this run made took (its log's
# "# exit 0 after N s", pkg/logged.sh), the longest first, and the whole run,
# so a step that got slower shows. Steps not rebuilt this run are not listed.
# usage: pkg/stage-times.sh OUT START-EPOCH
set -uo pipefail
out=$1 start=$2
now=$(date +%s)
n=0
for log in "$out"/log/*.log; do
	[ -f "$log" ] && [ "$(stat -c %Y "$log")" -ge "$start" ] || continue
	s=$(sed -n 's/^# exit 0 after \([0-9]*\) s$/\1/p' "$log" | tail -1)
	[ -n "$s" ] && printf '%s %s\n' "$s" "$(basename "$log" .log)"
	n=$((n + 1))
done | sort -rn | awk '{ printf "  TIME    %-30s %5d s\n", $2, $1 }'
printf '  TIME    %-30s %5d s on %s cores (steps overlap: make -j)\n' "make, in all" $((now - start)) "$(nproc)"
