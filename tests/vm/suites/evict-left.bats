#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Keys left behind in devices that leave a device-mapper table (issue 12.1,
# kernel-patches/README.md "Keys left behind"). A key's owner (fscrypt)
# evicts it from the DM device, which forwards the eviction to its live
# table only; a device that left the table in a swap kept the key, its
# keyslot pointing at the freed key. null_blk's crypto_keys_programmed
# counts the keys a device holds. BLKCRYPTOEVICTKEY on such a device read
# the freed key (12.2): KASAN reports it, a kernel without KASAN answered
# evicted=0 for a key still programmed. Not tagged stock: stock 6.12 has
# the hole, and the first test fails there.
# bats file_tags=kasan

bats_require_minimum_version 1.5.0
load ../lib/emulation
load ../lib/fscrypt

MODES="AES-256-XTS=4096 Adiantum=4096"
MNT=/tmp/dmcaps-mnt-left
INLINE=$LBLK64_KEY

setup_file() {
	export EV="$BATS_TEST_DIRNAME/../tools/blk-evict.py"
}

setup() {
	export LC_ALL=C
	vm_cleanup
	nb_create nb0 16 "$MODES" 8 8
	nb_create nb1 16 "$MODES" 8 8
	mark_log
}

teardown() {
	vm_cleanup
	rm -f "$LBLK64_MASTER" "$INLINE"
}

# keys DEV...: "DEV=N ..." with each device's programmed keys
keys() {
	local d out=
	for d in "$@"; do
		out="$out$d=$(nb_counter "$d" keys_programmed) "
	done
	echo "${out% }"
}

# linear1 NAME DEV: a linear table over the whole of DEV
linear1() {
	echo "0 $(blockdev --getsz "$2") linear $2 0"
}

# reread: the file, from the devices, must still be what was written
reread() {
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
}

# move DMNAME FROM TO: suspend, copy FROM to TO, reload DMNAME onto TO,
# resume (what a move of a volume to another device does)
move() {
	dmsetup suspend "$1"
	dd if="$2" of="$3" bs=1M iflag=direct oflag=direct status=none
	dmsetup load "$1" --table "$(linear1 "$1" "$3")"
	dmsetup resume "$1"
}

@test "a device that left the table keeps no key once its owner removed it" {
	dmsetup create fs --table "$(linear1 fs /dev/nb0)"
	fscrypt_lblk64_setup "$MNT" /dev/mapper/fs 4096
	echo "after setup: $(keys nb0 nb1)"
	[ "$(keys nb0)" = "nb0=1" ]

	move fs /dev/nb0 /dev/nb1
	reread
	echo "after the move: $(keys nb0 nb1)"
	[ "$(keys nb1)" = "nb1=1" ]

	umount "$MNT"
	echo "after unmount: $(keys nb0 nb1)"
	[ "$(keys nb0 nb1)" = "nb0=0 nb1=0" ]
	log_clean
}

@test "BLKCRYPTOEVICTKEY on a device that left the table reads no freed key" {
	dmsetup create fs --table "$(linear1 fs /dev/nb0)"
	fscrypt_lblk64_setup "$MNT" /dev/mapper/fs 4096
	move fs /dev/nb0 /dev/nb1
	reread
	umount "$MNT"
	# fscrypt freed its key; whatever nb0 still holds must be found by
	# content, and nothing may be read through the freed key
	run --separate-stderr python3 "$EV" /dev/nb0 --key-file "$INLINE"
	echo "nb0: $output $stderr; $(keys nb0)"
	[ "$status" -eq 0 ]
	[ "$(keys nb0)" = "nb0=0" ]
	log_clean 'BUG|KASAN|WARNING|Call Trace|Oops'
}

@test "a stacked device that left the table: the keys under it are evicted" {
	dmsetup create lower0 --table "$(linear1 lower0 /dev/nb0)"
	dmsetup create lower1 --table "$(linear1 lower1 /dev/nb1)"
	dmsetup create fs --table "$(linear1 fs /dev/mapper/lower0)"
	fscrypt_lblk64_setup "$MNT" /dev/mapper/fs 4096
	[ "$(keys nb0)" = "nb0=1" ]

	move fs /dev/mapper/lower0 /dev/mapper/lower1
	reread
	echo "after the move: $(keys nb0 nb1)"
	[ "$(keys nb0 nb1)" = "nb0=0 nb1=1" ]
	umount "$MNT"
	[ "$(keys nb0 nb1)" = "nb0=0 nb1=0" ]
	log_clean
}

@test "a device still under the new table keeps its keys: no eviction, no reprogramming" {
	local ev pr
	dmsetup create fs --table "$(linear1 fs /dev/nb0)"
	fscrypt_lblk64_setup "$MNT" /dev/mapper/fs 4096
	ev=$(nb_counter nb0 keyslot_evictions)
	pr=$(nb_counter nb0 keyslot_programs)
	dmsetup suspend fs
	dmsetup load fs --table "$(linear1 fs /dev/nb0)"
	dmsetup resume fs
	reread
	nb_counters nb0
	[ "$(keys nb0)" = "nb0=1" ]
	[ "$(nb_counter nb0 keyslot_evictions)" -eq "$ev" ]
	[ "$(nb_counter nb0 keyslot_programs)" -eq "$pr" ]
	umount "$MNT"
	[ "$(keys nb0)" = "nb0=0" ]
	log_clean
}
