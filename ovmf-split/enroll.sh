#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes a pre-enrolled Secure Boot varstore the way Debian's edk2 package does
# (debian/rules, debian/edk2-vars-generator.py): OVMF boots a copy of the empty
# VARS template under QEMU (TCG), the UEFI shell runs EnrollDefaultKeys.efi,
# which reads the PK/KEK1 certificate from SMBIOS type 11 OEM string
# 4e32566d-8e9e-4f52-81d3-5bb9715f9727 and enrolls PK, KEK, db and dbx (with
# --no-default only PK and KEK1), clears BootOrder and powers off.
#
# Unlike Debian's script nothing is typed at a prompt: a startup.nsh on a FAT
# disk made with mtools drives the shell. The firmware stamps the enrolled
# variables with the RTC, so QEMU runs with a fixed RTC base and -icount: the
# same inputs give the same bytes.
#
# usage: ovmf-split/enroll.sh CODE VARS_TEMPLATE SHELL.efi ENROLL.efi CERT.pem OUT [--smm] [--no-default]
#   --smm  CODE is a Secure Boot build that requires SMM (q35,smm=on and a
#          secure pflash), as Debian 13 enrolls with its OVMF_CODE_4M.secboot.fd
set -euo pipefail
code=$1 tmpl=$2 shell=$3 enroll=$4 pem=$5 out=$6
die() { echo "enroll: $*" >&2; exit 1; }
nodefault="" smm=0
for a in "${@:7}"; do
	case "$a" in
	--no-default) nodefault=$a ;;
	--smm) smm=1 ;;
	*) die "$a: the options after OUT are --smm and --no-default" ;;
	esac
done
for f in "$code" "$tmpl" "$shell" "$enroll" "$pem"; do [ -f "$f" ] || die "$f: no such file"; done
command -v mformat >/dev/null || die "mformat not found (Debian package mtools)"
QEMU=${QEMU:-qemu-system-x86_64}
# the 2M images have an X64 PEI that cannot do S3 with SMM (debian/python/UEFI/Qemu.py)
extra=()
[ "$(stat -Lc %s "$code")" -lt $((0x200000)) ] && extra=(-global ICH9-LPC.disable_s3=1)
machine=q35
if [ "$smm" = 1 ]; then
	machine=q35,smm=on
	extra+=(-global driver=cfi.pflash01,property=secure,value=on)
fi

work=$(mktemp -d "$(dirname "$out")/.enroll.XXXXXX")
trap 'rm -rf "$work"' EXIT
# the certificate as one line of base64 behind EnrollDefaultKeys's GUID (debian/rules oem-string-%)
oem=$(tr -d '\n' < "$pem" | sed -e 's/.*-----BEGIN CERTIFICATE-----/4e32566d-8e9e-4f52-81d3-5bb9715f9727:/' \
	-e 's/-----END CERTIFICATE-----.*//')
case "$oem" in 4e32566d-8e9e-4f52-81d3-5bb9715f9727:?*) ;; *) die "$pem: no PEM certificate" ;; esac

disk=$work/disk.img
mformat -C -i "$disk" -T 65536 -h 16 -s 32 :: >/dev/null
mmd -i "$disk" ::/EFI ::/EFI/BOOT
mcopy -i "$disk" "$shell" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$disk" "$enroll" ::/EnrollDefaultKeys.efi
printf 'FS0:\r\nEnrollDefaultKeys.efi %s\r\nsetvar BootOrder =\r\nreset -s\r\n' "$nodefault" > "$work/startup.nsh"
mcopy -i "$disk" "$work/startup.nsh" ::/startup.nsh

cp "$tmpl" "$work/vars.fd"
# a comma in -smbios value= is written twice
rc=0
timeout 300 "$QEMU" -accel tcg -M "$machine" -m 256 -smp 1 -nodefaults -no-user-config -display none \
	-no-reboot -serial "file:$work/serial.log" \
	-rtc base=2023-01-01T00:00:00,clock=vm -icount shift=5,sleep=off \
	"${extra[@]}" \
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" \
	-drive "if=pflash,format=raw,unit=1,file=$work/vars.fd" \
	-drive "file=$disk,format=raw,if=virtio" \
	-smbios "type=11,value=${oem//,/,,}" </dev/null >"$work/qemu.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || die "QEMU exited $rc: $(tail -3 "$work/qemu.log" "$work/serial.log" | tr -d '\r' | tr '\n' ' ')"
# EnrollDefaultKeys says so when every variable is in place and Secure Boot is on
grep -aq 'info: success' "$work/serial.log" || die "EnrollDefaultKeys did not report success: $(tr -d '\r' < "$work/serial.log" | grep -a 'info:\|error' | tail -3 | tr '\n' ' ')"
grep -aq 'SetupMode=0 SecureBoot=1' "$work/serial.log" || die "Secure Boot is not on after enrolling"
mv "$work/vars.fd" "$out"
