#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Refuses, before make install writes anything (or make uninstall deletes
# anything), to touch a file that a Debian package owns: installing over
# /usr/share/seabios/bios.bin would change what the seabios package
# installed behind dpkg's back, and uninstalling would delete it (QEMU then:
# "could not load PC BIOS"). Staging installs (DESTDIR set) are not checked:
# nothing there belongs to dpkg. FORCE=1 goes ahead anyway, saying so.
# usage: pkg/install-guard.sh install|uninstall PATH...
#   DESTDIR, FORCE from the environment; DPKG_ADMINDIR for a dpkg database
#   elsewhere (tests)
set -euo pipefail
what=$1; shift
[ -z "${DESTDIR:-}" ] || exit 0
command -v dpkg-query >/dev/null || exit 0
owned=()
for p in "$@"; do
	[ -e "$p" ] || [ -L "$p" ] || continue
	pkg=$(dpkg-query ${DPKG_ADMINDIR:+--admindir="$DPKG_ADMINDIR"} -S "$p" 2>/dev/null | sed -n "s|^\([^:]*\)\(:[^:]*\)\{0,1\}: $p\$|\1|p" | head -1 || true)
	case "$pkg" in ''|fwslot-*) ;; *) owned+=("$p (package $pkg)") ;; esac
done
[ ${#owned[@]} -gt 0 ] || exit 0
verb=overwrite
[ "$what" = uninstall ] && verb=delete
if [ "${FORCE:-}" = 1 ]; then
	printf 'install-guard: FORCE=1: %s %d files owned by Debian packages, e.g. %s\n' "$verb" ${#owned[@]} "${owned[0]}" >&2
	exit 0
fi
for o in "${owned[@]}"; do
	echo "install-guard: $o belongs to a Debian package: refusing to $verb it" >&2
done
echo "install-guard: ${#owned[@]} files owned by Debian packages; install fwslot's .deb (make deb: it replaces seabios, ipxe-qemu and ovmf), pick another PREFIX, or FORCE=1" >&2
exit 1
