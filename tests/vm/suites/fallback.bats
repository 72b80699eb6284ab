#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Per-device blk-crypto-fallback under device-mapper (the dm-crypto series'
# dm/crypto_fallback): a DM device over an emulated inline-encryption device
# and a plain one exposes what the emulated device supports; clones to it are
# encrypted by its "hardware" (null_blk's counters), clones to the plain
# device by blk-crypto-fallback there. Proven with ext4 + fscrypt
# (inlinecrypt): what lands on each device, that it is the ciphertext
# fscrypt's own software path writes, that it reads back, eviction, stacking,
# striping, and that without the switch nothing changes. Then the real
# dmcaps show and check on such devices: the union predicted as the kernel
# exposes it, the leg that falls back named, and today's output without
# the switch.

bats_require_minimum_version 1.5.0
load ../lib/emulation
load ../lib/fscrypt

SECT_PER_MB=2048
MNT=/tmp/dmcaps-mnt-fallback
XTS="AES-256-XTS=0x1000 dun_bits=64 slots=0"

setup() {
	vm_cleanup
	nb_create hw0 32 "AES-256-XTS=4096" 8 8
	nb_create plain0 32 ""
	mark_log
}

teardown() {
	vm_cleanup
	rm -f "$LBLK64_MASTER" "$LBLK64_KEY" "$KEYFILE"
	rm -f /tmp/dmcaps-fb-*
}

# fb_switch DMNAME: the device's dm/crypto_fallback file; skips on a kernel
# without it (stock, or the series without the per-device fallback).
fb_switch() {
	local f
	f=/sys/block/$(dm_kname "$1")/dm/crypto_fallback
	[ -e "$f" ] || skip "kernel without dm/crypto_fallback (per-device blk-crypto-fallback)"
	echo "$f"
}

# fb_on DMNAME: set the switch and reload the same table, so that it applies
fb_on() {
	fb_switch "$1" > /dev/null
	dm_fallback_on "$1"
}

# stack_up_low: "low", linear over plain0 alone (exposes nothing), and
# "up", 1 MiB chunks of hw0 and low in turn; neither has the switch set
stack_up_low() {
	local i table=
	dmsetup create low --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	for i in $(seq 0 15); do
		table="$table$((2 * i * SECT_PER_MB)) $SECT_PER_MB linear /dev/hw0 $((i * SECT_PER_MB))
$(((2 * i + 1) * SECT_PER_MB)) $SECT_PER_MB linear /dev/mapper/low $((i * SECT_PER_MB))
"
	done
	dmsetup create up --table "$table"
}

# file_extents FILE: "PHYSICAL_BLOCK COUNT" per extent (4 KiB blocks)
file_extents() {
	filefrag -v "$1" | awk '/^ *[0-9]+:/ {
		gsub(/\.\./, " "); gsub(/:/, " "); print $4, $6 }'
}

# leg_blocks FILE CHUNK_SECTORS NLEGS: the file's blocks on each leg of a
# layout that takes CHUNK_SECTORS from each leg in turn, "N0 N1 ..."
leg_blocks() {
	file_extents "$1" | awk -v cs="$2" -v n="$3" '
		{ for (b = $1; b < $1 + $2; b++) c[int(b * 8 / cs) % n]++ }
		END { for (i = 0; i < n; i++) printf "%d%s", c[i], i < n - 1 ? " " : "\n" }'
}

# raw_file_blocks DEV EXTENTS OUT: the blocks listed in EXTENTS (as
# file_extents prints them) read from DEV without an encryption context
raw_file_blocks() {
	local s n
	: > "$3"
	while read -r s n; do
		dd if="$1" bs=4096 skip="$s" count="$n" iflag=direct status=none >> "$3" ||
			return 1
	done < "$2"
}

fb_log_clean() {
	log_since_mark > /tmp/dmcaps-fb-log
	not grep -E "WARNING|BUG|error -?[0-9]+ evicting key|blk-crypto-fallback: .*fail" \
		/tmp/dmcaps-fb-log
}

