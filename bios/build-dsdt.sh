#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# acpi-dsdt.aml, as Debian's seabios package ships it in /usr/share/seabios
# (QEMU no longer loads it; configurations that name it still find it): the
# SeaBIOS tree's src/fw/acpi-dsdt.dsl through cpp and SeaBIOS's
# acpi_extract_preprocess.py, compiled by iasl (acpica-tools), as SeaBIOS's
# Makefile (%.hex: %.dsl) does. Byte-identical to Debian 12's.
# usage: bios/build-dsdt.sh TREE OUT.aml
set -euo pipefail
tree=$(realpath "$1") out=$(realpath -m "$2")
die() { echo "build-dsdt: $*" >&2; exit 1; }
[ -f "$tree/src/fw/acpi-dsdt.dsl" ] && [ -f "$tree/scripts/acpi_extract_preprocess.py" ] ||
	die "$tree: not a SeaBIOS tree (no src/fw/acpi-dsdt.dsl)"
command -v iasl >/dev/null || die "iasl not found (Debian package acpica-tools)"
tmp=$(mktemp -d "$(dirname "$out")/.dsdt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tree" && cpp -P src/fw/acpi-dsdt.dsl -o "$tmp/acpi-dsdt.dsl.i.orig")
python3 "$tree/scripts/acpi_extract_preprocess.py" "$tmp/acpi-dsdt.dsl.i.orig" > "$tmp/acpi-dsdt.dsl.i"
iasl -vs -l -tc -p "$tmp/acpi-dsdt" "$tmp/acpi-dsdt.dsl.i" > "$tmp/iasl.log" 2>&1 || { cat "$tmp/iasl.log" >&2; die "iasl failed"; }
mv "$tmp/acpi-dsdt.aml" "$out"
