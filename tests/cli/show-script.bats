#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps show for scripts, as lsblk users script it: --pairs through
# libsmartcols' shellvar mode with --prefix, --list, --raw, --nodeps, and
# the KNAME, PKNAME, PATH and DROPS columns that keep the hierarchy in flat
# output.

load helpers

show() {
	run --separate-stderr dmcaps --sysroot "$PHONE" show "$@"
	echo "status $status"; echo "$output"; echo "stderr: $stderr"
}

@test "show --pairs --prefix: eval sets only prefixed variables; NAME and TYPE survive" {
	show --pairs --prefix DMCAPS_ -o NAME,TYPE,MAJ:MIN,MODES top
	assert_status 0
	NAME=mine TYPE=mine
	eval "$(printf '%s\n' "$output" | head -n 1)"
	[ "$NAME" = mine ] && [ "$TYPE" = mine ]
	[ "$DMCAPS_NAME" = top ] && [ "$DMCAPS_TYPE" = dm ]
	# MAJ:MIN made a shell name by libsmartcols, after the prefix
	[ "$DMCAPS_MAJ_MIN" = 253:2 ]
	[ "$DMCAPS_MODES" = "AES-256-XTS(4096)" ]
}

@test "show --pairs: keys are shell names without a prefix too; a name with a space is one value" {
	show --pairs -o NAME,MAJ:MIN "my vol"
	assert_status 0
	assert_contains "$output" 'NAME="my vol" MAJ_MIN="253:3"'
	eval "$(printf '%s\n' "$output" | head -n 1)"
	[ "$NAME" = "my vol" ]
}

@test "show --prefix: only with --pairs, and only a shell-name start" {
	show --prefix X_ top
	assert_status 1
	assert_contains "$stderr" "--prefix is for --pairs keys"
	for bad in 1X 'A-B' 'A B' '$(id)' ''; do
		show --pairs --prefix "$bad" top
		assert_status 1
		assert_contains "$stderr" "not the start of a shell variable name"
	done
}

@test "show --pairs: KNAME and PKNAME keep the tree's hierarchy" {
	show --pairs -o NAME,KNAME,PKNAME,TYPE top
	assert_status 0
	assert_contains "$output" 'NAME="top" KNAME="dm-2" PKNAME="" TYPE="dm"'
	assert_contains "$output" 'NAME="#1 linear" KNAME="" PKNAME="dm-2" TYPE="target"'
	assert_contains "$output" 'NAME="lin" KNAME="dm-0" PKNAME="dm-2" TYPE="dm"'
	assert_contains "$output" 'NAME="sda2" KNAME="sda2" PKNAME="dm-0" TYPE="part"'
	assert_contains "$output" 'NAME="mmcblk0p1" KNAME="mmcblk0p1" PKNAME="dm-0" TYPE="part"'
	# a partition asked for alone is under its disk
	show --pairs -o KNAME,PKNAME,PATH sda1
	assert_status 0
	[ "$output" = 'KNAME="sda1" PKNAME="sda" PATH="/dev/sda1"' ]
}

@test "show --nodeps: the device alone, its WHY and DROPS kept" {
	show --nodeps --pairs -o NAME,DROPS,WHY lin
	assert_status 0
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	assert_contains "$output" 'NAME="lin" DROPS="yes" WHY="device sda2 lacks AES-256-XTS data-unit sizes 512; device mmcblk0p1 lacks Adiantum;'
	show -d --pairs -o NAME,DROPS "my vol"
	[ "$output" = 'NAME="my vol" DROPS="no"' ]
	# without arguments: the roots, none of what is under them
	show --nodeps -o NAME --noheadings
	assert_status 0
	[ "$(printf '%s\n' "$output" | tr -s ' ' | sort | tr '\n' ' ')" = "mmcblk0 my vol sda secret stale top " ]
}

@test "show --list: the tree's rows without tree art; --raw: unaligned and escaped" {
	show --list -o NAME,KNAME,PKNAME top
	assert_status 0
	refute_contains "$output" '`-'
	refute_contains "$output" '|-'
	[ "$(printf '%s\n' "$output" | sed -n 4p | tr -s ' ')" = "lin dm-0 dm-2" ]
	show --raw -o NAME,TYPE,MODES "my vol"
	assert_status 0
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = 'my\x20vol dm AES-256-XTS(4096)\x20Adiantum(4096)' ]
	show --raw --nodeps -o NAME,WHY lin
	assert_contains "$output" 'lin device\x20sda2\x20lacks'
	assert_contains "$output" ';\x20device\x20mmcblk0p1'
}

@test "show: --json, --pairs, --list and --raw are mutually exclusive" {
	show --list --raw
	assert_status 1
	assert_contains "$stderr" "mutually exclusive"
	show --json --list
	assert_status 1
}

@test "show --json: KNAME, PKNAME and PATH as lower-case keys, no prefix" {
	require_python3
	show --json -o NAME,KNAME,PKNAME,PATH,DROPS top
	assert_status 0
	python3 -c '
import json, sys
top = json.loads(sys.argv[1])["dmcaps"][0]
assert top["kname"] == "dm-2" and top["path"] == "/dev/dm-2" and top["pkname"] is None, top
assert top["drops"] == "no", top
lin = top["children"][0]["children"][0]
assert lin["kname"] == "dm-0" and lin["pkname"] == "dm-2" and lin["drops"] == "yes", lin
' "$output"
}
