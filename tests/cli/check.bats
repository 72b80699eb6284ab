#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps check over fixture sysroots: verdicts, causes, exit codes, table
# input, bad input. dmcaps load only where no device-mapper is needed.

load helpers

VROOT=$FIXTURES/verdict

# vcheck SYSROOT ARGS...: dmcaps check --pairs, the verdict line eval'd
vcheck() {
	local root=$1
	shift
	run --separate-stderr dmcaps --sysroot "$root" check --pairs "$@"
	echo "status $status"; echo "$output"; echo "stderr: $stderr"
	ITEM= VERDICT= NOW= NEW= SOURCE= CAUSE=
	local first
	first=$(printf '%s\n' "$output" | head -n 1)
	[ -n "$first" ] && eval "$first"
	return 0
}

@test "check: keeps (exit 0), the sets as text" {
	vcheck "$PHONE" lin --table "0 204800 linear 8:2 0
204800 102400 linear 179:1 2048"
	assert_status 0
	[ "$ITEM" = verdict ] && [ "$VERDICT" = keeps ] && [ "$DEVICE" = lin ]
	[ "$NOW" = "AES-256-XTS:0x1000 dun=4 keyslots=0" ]
	[ "$NEW" = "AES-256-XTS:0x1000 dun=4 keyslots=0" ]
	[ "$SOURCE" = sysfs ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
}

@test "check: expands (exit 0), every gain with the live table's cause" {
	vcheck "$PHONE" lin --table "0 307200 linear 8:0 0"
	assert_status 0
	[ "$VERDICT" = expands ]
	assert_contains "$output" 'ITEM="gained" DEVICE="lin" VERDICT="expands" NOW="" NEW="" SOURCE="" CAPABILITY="Adiantum(4096)" CAUSE="live table: device mmcblk0p1 lacks Adiantum (target 2, linear)" TARGET="2" TARGET_TYPE="linear" CAUSE_DEVICE="mmcblk0p1"'
	assert_contains "$output" 'CAPABILITY="8-byte DUNs (now: 4)"'
}

@test "check: shrinks (exit 11), a target that does not pass crypto named" {
	vcheck "$PHONE" lin --table "0 204800 linear 8:2 0
204800 102400 crypt aes-xts-plain64 0123456789abcdef0123456789abcdef 0 179:1 2048"
	assert_status 11
	[ "$VERDICT" = shrinks ] && [ "$NEW" = none ]
	assert_contains "$output" 'ITEM="lost"'
	assert_contains "$output" 'CAUSE="target 2 (crypt) does not pass inline crypto" TARGET="2" TARGET_TYPE="crypt"'
	# the key never appears
	refute_contains "$output$stderr" 0123456789abcdef
}

@test "check: shrinks, the device that lacks each capability named" {
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 204800 linear 8:16 0"
	assert_status 11
	assert_contains "$output" "lin: shrinks its inline-crypto capabilities: the kernel would reject the table"
	assert_contains "$output" "loses: AES-256-XTS(4096): device sdb has no inline crypto (target 1, linear)"
	run --separate-stderr dmcaps --sysroot "$VROOT" check upper --table "0 2048 linear 8:16 0"
	assert_status 11
	assert_contains "$output" "loses: 8-byte DUNs (new table: 4): device sdb supports 4-byte DUNs, not 8 (target 1, linear)"
}

@test "check: an unknown target type is assumed not to pass" {
	vcheck "$PHONE" lin --table "0 100 frobnicate 8:0 0"
	assert_status 11
	assert_contains "$output" "target 1 (frobnicate) is of an unknown type"
}

@test "check: a device that does not exist yet takes its first table" {
	for name in newvol /dev/mapper/newvol; do
		vcheck "$PHONE" "$name" --table "0 100 linear 8:0 0"
		assert_status 0
		[ "$VERDICT" = expands ] && [ "$NOW" = none ]
		[ -z "$stderr" ]
	done
	vcheck "$PHONE" newvol --table "0 100 linear 8:16 0"
	assert_status 0
	[ "$VERDICT" = keeps ]
}

@test "check: 6.12's hidden mode file: losing Adiantum is a shrink" {
	vcheck "$VROOT" grown --table "0 2048 linear 8:48 0"
	assert_status 11
	[ "$NOW" = "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" ]
	[ "$SOURCE" = "sysfs and the live table" ]
	assert_contains "$output" 'CAPABILITY="Adiantum(4096)" CAUSE="device sdd lacks Adiantum (target 1, linear)"'
	assert_contains "$stderr" "never adds a mode file"
}

@test "check: the 6.12 missing crypto dir: the live table is the set" {
	vcheck "$PHONE" stale --table "0 2048 linear 8:1 0"
	assert_status 11
	[ "$NOW" = "AES-256-XTS:0x1200 dun=4 keyslots=0" ]
	[ "$SOURCE" = "the live table (sysfs shows none)" ]
}

@test "check: cannot tell (exit 12) when the bounds disagree, and why" {
	vcheck "$VROOT" upper --table "0 2048 linear 8:48 0"
	assert_status 12
	[ "$VERDICT" = "cannot tell" ]
	assert_contains "$CAUSE" "at least what sysfs shows and at most what its live table exposes"
	# a certain loss (DUN width below what sysfs shows) is still a shrink
	vcheck "$VROOT" upper --table "0 2048 linear 8:16 0"
	assert_status 11
	# covering both bounds: accepted
	vcheck "$VROOT" upper --table "0 2048 linear 253:1 0"
	assert_status 0
}

@test "check: per-device fallback: onto a plain device keeps, the device that falls back named once" {
	# mix has dm/crypto_fallback set: its tables expose the union, sdc
	# encrypts what it lacks in software (nothing lost)
	vcheck "$VROOT" mix --table "0 2048 linear 8:32 0
2048 2048 linear 8:32 2048"
	assert_status 0
	[ "$VERDICT" = keeps ]
	[ "$NEW" = "AES-256-XTS:0x1000 dun=8 keyslots=0" ]
	assert_contains "$output" 'ITEM="fallback" DEVICE="mix" VERDICT="keeps" NOW="" NEW="" SOURCE="" CAPABILITY="" CAUSE="sdc lacks AES-256-XTS: encrypted in software at that device" TARGET="1" TARGET_TYPE="linear" CAUSE_DEVICE="sdc"'
	# once per device, not per target; nothing lost or gained
	[ "$(printf '%s\n' "$output" | grep -c 'ITEM="fallback"')" -eq 1 ]
	refute_contains "$output" 'ITEM="lost"'
	refute_contains "$output" 'ITEM="gained"'
	run --separate-stderr dmcaps --sysroot "$VROOT" check mix --table "0 2048 linear 8:48 0
2048 2048 linear 8:32 0"
	assert_status 0
	assert_contains "$output" "mix: keeps its inline-crypto capabilities"
	assert_contains "$output" "  fallback: sdc lacks AES-256-XTS: encrypted in software at that device"
	refute_contains "$output" "sdd"
	# every device has it all: no fallback line
	vcheck "$VROOT" mix --table "0 2048 linear 8:48 0"
	assert_status 0
	refute_contains "$output" fallback
}

@test "check --json: per-device fallback items" {
	require_python3
	run --separate-stderr dmcaps --sysroot "$VROOT" check --json mix --table "0 2048 linear 8:32 0"
	assert_status 0
	printf '%s\n' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)["check"]
fb = [i for i in d if i["item"] == "fallback"]
assert len(fb) == 1 and fb[0]["cause_device"] == "sdc" and fb[0]["target"] == 1, d
'
}

