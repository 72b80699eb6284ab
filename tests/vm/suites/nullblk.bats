#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The null_blk inline encryption emulation (kernel-patches/test/0002): its
# configfs interface, the capabilities it registers, and data going through
# it with fscrypt (ext4, -o inlinecrypt). Runs as root inside the test VM
# (tests/vm/run.sh tests/vm/suites/nullblk.bats).
#
# Self-contained: every device this suite makes is named nbc*, every mount
# point is /tmp/nbc-mnt*, and teardown removes them.

# The emulation is test infrastructure: on stock-6.1 (tag stock-61) it
# checks the port.
# bats file_tags=stock-61

load ../lib/emulation	# emu_modes, not, raw_has_marker

NULLB=/sys/kernel/config/nullb
KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
MARKER="nullblk-crypto-plaintext-marker-5b1f0c2e"
CONTROL="nullblk-crypto-unencrypted-control-9d3a"

# nbc_make NAME [ATTR=VALUE...]: a 64 MiB memory-backed device, not powered
# on; the attributes are written in the order given.
nbc_make() {
	local name=$1 a
	shift
	mkdir "$NULLB/$name" || return 1
	echo 64 > "$NULLB/$name/size" || return 1
	echo 1 > "$NULLB/$name/memory_backed" || return 1
	for a in "$@"; do
		echo "${a#*=}" > "$NULLB/$name/${a%%=*}" || return 1
	done
}

nbc_on() {
	echo 1 > "$NULLB/$1/power" && [ -b "/dev/$1" ]
}

# nbc_write ATTR_FILE VALUE: write VALUE the way echo does, show the error.
nbc_write() {
	bash -c 'echo "$1" > "$2"' nbc_write "$2" "$1" 2>&1
}

# expect_write_error ERROR ATTR_FILE VALUE: the write must fail with ERROR
# (strerror text) and leave the attribute as it was.
expect_write_error() {
	local err=$1 file=$2 value=$3 before out
	before=$(cat "$file")
	if out=$(nbc_write "$file" "$value"); then
		echo "writing \"$value\" to $file succeeded, expected: $err" >&2
		return 1
	fi
	if [[ "$out" != *"$err"* ]]; then
		echo "writing \"$value\" to $file: \"$out\", expected: $err" >&2
		return 1
	fi
	if [ "$(cat "$file")" != "$before" ]; then
		echo "$file changed from \"$before\" to \"$(cat "$file")\"" >&2
		return 1
	fi
}

ctr() {
	cat "$NULLB/$1/crypto_$2"
}

counters() {
	local c out=$1:
	for c in keyslot_programs keyslot_evictions keys_programmed \
		 data_units_encrypted data_units_decrypted; do
		out="$out $c=$(ctr "$1" "$c")"
	done
	echo "$out"
}

# The device's data path works: write a pattern, read it back.
raw_roundtrip() {
	local dev=/dev/$1
	yes "raw-roundtrip-$1" | head -c 1M > "$BATS_TEST_TMPDIR/pattern"
	dd if="$BATS_TEST_TMPDIR/pattern" of="$dev" bs=64k oflag=direct status=none &&
	cmp -n 1048576 "$BATS_TEST_TMPDIR/pattern" "$dev"
}

# fs_make DEV MNT [MKFS_OPTION...]: ext4 with encryption, mounted inlinecrypt;
# 4 KiB blocks unless FS_BLOCKSIZE says otherwise.
fs_make() {
	local dev=$1 mnt=$2
	shift 2
	mkfs.ext4 -q -F -b "${FS_BLOCKSIZE:-4096}" -O encrypt "$@" "/dev/$dev" ||
		return 1
	mkdir -p "$mnt" && mount -o inlinecrypt "/dev/$dev" "$mnt"
}

# add_key MNT: adds $KEY (as raw bytes), prints its identifier
add_key() {
	local out
	out=$(printf "$(echo "$KEY" | sed 's/../\\x&/g')" |
		xfs_io -c add_enckey "$1") || return 1
	echo "$out" | sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p'
}

