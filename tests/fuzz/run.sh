#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh BINDIR CORPUS SECONDS: the libFuzzer targets of tests/fuzz.
#   1. regression: every seed in CORPUS/<target>/ runs once (any sanitizer
#      report or crash fails);
#   2. fuzzing: each target for SECONDS from its seeds (new inputs go to a
#      scratch directory, never into the repository); a crash, leak, UBSan
#      report or timeout fails and leaves the input in BINDIR/artifacts.
# Prints one line per target (seeds, executions, executions per second)
# and "fuzz: N passed, N failed" last; exits 1 on any failure.
set -uo pipefail

bindir=$1 corpus=$2 secs=${3:-20}
targets=(table concise caps sysfs kcaps evict args)
pass=0 fail=0
# /dev/shm: the sysfs target writes files for every input
scratch=${TMPDIR:-/tmp}
[ -w /dev/shm ] && scratch=/dev/shm
work=$(mktemp -d "$scratch/dmcaps-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
artifacts=$bindir/artifacts
mkdir -p "$artifacts"
export TMPDIR=$work
# UBSan reports are fatal (-fno-sanitize-recover) and printed with stacks.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

printf '%-8s %6s %10s %8s %7s  %s\n' TARGET SEEDS EXECS EXEC/S CORPUS RESULT
for t in "${targets[@]}"; do
	bin=$bindir/fuzz-$t
	seeds=("$corpus/$t"/*)
	log=$bindir/fuzz-$t.log
	if [ ! -x "$bin" ]; then
		printf '%-8s %s\n' "$t" "FAILED: $bin not built"
		fail=$((fail + 1))
		continue
	fi
	if ! "$bin" -artifact_prefix="$artifacts/$t-" "${seeds[@]}" > "$log" 2>&1; then
		printf '%-8s %6s %s\n' "$t" "${#seeds[@]}" "FAILED: a seed of $corpus/$t fails:"
		tail -n 30 "$log"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$work/$t"
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -max_len=8192 \
		-timeout=10 -rss_limit_mb=2048 -close_fd_mask=1 \
		-artifact_prefix="$artifacts/$t-" "$work/$t" "$corpus/$t" \
		>> "$log" 2>&1; then
		result=ok
		pass=$((pass + 1))
	else
		result="FAILED (see $log and $artifacts)"
		fail=$((fail + 1))
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	printf '%-8s %6s %10s %8s %7s  %s\n' "$t" "${#seeds[@]}" "${execs:-?}" \
		"${rate:-?}" "$(find "$work/$t" -type f | wc -l)" "$result"
	[ "$result" = ok ] || tail -n 40 "$log"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
