# SPDX-License-Identifier: GPL-2.0-or-later
#
# fscrypt over emulated inline-encryption devices: set up ext4 with an
# encrypted directory on a DM device, and prove that the data took the
# hardware path (null_blk's crypto counters), left only ciphertext on every
# raw device and reads back after a remount. Needs tests/vm/lib/emulation
# (load it first) and xfs_io.

# fscrypt_setup MNT [DEV]: makes ext4 on DEV (default /dev/mapper/fs; more
# mkfs.ext4 options in FSCRYPT_MKFS_OPTS), mounts it on MNT with
# inlinecrypt, adds a fresh key (kept in $KEYFILE for a later remount; its
# identifier in $KEYID), sets it on MNT/secret, writes a 4 MiB marker file
# there (checksum in $SUM) and an unencrypted control file beside it.
KEYFILE=/tmp/dmcaps-fscrypt.key
CONTROL_MARKER=control-plaintext-visible-here
fscrypt_setup() {
	local mnt=$1 dev=${2:-/dev/mapper/fs}
	# shellcheck disable=SC2086
	mkfs.ext4 -q -F -O encrypt -b 4096 ${FSCRYPT_MKFS_OPTS:-} "$dev"
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

# fscrypt_lblk64_setup MNT DEV SIZE_KB: ext4 on DEV mounted with inlinecrypt
# on MNT; a fresh master key ($LBLK64_MASTER) whose identifier must be the
# one fscrypt-inline-key.py computes (so its HKDF is the kernel's); a v2
# directory MNT/secret with flag IV_INO_LBLK_64 (0x8: one inline key per
# mode) holding a marker file "data" of SIZE_KB (checksum in $SUM); and
# fscrypt's AES-256-XTS inline key derived into $LBLK64_KEY (raw bytes).
FSCRYPT_INLINE_KEY_TOOL=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/fscrypt-inline-key.py
LBLK64_MASTER=/tmp/dmcaps-lblk64.master
LBLK64_KEY=/tmp/dmcaps-lblk64.inline
fscrypt_lblk64_setup() {
	local mnt=$1 dev=$2 kb=$3 id
	mkfs.ext4 -q -F -O encrypt,stable_inodes -b 4096 "$dev"
	mkdir -p "$mnt"
	mount -o inlinecrypt "$dev" "$mnt"
	head -c 64 /dev/urandom > "$LBLK64_MASTER"
	id=$(xfs_io -c add_enckey "$mnt" < "$LBLK64_MASTER" |
		sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
	[ -n "$id" ]
	[ "$id" = "$(python3 "$FSCRYPT_INLINE_KEY_TOOL" \
		--master-key-file "$LBLK64_MASTER" --identifier)" ]
	mkdir "$mnt/secret"
	xfs_io -r -c "set_encpolicy -v 2 -f 0x8 $id" "$mnt/secret"
	write_marker_file "$mnt/secret/data" "$kb"
	SUM=$(md5sum < "$mnt/secret/data")
	sync
	python3 "$FSCRYPT_INLINE_KEY_TOOL" --master-key-file "$LBLK64_MASTER" \
		--fs-device "$dev" --mode AES-256-XTS --flag iv_ino_lblk_64 \
		--out "$LBLK64_KEY"
	[ "$(stat -c %s "$LBLK64_KEY")" = 64 ]
}
