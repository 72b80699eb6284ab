#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dmcaps evict on the patched kernel (BLKCRYPTOEVICTKEY, kernel-patches/dm-crypto 0014-0016):
# fscrypt programs a key into the emulated devices' keyslots through DM,
# dmcaps evict removes it with a key rebuilt from the same bytes (derived
# from the master key the way fs/crypto derives it), and the emulators'
# counters say where. The ioctl's own error cases and fuzzing are in
# evict-ioctl.bats.

# On the patched-kasan tier too: eviction walks other owners' keyslots.
# bats file_tags=kasan

bats_require_minimum_version 1.5.0
load ../lib/emulation
load ../lib/fscrypt

SECT_PER_MB=2048
MNT=/tmp/dmcaps-mnt-evict
INLINE_KEY=$LBLK64_KEY
AES=(--mode AES-256-XTS --data-unit-size 4096 --dun-bytes 8)

assert_status() {
	[ "$status" -eq "$1" ] && return 0
	echo "expected exit status $1, got $status"
	echo "stdout: $output"
	echo "stderr: ${stderr-}"
	return 1
}

assert_contains() {
	[[ "$1" == *"$2"* ]] && return 0
	echo "expected to find: $2"
	echo "in: $1"
	return 1
}

setup() {
	dmcaps_setup
	mark_log
}

teardown() {
	vm_cleanup
	rm -f "$LBLK64_MASTER" "$LBLK64_KEY"
}

# fscrypt_lblk64 DEV: fscrypt_lblk64_setup on $MNT with a 4 MiB file; the
# inline key in $INLINE_KEY
fscrypt_lblk64() {
	fscrypt_lblk64_setup "$MNT" "$1" 4096
}

# pairs_value KEY: the value of KEY in the first line of $output
pairs_value() {
	head -n 1 <<<"$output" | sed -n "s/.*\\b$1=\"\\([^\"]*\\)\".*/\\1/p"
}

# Reads the file back from cold caches and checks it.
read_back() {
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
}

# A stock kernel (no dm-crypto series) has no BLKCRYPTOEVICTKEY; the
# patched tiers have it, so the test is for the stock tiers only.
# bats test_tags=stock,no-series
@test "a kernel without BLKCRYPTOEVICTKEY: exit 17, says so, the keyslots untouched" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	dmsetup create fs --table "0 $((64 * SECT_PER_MB)) linear /dev/legA 0"
	fscrypt_lblk64 /dev/mapper/fs
	nb_counters legA
	ev=$(nb_counter legA keyslot_evictions)
	keys=$(nb_counter legA keys_programmed)
	[ "$keys" -ge 1 ]

	run --separate-stderr "$DMCAPS" evict "${AES[@]}" --key-file "$INLINE_KEY" fs
	echo "$output"; echo "$stderr"
	assert_status 17
	assert_contains "$stderr" "fs"
	assert_contains "$stderr" "no key-eviction interface"
	# Nothing touched: the key is still programmed, nothing was evicted
	# (writeback may still encrypt, so only these two counters are
	# compared), and the file still reads back.
	nb_counters legA
	[ "$(nb_counter legA keyslot_evictions)" = "$ev" ]
	[ "$(nb_counter legA keys_programmed)" = "$keys" ]
	read_back
	log_clean
}

