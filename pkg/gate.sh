#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The slot gate every image passes on its way into the firmware tree: pad it
# to its slot in pkg/slots.conf (named by OUT's file name), check it, and only
# then move it into place. An image that does not fit fails the build with
# romsize's message and, when the build left the ELF it was linked from, the
# largest sections and symbols in it.
# usage: pkg/gate.sh ROMSIZE MANIFEST IMAGE OUT [ELF]
set -euo pipefail
romsize=$1 manifest=$2 image=$3 out=$4 elf=${5:-}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.gate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
staged=$tmp/$(basename "$out")

blame() {
	if [ -n "$elf" ] && [ -f "$elf" ]; then
		echo "gate: $(basename "$out") does not fit; what takes the space in $elf:" >&2
		"$romsize" blame --top 15 "$elf" >&2 || true
	fi
	exit 1
}
# the manifest knows an image by its file name: stage it under OUT's name
cp "$image" "$staged"
"$romsize" pad --manifest "$manifest" "$staged" || blame
"$romsize" check --padded --manifest "$manifest" --min-free 2K "$staged" >/dev/null || blame
mv "$staged" "$out"
