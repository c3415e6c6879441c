#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every fuzz harness for SECONDS each over its corpus (seeded from the
# Debian reference images and the test fixtures), then replays the regression
# inputs: those `gen --regress` writes (tests/gen/gen.c, made at test time)
# and any small reproducer kept in tests/fuzz/regress/NAME/. A crash, leak, timeout or sanitizer
# report fails the harness and leaves the reproducer in out/fuzz/crashes/.
# Prints one line per harness (executions, exec/s) and "# fuzz: P passed, F failed".
# usage: tests/fuzz/run.sh SECONDS [NAME...]
set -uo pipefail
O=${O:-out}
secs=${1:?seconds per harness}
shift
names=${*:-optrom image fv varstore ovmfcode slots size efidecomp varmigrate savedstate keys}
F=$O/fuzz
mkdir -p "$F/crashes" "$F/logs"
declare -A maxlen=([optrom]=262144 [image]=262144 [fv]=8192 [varstore]=131072 [ovmfcode]=16384 [slots]=8192 [size]=64 [efidecomp]=131072 [varmigrate]=131072 [savedstate]=8192 [keys]=32768)

if [ ! -d "$F/seed/size" ] || [ tests/fuzz/seeds.py -nt "$F/seed/size" ]; then
	gen=$F/gen
	mkdir -p "$gen" && "$O/asan/tests/gen" "$gen" >/dev/null
	rm -rf "$F/seed" && python3 tests/fuzz/seeds.py "$F/seed" "$O/ref/root" "$gen" >/dev/null || exit 2
fi

rm -rf "$F/regress" && "$O/asan/tests/gen" --regress "$F/regress" || exit 2

pass=0 fail=0 total=0
report=${FUZZ_REPORT:-$F/report.txt}
: > "$report.tmp"
# one harness: its fuzzing, then its regression inputs; leaves "rc rrc nreg" in logs/NAME.rc
fuzz_one() {
	local n=$1 bin=$F/bin/fuzz_$1 corpus=$F/corpus/$1 log=$F/logs/$1.log rc rrc=0 regs=() f
	mkdir -p "$corpus"
	# each harness gets its own 10 s hang budget per input and 2 GiB
	"$bin" -dict=tests/fuzz/fw.dict -max_total_time="$secs" -max_len="${maxlen[$n]}" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$F/crashes/$n-" "$corpus" "$F/seed/$n" > "$log" 2>&1
	rc=$?
	# regression inputs: every file ever found, replayed once each
	for f in "$F/regress/$n"/* "tests/fuzz/regress/$n"/*; do
		[ -f "$f" ] && regs+=("$f")
	done
	if [ ${#regs[@]} -gt 0 ]; then
		"$bin" -runs=1 "${regs[@]}" > "$F/logs/$n.regress.log" 2>&1 || rrc=$?
	fi
	echo "$rc $rrc ${#regs[@]}" > "$F/logs/$n.rc"
}

# FUZZ_JOBS harnesses at a time (default 2: each fuzzes on one core for SECONDS, as alone)
jobs_max=${FUZZ_JOBS:-2} running=0
for n in $names; do
	rm -f "$F/logs/$n.rc"
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
	fuzz_one "$n" &
	running=$((running + 1))
done
wait

for n in $names; do
	corpus=$F/corpus/$n log=$F/logs/$n.log
	rc=1 rrc=1 nreg=0
	[ -f "$F/logs/$n.rc" ] && read -r rc rrc nreg < "$F/logs/$n.rc"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	if [ "$rc" = 0 ] && [ "$rrc" = 0 ] && [ -n "$execs" ]; then
		pass=$((pass + 1)) verdict=ok
	else
		fail=$((fail + 1)) verdict=FAIL
	fi
	total=$((total + ${execs:-0}))
	printf '%-4s fuzz_%-9s %10s executions in %ss (%s/s), corpus %d, regressions %d\n' \
		"$verdict" "$n" "${execs:-?}" "$secs" "${rate:-?}" "$(ls "$corpus" | wc -l)" "$nreg" | tee -a "$report.tmp"
	if [ $verdict = FAIL ]; then
		grep -E 'ERROR|SUMMARY|runtime error|property failed|Test unit written|==[0-9]+==' "$log" "$F/logs/$n.regress.log" 2>/dev/null | head -12 | sed 's/^/     /'
		echo "     log: $log; reproducer: $(ls -t "$F/crashes/$n-"* 2>/dev/null | head -1)"
	fi
done
mv "$report.tmp" "$report"
echo "fuzz: $total executions in all; report $report"
echo "# fuzz: $pass passed, $fail failed"
[ $fail = 0 ]
