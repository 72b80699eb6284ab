#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dmcaps check of a 10,000-line table over 64 devices against dmsetup load
# of the same table, one run each; and how often dmcaps reads each device's
# capabilities (once, if the context's cache works). Runs as root in the
# test VM:
#   tests/vm/run.sh --build BUILD --exec bench/check-vs-load.sh
# BENCH_LINES and BENCH_DEVS change the size.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/lib/emulation.bash"
DMCAPS=${DMCAPS_BUILD:?set DMCAPS_BUILD (run.sh --build)}/src/dmcaps
lines=${BENCH_LINES:-10000}
ndevs=${BENCH_DEVS:-64}
table=/tmp/bench.table

vm_cleanup
for ((i = 0; i < ndevs; i++)); do
	nb_create "b$i" 8 "AES-256-XTS=512,4096 Adiantum=4096" 8 4
done
awk -v n="$lines" -v d="$ndevs" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "%d 8 linear /dev/b%d %d\n", i * 8, i % d, int(i / d) * 8
}' > "$table"
dmsetup create bench --notable

now() { date +%s.%N; }

t0=$(now)
rc=0
"$DMCAPS" check bench "$table" > /tmp/bench.check.out 2>&1 || rc=$?
t1=$(now)
[ "$rc" -eq 0 ] || { echo "dmcaps check exited $rc"; cat /tmp/bench.check.out; exit 1; }

t2=$(now)
dmsetup load bench "$table"
t3=$(now)
dmsetup clear bench

reads=n/a
if command -v strace > /dev/null; then
	# exits 0 (would be accepted)
	strace -f -e trace=openat -o /tmp/bench.strace "$DMCAPS" check bench "$table" > /dev/null 2>&1 || true
	# distinct devices whose max_dun_bits was opened, and how many opens
	opens=$(grep -c 'queue/crypto/max_dun_bits' /tmp/bench.strace || true)
	distinct=$(grep -o 'block/[^/]*/queue/crypto/max_dun_bits' /tmp/bench.strace | sort -u | wc -l)
	reads="$opens opens of max_dun_bits for $distinct devices"
fi

awk -v c="$(echo "$t1 - $t0" | bc)" -v l="$(echo "$t3 - $t2" | bc)" \
    -v n="$lines" -v d="$ndevs" -v reads="$reads" 'BEGIN {
	printf "%-34s %10s\n", "operation (" n " lines, " d " devices)", "seconds"
	printf "%-34s %10.3f\n", "dmcaps check", c
	printf "%-34s %10.3f\n", "dmsetup load", l
	printf "%-34s %10.2f\n", "ratio check / load", (l > 0 ? c / l : 0)
	printf "capability reads by dmcaps check: %s\n", reads
}'
dmsetup remove bench
vm_cleanup
