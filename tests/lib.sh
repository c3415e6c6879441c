# SPDX-License-Identifier: MIT
# Shell helpers for the CLI specs. Sourced by tests/run.sh, which owns pass/fail.
#
#   t EXIT STREAM 'TEXT' CMD...   run CMD; pass if it exits EXIT and TEXT is a
#                                 line-fragment of STREAM (out, err, or - for none)
#   ok 'NAME' CMD...              pass if CMD (a shell test) succeeds
# Any sanitizer report or a signal fails the case whatever was expected.

_t_out=${SCRATCH:-/tmp}/t.out
_t_err=${SCRATCH:-/tmp}/t.err

_t_report() { # verdict name detail
	if [ "$1" = pass ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s\n' "$2"
		[ -z "$3" ] || printf '%s\n' "$3" | head -20 | sed 's/^/     /'
	fi
}

t() {
	local want=$1 stream=$2 text=$3 rc file why=""
	shift 3
	"$@" >"$_t_out" 2>"$_t_err" </dev/null
	rc=$?
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$_t_err"; then
		why="sanitizer report"
	elif [ "$rc" -ge 128 ] || [ "$rc" = 86 ] || [ "$rc" = 87 ]; then
		why="crashed (exit $rc)"
	elif [ "$rc" != "$want" ]; then
		why="exit $rc, expected $want"
	elif [ "$stream" != - ]; then
		file=$_t_out
		[ "$stream" = err ] && file=$_t_err
		grep -qF -- "$text" "$file" || why="no '$text' on std$stream"
	fi
	if [ -z "$why" ]; then
		_t_report pass
	else
		_t_report fail "$* ($why)" "$(cat "$_t_out" "$_t_err")"
	fi
}

ok() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then _t_report pass; else _t_report fail "$name" ""; fi
}

# skip 'NAME' 'REASON': say a group of cases did not run; never counted as passed
skip() {
	skipped=$((${skipped:-0} + 1))
	printf 'SKIP %s: %s\n' "$1" "$2"
}

# flat DIR: an -L style folder of every Debian 12 firmware file ($REF), by
# name, as links, to change one file at a time
flat() {
	mkdir -p "$1"
	for f in "$REF"/usr/share/seabios/* "$REF"/usr/lib/ipxe/qemu/* "$REF"/usr/share/OVMF/* "$REF"/usr/share/ovmf/*; do
		ln -sfn "$(realpath "$f")" "$1/$(basename "$f")"
	done
}

# grow FILE SIZE [front]: replace FILE (a link) by a copy zero-padded to SIZE
# bytes, at the end, or at the front as a BIOS grows
grow() {
	local src
	src=$(realpath "$1")
	rm -f "$1"
	if [ "${3:-}" = front ]; then
		{ head -c $(($2 - $(stat -c %s "$src"))) /dev/zero; cat "$src"; } > "$1"
	else
		{ cat "$src"; head -c $(($2 - $(stat -c %s "$src"))) /dev/zero; } > "$1"
	fi
}
