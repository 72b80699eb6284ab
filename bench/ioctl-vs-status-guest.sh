#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of bench/ioctl-vs-status.sh (run as root in the test VM by
# run.sh --exec): a DM device of 1, 100 and 10,000 linear targets over one
# emulated inline-crypto disk, and for each the median latency of
# DM_CRYPTO_CAPS and of DM_TABLE_STATUS (plain status, and with
# DM_STATUS_TABLE_FLAG as `dmsetup table` asks it), measured by
# BUILD/bench/ioctl-latency. BENCH_ITERS overrides the iteration counts.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/lib/emulation.bash"
probe=${DMCAPS_BUILD:?set DMCAPS_BUILD (run.sh --build)}/bench/ioctl-latency
[ -x "$probe" ] || { echo "no $probe: run bench/ioctl-vs-status.sh"; exit 1; }
table=/tmp/bench.table

vm_cleanup
nb_create b0 64 "AES-256-XTS=512,4096 Adiantum=4096" 8 4

printf '%-8s %6s %12s %12s %12s %10s %10s\n' targets iters caps_us status_us \
	table_us caps/status caps/table
for n in 1 100 10000; do
	case $n in 10000) iters=${BENCH_ITERS:-300} ;; *) iters=${BENCH_ITERS:-3000} ;; esac
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%d 8 linear /dev/b0 %d\n", i * 8, i * 8 }' > "$table"
	dmsetup create bench < "$table"
	out=$("$probe" bench "$iters")
	dmsetup remove bench
	eval "${out// /;}"
	[ "$targets" -eq "$n" ] || { echo "expected $n targets, the kernel has $targets"; exit 1; }
	awk -v n="$n" -v it="$iters" -v c="$caps_us" -v s="$status_us" -v t="$table_us" 'BEGIN {
		printf "%-8d %6d %12.2f %12.2f %12.2f %10.2f %10.2f\n", n, it, c, s, t, c / s, c / t }'
done
vm_cleanup
