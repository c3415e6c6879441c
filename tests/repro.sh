#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two clean builds must give bit-identical images: keeps the SHA256SUMS of the
# current out/firmware, removes every build product (not the fetched sources),
# builds again and compares. Run by `make repro`; takes as long as a build.
set -euo pipefail
O=${O:-out}
MAKE=${MAKE:-make}
# as parallel as `make` itself unless the caller chose a -j
case " ${MAKEFLAGS:-} " in *" -j"*|*jobserver*) j= ;; *) j=-j$(nproc) ;; esac
[ -f "$O/firmware/SHA256SUMS" ] || $MAKE --no-print-directory $j firmware
mkdir -p "$O/repro"
cp "$O/firmware/SHA256SUMS" "$O/repro/first.SHA256SUMS"
echo "  REPRO   removing out/seabios out/ovmf out/edk2-ws out/firmware, building again"
rm -rf "$O/seabios" "$O/ovmf" "$O/edk2-ws" "$O/firmware"
start=$(date +%s)
$MAKE --no-print-directory $j firmware
echo "  REPRO   second build took $(( $(date +%s) - start )) s"
cp "$O/firmware/SHA256SUMS" "$O/repro/second.SHA256SUMS"
if diff -u "$O/repro/first.SHA256SUMS" "$O/repro/second.SHA256SUMS"; then
	echo "  OK      $(wc -l < "$O/repro/first.SHA256SUMS") files bit-identical in two clean builds"
else
	echo "repro: the two builds differ (above)" >&2
	exit 1
fi
