# SPDX-License-Identifier: MIT
# The recipe logic that is cheap to test: the deb-src entries derived from the
# machine's apt sources, the source lock (download, sha256 before unpack,
# tampered files refused with both sums), the slot gate on an image that does
# not fit, and, once `make` has built it, the firmware set itself.
S=$(realpath -m "$SCRATCH/recipes")
mkdir -p "$S"

# ---- pkg/apt-src.sh: deb-src entries from the machine's own sources --------
# The fixtures' URIs are paths under this machine's own first 'deb' URI (no
# host is written in the repo); each entry has its own, so the output shows
# which entries became deb-src entries.
M=$(pkg/apt-src.sh | sed -n 's/^URIs: *\([^ ]*\).*/\1/p' | head -1)
M=${M%/}
[ -n "$M" ] || M=file:/nonexistent # no sources here: the test of /etc/apt below says so
A=$S/apt-etc
mkdir -p "$A/sources.list.d"
cat > "$A/sources.list.d/a.sources" <<EOF
Types: deb
URIs: $M/one
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/one.gpg

# a disabled entry and a source-only entry give nothing
Types: deb
URIs: $M/off
Suites: bookworm
Components: main
Enabled: no

Types: deb-src
URIs: $M/src-only
Suites: bookworm
Components: main

Types: deb deb-src
URIs: $M/inline
Suites: stable
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZ
 -----END PGP PUBLIC KEY BLOCK-----
EOF
cat > "$A/sources.list" <<EOF
deb [arch=amd64 signed-by=/k/two.gpg] $M/two bookworm-security main # comment
# deb $M/commented bookworm main
deb-src $M/src bookworm main
deb $M/three bookworm
EOF
t 0 out "URIs: $M/two"                       pkg/apt-src.sh "$A"
want=$(cat <<EOF
Types: deb-src
URIs: $M/two
Suites: bookworm-security
Components: main
Signed-By: /k/two.gpg

Types: deb-src
URIs: $M/three
Suites: bookworm

Types: deb-src
URIs: $M/one
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/one.gpg

Types: deb-src
URIs: $M/inline
Suites: stable
Components: main
Signed-By: 
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZ
 -----END PGP PUBLIC KEY BLOCK-----
EOF
)
ok 'apt-src: each enabled deb entry becomes one deb-src entry, keyring kept, nothing else' \
	test "$(pkg/apt-src.sh "$A")" = "$want"
ok 'apt-src: no host is made up: every URI comes from the input' bash -c '
	out=$(pkg/apt-src.sh "$1" | sed -n "s/^URIs: //p"); [ "$(echo "$out" | wc -l)" = 4 ] || exit 1
	for u in $out; do grep -rqF -- "$u" "$1" || exit 1; done' _ "$A"
# --binary RELEASE: the machine's own entries of its release, for another release
# (Debian 13's packages come through these); other suites are left out
want=$(cat <<EOF
Types: deb
URIs: $M/two
Suites: trixie-security
Components: main
Signed-By: /k/two.gpg

Types: deb
URIs: $M/three
Suites: trixie

Types: deb
URIs: $M/one
Suites: trixie trixie-updates
Components: main contrib
Signed-By: /usr/share/keyrings/one.gpg
EOF
)
ok 'apt-src --binary trixie: bookworm, bookworm-updates, bookworm-security renamed; stable left out' \
	test "$(APT_SRC_CODENAME=bookworm pkg/apt-src.sh --binary trixie "$A")" = "$want"
t 1 err "no enabled 'deb' entry to derive a deb entry from (for trixie: no sid suite)" \
	env APT_SRC_CODENAME=sid pkg/apt-src.sh --binary trixie "$A"
t 2 err 'apt-src: --binary needs a release name' pkg/apt-src.sh --binary
mkdir -p "$S/apt-empty" "$S/apt-srconly"
echo "deb-src $M/x bookworm main" > "$S/apt-srconly/sources.list"
t 2 err 'apt-src: '"$S"'/apt-empty: no sources.list or sources.list.d/*.{list,sources}' pkg/apt-src.sh "$S/apt-empty"
t 1 err "no enabled 'deb' entry to derive a deb-src entry from" pkg/apt-src.sh "$S/apt-srconly"
t 0 out 'Types: deb-src' pkg/apt-src.sh   # this machine's own /etc/apt

# ---- pkg/fetch-src.sh: pins, download through the private config, unpack ----
# A real (tiny) Debian source package, served by a stand-in for apt-get that
# records how it was called.
P=$S/pkgsrc
mkdir -p "$P/fakefw-1.0/debian/source" "$S/stub"
echo '3.0 (native)' > "$P/fakefw-1.0/debian/source/format"
printf 'Source: fakefw\nMaintainer: t <t@example.org>\n\nPackage: fakefw\nArchitecture: all\nDescription: t\n t\n' > "$P/fakefw-1.0/debian/control"
printf 'fakefw (1.0) unstable; urgency=low\n\n  * t\n\n -- t <t@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n' > "$P/fakefw-1.0/debian/changelog"
echo 'firmware source' > "$P/fakefw-1.0/README"
(cd "$P" && dpkg-source -b fakefw-1.0 >/dev/null 2>&1)
cat > "$S/stub/apt-get" <<'EOF'
#!/usr/bin/env bash
echo "apt-get $* [APT_CONFIG=$APT_CONFIG]" >> "$STUB_LOG"
lists=$(dirname "$APT_CONFIG")/lists
if [ -n "${STUB_LISTS:-}" ]; then # like apt: no lists until an update, which holds a lock
	case " $* " in
	*" update "*)
		mkdir "$lists/lock.d" 2>/dev/null || { echo "E: Could not get lock $lists/lock" >&2; exit 100; }
		sleep 0.5; touch "$lists/updated"; rmdir "$lists/lock.d"; exit 0 ;;
	*) [ -e "$lists/updated" ] || { echo "E: Unable to find a source package for ${*: -1}" >&2; exit 100; } ;;
	esac
fi
case " $* " in *" update "*) exit 0 ;; esac
if [ -n "${STUB_FAIL_ONCE:-}" ] && [ ! -e "$STUB_LOG.failed" ]; then
	touch "$STUB_LOG.failed"; echo "E: Unable to find a source package for fakefw" >&2; exit 100
