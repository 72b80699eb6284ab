#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dmcaps show on the real kernel: its prediction from the live table must
# equal what the kernel exposes, and its explanations must name the device
# or target that removed each capability.
# bats file_tags=stock

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048

setup_file() {
	if [ -z "${DMCAPS_BUILD:-}" ] || [ ! -x "$DMCAPS_BUILD/src/dmcaps" ]; then
		echo "# dmcaps is not built (run.sh --build DIR)" >&3
	fi
}

setup() {
	dmcaps_setup
}

teardown() {
	vm_cleanup
}

# pairs NAME: the --pairs line of node NAME, eval'd into shell variables
pairs() {
	local line
	line=$(printf '%s\n' "$output" | grep -F "NAME=\"$1\" " | head -n 1)
	[ -n "$line" ] || { echo "no node $1 in: $output"; return 1; }
	eval "$line"
}

show_pairs() {	# show_pairs DEVICE...
	run --separate-stderr "$DMCAPS" show --pairs \
		-o NAME,TYPE,MODES,DUN,SLOTS,PREDICTED,EXPOSED,PASSES,WHY "$@"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
}

@test "emulated disks: dmcaps reads what null_blk registered" {
	show_pairs ufs0 emmc0 plain0
	pairs ufs0
	[ "$MODES" = "AES-256-XTS(4096) Adiantum(4096)" ] && [ "$DUN" = 8 ] && [ "$SLOTS" = 16 ]
	pairs emmc0
	[ "$MODES" = "AES-256-XTS(512,4096)" ] && [ "$DUN" = 4 ] && [ "$SLOTS" = 8 ]
	pairs plain0
	[ "$MODES" = none ]
}

@test "intersection: prediction equals the kernel, every loss explained" {
	dmsetup create pair --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	show_pairs pair
	pairs pair
	[ "$TYPE" = dm ]
	[ "$PREDICTED" = "$EXPOSED" ]
	[ "$PREDICTED" = "AES-256-XTS:0x1000 dun=4 keyslots=0" ]
	[[ "$WHY" == *"emmc0 lacks Adiantum"* ]]
	[[ "$WHY" == *"ufs0 lacks AES-256-XTS data-unit sizes 512"* ]]
	[[ "$WHY" == *"emmc0 supports 4-byte DUNs, not 8"* ]]
	[[ "$WHY" != *MISMATCH* ]]
	[[ "$stderr" != *MISMATCH* ]]
}

@test "a leg without inline crypto: none predicted, none exposed, the leg named" {
	dmsetup create mix --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/plain0 0"
	show_pairs mix
	pairs mix
	[ "$PREDICTED" = none ] && [ "$EXPOSED" = none ]
	[[ "$WHY" == *plain0*"no inline crypto"* ]]
}

@test "a target that does not pass crypto: named with its index and type" {
	local key
	key=$(printf '%064d' 0)
	dmsetup create mix --table "0 $((32 * SECT_PER_MB)) linear /dev/ufs0 0
$((32 * SECT_PER_MB)) $((32 * SECT_PER_MB)) crypt aes-xts-plain64 $key 0 /dev/ufs0 $((32 * SECT_PER_MB))"
	show_pairs mix
	pairs mix
	[ "$PREDICTED" = none ] && [ "$EXPOSED" = none ]
	[[ "$WHY" == *"target 2 (crypt) does not pass inline crypto"* ]]
	pairs "#2 crypt"
	[ "$PASSES" = no ]
	pairs "#1 linear"
	[ "$PASSES" = yes ]
	# the key given to dm-crypt is not printed anywhere
	[[ "$output" != *"$key"* ]]
}