@test "evict over dm-linear on two devices empties the keyslots on both; the next read reprograms" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	nb_create legB 64 "AES-256-XTS=4096" 8 4
	linear_interleaved fs legA legB
	fscrypt_lblk64 /dev/mapper/fs
	for d in legA legB; do
		nb_counters $d
		[ "$(nb_counter $d keyslot_programs)" -ge 1 ]
		[ "$(nb_counter $d data_units_encrypted)" -gt 0 ]
	done
	eA=$(nb_counter legA keyslot_evictions)
	eB=$(nb_counter legB keyslot_evictions)

	run --separate-stderr "$DMCAPS" evict --pairs "${AES[@]}" --key-file "$INLINE_KEY" fs
	echo "$output"; echo "$stderr"
	assert_status 0
	[ "$(pairs_value EVICTED)" = 2 ]
	[ "$(pairs_value DEVICES)" = 2 ]
	[ "$(pairs_value BUSY)" = 0 ]
	[ "$(pairs_value FAILURES)" = 0 ]
	nb_counters legA; nb_counters legB
	[ "$(nb_counter legA keyslot_evictions)" = $((eA + 1)) ]
	[ "$(nb_counter legB keyslot_evictions)" = $((eB + 1)) ]

	# Evicted means gone: a second eviction finds nothing.
	run --separate-stderr "$DMCAPS" evict "${AES[@]}" --key-file "$INLINE_KEY" fs
	assert_status 0
	assert_contains "$output" "the key was in no keyslot of the 2 devices searched"

	# The next I/O programs the key again and reads correct data.
	pA=$(nb_counter legA keyslot_programs)
	pB=$(nb_counter legB keyslot_programs)
	read_back
	[ "$(nb_counter legA keyslot_programs)" -gt "$pA" ]
	[ "$(nb_counter legB keyslot_programs)" -gt "$pB" ]
}

@test "evict through linear over linear reaches the leaves" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	nb_create legB 64 "AES-256-XTS=4096" 8 4
	linear_interleaved mid legA legB
	dmsetup create top --table "0 $((32 * SECT_PER_MB)) linear /dev/mapper/mid 0"
	[ "$(crypto_sysfs "$(dm_kname top)")" = "AES-256-XTS=0x1000 dun_bits=64 slots=0" ]
	fscrypt_lblk64 /dev/mapper/top
	eA=$(nb_counter legA keyslot_evictions)
	eB=$(nb_counter legB keyslot_evictions)

	run --separate-stderr "$DMCAPS" evict --json "${AES[@]}" --key-file - top < "$INLINE_KEY"
	echo "$output"; echo "$stderr"
	assert_status 0
	python3 -c '
import json, sys
r = json.loads(sys.argv[1])["evict"][0]
assert (r["item"], r["device"], r["evicted"], r["devices"], r["busy"]) == \
       ("result", "top", 2, 2, 0), r' "$output"
	[ "$(nb_counter legA keyslot_evictions)" = $((eA + 1)) ]
	[ "$(nb_counter legB keyslot_evictions)" = $((eB + 1)) ]
	read_back
}

@test "a key programmed nowhere: success, nothing evicted, said clearly" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	nb_create legB 64 "AES-256-XTS=4096" 8 4
	linear_interleaved fs legA legB
	fscrypt_lblk64 /dev/mapper/fs
	head -c 64 /dev/urandom > "$BATS_TEST_TMPDIR/other.key"
	eA=$(nb_counter legA keyslot_evictions)

	run --separate-stderr "$DMCAPS" evict "${AES[@]}" --key-file "$BATS_TEST_TMPDIR/other.key" fs
	rm -f "$BATS_TEST_TMPDIR/other.key"
	assert_status 0
	assert_contains "$output" "fs: the key was in no keyslot of the 2 devices searched; nothing to evict"
	[ "$(nb_counter legA keyslot_evictions)" = "$eA" ]

	# The same bytes under another data-unit size match no keyslot either.
	run --separate-stderr "$DMCAPS" evict --pairs --mode AES-256-XTS \
		--data-unit-size 4096 --dun-bytes 4 --key-file "$INLINE_KEY" fs
	assert_status 0
	[ "$(pairs_value EVICTED)" = 0 ]
	[ "$(nb_counter legA keyslot_evictions)" = "$eA" ]
}

@test "a keyring key (logon) evicts like the raw key; the kernel reads it" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	nb_create legB 64 "AES-256-XTS=4096" 8 4
	linear_interleaved fs legA legB
	fscrypt_lblk64 /dev/mapper/fs
	run --separate-stderr keyctl session - bash -c "
		keyctl padd logon dmcaps:evict @s < '$INLINE_KEY' >/dev/null &&
		'$DMCAPS' evict --pairs ${AES[*]} --key-desc logon:dmcaps:evict fs"
	echo "$output"; echo "$stderr"
	assert_status 0
	[ "$(pairs_value EVICTED)" = 2 ]

	# revoked: refused as a key that cannot be used
	run keyctl session - bash -c "
		id=\$(keyctl padd user dmcaps-revoked @s < '$INLINE_KEY') &&
		keyctl revoke \$id &&
		'$DMCAPS' evict ${AES[*]} --key-desc user:dmcaps-revoked fs"
	echo "$output"
	assert_status 19
}