fi
cp "$STUB_FILES"/* .
EOF
chmod +x "$S/stub/apt-get"
sum() { sha256sum "$1" | cut -d' ' -f1; }
DSC=$P/fakefw_1.0.dsc TAR=$P/fakefw_1.0.tar.xz
mkdir -p "$S/serve" && cp "$DSC" "$TAR" "$S/serve/"
printf '# test lock\nfakefw 1.0 fakefw_1.0.dsc %s\nfakefw 1.0 fakefw_1.0.tar.xz %s\nother 2 other_2.dsc %s\n' \
	"$(sum "$DSC")" "$(sum "$TAR")" "$(sum "$DSC")" > "$S/good.lock"
fetch() { # WORKDIR LOCK [env...]
	local w=$1 l=$2; shift 2
	env PATH="$S/stub:$PATH" STUB_LOG="$w.calls" STUB_FILES="$S/serve" APT_ETC="$A" "$@" \
		pkg/fetch-src.sh "$l" fakefw "$w"
}
W=$S/w1
t 0 out 'UNPACK  fakefw=1.0'                      fetch "$W" "$S/good.lock"
ok 'fetch: the tree is unpacked by dpkg-source'   test "$(cat "$W/fakefw/README")" = 'firmware source'
ok 'fetch: the stamp holds the pins'              grep -q "fakefw_1.0.tar.xz $(sum "$TAR")" "$W/fakefw.stamp"
ok 'fetch: only the pinned package is asked for'  grep -q 'apt-get source -q --download-only fakefw=1.0' "$W.calls"
ok 'fetch: apt-get ran with the private config'   grep -q "APT_CONFIG=$W/apt/apt.conf" "$W.calls"
ok 'fetch: the private config reads only the derived sources' \
	grep -q 'Dir::Etc::SourceList "/dev/null"' "$W/apt/apt.conf"
ok 'fetch: the derived sources are those of APT_ETC' \
	cmp -s "$W/apt/etc/sources.list.d/derived.sources" <(pkg/apt-src.sh "$A")
ok 'fetch: no copy of the orig tarball is left beside the tree' test ! -e "$W/fakefw_1.0.tar.xz"
calls=$(wc -l < "$W.calls")
t 0 - ''                                          fetch "$W" "$S/good.lock"
ok 'fetch: a second run with the same pins is offline (no apt-get)' test "$(wc -l < "$W.calls")" = "$calls"
rm -rf "$W/fakefw" "$W/fakefw.stamp"
t 0 out 'UNPACK  fakefw=1.0'                      fetch "$W" "$S/good.lock" FETCH_OFFLINE=1
ok 'fetch: files already downloaded are re-verified and reused' test "$(wc -l < "$W.calls")" = "$calls"

# a tampered download is refused with both sums, and nothing is unpacked
W=$S/w2
cp "$TAR" "$S/serve/fakefw_1.0.tar.xz.orig"
printf 'x' >> "$S/serve/fakefw_1.0.tar.xz"
t 1 err "fakefw_1.0.tar.xz: sha256 $(sum "$S/serve/fakefw_1.0.tar.xz"), expected $(sum "$TAR") (refusing to unpack)" \
	fetch "$W" "$S/good.lock"
ok 'fetch: a refused download leaves no tree and no stamp' test ! -e "$W/fakefw" -a ! -e "$W/fakefw.stamp"
ok 'fetch: a refused download is not kept'        test ! -e "$W/dl/fakefw_1.0.tar.xz"
mv "$S/serve/fakefw_1.0.tar.xz.orig" "$S/serve/fakefw_1.0.tar.xz"
# a file tampered with after download: fetched again, then verified
W=$S/w3
fetch "$W" "$S/good.lock" >/dev/null 2>&1
rm -f "$W/fakefw.stamp"; printf 'x' >> "$W/dl/fakefw_1.0.dsc"
t 2 err 'not matching their pins'                      fetch "$W" "$S/good.lock" FETCH_OFFLINE=1
t 0 out 'FETCH   fakefw=1.0'                      fetch "$W" "$S/good.lock"
ok 'fetch: the tampered local file was replaced'  test "$(sum "$W/dl/fakefw_1.0.dsc")" = "$(sum "$DSC")"
# the first apt-get source fails on stale lists: one private update, then again
W=$S/w4
t 0 out 'UNPACK  fakefw=1.0'                      fetch "$W" "$S/good.lock" STUB_FAIL_ONCE=1
ok 'fetch: apt-get update ran once, with the private config' \
	test "$(grep -c "apt-get update -q \[APT_CONFIG=$W/apt/apt.conf\]" "$W.calls")" = 1
# make -j fetches two packages at once into one workdir with no lists yet:
# they share one private 'apt-get update' instead of failing on apt's lock
mkdir -p "$P/otherfw-2/debian/source"
cp "$P/fakefw-1.0/debian/source/format" "$P/otherfw-2/debian/source/"
sed 's/fakefw/otherfw/' "$P/fakefw-1.0/debian/control" > "$P/otherfw-2/debian/control"
sed 's/fakefw (1.0)/otherfw (2)/' "$P/fakefw-1.0/debian/changelog" > "$P/otherfw-2/debian/changelog"
(cd "$P" && dpkg-source -b otherfw-2 >/dev/null 2>&1)
cp "$P/otherfw_2.dsc" "$P/otherfw_2.tar.xz" "$S/serve/"
{ grep fakefw "$S/good.lock"; printf 'otherfw 2 otherfw_2.dsc %s\notherfw 2 otherfw_2.tar.xz %s\n' \
	"$(sum "$P/otherfw_2.dsc")" "$(sum "$P/otherfw_2.tar.xz")"; } > "$S/two.lock"
W=$S/w6
both() {
	# wait for these two by pid: make check runs this suite beside other jobs of
	# the same shell, and a bare `wait -n` would wait for those too
	local r=0 pids=()
	for p in fakefw otherfw; do
		env PATH="$S/stub:$PATH" STUB_LOG="$W.calls" STUB_FILES="$S/serve" STUB_LISTS=1 APT_ETC="$A" \
			pkg/fetch-src.sh "$S/two.lock" $p "$W" > "$W.$p.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || r=1; done
	cat "$W".*.out; return $r
}
t 0 out 'UNPACK  otherfw=2'                       both
ok 'fetch: parallel fetches both unpack'          test -f "$W/fakefw/README" -a -f "$W/otherfw.stamp"
ok 'fetch: parallel fetches share one apt-get update' test "$(grep -c 'apt-get update' "$W.calls")" = 1
# A package the archive serves without its .dsc (edk2 2025.02-8+deb13u1): pinned
# by its orig and debian tarballs and a release; the files come one by one
# from the URIs the Sources index gives (apt-helper checks each sum), and the
# tree is unpacked as dpkg-source does 3.0 (quilt): debian/patches/series applied
Q=$P/quilt
mkdir -p "$Q/fakeq-1.0/debian/source" "$Q/fakeq-1.0/debian/patches"
echo 'upstream text' > "$Q/fakeq-1.0/README"
(cd "$Q" && tar -czf fakeq_1.0.orig.tar.gz --exclude=debian fakeq-1.0)
echo '3.0 (quilt)' > "$Q/fakeq-1.0/debian/source/format"
sed 's/fakefw/fakeq/' "$P/fakefw-1.0/debian/control" > "$Q/fakeq-1.0/debian/control"
sed 's/fakefw (1.0)/fakeq (1.0-1)/' "$P/fakefw-1.0/debian/changelog" > "$Q/fakeq-1.0/debian/changelog"
printf -- '--- a/README\n+++ b/README\n@@ -1 +1 @@\n-upstream text\n+patched by debian\n' > "$Q/fakeq-1.0/debian/patches/fix.patch"
echo 'fix.patch' > "$Q/fakeq-1.0/debian/patches/series"
(cd "$Q/fakeq-1.0" && tar -cJf ../fakeq_1.0-1.debian.tar.xz debian)
QO=$Q/fakeq_1.0.orig.tar.gz QD=$Q/fakeq_1.0-1.debian.tar.xz
printf 'fakeq 1.0-1 fakeq_1.0.orig.tar.gz %s trixie\nfakeq 1.0-1 fakeq_1.0-1.debian.tar.xz %s trixie\n' \
	"$(sum "$QO")" "$(sum "$QD")" > "$S/nodsc.lock"
mkdir -p "$S/stubq" "$S/serveq"
cat > "$S/stubq/apt-get" <<'EOF'
#!/usr/bin/env bash
# apt-get source --print-uris as apt prints it: 'URI' FILE SIZE SHA256:SUM
echo "apt-get $* [APT_CONFIG=$APT_CONFIG]" >> "$STUB_LOG"
case " $* " in *" --print-uris "*) ;; *) exit 100 ;; esac
for f in "$STUB_FILES"/*; do echo "'file://$f' $(basename "$f") $(stat -c %s "$f") SHA256:$(sha256sum "$f" | cut -d' ' -f1)"; done
EOF
chmod +x "$S/stubq/apt-get"
cp "$QO" "$QD" "$S/serveq/"
fetchq() { # WORKDIR LOCK [env...]
	local w=$1 l=$2; shift 2
	env PATH="$S/stubq:$PATH" STUB_LOG="$w.calls" STUB_FILES="$S/serveq" APT_ETC="$A" APT_SRC_CODENAME=bookworm "$@" \
		pkg/fetch-src.sh "$l" fakeq "$w"
}
W=$S/wq
t 0 out 'UNPACK  fakeq=1.0-1 (trixie)'             fetchq "$W" "$S/nodsc.lock"
ok "fetch without a .dsc: Debian's patch applied over the orig tree" test "$(cat "$W/fakeq/README")" = 'patched by debian'
ok 'fetch without a .dsc: the URIs asked through the private config of that release' \
	grep -q "apt-get source -q --print-uris fakeq=1.0-1 \[APT_CONFIG=$W/apt-trixie/apt.conf\]" "$W.calls"
ok "fetch without a .dsc: the release's deb-src entries (apt-src --source trixie)" \
	cmp -s "$W/apt-trixie/etc/sources.list.d/derived.sources" <(APT_SRC_CODENAME=bookworm pkg/apt-src.sh --source trixie "$A")
printf 'x' >> "$S/serveq/fakeq_1.0-1.debian.tar.xz"
t 1 err 'fakeq=1.0-1: fakeq_1.0-1.debian.tar.xz: download failed' fetchq "$S/wq2" "$S/nodsc.lock"
ok 'fetch without a .dsc: a file whose sum differs is refused, nothing unpacked' test ! -e "$S/wq2/fakeq"
cp "$QD" "$S/serveq/"
# the project's own patches (pkg/patches/NAME), applied after Debian's
PQ=$S/ours
mkdir -p "$PQ/fakeq"
printf -- '--- a/README\n+++ b/README\n@@ -1 +1 @@\n-patched by debian\n+patched by us\n' > "$PQ/fakeq/ours.patch"
printf '# ours\nours.patch\n' > "$PQ/fakeq/series"
t 0 out 'PATCH   fakeq: ours.patch'                fetchq "$W" "$S/nodsc.lock" FETCH_PATCHES="$PQ"
ok "fetch: the project's patch applied after Debian's (a new patch unpacks the tree again)" test "$(cat "$W/fakeq/README")" = 'patched by us'
ok 'fetch: the same pins and patches again: nothing unpacked' bash -c '[ -z "$("$@")" ]' _ fetchq "$W" "$S/nodsc.lock" FETCH_PATCHES="$PQ"
printf -- '--- a/README\n+++ b/README\n@@ -1 +1 @@\n-patched by debian\n+patched by us, again\n' > "$PQ/fakeq/ours.patch"
t 0 out 'UNPACK  fakeq=1.0-1 (trixie)'             fetchq "$W" "$S/nodsc.lock" FETCH_PATCHES="$PQ"
ok 'fetch: a changed patch of ours unpacks the tree again, with it' test "$(cat "$W/fakeq/README")" = 'patched by us, again'
printf -- '--- a/README\n+++ b/README\n@@ -1 +1 @@\n-not there\n+x\n' > "$PQ/fakeq/ours.patch"
t 2 err "$PQ/fakeq/ours.patch: does not apply to fakeq=1.0-1" fetchq "$S/wq4" "$S/nodsc.lock" FETCH_PATCHES="$PQ"
ok 'fetch: a patch of ours that fails leaves no tree and no stamp' test ! -e "$S/wq4/fakeq" -a ! -e "$S/wq4/fakeq.stamp"
echo 'gone.patch' > "$PQ/fakeq/series"
t 2 err "$PQ/fakeq/series: gone.patch: no such patch in $PQ/fakeq" fetchq "$S/wq4" "$S/nodsc.lock" FETCH_PATCHES="$PQ"
# a patch that does not apply: refused, no tree
printf -- '--- a/README\n+++ b/README\n@@ -1 +1 @@\n-not there\n+x\n' > "$Q/fakeq-1.0/debian/patches/fix.patch"
(cd "$Q/fakeq-1.0" && tar -cJf "$S/serveq/fakeq_1.0-1.debian.tar.xz" debian)
printf 'fakeq 1.0-1 fakeq_1.0.orig.tar.gz %s trixie\nfakeq 1.0-1 fakeq_1.0-1.debian.tar.xz %s trixie\n' \
	"$(sum "$QO")" "$(sum "$S/serveq/fakeq_1.0-1.debian.tar.xz")" > "$S/nodsc-bad.lock"
t 2 err 'a patch did not apply'                   fetchq "$S/wq3" "$S/nodsc-bad.lock"
ok 'fetch without a .dsc: a patch that fails leaves no tree and no stamp' test ! -e "$S/wq3/fakeq" -a ! -e "$S/wq3/fakeq.stamp"
printf 'fakeq 1.0-1 fakeq_1.0.orig.tar.gz %s trixie\nfakeq 1.0-1 fakeq_1.0-1.debian.tar.xz %s sid\n' "$(sum "$QO")" "$(sum "$QD")" > "$S/bad5.lock"
t 2 err 'fakeq pinned from two releases (trixie, sid)' fetchq "$S/w5" "$S/bad5.lock"
# --source RELEASE: deb-src entries of that release; sid has no -updates or -security suites
ok 'apt-src --source trixie: the --binary entries, as deb-src' bash -c \
	'test "$(APT_SRC_CODENAME=bookworm pkg/apt-src.sh --source trixie "$1")" = "$(APT_SRC_CODENAME=bookworm pkg/apt-src.sh --binary trixie "$1" | sed "s/^Types: deb$/Types: deb-src/")"' _ "$A"
ok 'apt-src --source sid: only the release suite becomes sid (no sid-updates, no sid-security)' bash -c \
	'out=$(APT_SRC_CODENAME=bookworm pkg/apt-src.sh --source sid "$1"); ! grep -q "sid-" <<<"$out" && grep -qx "Suites: sid" <<<"$out"' _ "$A"
# lock errors
printf 'fakefw 1.0 fakefw_1.0.dsc 1234\n' > "$S/bad1.lock"
t 2 err 'bad1.lock:1: fakefw_1.0.dsc: sha256 must be 64 hex digits' fetch "$S/w5" "$S/bad1.lock"
printf 'fakefw 1.0 ../x.dsc %s\n' "$(sum "$DSC")" > "$S/bad2.lock"
t 2 err 'bad2.lock:1: ../x.dsc: a file name, not a path' fetch "$S/w5" "$S/bad2.lock"
printf 'fakefw 1.0 fakefw_1.0.tar.xz %s\n' "$(sum "$TAR")" > "$S/bad3.lock"
t 2 err 'bad3.lock: fakefw: pin its .dsc, or (when the archive has none) its orig and debian tarballs' fetch "$S/w5" "$S/bad3.lock"
printf 'fakefw 1.0 a.dsc %s\nfakefw 1.1 b.tar.xz %s\n' "$(sum "$DSC")" "$(sum "$TAR")" > "$S/bad4.lock"
t 2 err 'fakefw pinned at two versions (1.0, 1.1)'  fetch "$S/w5" "$S/bad4.lock"
t 2 err "no entry for source package 'fakefw'"     fetch "$S/w5" /dev/null
# the project's own lock is well formed for the three packages it builds
# (edk2 2025.02-8+deb13u1 has no .dsc in the archive: its two tarballs)
for p in seabios:3 edk2:2 ipxe:3; do
	ok "sources.lock pins ${p%:*}: ${p#*:} files (a .dsc where the archive has one, two tarballs), one version, one release" \
		test "$(awk -v p=${p%:*} '$1 == p && length($4) == 64 && $4 ~ /^[0-9a-f]+$/ { n++; if (!($2 in v)) nv++; v[$2]; if (!($5 in r)) nr++; r[$5] } END { print n, nv, nr }' pkg/sources.lock)" = "${p#*:} 1 1"
done

# ---- ovmf-split/build-ovmf.sh: EDK2 sees every build through one fixed path -
# A stand-in EDK2 tree whose `build` records the workspace it was given and
# leaves the three images where EDK2 would.
E=$S/edk2-fake
mkdir -p "$E/OvmfPkg" "$E/BaseTools/Source/C/bin"
printf '#!/bin/sh\n' > "$E/BaseTools/Source/C/bin/GenFw" && chmod +x "$E/BaseTools/Source/C/bin/GenFw"
printf '[Defines]\n  OUTPUT_DIRECTORY = Build/Fake\n' > "$E/OvmfPkg/Fake.dsc"
cat > "$E/edksetup.sh" <<'EOF2'
build() {
	echo "WORKSPACE=$WORKSPACE CONF_PATH=$CONF_PATH PWD=$PWD" >> "$FAKE_LOG"
	[ -z "${FAKE_SLEEP:-}" ] || sleep "$FAKE_SLEEP"
	mkdir -p Build/Fake/RELEASE_GCC5/FV
	for f in OVMF.fd OVMF_CODE.fd OVMF_VARS.fd; do echo "$f" > "Build/Fake/RELEASE_GCC5/FV/$f"; done
	printf 'EFI_FV_TOTAL_SIZE = 0x1000\nEFI_FV_TAKEN_SIZE = 0x800\n' > Build/Fake/RELEASE_GCC5/FV/DXEFV.Fv.txt
}
EOF2
echo '-p OvmfPkg/Fake.dsc' > "$S/fake.flags"
fb() { # FIXED WS OUT
	env EDK2_FIXED_WS="$1" FAKE_LOG="$S/fake.log" ovmf-split/build-ovmf.sh "$E" "$2" "$S/fake.flags" "$3"
}
rm -f "$S/fake.log"
t 0 - '' fb "$S/fixed" "$S/ws-a/v1" "$S/o1"
ok 'edk2: the build sees the fixed path as WORKSPACE, CONF_PATH and cwd' \
	test "$(tail -1 "$S/fake.log")" = "WORKSPACE=$S/fixed/v1 CONF_PATH=$S/fixed/v1/Conf PWD=$S/fixed/v1"
ok 'edk2: the fixed path is a symlink to the checkout workspace' test "$(readlink "$S/fixed/v1")" = "$S/ws-a/v1"
ok 'edk2: the images land in the checkout workspace and OUTDIR' \
	test -f "$S/ws-a/v1/Build/Fake/RELEASE_GCC5/FV/OVMF.fd" -a "$(cat "$S/o1/OVMF.fd")" = OVMF.fd
t 0 - '' fb "$S/fixed" "$S/ws-b/v1" "$S/o2"
ok 'edk2: another checkout re-points the same fixed path' test "$(readlink "$S/fixed/v1")" = "$S/ws-b/v1"
ok 'edk2: ... and EDK2 sees the same WORKSPACE string' \
	test "$(tail -1 "$S/fake.log")" = "WORKSPACE=$S/fixed/v1 CONF_PATH=$S/fixed/v1/Conf PWD=$S/fixed/v1"
t 0 - '' fb '' "$S/ws-a/v2" "$S/o3"
ok 'edk2: EDK2_FIXED_WS empty builds in the workspace itself' \
	test "$(tail -1 "$S/fake.log")" = "WORKSPACE=$S/ws-a/v2 CONF_PATH=$S/ws-a/v2/Conf PWD=$S/ws-a/v2"
t 1 err 'EDK2_FIXED_WS=rel/dir: an absolute path' fb rel/dir "$S/ws-a/v1" "$S/o1"
t 1 err 'cannot create /proc/fwslot-none/v1.lock' fb /proc/fwslot-none "$S/ws-a/v1" "$S/o1"
mkdir -p "$S/fixed/v3"
t 1 err "$S/fixed/v3: exists and is not a symlink" fb "$S/fixed" "$S/ws-a/v3" "$S/o4"
# two checkouts building the same variant take turns on the lock
FAKE_SLEEP=1 fb "$S/fixed" "$S/ws-a/v1" "$S/o1" > "$S/turn1.out" 2>&1 &
first=$!
sleep 0.3
t 0 out "waiting for $S/fixed/v1.lock" fb "$S/fixed" "$S/ws-b/v1" "$S/o2"
wait "$first" # by pid: the shell has other jobs (make check's lane B)
ok 'edk2: the waiting build ran after the first, through its own workspace' \
	test "$(readlink "$S/fixed/v1")" = "$S/ws-b/v1"

# ---- pkg/stage-times.sh: make's closing lines, a step each, the longest first -
mkdir -p "$S/st/log"
printf 'x\n# exit 0 after 12 s\n' > "$S/st/log/seabios-bios.log"
printf 'x\n# exit 0 after 580 s\n' > "$S/st/log/ovmf-4m.log"
printf 'x\n# exit 0 after 99 s\n' > "$S/st/log/ipxe.log" && touch -d '2 hours ago' "$S/st/log/ipxe.log"
pkg/stage-times.sh "$S/st" $(( $(date +%s) - 600 )) > "$S/st/out"
ok 'stage times: the steps of this run, the longest first, then the whole run' bash -c "
	sed -n 1p '$S/st/out' | grep -q 'TIME    ovmf-4m .* 580 s' && sed -n 2p '$S/st/out' | grep -q 'seabios-bios .* 12 s' &&
	sed -n 3p '$S/st/out' | grep -q 'make, in all .* 60[0-9] s on' && [ \$(wc -l < '$S/st/out') = 3 ]"

# ---- pkg/gate.sh: the slot gate every image passes --------------------------
G=$S/gate
mkdir -p "$G"
printf 'const unsigned char big_table[70000] = { 1 };\nint small_fn(int x) { return x + 1; }\n' > "$G/big.c"
gcc -c -o "$G/big.o" "$G/big.c"
# an EFI+legacy ROM (244 KiB) where a 128K PXE ROM belongs
t 1 err 'pxe-e1000.rom: 249856 bytes exceeds the 128 KiB slot by 118784 bytes' \
	pkg/gate.sh "$BIN/romsize" pkg/slots.conf "$REF/usr/lib/ipxe/qemu/efi-e1000.rom" "$G/pxe-e1000.rom" "$G/big.o"
t 1 err '70000  ' pkg/gate.sh "$BIN/romsize" pkg/slots.conf "$REF/usr/lib/ipxe/qemu/efi-e1000.rom" "$G/pxe-e1000.rom" "$G/big.o"
t 1 err 'big_table' pkg/gate.sh "$BIN/romsize" pkg/slots.conf "$REF/usr/lib/ipxe/qemu/efi-e1000.rom" "$G/pxe-e1000.rom" "$G/big.o"
ok 'gate: a refused image is not installed, nothing is left behind' \
	test -z "$(ls -A "$G" | grep -v '^big\.')"
t 0 - '' pkg/gate.sh "$BIN/romsize" pkg/slots.conf "$REF/usr/lib/ipxe/qemu/pxe-e1000.rom" "$G/pxe-e1000.rom"
ok 'gate: a fitting image is installed padded to its slot' test "$(stat -c %s "$G/pxe-e1000.rom")" = 131072
ok 'gate: the input is left as it was' test "$(stat -c %s "$REF/usr/lib/ipxe/qemu/pxe-e1000.rom")" = 75264
# the manifest knows an image by its installed name: stdvga ids on a cirrus name fail
t 1 err 'vgabios-cirrus.bin' pkg/gate.sh "$BIN/romsize" pkg/slots.conf "$REF/usr/share/seabios/vgabios-stdvga.bin" "$G/vgabios-cirrus.bin"
t 0 out 'largest symbols:' "$BIN/romsize" blame "$G/big.o"
t 0 out '70000  ' "$BIN/romsize" blame --top 1 "$G/big.o"
t 0 out '"symbols":[{"name":"big_table","section":".rodata","size":70000}]' "$BIN/romsize" blame --json --top 1 "$G/big.o"
t 1 err 'not an ELF file' "$BIN/romsize" blame "$REF/usr/share/seabios/bios.bin"
t 2 err 'cannot open' "$BIN/romsize" blame "$G/nonexistent.o"
t 2 err 'blame takes one ELF file, not 0 arguments' "$BIN/romsize" blame
t 2 err '--top: a count from 1 to 100000' "$BIN/romsize" blame --top 0 "$G/big.o"
t 2 err 'check does not take --top' "$BIN/romsize" check --top 3 "$G/pxe-e1000.rom"

# ---- the SeaBIOS recipe refuses what would make unreproducible or wrong bytes
if [ -d "$O/src/seabios" ]; then
	printf 'CONFIG_QEMU=y\nCONFIG_NO_SUCH_OPTION=y\n' > "$S/bad.config"
	t 1 err 'CONFIG_NO_SUCH_OPTION=y: kconfig dropped it' \
		bios/build-seabios.sh "$O/src/seabios" "$S/bad.config" "$S/sb-bad" bios -fwslot
	t 1 err 'EXTRAVERSION is empty' bios/build-seabios.sh "$O/src/seabios" bios/bios.config "$S/sb-bad" bios ''
else
	skip 'SeaBIOS recipe checks' "no $O/src/seabios (run make first)"
fi

# ---- the iPXE recipe: which source, and the build's refusals ------------------
# ipxe-roms/ipxe-src.sh: Debian's package first (offline here: not there), then
# the pinned upstream tarball, sha256 checked before unpacking, else none
IP=$S/ipxe
mkdir -p "$IP/t/ipxe-x/src/util" "$IP/w"
echo 'all:' > "$IP/t/ipxe-x/src/Makefile"
tar -cJf "$IP/ipxe-x.tar.xz" -C "$IP/t" ipxe-x
printf 'ipxe 1 ipxe_1.dsc %064d\nipxe-upstream abc ipxe-x.tar.xz %s\n' 0 "$(sum "$IP/ipxe-x.tar.xz")" > "$IP/ok.lock"
printf 'ipxe 1 ipxe_1.dsc %064d\nipxe-upstream abc ipxe-x.tar.xz %064d\n' 0 0 > "$IP/bad.lock"
ipxesrc() { FETCH_OFFLINE=1 ipxe-roms/ipxe-src.sh "$@"; }
t 0 out "source: upstream iPXE abc from $IP/ipxe-x.tar.xz (sha256 verified; Debian's ipxe source package could not be fetched" \
	ipxesrc "$IP/ok.lock" "$IP/w" "$IP/ipxe-x.tar.xz"
ok 'ipxe-src: the tarball unpacked as WORKDIR/ipxe, the origin stamped' \
	test -f "$IP/w/ipxe/src/Makefile" -a "$(head -1 "$IP/w/ipxe.stamp")" = upstream
ok 'ipxe-src: pinned and unpacked already: silent' test -z "$(ipxesrc "$IP/ok.lock" "$IP/w" "$IP/ipxe-x.tar.xz" 2>&1)"
t 1 err "ipxe-x.tar.xz: sha256 $(sum "$IP/ipxe-x.tar.xz"), expected $(printf '%064d' 0) (refusing to unpack)" \
	ipxesrc "$IP/bad.lock" "$IP/w2" "$IP/ipxe-x.tar.xz"
ok 'ipxe-src: a tarball that fails its sum unpacks nothing' test ! -e "$IP/w2/ipxe"
t 2 err 'the pinned file is ipxe-x.tar.xz' ipxesrc "$IP/ok.lock" "$IP/w3" "$IP/other.tar.xz"
cp "$IP/ipxe-x.tar.xz" "$IP/w4.tar.xz" 2>/dev/null; mkdir -p "$IP/gone"
t 0 err "WARNING: no iPXE source: Debian's ipxe source package could not be fetched" \
	ipxesrc "$IP/ok.lock" "$IP/w4" "$IP/gone/ipxe-x.tar.xz"
ok 'ipxe-src: with no source the stamp says none' test "$(head -1 "$IP/w4/ipxe.stamp")" = none
# ipxe-roms/build-ipxe.sh refuses what would give wrong or unreproducible bytes
t 1 err 'EXTRAVERSION is empty' ipxe-roms/build-ipxe.sh "$IP/w/ipxe" ipxe-roms/nics.conf "$IP/o" '' 1548374400
t 1 err "TIMESTAMP 'now' is not seconds since 1970" ipxe-roms/build-ipxe.sh "$IP/w/ipxe" ipxe-roms/nics.conf "$IP/o" +x now
printf 'e1000 8086 100\n' > "$IP/bad.nics"
t 1 err "want NIC VENDOR DEVICE in 4 hex digits each" ipxe-roms/build-ipxe.sh "$IP/w/ipxe" "$IP/bad.nics" "$IP/o" +x 1
t 1 err 'not an iPXE tree (no src/Makefile, src/util/catrom.pl)' ipxe-roms/build-ipxe.sh "$IP/w/ipxe" ipxe-roms/nics.conf "$IP/o" +x 1
t 0 err "WARNING: REPACKING Debian's ipxe-qemu ROMs from $REF/usr/lib/ipxe/qemu" \
	ipxe-roms/build-ipxe.sh - ipxe-roms/nics.conf "$IP/o" +x 1 "$REF/usr/lib/ipxe/qemu"
ok 'build-ipxe: the repacked set is Debian'"'"'s, marked so' \
	bash -c "cmp '$IP/o/efi-virtio.rom' '$REF/usr/lib/ipxe/qemu/efi-virtio.rom' && test \"\$(cat '$IP/o/ORIGIN')\" = repacked"
# nics.conf agrees with the manifest: the same NICs, and each id the one pkg/slots.conf holds it to
ok 'nics.conf: exactly the NICs of the pxe-*.rom slots' test \
	"$(awk '!/^#/ && NF { print $1 }' ipxe-roms/nics.conf | sort)" = "$(sed -n 's/^pxe-\([^ ]*\)[.]rom .*/\1/p' pkg/slots.conf | sort)"
