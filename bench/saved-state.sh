#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Judging a saved VM costs its headers, not its size: a 4 GiB state (a real
# QEMU stream, pc with an e1000, grown to 4 GiB as a VM with that much RAM
# leaves it) against Debian 12's set. romsize diff must read under MAX_READ
# bytes of the state (counted with strace, the state's file descriptor only)
# and take at most MAX_RATIO x what `head -c 1M` of the same file takes to
# read the first MiB (both best of 3, in the same run; romsize also reads
# NEW's firmware files, which head does not).
set -euo pipefail
O=${O:-out}
MAX_READ=${MAX_READ:-262144}
MAX_RATIO=${MAX_RATIO:-40}
ref=$O/ref/root
tmp=$(mktemp -d "${TMPDIR:-/tmp}/saved-state.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
state=$tmp/vm.state
printf '{"execute":"qmp_capabilities"}\n{"execute":"migrate","arguments":{"uri":"exec:cat > %s"}}\n' "$state" > "$tmp/qmp"
{ cat "$tmp/qmp"; sleep 2; echo '{"execute":"quit"}'; } |
	timeout 60 qemu-system-x86_64 -accel tcg -S -display none -nodefaults -qmp stdio -M pc -m 128 \
		-L "$ref/usr/share/seabios" -device e1000 >/dev/null 2>&1
[ -s "$state" ] || { echo "saved-state: QEMU wrote no state" >&2; exit 1; }
truncate -s 4G "$state"
read_bytes=$(strace -f -y -e trace=read,pread64 -o "$tmp/trace" "$O/bin/romsize" diff "$state" "$ref" >/dev/null 2>&1 || true
	awk -v f="$state" 'index($0, "<" f ">") { sub(/.*= /, ""); n += $1 } END { print n + 0 }' "$tmp/trace")
ns() { date +%s%N; }
best() {
	local b=0 t0 t1
	for round in 1 2 3; do
		t0=$(ns)
		"$@" >/dev/null 2>&1 || true
		t1=$(ns)
		if [ $b = 0 ] || [ $((t1 - t0)) -lt $b ]; then b=$((t1 - t0)); fi
	done
	echo $b
}
h=$(best head -c 1048576 "$state")
r=$(best "$O/bin/romsize" diff "$state" "$ref")
echo "romsize diff of a 4 GiB saved state against Debian 12's set, best of 3"
awk -v h="$h" -v r="$r" -v rb="$read_bytes" -v mr="$MAX_READ" -v mx="$MAX_RATIO" 'BEGIN {
	printf "  head -c 1M of the state   %6.3f s\n", h / 1e9
	printf "  romsize diff STATE NEW    %6.3f s  %5.1fx head (limit %sx)\n", r / 1e9, r / h, mx
	printf "  bytes of the state read   %d (limit %d)\n", rb, mr
	exit (rb > 0 && rb <= mr && r / h <= mx) ? 0 : 1 }' || { echo "saved-state: reads too much of the state, or too slow" >&2; exit 1; }
