#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages a step needs, or says exactly what is missing.
# usage: pkg/deps.sh build|check|bench|fuzz|firmware|deb...
set -euo pipefail

declare -A need=(
	[build]="gcc make libc6-dev zlib1g-dev libelf-dev liblzma-dev libssl-dev libbz2-dev libzstd-dev"
	[firmware]="apt dpkg-dev xz-utils python3 python3-distutils g++ nasm acpica-tools uuid-dev qemu-system-x86 mtools perl liblzma-dev"
	[check]="gcc make libc6-dev zlib1g-dev libelf-dev liblzma-dev libssl-dev libbz2-dev libzstd-dev lzop zstd python3 python3-cryptography python3-pefile dpkg-dev nasm qemu-system-x86 qemu-utils clang libclang-rt-14-dev man-db bsdextrautils lintian mtools sbsigntool openssl gnu-efi binutils libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"
	[deb]="debhelper dpkg-dev"
	[bench]="uefitool-cli strace qemu-system-x86"
	[fuzz]="clang libclang-rt-14-dev zlib1g-dev liblzma-dev libssl-dev libbz2-dev libzstd-dev zstd python3"
)

pkgs=""
for step in "$@"; do
	[ -n "${need[$step]+x}" ] || { echo "deps.sh: unknown step '$step'" >&2; exit 2; }
	pkgs="$pkgs ${need[$step]}"
done
missing=()
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
# one package may be listed by several steps
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "deps.sh: install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 2
fi
echo "  DEPS    apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has no package lists yet: update once, then install
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