# mixed_fscrypt DMNAME CHUNK_SECTORS: fscrypt over DMNAME (the switch on,
# hw0 and plain0 in turn every CHUNK_SECTORS); checks that the file lies on
# both legs and that hw0 encrypted exactly its part. Sets HW_BLOCKS and
# PLAIN_BLOCKS.
mixed_fscrypt() {
	local blocks enc0
	enc0=$(nb_counter hw0 data_units_encrypted)
	fscrypt_setup "$MNT" "/dev/mapper/$1"
	blocks=$(leg_blocks "$MNT/secret/data" "$2" 2)
	HW_BLOCKS=${blocks% *}
	PLAIN_BLOCKS=${blocks#* }
	echo "file blocks: hw0 $HW_BLOCKS, plain0 $PLAIN_BLOCKS; $(nb_counters hw0)"
	[ "$HW_BLOCKS" -gt 0 ]
	[ "$PLAIN_BLOCKS" -gt 0 ]
	[ $((HW_BLOCKS + PLAIN_BLOCKS)) = 1024 ]
	# its part only: every block of the file on hw0, and nothing else
	[ "$(($(nb_counter hw0 data_units_encrypted) - enc0))" = "$HW_BLOCKS" ]
}

@test "the switch: 0 by default, 1 exposes what either device supports, at the next load" {
	linear_interleaved mix hw0 plain0
	f=$(fb_switch mix)
	[ "$(cat "$f")" = 0 ]
	[ "$(exposed mix)" = none ]
	echo 1 > "$f"
	# not before the next load
	[ "$(exposed mix)" = none ]
	fb_on mix
	[ "$(exposed mix)" = "$XTS" ]
	# each table keeps the value it was loaded with: the live one is not
	# narrowed when the switch is cleared, the next load would be
	echo 0 > "$f"
	[ "$(exposed mix)" = "$XTS" ]
	dmsetup table mix > /tmp/dmcaps-fb-table
	run dmsetup reload mix /tmp/dmcaps-fb-table
	[ "$status" -ne 0 ]
	log_since_mark | grep -F "more restrictive than the old table"
	[ "$(tables mix)" = LIVE ]
	run bash -c "echo maybe > $f"
	[ "$status" -ne 0 ]
	[ "$(cat "$f")" = 0 ]
}

@test "fscrypt over linear on an emulated and a plain device: hardware for its part, software at the plain device" {
	linear_interleaved mix hw0 plain0
	fb_on mix
	mixed_fscrypt mix "$SECT_PER_MB"
	umount "$MNT"
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/plain0
	# the unencrypted control file is there in the clear: the check works
	raw_has_marker /dev/hw0 "$CONTROL_MARKER" || raw_has_marker /dev/plain0 "$CONTROL_MARKER"
	fb_log_clean
}

@test "both devices hold the ciphertext fscrypt's software path writes for the same file, key and policy" {
	linear_interleaved mix hw0 plain0
	fb_on mix
	mixed_fscrypt mix "$SECT_PER_MB"
	file_extents "$MNT/secret/data" > /tmp/dmcaps-fb-ext.inline
	umount "$MNT"
	raw_file_blocks /dev/mapper/mix /tmp/dmcaps-fb-ext.inline /tmp/dmcaps-fb-inline
	[ "$(stat -c %s /tmp/dmcaps-fb-inline)" = $((1024 * 4096)) ]
	not raw_has_marker /tmp/dmcaps-fb-inline

	# Software fscrypt (no inlinecrypt) rewrites the file in place: same
	# inode (so the same per-file key), same blocks (so the same IVs).
	enc0=$(nb_counter hw0 data_units_encrypted)
	mount "/dev/mapper/mix" "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	write_marker_file /tmp/dmcaps-fb-plain 4096
	dd if=/tmp/dmcaps-fb-plain of="$MNT/secret/data" bs=1M conv=notrunc,fsync status=none
	file_extents "$MNT/secret/data" > /tmp/dmcaps-fb-ext.software
	umount "$MNT"
	cmp /tmp/dmcaps-fb-ext.inline /tmp/dmcaps-fb-ext.software
	[ "$(nb_counter hw0 data_units_encrypted)" = "$enc0" ]
	raw_file_blocks /dev/mapper/mix /tmp/dmcaps-fb-ext.software /tmp/dmcaps-fb-software

	# Block for block, on both devices: what hw0's engine and the fallback
	# at plain0 wrote is what software fscrypt wrote.
	cmp /tmp/dmcaps-fb-inline /tmp/dmcaps-fb-software
	fb_log_clean
}

@test "the file reads back after a remount and with dropped caches, each device decrypting its part" {
	linear_interleaved mix hw0 plain0
	fb_on mix
	mixed_fscrypt mix "$SECT_PER_MB"
	umount "$MNT"
	echo 3 > /proc/sys/vm/drop_caches
	dec0=$(nb_counter hw0 data_units_decrypted)
	mount -o inlinecrypt /dev/mapper/mix "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	nb_counters hw0
	[ "$(($(nb_counter hw0 data_units_decrypted) - dec0))" = "$HW_BLOCKS" ]
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	[ "$(($(nb_counter hw0 data_units_decrypted) - dec0))" = $((2 * HW_BLOCKS)) ]
	fb_log_clean
}

@test "removing the key evicts it from the hardware keyslot; the next read programs it again" {
	linear_interleaved mix hw0 plain0
	fb_on mix
	mixed_fscrypt mix "$SECT_PER_MB"
	[ "$(nb_counter hw0 keys_programmed)" -ge 1 ]
	ev0=$(nb_counter hw0 keyslot_evictions)
	xfs_io -c "rm_enckey $KEYID" "$MNT"
	nb_counters hw0
	[ "$(nb_counter hw0 keys_programmed)" = 0 ]
	[ "$(nb_counter hw0 keyslot_evictions)" -gt "$ev0" ]
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	[ "$(nb_counter hw0 keys_programmed)" -ge 1 ]
	fb_log_clean
}

@test "stacked: linear without the switch over the mixed device passes it on" {
	linear_interleaved mix hw0 plain0
	fb_on mix
	dmsetup create top --table "0 $((32 * SECT_PER_MB)) linear /dev/mapper/mix 0"
	[ "$(cat "$(fb_switch top)")" = 0 ]
	[ "$(exposed top)" = "$XTS" ]
	mixed_fscrypt top "$SECT_PER_MB"
	umount "$MNT"
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/plain0
	mount -o inlinecrypt /dev/mapper/top "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	fb_log_clean
}

@test "stacked: the switch on the upper device over a lower one without it" {
	stack_up_low
	fb_on up
	[ "$(exposed low)" = none ]
	[ "$(exposed up)" = "$XTS" ]
	mixed_fscrypt up "$SECT_PER_MB"
	umount "$MNT"
	not raw_has_marker /dev/plain0
	not raw_has_marker /dev/hw0
	mount -o inlinecrypt /dev/mapper/up "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	fb_log_clean
}

@test "striped over an emulated and a plain device, a file over many chunks" {
	[ "$(target_version striped | cut -d. -f2)" -ge 7 ] ||
		skip "striped does not pass inline crypto in this kernel"
	# 64 KiB chunks: the 4 MiB file crosses 64 of them
	dmsetup create str --table "0 $((64 * SECT_PER_MB)) striped 2 128 /dev/hw0 0 /dev/plain0 0"
	fb_on str
	[ "$(exposed str)" = "$XTS" ]
	mixed_fscrypt str 128
	file_extents "$MNT/secret/data" > /tmp/dmcaps-fb-ext.inline
	chunks=$(awk '{ for (b = $1; b < $1 + $2; b++) {
			k = int(b * 8 / 128); if (!(k in c)) { c[k] = 1; n++ } } }
		END { print n }' /tmp/dmcaps-fb-ext.inline)
	echo "chunks: $chunks"
	[ "$chunks" -ge 64 ]
	umount "$MNT"
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/plain0
	raw_file_blocks /dev/mapper/str /tmp/dmcaps-fb-ext.inline /tmp/dmcaps-fb-inline
	mount /dev/mapper/str "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	write_marker_file /tmp/dmcaps-fb-plain 4096
	dd if=/tmp/dmcaps-fb-plain of="$MNT/secret/data" bs=1M conv=notrunc,fsync status=none
	umount "$MNT"
	raw_file_blocks /dev/mapper/str /tmp/dmcaps-fb-ext.inline /tmp/dmcaps-fb-software
	cmp /tmp/dmcaps-fb-inline /tmp/dmcaps-fb-software
	mount -o inlinecrypt /dev/mapper/str "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	fb_log_clean
}

