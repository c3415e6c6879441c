# SPDX-License-Identifier: MIT
# make install / uninstall, the firmware descriptors and the man pages.
S=$(realpath -m "$SCRATCH/install")
mkdir -p "$S"
D=tests/pkg/descriptors.py

# man pages and --help agree: every option and command of one is in the other
for tool in romsize fdsplit; do
	help=$("$BIN/$tool" --help)
	man=$(MANWIDTH=200 man -l "doc/$tool.1" 2>/dev/null | col -b)
	opts_help=$(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
	opts_man=$(grep -oE -- '--[a-z][a-z-]*' <<<"$man" | sort -u)
	ok "$tool: every option of --help is in $tool(1)" test -z "$(comm -23 <(echo "$opts_help") <(echo "$opts_man"))"
	ok "$tool: every option of $tool(1) is in --help or getopt" bash -c "
		for o in \$(comm -13 <(echo '$opts_help') <(echo '$opts_man')); do
			case \$o in --help|--version) ;; *) exit 1 ;; esac; done"
	cmds=$(grep -oE "^(usage: | +)$tool [a-z][a-z-]*" <<<"$help" | awk '{print $NF}')
	ok "$tool: --help names its commands" test -n "$cmds"
	for c in $cmds; do
		ok "$tool: command '$c' has its own entry in $tool(1) COMMANDS" \
			grep -qE "^       $c( |\$)" <<<"$(sed -n '/^COMMANDS/,/^OPTIONS/p' <<<"$man")"
	done
	ok "$tool(1) renders without warnings" bash -c "! MANWIDTH=80 man --warnings -l doc/$tool.1 2>&1 >/dev/null | grep -q ."
done

# ours describe each firmware Debian 12 describes with Debian's very features
# (amd-sev and verbose-dynamic included), and sort before Debian's (libvirt
# takes the first match in file-name order, whatever folder a file is in)
ok 'descriptors: the same features as Debian 12'"'"'s for the same CODE and template, and first in order' python3 -c '
import glob, json, os, sys
def load(d):
    out = {}
    for f in sorted(glob.glob(d + "/*.json")):
        m = json.load(open(f))["mapping"]
        key = (m.get("executable", {}).get("filename"), m.get("nvram-template", {}).get("filename"))
        out[key] = (os.path.basename(f), sorted(json.load(open(f))["features"]))
    return out
deb, ours = load(sys.argv[1]), load("pkg/descriptors")
for key, (name, feats) in deb.items():
    assert key in ours, ("no descriptor of ours for", key)
    assert ours[key][1] == feats, (key, ours[key], feats)
    assert ours[key][0] < name, (ours[key][0], "sorts after", name)
' "$REF/usr/share/qemu/firmware"
# the descriptor checker knows QEMU's rules: Debian's own descriptors (as the
# ovmf package installs them) pass against Debian's files, broken ones are
# refused with the reason
t 0 out 'descriptors: 3 checked, 0 findings' python3 $D "$BIN/fdsplit" "$REF" \
	"$REF"/usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json \
	"$REF"/usr/share/qemu/firmware/50-edk2-x86_64-secure.json "$REF"/usr/share/qemu/firmware/60-edk2-x86_64.json
python3 - "$S" <<'PY'
import json, sys
d = json.load(open("pkg/descriptors/50-fwslot-x86_64-ovmf-4m.json"))
cases = {
  "bad-feature": lambda d: d["features"].append("secure-boot-ish"),
  "bad-device": lambda d: d["mapping"].update(device="rom"),
  "no-targets": lambda d: d.pop("targets"),
  "bad-arch": lambda d: d["targets"][0].update(architecture="x86-64"),
  "missing-file": lambda d: d["mapping"]["executable"].update(filename="/usr/share/OVMF/OVMF_CODE_8M.fd"),
  "wrong-pair": lambda d: d["mapping"]["nvram-template"].update(filename="/usr/share/OVMF/OVMF_VARS.fd"),
  "smm-on-pc": lambda d: d["features"].append("requires-smm"),
  "enrolled-empty": lambda d: d["features"].append("enrolled-keys"),
  "keys-unsaid": lambda d: d["mapping"]["nvram-template"].update(filename="/usr/share/OVMF/OVMF_VARS_4M.ms.fd"),
}
for n, f in cases.items():
    x = json.loads(json.dumps(d)); f(x)
    json.dump(x, open("%s/%s.json" % (sys.argv[1], n), "w"))