# A slow device holds a request, and the keyslot it uses, for seconds.
# null_blk's completion delay cannot change while the device is powered,
# so the file system is moved onto a slow copy by a table reload. The
# eviction starts only once the read is in flight at the device (its
# keyslot is taken before a request starts), so however loaded the machine
# is the eviction meets the read in flight. 4 s: null_blk times a request
# out after 5 s (set->timeout).
@test "a key in use by I/O is reported busy and left programmed; evicted once idle" {
	nb_create fast0 16 "AES-256-XTS=4096" 8 4
	dmsetup create fs --table "0 $((16 * SECT_PER_MB)) linear /dev/fast0 0"
	fscrypt_lblk64 /dev/mapper/fs

	mkdir "$NULLB/slow0"
	echo 16 > "$NULLB/slow0/size"
	echo 1 > "$NULLB/slow0/memory_backed"
	echo 4096 > "$NULLB/slow0/blocksize"
	echo 2 > "$NULLB/slow0/irqmode"
	echo 4000000000 > "$NULLB/slow0/completion_nsec"
	# few, large requests: the copy below then takes one delay, not dozens
	echo 4096 > "$NULLB/slow0/max_sectors"
	echo 256 > "$NULLB/slow0/hw_queue_depth"
	echo AES-256-XTS=4096 > "$NULLB/slow0/crypto_modes"
	echo 8 > "$NULLB/slow0/crypto_max_dun_bytes"
	echo 4 > "$NULLB/slow0/crypto_num_keyslots"
	echo 1 > "$NULLB/slow0/power"
	# same engine, same key and DUNs: the ciphertext copies as it is
	dd if=/dev/fast0 of=/dev/slow0 bs=16M oflag=direct status=none
	dmsetup suspend fs
	dmsetup reload fs --table "0 $((16 * SECT_PER_MB)) linear /dev/slow0 0"
	dmsetup resume fs

	# a direct read of the encrypted file: one request, in flight for 4 s
	dd if="$MNT/secret/data" of=/dev/null bs=64k count=1 iflag=direct status=none &
	reader=$!
	local r w i
	for i in $(seq 100); do
		read -r r w < /sys/block/slow0/inflight
		[ "$r" -gt 0 ] && break
		sleep 0.1
	done
	[ "$r" -gt 0 ] || { echo "the read never reached slow0"; wait "$reader"; false; }
	run --separate-stderr "$DMCAPS" evict --pairs "${AES[@]}" --key-file "$INLINE_KEY" fs
	echo "$output"; echo "$stderr"
	wait "$reader"
	assert_status 15
	[ "$(pairs_value BUSY)" = 1 ]
	[ "$(pairs_value EVICTED)" = 0 ]
	assert_contains "$stderr" "1 keyslot holding the key is in use by I/O and left programmed"
	[ "$(nb_counter slow0 keyslot_evictions)" = 0 ]

	# idle now: evicted
	run --separate-stderr "$DMCAPS" evict --pairs "${AES[@]}" --key-file "$INLINE_KEY" fs
	assert_status 0
	[ "$(pairs_value EVICTED)" = 1 ]
	[ "$(nb_counter slow0 keyslot_evictions)" = 1 ]
}

