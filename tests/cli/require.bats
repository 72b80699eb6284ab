#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps require over fixture sysroots: provided (0), not provided (20)
# with WHY lines naming the device that removed the mode, cannot tell (12),
# requirement input (arguments, lists, files, tables) and bad input (1, 4).

load helpers

req() {
	run --separate-stderr dmcaps --sysroot "$PHONE" require "$@"
	echo "status $status"; echo "$output"; echo "stderr: $stderr"
}

@test "require: a mode the DM device exposes: exit 0, one line on stdout" {
	req top AES-256-XTS:4096:4
	assert_status 0
	[ "$output" = "top: provides AES-256-XTS:4096:4 (sysfs)" ]
	[ -z "$stderr" ]
}

@test "require: a mode a device two levels down lacks: exit 20, WHY names it" {
	req top Adiantum:4096
	assert_status 20
	assert_contains "$stderr" "dmcaps: top: lacks Adiantum:4096: device lin lacks Adiantum (target 1, linear)"
	assert_contains "$stderr" "dmcaps: top: lacks Adiantum:4096: under lin: device mmcblk0p1 lacks Adiantum"
}

@test "require: a data-unit size and a DUN width the stack lacks, each explained" {
	req top AES-256-XTS:512
	assert_status 20
	assert_contains "$stderr" "under lin: device sda2 lacks AES-256-XTS data-unit sizes 512"
	req top AES-256-XTS:4096:8
	assert_status 20
	assert_contains "$stderr" "under lin: device mmcblk0p1 supports 4-byte DUNs, not 8"
	refute_contains "$stderr" "Adiantum"
}

@test "require: a target that does not pass inline crypto is the WHY" {
	req secret AES-256-XTS:4096
	assert_status 20
	assert_contains "$stderr" "secret: lacks AES-256-XTS:4096: target 1 (crypt) does not pass inline crypto"
}

@test "require: a disk without queue/crypto says so" {
	req sdb AES-256-XTS:4096
	assert_status 20
	assert_contains "$stderr" "sdb: lacks AES-256-XTS:4096: the device has no inline crypto (no queue/crypto in sysfs)"
}

@test "require: all requirements must hold: comma list and arguments, worst result wins" {
	req top AES-256-XTS:4096,AES-256-XTS:4096:2 Adiantum:4096
	assert_status 20
	[ "$(printf '%s\n' "$output" | grep -c '^top: provides')" -eq 2 ]
	assert_contains "$output" "top: does not provide Adiantum:4096 (sysfs)"
}

@test "require: mode names match without regard to case, spelled as sysfs in output" {
	req "my vol" adiantum:4096:8
	assert_status 0
	[ "$output" = "my vol: provides Adiantum:4096:8 (sysfs)" ]
}

@test "require: stale 6.12 sysfs over hardware only: the live table decides, and says so" {
	req stale AES-256-XTS:512:4 --pairs
	assert_status 0
	assert_contains "$output" 'DEVICE="stale" KNAME="dm-4" REQUIREMENT="AES-256-XTS:512:4" RESULT="provided" SOURCE="the live table (sysfs shows less'
}

@test "require: stale sysfs over a DM device: cannot tell (12), with the reason" {
	local root=$BATS_TEST_TMPDIR/root
	cp -a "$PHONE" "$root"
	rm -r "$root/sys/block/dm-2/queue/crypto"
	run --separate-stderr dmcaps --sysroot "$root" require top AES-256-XTS:4096:4
	assert_status 12
	assert_contains "$output" "top: may provide AES-256-XTS:4096:4"
	assert_contains "$stderr" "top: cannot tell whether it provides AES-256-XTS:4096:4: sysfs may show less"
	# What even the live table cannot provide is still a clear no.
	run --separate-stderr dmcaps --sysroot "$root" require top Adiantum:4096
	assert_status 20
}

@test "require: --pairs keys are shell variables; eval sets them" {
	req top AES-256-XTS:4096 --pairs
	assert_status 0
	eval "$output"
	[ "$DEVICE" = top ] && [ "$KNAME" = dm-2 ] && [ "$RESULT" = provided ]
	[ "$REQUIREMENT" = AES-256-XTS:4096 ]
}

@test "require: --quiet prints nothing on stdout, keeps the WHY lines" {
	req top Adiantum:4096 --quiet
	assert_status 20
	[ -z "$output" ]
	assert_contains "$stderr" "device lin lacks Adiantum"
}

@test "require: --requirement-file, with comments and blank lines" {
	local f=$BATS_TEST_TMPDIR/req
	printf '# the root file system\n\nAES-256-XTS:4096:4  # fscrypt\nAdiantum:4096\n' > "$f"
	req top -f "$f"
	assert_status 20
	assert_contains "$output" "top: provides AES-256-XTS:4096:4"
	assert_contains "$output" "top: does not provide Adiantum:4096"
	printf 'AES-256-XTS:4096\nAES-256-XTS:4095\n' > "$f"
	req top -f "$f"
	assert_status 1
	assert_contains "$stderr" "$f:2: \"AES-256-XTS:4095\": data-unit size"
	printf '# nothing\n' > "$f"
	req top -f "$f"
	assert_status 1
	assert_contains "$stderr" "no requirement in the file"
	req top -f "$BATS_TEST_TMPDIR/missing"
	assert_status 1
}

@test "require: a table about to be loaded (--table, --table-file)" {
	req --table "0 100 linear 8:1 0
100 100 linear 179:1 0" AES-256-XTS:4096:4 Adiantum:4096
	assert_status 20
	assert_contains "$output" "--table: provides AES-256-XTS:4096:4 (the table's prediction)"
	assert_contains "$stderr" "--table: lacks Adiantum:4096: device mmcblk0p1 lacks Adiantum"
	local t=$BATS_TEST_TMPDIR/table
	echo "0 100 linear 8:1 0" > "$t"
	req --table-file "$t" Adiantum:4096:8
	assert_status 0
	req --table-file "$t" --table "0 1 zero" Adiantum:4096
	assert_status 1
}

@test "require: malformed requirements: exit 1, the token and the fault named" {
	req top foo:4096
	assert_status 1
	assert_contains "$stderr" '"foo:4096": unknown mode "foo" (dmcaps knows AES-256-XTS, AES-128-CBC-ESSIV, Adiantum, SM4-XTS)'
	req top AES-256-XTS
	assert_status 1
	assert_contains "$stderr" "expected MODE:DATA_UNIT_SIZE[:DUN_BYTES]"
	for bad in AES-256-XTS:1000 AES-256-XTS:256 AES-256-XTS:4096x AES-256-XTS:-4096 AES-256-XTS:4294967296; do
		req top "$bad"
		assert_status 1
		assert_contains "$stderr" "is not a power of two"
	done
	for bad in AES-256-XTS:4096:0 AES-256-XTS:4096:33 AES-256-XTS:4096:8:1 AES-256-XTS:4096:; do
		req top "$bad"
		assert_status 1
		assert_contains "$stderr" "DUN width"
	done
	req top ""
	assert_status 1
	assert_contains "$stderr" "empty requirement"
	req top
	assert_status 1
	assert_contains "$stderr" "no requirement given"
}

@test "require: a device that does not exist: exit 4 (wrong device), named" {
	req nosuch AES-256-XTS:4096
	assert_status 4
	assert_contains "$stderr" "nosuch: no such block device"
	# The requirement is checked first: its fault is the caller's.
	req nosuch foo:1
	assert_status 1
}
