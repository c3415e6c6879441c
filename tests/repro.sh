#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two clean builds must give bit-identical images, also when they are built in
# different directories (as two packagers' checkouts are): keeps the
# SHA256SUMS of out/firmware (building it first if needed), builds the whole
# set again from clean in another output folder, $O/repro/second-build (a
# longer path, so any path that leaks into an image changes its bytes), from
# the same verified downloads (offline), and compares. Run by `make repro`;
# takes as long as a build.
set -euo pipefail
O=${O:-out}
MAKE=${MAKE:-make}
# as parallel as `make` itself unless the caller chose a -j
case " ${MAKEFLAGS:-} " in *" -j"*|*jobserver*) j= ;; *) j=-j$(nproc) ;; esac
[ -f "$O/firmware/SHA256SUMS" ] || $MAKE --no-print-directory $j firmware
O2=$O/repro/second-build
rm -rf "$O/repro"
mkdir -p "$O2/src" "$O2/ref"
cp "$O/firmware/SHA256SUMS" "$O/repro/first.SHA256SUMS"
# the pinned downloads, re-verified by the fetch steps before they unpack
cp -a "$O/src/dl" "$O2/src/dl"
cp -a "$O/ref/debs" "$O2/ref/debs"
echo "  REPRO   building the firmware set again, from clean, in $O2"
start=$(date +%s)
FETCH_OFFLINE=1 $MAKE --no-print-directory $j O="$O2" firmware
echo "  REPRO   second build took $(( $(date +%s) - start )) s"
cp "$O2/firmware/SHA256SUMS" "$O/repro/second.SHA256SUMS"
if diff -u "$O/repro/first.SHA256SUMS" "$O/repro/second.SHA256SUMS"; then
	echo "  OK      $(wc -l < "$O/repro/first.SHA256SUMS") files bit-identical in two clean builds in $O and $O2"
	rm -rf "$O2"
else
	echo "repro: the two builds differ (above); the second one is kept in $O2" >&2
	exit 1
fi
