#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Issue 14's table in one boot of the test VM, and its plot:
#
#   bench/scale.sh [--kernel LINUX] BUILD
#
# BUILD is a configured and built build directory. The probe
# bench/ioctl-latency.c (DM_CRYPTO_CAPS against DM_TABLE_STATUS) is compiled
# into BUILD/bench/ on the host; bench/scale-guest.py runs in the VM and
# writes BUILD/bench/scale.tsv; gnuplot (Debian's gnuplot-nox) then draws
# BUILD/bench/scale.png: median wall time against the number of DM devices
# (10, 100, 1,000, 3,000; BENCH_SIZES in the guest script) for dmcaps show,
# dmcaps show DEV, dmsetup ls --tree, dmsetup table DEV and lsblk.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=()
if [ "${1:-}" = --kernel ]; then
	kernel=(--kernel "$2")
	shift 2
fi
build=$(realpath "${1:?usage: $0 [--kernel LINUX] BUILD}")
[ -x "$build/src/.libs/dmcaps" ] ||
	{ echo "$0: $build/src/.libs/dmcaps missing: build with shared libraries first" >&2; exit 1; }

mkdir -p "$build/bench"
${CC:-cc} -O2 -Wall -Werror -I"$top/lib" -o "$build/bench/ioctl-latency" \
	"$top/bench/ioctl-latency.c"
${CC:-cc} -O2 -Wall -Werror -static -o "$build/bench/spawn-usage" \
	"$top/bench/spawn-usage.c"
"$top/tests/vm/run.sh" "${kernel[@]}" --timeout 3000 --build "$build" \
	--exec "$top/bench/scale-guest.py"
"$top/bench/scale-plot.sh" "$build/bench/scale.tsv" "$build/bench/scale.png"
echo "plot: $build/bench/scale.png"
