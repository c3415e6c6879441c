#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test suite against the ASan+UBSan builds and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
O=${O:-out}
export O
export BIN=$O/asan/bin TBIN=$O/asan/tests REF=$O/ref/root
export GEN=$O/test/gen SCRATCH=$O/test/scratch
# QEMU's answers to questions asked with -S (romfile table, RAM block matrix),
# kept for the next run of the same QEMU binary with the same data folders
# (tests/qemu/qemuview.py, Answers); delete it to ask everything again
export FWSLOT_QEMU_CACHE=${FWSLOT_QEMU_CACHE-$O/cache/qemu}
# a sanitizer finding must never look like the tools' own exit 1
export ASAN_OPTIONS=exitcode=86:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:exitcode=87:print_stacktrace=1
rm -rf "$O/test" && mkdir -p "$GEN" "$SCRATCH"

pass=0 fail=0
started=$(date +%s)
# a line per suite with its seconds, for the closing summary and make measurements
: > "$O/test/suites.tsv"
# CPU time (user + system, in ticks) of this shell's finished children, from
# /proc, into CPU_TICKS (no $(...): that would read a subshell's): where the time goes
cpu_ticks() {
	local s
	read -r s < /proc/$BASHPID/stat
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	CPU_TICKS=$((${14} + ${15}))
}
TICKS=$(getconf CLK_TCK)
suite_done() { # kind name passed failed seconds [cpu ticks]
	local cpu=$(( (${6:-0} + TICKS / 2) / TICKS ))
	printf '%-8s %-28s %5d passed, %d failed %5d s %5d s CPU\n' "$1" "$2" "$3" "$4" "$5" "$cpu"
	printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$5" "$cpu" >> "$O/test/suites.tsv"
}
. tests/lib.sh

