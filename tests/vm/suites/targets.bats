#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# DM targets that our series lets pass inline crypto through
# (kernel-patches/dm-crypto/0006 onwards): each exposes the intersection of its
# devices' capabilities, and fscrypt inlinecrypt over it takes the hardware
# path on every underlying device, leaves only ciphertext there and reads
# back after a remount.

load ../lib/emulation
load ../lib/fscrypt

SECT_PER_MB=2048
MB32=$((32 * SECT_PER_MB))

setup() {
	vm_cleanup
	mark_log
}

teardown() {
	vm_cleanup
}

# Two emulated devices whose capabilities overlap only partly; their
# intersection is INTERSECTION.
make_pair() {
	nb_create hw0 32 "AES-256-XTS=512,4096 Adiantum=4096" 8 16
	nb_create hw1 32 "AES-256-XTS=4096 SM4-XTS=4096" 4 8
}
INTERSECTION="AES-256-XTS=0x1000 dun_bits=32 slots=0"
HW0_ALONE="AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=0"

# the target's version, as dmsetup targets lists it

# ---- dm-stripe ------------------------------------------------------------

@test "striped: version 1.7.0 or later (our series' marker)" {
	run target_version striped
	echo "striped $output"
	[[ "$output" == v1.[7-9].* || "$output" == v1.[1-9][0-9].* ]]
}

@test "striped over two emulated devices exposes exactly their intersection" {
	make_pair
	dmsetup create st --table "0 $((2 * MB32)) striped 2 128 /dev/hw0 0 /dev/hw1 0"
	[ "$(exposed st)" = "$INTERSECTION" ]
}

@test "fscrypt inlinecrypt over striped (2 devices, 64 KiB chunks): hardware path on both, ciphertext only" {
	nb_create hw0 32 "AES-256-XTS=4096" 8 8
	nb_create hw1 32 "AES-256-XTS=512,4096" 4 8
	# a 4 MiB file spans 64 chunks, alternating between the stripes: every
	# bio is split at chunk boundaries and each clone's DUN advanced
	dmsetup create fs --table "0 $((2 * MB32)) striped 2 128 /dev/hw0 0 /dev/hw1 0"
	[ "$(exposed fs)" = "$INTERSECTION" ]
	fscrypt_hw_check fs hw0 hw1
}

# A chunk smaller than a data unit splits data units between devices. The
# DUN of a clone that starts inside a data unit cannot be expressed, and
# blk-crypto refuses such bios (bio_crypt_check_alignment): encrypted I/O
# fails with an I/O error and nothing, plaintext or wrong ciphertext,
# reaches the devices.
# nb_create_512 NAME SIZE_MB MODES: an emulated device with 512-byte logical
# blocks (nb_create makes 4096-byte ones, which 1-sector chunks cannot serve
# even without encryption).
nb_create_512() {
	local d=$NULLB/$1
	mkdir "$d" &&
	echo "$2" > "$d/size" &&
	echo 1 > "$d/memory_backed" &&
	echo 512 > "$d/blocksize" &&
	echo "$3" > "$d/crypto_modes" &&
	echo 8 > "$d/crypto_max_dun_bytes" &&
	echo 8 > "$d/crypto_num_keyslots" &&
	echo 1 > "$d/power" &&
	[ -b "/dev/$1" ]
}

