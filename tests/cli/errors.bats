#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps show: bad input, unreadable and malformed sysfs, exit codes.

load helpers

@test "nonexistent device: 'dmcaps: SPEC: no such block device', exit 4" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" nosuchdisk
	assert_status 4
	# said once, by the library (one author: the tool adds no copy,
	# not even with --verbose)
	[ "$stderr" = "dmcaps: nosuchdisk: no such block device" ]
	run --separate-stderr dmcaps show --verbose --sysroot "$PHONE" nosuchdisk
	assert_status 4
	[ "$(printf '%s\n' "$stderr" | grep -c nosuchdisk)" -eq 1 ]
	# nothing to show: no table at all, as lsblk
	[ -z "$output" ]
}

@test "nonexistent device among good ones: the good ones shown, exit 4" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -o NAME sda /dev/nosuch 99:99 sdb
	assert_status 4
	assert_contains "$stderr" "dmcaps: /dev/nosuch: no such block device"
	assert_contains "$stderr" "dmcaps: 99:99: no such block device"
	[ "$output" = "$(printf 'NAME\nsda\nsdb')" ]
}

@test "nonexistent /dev/mapper name, and a DM name with spaces that does not exist" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" "/dev/mapper/my  vol"
	assert_status 4
	assert_contains "$stderr" "dmcaps: /dev/mapper/my  vol: no such block device"
	run --separate-stderr dmcaps show --sysroot "$PHONE" "no such vol"
	assert_status 4
	assert_contains "$stderr" "dmcaps: no such vol: no such block device"
}

@test "garbage in modes/*: message naming the file, exit 5, other disks shown" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/garbage" -o NAME,MODES sdg sdh
	assert_status 7
	assert_contains "$stderr" "$FIXTURES/garbage/sys/block/sdg/queue/crypto/modes/AES-256-XTS"
	assert_contains "$stderr" "dmcaps: sdg: cannot read inline-encryption capabilities"
	printf '%s\n' "$output" | grep -q '^sdg  *?$'
	printf '%s\n' "$output" | grep -q '^sdh  *AES-256-XTS(4096)$'
}

@test "garbage under a DM device: the DM device says why, exit 7" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/garbage" --pairs -o NAME,PREDICTED,WHY bad
	assert_status 7
	eval "$(pairs_line "$output" bad)"
	assert_contains "$WHY" "sdg cannot be read"
	# no answer, not "none": sdg may have anything
	[ "$PREDICTED" = "?" ]
	# the error is reported once, though sdg is read for bad and for itself
	[ "$(printf '%s\n' "$stderr" | grep -c 'dmcaps: sdg: cannot read')" -eq 1 ]
}

@test "garbage in the default listing: everything else still shown, exit 7" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/garbage" -o NAME
	assert_status 7
	printf '%s\n' "$output" | grep -q '^bad$'
	printf '%s\n' "$output" | grep -q '^sdh$'
}

@test "unreadable capability file: permission denied, exit 2" {
	if [ "$(id -u)" -eq 0 ]; then
		skip "running as root: a mode-000 file is still readable"
	fi
	root=$BATS_TEST_TMPDIR/root
	cp -a "$PHONE" "$root"
	chmod 000 "$root/sys/block/sda/queue/crypto/modes/Adiantum"
	run --separate-stderr dmcaps show --sysroot "$root" sda
	chmod 644 "$root/sys/block/sda/queue/crypto/modes/Adiantum"
	assert_status 2
	assert_contains "$stderr" "dmcaps: sda: cannot read inline-encryption capabilities"
}

