#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dmcaps check and dmcaps load on the real kernel: the verdict agrees with
# what the kernel does on a real load; load --check-crypto refuses a shrink
# before any ioctl; a refused load leaves no inactive table and no suspended
# device; --create and --resume. Every test but the DM_CRYPTO_CAPS
# read-back runs on the stock tiers too (test_tags=stock).

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048
S64=$((64 * SECT_PER_MB))

setup() {
	dmcaps_setup
}

teardown() {
	vm_cleanup
}

suspended() {
	dmsetup info "$1" | grep -q '^State: *SUSPENDED'
}

# check DEVICE TABLE: runs dmcaps check --pairs, verdict line eval'd
check() {
	run --separate-stderr "$DMCAPS" check --pairs "$1" --table "$2"
	echo "check $1: status $status"
	echo "$output"
	echo "stderr: $stderr"
	eval "$(printf '%s\n' "$output" | head -n 1)"
}

# bats test_tags=stock
@test "check: an expanding table is accepted, and so does the kernel" {
	dmsetup create vol --table "0 $S64 linear /dev/emmc0 0"
	check vol "0 $S64 linear /dev/ufs0 0"
	[ "$status" -eq 11 ]	# emmc0 has 512-byte data units, ufs0 not
	[ "$VERDICT" = shrinks ]
	[[ "$output" == *'CAPABILITY="AES-256-XTS data-unit sizes 512"'* ]]
	[[ "$output" == *'CAUSE_DEVICE="ufs0"'* ]] || [[ "$output" == *'no device of the new table'* ]]
	not dmsetup load vol --table "0 $S64 linear /dev/ufs0 0"
	[ "$(tables vol)" = LIVE ]

	dmsetup create vol2 --table "0 $S64 linear /dev/plain0 0"
	check vol2 "0 $S64 linear /dev/ufs0 0"
	[ "$status" -eq 0 ]
	[ "$VERDICT" = expands ]
	dmsetup load vol2 --table "0 $S64 linear /dev/ufs0 0"
	dmsetup resume vol2
}

# bats test_tags=stock
@test "check: same set keeps; a crypt target shrinks, named with its index" {
	dmsetup create vol --table "0 $S64 linear /dev/ufs0 0"
	check vol "0 $((32 * SECT_PER_MB)) linear /dev/ufs0 0
$((32 * SECT_PER_MB)) $((32 * SECT_PER_MB)) flakey /dev/ufs0 $((32 * SECT_PER_MB)) 1 0"
	[ "$status" -eq 0 ] && [ "$VERDICT" = keeps ]
	key=$(printf '%064d' 7)
	check vol "0 $((32 * SECT_PER_MB)) linear /dev/ufs0 0
$((32 * SECT_PER_MB)) $((32 * SECT_PER_MB)) crypt aes-xts-plain64 $key 0 /dev/ufs0 $((32 * SECT_PER_MB))"
	[ "$status" -eq 11 ] && [ "$VERDICT" = shrinks ]
	[[ "$output" == *'CAUSE="target 2 (crypt) does not pass inline crypto"'* ]]
	[[ "$output$stderr" != *"$key"* ]]
	not dmsetup load vol --table "0 $((32 * SECT_PER_MB)) linear /dev/ufs0 0
$((32 * SECT_PER_MB)) $((32 * SECT_PER_MB)) crypt aes-xts-plain64 $key 0 /dev/ufs0 $((32 * SECT_PER_MB))"
}

# bats test_tags=stock
@test "check: a device that does not exist yet takes any table" {
	check newvol "0 $S64 linear /dev/plain0 0"
	[ "$status" -eq 0 ] && [ "$VERDICT" = keeps ]
	check /dev/mapper/newvol "0 $S64 linear /dev/ufs0 0"
	[ "$status" -eq 0 ] && [ "$VERDICT" = expands ]
	not dmsetup info newvol
}

