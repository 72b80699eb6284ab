#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps evict on the host: options, key sources and their errors. The
# eviction itself needs the patched kernel: tests/vm/suites/evict.bats.

load helpers

EVICT=(evict --mode AES-256-XTS --data-unit-size 4096 --dun-bytes 8)

setup() {
	head -c 64 /dev/urandom > "$BATS_TEST_TMPDIR/k64"
	head -c 63 /dev/urandom > "$BATS_TEST_TMPDIR/k63"
}

@test "evict: mode, data-unit size and DUN width are required" {
	for missing in --mode --data-unit-size --dun-bytes; do
		args=(evict --key-file "$BATS_TEST_TMPDIR/k64")
		[ $missing = --mode ] || args+=(--mode AES-256-XTS)
		[ $missing = --data-unit-size ] || args+=(--data-unit-size 4096)
		[ $missing = --dun-bytes ] || args+=(--dun-bytes 8)
		run --separate-stderr dmcaps "${args[@]}" sda
		assert_status 1
		assert_contains "$stderr" "--mode, --data-unit-size and --dun-bytes are required"
	done
	# 0 is a value the kernel refuses with its own message, not a missing option
	run --separate-stderr dmcaps evict --key-file "$BATS_TEST_TMPDIR/k64" \
		--mode AES-256-XTS --data-unit-size 4096 --dun-bytes 0 /dev/dmcaps-no-such-disk
	refute_contains "$stderr" "are required"
	assert_status 4
}

@test "evict: exactly one key source" {
	run --separate-stderr dmcaps "${EVICT[@]}" sda
	assert_status 1
	assert_contains "$stderr" "exactly one of --key-file and --key-desc"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file "$BATS_TEST_TMPDIR/k64" \
		--key-desc logon:a:b sda
	assert_status 1
	assert_contains "$stderr" "exactly one of --key-file and --key-desc"
}

@test "evict: negative sizes, --json with --pairs, no device, two devices" {
	run --separate-stderr dmcaps evict --mode AES-256-XTS --data-unit-size -4096 \
		--dun-bytes 8 --key-file - sda
	assert_status 1
	assert_contains "$stderr" "not negative"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file - --json --pairs sda
	assert_status 1
	assert_contains "$stderr" "mutually exclusive"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file -
	assert_status 1
	assert_contains "$stderr" "no device given"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file - sda sdb
	assert_status 1
	assert_contains "$stderr" "too many arguments"
}

@test "evict: only on the running system" {
	run --separate-stderr dmcaps --sysroot "$PHONE" "${EVICT[@]}" \
		--key-file "$BATS_TEST_TMPDIR/k64" sda
	assert_status 1
	assert_contains "$stderr" "running system only"
}

@test "evict: a device that does not exist: exit 4, named" {
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file "$BATS_TEST_TMPDIR/k64" \
		/dev/dmcaps-no-such-disk
	assert_status 4
	assert_contains "$stderr" "/dev/dmcaps-no-such-disk: no such block device"
}

# A block device of the host, for the checks that come after the lookup.
host_disk() {
	local d
	for d in /sys/class/block/*; do
		[ -e "$d" ] || continue
		[ -b "/dev/${d##*/}" ] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

@test "evict: a key file of the wrong size is refused with the expected size" {
	disk=$(host_disk) || skip "no block device node on this host"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file "$BATS_TEST_TMPDIR/k63" "$disk"
	assert_status 1
	assert_contains "$stderr" "holds 63 bytes; the mode's key is 64 bytes"
	run --separate-stderr dmcaps evict --mode Adiantum --data-unit-size 4096 \
		--dun-bytes 8 --key-file - "$disk" < "$BATS_TEST_TMPDIR/k64"
	assert_status 1
	assert_contains "$stderr" "standard input holds more than 32 bytes; the mode's key is 32 bytes"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file /nonexistent/key "$disk"
	assert_status 1
	assert_contains "$stderr" "cannot open key file /nonexistent/key"
	# a mode name longer than the kernel's field: said, and usage
	run --separate-stderr dmcaps evict --mode "$(printf 'X%.0s' $(seq 40))" \
		--data-unit-size 4096 --dun-bytes 8 --key-file "$BATS_TEST_TMPDIR/k64" "$disk"
	assert_status 1
	assert_contains "$stderr" "is too long"
}

@test "evict: key descriptions: form, type, and a key that is not there" {
	disk=$(host_disk) || skip "no block device node on this host"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-desc nocolon "$disk"
	assert_status 1
	assert_contains "$stderr" "is not TYPE:DESCRIPTION"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-desc asymmetric:x "$disk"
	assert_status 1
	assert_contains "$stderr" "only logon and user keys"
	command -v keyctl >/dev/null || skip "keyctl (package keyutils) is not installed"
	run --separate-stderr keyctl session - "$DMCAPS" "${EVICT[@]}" \
		--key-desc logon:dmcaps:absent-$$ "$disk"
	assert_status 19
	assert_contains "$stderr" "no logon key \"dmcaps:absent-$$\""
}

@test "evict: the key never reaches the output, even with --debug" {
	disk=$(host_disk) || skip "no block device node on this host"
	[ "$(id -u)" = 0 ] || skip "opening a block device needs root"
	printf 'SECRETKEYSECRETKEYSECRETKEYSECRETKEYSECRETKEYSECRETKEYSECRETKEY!' \
		> "$BATS_TEST_TMPDIR/text-key"
	run --separate-stderr dmcaps --debug "${EVICT[@]}" \
		--key-file "$BATS_TEST_TMPDIR/text-key" "$disk"
	refute_contains "$output$stderr" "SECRETKEY"
	assert_contains "$stderr" "BLKCRYPTOEVICTKEY on $disk"
}

@test "evict: a kernel without the interface says so (exit 17)" {
	disk=$(host_disk) || skip "no block device node on this host"
	[ "$(id -u)" = 0 ] || skip "opening a block device needs root"
	run --separate-stderr dmcaps "${EVICT[@]}" --key-file "$BATS_TEST_TMPDIR/k64" "$disk"
	if [ "$status" = 0 ]; then
		skip "this host's kernel has BLKCRYPTOEVICTKEY"
	fi
	assert_status 17
	assert_contains "$stderr" "cannot evict the key: the kernel"
	assert_contains "$stderr" "key-eviction interface"
}

@test "evict --help: the key sources and the exit codes" {
	run dmcaps evict --help
	assert_status 0
	for s in --key-file --key-desc --data-unit-size --dun-bytes "never an argument" \
		" 15  evict" " 19  evict"; do
		assert_contains "$output" "$s"
	done
}