# enc_dir MNT [POLICY_OPTIONS]: adds $KEY and makes MNT/enc a directory
# encrypted with it (v2 policy, set_encpolicy options added); the key
# identifier is left in $id for rm_enckey.
enc_dir() {
	id=$(add_key "$1") || return 1
	mkdir "$1/enc" &&
		xfs_io -c "set_encpolicy -v 2 ${2:+$2 }$id" "$1/enc"
}

# marker_file PATH SIZE_KB
marker_file() {
	yes "$MARKER" | head -c "$(($2 * 1024))" > "$1"
}

expected_marker() {
	yes "$MARKER" | head -c "$(($1 * 1024))"
}

drop_caches() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

setup() {
	[ -d "$NULLB" ] || skip "configfs or null_blk missing"
	mkdir -p "$NULLB/nbc-probe"
	if [ ! -e "$NULLB/nbc-probe/crypto_modes" ]; then
		rmdir "$NULLB/nbc-probe"
		skip "null_blk without inline encryption emulation"
	fi
	rmdir "$NULLB/nbc-probe"
}

teardown() {
	local m d
	for m in /tmp/nbc-mnt*; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	for d in "$NULLB"/nbc*; do
		[ -d "$d" ] || continue
		echo 0 > "$d/power" 2>/dev/null
		rmdir "$d"
	done
	return 0
}

@test "features lists the crypto attributes; defaults: no crypto, 8 DUN bytes, 8 keyslots" {
	grep -q crypto_modes "$NULLB/features"
	grep -q crypto_max_dun_bytes "$NULLB/features"
	grep -q crypto_num_keyslots "$NULLB/features"
	nbc_make nbc0
	[ "$(cat "$NULLB/nbc0/crypto_modes")" = "" ]
	[ "$(wc -c < "$NULLB/nbc0/crypto_modes")" -eq 1 ]
	[ "$(cat "$NULLB/nbc0/crypto_max_dun_bytes")" = 8 ]
	[ "$(cat "$NULLB/nbc0/crypto_num_keyslots")" = 8 ]
	for c in keyslot_programs keyslot_evictions keys_programmed \
		 data_units_encrypted data_units_decrypted; do
		[ "$(ctr nbc0 "$c")" = 0 ]
	done
}

@test "crypto_modes reads back in canonical form" {
	nbc_make nbc0
	echo "Adiantum=4096 AES-256-XTS=4096,512" > "$NULLB/nbc0/crypto_modes"
	[ "$(cat "$NULLB/nbc0/crypto_modes")" = "AES-256-XTS=512,4096 Adiantum=4096" ]
	printf '  Adiantum=1024\tAES-128-CBC-ESSIV=2048,512  \n' > "$NULLB/nbc0/crypto_modes"
	[ "$(cat "$NULLB/nbc0/crypto_modes")" = "AES-128-CBC-ESSIV=512,2048 Adiantum=1024" ]
	echo "" > "$NULLB/nbc0/crypto_modes"
	[ "$(cat "$NULLB/nbc0/crypto_modes")" = "" ]
}

@test "the queue's crypto capabilities in sysfs match the configuration" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=512,4096 Adiantum=4096 AES-128-CBC-ESSIV=1024,2048" \
		crypto_max_dun_bytes=4 crypto_num_keyslots=16
	nbc_on nbc0
	q=/sys/block/nbc0/queue/crypto
	[ "$(cat "$q/max_dun_bits")" = 32 ]
	[ "$(cat "$q/num_keyslots")" = 16 ]
	[ "$(cat "$q/modes/AES-256-XTS")" = 0x1200 ]
	[ "$(cat "$q/modes/Adiantum")" = 0x1000 ]
	[ "$(cat "$q/modes/AES-128-CBC-ESSIV")" = 0xc00 ]
	[ ! -e "$q/modes/SM4-XTS" ]
	[ "$(ls "$q/modes" | wc -l)" -eq 3 ]
	# Requests are never split inside a 4 KiB data unit.
	[ $(($(cat /sys/block/nbc0/queue/max_sectors_kb) % 4)) -eq 0 ]
	[ $(($(cat /sys/block/nbc0/queue/max_hw_sectors_kb) % 4)) -eq 0 ]
}

