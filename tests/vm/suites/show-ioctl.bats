#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dmcaps show against the kernel's own answer: in every conformance
# scenario (intersection, a target that does not pass, DM stacked two
# levels deep, inactive vs live) dmcaps' PREDICTED, its KERNEL column (read
# through libdmcaps), sysfs, and the raw DM_CRYPTO_CAPS client
# tests/vm/tools/crypto-caps.py (an independent reader of the ioctl) all
# agree; show --inactive reports what resuming gains and loses. Skipped,
# saying so, on a kernel without the ioctl (the library's behaviour there is
# unit-tested on the host: tests/unit/kcaps_test.c).

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048
LEN=$((32 * SECT_PER_MB))
UFS="AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0"
BOTH="AES-256-XTS:0x1000 dun=4 keyslots=0"

setup_file() {
	caps_ioctl_check
}

setup() {
	[ -z "${CAPS_SKIP:-}" ] || skip "$CAPS_SKIP"
	dmcaps_setup
	mark_log
}

teardown() {
	vm_cleanup
}

# norm: a set in either spelling, dmcaps' ("A:0x1000,B:0x1000 dun=8
# keyslots=0") or crypto-caps.py's/crypto_sysfs' ("A=0x1000 B=0x1000
# dun_bits=64 slots=0"), as one canonical line: modes sorted, DUN in bytes,
# keyslots dropped (a table's are 0, a queue's are its own).
norm() {
	local s=$1
	[ "$s" = none ] && { echo none; return; }
	printf '%s\n' "$s" | awk '{
		n = 0; dun = "";
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^dun=/) { dun = substr($i, 5); continue }
			if ($i ~ /^dun_bits=/) { dun = substr($i, 10) / 8; continue }
			if ($i ~ /^(keyslots|slots)=/) continue;
			m = split($i, parts, ",");
			for (j = 1; j <= m; j++) { sub(/[:=]/, "=", parts[j]); mode[n++] = parts[j] }
		}
		for (a = 0; a < n; a++) for (b = a + 1; b < n; b++)
			if (mode[b] < mode[a]) { t = mode[a]; mode[a] = mode[b]; mode[b] = t }
		out = "";
		for (a = 0; a < n; a++) out = out mode[a] " ";
		print out "dun=" dun
	}'
}

