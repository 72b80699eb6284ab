#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Conformance of device-mapper's inline-crypto passthrough (upstream since
# Linux 5.12; drivers/md/dm-table.c) on the real kernel, over null_blk's
# inline-encryption emulation. Each behaviour is one test.
# bats file_tags=stock

load ../lib/emulation
load ../lib/fscrypt

SECT_PER_MB=2048

setup() {
	vm_cleanup
	mark_log
}

teardown() {
	vm_cleanup
}

# Two emulated devices whose capabilities overlap only partly (modes every
# tier's kernel has: 6.1 has no SM4-XTS).
make_pair() {
	nb_create ufs0 64 "AES-256-XTS=512,4096 Adiantum=4096" 8 16
	nb_create emmc0 64 "AES-256-XTS=4096 AES-128-CBC-ESSIV=4096" 4 8
}

@test "dm-linear over two emulated devices exposes exactly their intersection" {
	make_pair
	dmsetup create pair --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	run crypto_sysfs "$(dm_kname pair)"
	echo "exposed: $output"
	# AES-256-XTS: 0x1200 ∩ 0x1000; Adiantum and AES-128-CBC-ESSIV are on one
	# side only;
	# DUN: min(8, 4) bytes; DM's profile has no keyslots (passthrough).
	[ "$output" = "AES-256-XTS=0x1000 dun_bits=32 slots=0" ]
	# and each leg still shows its own set
	[ "$(crypto_sysfs ufs0)" = "AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=16" ]
	[ "$(crypto_sysfs emmc0)" = "AES-128-CBC-ESSIV=0x1000 AES-256-XTS=0x1000 dun_bits=32 slots=8" ]
}

@test "dm-linear over one emulated device passes its whole set through" {
	make_pair
	dmsetup create one --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	run crypto_sysfs "$(dm_kname one)"
	[ "$output" = "AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=0" ]
}

@test "a target that does not pass inline crypto (zero) exposes nothing" {
	dmsetup create z --table "0 $((64 * SECT_PER_MB)) zero"
	[ "$(crypto_sysfs "$(dm_kname z)")" = none ]
}

@test "one dm-crypt target among linear targets removes everything" {
	make_pair
	local key
	key=$(printf '%064d' 0)
	dmsetup create mix --table "0 $((32 * SECT_PER_MB)) linear /dev/ufs0 0
$((32 * SECT_PER_MB)) $((32 * SECT_PER_MB)) crypt aes-xts-plain64 $key 0 /dev/ufs0 $((32 * SECT_PER_MB))"
	[ "$(crypto_sysfs "$(dm_kname mix)")" = none ]
	# control: the same device with the linear target alone does expose it
	dmsetup create ctl --table "0 $((32 * SECT_PER_MB)) linear /dev/ufs0 0"
	[ "$(crypto_sysfs "$(dm_kname ctl)")" != none ]
}

@test "one leg without inline crypto removes everything" {
	make_pair
	nb_create plain0 64 ""
	dmsetup create mix --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/plain0 0"
	[ "$(crypto_sysfs plain0)" = none ]
	[ "$(crypto_sysfs "$(dm_kname mix)")" = none ]
}

@test "a load that would shrink the capabilities is rejected with EINVAL, old table keeps serving" {
	make_pair
	nb_create plain0 64 ""
	dmsetup create dev --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	before=$(crypto_sysfs "$(dm_kname dev)")
	# data written through the live table
	yes before-reload | head -c 1048576 | dd of=/dev/mapper/dev bs=1M oflag=direct status=none

	run dmsetup load dev --table "0 $((64 * SECT_PER_MB)) linear /dev/plain0 0"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Invalid argument"* ]]
	log_since_mark | grep -F "Inline encryption capabilities of new DM table were more restrictive than the old table's. This is not supported!"

	# a narrower but non-empty set (AES only, 4096 only) is refused as well
	run dmsetup load dev --table "0 $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	[ "$status" -ne 0 ]

	# nothing was left behind: no inactive table, live table unchanged
	run dmsetup info dev
	[[ "$output" == *"Tables present:    LIVE"* ]]
	[[ "$output" != *"INACTIVE"* ]]
	[[ "$(dmsetup table dev)" == *"linear"*"$(cat /sys/block/ufs0/dev)"* ]]
	[ "$(crypto_sysfs "$(dm_kname dev)")" = "$before" ]
	# and it still serves I/O on the old table
	run dd if=/dev/mapper/dev bs=1M count=1 iflag=direct status=none
	[[ "$output" == before-reload* ]]
	yes after-reload | head -c 1048576 | dd of=/dev/mapper/dev bs=1M oflag=direct status=none
	run dd if=/dev/ufs0 bs=1M count=1 iflag=direct status=none
	[[ "$output" == after-reload* ]]
}

@test "a load that expands the capabilities is accepted; the old set stays until resume" {
	make_pair
	dmsetup create dev --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	old=$(crypto_sysfs "$(dm_kname dev)")
	[ "$old" = "AES-256-XTS=0x1000 dun_bits=32 slots=0" ]

	dmsetup load dev --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	[[ "$(dmsetup info dev)" == *"LIVE & INACTIVE"* ]]
	# loaded, not resumed: the queue still exposes the old set
	[ "$(crypto_sysfs "$(dm_kname dev)")" = "$old" ]

	dmsetup resume dev
	run crypto_sysfs "$(dm_kname dev)"
	echo "after resume: $output"
	# The profile now holds ufs0's set. sysfs shows it for the attributes
	# that existed at registration; on 6.12 a mode that was absent then
	# (Adiantum here) gets no file: the stale-sysfs bug the series fixes.
	[[ "$output" == "AES-256-XTS=0x1200 "*"dun_bits=64 slots=0" ]]
}