@test "two levels of DM: the tree recurses and both levels agree with the kernel" {
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create upper --table "0 $((32 * SECT_PER_MB)) linear /dev/mapper/lower 0
$((32 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	show_pairs upper
	pairs upper
	[ "$PREDICTED" = "$EXPOSED" ] && [ "$PREDICTED" = "AES-256-XTS:0x1000 dun=4 keyslots=0" ]
	pairs lower
	[ "$TYPE" = dm ]
	[ "$PREDICTED" = "$EXPOSED" ]
	[ "$PREDICTED" = "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" ]
	pairs ufs0
	[ "$TYPE" = disk ]
}

@test "default view: DM roots once, the devices under them in the tree" {
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create upper --table "0 $((64 * SECT_PER_MB)) linear /dev/mapper/lower 0"
	run --separate-stderr "$DMCAPS" show -o NAME,TYPE
	echo "$output"
	[ "$status" -eq 0 ]
	# upper is a root, lower is not (it is under upper)
	printf '%s\n' "$output" | grep -qx 'upper *dm'
	not grep -qx 'lower *dm' <<< "$output"
	# emmc0 has inline crypto and is under no DM device: a root too
	printf '%s\n' "$output" | grep -qx 'emmc0 *disk'
}

@test "a DM device that gains capabilities at resume: 6.12's missing sysfs dir is explained as stale, never a MISMATCH" {
	dmsetup create late --table "0 $((64 * SECT_PER_MB)) linear /dev/plain0 0"
	[ "$(crypto_sysfs "$(dm_kname late)")" = none ]
	# none -> ufs0's set is an expansion: accepted, applied at resume
	dmsetup load late --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup resume late
	show_pairs late
	pairs late
	[ "$PREDICTED" = "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" ]
	if [ "$(crypto_sysfs "$(dm_kname late)")" = none ]; then
		# stock 6.12: the kernel registered the profile but made no
		# sysfs directory; that is how 6.12 works, not a mismatch
		[ "$DMCAPS_KERNEL_TIER" != patched ]
		[ "$EXPOSED" = none ]
		[[ "$WHY" == *"sysfs is stale: the live table should expose"* ]]
	else
		# the series makes the directory at the resume
		[ "$EXPOSED" = "$PREDICTED" ]
	fi
	[[ "$WHY" != *MISMATCH* ]]
	[[ "$stderr" != *MISMATCH* ]]
}

@test "DM name, /dev/mapper path, MAJ:MIN and /dev/dm-N find the same device" {
	dmsetup create named --uuid DMCAPS-TEST-0001 --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	local mm
	mm=$(dmsetup info -c --noheadings -o major,minor --separator : named)
	for spec in named /dev/mapper/named "$mm" "/dev/$(dm_kname named)"; do
		run --separate-stderr "$DMCAPS" show -n -o NAME "$spec"
		[ "$status" -eq 0 ]
		[ "$(printf '%s\n' "$output" | head -n 1 | tr -d ' ')" = named ]
	done
	run --separate-stderr "$DMCAPS" show nosuchdevice
	[ "$status" -eq 4 ]
	[[ "$stderr" == *nosuchdevice* ]]
}

# The columns for scripts (KNAME, PKNAME, PATH, DROPS), --prefix, --nodeps,
# --list and --raw on a real two-level stack; the hierarchy checked against
# the kernel's own record of it (sysfs holders/slaves) and against lsblk.

@test "--pairs --prefix: KNAME, PKNAME and PATH give the kernel's hierarchy" {
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create upper --table "0 $((32 * SECT_PER_MB)) linear /dev/mapper/lower 0
$((32 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	local up line n=0 NAME=mine TYPE=mine
	up=$(dm_kname upper)
	run --separate-stderr "$DMCAPS" show --pairs --prefix DMCAPS_ \
		-o NAME,KNAME,PKNAME,PATH,TYPE,MAJ:MIN upper
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	while IFS= read -r line; do
		DMCAPS_KNAME= DMCAPS_PKNAME= DMCAPS_PATH= DMCAPS_TYPE=
		eval "$line"
		[ "$DMCAPS_TYPE" = target ] && continue
		n=$((n + 1))
		# every device row: the node is that device, and its PKNAME is
		# a holder of it in the kernel's own record
		[ -b "$DMCAPS_PATH" ]
		[ "$(stat -c '%t:%T' "$DMCAPS_PATH")" = "$(printf '%x:%x' "${DMCAPS_MAJ_MIN%:*}" "${DMCAPS_MAJ_MIN#*:}")" ]
		[ "$(cat "/sys/class/block/$DMCAPS_KNAME/dev")" = "$DMCAPS_MAJ_MIN" ]
		if [ "$DMCAPS_KNAME" = "$up" ]; then
			[ -z "$DMCAPS_PKNAME" ]
		else
			[ -e "/sys/class/block/$DMCAPS_KNAME/holders/$DMCAPS_PKNAME" ]
			[ -e "/sys/class/block/$DMCAPS_PKNAME/slaves/$DMCAPS_KNAME" ]
		fi
	done <<< "$output"
	# upper, lower, ufs0, emmc0
	[ "$n" -eq 4 ]
	# eval with the prefix left the caller's NAME and TYPE alone
	[ "$NAME" = mine ] && [ "$TYPE" = mine ]
	# the same holder/device pairs as lsblk's (util-linux, from sysfs;
	# its PKNAME runs the other way: the device below)
	[ "$(printf '%s\n' "$output" | sed -n 's/.*DMCAPS_KNAME="\([^"]\+\)" DMCAPS_PKNAME="\([^"]\+\)".*/\2 \1/p' | sort)" = \
	  "$(lsblk -n -r -o KNAME,PKNAME /dev/ufs0 /dev/emmc0 | awk 'NF == 2' | sort -u)" ] ||
	{ lsblk -n -r -o KNAME,PKNAME /dev/ufs0 /dev/emmc0; false; }
}

@test "--nodeps: one row per device; DROPS says whether the live table loses what its devices offer" {
	dmsetup create single --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create pair --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	run --separate-stderr "$DMCAPS" show --nodeps --pairs -o NAME,KNAME,DROPS,EXPOSED single pair
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	pairs single
	[ "$DROPS" = no ]
	[ "$KNAME" = "$(dm_kname single)" ]
	# the kernel agrees: single exposes all of ufs0's set
	local k=$KNAME
	[ "$(crypto_sysfs "$k" | sed 's/ slots=.*//')" = "$(crypto_sysfs ufs0 | sed 's/ slots=.*//')" ]
	pairs pair
	[ "$DROPS" = yes ]
	[ "$(crypto_sysfs "$KNAME" | sed 's/ slots=.*//')" != "$(crypto_sysfs ufs0 | sed 's/ slots=.*//')" ]
	# without arguments: roots only, none of the devices below them
	run --separate-stderr "$DMCAPS" show --nodeps -n -o NAME
	echo "$output"
	[ "$status" -eq 0 ]
	not grep -qx 'ufs0 *' <<< "$output"
	grep -qx 'pair *' <<< "$output"
	grep -qx 'single *' <<< "$output"
}

@test "--list and --raw: the tree's rows, no tree art, PKNAME for the hierarchy" {
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create upper --table "0 $((64 * SECT_PER_MB)) linear /dev/mapper/lower 0"
	run --separate-stderr "$DMCAPS" show --list -n -o NAME,KNAME,PKNAME upper
	echo "$output"
	[ "$status" -eq 0 ]
	not grep -q -e '`-' -e '|-' <<< "$output"
	grep -qx "lower *$(dm_kname lower) *$(dm_kname upper)" <<< "$output"
	grep -qx "ufs0 *ufs0 *$(dm_kname lower)" <<< "$output"
	run --separate-stderr "$DMCAPS" show --raw -n -o NAME,TYPE,MODES lower
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'lower dm AES-256-XTS(4096)\\x20Adiantum(4096)' <<< "$output"
}

@test "a device hot removed from under a DM device: named, its meaning said, exit 12" {
	local k ufs1
	dmsetup create hr --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	k=$(dm_kname hr)
	[ "$(crypto_sysfs "$k" | sed 's/ slots=.*//')" = "$(crypto_sysfs ufs0 | sed 's/ slots=.*//')" ]
	# the device the table moves to at the end, made now: a device made
	# after ufs0 is gone could take its number, and DM would find the
	# removed disk again by it
	nb_create ufs1 64 "AES-256-XTS=4096 Adiantum=4096" 8 16
	ufs1=$(stat -L -c '%t:%T' /dev/ufs1)
	# power ufs0 off: the disk goes, the live table still holds it
	echo 0 > "$NULLB/ufs0/power"
	[ ! -e /dev/ufs0 ]
	[ "$(dmsetup table hr | awk '{ print $4 }')" != "" ]
	run --separate-stderr "$DMCAPS" show --pairs -o NAME,TYPE,EXPOSED,WHY hr
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 12 ]
	pairs hr
	[ "$TYPE" = dm ]
	# the queue still exposes the set it had, and show says why
	[ "$EXPOSED" = "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0" ]
	[[ "$WHY" == "a device under it was removed: capabilities are those from before, until a new table is loaded" ]]
	[[ "$stderr" == *"target 1: device "*" of the linear target was removed while in the live table"* ]]
	# a new table without it (onto a device with the same set: DM
	# refuses to shrink): the usual answer again
	dmsetup suspend hr
	dmsetup load hr --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs1 0"
	dmsetup resume hr
	# the live table maps ufs1 itself (dmsetup prints MAJ:MIN in decimal)
	[ "$(dmsetup table hr | awk '{ print $4 }')" = "$((16#${ufs1%:*})):$((16#${ufs1#*:}))" ]
	run --separate-stderr "$DMCAPS" show --pairs -o NAME,WHY hr
	echo "$output"
	[ "$status" -eq 0 ]
}

# A kernel without the series logs every DM ioctl command it does not know
# ("dm_ctl_ioctl: unknown command"); dmcaps must find out that the
# series is missing without one (check promises to touch nothing).
# bats test_tags=no-series
@test "a stock kernel's log gets no line from show, check or load --check-crypto" {
	dmsetup create quiet --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	mark_log
	run --separate-stderr "$DMCAPS" show
	[ "$status" -eq 0 ]
	run --separate-stderr "$DMCAPS" show --inactive quiet
	run --separate-stderr "$DMCAPS" check quiet --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	[ "$status" -eq 0 ]
	run --separate-stderr "$DMCAPS" load --check-crypto quiet --table "0 $((64 * SECT_PER_MB)) zero"
	[ "$status" -eq 11 ]
	run log_since_mark
	echo "$output"
	[[ "$output" != *"unknown command"* ]]
	[[ "$output" != *device-mapper* ]]
}
