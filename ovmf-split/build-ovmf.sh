#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one OVMF variant with EDK2's build in a workspace of its own (so the
# variants never share Build/ and can run side by side), reading the source
# tree through PACKAGES_PATH.
# usage: ovmf-split/build-ovmf.sh TREE WORKSPACE FLAGSFILE OUTDIR
#   EDK2_THREADS=N   build threads (default: the number of CPUs)
# Leaves in OUTDIR: OVMF.fd (the unified image fdsplit splits), edk2-CODE.fd
# and edk2-VARS.fd (EDK2's own split, to compare with), fv-fill.txt.
# Bytes are reproducible for builds in the same WORKSPACE path: EDK2 puts
# absolute paths into what it generates.
set -euo pipefail
tree=$(realpath "$1") ws=$(realpath -m "$2") flags=$3 out=$(realpath -m "$4")
die() { echo "build-ovmf: $*" >&2; exit 1; }
[ -f "$tree/edksetup.sh" ] && [ -d "$tree/OvmfPkg" ] || die "$tree: not an EDK2 tree (no edksetup.sh, OvmfPkg/)"
[ -x "$tree/BaseTools/Source/C/bin/GenFw" ] || die "$tree: BaseTools are not built (make -C $tree/BaseTools)"

# the flags file: -p PLATFORM, -a ARCH (default X64) and -D options, one per
# line, # comments
args=()
while read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2206
	args+=($line)
done < "$flags"
platform=""
for ((i = 0; i < ${#args[@]}; i++)); do
	[ "${args[$i]}" = -p ] && platform=${args[$((i + 1))]:-}
done
[ -n "$platform" ] || die "$flags: no '-p PLATFORM.dsc' line"
arch=()
[[ " ${args[*]} " == *" -a "* ]] || arch=(-a X64) # X64 unless the flags say otherwise
dscname=$(basename "$platform" .dsc)
outdir=$(sed -n 's/^ *OUTPUT_DIRECTORY *= *//p' "$tree/$platform" | tr -d '\r' | head -1)
[ -n "$outdir" ] || die "$tree/$platform: no OUTPUT_DIRECTORY"

# other flags, another tree or another workspace: start from scratch
key=$(printf '%s\n' "$tree" "$ws" "${args[@]}")
if [ "$(cat "$ws/.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$ws"
fi
mkdir -p "$ws/Conf" "$out"

set +eu # edksetup.sh reads unset variables and runs commands that fail
export WORKSPACE=$ws PACKAGES_PATH=$tree EDK_TOOLS_PATH=$tree/BaseTools CONF_PATH=$ws/Conf
export PYTHON3_ENABLE=TRUE PYTHONHASHSEED=1
unset ECP_SOURCE EDK_SOURCE EFI_SOURCE
cd "$ws"
# shellcheck disable=SC1091
set -- # edksetup.sh reads the positional parameters as its options
. "$tree/edksetup.sh" || die "edksetup.sh failed"
set -eu
echo "$key" > "$ws/.key"
build "${arch[@]}" -t GCC5 -b RELEASE -n "${EDK2_THREADS:-$(nproc)}" "${args[@]}"

fv=$ws/$outdir/RELEASE_GCC5/FV
for f in OVMF.fd OVMF_CODE.fd OVMF_VARS.fd; do
	[ -f "$fv/$f" ] || die "$fv/$f: the build left no $f ($dscname)"
done
cp "$fv/OVMF.fd" "$out/OVMF.fd.tmp"
cp "$fv/OVMF_CODE.fd" "$out/edk2-CODE.fd"
cp "$fv/OVMF_VARS.fd" "$out/edk2-VARS.fd"
# how full each firmware volume is (EDK2's FV Space Information)
for t in "$fv"/*.Fv.txt; do
	total=$(sed -n 's/^EFI_FV_TOTAL_SIZE = //p' "$t") taken=$(sed -n 's/^EFI_FV_TAKEN_SIZE = //p' "$t")
	[ -n "$total" ] && [ -n "$taken" ] && echo "$(basename "$t" .Fv.txt) $((total)) $((taken))"
done > "$out/fv-fill.txt"
mv "$out/OVMF.fd.tmp" "$out/OVMF.fd"