# cc_field DEVICE [--inactive] PREFIX: a line of the raw client's answer
cc_field() {
	local dev=$1 pre
	shift
	pre=${!#}
	python3 "$CC_TOOL" "${@:1:$#-1}" "$dev" | grep -m1 -F -- "$pre" | cut -d' ' -f2- |
		sed 's/^[0-9]* //'
}

pairs() {
	local line
	line=$(printf '%s\n' "$output" | grep -F "NAME=\"$1\" " | head -n 1)
	[ -n "$line" ] || { echo "no node $1 in: $output"; return 1; }
	eval "$line"
}

show_pairs() {	# show_pairs [--inactive] DEVICE...
	run --separate-stderr "$DMCAPS" show --pairs \
		-o NAME,TYPE,MAJ:MIN,MODES,PREDICTED,EXPOSED,KERNEL,PASSES,CHANGES,WHY "$@"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
}

# agree NAME: for DM node NAME (after show_pairs of its live table),
# PREDICTED = KERNEL = the raw client's table = sysfs, and no MISMATCH.
agree() {
	pairs "$1"
	local raw
	raw=$(python3 "$CC_TOOL" "$1" | sed -n 's/^table //p')
	echo "$1: PREDICTED=$PREDICTED KERNEL=$KERNEL raw=$raw sysfs=$(crypto_sysfs "$(dm_kname "$1")")"
	[ "$KERNEL" = "$PREDICTED" ]
	[ "$(norm "$KERNEL")" = "$(norm "$raw")" ]
	[ "$(norm "$PREDICTED")" = "$(norm "$(crypto_sysfs "$(dm_kname "$1")")")" ]
	[[ "$WHY" != *MISMATCH* ]]
}

no_mismatch() {
	[[ "$output" != *MISMATCH* ]] && [[ "$stderr" != *MISMATCH* ]]
}

@test "intersection: PREDICTED, KERNEL, the raw ioctl and sysfs agree; targets too" {
	dmsetup create pair --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN linear /dev/emmc0 0"
	show_pairs pair
	agree pair
	[ "$KERNEL" = "$BOTH" ]
	[[ "$WHY" == *"emmc0 lacks Adiantum"* ]]
	pairs "#1 linear"
	[ "$PASSES" = yes ] && [ "$KERNEL" = yes ]
	pairs "#2 linear"
	[ "$PASSES" = yes ] && [ "$KERNEL" = yes ]
	no_mismatch
	log_clean
}

@test "a target that does not pass: none everywhere, the kernel says crypt does not pass" {
	dmsetup create mix --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN crypt aes-xts-plain64 $(printf '%064d' 0) 0 /dev/emmc0 0"
	show_pairs mix
	agree mix
	[ "$KERNEL" = none ]
	[[ "$WHY" == *"target 2 (crypt) does not pass inline crypto"* ]]
	pairs "#2 crypt"
	[ "$PASSES" = no ] && [ "$KERNEL" = no ]
	[[ "$(cc_field mix "target 1 ")" == "start=$LEN length=$LEN type=crypt passes=0 "* ]]
	no_mismatch
	log_clean
}

@test "stacked DM two levels deep: every level agrees with the kernel and sysfs" {
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create mid --table "0 $((64 * SECT_PER_MB)) linear /dev/mapper/lower 0"
	dmsetup create top --table "0 $LEN linear /dev/mapper/mid 0
$LEN $LEN linear /dev/emmc0 0"
	show_pairs top
	agree top
	[ "$KERNEL" = "$BOTH" ]
	agree mid
	[ "$KERNEL" = "$UFS" ]
	agree lower
	[ "$KERNEL" = "$UFS" ]
	no_mismatch
	log_clean
}

@test "PASSES of every target type is the kernel's word (its type list)" {
	local t p line n=0
	while read -r _ t p _; do
		p=${p#passes=}
		case $t in
		linear) line="linear /dev/ufs0 0" ;;
		striped) line="striped 1 8 /dev/ufs0 0" ;;
		delay) line="delay /dev/ufs0 0 0" ;;
		crypt) line="crypt aes-xts-plain64 $(printf '%064d' 0) 0 /dev/ufs0 0" ;;
		zero|error) line=$t ;;
		*) continue ;;
		esac
		dmsetup create "t$t" --table "0 $LEN $line"
		show_pairs "t$t"
		pairs "#1 $t"
		echo "$t: kernel passes=$p; PASSES=$PASSES KERNEL=$KERNEL"
		[ "$PASSES" = "$([ "$p" = 1 ] && echo yes || echo no)" ]
		[ "$KERNEL" = "$PASSES" ]
		n=$((n + 1))
	done < <(python3 "$CC_TOOL" --types)
	# all six are built in (uml-test.config)
	[ "$n" -eq 6 ]
	no_mismatch
}

@test "inactive vs live: a loaded expansion, gained per capability, the kernel agreeing" {
	dmsetup create late --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN linear /dev/emmc0 0"
	dmsetup load late --table "0 $LEN linear /dev/ufs0 0"
	# the live view is unchanged
	show_pairs late
	agree late
	[ "$KERNEL" = "$BOTH" ]
	# the inactive one
	show_pairs --inactive late
	pairs late
	[ "$PREDICTED" = "$UFS" ] && [ "$KERNEL" = "$UFS" ]
	[ "$(norm "$KERNEL")" = "$(norm "$(cc_field late --inactive "table ")")" ]
	[ "$(norm "$(cc_field late --inactive "queue ")")" = "$(norm "$BOTH")" ]
	[[ "$CHANGES" == *"gains Adiantum(4096): live table: device emmc0 lacks Adiantum"* ]]
	[[ "$CHANGES" == *"gains 8-byte DUNs (now: 4): live table: device emmc0"* ]]
	[[ "$CHANGES" != *loses* ]]
	pairs "#1 linear"
	[ "$PASSES" = yes ] && [ "$KERNEL" = yes ] && [ -z "$CHANGES" ]
	no_mismatch
	# after resume the live table is what the inactive one said
	dmsetup resume late
	show_pairs late
	agree late
	[ "$KERNEL" = "$UFS" ]
	log_clean
}