@test "check: without the switch, a plain device is a loss, not a fallback" {
	vcheck "$VROOT" lower --table "0 2048 linear 8:0 0
2048 2048 linear 8:32 0"
	assert_status 11
	assert_contains "$output" 'CAUSE_DEVICE="sdc"'
	refute_contains "$output" fallback
}

@test "check: the table from a file, from standard input, with comments" {
	printf '# a comment\n\n0 204800 linear 8:2 0\n  204800 102400 linear 179:1 2048  \n' > "$BATS_TEST_TMPDIR/t"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin "$BATS_TEST_TMPDIR/t"
	assert_status 0
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin < "$BATS_TEST_TMPDIR/t"
	assert_status 0
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin - < "$BATS_TEST_TMPDIR/t"
	assert_status 0
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 1 linear 8:0 0" "$BATS_TEST_TMPDIR/t"
	assert_status 1
	assert_contains "$stderr" "either with --table or as a file"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin "$BATS_TEST_TMPDIR/nonexistent"
	assert_status 1
}

@test "check: malformed lines are named by number" {
	printf '# comment\n0 100 linear 8:0 0\n100 100 linear 8:0\n' > "$BATS_TEST_TMPDIR/t"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin "$BATS_TEST_TMPDIR/t"
	assert_status 1
	assert_contains "$stderr" "line 3: malformed linear target"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 many linear 8:0 0"
	assert_status 1
	assert_contains "$stderr" 'line 1: length "many" is not a number'
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 100"
	assert_status 1
	assert_contains "$stderr" "line 1: too few fields"
}

