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