# bats test_tags=stock
@test "check: 6.12's missing sysfs dir after a late gain; the kernel agrees" {
	dmsetup create late --table "0 $S64 linear /dev/plain0 0"
	dmsetup load late --table "0 $S64 linear /dev/ufs0 0"
	dmsetup resume late
	check late "0 $S64 linear /dev/emmc0 0"
	[ "$status" -eq 11 ] && [ "$VERDICT" = shrinks ]
	[[ "$output" == *'CAPABILITY="Adiantum(4096)"'* ]]
	not dmsetup load late --table "0 $S64 linear /dev/emmc0 0"
	check late "0 $S64 linear /dev/ufs0 0"
	[ "$status" -eq 0 ] && [ "$VERDICT" = keeps ]
}

# bats test_tags=stock
@test "load --check-crypto refuses a shrink before touching the device" {
	dmsetup create vol --table "0 $S64 linear /dev/ufs0 0"
	mark_log
	run --separate-stderr "$DMCAPS" load --check-crypto vol --table "0 $S64 linear /dev/plain0 0"
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 11 ]
	[[ "$stderr" == *"refusing the table"* ]]
	[[ "$stderr" == *"plain0 has no inline crypto"* ]]
	[ -z "$output" ]
	[ "$(tables vol)" = LIVE ]
	not suspended vol
	# no ioctl reached the kernel: it did not log a refusal
	not grep -q "more restrictive" <<< "$(log_since_mark)"
}

# bats test_tags=stock
@test "load: a table the kernel refuses leaves no inactive table, says why" {
	dmsetup create vol --table "0 $S64 linear /dev/ufs0 0"
	run --separate-stderr "$DMCAPS" load vol --table "0 $S64 linear /dev/plain0 0"
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 13 ]
	[[ "$stderr" == *"would shrink"* ]]
	[[ "$stderr" == *"plain0 has no inline crypto"* ]]
	[[ "$stderr" == *"the kernel said: device-mapper:"*"more restrictive"* ]]
	[ "$(tables vol)" = LIVE ]
	not suspended vol
	# a refusal for another reason: an unknown target type over nothing
	dmsetup create vol2 --table "0 $S64 linear /dev/plain0 0"
	run --separate-stderr "$DMCAPS" load vol2 --table "0 $S64 frobnicate /dev/plain0 0"
	echo "stderr: $stderr"
	[ "$status" -eq 13 ]
	[[ "$stderr" == *"not for inline crypto"* ]]
	[ "$(tables vol2)" = LIVE ]
	not suspended vol2
}

# bats test_tags=stock
@test "load --resume: a failed resume leaves the old table live, not suspended, and says so" {
	dmsetup create vol --table "0 $S64 linear /dev/ufs0 0"
	# beyond the device's end: 6.12 takes it at load, refuses it at resume
	run --separate-stderr "$DMCAPS" load --resume vol --table "0 $((S64 * 4)) linear /dev/ufs0 0"
	echo "stderr: $stderr"
	echo "# the kernel refused at $([ "$status" -eq 14 ] && echo resume || echo load) (exit $status)" >&3
	[ "$status" -eq 14 ] || [ "$status" -eq 13 ]
	if [ "$status" -eq 14 ]; then
		[[ "$stderr" == *"could not be resumed"* ]]
		[[ "$stderr" == *"state now: live table: yes (the old one); inactive table: none; suspended: no"* ]]
	fi
	[ "$(tables vol)" = LIVE ]
	not suspended vol
	[ "$(dmsetup table vol)" = "0 $S64 linear $(dmsetup table vol | awk '{ print $4 }') 0" ]
}

# bats test_tags=stock
@test "load: inactive table, then --resume makes it live" {
	dmsetup create vol --table "0 $S64 linear /dev/plain0 0"
	run --separate-stderr "$DMCAPS" load --check-crypto vol --table "0 $S64 linear /dev/emmc0 0"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(tables vol)" = "LIVE & INACTIVE" ]
	dmsetup clear vol
	run --separate-stderr "$DMCAPS" load --resume vol --table "0 $S64 linear /dev/emmc0 0"
	[ "$status" -eq 0 ]
	[ "$(tables vol)" = LIVE ]
	not suspended vol
	[ "$(crypto_sysfs "$(dm_kname vol)")" != "" ]
	run --separate-stderr "$DMCAPS" check --pairs vol --table "0 $S64 linear /dev/emmc0 0"
	[ "$status" -eq 0 ]
	[[ "$output" == *'NOW="AES-256-XTS:0x1200 dun=4'* ]]
}