# every mode the kernel has (6.12: four; 6.1 has no SM4-XTS)
@test "all modes, 32 DUN bytes, 0 and 64 keyslots" {
	local modes m all=
	modes=$(emu_modes)
	for m in $modes; do all="$all${all:+ }$m=4096"; done
	[[ "$all" == *AES-256-XTS* ]]
	nbc_make nbc0 "crypto_modes=$all" \
		crypto_max_dun_bytes=32 crypto_num_keyslots=0
	nbc_make nbc1 "crypto_modes=AES-256-XTS=512" crypto_max_dun_bytes=1 \
		crypto_num_keyslots=64
	nbc_on nbc0
	nbc_on nbc1
	[ "$(cat /sys/block/nbc0/queue/crypto/max_dun_bits)" = 256 ]
	[ "$(cat /sys/block/nbc0/queue/crypto/num_keyslots)" = 0 ]
	[ "$(ls /sys/block/nbc0/queue/crypto/modes)" = "$(sort <<< "$modes")" ]
	[ "$(cat /sys/block/nbc1/queue/crypto/max_dun_bits)" = 8 ]
	[ "$(cat /sys/block/nbc1/queue/crypto/num_keyslots)" = 64 ]
	[ "$(cat /sys/block/nbc1/queue/crypto/modes/AES-256-XTS)" = 0x200 ]
}

@test "a device without crypto_modes has no crypto capabilities" {
	nbc_make nbc0
	nbc_on nbc0
	[ ! -e /sys/block/nbc0/queue/crypto ]
	raw_roundtrip nbc0
}

@test "invalid crypto_modes are rejected with EINVAL and a message" {
	nbc_make nbc0 "crypto_modes=Adiantum=4096"
	f=$NULLB/nbc0/crypto_modes
	expect_write_error "Invalid argument" "$f" "AES-257-XTS=4096"
	dmesg | tail -n 5 | grep -q 'unknown mode "AES-257-XTS"'
	expect_write_error "Invalid argument" "$f" "aes-256-xts=4096"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=1000"
	dmesg | tail -n 5 | grep -q 'data unit size 1000 for AES-256-XTS is not a power of two'
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=$((2 * $(getconf PAGESIZE)))"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=256"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=0"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS"
	dmesg | tail -n 5 | grep -q 'no data unit size given for AES-256-XTS'
	expect_write_error "Invalid argument" "$f" "AES-256-XTS="
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=512,"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=4k"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=512;Adiantum=4096"
	expect_write_error "Invalid argument" "$f" "junk"
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=512 AES-256-XTS=4096"
	dmesg | tail -n 5 | grep -q 'mode AES-256-XTS given more than once'
	expect_write_error "Invalid argument" "$f" "AES-256-XTS=512,512"
	# The last valid value is still in place and works.
	[ "$(cat "$f")" = "Adiantum=4096" ]
	nbc_on nbc0
	[ "$(cat /sys/block/nbc0/queue/crypto/modes/Adiantum)" = 0x1000 ]
	raw_roundtrip nbc0
}

