#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Splits a built OVMF.fd with fdsplit and gates both halves before they are
# installed:
#   cat VARS CODE | cmp - OVMF.fd      the split is exact
#   cmp with EDK2's own CODE and VARS  fdsplit parsed what EDK2 laid out
#   fdsplit check VARS --code CODE     the template works with its CODE
#   romsize check                      both sit in their flash slots
#   fdsplit check OLD --code CODE      every old varstore given with --old
#                                      (Debian's templates) works with it
# usage: ovmf-split/split-ovmf.sh BINDIR MANIFEST BUILDDIR CODE_OUT VARS_OUT
#            [--old VARS]... [--same-layout VARS]
# VARS_OUT "-" installs no VARS; --same-layout then names the installed
# template this variant's VARS must agree with field by field.
set -euo pipefail
bin=$1 manifest=$2 build=$3 code_out=$4 vars_out=$5
shift 5
old=() same=""
while [ $# -gt 0 ]; do
	case $1 in
	--old) old+=("$2"); shift 2 ;;
	--same-layout) same=$2; shift 2 ;;
	*) echo "split-ovmf: unknown argument $1" >&2; exit 2 ;;
	esac
done
fd=$build/OVMF.fd
mkdir -p "$(dirname "$code_out")"
tmp=$(mktemp -d "$(dirname "$code_out")/.split.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
code=$tmp/$(basename "$code_out")
vname=$(basename "$code_out" | sed 's/CODE/VARS/')
[ "$vars_out" = - ] || vname=$(basename "$vars_out")
vars=$tmp/$vname

"$bin/fdsplit" split "$fd" --code "$code" --vars "$vars" >/dev/null
cat "$vars" "$code" | cmp -s - "$fd" || { echo "split-ovmf: $fd: VARS+CODE differ from OVMF.fd" >&2; exit 1; }
cmp "$code" "$build/edk2-CODE.fd" || { echo "split-ovmf: fdsplit's CODE differs from EDK2's OVMF_CODE.fd" >&2; exit 1; }
cmp "$vars" "$build/edk2-VARS.fd" || { echo "split-ovmf: fdsplit's VARS differs from EDK2's OVMF_VARS.fd" >&2; exit 1; }
"$bin/fdsplit" check "$vars" --code "$code" >/dev/null
"$bin/romsize" check --manifest "$manifest" "$code" >/dev/null
[ "$vars_out" = - ] || "$bin/romsize" check --manifest "$manifest" "$vars" >/dev/null
if [ -n "$same" ]; then
	"$bin/fdsplit" check "$same" --template "$vars" >/dev/null
	"$bin/fdsplit" check "$same" --code "$code" >/dev/null
fi
for v in "${old[@]}"; do
	"$bin/fdsplit" check "$v" --code "$code" >/dev/null
done
[ "$vars_out" = - ] || mv "$vars" "$vars_out"
mv "$code" "$code_out"
