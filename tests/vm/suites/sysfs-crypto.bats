#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /sys/block/dm-N/queue/crypto/ follows the capabilities a DM device gains
# at resume (kernel-patches/dm-crypto/0001, 0002). On 6.12 without them, a device
# whose first table had no inline encryption never gets the directory, and
# one whose capabilities expand keeps only the mode files it had at
# creation.

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048
LEN=$((32 * SECT_PER_MB))

setup() {
	export LC_ALL=C
	vm_cleanup
	mark_log
	nb_create plain0 64 ""
	nb_create small0 64 "AES-256-XTS=4096" 4 8
	nb_create ufs0 64 "AES-256-XTS=512,4096 Adiantum=4096" 8 16
	nb_create wide0 64 "AES-256-XTS=512,4096 Adiantum=4096 SM4-XTS=4096 AES-128-CBC-ESSIV=4096" 8 0
}

teardown() {
	vm_cleanup
}

SMALL="AES-256-XTS=0x1000 dun_bits=32 slots=0"
UFS="AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=0"
WIDE="AES-128-CBC-ESSIV=0x1000 AES-256-XTS=0x1200 Adiantum=0x1000 SM4-XTS=0x1000 dun_bits=64 slots=0"

# swap NAME DEV: load a one-target linear table over DEV and resume
swap() {
	dmsetup load "$1" --table "0 $LEN linear /dev/$2 0" &&
		dmsetup resume "$1"
}

# expect NAME WANT: the device's crypto sysfs equals WANT
expect() {
	local got
	got=$(crypto_sysfs "$(dm_kname "$1")")
	if [ "$got" != "$2" ]; then
		echo "$1: sysfs has '$got', expected '$2'" >&2
		return 1
	fi
}

# What log_clean looks for here: warnings, and the errors of ours that the
# sysfs update would log.
LOG_BAD='WARNING|BUG|lockdep|circular|crypto sysfs|failed to update'

@test "a device created without inline encryption gets the directory when it gains it at resume" {
	dmsetup create dev --table "0 $LEN linear /dev/plain0 0"
	expect dev none
	dmsetup load dev --table "0 $LEN linear /dev/ufs0 0"
	# loaded, not resumed: nothing changes yet
	expect dev none
	dmsetup resume dev
	expect dev "$UFS"
	# exactly the supported modes, no others
	[ "$(ls "/sys/block/$(dm_kname dev)/queue/crypto/modes" | tr '\n' ' ')" = "AES-256-XTS Adiantum " ]
	log_clean "$LOG_BAD"
}

@test "an expansion adds the files of the gained modes" {
	dmsetup create dev --table "0 $LEN linear /dev/small0 0"
	expect dev "$SMALL"
	swap dev ufs0
	expect dev "$UFS"
	swap dev wide0
	expect dev "$WIDE"
	log_clean "$LOG_BAD"
}

@test "several swaps later the directory is still right" {
	dmsetup create dev --table "0 $LEN linear /dev/plain0 0"
	expect dev none
	swap dev small0
	expect dev "$SMALL"
	swap dev small0
	expect dev "$SMALL"
	swap dev ufs0
	expect dev "$UFS"
	# the same capabilities again, then a suspend/resume with no new table
	swap dev ufs0
	expect dev "$UFS"
	dmsetup suspend dev
	dmsetup resume dev
	expect dev "$UFS"
	# a shrinking table is rejected at load and changes nothing
	not dmsetup load dev --table "0 $LEN linear /dev/small0 0"
	dmsetup resume dev
	expect dev "$UFS"
	swap dev wide0
	expect dev "$WIDE"
	swap dev wide0
	expect dev "$WIDE"
	log_clean "$LOG_BAD"
}

@test "a reader never sees a mode file vanish during swaps" {
	dmsetup create dev --table "0 $LEN linear /dev/ufs0 0"
	local f=/sys/block/$(dm_kname dev)/queue/crypto/modes/AES-256-XTS
	local misses=/run/sysfs-crypto-misses
	rm -f "$misses" /run/sysfs-crypto-stop
	(
		n=0
		while [ ! -e /run/sysfs-crypto-stop ]; do
			cat "$f" >/dev/null 2>&1 || n=$((n + 1))
		done
		echo "$n" > "$misses"
	) &
	for _ in $(seq 1 10); do
		swap dev ufs0
	done
	swap dev wide0
	for _ in $(seq 1 5); do
		swap dev wide0
	done
	touch /run/sysfs-crypto-stop
	wait
	echo "misses: $(cat "$misses")"
	[ "$(cat "$misses")" -eq 0 ]
	expect dev "$WIDE"
	log_clean "$LOG_BAD"
}

@test "a stacked device gains the directory when reloaded over a lower device that gained it" {
	dmsetup create lower --table "0 $LEN linear /dev/plain0 0"
	dmsetup create upper --table "0 $LEN linear /dev/mapper/lower 0"
	expect upper none
	swap lower ufs0
	expect lower "$UFS"
	# upper's table was built when lower had nothing: reload it
	expect upper none
	dmsetup load upper --table "0 $LEN linear /dev/mapper/lower 0"
	dmsetup resume upper
	expect upper "$UFS"
	log_clean "$LOG_BAD"
}

@test "removing a device that gained the directory late is clean; its minor is reused cleanly" {
	dmsetup create dev --table "0 $LEN linear /dev/plain0 0"
	local kname
	kname=$(dm_kname dev)
	swap dev ufs0
	expect dev "$UFS"
	dmsetup remove dev
	[ ! -e "/sys/block/$kname" ]
	dmsetup create dev2 --table "0 $LEN linear /dev/small0 0"
	expect dev2 "$SMALL"
	dmsetup remove dev2
	dmsetup create dev3 --table "0 $LEN linear /dev/plain0 0"
	expect dev3 none
	swap dev3 wide0
	expect dev3 "$WIDE"
	dmsetup remove dev3
	log_clean "$LOG_BAD"
}