@test "crypto_max_dun_bytes accepts 1..32, crypto_num_keyslots 0..64" {
	nbc_make nbc0
	d=$NULLB/nbc0
	expect_write_error "Invalid argument" "$d/crypto_max_dun_bytes" 0
	expect_write_error "Invalid argument" "$d/crypto_max_dun_bytes" 33
	dmesg | tail -n 2 | grep -q 'crypto_max_dun_bytes must be from 1 to 32'
	expect_write_error "Invalid argument" "$d/crypto_max_dun_bytes" -1
	expect_write_error "Invalid argument" "$d/crypto_max_dun_bytes" eight
	expect_write_error "Invalid argument" "$d/crypto_num_keyslots" 65
	dmesg | tail -n 2 | grep -q 'crypto_num_keyslots must be at most 64'
	expect_write_error "Invalid argument" "$d/crypto_num_keyslots" -1
	for v in 1 32 8; do
		echo "$v" > "$d/crypto_max_dun_bytes"
		[ "$(cat "$d/crypto_max_dun_bytes")" = "$v" ]
	done
	for v in 0 64 8; do
		echo "$v" > "$d/crypto_num_keyslots"
		[ "$(cat "$d/crypto_num_keyslots")" = "$v" ]
	done
}

@test "crypto attributes cannot change while powered on (EBUSY), like the others" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_max_dun_bytes=4 \
		crypto_num_keyslots=2
	nbc_on nbc0
	d=$NULLB/nbc0
	expect_write_error "Device or resource busy" "$d/crypto_modes" "Adiantum=4096"
	expect_write_error "Device or resource busy" "$d/crypto_max_dun_bytes" 8
	expect_write_error "Device or resource busy" "$d/crypto_num_keyslots" 4
	expect_write_error "Device or resource busy" "$d/blocksize" 4096
	[ "$(cat /sys/block/nbc0/queue/crypto/modes/AES-256-XTS)" = 0x1000 ]
	[ "$(cat /sys/block/nbc0/queue/crypto/num_keyslots)" = 2 ]
	raw_roundtrip nbc0
	# Powered off, they can change again.
	echo 0 > "$d/power"
	echo "Adiantum=4096" > "$d/crypto_modes"
	echo 8 > "$d/crypto_num_keyslots"
	nbc_on nbc0
	[ "$(cat /sys/block/nbc0/queue/crypto/modes/Adiantum)" = 0x1000 ]
	[ ! -e /sys/block/nbc0/queue/crypto/modes/AES-256-XTS ]
	[ "$(cat /sys/block/nbc0/queue/crypto/num_keyslots)" = 8 ]
}

@test "the counters are read-only" {
	nbc_make nbc0
	for c in keyslot_programs keyslot_evictions keys_programmed \
		 data_units_encrypted data_units_decrypted; do
		not nbc_write "$NULLB/nbc0/crypto_$c" 1
		[ "$(ctr nbc0 "$c")" = 0 ]
	done
}

@test "power on with crypto fails without memory_backed, in bio mode, zoned" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" memory_backed=0
	expect_write_error "Invalid argument" "$NULLB/nbc0/power" 1
	dmesg | tail -n 3 | grep -q 'inline encryption requires memory_backed=1'
	[ ! -e /dev/nbc0 ]

	nbc_make nbc1 "crypto_modes=AES-256-XTS=4096" queue_mode=0
	expect_write_error "Invalid argument" "$NULLB/nbc1/power" 1
	dmesg | tail -n 3 | grep -q 'inline encryption requires queue_mode=2'
	[ ! -e /dev/nbc1 ]

	if [ -e "$NULLB/nbc0/zoned" ]; then
		nbc_make nbc2 "crypto_modes=AES-256-XTS=4096" zoned=1
		expect_write_error "Invalid argument" "$NULLB/nbc2/power" 1
		[ ! -e /dev/nbc2 ]
	fi

	# Fixing the configuration makes it work.
	echo 1 > "$NULLB/nbc0/memory_backed"
	nbc_on nbc0
	[ "$(cat /sys/block/nbc0/queue/crypto/modes/AES-256-XTS)" = 0x1000 ]
	echo 2 > "$NULLB/nbc1/queue_mode"
	nbc_on nbc1
	raw_roundtrip nbc1
}