@test "unreadable DM tables: permission denied said once, exit 2" {
	if [ "$(id -u)" -eq 0 ]; then
		skip "running as root: a mode-000 file is still readable"
	fi
	root=$BATS_TEST_TMPDIR/root
	cp -a "$PHONE" "$root"
	chmod 000 "$root"/dmcaps/tables/*.live
	run --separate-stderr dmcaps show --sysroot "$root" -o NAME,WHY
	chmod 644 "$root"/dmcaps/tables/*.live
	assert_status 2
	[ "$(printf '%s\n' "$stderr" | grep -c 'cannot read the live table')" -eq 1 ]
	assert_contains "$output" "permission denied"
}

@test "--sysroot that does not exist: usage error naming it, exit 1" {
	run --separate-stderr dmcaps show --sysroot /nonexistent/dmcaps-root
	assert_status 1
	assert_contains "$stderr" "dmcaps: --sysroot /nonexistent/dmcaps-root: No such file or directory"
	[ -z "$output" ]
}

@test "--sysroot that is a file: exit 1" {
	run --separate-stderr dmcaps show --sysroot "$PHONE/sys/block/sda/dev"
	assert_status 1
	assert_contains "$stderr" "Not a directory"
}

@test "a DM device on a kernel without device-mapper: exit 6 (else 4)" {
	# The running system, not a fixture: the answer depends on the host.
	run --separate-stderr dmcaps show /dev/mapper/dmcaps-test-no-such-dev
	if [ -e /sys/class/misc/device-mapper ]; then
		assert_status 4
		assert_contains "$stderr" "no such block device"
	else
		assert_status 6
		assert_contains "$stderr" "dmcaps: /dev/mapper/dmcaps-test-no-such-dev: this kernel has no device-mapper"
	fi
}

@test "a kernel older than 5.18: show says capabilities cannot be known, exit 12, no guess" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/old" --pairs -o NAME,MODES,PREDICTED,WHY lin
	assert_status 12
	# never "none": that would be a guess presented as fact
	refute_contains "$output" 'MODES="none"'
	refute_contains "$output" 'PREDICTED="none"'
	assert_contains "$output" 'NAME="lin" MODES="?"'
	assert_contains "$output" 'NAME="sda" MODES="?"'
	assert_contains "$output" "device sda cannot be read"
	assert_contains "$stderr" "dmcaps: sda: cannot read inline-encryption capabilities: this kernel shows no inline-encryption capabilities (Linux < 5.18)"
	run --separate-stderr dmcaps show --verbose --sysroot "$FIXTURES/old" sda
	assert_status 12
	assert_contains "$stderr" "sda: Linux 5.15.0-91-generic shows no inline-encryption capabilities in sysfs (queue/crypto is new in 5.18)"
}

@test "a kernel older than 5.18: check and require cannot tell (exit 12)" {
	run --separate-stderr dmcaps check --sysroot "$FIXTURES/old" lin --table "0 2048 linear 8:0 0"
	assert_status 12
	assert_contains "$output" "cannot tell"
	run --separate-stderr dmcaps require --sysroot "$FIXTURES/old" lin AES-256-XTS:4096:8
	assert_status 12
	run --separate-stderr dmcaps require --sysroot "$FIXTURES/old" sda AES-256-XTS:4096:8
	assert_status 12
}

@test "the running system: show works without arguments (exit 0 or 2)" {
	run --separate-stderr dmcaps show -o NAME,TYPE
	# Non-root on a host with DM devices cannot read their tables: 2.
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	# empty when the host has neither DM devices nor inline crypto
	[ -z "$output" ] ||
		[ "$(printf '%s\n' "$output" | head -n1 | tr -s ' ')" = "NAME TYPE" ]
}

@test "DM devices mapping to each other: shown, loop cut, no hang" {
	run --separate-stderr timeout 10 "$DMCAPS" show --sysroot "$FIXTURES/loop" -o NAME,WHY
	assert_status 0
	expected='NAME            WHY
ping            device pong has no inline crypto
`-#1 linear     
  `-pong        device ping has no inline crypto
    `-#1 linear 
      `-ping    device pong has no inline crypto
                a loop: it maps to itself, not expanded
sda             '
	[ "$output" = "$expected" ] || { diff <(echo "$expected") <(echo "$output"); false; }
}

@test "--pairs is inert in eval whatever the DM name holds" {
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/evil" --pairs -o NAME,TYPE
	assert_status 0
	line=$(pairs_line "$output" 'e\x24(touch pwned)\x60touch pwned2\x60\x22'"'"'\x5c;x')
	[ -n "$line" ]
	sh -c "eval '$(printf '%s' "$line" | sed "s/'/'\\\\''/g")'"' && test "$TYPE" = dm'
	eval "$line"
	[ ! -e pwned ] && [ ! -e pwned2 ]
	[ "$TYPE" = dm ]
	[ "$NAME" = 'e\x24(touch pwned)\x60touch pwned2\x60\x22'"'"'\x5c;x' ]
}

@test "an empty device specification: usage error, exit 1" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" ""
	assert_status 1
	assert_contains "$stderr" 'dmcaps: "": not a device specification'
}

@test "a malformed DM table: the library names file and line, exit 7" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/garbage" -o NAME,WHY badtab
	assert_status 7
	assert_contains "$stderr" 'line 1: length "many" is not a number'
	assert_contains "$stderr" "$FIXTURES/garbage/dmcaps/tables/badtab.live"
	assert_contains "$stderr" "dmcaps: badtab: cannot read the live table: malformed value"
	printf '%s\n' "$output" | grep -q '^badtab  *live table unreadable$'
}

@test "a path that exists but is not a block device: 'not a block device', exit 4" {
	local f=$BATS_TEST_TMPDIR/regular
	echo data > "$f"
	for spec in "$f" /dev/null; do
		run --separate-stderr dmcaps show "$spec"
		assert_status 4
		[ "$stderr" = "dmcaps: $spec: not a block device" ]
		run --separate-stderr dmcaps show --inactive "$spec"
		assert_status 4
		assert_contains "$stderr" "$spec: not a block device"
		run --separate-stderr dmcaps check --table "0 8 zero" "$spec"
		assert_status 4
		assert_contains "$stderr" "$spec: cannot tell: not a block device"
		refute_contains "$stderr" "not found"
		run --separate-stderr dmcaps load --table "0 8 zero" "$spec"
		assert_status 4
		assert_contains "$stderr" "$spec: not a block device"
		run --separate-stderr dmcaps load --check-crypto --table "0 8 zero" "$spec"
		assert_status 4
		assert_contains "$stderr" "$spec: not a block device"
	done
	# in a table line: the line and the device named
	run --separate-stderr dmcaps check --table "0 8 linear $f 0" newdev
	assert_status 4
	assert_contains "$stderr" "line 1: device $f of the linear target is not a block device"
	# in a sysroot: a regular file where a device node would be
	run --separate-stderr dmcaps show --sysroot "$PHONE" /sys/block/sda/dev
	assert_status 4
	assert_contains "$stderr" "not a block device"
}

@test "one voice: a failed lookup is said once, in one form, by every command" {
	local cmd
	for cmd in "show" "require --all AES-256-XTS:4096" "evict --mode AES-256-XTS --data-unit-size 4096 --dun-bytes 8 --key-file /dev/null"; do
		# shellcheck disable=SC2086
		run --separate-stderr dmcaps $cmd --verbose --sysroot "$PHONE" nosuchdisk
		echo "$cmd: $stderr"
		[ "$(printf '%s\n' "$stderr" | grep -c nosuchdisk)" -le 1 ]
		refute_contains "$stderr" "not found"
	done
	run --separate-stderr dmcaps show --verbose --sysroot "$PHONE" nosuchdisk
	[ "$stderr" = "dmcaps: nosuchdisk: no such block device" ]
}

@test "one voice: debug output has control bytes written as '?', like every message" {
	local root=$BATS_TEST_TMPDIR/root esc=$'e\033[2Jx' old
	cp -a "$FIXTURES/evil" "$root"
	old=$(cat "$root/sys/block/dm-0/dm/name")
	printf '%s\n' "$esc" > "$root/sys/block/dm-0/dm/name"
	mv "$root/dmcaps/tables/$old.live" "$root/dmcaps/tables/$esc.live"
	run --separate-stderr dmcaps show --debug --sysroot "$root" "$esc" "$esc-gone"
	echo "$stderr"
	# the name reached the debug lines and an error line, never raw
	printf '%s\n' "$stderr" | grep -q '^# e?\[2Jx: live table'
	assert_contains "$stderr" 'dmcaps: e?[2Jx-gone: no such block device'
	refute_contains "$stderr" $'\033'
}
