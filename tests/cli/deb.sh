# SPDX-License-Identifier: MIT
# The Debian packages: make deb, lintian, debian/control, dpkg into a scratch
# root (boot from it, the man pages' examples, the way back). make check runs
# it first in lane B: the system drop-in (tests/system/dropin.py) installs
# the out/deb it builds.
S=$(realpath -m "$SCRATCH/deb")
mkdir -p "$S"
D=tests/pkg/descriptors.py

# packages: make deb, lintian without errors, install into a scratch root
# with dpkg, and boot SeaBIOS, the ROMs and OVMF from the installed folders
if [ -f "$O/firmware/SHA256SUMS" ]; then
	V=$(dpkg-parsechangelog -l debian/changelog -S Version)
	t 0 out "fwslot-firmware_${V}_all.deb" make -s --no-print-directory deb
	for deb in "$O"/deb/fwslot-tools_*.deb "$O"/deb/fwslot-firmware_*.deb; do
		t 0 - '' bash -c "lintian --fail-on error,warning '$deb' 2>&1 | { grep -v 'root privileges' || true; }; exit \${PIPESTATUS[0]}"
	done
	ok 'deb: fwslot-firmware conflicts with and replaces seabios, ipxe-qemu and ovmf' bash -c \
		"dpkg-deb -f $O/deb/fwslot-firmware_*.deb Conflicts Replaces | grep -c '^[A-Za-z]*: ipxe-qemu, ovmf, seabios\$' | grep -qx 2"
	# it provides the packages it replaces at the versions of the sources it
	# is built from (pkg/sources.lock: seabios; ipxe as ipxe-qemu; edk2 as ovmf)
	ok 'deb: Provides: seabios, ipxe-qemu and ovmf at the versions of pkg/sources.lock' bash -c '
		p=$(dpkg-deb -f "$1" Provides)
		awk "\$1 == \"seabios\" || \$1 == \"ipxe\" || \$1 == \"edk2\" { print \$1, \$2 }" pkg/sources.lock | sort -u |
		sed "s/^ipxe /ipxe-qemu /; s/^edk2 /ovmf /" | while read -r pkg ver; do want="$pkg (= $ver)"
			case ", $p, " in *", $want, "*) ;; *) echo "missing: $want in $p"; exit 1 ;; esac; done' _ "$O"/deb/fwslot-firmware_${V}_all.deb
	ok 'deb: Built-Using names the Debian sources the firmware is built from (pkg/sources.lock)' bash -c '
		b=$(dpkg-deb -f "$1" Built-Using)
		for p in seabios edk2; do v=$(awk -v p=$p "\$1 == p { print \$2; exit }" pkg/sources.lock)
			case "$b" in *"$p (= $v)"*) ;; *) echo "no $p (= $v) in $b"; exit 1 ;; esac; done' _ "$O"/deb/fwslot-firmware_${V}_all.deb
	ok 'deb: the firmware inside is out/firmware, byte for byte' bash -c \
		"rm -rf '$S/x' && mkdir '$S/x' && dpkg-deb -x $O/deb/fwslot-firmware_${V}_all.deb '$S/x' && cd '$S/x' && sha256sum --quiet -c '$(realpath "$O")/firmware/SHA256SUMS'"
	# fwslot-tools' copyright names what it holds: the tools, not the firmware
	ok 'deb: fwslot-tools copyright is fwslot'"'"'s own code only (no SeaBIOS, iPXE, EDK2 stanza)' bash -c \
		"rm -rf '$S/t' && mkdir '$S/t' && dpkg-deb -x $O/deb/fwslot-tools_*.deb '$S/t' && c='$S/t/usr/share/doc/fwslot-tools/copyright' &&
		 grep -q '^License: Expat' \$c && ! grep -Eqi 'seabios|ipxe|edk2|openssl|LGPL|GPL-2' \$c"
	ok 'deb: fwslot-firmware copyright names the firmware sources' bash -c \
		"dpkg-deb --fsys-tarfile $O/deb/fwslot-firmware_*.deb | tar -xO ./usr/share/doc/fwslot-firmware/copyright | grep -q 'Files: usr/share/seabios'"