@test "a reload onto the plain device alone keeps what the device exposes (pvmove's end)" {
	dmsetup create mv --table "0 $((32 * SECT_PER_MB)) linear /dev/hw0 0"
	fb_on mv
	[ "$(exposed mv)" = "$XTS" ]
	fscrypt_setup "$MNT" /dev/mapper/mv
	[ "$(nb_counter hw0 data_units_encrypted)" -ge 1024 ]
	# the ciphertext moves as it is (no encryption context on either copy)
	dmsetup suspend mv
	dd if=/dev/hw0 of=/dev/plain0 bs=1M count=32 iflag=direct oflag=direct status=none
	dmsetup reload mv --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	dmsetup resume mv
	[ "$(exposed mv)" = "$XTS" ]
	dec0=$(nb_counter hw0 data_units_decrypted)
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	# new data, encrypted at plain0 by the fallback
	write_marker_file "$MNT/secret/more" 1024
	sync
	[ "$(nb_counter hw0 data_units_decrypted)" = "$dec0" ]
	umount "$MNT"
	not raw_has_marker /dev/plain0
	fb_log_clean
}

@test "without the switch: today's behaviour, fallback above DM, the emulated device does no crypto" {
	linear_interleaved mix hw0 plain0
	[ "$(cat "$(fb_switch mix)")" = 0 ]
	[ "$(exposed mix)" = none ]
	fscrypt_setup "$MNT" /dev/mapper/mix
	nb_counters hw0
	[ "$(nb_counter hw0 data_units_encrypted)" = 0 ]
	[ "$(nb_counter hw0 keyslot_programs)" = 0 ]
	umount "$MNT"
	not raw_has_marker /dev/hw0
	not raw_has_marker /dev/plain0
	mount -o inlinecrypt /dev/mapper/mix "$MNT"
	xfs_io -c add_enckey "$MNT" < "$KEYFILE"
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	[ "$(nb_counter hw0 data_units_decrypted)" = 0 ]
	fb_log_clean
}