# fscrypt_roundtrip DEV: the whole fscrypt story on DEV, which must support
# AES-256-XTS with 4 KiB data units.
fscrypt_roundtrip() {
	local dev=$1 mnt=/tmp/nbc-mnt0 id
	fs_make "$dev" "$mnt"
	id=$(add_key "$mnt")
	[ -n "$id" ]
	mkdir "$mnt/enc"
	xfs_io -c "set_encpolicy -v 2 $id" "$mnt/enc"
	marker_file "$mnt/enc/secret" 1024
	marker_file "$mnt/enc/secret2" 64
	# Control: an unencrypted file's contents are found on the raw device.
	yes "$CONTROL" | head -c 4096 > "$mnt/plain"
	sync
	echo "after write: $(counters "$dev")"
	[ "$(ctr "$dev" data_units_encrypted)" -ge 272 ]
	raw_has_marker "/dev/$dev" "$CONTROL"
	not raw_has_marker "/dev/$dev" "$MARKER"
	# Written back, the page cache still holds the plaintext: the device
	# encrypted into its store, not into the pages it was given.
	dec=$(ctr "$dev" data_units_decrypted)
	cmp "$mnt/enc/secret" <(expected_marker 1024)
	[ "$(ctr "$dev" data_units_decrypted)" = "$dec" ]
	drop_caches
	# Read back through the device's decryption.
	cmp "$mnt/enc/secret" <(expected_marker 1024)
	cmp "$mnt/enc/secret2" <(expected_marker 64)
	echo "after read: $(counters "$dev")"
	[ "$(ctr "$dev" data_units_decrypted)" -ge 272 ]
	# Removing the key evicts it from the device.
	evictions=$(ctr "$dev" keyslot_evictions)
	xfs_io -c "rm_enckey $id" "$mnt"
	echo "after rm_enckey: $(counters "$dev")"
	[ "$(ctr "$dev" keyslot_evictions)" -ge $((evictions + 2)) ]
	[ "$(ctr "$dev" keys_programmed)" = 0 ]
	# Persistent: unmount, mount, add the key again, read.
	umount "$mnt"
	mount -o inlinecrypt "/dev/$dev" "$mnt"
	[ "$(add_key "$mnt")" = "$id" ]
	cmp "$mnt/enc/secret" <(expected_marker 1024)
}

@test "fscrypt inlinecrypt through keyslots: encrypted on the device, evicted on rm_enckey" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_num_keyslots=4
	nbc_on nbc0
	fscrypt_roundtrip nbc0
	[ "$(ctr nbc0 keyslot_programs)" -ge 2 ]
	# Two files with per-file keys are open again: at most the slots.
	[ "$(ctr nbc0 keys_programmed)" -ge 1 ]
	[ "$(ctr nbc0 keys_programmed)" -le 4 ]
}

@test "fscrypt inlinecrypt without keyslots: key taken with each request, eviction reaches the device" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_num_keyslots=0
	nbc_on nbc0
	[ "$(cat /sys/block/nbc0/queue/crypto/num_keyslots)" = 0 ]
	fscrypt_roundtrip nbc0
	[ "$(ctr nbc0 keyslot_programs)" = 0 ]
	[ "$(ctr nbc0 keys_programmed)" = 0 ]
}

@test "a single keyslot shared by several keys" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_num_keyslots=1
	nbc_on nbc0
	fs_make nbc0 /tmp/nbc-mnt0
	enc_dir /tmp/nbc-mnt0
	for i in 1 2 3 4; do
		marker_file "/tmp/nbc-mnt0/enc/f$i" $((i * 16))
	done
	drop_caches
	for i in 1 2 3 4; do
		cmp "/tmp/nbc-mnt0/enc/f$i" <(expected_marker $((i * 16)))
	done
	echo "$(counters nbc0)"
	[ "$(ctr nbc0 keyslot_programs)" -ge 4 ]
	[ "$(ctr nbc0 keys_programmed)" = 1 ]
	not raw_has_marker /dev/nbc0 "$MARKER"
}