@test "check: sectors that overflow, gaps, overlaps, no targets" {
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 18446744073709551616 linear 8:0 0"
	assert_status 1
	assert_contains "$stderr" "line 1: length \"18446744073709551616\" is too large"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 18446744073709551615 linear 8:0 0
18446744073709551615 1 linear 8:0 0"
	assert_status 1
	assert_contains "$stderr" "line 2: start + length overflows"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 100 linear 8:0 0
200 100 linear 8:0 0"
	assert_status 1
	assert_contains "$stderr" "target 2 (linear) starts at sector 200, not 100"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "# nothing"
	assert_status 1
	assert_contains "$stderr" "no targets"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin < /dev/null
	assert_status 1
}

@test "check: devices that do not exist, or are no block device" {
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin --table "0 100 linear /dev/nosuch 0"
	assert_status 4
	assert_contains "$stderr" "line 1: device /dev/nosuch of the linear target not found"
	run --separate-stderr dmcaps --sysroot "$VROOT" check lin --table "0 100 linear /dev/notblk 0"
	assert_status 4
	assert_contains "$stderr" "line 1: device /dev/notblk of the linear target is not a block device"
	refute_contains "$stderr" "not found"
	# DEVICE itself: a path that is nothing, a disk that is not DM
	run --separate-stderr dmcaps --sysroot "$PHONE" check /dev/nosuch --table "0 100 linear 8:0 0"
	assert_status 4
	run --separate-stderr dmcaps --sysroot "$PHONE" check sda --table "0 100 linear 8:0 0"
	assert_status 4
	assert_contains "$stderr" "not a device-mapper device"
	run --separate-stderr dmcaps --sysroot "$PHONE" check
	assert_status 1
}

@test "check: a 100,000-line table is checked" {
	# That it is quick is counted, not timed: tests/unit/growth_test.c
	# counts the reallocations (geometric growth). This one runs it
	# whole, under ASan and valgrind too (one realloc per line never
	# finished there).
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%d 8 linear 8:%d %d\n", i * 8, (i % 2) ? 2 : 1, i }' > "$BATS_TEST_TMPDIR/big"
	run --separate-stderr dmcaps --sysroot "$PHONE" check lin "$BATS_TEST_TMPDIR/big"
	assert_status 0
}

@test "check: each device's capabilities are read once" {
	command -v strace >/dev/null || skip "strace is not installed"
	[ -z "${DMCAPS_VALGRIND-}" ] || skip "not under valgrind"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%d 8 linear %s %d\n", i * 8, (i % 3 == 0) ? "8:1" : (i % 3 == 1) ? "/dev/sda2" : "179:1", i }' > "$BATS_TEST_TMPDIR/t"
	# LeakSanitizer cannot run under a tracer (it ptraces the process
	# itself): in a sanitized build this one run goes without leak
	# checking; every other test runs with it.
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/strace" "$DMCAPS" --sysroot "$PHONE" check lin "$BATS_TEST_TMPDIR/t"
	assert_status 0
	opens=$(grep 'queue/crypto/max_dun_bits' "$BATS_TEST_TMPDIR/strace" | grep -o 'block/[^/]*/queue' | sort | uniq -c)
	echo "$opens"
	[ "$(printf '%s\n' "$opens" | awk '$1 != 1' | wc -l)" -eq 0 ]
	[ "$(printf '%s\n' "$opens" | wc -l)" -eq 3 ]	# sda, mmcblk0, lin
}

