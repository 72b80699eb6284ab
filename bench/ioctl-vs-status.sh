#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Latency of DM_CRYPTO_CAPS against DM_TABLE_STATUS on the same device with
# 1, 100 and 10,000 targets, in the test VM, as a table with the ratios.
#
#   bench/ioctl-vs-status.sh [--kernel LINUX] BUILD
#
# BUILD is a configured build directory (run.sh --build); the probe
# bench/ioctl-latency.c is compiled into BUILD/bench/ on the host and run by
# bench/ioctl-vs-status-guest.sh inside the VM. --kernel as for run.sh.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=()
if [ "${1:-}" = --kernel ]; then
	kernel=(--kernel "$2")
	shift 2
fi
build=$(realpath "${1:?usage: $0 [--kernel LINUX] BUILD}")

mkdir -p "$build/bench"
${CC:-cc} -O2 -Wall -Werror -I"$top/lib" -o "$build/bench/ioctl-latency" \
	"$top/bench/ioctl-latency.c"
exec "$top/tests/vm/run.sh" "${kernel[@]}" --build "$build" \
	--exec "$top/bench/ioctl-vs-status-guest.sh"