# bats test_tags=stock
@test "load --create: a new device, inactive or live; refused: removed again" {
	run --separate-stderr "$DMCAPS" load --create fresh --table "0 $S64 linear /dev/ufs0 0"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(tables fresh)" = INACTIVE ]
	dmsetup remove fresh
	run --separate-stderr "$DMCAPS" load --create --resume --check-crypto fresh2 --table "0 $S64 linear /dev/ufs0 0"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(tables fresh2)" = LIVE ]
	[ -b /dev/mapper/fresh2 ]
	[ "$(crypto_sysfs "$(dm_kname fresh2)")" = "AES-256-XTS=0x1000 Adiantum=0x1000 dun_bits=64 slots=0" ]
	# exists already
	run --separate-stderr "$DMCAPS" load --create fresh2 --table "0 $S64 linear /dev/ufs0 0"
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"already exists"* ]]
	# refused by the kernel: the device it created is gone
	run --separate-stderr "$DMCAPS" load --create fresh3 --table "0 $((S64 * 4)) linear /dev/ufs0 0"
	echo "stderr: $stderr"
	[ "$status" -eq 13 ]
	not dmsetup info fresh3
	[ ! -e /dev/mapper/fresh3 ]
}

# bats test_tags=stock
@test "load: a crypt key never appears in messages, even with --debug" {
	dmsetup create vol --table "0 $S64 linear /dev/ufs0 0"
	key=$(printf '%064d' 42)
	run --separate-stderr "$DMCAPS" --debug load vol --table "0 $S64 crypt aes-xts-plain64 $key 0 /dev/ufs0 0"
	[ "$status" -eq 13 ]
	[[ "$output$stderr" != *"$key"* ]]
	run --separate-stderr "$DMCAPS" --debug load vol2 --create --table "0 $S64 crypt aes-xts-plain64 $key 0 /dev/plain0 0"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[[ "$output$stderr" != *"$key"* ]]
}

# bats test_tags=stock
@test "check: a 100,000-line table over many devices finishes" {
	local i f=$BATS_TEST_TMPDIR/big.table
	awk -v n=100000 'BEGIN { for (i = 0; i < n; i++) printf "%d 8 linear /dev/ufs0 %d\n", i * 8, (i % 1000) * 8 }' > "$f"
	run --separate-stderr "$DMCAPS" check bignew "$f"
	echo "$output"
	[ "$status" -eq 0 ]
}

# bats test_tags=stock
@test "check: zero and error tables agree with the kernel, whether they pass or not" {
	dmsetup create vol --table "0 $S64 linear /dev/ufs0 0"
	for table in "0 $S64 zero" "0 $S64 error" "0 100 zero
100 $((S64 - 100)) linear /dev/ufs0 100"; do
		check vol "$table"
		rc=0
		dmsetup load vol --table "$table" 2>/dev/null || rc=$?
		echo "# $VERDICT, kernel rc $rc: ${table%%$'\n'*}" >&3
		case $VERDICT in
		keeps | expands) [ "$rc" -eq 0 ] ;;
		shrinks) [ "$rc" -ne 0 ] ;;
		*) false ;;
		esac
		dmsetup clear vol 2>/dev/null || true
	done
}

@test "load: the loaded table's capabilities read back from the kernel (DM_CRYPTO_CAPS), as predicted" {
	local caps=yes
	caps_ioctl_present || caps=no
	dmsetup create vol --table "0 $S64 linear /dev/plain0 0"
	run --separate-stderr "$DMCAPS" load vol --table "0 $S64 linear /dev/ufs0 0"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	if [ "$caps" = no ]; then
		[[ "$output" == *"vol: inactive table loaded; the kernel's answer cannot be read back (no DM_CRYPTO_CAPS); predicted: AES-256-XTS(4096) Adiantum(4096), DUN 8 bytes"* ]]
		return 0
	fi
	[ "$output" = "vol: inactive table loaded; the kernel says it would expose AES-256-XTS(4096) Adiantum(4096), DUN 8 bytes (as predicted)" ]
	[[ "$stderr" != *MISMATCH* ]]
	dmsetup clear vol
	# --pairs: one line for scripts, --resume: the live table
	run --separate-stderr "$DMCAPS" load --pairs --resume vol --table "0 $S64 linear /dev/ufs0 0"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 'LOADED="live" KERNEL="AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" PREDICTED="AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" MATCH="yes"' ]
	[ "$(crypto_sysfs "$(dm_kname vol)")" = "AES-256-XTS=0x1000 Adiantum=0x1000 dun_bits=64 slots=0" ]
	# --create: a device the first context did not know
	run --separate-stderr "$DMCAPS" load --create new --table "0 $S64 linear /dev/emmc0 0"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "new: inactive table loaded; the kernel says it would expose AES-256-XTS(512,4096), DUN 4 bytes (as predicted)" ]
	# a crypt table: none, as predicted
	run --separate-stderr "$DMCAPS" load --create c --table "0 $S64 crypt aes-xts-plain64 $(printf '%064d' 0) 0 /dev/emmc0 0"
	[ "$status" -eq 0 ]
	[ "$output" = "c: inactive table loaded; the kernel says it would expose none (as predicted)" ]
}

