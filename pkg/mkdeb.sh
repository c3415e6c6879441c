#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the two binary packages from an install tree with dpkg-deb:
#   fwslot-tools     romsize, fdsplit and their man pages (amd64)
#   fwslot-firmware  the firmware set and its QEMU descriptors (all); it
#                    replaces Debian's seabios, ipxe-qemu and ovmf and provides
#                    them, so qemu-system-x86's dependencies stay satisfied
# usage: pkg/mkdeb.sh INSTALL_ROOT OUTDIR VERSION
# Two runs give the same bytes (SOURCE_DATE_EPOCH: the last commit's time).
set -euo pipefail
root=$1 out=$2 ver=$3
arch=$(dpkg --print-architecture)
work=$(mktemp -d "$out/.deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
maint="fwslot developers <fwslot@example.org>"
# reproducible: one timestamp for the changelog, every file's mtime and the ar
# members (dpkg-deb reads SOURCE_DATE_EPOCH): the last commit's, unless given
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
date=$(date -R -d @"$SOURCE_DATE_EPOCH")

common() { # PKG DIR: copyright and changelog, as Debian policy wants them
	local pkg=$1 d=$2
	install -d "$d/usr/share/doc/$pkg"
	{
		echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
		echo "Upstream-Name: fwslot"
		echo
		echo "Files: *"
		echo "Copyright: fwslot developers"
		echo "License: MIT"
		sed 's/^$/./; s/^/ /' LICENSE
		if [ "$pkg" = fwslot-firmware ]; then
			echo
			echo "Files: usr/share/seabios/* usr/lib/ipxe/qemu/*"
			echo "Copyright: SeaBIOS and iPXE authors"
			echo "License: LGPL-3 and GPL-2+ (SeaBIOS), GPL-2+ (iPXE); see /usr/share/common-licenses"
			echo
			echo "Files: usr/share/OVMF/* usr/share/ovmf/*"
			echo "Copyright: EDK2 authors"
			echo "License: BSD-2-Clause-Patent; see the edk2 source package"
		fi
	} > "$d/usr/share/doc/$pkg/copyright"
	printf '%s (%s) unstable; urgency=medium\n\n  * Built by fwslot.\n\n -- %s  %s\n' \
		"$pkg" "$ver" "$maint" "$date" | gzip -9n > "$d/usr/share/doc/$pkg/changelog.gz"
}

control() { # DIR PKG ARCH FIELDS...
	local d=$1 pkg=$2 a=$3
	shift 3
	install -d "$d/DEBIAN"
	{
		echo "Package: $pkg"
		echo "Version: $ver"
		echo "Architecture: $a"
		echo "Maintainer: $maint"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$d" | cut -f1)"
		printf '%s\n' "$@"
	} > "$d/DEBIAN/control"
	(cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs md5sum) > "$d/DEBIAN/md5sums"
}

# tools
t=$work/tools
install -d "$t/usr/bin" "$t/usr/share/man/man1"
install -m 755 "$root/usr/bin/romsize" "$root/usr/bin/fdsplit" "$t/usr/bin/"
strip --remove-section=.comment --remove-section=.note "$t/usr/bin/romsize" "$t/usr/bin/fdsplit"
for m in romsize fdsplit; do gzip -9n < "$root/usr/share/man/man1/$m.1" > "$t/usr/share/man/man1/$m.1.gz"; done
common fwslot-tools "$t"
control "$t" fwslot-tools "$arch" \
	"Depends: libc6 (>= 2.34), libelf1 (>= 0.144), zlib1g (>= 1:1.2.0), liblzma5 (>= 5.4.1)" \
	"Section: utils" "Priority: optional" \
	"Description: QEMU firmware slot tools: romsize and fdsplit" \
	" romsize reports, checks and pads BIOS images and PCI option ROMs against" \
	" their QEMU slots, so firmware upgrades never change a migrated RAM block" \
	" size. fdsplit splits OVMF images and says whether a VM's varstore works" \
	" with a given OVMF CODE."

# firmware: it provides the Debian 12 packages it replaces at their versions
# (pkg/reference.lock), so versioned dependencies on them stay met
provides=$(awk '!/^#/ && NF == 3 && ($1 == "seabios" || $1 == "ipxe-qemu" || $1 == "ovmf") { printf "%s%s (= %s)", n++ ? ", " : "", $1, $2 }' pkg/reference.lock)
[ -n "$provides" ] || { echo "mkdeb: pkg/reference.lock: no Debian 12 seabios, ipxe-qemu, ovmf" >&2; exit 2; }
f=$work/firmware
install -d "$f/usr/share" "$f/usr/lib"
cp -a "$root/usr/share/seabios" "$root/usr/share/OVMF" "$root/usr/share/ovmf" "$f/usr/share/"
install -d "$f/usr/share/qemu" && cp -a "$root/usr/share/qemu/firmware" "$root/usr/share/qemu/OVMF.fd" "$f/usr/share/qemu/"
cp -a "$root/usr/lib/ipxe" "$f/usr/lib/"
common fwslot-firmware "$f"
control "$f" fwslot-firmware all \
	"Provides: $provides" \
	"Conflicts: seabios, ipxe-qemu, ovmf" \
	"Replaces: seabios, ipxe-qemu, ovmf" \
	"Section: misc" "Priority: optional" "Multi-Arch: foreign" \
	"Description: QEMU x86 firmware in fixed slots (SeaBIOS, iPXE ROMs, OVMF)" \
	" SeaBIOS, SeaVGABIOS, iPXE NIC ROMs and OVMF, each padded to a fixed slot" \
	" (bios.bin 128K, vgabios 64K, pxe 128K, efi 256K; OVMF 2M and 4M split into" \
	" CODE and VARS) so that VMs migrate and restore across firmware upgrades." \
	" Includes QEMU firmware descriptors for libvirt."

for d in "$t" "$f"; do
	find "$d" -type d -exec chmod 755 {} +
	find "$d" -exec touch --no-dereference --date=@"$SOURCE_DATE_EPOCH" {} +
	dpkg-deb --root-owner-group -Zxz --build "$d" "$out" >/dev/null
done
ls "$out"/fwslot-tools_"$ver"_"$arch".deb "$out"/fwslot-firmware_"$ver"_all.deb