ok 'nics.conf: each id is the manifest'"'"'s (or the manifest checks none)' bash -c '
	while read -r nic v d; do case $nic in ""|"#"*) continue ;; esac
		id=$(awk -v n="pxe-$nic.rom" "\$1 == n { print \$4 }" pkg/slots.conf)
		[ "$id" = - ] || [ "$id" = "$v:$d" ] || exit 1; done < ipxe-roms/nics.conf'

# the set make built: from source whenever a source was there
if [ -f "$O/src/ipxe.stamp" ] && [ "$(head -1 "$O/src/ipxe.stamp")" != none ]; then
	ok "iPXE ROMs built from source ($(head -1 "$O/src/ipxe.stamp")), not repacked" \
		test "$(cat "$O/ipxe/roms/ORIGIN" 2>/dev/null)" = built
	ok 'iPXE ROMs carry our version (iPXE make version: 2.0.0+fwslot)' \
		test "$(cat "$O/ipxe/roms/VERSION" 2>/dev/null)" = 2.0.0+fwslot
elif [ -f "$O/src/ipxe.stamp" ]; then
	skip 'iPXE ROMs built from source' "no iPXE source on this machine: make repacked Debian's (see its WARNING)"
fi

# ---- make measurements: the day's section of doc/measurements.md, from what was recorded
cp doc/measurements.md "$S/measurements.md"
if ls "$O"/log/*.log >/dev/null 2>&1; then
	t 0 out 'make measurements, ' python3 pkg/measurements.py "$O" "$S/measurements.md"
	ok 'measurements: one section for today, the older ones kept' bash -c '
		[ "$(grep -c "^## $(date +%F) (make measurements" "$1")" = 1 ] && [ "$(grep -c "^## " "$1")" -ge "$(grep -c "^## " doc/measurements.md)" ]' _ "$S/measurements.md"
	ok 'measurements: a second run replaces the section, adds none' bash -c '
		n=$(grep -c "^## " "$1"); python3 pkg/measurements.py "$2" "$1" >/dev/null && [ "$(grep -c "^## " "$1")" = "$n" ]' _ "$S/measurements.md" "$O"
else
	skip 'make measurements' "no $O/log (run make first)"
fi

# ---- the built firmware set (after `make`) ----------------------------------
FWD=$O/firmware
if [ -f "$FWD/SHA256SUMS" ]; then
	t 0 - '' "$BIN/romsize" check $FWD/usr/share/seabios $FWD/usr/lib/ipxe/qemu $FWD/usr/share/OVMF $FWD/usr/share/ovmf
	# the one list: every image the recipes take from pkg/slots.conf, and only those
	want_files=$(make -s --no-print-directory print-images)
	nimg=$(echo "$want_files" | grep -cE '[.](bin|rom|fd)$')
	nvariants=$(ls ovmf-split/*.flags | wc -l)
	ok 'print-images: every shipped image has its line in pkg/slots.conf' bash -c '
		for f in $(echo "$1" | grep -E "[.](bin|rom|fd)\$"); do grep -q "^${f##*/} " pkg/slots.conf || exit 1; done' _ "$want_files"
	ok 'print-images: every bios, vgabios-*, pxe-* and efi-* image of the manifest is built' bash -c '
		for n in $(awk "\$1 ~ /^(bios.*|vgabios-.*|pxe-.*|efi-.*)[.](bin|rom)\$/ { print \$1 }" pkg/slots.conf); do
			echo "$1" | grep -q "/$n\$" || exit 1; done' _ "$want_files"
	ok "firmware: exactly the $nimg images (and keys) make ships, no more, no less" \
		test "$(cd "$FWD" && find usr -type f | LC_ALL=C sort)" = "$want_files"
	# make -n runs nothing: with the SeaBIOS fragment as if changed (-W), it
	# shows the build step and leaves every build file as it was
	touch "$S/dryrun.mark"
	t 0 out 'bios/build-seabios.sh' make -n --no-print-directory -W bios/bios.config firmware
	ok 'make -n: nothing under out/seabios, out/ovmf or out/firmware was written' \
		test -z "$(find "$O/seabios" "$O/ovmf" "$FWD" -newer "$S/dryrun.mark" | head -1)"
	ok 'firmware: SHA256SUMS matches every file' bash -c "cd '$FWD' && sha256sum --quiet -c SHA256SUMS"
	ok 'firmware: SHA256SUMS lists every file under usr/' \
		test "$(cd "$FWD" && find usr -type f | wc -l)" = "$(wc -l < "$FWD/SHA256SUMS")"
	for n in bios.bin bios-256k.bin vgabios-stdvga.bin vgabios.bin pxe-e1000.rom efi-virtio.rom; do
		ok "firmware: usr/share/qemu/$n resolves" test -f "$FWD/usr/share/qemu/$n"
	done
	ok 'firmware: bios-microvm.bin is left to QEMU (qboot), as in Debian' test ! -e "$FWD/usr/share/qemu/bios-microvm.bin"
	ok 'firmware: usr/share/qemu/OVMF.fd resolves (qemu -bios OVMF.fd)' test -f "$FWD/usr/share/qemu/OVMF.fd"
	for n in 82540em e1000_82540 eepro100 ns8390 pcnet32 rtl8139 virtio-net; do
		ok "firmware: Debian's compat name usr/lib/ipxe/$n.rom resolves" test -f "$FWD/usr/lib/ipxe/$n.rom"
	done
	OV=$FWD/usr/share/OVMF
	t 0 out 'fits' "$BIN/fdsplit" check "$OV/OVMF_VARS.fd" --code "$OV/OVMF_CODE.fd"
	t 0 out 'fits' "$BIN/fdsplit" check "$OV/OVMF_VARS_4M.fd" --code "$OV/OVMF_CODE_4M.fd"
	t 0 out 'fits' "$BIN/fdsplit" check "$OV/OVMF_VARS_4M.fd" --code "$OV/OVMF_CODE_4M.secboot.fd"
	# Debian's varstores, the ones existing VMs carry, work with the new CODE
	t 0 out 'fits' "$BIN/fdsplit" check "$REF/usr/share/OVMF/OVMF_VARS.ms.fd" --code "$OV/OVMF_CODE.fd"
	t 0 out 'fits' "$BIN/fdsplit" check "$REF/usr/share/OVMF/OVMF_VARS_4M.ms.fd" --code "$OV/OVMF_CODE_4M.secboot.fd"
	t 1 err 'FvLength 0x20000, CODE expects 0x84000' "$BIN/fdsplit" check "$REF/usr/share/OVMF/OVMF_VARS.fd" --code "$OV/OVMF_CODE_4M.fd"
	# the pre-enrolled stores: made by EnrollDefaultKeys.efi under QEMU, they fit
	# the Secure Boot CODE and keep the layout; the Microsoft ones then hold
	# exactly Debian sid's PK, KEK, db and dbx (the 2011 and 2023 Microsoft CAs),
	# the snakeoil one Debian 13's (its source's certificate)
	SID=$O/ref/sid/root/usr/share/OVMF
	for v in OVMF_VARS.ms.fd OVMF_VARS_4M.ms.fd; do
		ok "firmware: $v holds Debian sid's PK, KEK, db and dbx (OVMF_VARS_4M.ms.fd of ovmf-generic), byte for byte" \
			python3 tests/pkg/samekeys.py "$BIN/fdsplit" "$OV/$v" "$SID/OVMF_VARS_4M.ms.fd"
		ok "firmware: $v no longer holds Debian 12's keys (2011 only)" \
			bash -c "! python3 tests/pkg/samekeys.py '$BIN/fdsplit' '$OV/$v' '$REF/usr/share/OVMF/$v' >/dev/null"
	done
	# (edk2 2025.02's source carries the snakeoil certificate Debian made in
	# 2023; Debian 12's store holds the 2020 one)
	ok "firmware: OVMF_VARS_4M.snakeoil.fd holds Debian 13's PK, KEK, db and dbx, byte for byte" \
		python3 tests/pkg/samekeys.py "$BIN/fdsplit" "$OV/OVMF_VARS_4M.snakeoil.fd" "$O/ref/deb13/root/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
	ok 'samekeys: the Microsoft and the snakeoil stores differ (the comparison can fail)' \
		bash -c "! python3 tests/pkg/samekeys.py '$BIN/fdsplit' '$OV/OVMF_VARS_4M.ms.fd' '$OV/OVMF_VARS_4M.snakeoil.fd'"
	t 0 out 'fits' "$BIN/fdsplit" check "$OV/OVMF_VARS_4M.ms.fd" --code "$OV/OVMF_CODE_4M.ms.fd" --template "$OV/OVMF_VARS_4M.fd"
	t 0 out 'fits' "$BIN/fdsplit" check "$OV/OVMF_VARS_4M.snakeoil.fd" --code "$OV/OVMF_CODE_4M.snakeoil.fd" --template "$OV/OVMF_VARS_4M.fd"
	t 0 out 'fits' "$BIN/fdsplit" check "$OV/OVMF_VARS.ms.fd" --code "$OV/OVMF_CODE.ms.fd" --template "$OV/OVMF_VARS.fd"
	for l in OVMF_CODE.ms.fd:OVMF_CODE.secboot.fd OVMF_CODE_4M.ms.fd:OVMF_CODE_4M.secboot.fd OVMF_CODE_4M.snakeoil.fd:OVMF_CODE_4M.secboot.fd; do
		ok "firmware: ${l%%:*} is a link to ${l##*:}, as in Debian" test "$(readlink "$OV/${l%%:*}")" = "${l##*:}"
	done
	# every file Debian 12's packages give VMs is here: romsize diff needs no --allow-removed
	t 0 out '0 changed, 0 removed' "$BIN/romsize" diff "$REF" "$FWD"
	ok 'firmware: OVMF.fd is VARS followed by CODE' bash -c "cat '$OV/OVMF_VARS.fd' '$OV/OVMF_CODE.fd' | cmp -s - '$FWD/usr/share/ovmf/OVMF.fd'"
	ok 'firmware: the 2M varstore template is byte for byte Debian'"'"'s' cmp -s "$OV/OVMF_VARS.fd" "$REF/usr/share/OVMF/OVMF_VARS.fd"
	ok 'firmware: sizes equal Debian'"'"'s (migration keeps working)' bash -c "
		for f in seabios/bios.bin seabios/bios-256k.bin OVMF/OVMF_CODE.fd OVMF/OVMF_VARS.fd OVMF/OVMF_CODE_4M.fd OVMF/OVMF_VARS_4M.fd OVMF/OVMF_CODE_4M.secboot.fd; do
			[ \$(stat -c %s '$FWD/usr/share/'\$f) = \$(stat -Lc %s '$REF/usr/share/'\$f) ] || exit 1; done"
	ok "firmware: the size report has every image and the 4 OVMF volumes of each of the $nvariants builds" test "$(python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); print(len(d["images"]), len(d["volumes"]))' "$O/SIZES.json")" = "$nimg $((4 * nvariants))"
	ok 'firmware: the text report has a line per image' test "$(grep -c '^usr/' "$O/SIZES.txt")" = "$nimg"
	ok 'firmware: SeaBIOS carries the fixed version string' grep -aq '1.17.0-fwslot' "$FWD/usr/share/seabios/bios.bin"
	# QEMU finds the set under its default names with one -L (no NIC: no PXE wait)
	QL=$S/qemu-L.log
	timeout 60 qemu-system-x86_64 -L "$FWD/usr/share/qemu" -M pc -display none -nic none \
		-chardev file,id=dbg,path="$QL" -device isa-debugcon,iobase=0x402,chardev=dbg \
		-no-reboot -boot reboot-timeout=0 >/dev/null 2>&1
	ok 'firmware: qemu -L usr/share/qemu boots our bios-256k.bin' grep -aq '^SeaBIOS (version 1.17.0-fwslot)' "$QL"
	ok 'firmware: ... and runs our vgabios-stdvga.bin' grep -aq '^Start SeaVGABIOS (version 1.17.0-fwslot)' "$QL"
	# EDK2_FIXED_WS is part of what OVMF's bytes depend on: make rebuilds the
	# OVMF builds (one per ovmf-split/*.flags) for a new value and nothing for the same one (make -n;
	# the value file is put back as it was, so the next make rebuilds nothing)
	FWS=$O/ovmf/fixed-ws.txt
	if [ -f "$FWS" ]; then
		cp -p "$FWS" "$S/fixed-ws.saved"
		ok 'firmware: the same EDK2_FIXED_WS rebuilds no OVMF' \
			test "$(make -n -s O="$O" firmware 2>/dev/null | grep -c 'ovmf-split/build-ovmf.sh')" = 0
		ok "firmware: another EDK2_FIXED_WS rebuilds the $nvariants OVMF builds" \
			test "$(make -n -s O="$O" EDK2_FIXED_WS=/var/tmp/fwslot-other firmware 2>/dev/null | grep -c 'ovmf-split/build-ovmf.sh')" = "$nvariants"
		cp -p "$S/fixed-ws.saved" "$FWS"
	fi
	# reproducible: a second clean build, in another directory, gives the same
	# bytes (the whole set, OVMF included, is compared by `make repro`)
	if [ -d "$O/src/seabios" ] && [ -z "${SEABIOS_SRC:-}" ]; then
		# the two builds side by side (each is one make job), waited for by pid
		repro_pids=()
		for img in bios:bios vgabios-stdvga:vgabios; do
			n=${img%%:*} what=${img##*:} cfg=bios/$n.config
			[ "$what" = vgabios ] && cfg=vgabios/${n#vgabios-}.config
			bios/build-seabios.sh "$O/src/seabios" "$cfg" "$S/repro/$n" "$what" -fwslot >"$S/repro-$n.log" 2>&1 &
			repro_pids+=($!)
		done
		for p in "${repro_pids[@]}"; do
			wait "$p"
		done
		for img in bios:bios vgabios-stdvga:vgabios; do
			n=${img%%:*} what=${img##*:}
			pkg/gate.sh "$BIN/romsize" pkg/slots.conf "$S/repro/$n/$what.bin" "$S/repro/out/$n.bin" 2>>"$S/repro-$n.log"
			ok "firmware: $n.bin rebuilt from clean elsewhere is bit-identical" \
				cmp "$S/repro/out/$n.bin" "$FWD/usr/share/seabios/$n.bin"
		done
	fi
else
	skip 'firmware set checks' "no $FWD/SHA256SUMS (run make first)"
fi