PY
t 1 out "features: 'secure-boot-ish' is not one of"  python3 $D "$BIN/fdsplit" "$REF" "$S/bad-feature.json"
t 1 out "says enrolled-keys, its template holds only none of PK, KEK, db" python3 $D "$BIN/fdsplit" "$REF" "$S/enrolled-empty.json"
t 1 out "its template holds KEK, PK, db but enrolled-keys is not among its features" python3 $D "$BIN/fdsplit" "$REF" "$S/keys-unsaid.json"
t 1 out "mapping.device 'rom' is not one of"         python3 $D "$BIN/fdsplit" "$REF" "$S/bad-device.json"
t 1 out "missing member 'targets'"                   python3 $D "$BIN/fdsplit" "$REF" "$S/no-targets.json"
t 1 out "architecture 'x86-64' is not one of"        python3 $D "$BIN/fdsplit" "$REF" "$S/bad-arch.json"
t 1 out "'/usr/share/OVMF/OVMF_CODE_8M.fd' is not installed" python3 $D "$BIN/fdsplit" "$REF" "$S/missing-file.json"
t 1 out "its template does not fit its executable"   python3 $D "$BIN/fdsplit" "$REF" "$S/wrong-pair.json"
t 1 out "requires-smm firmware cannot target pc-i440fx" python3 $D "$BIN/fdsplit" "$REF" "$S/smm-on-pc.json"