@test "striped with 1-sector chunks and 4096-byte data units: encrypted I/O fails cleanly" {
	nb_create_512 hw0 32 "AES-256-XTS=4096"
	nb_create_512 hw1 32 "AES-256-XTS=4096"
	dmsetup create fs --table "0 $((2 * MB32)) striped 2 1 /dev/hw0 0 /dev/hw1 0"
	[ "$(exposed fs)" = "AES-256-XTS=0x1000 dun_bits=64 slots=0" ]
	mkfs.ext4 -q -F -O encrypt -b 4096 /dev/mapper/fs
	mkdir -p "$FSCRYPT_MNT"
	mount -o inlinecrypt /dev/mapper/fs "$FSCRYPT_MNT"
	head -c 64 /dev/urandom > "$KEYFILE"
	KEYID=$(xfs_io -c add_enckey "$FSCRYPT_MNT" < "$KEYFILE" |
		sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
	mkdir "$FSCRYPT_MNT/secret"
	xfs_io -r -c "set_encpolicy -v 2 $KEYID" "$FSCRYPT_MNT/secret"
	# written through the page cache; the error shows at fsync
	run bash -c "yes '$PLAINTEXT_MARKER' | head -c 1048576 |
		dd of='$FSCRYPT_MNT/secret/data' bs=64k conv=fsync status=none"
	echo "write: status $status: $output"
	for d in hw0 hw1; do nb_counters "$d"; done
	dmesg | tail -n 20
	[ "$status" -ne 0 ]
	# the emulators never saw an encryption context
	[ "$(counter_sum data_units_encrypted hw0 hw1)" -eq 0 ]
	umount "$FSCRYPT_MNT" || true
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/hw1
}

# ---- dm-delay ---------------------------------------------------------------

@test "delay: version 1.5.0 or later (our series' marker)" {
	run target_version delay
	echo "delay $output"
	[[ "$output" == v1.[5-9].* || "$output" == v1.[1-9][0-9].* ]]
}

@test "delay with separate read and write devices exposes their intersection" {
	make_pair
	dmsetup create dl --table "0 $MB32 delay /dev/hw0 0 0 /dev/hw1 0 0"
	[ "$(exposed dl)" = "$INTERSECTION" ]
	dmsetup create dl1 --table "0 $MB32 delay /dev/hw0 0 5"
	[ "$(exposed dl1)" = "$HW0_ALONE" ]
}

@test "fscrypt inlinecrypt over delay (2 ms, bios parked and resubmitted): hardware path, ciphertext only" {
	nb_create hw0 32 "AES-256-XTS=4096" 8 8
	dmsetup create fs --table "0 $MB32 delay /dev/hw0 0 2"
	fscrypt_hw_check fs hw0
}

# ---- dm-dust ----------------------------------------------------------------

@test "dust: version 1.1.0 or later (our series' marker)" {
	run target_version dust
	echo "dust $output"
	[[ "$output" == v1.[1-9].* || "$output" == v1.[1-9][0-9].* ]]
}

@test "dust exposes its device's capabilities" {
	make_pair
	dmsetup create du --table "0 $MB32 dust /dev/hw0 0 4096"
	[ "$(exposed du)" = "$HW0_ALONE" ]
}

@test "fscrypt inlinecrypt over dust (4096-byte blocks): hardware path, ciphertext only" {
	nb_create hw0 32 "AES-256-XTS=4096" 8 8
	dmsetup create fs --table "0 $MB32 dust /dev/hw0 0 4096"
	fscrypt_hw_check fs hw0
}

# ---- dm-unstripe ------------------------------------------------------------

@test "unstriped: version 1.2.0 or later (our series' marker)" {
	run target_version unstriped
	echo "unstriped $output"
	[[ "$output" == v1.[2-9].* || "$output" == v1.[1-9][0-9].* ]]
}

@test "unstriped targets over two devices expose their intersection" {
	make_pair
	dmsetup create us --table "0 $((MB32 / 2)) unstriped 2 128 0 /dev/hw0 0
$((MB32 / 2)) $((MB32 / 2)) unstriped 2 128 1 /dev/hw1 0"
	[ "$(exposed us)" = "$INTERSECTION" ]
}

@test "fscrypt inlinecrypt over unstriped (stripe 1 of 2, 64 KiB chunks): hardware path, ciphertext only" {
	nb_create hw0 64 "AES-256-XTS=4096" 8 8
	dmsetup create fs --table "0 $MB32 unstriped 2 128 1 /dev/hw0 0"
	fscrypt_hw_check fs hw0
}

# ---- dm-switch --------------------------------------------------------------

@test "switch: version 1.2.0 or later (our series' marker)" {
	run target_version switch
	echo "switch $output"
	[[ "$output" == v1.[2-9].* || "$output" == v1.[1-9][0-9].* ]]
}

@test "switch over two paths exposes their intersection" {
	make_pair
	dmsetup create sw --table "0 $MB32 switch 2 128 0 /dev/hw0 0 /dev/hw1 0"
	[ "$(exposed sw)" = "$INTERSECTION" ]
}

@test "fscrypt inlinecrypt over switch (regions alternating between 2 devices): hardware path on both" {
	nb_create hw0 32 "AES-256-XTS=4096" 8 8
	nb_create hw1 32 "AES-256-XTS=512,4096" 4 8
	# the initial region table maps region i to path i mod 2
	dmsetup create fs --table "0 $MB32 switch 2 128 0 /dev/hw0 0 /dev/hw1 0"
	fscrypt_hw_check fs hw0 hw1
}

# ---- libdmcaps knows ----------------------------------------------------------

@test "dmcaps show: striped over emulated devices, predicted equals exposed" {
	dmcaps_require
	make_pair
	dmsetup create st --table "0 $((2 * MB32)) striped 2 128 /dev/hw0 0 /dev/hw1 0"
	run "$DMCAPS" show --pairs -o NAME,PREDICTED,EXPOSED,PASSES,WHY st
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(printf '%s\n' "$output" | grep -F 'NAME="st" ')
	eval "$line"
	[ "$PREDICTED" = "AES-256-XTS:0x1000 dun=4 keyslots=0" ]
	[ "$PREDICTED" = "$EXPOSED" ]
	line=$(printf '%s\n' "$output" | grep -F 'NAME="#1 striped"')
	eval "$line"
	[ "$PASSES" = yes ]
}

# ---- dm-zero and dm-error: no device, no narrowing ------------------------------

@test "zero 1.3.0 and error 1.8.0 or later (our series' markers)" {
	run target_version zero
	echo "zero $output"
	[[ "$output" == v1.[3-9].* || "$output" == v1.[1-9][0-9].* ]]
	run target_version error
	echo "error $output"
	[[ "$output" == v1.[8-9].* || "$output" == v1.[1-9][0-9].* ]]
}

@test "an error target between linear targets (bad sectors) keeps the intersection" {
	make_pair
	dmsetup create bad --table "0 $((MB32 / 2)) linear /dev/hw0 0
$((MB32 / 2)) 8 error
$((MB32 / 2 + 8)) $((MB32 / 2)) linear /dev/hw1 0"
	[ "$(exposed bad)" = "$INTERSECTION" ]
	# the bad sectors fail, the rest serves I/O
	not dd if=/dev/mapper/bad bs=4096 skip=$((MB32 / 16)) count=1 iflag=direct of=/dev/null status=none
	dd if=/dev/mapper/bad bs=4096 count=1 iflag=direct of=/dev/null status=none
}

@test "a zero target beside a linear one keeps the linear device's set" {
	make_pair
	dmsetup create sparse --table "0 $MB32 linear /dev/hw0 0
$MB32 $MB32 zero"
	[ "$(exposed sparse)" = "$HW0_ALONE" ]
}

@test "tables of only zero or error targets expose nothing on a new device" {
	dmsetup create z --table "0 $MB32 zero"
	[ "$(exposed z)" = none ]
	dmsetup create e --table "0 $MB32 error"
	[ "$(exposed e)" = none ]
}

@test "wipe_table (an error table) keeps a capable device's set; a real table can follow" {
	make_pair
	dmsetup create dev --table "0 $MB32 linear /dev/hw0 0"
	before=$(exposed dev)
	[ "$before" = "$HW0_ALONE" ]
	dmsetup wipe_table dev
	[[ "$(dmsetup table dev)" == *error* ]]
	[ "$(exposed dev)" = "$before" ]
	not dd if=/dev/mapper/dev bs=4096 count=1 iflag=direct of=/dev/null status=none
	# and back to the device: not refused as more restrictive
	dmsetup load dev --table "0 $MB32 linear /dev/hw0 0"
	dmsetup resume dev
	[ "$(exposed dev)" = "$before" ]
	log_since_mark > /tmp/dmcaps-log
	not grep -F "more restrictive" /tmp/dmcaps-log
}

@test "a zero table loaded into a capable device keeps its set, not everything" {
	make_pair
	dmsetup create dev --table "0 $MB32 linear /dev/hw1 0"
	before=$(exposed dev)
	dmsetup load dev --table "0 $MB32 zero"
	dmsetup resume dev
	[ "$(exposed dev)" = "$before" ]
	# a device offering more than hw1: the reload expands
	nb_create big0 32 "AES-256-XTS=512,4096 SM4-XTS=4096 Adiantum=4096" 8 8
	dmsetup load dev --table "0 $MB32 linear /dev/big0 0"
	dmsetup resume dev
	[[ "$(exposed dev)" == "AES-256-XTS=0x1200 "*"dun_bits=64 slots=0" ]]
	# a zero table keeps big0's set (not "everything"), and big0's own
	# table can come back
	dmsetup load dev --table "0 $MB32 zero"
	dmsetup resume dev
	[[ "$(exposed dev)" == "AES-256-XTS=0x1200 "*"dun_bits=64 slots=0" ]]
	dmsetup load dev --table "0 $MB32 linear /dev/big0 0"
}
