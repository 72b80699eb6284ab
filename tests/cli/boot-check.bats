#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The shared boot check (boot/dmcaps-boot.sh) under dash, as the initramfs
# runs it, with the real dmcaps over fixture sysroots: where the
# requirement and the policy come from (configuration file, command line,
# which wins, what is invalid), what /run/dmcaps/ records and that its
# status file is safe to eval. The real boots are tests/boot/run.sh.

load helpers

BOOT_SH=$BATS_TEST_DIRNAME/../../boot/dmcaps-boot.sh

setup() {
	command -v dash > /dev/null || skip "dash is not installed"
	RUNDIR=$BATS_TEST_TMPDIR/run
	CONF=$BATS_TEST_TMPDIR/initramfs.conf
	: > "$CONF"
}

# check [VAR=VALUE...] -- DEVICE...: dmcaps_boot_check in dash; VARs are
# the command-line values (DMCAPS_ARG_REQUIRE, DMCAPS_ARG_POLICY)
check() {
	local assigns=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do assigns+=("$1"); shift; done
	shift
	run --separate-stderr env "${assigns[@]}" DMCAPS_RUN="$RUNDIR" \
		DMCAPS_CONF="$CONF" BOOT_SH="$BOOT_SH" DMCAPS="$DMCAPS" PHONE="$PHONE" \
		dash -c '
		. "$BOOT_SH"
		dmcaps() { "$DMCAPS" --sysroot "$PHONE" "$@"; }
		dmcaps_warn() { echo "W: $*" >&2; }
		DMCAPS_ARG_PREFIX=dmcaps.
		if dmcaps_boot_check "$@"; then echo "check: go on"
		else echo "check: stop: $DMCAPS_REASON"; fi' dash "$@"
	echo "status $status"; echo "$output"; echo "stderr: $stderr"
	[ -f "$RUNDIR/status" ] && cat "$RUNDIR/status"
	return 0
}
status_has() { grep -qx -- "$1" "$RUNDIR/status"; }

@test "boot check: nothing required anywhere: skipped, said in status" {
	check -- top
	[ "$output" = "check: go on" ]
	status_has 'RESULT="none"'
	status_has 'ACTION="skipped"'
}

@test "boot check: the configuration's requirement and policy; provided" {
	printf 'DMCAPS_REQUIRE="AES-256-XTS:4096"\nDMCAPS_POLICY=fail\n' > "$CONF"
	check -- top
	[ "$output" = "check: go on" ]
	status_has 'RESULT="provided"'
	status_has 'POLICY="fail"'
	grep -q '^DEVICE="top" KNAME="dm-2" REQUIREMENT="AES-256-XTS:4096" RESULT="provided"' "$RUNDIR/results"
}

@test "boot check: lacking under fail stops with the reason; the WHY lines said and kept" {
	printf 'DMCAPS_REQUIRE="Adiantum:4096"\nDMCAPS_POLICY=fail\n' > "$CONF"
	check -- top
	[ "$output" = "check: stop: dmcaps: top does not provide Adiantum:4096; policy fail: not mounting the root file system" ]
	assert_contains "$stderr" "W: dmcaps: top: lacks Adiantum:4096: device lin lacks Adiantum"
	status_has 'RESULT="not-provided"'
	status_has 'ACTION="stopped"'
	grep -q 'device lin lacks Adiantum' "$RUNDIR/why"
}

@test "boot check: the command line wins over the configuration, both requirement and policy" {
	printf 'DMCAPS_REQUIRE="AES-256-XTS:4096"\nDMCAPS_POLICY=fail\n' > "$CONF"
	check DMCAPS_ARG_REQUIRE=Adiantum:4096 DMCAPS_ARG_POLICY=warn -- top
	[ "$output" = "check: go on" ]
	assert_contains "$stderr" "W: dmcaps: top does not provide Adiantum:4096; policy warn: booting on"
	status_has 'POLICY="warn"'
	status_has 'REQUIRE="Adiantum:4096"'
	status_has 'ACTION="continued"'
}

@test "boot check: an invalid policy: from the file, fail; from the command line, the configured one kept" {
	printf 'DMCAPS_REQUIRE="Adiantum:4096"\nDMCAPS_POLICY=sometimes\n' > "$CONF"
	check -- top
	assert_contains "$stderr" 'DMCAPS_POLICY="sometimes" is neither warn nor fail; using fail'
	assert_contains "$output" "check: stop:"
	printf 'DMCAPS_REQUIRE="Adiantum:4096"\nDMCAPS_POLICY=warn\n' > "$CONF"
	check DMCAPS_ARG_POLICY=never -- top
	assert_contains "$stderr" 'dmcaps.policy="never" is neither warn nor fail; keeping policy warn'
	[ "$output" = "check: go on" ]
}

@test "boot check: an empty dmcaps.require= is a malformed requirement, not no requirement" {
	printf 'DMCAPS_POLICY=fail\n' > "$CONF"
	check DMCAPS_ARG_REQUIRE= -- top
	assert_contains "$output" 'check: stop: dmcaps: dmcaps.require="" is not a requirement dmcaps can check'
	status_has 'RESULT="malformed"'
}

@test "boot check: every device is checked; a missing one is named, the worst result kept" {
	printf 'DMCAPS_REQUIRE="AES-256-XTS:4096"\nDMCAPS_DEVICES="nosuchdevice sdb"\n' > "$CONF"
	check -- top
	[ "$output" = "check: go on" ]
	assert_contains "$stderr" "nosuchdevice"
	assert_contains "$stderr" "W: dmcaps: nosuchdevice: no such device; policy warn: booting on"
	# sdb has no queue/crypto: not provided outranks the missing device
	status_has 'RESULT="not-provided"'
	status_has 'DEVICES="nosuchdevice sdb"'
	[ "$(wc -l < "$RUNDIR/results")" -eq 2 ]
}

@test "boot check: what the command line says cannot escape the status file's quotes" {
	check 'DMCAPS_ARG_REQUIRE=$(touch pwned)"`x`' -- top
	[ ! -e pwned ] && [ ! -e "$RUNDIR/pwned" ]
	grep -qx 'REQUIRE="??touch pwned???x?"' "$RUNDIR/status"
	(cd "$RUNDIR" && eval "$(cat status)" && [ "$RESULT" = malformed ])
	[ ! -e "$RUNDIR/pwned" ]
}