@test "show --inactive: an identical table changes nothing; a late gain from nothing" {
	dmsetup create same --table "0 $LEN linear /dev/emmc0 0"
	dmsetup load same --table "0 $LEN linear /dev/emmc0 0"
	show_pairs --inactive same
	pairs same
	[ "$CHANGES" = none ]
	[ "$KERNEL" = "$PREDICTED" ]
	no_mismatch

	dmsetup create gain --table "0 $LEN linear /dev/plain0 0"
	dmsetup load gain --table "0 $LEN linear /dev/ufs0 0"
	show_pairs --inactive gain
	pairs gain
	[ "$KERNEL" = "$UFS" ] && [ "$PREDICTED" = "$UFS" ]
	[[ "$CHANGES" == *"gains AES-256-XTS(4096)"* ]]
	[[ "$CHANGES" == *"gains Adiantum(4096)"* ]]
	[[ "$CHANGES" == *"plain0 has no inline crypto"* ]]
	no_mismatch
	log_clean
}

@test "show --inactive over a stacked device: the devices below expanded through their live tables" {
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create top --table "0 $LEN linear /dev/plain0 0"
	dmsetup load top --table "0 $LEN linear /dev/mapper/lower 0"
	show_pairs --inactive top
	pairs top
	[ "$KERNEL" = "$UFS" ] && [ "$PREDICTED" = "$UFS" ]
	pairs lower
	[ "$TYPE" = dm ] && [ "$KERNEL" = "$UFS" ]
	pairs ufs0
	[ "$TYPE" = disk ]
	no_mismatch
	# the tree and JSON forms carry the same
	run --separate-stderr "$DMCAPS" show --inactive top
	[ "$status" -eq 0 ]
	[[ "$output" == *CHANGES* ]] && [[ "$output" == *"gains Adiantum(4096)"* ]]
	run --separate-stderr "$DMCAPS" show --inactive --json top
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; d=json.load(sys.stdin)["dmcaps"][0]; assert d["kernel"] == sys.argv[1], d; assert any("gains Adiantum" in c for c in d["changes"]), d' "$UFS" <<< "$output"
	log_clean
}

@test "show --inactive: no inactive table, not a DM device, a device that is missing" {
	dmsetup create live --table "0 $LEN linear /dev/ufs0 0"
	run --separate-stderr "$DMCAPS" show --inactive live
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"live: no inactive table"* ]]
	run --separate-stderr "$DMCAPS" show --inactive ufs0
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"not a device-mapper device"* ]]
	run --separate-stderr "$DMCAPS" show --inactive nosuch
	[ "$status" -eq 4 ]
	run --separate-stderr "$DMCAPS" show --inactive
	[ "$status" -eq 1 ]
	# /dev/mapper/control exists and is not a block device
	run --separate-stderr "$DMCAPS" show /dev/mapper/control
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/dev/mapper/control: not a block device"* ]]
}

@test "device-less tables: zero and error, the kernel and dmcaps agree" {
	local t
	for t in zero error; do
		dmsetup create "d$t" --table "0 $LEN $t"
		show_pairs "d$t"
		pairs "d$t"
		echo "$t: PREDICTED=$PREDICTED KERNEL=$KERNEL EXPOSED=$EXPOSED"
		[ "$(norm "$KERNEL")" = "$(norm "$(cc_field "d$t" "table ")")" ]
		[ "$(norm "$EXPOSED")" = "$(norm "$(crypto_sysfs "$(dm_kname "d$t")")")" ]
		no_mismatch
	done
}
