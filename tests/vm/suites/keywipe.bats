#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# No copy of a dm-crypt key stays in dmcaps' heap after it read a live or
# inactive crypt table from the kernel (DM_DEVICE_TABLE through libdm, with
# dm_task_secure_data) or checked one: tests/keyscan.c, preloaded, scans
# the heap at exit for the key's last 32 hex digits, freed chunks included.
# The control proves the scanner sees copies where a process leaves them
# (dmsetup table --showkeys holds the key in its stdout buffer).
#
# A crash of dmcaps while it holds a key writes no core, whatever the
# core_pattern (a file, or a pipe, which RLIMIT_CORE does not bind): dmcaps
# makes itself non-dumpable (src/dmcaps.c, no_core_dumps()). The control:
# a shell holding the same key, crashed the same way, does dump it.

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048
KEY=8899aabbccddeeff00112233445566770f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f60718293a4b5c6d7e8f90fedcba98765432100123456789abcdef
NEEDLE=${KEY:96:32}

setup() {
	dmcaps_setup
	KEYSCAN=$DMCAPS_BUILD/tests/.libs/libkeyscan.so
	[ -f "$KEYSCAN" ] || skip "$KEYSCAN not built (make check builds it)"
	TABLE="0 $((16 * SECT_PER_MB)) crypt aes-xts-plain64 $KEY 0 /dev/ufs0 0"
	dmsetup create c --table "$TABLE"
}

teardown() {
	[ -z "${SAVED_CORE_PATTERN:-}" ] ||
		echo "$SAVED_CORE_PATTERN" > /proc/sys/kernel/core_pattern
	rm -rf /run/cores /run/core-pipe /run/crypt.table
	vm_cleanup
}

# scan CMD...: runs CMD with the scanner; $copies: copies left at exit
scan() {
	rm -f /run/keyscan.out
	run --separate-stderr env LD_PRELOAD="$KEYSCAN" DMCAPS_KEYSCAN="$NEEDLE" \
		DMCAPS_KEYSCAN_OUT=/run/keyscan.out "$@"
	scanned
}

scanned() {
	[ -f /run/keyscan.out ] || { echo "the scanner did not run: $stderr"; return 1; }
	copies=$(cat /run/keyscan.out)
}

# scan_dmcaps ARGS...: dmcaps ARGS with the scanner in the real binary
# only (libtool's wrapper script is a bash process of its own)
scan_dmcaps() {
	rm -f /run/keyscan.out
	run --separate-stderr "$DMCAPS_BUILD/libtool" --mode=execute env \
		LD_PRELOAD="$KEYSCAN" DMCAPS_KEYSCAN="$NEEDLE" \
		DMCAPS_KEYSCAN_OUT=/run/keyscan.out "$DMCAPS" "$@"
	scanned
}

@test "control: the scanner finds the key in a process that keeps it (dmsetup --showkeys)" {
	scan dmsetup table --showkeys c
	[ "$status" -eq 0 ]
	[[ "$output" == *"$NEEDLE"* ]]
	[ "$copies" -ge 1 ] || { echo "copies: $copies"; false; }
}

@test "show of a live crypt table leaves no copy of its key" {
	scan_dmcaps show c
	[ "$status" -eq 0 ] || { echo "$output"; echo "$stderr"; false; }
	[ "$copies" = 0 ] || { echo "show c: $copies copies"; false; }
	scan_dmcaps show --json --output-all
	[ "$status" -eq 0 ]
	[ "$copies" = 0 ] || { echo "show --json --output-all: $copies copies"; false; }
	[[ "$output" != *"$NEEDLE"* ]]
}

@test "show --inactive of an inactive crypt table leaves no copy of its key" {
	dmsetup load c --table "$TABLE"
	scan_dmcaps show --inactive c
	[ "$status" -eq 0 ] || { echo "$output"; echo "$stderr"; false; }
	[ "$copies" = 0 ] || { echo "show --inactive: $copies copies"; false; }
}

@test "check and load --check-crypto of a crypt table against a live crypt device: no copy" {
	printf '%s\n' "$TABLE" > /run/crypt.table
	scan_dmcaps check c /run/crypt.table
	[ "$copies" = 0 ] || { echo "check: $copies copies ($status: $stderr)"; false; }
	scan_dmcaps load --check-crypto c /run/crypt.table
	[ "$copies" = 0 ] || { echo "load: $copies copies ($status: $stderr)"; false; }
	rm -f /run/crypt.table
}

# crash CMD...: CMD crashed (SIGSEGV) after reading /run/crypt.table from
# its standard input, core limit unlimited; $output: "core dumped" or
# "no core"; $cores: the core files written, $keys: copies of the key in them
crash() {
	rm -f /run/cores/*
	run bash -c 'ulimit -c unlimited && exec "$@"' _ \
		python3 "$TOOLS/crash-holding.py" /run/crypt.table "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	cores=$(find /run/cores -type f -size +0 | wc -l)
	keys=$(cat /run/cores/* 2>/dev/null | grep -a -o -F "$NEEDLE" | wc -l)
}

@test "a crash of dmcaps holding a key writes no core, to a file or a pipe (control: a shell holding it does)" {
	TOOLS=$DMCAPS_TOP/tests/vm/tools
	SAVED_CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern)
	mkdir -p /run/cores
	printf '%s\n' "$TABLE" > /run/crypt.table
	# a pipe: the kernel dumps whatever RLIMIT_CORE says (but 1)
	printf '#!/bin/sh\ncat > /run/cores/pipe.$1\n' > /run/core-pipe
	chmod 755 /run/core-pipe
	local pattern
	for pattern in "/run/cores/file.%p" "|/run/core-pipe %p"; do
		echo "$pattern" > /proc/sys/kernel/core_pattern
		# control: the key in a dumpable process's core
		crash sh -c 'read -r t && read -r u'
		[ "$output" = "core dumped" ]
		[ "$cores" -eq 1 ] && [ "$keys" -ge 1 ] ||
			{ echo "$pattern, control: $cores cores, $keys keys"; false; }
		# dmcaps reading the same table from standard input
		crash "$DMCAPS_BUILD/libtool" --mode=execute "$DMCAPS" check newdev
		[ "$output" = "no core" ]
		[ "$cores" -eq 0 ] || { echo "$pattern: dmcaps left a core"; false; }
	done
}