# --- dmcaps show and check under the switch ---------------------------------

# What a DM device over hw0 exposes, as dmcaps prints it; the WHY line of
# plain0 falling back (lib/predict.c, DMCAPS_CAUSE_DEVICE_FALLBACK).
XTS_PAIRS="AES-256-XTS:0x1000 dun=8 keyslots=0"
PLAIN0_SW="plain0 lacks AES-256-XTS: encrypted in software at that device"
S16=$((16 * SECT_PER_MB))
HALVES="0 $S16 linear /dev/hw0 0
$S16 $S16 linear /dev/plain0 0"

# fb_show DEVICE...: dmcaps show --pairs; fails on an error or a MISMATCH
# (the prediction, the kernel's answer and sysfs disagree)
fb_show() {
	run --separate-stderr "$DMCAPS" show --pairs \
		-o NAME,PREDICTED,KERNEL,EXPOSED,WHY "$@"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[[ "$output$stderr" != *MISMATCH* ]]
}

# fb_check DEVICE TABLE [OPTION...]: dmcaps check --pairs, the verdict line
# eval'd (VERDICT, NOW, NEW, ...)
fb_check() {
	local dev=$1 table=$2
	shift 2
	run --separate-stderr "$DMCAPS" check --pairs "$@" "$dev" --table "$table"
	echo "check $dev: status $status"
	echo "$output"
	echo "stderr: $stderr"
	eval "$(printf '%s\n' "$output" | head -n 1)"
}