@test "without a matching data unit size fscrypt falls back and the device does no crypto" {
	# 4 KiB file system blocks, but the device only does 512-byte units.
	nbc_make nbc0 "crypto_modes=AES-256-XTS=512"
	nbc_on nbc0
	fs_make nbc0 /tmp/nbc-mnt0
	enc_dir /tmp/nbc-mnt0
	marker_file /tmp/nbc-mnt0/enc/secret 256
	drop_caches
	cmp /tmp/nbc-mnt0/enc/secret <(expected_marker 256)
	echo "$(counters nbc0)"
	[ "$(ctr nbc0 data_units_encrypted)" = 0 ]
	[ "$(ctr nbc0 data_units_decrypted)" = 0 ]
	[ "$(ctr nbc0 keyslot_programs)" = 0 ]
	not raw_has_marker /dev/nbc0 "$MARKER"
}

# interop DEV MODE_SPEC [MKFS_OPTION...]: data written through the device's
# inline encryption reads back through fscrypt's own crypto (no inlinecrypt)
# and the other way around. fscrypt's on-disk format does not depend on the
# implementation, so this holds only if the emulator writes exactly the
# ciphertext that blk-crypto-fallback (or any conforming hardware) would.
interop() {
	local dev=$1 policy=$2 mnt=/tmp/nbc-mnt0 id enc0
	shift 2
	fs_make "$dev" "$mnt" "$@"
	id=$(add_key "$mnt")
	mkdir "$mnt/enc"
	xfs_io -c "set_encpolicy -v 2 $policy $id" "$mnt/enc"
	marker_file "$mnt/enc/inline" 512
	sync
	enc0=$(ctr "$dev" data_units_encrypted)
	[ "$enc0" -gt 0 ]
	umount "$mnt"

	# Software fscrypt reads what the device encrypted, and writes.
	mount "/dev/$dev" "$mnt"
	add_key "$mnt" > /dev/null
	cmp "$mnt/enc/inline" <(expected_marker 512)
	marker_file "$mnt/enc/software" 512
	umount "$mnt"
	[ "$(ctr "$dev" data_units_encrypted)" = "$enc0" ]

	# The device decrypts what software fscrypt encrypted.
	mount -o inlinecrypt "/dev/$dev" "$mnt"
	add_key "$mnt" > /dev/null
	dec0=$(ctr "$dev" data_units_decrypted)
	cmp "$mnt/enc/software" <(expected_marker 512)
	cmp "$mnt/enc/inline" <(expected_marker 512)
	echo "$(counters "$dev")"
	[ "$(ctr "$dev" data_units_decrypted)" -gt "$dec0" ]
	not raw_has_marker "/dev/$dev" "$MARKER"
}

@test "ciphertext matches fscrypt's software crypto: AES-256-XTS" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096"
	nbc_on nbc0
	interop nbc0 ""
}

@test "ciphertext matches fscrypt's software crypto: AES-256-XTS, 1 KiB blocks (4 data units a page)" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=1024" crypto_num_keyslots=0
	nbc_on nbc0
	FS_BLOCKSIZE=1024 interop nbc0 ""
}

@test "ciphertext matches fscrypt's software crypto: AES-128-CBC-ESSIV" {
	nbc_make nbc0 "crypto_modes=AES-128-CBC-ESSIV=4096"
	nbc_on nbc0
	interop nbc0 "-c AES-128-CBC -n AES-128-CTS"
}

@test "ciphertext matches fscrypt's software crypto: Adiantum" {
	nbc_make nbc0 "crypto_modes=Adiantum=4096" crypto_num_keyslots=0
	nbc_on nbc0
	interop nbc0 "-c Adiantum -n Adiantum"
}

@test "ciphertext matches fscrypt's software crypto: Adiantum DIRECT_KEY (24-byte DUNs)" {
	nbc_make nbc0 "crypto_modes=Adiantum=4096" crypto_max_dun_bytes=24
	nbc_on nbc0
	interop nbc0 "-c Adiantum -n Adiantum -f 4"
}

@test "ciphertext matches fscrypt's software crypto: IV_INO_LBLK_64 (64-bit DUNs)" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_max_dun_bytes=8
	nbc_on nbc0
	interop nbc0 "-f 8" -O stable_inodes
}