@test "a table over a stacked DM device intersects with what that device exposes" {
	make_pair
	dmsetup create lower --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup create upper --table "0 $((32 * SECT_PER_MB)) linear /dev/mapper/lower 0
$((32 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	[ "$(crypto_sysfs "$(dm_kname upper)")" = "AES-256-XTS=0x1000 dun_bits=32 slots=0" ]
}

# fscrypt_setup and counter_sum: tests/vm/lib/fscrypt.bash

# fscrypt over dm-linear over emulated devices. $1: keyslots per device.
fscrypt_hw_roundtrip() {
	local slots=$1 mnt=/tmp/dmcaps-mnt d dec ev
	nb_create hw0 32 "AES-256-XTS=4096" 8 "$slots"
	nb_create hw1 32 "AES-256-XTS=512,4096" 4 "$slots"
	linear_interleaved fs hw0 hw1
	[ "$(crypto_sysfs "$(dm_kname fs)")" = "AES-256-XTS=0x1000 dun_bits=32 slots=0" ]
	fscrypt_setup "$mnt"

	for d in hw0 hw1; do
		nb_counters "$d"
		# every device encrypted part of the file: it spans all chunks
		[ "$(nb_counter "$d" data_units_encrypted)" -gt 0 ]
		if [ "$slots" -gt 0 ]; then
			[ "$(nb_counter "$d" keyslot_programs)" -gt 0 ]
			[ "$(nb_counter "$d" keys_programmed)" -gt 0 ]
		fi
	done
	# 4 MiB of 4 KiB data units, at least, went through the emulators
	[ "$(counter_sum data_units_encrypted hw0 hw1)" -ge 1024 ]
	log_since_mark > /tmp/dmcaps-log
	not grep -F "using blk-crypto-fallback" /tmp/dmcaps-log

	umount "$mnt"
	# the raw devices hold ciphertext only; the control file is in the clear
	raw_has_marker /dev/hw0 control-plaintext-visible-here ||
		raw_has_marker /dev/hw1 control-plaintext-visible-here
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/hw1

	# after a remount the devices decrypt it back
	echo 3 > /proc/sys/vm/drop_caches
	dec=$(counter_sum data_units_decrypted hw0 hw1)
	mount -o inlinecrypt /dev/mapper/fs "$mnt"
	xfs_io -c add_enckey "$mnt" < "$KEYFILE"
	[ "$(md5sum < "$mnt/secret/data")" = "$SUM" ]
	[ "$(counter_sum data_units_decrypted hw0 hw1)" -ge $((dec + 1024)) ]

	# removing the key evicts it from every underlying device (DM forwards
	# blk_crypto_evict_key to each of them)
	ev_hw0=$(nb_counter hw0 keyslot_evictions)
	ev_hw1=$(nb_counter hw1 keyslot_evictions)
	xfs_io -c "rm_enckey $KEYID" "$mnt"
	for d in hw0 hw1; do
		nb_counters "$d"
		ev=ev_$d
		[ "$(nb_counter "$d" keyslot_evictions)" -gt "${!ev}" ]
		[ "$(nb_counter "$d" keys_programmed)" -eq 0 ]
	done
}

@test "fscrypt inlinecrypt over dm-linear takes the hardware path; key removal evicts on every device" {
	fscrypt_hw_roundtrip 8
}

@test "the same with emulated devices that take keys directly (0 keyslots)" {
	fscrypt_hw_roundtrip 0
}

# Kept last: fscrypt logs its implementation choice once per mode and boot.
@test "a stack with one leg without inline crypto falls back to blk-crypto-fallback and works" {
	local mnt=/tmp/dmcaps-mnt
	nb_create hw0 32 "AES-256-XTS=4096" 8 8
	nb_create plain0 32 ""
	linear_interleaved fs hw0 plain0
	[ "$(crypto_sysfs "$(dm_kname fs)")" = none ]
	fscrypt_setup "$mnt"
	nb_counters hw0
	# the emulator saw no encryption context: the fallback encrypted
	[ "$(nb_counter hw0 data_units_encrypted)" -eq 0 ]
	[ "$(nb_counter hw0 keyslot_programs)" -eq 0 ]
	dmesg | grep -F "fscrypt: AES-256-XTS using blk-crypto-fallback"
	umount "$mnt"
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/plain0
	raw_has_marker /dev/hw0 control-plaintext-visible-here ||
		raw_has_marker /dev/plain0 control-plaintext-visible-here
	echo 3 > /proc/sys/vm/drop_caches
	mount -o inlinecrypt /dev/mapper/fs "$mnt"
	xfs_io -c add_enckey "$mnt" < "$KEYFILE"
	[ "$(md5sum < "$mnt/secret/data")" = "$SUM" ]
	[ "$(nb_counter hw0 data_units_decrypted)" -eq 0 ]
}