if [ -f "$O/firmware/SHA256SUMS" ]; then
	R=$S/root
	t 0 - '' make -s --no-print-directory install DESTDIR="$R" PREFIX=/usr
	# the files make ships, the links among them (vgabios.bin, 3 OVMF CODE names, 7 iPXE
	# compat names), share/qemu/OVMF.fd (as Debian's ovmf), 2 tools and fwslot-host-check,
	# 3 man pages, the descriptors
	want=$(( $(make -s --no-print-directory print-images | wc -l) + $(find "$O/firmware/usr" -type l -not -path '*/share/qemu/*' | wc -l) + 1 + 3 + 3 + $(ls pkg/descriptors/*.json | wc -l) ))
	ok "install: $want files and links, all under DESTDIR" test "$(find "$R" -type f -o -type l | wc -l)" = "$want"
	ok 'install: the tools run from DESTDIR' "$R/usr/bin/romsize" --version
	ok 'install: vgabios.bin is a link to vgabios-isavga.bin' test "$(readlink "$R/usr/share/seabios/vgabios.bin")" = vgabios-isavga.bin
	ok 'install: the installed images are out/firmware'"'"'s' bash -c "cd '$O/firmware' && sed 's|  usr/share/|  $R/usr/share/|; s|  usr/lib/|  $R/usr/lib/|' SHA256SUMS | sha256sum --quiet -c"
	t 0 out "descriptors: $(ls pkg/descriptors/*.json | wc -l) checked, 0 findings" python3 $D "$BIN/fdsplit" "$R" "$R"/usr/share/qemu/firmware/*.json
	t 0 - '' make -s --no-print-directory uninstall DESTDIR="$R" PREFIX=/usr
	ok 'uninstall: no file is left' test -z "$(find "$R" -type f -o -type l)"
	# PREFIX moves everything, descriptors included; nothing lands outside DESTDIR
	t 0 - '' make -s --no-print-directory install DESTDIR="$S/local" PREFIX=/opt/fwslot-test BINDIR=/opt/fwslot-test/sbin
	ok 'install: BINDIR is honoured' test -x "$S/local/opt/fwslot-test/sbin/fdsplit"
	ok 'install: nothing was written outside DESTDIR' test ! -e /opt/fwslot-test
	# outside /usr the descriptors go to /etc/qemu/firmware, where libvirt reads them
	t 0 out "descriptors: $(ls pkg/descriptors/*.json | wc -l) checked, 0 findings" python3 $D "$BIN/fdsplit" "$S/local" "$S/local"/etc/qemu/firmware/*.json
	ok 'install: descriptors name PREFIX paths' grep -q '"/opt/fwslot-test/share/OVMF/OVMF_CODE_4M.fd"' \
		"$S/local/etc/qemu/firmware/50-fwslot-x86_64-ovmf-4m.json"
else
	skip 'install checks' "no $O/firmware (run make first)"
fi

# make install never writes over (nor uninstall deletes) a file a Debian package owns,
# unless FORCE=1: a dpkg database of our own says seabios owns a file under a scratch prefix
if [ -f "$O/firmware/SHA256SUMS" ]; then
	G=$S/guard; DB=$G/dpkg
	rm -rf "$G" && mkdir -p "$DB/info" "$DB/updates" "$G/usr/share/seabios" "$G/etc"
	printf 'Package: seabios\nStatus: install ok installed\nVersion: 1.16.2-1\nArchitecture: all\nMaintainer: x <x@x>\nDescription: x\n\n' > "$DB/status"
	: > "$DB/available"
	printf '/.\n%s\n%s\n' "$G/usr/share/seabios" "$G/usr/share/seabios/bios.bin" > "$DB/info/seabios.list"
	echo 'the package'"'"'s bytes' > "$G/usr/share/seabios/bios.bin"
	gmake() { env DPKG_ADMINDIR="$DB" make -s --no-print-directory "$@" PREFIX="$G/usr" SYSCONFDIR="$G/etc"; }
	t 2 err "install-guard: $G/usr/share/seabios/bios.bin (package seabios) belongs to a Debian package: refusing to overwrite it" gmake install
	ok 'install refused: the package'"'"'s file is untouched, nothing installed' \
		test "$(cat "$G/usr/share/seabios/bios.bin")" = "the package's bytes" -a ! -e "$G/usr/bin/romsize"
	t 0 err 'install-guard: FORCE=1: overwrite 1 files owned by Debian packages' gmake install FORCE=1
	ok 'install FORCE=1: ours in place' cmp "$G/usr/share/seabios/bios.bin" "$O/firmware/usr/share/seabios/bios.bin"
	t 2 err 'refusing to delete it' gmake uninstall
	ok 'uninstall refused: nothing deleted' test -e "$G/usr/share/seabios/bios.bin" -a -e "$G/usr/bin/romsize"
	t 0 - '' gmake uninstall FORCE=1
	ok 'uninstall FORCE=1: gone' test ! -e "$G/usr/share/seabios/bios.bin" -a ! -e "$G/usr/bin/romsize"
	# outside /usr the descriptors go where libvirt reads them first, and -L PREFIX/share/qemu works
	t 0 - '' gmake install FORCE=1
	ok 'install PREFIX elsewhere: descriptors in SYSCONFDIR/qemu/firmware, naming PREFIX' \
		grep -q "\"$G/usr/share/OVMF/OVMF_CODE_4M.ms.fd\"" "$G/etc/qemu/firmware/30-fwslot-x86_64-ovmf-4m-ms.json"
	ok 'install PREFIX elsewhere: -L PREFIX/share/qemu finds the default names' \
		test -f "$G/usr/share/qemu/bios-256k.bin" -a -f "$G/usr/share/qemu/efi-e1000.rom"
	t 0 - '' gmake uninstall FORCE=1
fi

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