@test "a device with too short DUNs is not used for IV_INO_LBLK_64" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_max_dun_bytes=4
	nbc_on nbc0
	fs_make nbc0 /tmp/nbc-mnt0 -O stable_inodes
	enc_dir /tmp/nbc-mnt0 "-f 8"
	marker_file /tmp/nbc-mnt0/enc/secret 64
	drop_caches
	cmp /tmp/nbc-mnt0/enc/secret <(expected_marker 64)
	[ "$(ctr nbc0 data_units_encrypted)" = 0 ]
}

@test "direct I/O on an encrypted file goes through the device" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096"
	nbc_on nbc0
	fs_make nbc0 /tmp/nbc-mnt0
	enc_dir /tmp/nbc-mnt0
	xfs_io -f -d -c "pwrite -q -S 0x5a -b 65536 0 1m" /tmp/nbc-mnt0/enc/dio
	enc=$(ctr nbc0 data_units_encrypted)
	[ "$enc" -ge 256 ]
	dec=$(ctr nbc0 data_units_decrypted)
	dd if=/tmp/nbc-mnt0/enc/dio of="$BATS_TEST_TMPDIR/back" bs=64k \
		iflag=direct status=none
	[ "$(ctr nbc0 data_units_decrypted)" -ge $((dec + 256)) ]
	# 0x5a is "Z"
	cmp "$BATS_TEST_TMPDIR/back" <(head -c 1M /dev/zero | tr '\0' Z)
	not raw_has_marker /dev/nbc0 ZZZZZZZZZZZZZZZZ
}

@test "counters reset at power on; power cycling keeps the data" {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096"
	nbc_on nbc0
	fs_make nbc0 /tmp/nbc-mnt0
	enc_dir /tmp/nbc-mnt0
	marker_file /tmp/nbc-mnt0/enc/secret 64
	umount /tmp/nbc-mnt0
	[ "$(ctr nbc0 data_units_encrypted)" -gt 0 ]
	echo 0 > "$NULLB/nbc0/power"
	nbc_on nbc0
	for c in keyslot_programs keyslot_evictions keys_programmed \
		 data_units_encrypted data_units_decrypted; do
		[ "$(ctr nbc0 "$c")" = 0 ]
	done
	mount -o inlinecrypt /dev/nbc0 /tmp/nbc-mnt0
	add_key /tmp/nbc-mnt0 > /dev/null
	cmp /tmp/nbc-mnt0/enc/secret <(expected_marker 64)
	[ "$(ctr nbc0 data_units_decrypted)" -gt 0 ]
}

# The disk goes away under a mounted file system that still holds keys; the
# keys are evicted later, when the device's profile is gone.
unplug_mounted() {
	nbc_make nbc0 "crypto_modes=AES-256-XTS=4096" crypto_num_keyslots="$1"
	nbc_on nbc0
	fs_make nbc0 /tmp/nbc-mnt0
	enc_dir /tmp/nbc-mnt0
	marker_file /tmp/nbc-mnt0/enc/secret 256
	sync
	cat /tmp/nbc-mnt0/enc/secret > /dev/null
	[ "$(ctr nbc0 data_units_encrypted)" -ge 64 ]
	echo 0 > "$NULLB/nbc0/power"
	[ ! -e /sys/block/nbc0 ]
	after=$(counters nbc0)
	xfs_io -c "rm_enckey $id" /tmp/nbc-mnt0
	umount /tmp/nbc-mnt0
	[ "$(counters nbc0)" = "$after" ]
	[ "$(ctr nbc0 keys_programmed)" = 0 ]
	# The configfs item is still usable.
	nbc_on nbc0
	raw_roundtrip nbc0
}

@test "powering off under a mounted file system, keys removed afterwards (keyslots)" {
	unplug_mounted 8
}

@test "powering off under a mounted file system, keys removed afterwards (no keyslots)" {
	unplug_mounted 0
}
