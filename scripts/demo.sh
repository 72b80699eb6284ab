#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The dmcaps demo, from a fresh Debian 12 machine: installs what it needs,
# builds dmcaps and the patched User-Mode Linux kernel (about 6 minutes the
# first time on 2 cores, cached after), boots it, builds device-mapper
# stacks over emulated inline-encryption devices and shows their
# capabilities.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${DMCAPS_BUILDDIR:-$top/build-demo}

"$top/scripts/install-deps.sh" build vm
(cd "$top" && autoreconf -fi > /dev/null 2>&1) || { echo "autoreconf failed" >&2; exit 1; }
mkdir -p "$builddir"
cd "$builddir"
[ -f Makefile ] || "$top/configure" -q > /dev/null
make -s -j"$(nproc)" >/dev/null
exec "$top/tests/vm/run.sh" --build "$builddir" --exec "$top/scripts/demo-guest.sh"