# unit tests and the in-process sweep print "# NAME: P passed, F failed"
run_counted() { # [-v] name cmd...   (-v: show every line, not only on failure)
	local verbose=0 name out rc p f t0 c0
	[ "$1" = -v ] && { verbose=1; shift; }
	name=$1
	shift
	t0=$(date +%s)
	# the suite's CPU, read by the subshell that ran it: lane B, reaped by this shell
	# whenever it ends, would land in whichever suite runs then
	out=$("$@" 2>&1; r=$?; cpu_ticks; printf "\n__fwslot_cpu %s\n" "$CPU_TICKS"; exit $r); rc=$?
	c0=$(sed -n 's/^__fwslot_cpu //p' <<<"$out" | tail -1)
	out=$(grep -v '^__fwslot_cpu ' <<<"$out")
	# the suite's own closing line: a whole line, the last one (a check's text may quote another tally)
	tally=$(grep -E '^# [a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1)
	if [[ $tally =~ \#\ [a-z0-9_-]+:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	else
		p=0 f=1
	fi
	[ "$rc" = 0 ] || [ "$f" != 0 ] || f=1   # a crash after the tally still fails
	pass=$((pass + p)) fail=$((fail + f))
	if [ $verbose = 1 ]; then
		printf '%s\n' "$out" | grep -v '^# ' | sed 's/^/  /'
		skipped=$((${skipped:-0} + $(printf '%s\n' "$out" | grep -c '^SKIP')))
	fi
	suite_done suite "$name" "$p" "$f" $(($(date +%s) - t0)) "${c0:-0}"
	[ "$f" = 0 ] || [ $verbose = 1 ] || printf '%s\n' "$out" | grep -v '^# ' | head -40
}

for t in "$TBIN"/*_test; do
	run_counted "unit/$(basename "$t")" "$t"
done

"$TBIN/gen" "$GEN" || { echo "fixture generator failed"; fail=$((fail + 1)); }
ROMS=$(ls "$REF"/usr/lib/ipxe/qemu/*.rom "$REF"/usr/share/seabios/*.bin)
mkdir -p "$SCRATCH/corrupt"
# shellcheck disable=SC2086
sweep_before=$pass
run_counted "sweep (real images)" "$TBIN/sweep" --write "$SCRATCH/corrupt" $ROMS
sweep=$((pass - sweep_before))

cli_suite() { # tests/cli/NAME.sh, sourced: it adds to pass, fail and skipped
	local suite_t0 name p f s c counts
	suite_t0=$(date +%s) name=$(basename "$1" .sh)
	counts=$SCRATCH/cli-$name.counts
	# sourced in a subshell that reads its own CPU (a lane this shell reaps
	# meanwhile would count as the suite's), its lines as they come
	(
		pass=0 fail=0 skipped=0
		. "$1"
		cpu_ticks
		echo "$pass $fail $skipped $CPU_TICKS" > "$counts"
	)
	if read -r p f s c 2>/dev/null < "$counts"; then
		pass=$((pass + p)) fail=$((fail + f)) skipped=$((${skipped:-0} + s))
	else
		echo "FAIL cli suite $name ended without its counts"
		p=0 f=1 c=0 fail=$((fail + 1))
	fi
	suite_done cli "$name" "$p" "$f" $(($(date +%s) - suite_t0)) "$c"
}

# Lanes B, C and D run beside lane A (this shell), each in the background:
# its lines are printed when it ends, its counts added to the run's.
lane() { # NAME FUNCTION: runs FUNCTION as lane NAME (its log, its counts, its seconds)
	(
		pass=0 fail=0 skipped=0 lane_t0=$(date +%s)
		_t_out=$SCRATCH/t.lane-$1.out _t_err=$SCRATCH/t.lane-$1.err
		"$2"
		echo "$pass $fail $skipped $(($(date +%s) - lane_t0))" > "$SCRATCH/lane-$1.counts"
	) > "$SCRATCH/lane-$1.log" 2>&1 &
	lane_pids+=("$1:$!")
}
lane_pids=()
# Lane B: the suites that mostly wait (dpkg and lintian, apt from the
# archive, a system libvirtd starting a VM at a time). The packages first
# (deb.sh builds out/deb), then the system drop-in that installs them.
lane_b() {
	cli_suite tests/cli/deb.sh
	# an admin's day, in a throwaway overlay copy of this machine: Debian 12's packages
	# from the archive, ours over them with apt, README's way back; a system libvirtd
	# starts every firmware request throughout (needs root and out/deb, made above)
	run_counted -v "system drop-in" python3 tests/system/dropin.py
}
lane B lane_b
# All lanes run at the same priority. Measured: lanes C and D at nice 10
# (their VMs too, now that they share the run's autogroup) made the run
# longer, 348 s against 314 s: a guest left waiting still burns CPU (OVMF
# spins when idle under TCG), 659 s busy against 613 s
# Lane C: the two longest QEMU suites (each runs two VMs at a time)
lane_c() {
	# old VMs migrate to the new set and back; saved and snapshotted VMs load;
	# varstores move between layouts and survive a torn write
	run_counted -v "qemu migrate" python3 tests/migrate/migrate.py
	# every image boots
	run_counted -v "qemu boot" python3 tests/boot/boot.py
}
lane C lane_c
# Lane D: a session libvirtd of its own (user nobody), a VM at a time; then
# two QEMU suites of one VM at a time
lane_d() {
	# libvirt itself picks the same firmware from our descriptors as from Debian's
	run_counted -v "libvirt firmware choice" python3 tests/libvirt/libvirt.py
	# fwslot-host-check walks a libvirt host: a running VM, a managed save, a
	# snapshot and an nvram, each judged against Debian's and two broken sets
	run_counted -v "libvirt host check" python3 tests/libvirt/host.py
	# saved VMs (streams of several machine types, libvirt save images, qcow2
	# snapshots) made by QEMU on Debian 12's set: romsize diff STATE NEW says
	# what QEMU does when it loads each one on ours, Debian's and broken sets
	run_counted -v "qemu saved states" python3 tests/states/states.py
	# Secure Boot keys updated offline (fdsplit update-keys) are what OVMF enforces at the
	# next boot: Debian Python for virt-firmware's Authenticode hash (python3-pefile)
	run_counted -v "qemu keys update" /usr/bin/python3 tests/keys/qemu.py
}
lane D lane_d

for suite in tests/cli/*.sh; do
	[ "$suite" = tests/cli/deb.sh ] || cli_suite "$suite"
done

# hostile input: a few seconds of each fuzz harness (make fuzz runs longer),
# and writes killed at random moments never leave a half-written image
run_counted -v "fuzz (3 s per parser)" tests/fuzz/run.sh 3
# the keys fdsplit info reads equal what a peer reads: virt-fw-vars (Debian sid's
# python3-virt-firmware), on every OVMF_VARS template of Debian 12, 13, sid and ours
run_counted -v "keys as virt-fw-vars reads them" /usr/bin/python3 tests/keys/peer.py
run_counted -v "crash safety (SIGKILL)" python3 tests/crash/crash.py 20 "$BIN" \
	"$REF/usr/lib/ipxe/qemu/pxe-e1000.rom" "$REF/usr/share/ovmf/OVMF.fd"

# QEMU is the judge: the romfile table says what QEMU says; on every machine type
# and ROM device its RAM blocks agree with romsize diff (Debian 12 -> ours,
# Debian 12 -> 13, and a generated break: efi-virtio.rom one block past 256 KiB);
# every image boots, old VMs migrate to the new set and back
run_counted "qemu layer (no QEMU)" python3 tests/qemu/layer_test.py
run_counted "qemu romfile table" python3 tests/qemu/romdevs.py --check pkg/romdevs.conf
B=$SCRATCH/break-virtio
flat "$B"
grow "$B/efi-virtio.rom" $((262144 + 512))
pairs=("deb12-to-deb13=$REF:$(dirname "$REF")/deb13/root:roms-same" "deb12-to-broken-virtio=$REF:$B:efi-virtio.rom")
if [ -f "$O/firmware/SHA256SUMS" ]; then
	# Debian 13's set against ours too: a host upgraded to trixie, then to ours
	pairs=("deb12-to-ours=$REF:$O/firmware:same" "deb13-to-ours=$(dirname "$REF")/deb13/root:$O/firmware:same" "${pairs[@]}")
else
	echo "SKIP upgrade deb12-to-ours: $O/firmware not built (run make)"
	skipped=$((${skipped:-0} + 1))
fi
run_counted -v "qemu upgrade matrix" python3 tests/upgrade/matrix.py --romsize "$BIN/romsize" \
	--json "$O/test/upgrade.json" "${pairs[@]}"
echo "---- lane A (the suites above, from the start): $(($(date +%s) - started)) s"

declare -A lane_what=([B]="packages, system drop-in" [C]="QEMU migrate and boot" [D]="libvirt session, saved states, keys update")
for lp in "${lane_pids[@]}"; do
	l=${lp%%:*}
	wait "${lp#*:}"
	bsec=
	read -r bp bf bs bsec 2>/dev/null < "$SCRATCH/lane-$l.counts"
	echo "---- lane $l (${lane_what[$l]}), run beside the above:${bsec:+ $bsec s}"
	cat "$SCRATCH/lane-$l.log"
	if [ -n "$bsec" ]; then
		pass=$((pass + bp)) fail=$((fail + bf)) skipped=$((${skipped:-0} + bs))
	else
		echo "FAIL lane $l ended without its counts"
		fail=$((fail + 1))
	fi
done

[ "${skipped:-0}" = 0 ] || echo "$skipped group(s) of cases skipped (see SKIP lines): not counted as passed"
# the malformed-input sweep is thousands of one-byte variations: say how many
# of the passes are the spec (unit, CLI, fuzz, crash, QEMU) and how many the sweep
echo "spec checks $((pass - sweep)) passed; malformed-input sweep $sweep passed"
# two cores can do no better than half of it: the floor a faster make check must get under
cpu_ticks
cpu_all=$((CPU_TICKS / TICKS))
echo "$(($(date +%s) - started)) s wall, $cpu_all s CPU in the suites (user + system, all lanes)"
# for make measurements (pkg/measurements.py)
printf '{"seconds": %d, "cpu_seconds": %d, "passed": %d, "failed": %d, "sweep": %d, "skipped_groups": %d}\n' \
	$(($(date +%s) - started)) "$cpu_all" "$pass" "$fail" "$sweep" "${skipped:-0}" > "$O/test/run.json"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
