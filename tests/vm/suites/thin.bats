#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dm-thin passes inline crypto with our series (kernel-patches/dm-crypto/0017-0019):
# a pool exposes its data device's capabilities, a thin volume its pool's
# (and its external origin's). fscrypt inlinecrypt over a thin volume takes
# the hardware path, leaves only ciphertext on the data and metadata
# devices, reads back after a remount, and survives the pool copying
# ciphertext when a snapshot's sharing is broken.

load ../lib/emulation
load ../lib/fscrypt

SECT_PER_MB=2048
MB32=$((32 * SECT_PER_MB))
MB64=$((64 * SECT_PER_MB))
BLOCK=128	# pool block: 64 KiB

setup() {
	vm_cleanup
	mark_log
}

teardown() {
	vm_cleanup
}

# make_pool DATA_MODES: pool "pool" over emulated data device hw0 (64 MiB,
# DATA_MODES) and metadata device meta (no inline encryption), thin volume
# 0 of 32 MiB created in it.
make_pool() {
	nb_create hw0 64 "$1" 8 8
	nb_create meta 8 ""
	dmsetup create pool --table "0 $MB64 thin-pool /dev/meta /dev/hw0 $BLOCK 0"
	dmsetup message pool 0 "create_thin 0"
}

used_data_blocks() {	# from the pool's status: <used>/<total> data blocks
	dmsetup status pool | awk '{ split($6, a, "/"); print a[1] }'
}

@test "thin and thin-pool: version 1.24.0 or later (our series' marker)" {
	run target_version thin
	echo "thin $output"
	[[ "$output" == v1.2[4-9].* || "$output" == v1.[3-9][0-9].* ]]
	run target_version thin-pool
	echo "thin-pool $output"
	[[ "$output" == v1.2[4-9].* || "$output" == v1.[3-9][0-9].* ]]
}

@test "a pool exposes its data device's capabilities, not narrowed by the metadata device; a thin volume its pool's" {
	make_pool "AES-256-XTS=512,4096 Adiantum=4096"
	dmsetup create th --table "0 $MB32 thin /dev/mapper/pool 0"
	local want="AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=0"
	[ "$(exposed pool)" = "$want" ]
	[ "$(exposed th)" = "$want" ]
}

@test "a thin volume with an external origin exposes the intersection with the origin's capabilities" {
	make_pool "AES-256-XTS=512,4096 Adiantum=4096"
	nb_create img 32 "AES-256-XTS=4096 SM4-XTS=4096" 4 8
	nb_create plainimg 32 ""
	dmsetup message pool 0 "create_thin 1"
	dmsetup create ext --table "0 $MB32 thin /dev/mapper/pool 0 /dev/img"
	[ "$(exposed ext)" = "AES-256-XTS=0x1000 dun_bits=32 slots=0" ]
	# an origin without inline encryption: reads of unprovisioned blocks
	# go there, so the thin volume must not claim any
	dmsetup create ext2 --table "0 $MB32 thin /dev/mapper/pool 1 /dev/plainimg"
	[ "$(exposed ext2)" = "none" ]
}

# queue_limits DMNAME: every queue limit in sysfs, one "file=value" a line
queue_limits() {
	local f d=/sys/block/$(dm_kname "$1")/queue
	for f in "$d"/*; do
		[ -f "$f" ] && [ -r "$f" ] && echo "${f##*/}=$(cat "$f" 2>/dev/null)"
	done
}