@test "bad input gets its own message and exit status; nothing is evicted" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	dmsetup create fs --table "0 $((64 * SECT_PER_MB)) linear /dev/legA 0"
	fscrypt_lblk64 /dev/mapper/fs
	e=$(nb_counter legA keyslot_evictions)

	# a mode the kernel does not know (the key size is then the kernel's to check)
	run --separate-stderr "$DMCAPS" evict --mode AES-512-FOO --data-unit-size 4096 \
		--dun-bytes 8 --key-file "$INLINE_KEY" fs
	assert_status 1
	assert_contains "$stderr" "the kernel does not know this mode"
	# data-unit size not a power of two
	run --separate-stderr "$DMCAPS" evict --mode AES-256-XTS --data-unit-size 1000 \
		--dun-bytes 8 --key-file "$INLINE_KEY" fs
	assert_status 1
	assert_contains "$stderr" "data-unit size is not a power of two"
	# DUN width beyond 32 bytes
	run --separate-stderr "$DMCAPS" evict --mode AES-256-XTS --data-unit-size 4096 \
		--dun-bytes 33 --key-file "$INLINE_KEY" fs
	assert_status 1
	assert_contains "$stderr" "DUN width is 0 or wider than the mode's IV"
	# a mode the device has no inline crypto for
	head -c 32 "$INLINE_KEY" > "$BATS_TEST_TMPDIR/k32"
	run --separate-stderr "$DMCAPS" evict --mode Adiantum --data-unit-size 4096 \
		--dun-bytes 8 --key-file "$BATS_TEST_TMPDIR/k32" fs
	rm -f "$BATS_TEST_TMPDIR/k32"
	assert_status 18
	assert_contains "$stderr" "no inline encryption for this mode"
	# a device without inline crypto at all
	run --separate-stderr "$DMCAPS" evict "${AES[@]}" --key-file "$INLINE_KEY" plain0
	assert_status 18
	assert_contains "$stderr" "plain0: cannot evict the key"
	# a key file of the wrong size never reaches the kernel
	run --separate-stderr "$DMCAPS" evict "${AES[@]}" --key-file - fs < <(head -c 48 "$INLINE_KEY")
	assert_status 1
	assert_contains "$stderr" "holds 48 bytes; the mode's key is 64 bytes"

	[ "$(nb_counter legA keyslot_evictions)" = "$e" ]
	read_back
}

@test "a device where eviction fails is named with its error (exit 16); the others are still evicted" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	nb_create legB 64 "AES-256-XTS=4096" 8 4
	linear_interleaved fs legA legB
	fscrypt_lblk64 /dev/mapper/fs
	echo 5 > "$NULLB/legB/crypto_evict_error"	# EIO
	eA=$(nb_counter legA keyslot_evictions)

	run --separate-stderr "$DMCAPS" evict --pairs "${AES[@]}" --key-file "$INLINE_KEY" fs
	echo "$output"; echo "$stderr"
	echo 0 > "$NULLB/legB/crypto_evict_error"
	assert_status 16
	[ "$(pairs_value EVICTED)" = 1 ]
	[ "$(pairs_value FAILURES)" = 1 ]
	legB_devno=$(cat /sys/block/legB/dev)
	assert_contains "$output" "ITEM=\"failure\" DEVICE=\"legB ($legB_devno)\""
	assert_contains "$output" "Input/output error"
	[ "$(nb_counter legA keyslot_evictions)" = $((eA + 1)) ]
	# the key was unlinked on legB too: the next I/O programs it again
	read_back
}

@test "a caller without CAP_SYS_ADMIN is refused (exit 4), even with the device open" {
	nb_create legA 64 "AES-256-XTS=4096" 8 4
	dmsetup create fs --table "0 $((64 * SECT_PER_MB)) linear /dev/legA 0"
	fscrypt_lblk64 /dev/mapper/fs
	# readable by anyone: only the capability check stands in the way
	chmod 0644 "$INLINE_KEY" /dev/mapper/fs "/dev/$(dm_kname fs)"
	e=$(nb_counter legA keyslot_evictions)
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$DMCAPS" evict "${AES[@]}" --key-file "$INLINE_KEY" /dev/mapper/fs
	echo "$output"
	assert_status 2
	assert_contains "$output" "CAP_SYS_ADMIN"
	[ "$(nb_counter legA keyslot_evictions)" = "$e" ]
}

@test "the kernel log stays free of warnings through all of it" {
	# run.sh fails the whole run on any WARNING/BUG; this test makes the
	# eviction paths' log lines visible in this suite's output too.
	dmesg | grep -iE "evict|keyslot" || true
	not grep -E "WARNING|BUG:" <(dmesg)
}
