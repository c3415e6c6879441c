#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one OVMF variant with EDK2's build in a workspace of its own (so the
# variants never share Build/ and can run side by side), reading the source
# tree through PACKAGES_PATH.
# usage: ovmf-split/build-ovmf.sh TREE WORKSPACE FLAGSFILE OUTDIR
#   EDK2_THREADS=N   build threads (default: the number of CPUs)
#   EDK2_FIXED_WS=DIR  build through DIR/<name of WORKSPACE>, a symlink to
#                    WORKSPACE (empty: build in WORKSPACE's own path)
# Leaves in OUTDIR: OVMF.fd (the unified image fdsplit splits), edk2-CODE.fd
# and edk2-VARS.fd (EDK2's own split, to compare with), fv-fill.txt.
#
# Reproducible bytes: GenFw writes each module's .dll path, under the
# workspace, into the .efi's CodeView entry. The path is zeroed but its length
# stays, and it moves every section after it (seen: Tcg2Dxe.efi 45248 bytes
# built in one checkout, 45312 in a clone at a longer path). So the build runs through
# one fixed path, EDK2_FIXED_WS, whatever the checkout: the symlink points at
# this checkout's WORKSPACE while a lock on it is held, and builds of the same
# variant from two checkouts take turns.
set -euo pipefail
tree=$(realpath "$1") ws=$(realpath -m "$2") flags=$3 out=$(realpath -m "$4")
die() { echo "build-ovmf: $*" >&2; exit 1; }
[ -f "$tree/edksetup.sh" ] && [ -d "$tree/OvmfPkg" ] || die "$tree: not an EDK2 tree (no edksetup.sh, OvmfPkg/)"
[ -x "$tree/BaseTools/Source/C/bin/GenFw" ] || die "$tree: BaseTools are not built (make -C $tree/BaseTools)"

# the flags file: -p PLATFORM, -a ARCH (default X64) and -D options, one per
# line, # comments; a line "--pcd NAME=VALUE" is one argument, spaces and
# all (PcdFirmwareVendor=LDebian distribution of EDK II\0)
args=()
while read -r line; do
	case "$line" in
	''|'#'*) continue ;;
	'--pcd '*) args+=(--pcd "${line#--pcd }") ;;
	# shellcheck disable=SC2206
	*) args+=($line) ;;
	esac
done < "$flags"
# the firmware version a guest reads (SMBIOS type 0: dmidecode), set as Debian
# 13's debian/rules sets it: the source package's version (EDK2_EXTRAVERSION
# appended) and its changelog date
if [ -f "$tree/debian/changelog" ]; then
	ver=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)${EDK2_EXTRAVERSION:-}
	day=$(date -u -d "@$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Timestamp)" +%m/%d/%Y)
	# (build's --pcd takes L... as a UCS-2 string, quotes added by itself)
	args+=(--pcd "PcdFirmwareVendor=LDebian distribution of EDK II\\0"
		--pcd "PcdFirmwareVersionString=L$ver\\0"
		--pcd "PcdFirmwareReleaseDateString=L$day\\0")
fi
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

# the path EDK2 sees: fixed, or the workspace's own
bws=$ws
if [ -n "${EDK2_FIXED_WS:-}" ]; then
	case "$EDK2_FIXED_WS" in /*) ;; *) die "EDK2_FIXED_WS=$EDK2_FIXED_WS: an absolute path, please" ;; esac
	bws=$EDK2_FIXED_WS/$(basename "$ws")
	# (the braces keep 2>/dev/null from applying to the rest of the script)
	mkdir -p "$EDK2_FIXED_WS" 2>/dev/null && { exec 8>>"$bws.lock"; } 2>/dev/null \
		|| die "$EDK2_FIXED_WS: cannot create $bws.lock (set EDK2_FIXED_WS to a folder you own, or empty to build in $ws; the bytes depend on that path)"
	if ! flock -n 8; then
		echo "build-ovmf: waiting for $bws.lock (another checkout is building $(basename "$ws"))"
		flock 8
	fi
	[ ! -e "$bws" ] || [ -L "$bws" ] || die "$bws: exists and is not a symlink (remove it)"
fi

# other flags, another tree or another workspace: start from scratch. A tree
# unpacked again (pkg/fetch-src.sh: new pins or patches, in TREE.stamp) is
# another tree: its files keep their tarball times, older than the last build,
# so EDK2's own incremental build would not see them change.
key=$(printf '%s\n' "$tree" "$ws" "$bws" "${args[@]}"; cat "$tree.stamp" 2>/dev/null || true)
if [ "$(cat "$ws/.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$ws"
fi
mkdir -p "$ws/Conf" "$out"
if [ "$bws" != "$ws" ]; then
	ln -sfn "$ws" "$bws.new" && mv -T "$bws.new" "$bws"
fi

set +eu # edksetup.sh reads unset variables and runs commands that fail
export WORKSPACE=$bws PACKAGES_PATH=$tree EDK_TOOLS_PATH=$tree/BaseTools CONF_PATH=$bws/Conf
export PYTHON3_ENABLE=TRUE PYTHONHASHSEED=1
unset ECP_SOURCE EDK_SOURCE EFI_SOURCE
cd "$bws"
# shellcheck disable=SC1091
set -- # edksetup.sh reads the positional parameters as its options
. "$tree/edksetup.sh" || die "edksetup.sh failed"
set -eu
echo "$key" > "$ws/.key"
# Stack cookies: each module's first one (STACK_COOKIE_VALUE in its AutoGen.h;
# OvmfPkgIa32X64.dsc links the stack check, so the 4m-secboot modules carry
# it) is picked from Build/.../StackCookieValues{32,64}.json, which EDK2's
# build fills with random numbers when they are absent: every build would
# differ. Written here from a fixed seed instead, as reproducible as the rest
# of the image. (They protect no more when random: each is in the shipped
# image for anyone to read, and OVMF replaces it at entry with one from
# RDRAND where the CPU has it.)
python3 - "$bws/$outdir/RELEASE_GCC5" <<'EOF'
import hashlib, json, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
for bits in (32, 64):
    values = [int.from_bytes(hashlib.sha256(b"fwslot stack cookie %d %d" % (bits, i)).digest()[:bits // 8], "little")
              % ((1 << bits) - 1) for i in range(100)]
    with open(os.path.join(sys.argv[1], "StackCookieValues%d.json" % bits), "w") as f:
        json.dump(values, f)
EOF
build "${arch[@]}" -t GCC5 -b RELEASE -n "${EDK2_THREADS:-$(nproc)}" "${args[@]}"

fv=$bws/$outdir/RELEASE_GCC5/FV
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