@test "an external origin counts for inline crypto only: queue limits as without it, DM_CRYPTO_CAPS lists it" {
	make_pool "AES-256-XTS=512,4096 Adiantum=4096"
	# an origin whose limits are stricter than the pool's: small requests,
	# a virtual boundary
	local d=$NULLB/img
	mkdir "$d"
	echo 32 > "$d/size"; echo 1 > "$d/memory_backed"; echo 4096 > "$d/blocksize"
	echo 64 > "$d/max_sectors"; echo 1 > "$d/virt_boundary"
	echo "AES-256-XTS=4096 SM4-XTS=4096" > "$d/crypto_modes"
	echo 4 > "$d/crypto_max_dun_bytes"
	echo 1 > "$d/power"
	dmsetup message pool 0 "create_thin 1"
	dmsetup create th --table "0 $MB32 thin /dev/mapper/pool 0"
	dmsetup create ext --table "0 $MB32 thin /dev/mapper/pool 1 /dev/img"
	# crypto: the intersection with the origin
	[ "$(exposed ext)" = "AES-256-XTS=0x1000 dun_bits=32 slots=0" ]
	# everything else: the same thin device without an origin (stock 6.12's
	# thin_iterate_devices names the pool only)
	diff <(queue_limits th) <(queue_limits ext)
	[ "$(cat /sys/block/$(dm_kname ext)/queue/max_sectors_kb)" -gt 32 ]
	# the kernel's own answer lists the origin under the thin target
	python3 "$EMULATION_TOP/tests/vm/tools/crypto-caps.py" ext > "$BATS_TEST_TMPDIR/caps"
	cat "$BATS_TEST_TMPDIR/caps"
	local pool_dev img_dev
	pool_dev=$(dmsetup info -c --noheadings -o major,minor --separator : pool)
	img_dev=$(stat -L -c '%t:%T' /dev/img | { IFS=: read -r a b; echo $((16#$a)):$((16#$b)); })
	grep -qx "target 0 start=0 length=$MB32 type=thin passes=1 devs=$pool_dev,$img_dev" "$BATS_TEST_TMPDIR/caps"
	log_clean
}

@test "fscrypt inlinecrypt over thin: hardware path on the data device, ciphertext only, metadata device clean" {
	make_pool "AES-256-XTS=4096"
	dmsetup create fs --table "0 $MB32 thin /dev/mapper/pool 0"
	[ "$(exposed fs)" = "AES-256-XTS=0x1000 dun_bits=64 slots=0" ]
	fscrypt_hw_check fs hw0
	umount "$FSCRYPT_MNT"
	not raw_has_marker /dev/meta
	not raw_has_marker /dev/meta "$CONTROL_MARKER"
}

# After a snapshot every block is shared; a 4 KiB write into the file
# breaks sharing of its 64 KiB pool block: the pool copies the block's
# ciphertext with kcopyd (no encryption context) to a new block, then the
# write lands there with its own context. Both volumes must decrypt their
# own version through the device.
@test "fscrypt over thin, snapshot, partial overwrite: copied ciphertext decrypts, origin and snapshot each read their version" {
	make_pool "AES-256-XTS=4096"
	dmsetup create fs --table "0 $MB32 thin /dev/mapper/pool 0"
	fscrypt_hw_check fs hw0
	umount "$FSCRYPT_MNT"

	dmsetup suspend fs
	dmsetup message pool 0 "create_snap 1 0"
	dmsetup resume fs
	local used enc
	used=$(used_data_blocks)

	mount -o inlinecrypt /dev/mapper/fs "$FSCRYPT_MNT"
	xfs_io -c add_enckey "$FSCRYPT_MNT" < "$KEYFILE"
	enc=$(nb_counter hw0 data_units_encrypted)
	# 4 KiB of new data at 400 KiB into the file, in place (ext4 does not
	# reallocate on overwrite)
	head -c 4096 /dev/urandom > /tmp/dmcaps-new
	dd if=/tmp/dmcaps-new of="$FSCRYPT_MNT/secret/data" bs=4096 seek=100 \
		conv=notrunc,fsync status=none
	cp "$FSCRYPT_MNT/secret/data" /tmp/dmcaps-expect
	local sum2
	sum2=$(md5sum < /tmp/dmcaps-expect)
	[ "$sum2" != "$SUM" ]
	umount "$FSCRYPT_MNT"
	nb_counters hw0
	# the write was encrypted by the device, and sharing was broken
	[ "$(nb_counter hw0 data_units_encrypted)" -gt "$enc" ]
	echo "used data blocks: $used before, $(used_data_blocks) after"
	[ "$(used_data_blocks)" -gt "$used" ]

	echo 3 > /proc/sys/vm/drop_caches
	local dec
	dec=$(nb_counter hw0 data_units_decrypted)
	mount -o inlinecrypt /dev/mapper/fs "$FSCRYPT_MNT"
	xfs_io -c add_enckey "$FSCRYPT_MNT" < "$KEYFILE"
	[ "$(md5sum < "$FSCRYPT_MNT/secret/data")" = "$sum2" ]
	umount "$FSCRYPT_MNT"
	[ "$(nb_counter hw0 data_units_decrypted)" -ge $((dec + 1024)) ]

	dmsetup create snap --table "0 $MB32 thin /dev/mapper/pool 1"
	echo 3 > /proc/sys/vm/drop_caches
	dec=$(nb_counter hw0 data_units_decrypted)
	mount -o inlinecrypt /dev/mapper/snap "$FSCRYPT_MNT"
	xfs_io -c add_enckey "$FSCRYPT_MNT" < "$KEYFILE"
	[ "$(md5sum < "$FSCRYPT_MNT/secret/data")" = "$SUM" ]
	umount "$FSCRYPT_MNT"
	[ "$(nb_counter hw0 data_units_decrypted)" -ge $((dec + 1024)) ]

	log_since_mark > /tmp/dmcaps-log
	not grep -F "using blk-crypto-fallback" /tmp/dmcaps-log
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/meta
}

# dmcaps's prediction (lib/targets.c: thin and thin-pool pass from 1.24.0;
# the pool's metadata device takes no part) against the kernel's decision.
@test "dmcaps check agrees with the kernel on thin-pool and thin tables" {
	dmcaps_setup
	local pool="0 $MB64 thin-pool /dev/plain0 /dev/ufs0 $BLOCK 0"
	dmsetup create pool --table "$pool"
	dmsetup message pool 0 "create_thin 0"
	dmsetup create th --table "0 $MB32 thin /dev/mapper/pool 0"
	[ "$(exposed th)" = "AES-256-XTS=0x1000 Adiantum=0x1000 dun_bits=64 slots=0" ]

	run "$DMCAPS" check --pairs pool --table "$pool"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *'VERDICT="keeps"'* ]]
	dmsetup load pool --table "$pool"
	dmsetup resume pool

	run "$DMCAPS" check --pairs th --table "0 $MB32 thin /dev/mapper/pool 0"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *'VERDICT="keeps"'* ]]

	# a pool whose data device has no inline encryption
	nb_create meta2 8 ""
	nb_create data2 32 ""
	dmsetup create pool2 --table "0 $MB32 thin-pool /dev/meta2 /dev/data2 $BLOCK 0"
	dmsetup message pool2 0 "create_thin 0"
	run "$DMCAPS" check --pairs th --table "0 $MB32 thin /dev/mapper/pool2 0"
	echo "$output"
	[ "$status" -eq 11 ]
	[[ "${lines[0]}" == *'VERDICT="shrinks"'* ]]
	mark_log
	not dmsetup load th --table "0 $MB32 thin /dev/mapper/pool2 0"
	log_since_mark | grep -F "more restrictive"
	[ "$(tables th)" = LIVE ]
}