fi
# Build-Depends names the -dev package of every library the tools link (-lNAME
# in tools/*/build.mk: the package that ships libNAME.so)
for lib in $(grep -ho -- ' -l[a-z0-9]*' tools/*/build.mk | sort -u); do
	so=$(gcc -print-file-name="lib${lib#-l}.so")
	dev=$(dpkg -S "$(realpath -s "$so")" 2>/dev/null | head -1 | cut -d: -f1)
	ok "debian/control: Build-Depends names ${dev:-the package of $so} (for $lib)" bash -c \
		"[ -n '$dev' ] && sed -n '/^Build-Depends:/,/^[A-Z]/p' debian/control | grep -qw -- '$dev'"
done
# the shipped flags build on every architecture: -fcf-protection only where gcc takes it
hardening() { make -s --no-print-directory -p -n O="$S/flags" "$@" tools 2>/dev/null | grep '^HARDEN_CFLAGS :='; }
ok 'GNUmakefile: -fcf-protection where the compiler takes it (gcc on x86), not for one that does not' bash -c \
	"$(declare -f hardening); hardening | grep -q -- -fcf-protection && ! hardening CC=false | grep -q -- -fcf-protection"
if [ -f "$O/firmware/SHA256SUMS" ]; then
	t 0 out 'dpkg-buildpackage -b' make -n -s --no-print-directory deb
	ok 'deb: two make deb runs give the same bytes' bash -c \
		"sha256sum $O/deb/*.deb > $S/deb1.sum && make -s --no-print-directory deb >/dev/null && sha256sum $O/deb/*.deb | cmp -s - $S/deb1.sum"
	P=$S/dpkgroot
	mkdir -p "$P/var/lib/dpkg/info" "$P/var/lib/dpkg/updates" && touch "$P/var/lib/dpkg/status" "$P/var/lib/dpkg/available"
	t 0 - '' dpkg --root="$P" --force-depends --force-not-root -i "$O"/deb/fwslot-tools_*.deb "$O"/deb/fwslot-firmware_*.deb
	ok 'deb: dpkg lists both packages installed' bash -c \
		"dpkg --root='$P' -l fwslot-tools fwslot-firmware 2>/dev/null | grep -c '^ii' | grep -qx 2"
	# what depends on Debian's packages, with versions as qemu-system-x86 and others
	# state them, installs over ours without forcing anything
	N=$S/needs; rm -rf "$N" && mkdir -p "$N/DEBIAN"
	printf 'Package: needs-firmware\nVersion: 1\nArchitecture: all\nMaintainer: x <x@example.org>\nDepends: seabios (>= 1.10.2-1~), ipxe-qemu (>= 1.0.0+git-20150424.a25a16d-1), ovmf (>= 2022.11)\nDescription: test\n test\n' > "$N/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$N" "$S/needs.deb" >/dev/null
	t 0 - '' dpkg --root="$P" --force-not-root -i "$S/needs.deb"
	t 0 - '' dpkg --root="$P" --force-not-root -P needs-firmware
	# every path Debian 12's seabios, ipxe-qemu and ovmf install (files and links:
	# VMs and configurations name them) is installed by ours, descriptors aside
	# (ours carry their own names) and docs aside
	ok "deb: every path of Debian 12's firmware packages is there" bash -c '
		for d in "$1"/*.deb; do dpkg-deb -c "$d"; done | awk "{ print \$6 }" | sed "s|^[.]/||" |
			grep -Ev "/\$|^usr/share/doc/|^usr/share/qemu/firmware/|^usr/share/lintian/" | sort -u |
			while read -r p; do [ -e "$2/$p" ] || { echo "missing: $p"; exit 1; }; done' _ "$O/ref/debs" "$P"
	ok 'deb: the compat names point where Debian'"'"'s do' bash -c '
		for l in 82540em e1000_82540 eepro100 ns8390 pcnet32 rtl8139 virtio-net; do
			[ "$(readlink "$1/usr/lib/ipxe/$l.rom")" = "$(readlink "$2/usr/lib/ipxe/$l.rom")" ] || exit 1; done
		[ "$(readlink "$1/usr/share/qemu/OVMF.fd")" = ../ovmf/OVMF.fd ]' _ "$P" "$REF"
	ok 'deb: acpi-dsdt.aml, built from the SeaBIOS source, is byte for byte Debian 12'"'"'s' \
		cmp "$P/usr/share/seabios/acpi-dsdt.aml" "$REF/usr/share/seabios/acpi-dsdt.aml"
	ok 'deb: the packaged romsize passes the packaged firmware' \
		"$P/usr/bin/romsize" check "$P/usr/share/seabios" "$P/usr/lib/ipxe/qemu" "$P/usr/share/OVMF" "$P/usr/share/ovmf"
	t 0 out "descriptors: $(ls pkg/descriptors/*.json | wc -l) checked, 0 findings" python3 $D "$BIN/fdsplit" "$P" "$P"/usr/share/qemu/firmware/*.json
	# what dpkg installed is what the boot suite boots: every file and link of
	# out/firmware's tree, links followed, byte for byte under the root (but the
	# -L links of usr/share/qemu: on a system qemu-system-data owns those names)
	ok 'deb: each file and link of out/firmware is installed by dpkg, byte for byte (links followed)' bash -c '
		n=0; cd "$1" && while read -r f; do cmp -s "$f" "$2/$f" || { echo "differs or missing: $f"; exit 1; }; n=$((n + 1))
		done < <(find usr -path usr/share/qemu -prune -o \( -type f -o -type l \) -print); [ $n -ge 40 ] || { echo "only $n compared"; exit 1; }' \
		_ "$O/firmware" "$P"
	# and boots from the installed folders: one image of each kind (exit 0: every case passed)
	t 0 out '# boot-installed: 5 passed, 0 failed' env FWSLOT_INSTALLED_ROOT="$P" FWSLOT_SCRATCH_SUFFIX=-installed \
		python3 tests/boot/boot.py
	# the man pages' EXAMPLES run as written on the installed system: each "$ romsize" and
	# "$ fdsplit" line, with the system's paths under the scratch root (/usr/ in $P, a VM's
	# nvram and the other folders the examples name under $EX), ends in 0 or 1, never 2
	EX=$S/examples
	rm -rf "$EX" && mkdir -p "$EX/srv/rom" "$EX/var/lib/libvirt/qemu/nvram"
	cp "$P/usr/share/OVMF/OVMF_VARS.fd" "$EX/vm1_VARS.fd"
	cp "$P/usr/share/OVMF/OVMF_VARS_4M.fd" "$EX/var/lib/libvirt/qemu/nvram/vm1_VARS.fd"
	n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		ok "man page example runs on the installed system: $cmd" bash -c '
			cd "$1" && eval "$2" >/dev/null 2>"$1/err"; rc=$?; [ $rc -le 1 ] || { cat "$1/err"; exit 1; }' _ "$EX" \
			"$(printf '%s' "$cmd" | sed -e "s| / | $P/ |; s|/tmp/new-firmware|$P|; s| /usr/| $P/usr/|g; s| /var/| $EX/var/|g; s| /srv/| $EX/srv/|g" \
				-e "s|out/seabios/|$(realpath "$O")/seabios/|; s|^romsize |$P/usr/bin/romsize |; s|^fdsplit |$P/usr/bin/fdsplit |")"
	done < <(for m in doc/romsize.1 doc/fdsplit.1; do
		sed -e ':a' -e '/\\e$/{N;s/\\e\n *//;ba}' "$m" | sed -n 's/^\$ \(romsize\|fdsplit\) /\1 /p' | sed 's/\\-/-/g'
	done)
	ok "man pages: $n examples found (the extraction can fail)" test "$n" -ge 10
	# every name of the slot manifest is installed: the man page's --require-all example holds
	t 0 - '' "$P/usr/bin/romsize" check --require-all --min-free 2K "$P/usr/share/seabios" "$P/usr/lib/ipxe/qemu" \
		"$P/usr/share/OVMF" "$P/usr/share/ovmf"
	# the way back to Debian's packages (README: apt-get install seabios ipxe-qemu ovmf,
	# which removes fwslot-firmware, conflicting with them): Debian's packages do not
	# install over ours, and do once ours is gone, leaving Debian's bytes
	t 1 err 'conflicting packages' dpkg --root="$P" --force-not-root -i "$O"/ref/debs/seabios_*.deb
	t 0 - '' dpkg --root="$P" --force-depends --force-not-root -r fwslot-firmware
	t 0 - '' dpkg --root="$P" --force-depends --force-not-root -i "$O"/ref/debs/seabios_*.deb "$O"/ref/debs/ipxe-qemu_*.deb "$O"/ref/debs/ovmf_*.deb
	ok 'deb: back on Debian'"'"'s packages, their files are theirs' bash -c "
		cmp '$P/usr/share/seabios/bios-256k.bin' '$REF/usr/share/seabios/bios-256k.bin' &&
		cmp '$P/usr/lib/ipxe/qemu/efi-e1000.rom' '$REF/usr/lib/ipxe/qemu/efi-e1000.rom' &&
		cmp '$P/usr/share/OVMF/OVMF_CODE_4M.fd' '$REF/usr/share/OVMF/OVMF_CODE_4M.fd'"
	t 0 - '' dpkg --root="$P" --force-depends --force-not-root -P seabios ipxe-qemu ovmf fwslot-tools fwslot-firmware
	ok 'deb: purging leaves no file' test -z "$(find "$P/usr" -type f 2>/dev/null)"
fi