@test "check: names with odd characters stay inert in --pairs" {
	evil=$(ls "$FIXTURES/evil/dmcaps/tables" | sed 's/\.live$//')
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr dmcaps --sysroot "$FIXTURES/evil" check --pairs "$evil" --table "0 100 linear 8:0 0"
	assert_status 0
	eval "$output"
	[ ! -e pwned ] && [ ! -e pwned2 ]
	[ -n "$DEVICE" ]
	run --separate-stderr dmcaps --sysroot "$PHONE" check --pairs "my vol" --table "0 100 linear 8:1 0"
	assert_status 0
	assert_contains "$output" 'DEVICE="my vol"'
}

@test "check --json: valid JSON with every item" {
	require_python3
	run --separate-stderr dmcaps --sysroot "$PHONE" check --json lin --table "0 100 linear 8:16 0"
	assert_status 11
	printf '%s\n' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)["check"]
assert d[0]["item"] == "verdict" and d[0]["verdict"] == "shrinks", d
assert d[1]["item"] == "lost" and d[1]["target"] == 1, d
'
	run dmcaps check --json --pairs lin
	assert_status 1
}

@test "load: not with --sysroot, and nothing loaded" {
	run --separate-stderr dmcaps --sysroot "$PHONE" load --check-crypto lin --table "0 100 linear 8:0 0"
	assert_status 1
	assert_contains "$stderr" "running system only"
	run --separate-stderr dmcaps load
	assert_status 1
}

@test "check --concise: dmsetup's concise format, the same verdict as --table" {
	run --separate-stderr dmcaps --sysroot "$PHONE" check --pairs lin --table "0 204800 linear 8:2 0
204800 204800 crypt aes-xts-plain64 0 0 8:2 0"
	assert_status 11
	local want=$output
	run --separate-stderr dmcaps --sysroot "$PHONE" check --pairs \
		--concise "lin,,,rw,0 204800 linear 8:2 0,204800 204800 crypt aes-xts-plain64 0 0 8:2 0"
	assert_status 11
	[ "$output" = "$want" ]
	# a trailing ';' ends the device; uuid and minor are not needed to check
	run --separate-stderr dmcaps --sysroot "$PHONE" check --pairs \
		--concise "lin,LVM-x,7,,0 204800 linear 8:2 0,204800 204800 crypt aes-xts-plain64 0 0 8:2 0;"
	assert_status 11
	[ "$output" = "$want" ]
	# '\' escapes ',' and ';' in a field: the name of a new device
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise 'new\,dev\;x,,,,0 8 linear 8:2 0'
	assert_status 0
	assert_contains "$output" "new,dev;x: expands"
}

@test "check and load --concise: several devices, missing fields, bad flags, extra arguments" {
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise "a,,,,0 8 zero;b,,,,0 8 zero"
	assert_status 1
	assert_contains "$stderr" "one device at a time"
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise "a,,,rw"
	assert_status 1
	assert_contains "$stderr" "expected name,uuid,minor,flags,table"
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise ",,,rw,0 8 zero"
	assert_status 1
	assert_contains "$stderr" "name is empty"
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise "a,,,rx,0 8 zero"
	assert_status 1
	assert_contains "$stderr" "flags 'rx'"
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise 'a,,,rw,0 8 zero\'
	assert_status 1
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise "a,,,rw,0 8 zero" lin
	assert_status 1
	assert_contains "$stderr" "no DEVICE, TABLE or --table"
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise "a,,,rw,0 8 zero" --table "0 8 zero"
	assert_status 1
	# a malformed table line in it: named like --table's
	run --separate-stderr dmcaps --sysroot "$PHONE" check --concise "a,,,rw,0 8 zero,8 x linear 8:2 0"
	assert_status 1
	assert_contains "$stderr" "line 2"
	assert_contains "$stderr" "--concise: not a table"
	# load: what dmcaps load cannot do is refused before anything
	run --separate-stderr dmcaps load --create --concise "a,LVM-x,,rw,0 8 zero"
	assert_status 1
	assert_contains "$stderr" "uuid or minor"
	run --separate-stderr dmcaps load --concise "a,,,ro,0 8 zero"
	assert_status 1
	assert_contains "$stderr" "read-only"
}