# bats test_tags=stock
@test "load --json: the result as one JSON document, the verdict in it with --check-crypto" {
	local v
	v=$(dmsetup version | sed -n 's/^Driver version:[[:space:]]*4\.\([0-9]*\)\..*/\1/p')
	dmsetup create vol --table "0 $S64 linear /dev/plain0 0"
	run --separate-stderr "$DMCAPS" load --json --check-crypto vol --table "0 $S64 linear /dev/ufs0 0"
	echo "$output"
	[ "$status" -eq 0 ]
	# one document (check's verdict is inside it, not a second document)
	run python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["load"], d
r = d["load"][0]
print(r["device"], r["verdict"], r["loaded"], r["match"], r["predicted"], r["kernel"])
' <<< "$output"
	echo "$output"
	[ "$status" -eq 0 ]
	if [ "${v:-0}" -lt 49 ]; then
		[ "$output" = "vol expands inactive unavailable AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0 None" ]
	else
		[ "$output" = "vol expands inactive yes AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0 AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" ]
	fi
	dmsetup clear vol
	# without --check-crypto: no verdict
	run --separate-stderr "$DMCAPS" load --json vol --table "0 $S64 linear /dev/ufs0 0"
	[ "$status" -eq 0 ]
	[ "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["load"][0]["verdict"])' <<< "$output")" = None ]
	dmsetup clear vol
}

# bats test_tags=stock
@test "check and load: a path that is not a block device is said to be one" {
	run --separate-stderr "$DMCAPS" check --table "0 8 zero" /dev/mapper/control
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/dev/mapper/control: cannot tell: not a block device"* ]]
	run --separate-stderr "$DMCAPS" load --table "0 8 zero" /dev/mapper/control
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/dev/mapper/control: not a block device"* ]]
	run --separate-stderr "$DMCAPS" check --table "0 8 linear /dev/mapper/control 0" newdev
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"device /dev/mapper/control of the linear target is not a block device"* ]]
	not dmsetup info newdev
}

# bats test_tags=stock
@test "--concise: dmsetup table --concise round-trips through check and load" {
	dmsetup create vol --table "0 $S64 linear /dev/emmc0 0"
	local c
	c=$(dmsetup table --concise vol)
	echo "concise: $c"
	run --separate-stderr "$DMCAPS" check --pairs --concise "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'VERDICT="keeps"'* ]]
	# load: the same table again, then a new device by name
	run --separate-stderr "$DMCAPS" load --concise "$c"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "$(tables vol)" = "LIVE & INACTIVE" ]
	run --separate-stderr "$DMCAPS" load --create --resume --concise "two,,,rw,0 $S64 linear /dev/ufs0 0,$S64 $S64 linear /dev/emmc0 0"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	# two lines, the second starting where the first ends
	[ "$(dmsetup table two | awk '{ print $1, $2, $3 }' | tr '\n' ' ')" = "0 $S64 linear $S64 $S64 linear " ]
	[ "$(tables two)" = LIVE ]
	# a shrink in concise form is refused like any other
	run --separate-stderr "$DMCAPS" load --check-crypto --concise "two,,,rw,0 $((2 * S64)) linear /dev/plain0 0"
	[ "$status" -eq 11 ]
	[ "$(tables two)" = LIVE ]
}