@test "dmcaps show, switch on: the union of the legs predicted as the kernel exposes it; the plain leg falls back" {
	dmcaps_require
	linear_interleaved mix hw0 plain0
	fb_on mix
	fb_show mix
	node_pairs mix
	[ "$PREDICTED" = "$XTS_PAIRS" ]
	[ "$KERNEL" = "$PREDICTED" ] && [ "$EXPOSED" = "$PREDICTED" ]
	[[ "$WHY" == *"$PLAIN0_SW"* ]]
	# once for the device (16 targets map to it), nothing for hw0, no loss
	[ "$(grep -o -F "encrypted in software" <<< "$WHY" | wc -l)" = 1 ]
	[[ "$WHY" != *hw0* ]]
	[[ "$WHY" != *"no inline crypto"* ]]
	# the tree, as people read it
	run --separate-stderr "$DMCAPS" show mix
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$PLAIN0_SW"* ]]
}

@test "dmcaps show, switch off: today's output, nothing predicted or exposed, the plain leg a loss" {
	dmcaps_require
	linear_interleaved mix hw0 plain0
	[ "$(cat "$(fb_switch mix)")" = 0 ]
	fb_show mix
	node_pairs mix
	[ "$PREDICTED" = none ] && [ "$KERNEL" = none ] && [ "$EXPOSED" = none ]
	[[ "$WHY" == *"device plain0 has no inline crypto"* ]]
	[[ "$WHY" != *"encrypted in software"* ]]
}

@test "dmcaps show, stacked: the switch on the upper device names the lower DM device as the leg that falls back" {
	dmcaps_require
	stack_up_low
	fb_on up
	fb_show up
	node_pairs up
	[ "$PREDICTED" = "$XTS_PAIRS" ]
	[ "$KERNEL" = "$PREDICTED" ] && [ "$EXPOSED" = "$PREDICTED" ]
	# the fallback runs where the clone meets a queue without the mode: low
	[[ "$WHY" == *"low lacks AES-256-XTS: encrypted in software at that device"* ]]
	[[ "$WHY" != *plain0* ]]
	# low, without the switch: today's intersection, plain0 the loss
	node_pairs low
	[ "$PREDICTED" = none ] && [ "$KERNEL" = none ] && [ "$EXPOSED" = none ]
	[[ "$WHY" == *"device plain0 has no inline crypto"* ]]
	[[ "$WHY" != *"encrypted in software"* ]]
}

@test "dmcaps check, pvmove's end: onto the plain device shrinks without the switch (plain0 named), keeps with it; the kernel agrees" {
	dmcaps_require
	dmsetup create mv --table "0 $((32 * SECT_PER_MB)) linear /dev/hw0 0"
	[ "$(exposed mv)" = "$XTS" ]
	fb_check mv "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	[ "$status" -eq 11 ] && [ "$VERDICT" = shrinks ]
	[ "$NOW" = "$XTS_PAIRS" ] && [ "$NEW" = none ]
	[[ "$output" == *'ITEM="lost"'*'CAPABILITY="AES-256-XTS(4096)"'*'CAUSE_DEVICE="plain0"'* ]]
	not dmsetup load mv --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	[ "$(tables mv)" = LIVE ]

	fb_on mv
	fb_check mv "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0" --verbose
	[ "$status" -eq 0 ] && [ "$VERDICT" = keeps ]
	[ "$NOW" = "$XTS_PAIRS" ] && [ "$NEW" = "$XTS_PAIRS" ]
	# nothing gained or lost; plain0 named once as the device that falls back
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	[[ "$output" == *'ITEM="fallback"'*"CAUSE=\"$PLAIN0_SW\""*'CAUSE_DEVICE="plain0"'* ]]
	[[ "$stderr" == *"mv has crypto_fallback set"* ]]
	run --separate-stderr "$DMCAPS" check mv --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	[ "$status" -eq 0 ]
	[[ "$output" == *"  fallback: $PLAIN0_SW"* ]]
	dmsetup load mv --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	dmsetup resume mv
	[ "$(exposed mv)" = "$XTS" ]
	# the new live table: kept, exposed, plain0 falling back
	fb_show mv
	node_pairs mv
	[ "$PREDICTED" = "$XTS_PAIRS" ] && [ "$KERNEL" = "$PREDICTED" ]
	[[ "$WHY" == *"$PLAIN0_SW"* ]]
	fb_log_clean
}

