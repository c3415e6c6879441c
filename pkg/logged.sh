#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a long build step with its output in a log file; on failure shows the
# last lines and where the whole log is, and keeps the step's exit status.
# usage: pkg/logged.sh LOG CMD [ARG...]
set -uo pipefail
log=$1; shift
mkdir -p "$(dirname "$log")"
start=$(date +%s)
"$@" > "$log" 2>&1
rc=$?
echo "# exit $rc after $(( $(date +%s) - start )) s" >> "$log"
if [ $rc -ne 0 ]; then
	echo "---- last lines of $log ----" >&2
	tail -n 25 "$log" >&2
	echo "---- failed ($rc): $*" >&2
	echo "---- full log: $log" >&2
fi
exit $rc
