# SPDX-License-Identifier: GPL-2.0-or-later
#
# fscrypt over emulated inline-encryption devices: set up ext4 with an
# encrypted directory on a DM device, and prove that the data took the
# hardware path (null_blk's crypto counters), left only ciphertext on every
# raw device and reads back after a remount. Needs tests/vm/lib/emulation
# (load it first) and xfs_io.

# fscrypt_setup MNT [DEV]: makes ext4 on DEV (default /dev/mapper/fs),
# mounts it on MNT with inlinecrypt, adds a fresh key (kept in $KEYFILE for
# a later remount; its identifier in $KEYID), sets it on MNT/secret, writes
# a 4 MiB marker file there (checksum in $SUM) and an unencrypted control
# file beside it.
KEYFILE=/tmp/dmcaps-fscrypt.key
CONTROL_MARKER=control-plaintext-visible-here
fscrypt_setup() {
	local mnt=$1 dev=${2:-/dev/mapper/fs}
	mkfs.ext4 -q -F -O encrypt -b 4096 "$dev"
	mkdir -p "$mnt"
	mount -o inlinecrypt "$dev" "$mnt"
	yes "$CONTROL_MARKER" | head -c 65536 > "$mnt/control"
	head -c 64 /dev/urandom > "$KEYFILE"
	KEYID=$(xfs_io -c add_enckey "$mnt" < "$KEYFILE" |
		sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
	[ -n "$KEYID" ]
	mkdir "$mnt/secret"
	xfs_io -r -c "set_encpolicy -v 2 $KEYID" "$mnt/secret"
	write_marker_file "$mnt/secret/data" 4096
	SUM=$(md5sum < "$mnt/secret/data")
	sync
}

counter_sum() {	# counter_sum COUNTER DEV...
	local c=$1 d n=0
	shift
	for d in "$@"; do n=$((n + $(nb_counter "$d" "$c"))); done
	echo "$n"
}

# fscrypt_hw_check DMNAME NBDEV...: fscrypt inlinecrypt on DM device DMNAME,
# whose data lands on the emulated devices NBDEV... (all of them). Fails
# unless every device encrypted part of the file (the hardware path, no
# fallback), no raw device holds the plaintext marker while the unencrypted
# control file is found on one of them, and the file reads back, decrypted
# by the devices, after a remount with cold caches. Leaves it mounted on
# $FSCRYPT_MNT with the key added.
FSCRYPT_MNT=/tmp/dmcaps-mnt
fscrypt_hw_check() {
	local dm=$1 d dec found=
	local -A dec_before
	shift
	fscrypt_setup "$FSCRYPT_MNT" "/dev/mapper/$dm"
	for d in "$@"; do
		nb_counters "$d"
		[ "$(nb_counter "$d" data_units_encrypted)" -gt 0 ]
	done
	# 4 MiB of 4 KiB data units, at least, went through the emulators
	[ "$(counter_sum data_units_encrypted "$@")" -ge 1024 ]
	log_since_mark > /tmp/dmcaps-log
	not grep -F "using blk-crypto-fallback" /tmp/dmcaps-log

	umount "$FSCRYPT_MNT"
	for d in "$@"; do
		not raw_has_marker "/dev/$d"
		if raw_has_marker "/dev/$d" "$CONTROL_MARKER"; then
			found=$d
		fi
	done
	echo "control file found on: ${found:-none}"
	[ -n "$found" ]

	echo 3 > /proc/sys/vm/drop_caches
	dec=$(counter_sum data_units_decrypted "$@")
	for d in "$@"; do
		dec_before[$d]=$(nb_counter "$d" data_units_decrypted)
	done
	mount -o inlinecrypt "/dev/mapper/$dm" "$FSCRYPT_MNT"
	xfs_io -c add_enckey "$FSCRYPT_MNT" < "$KEYFILE"
	[ "$(md5sum < "$FSCRYPT_MNT/secret/data")" = "$SUM" ]
	# every device decrypted its part, 4 MiB in all at least
	for d in "$@"; do
		nb_counters "$d"
		[ "$(nb_counter "$d" data_units_decrypted)" -gt "${dec_before[$d]}" ]
	done
	[ "$(counter_sum data_units_decrypted "$@")" -ge $((dec + 1024)) ]
}