@test "dmcaps check, a mixed table onto a device that exposes nothing: keeps without the switch, gains the union with it; the kernel agrees" {
	dmcaps_require
	dmsetup create v --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	fb_check v "$HALVES"
	[ "$status" -eq 0 ] && [ "$VERDICT" = keeps ]
	[ "$NOW" = none ] && [ "$NEW" = none ]
	dmsetup load v --table "$HALVES"
	dmsetup resume v
	[ "$(exposed v)" = none ]

	# back over plain0 alone, then the switch on: no device supports a
	# mode, nothing exposed
	dmsetup load v --table "0 $((32 * SECT_PER_MB)) linear /dev/plain0 0"
	dmsetup resume v
	fb_on v
	[ "$(exposed v)" = none ]
	fb_check v "$HALVES"
	[ "$status" -eq 0 ] && [ "$VERDICT" = expands ]
	[ "$NOW" = none ] && [ "$NEW" = "$XTS_PAIRS" ]
	[[ "$output" == *'ITEM="gained"'*'CAPABILITY="AES-256-XTS(4096)"'* ]]
	[[ "$output" == *'ITEM="fallback"'*"CAUSE=\"$PLAIN0_SW\""* ]]
	[[ "$output" != *hw0* ]]
	dmsetup load v --table "$HALVES"
	dmsetup resume v
	[ "$(exposed v)" = "$XTS" ]
	fb_show v
	node_pairs v
	[ "$PREDICTED" = "$XTS_PAIRS" ] && [ "$KERNEL" = "$PREDICTED" ]
	[[ "$WHY" == *"$PLAIN0_SW"* ]]
	fb_log_clean
}

@test "the live table's fallback mode is the table's, not the switch's: DM_CRYPTO_CAPS says it, dmcaps show predicts by it" {
	dmcaps_require
	local tool=$EMULATION_TOP/tests/vm/tools/crypto-caps.py
	linear_interleaved mix hw0 plain0
	f=$(fb_switch mix)
	run "$tool" mix
	[[ "$output" == *"header version=2 "*" flags=kernel "* ]]
	fb_on mix
	run "$tool" mix
	[[ "$output" == *"header version=2 "*" flags=kernel,fallback "* ]]
	# the switch cleared without a reload: the live table still unites
	echo 0 > "$f"
	run "$tool" mix
	[[ "$output" == *" flags=kernel,fallback "* ]]
	fb_show mix
	node_pairs mix
	[ "$PREDICTED" = "$XTS_PAIRS" ] && [ "$KERNEL" = "$PREDICTED" ]
	[[ "$WHY" == *"$PLAIN0_SW"* ]]
	# the next load is what the switch says: check predicts a shrink
	dmsetup table mix > /tmp/dmcaps-fb-table
	run "$DMCAPS" check mix /tmp/dmcaps-fb-table
	echo "$output"
	[ "$status" -eq 11 ]
	# and the other way: a table loaded without it, the switch set since
	dmsetup remove mix
	linear_interleaved mix hw0 plain0
	echo 1 > "$(fb_switch mix)"
	fb_show mix
	node_pairs mix
	[ "$PREDICTED" = none ] && [ "$KERNEL" = none ]
	[[ "$WHY" != *"encrypted in software"* ]]
}
