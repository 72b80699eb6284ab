#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The block layer's BLKCRYPTOEVICTKEY ioctl (kernel-patches/dm-crypto 0014-0016,
# Documentation/block/inline-encryption.rst) through a raw client
# (tests/vm/tools/blk-evict.py), so that the kernel's own answer is tested:
# every bad input and its errno, a non-root caller, a few thousand malformed
# calls, and eviction of the key fscrypt programs (derived from the master
# key by tests/vm/tools/fscrypt-inline-key.py) from emulated devices under
# device-mapper, proven with null_blk's keyslot counters. Skipped, saying
# so, on a kernel without the ioctl.
# bats file_tags=kasan

bats_require_minimum_version 1.5.0
load ../lib/emulation
load ../lib/fscrypt

SECT_PER_MB=2048
MODES="AES-256-XTS=4096 Adiantum=4096"
KEY=$(printf '11%.0s' $(seq 64))
MNT=/tmp/dmcaps-mnt-evict
INLINE=$LBLK64_KEY

# Whether the kernel has the ioctl, asked once (a start of Python costs a
# second in the VM).
setup_file() {
	export EV="$BATS_TEST_DIRNAME/../tools/blk-evict.py"
	vm_cleanup
	nb_create nb0 16 "$MODES" 8 8
	if [ "$(python3 "$EV" /dev/nb0 --key-hex "$KEY")" = "errno=ENOTTY" ]; then
		export EV_SKIP="kernel without BLKCRYPTOEVICTKEY (ENOTTY)"
	fi
	vm_cleanup
}

setup() {
	[ -z "${EV_SKIP-}" ] || skip "$EV_SKIP"
	export LC_ALL=C
	vm_cleanup
	keyctl clear @u >/dev/null 2>&1 || true
	nb_create nb0 16 "$MODES" 8 8
	nb_create nb1 48 "$MODES" 8 8
	nb_create plain0 16 ""
	mark_log
}

teardown() {
	vm_cleanup
	keyctl clear @u >/dev/null 2>&1 || true
	rm -f "$LBLK64_MASTER" "$INLINE" /dev/evict-nobody
}

# ev DEVICE ARGS...: the client, its output in $output and on our stdout
ev() {
	run --separate-stderr python3 "$EV" "$@"
	echo "ev $*: status $status: $output"
	[ -z "$stderr" ] || echo "stderr: $stderr"
}

# expect_ok WANT DEVICE ARGS...: success with the first line WANT
expect_ok() {
	local want=$1
	shift
	ev "$@"
	[ "$status" -eq 0 ] || return 1
	if [ "${lines[0]}" != "$want" ]; then
		echo "got '${lines[0]}', expected '$want'" >&2
		return 1
	fi
}

# expect_errnos: the requests on stdin, one per line "ERRNO DEVICE ARGS..."
# (blank lines and # comments skipped), made by one run of the client
# (--batch: one start of Python, a second in the VM, for them all); each
# must fail with its ERRNO.
expect_errnos() {
	local cases=() line out=() n bad=0
	while IFS= read -r line; do
		[[ -z $line || $line == \#* ]] || cases+=("$line")
	done
	run --separate-stderr python3 "$EV" --batch < <(printf '%s\n' "${cases[@]#* }")
	[ -z "$stderr" ] || echo "stderr: $stderr"
	[ "$status" -eq 0 ] || { echo "ev --batch: status $status"; return 1; }
	# (no counter named i: one of bats' helpers of run loops on an i it
	# does not declare local, and bash scoping lets it write ours)
	n=0
	for line in "${lines[@]}"; do
		if [[ $line != status=* ]]; then
			out+=("$line")
			continue
		fi
		echo "ev ${cases[n]#* }: ${out[*]} $line"
		if [ "$line" != status=3 ] || [ "${out[*]}" != "errno=${cases[n]%% *}" ]; then
			echo "  expected errno=${cases[n]%% *}" >&2
			bad=$((bad + 1))
		fi
		n=$((n + 1))
		out=()
	done
	[ "$n" -eq "${#cases[@]}" ] || { echo "$n of ${#cases[@]} requests answered" >&2; return 1; }
	[ "$bad" -eq 0 ]
}

# expect_errno NAME DEVICE ARGS...
expect_errno() {
	local want=$1
	shift
	ev "$@"
	if [ "$status" -ne 3 ] || [ "$output" != "errno=$want" ]; then
		echo "expected errno=$want" >&2
		return 1
	fi
}

# linear NAME DEV...: a linear table over the whole of each DEV in turn
linear() {
	local name=$1 d start=0 len table=
	shift
	for d in "$@"; do
		len=$(blockdev --getsz "$d")
		table+="$start $len linear $d 0"$'\n'
		start=$((start + len))
	done
	dmsetup create "$name" --table "$table"
}

# fs_setup DEV: fscrypt_lblk64_setup on $MNT with a 24 MiB file; fscrypt's
# per-mode inline key in $INLINE and, as hex, $IKEY.
fs_setup() {
	fscrypt_lblk64_setup "$MNT" "$1" $((24 * 1024))
	IKEY=$(od -An -tx1 -v "$INLINE" | tr -d ' \n')
	[ ${#IKEY} = 128 ]
}

# reread: the file, from the devices, must still be what was written
reread() {
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
}

@test "bad arguments: each gets its documented errno" {
	linear plainlin /dev/plain0
	expect_errnos <<EOF
EINVAL /dev/nb0 --key-hex $KEY --version 0
EINVAL /dev/nb0 --key-hex $KEY --version 2
EINVAL /dev/nb0 --key-hex $KEY --flags 2
EINVAL /dev/nb0 --key-hex $KEY --flags 0x80000000
EINVAL /dev/nb0 --key-hex $KEY --reserved32 1
EINVAL /dev/nb0 --key-hex $KEY --reserved 0=1
EINVAL /dev/nb0 --key-hex $KEY --reserved 1=1
EINVAL /dev/nb0 --key-hex $KEY --reserved 2=1
EINVAL /dev/nb0 --key-hex $KEY --reserved 3=1
EINVAL /dev/nb0 --key-hex $KEY --mode-unterminated
# a key id without the keyring flag, a raw key with it
EINVAL /dev/nb0 --key-hex $KEY --key-id 12345
EINVAL /dev/nb0 --key-hex $KEY --key-id 12345 --flags 1
# malformed is EINVAL before any other error
EINVAL /dev/nb0 --key-hex $KEY --version 2 --mode nope --data-unit-size 3 --dun-bytes 0

ENOENT /dev/nb0 --key-hex $KEY --mode aes-256-xts
ENOENT /dev/nb0 --key-hex $KEY --mode Serpent
ENOENT /dev/nb0 --key-hex $KEY --mode ""

EMSGSIZE /dev/nb0 --key-hex ${KEY:0:64}
EMSGSIZE /dev/nb0 --key-hex $KEY --key-size 65
EMSGSIZE /dev/nb0 --key-hex $KEY --mode Adiantum

EDOM /dev/nb0 --key-hex $KEY --data-unit-size 4095
EDOM /dev/nb0 --key-hex $KEY --data-unit-size 0
EDOM /dev/nb0 --key-hex $KEY --data-unit-size 12288

ERANGE /dev/nb0 --key-hex $KEY --dun-bytes 0
ERANGE /dev/nb0 --key-hex $KEY --dun-bytes 33
# more than AES-256-XTS's 16-byte IV
ERANGE /dev/nb0 --key-hex $KEY --dun-bytes 17

EFAULT /dev/nb0 --key-hex $KEY --key-ptr null
EFAULT /dev/nb0 --key-hex $KEY --key-ptr unmapped
EFAULT /dev/nb0 --key-hex $KEY --arg-ptr unmapped

# no inline encryption; a mode, data unit size or DUN size the device
# does not support
EOPNOTSUPP /dev/plain0 --key-hex $KEY
EOPNOTSUPP /dev/nb0 --key-hex ${KEY:0:64} --mode SM4-XTS
EOPNOTSUPP /dev/nb0 --key-hex $KEY --data-unit-size 512
EOPNOTSUPP /dev/nb0 --key-hex $KEY --dun-bytes 9
EOPNOTSUPP /dev/mapper/plainlin --key-hex $KEY

# another argument size is another ioctl number
ENOTTY /dev/nb0 --key-hex $KEY --arg-size 120
EOF
	expect_ok "evicted=0 busy=0 visited=1 failures=0" /dev/nb0 --key-hex "$KEY"
	log_clean
}

@test "bad keyring keys: each gets the keyring's errno or its own" {
	local id
	expect_errno ENOKEY /dev/nb0 --key-id 0x7ffffff0
	id=$(keyctl newring evict-ring @u)
	expect_errno EKEYREJECTED /dev/nb0 --key-id "$id"
	id=$(head -c 32 /dev/urandom | keyctl padd user evict-short @u)
	expect_errno EMSGSIZE /dev/nb0 --key-id "$id"
	id=$(head -c 64 /dev/urandom | keyctl padd logon evict:revoked @u)
	keyctl revoke "$id"
	expect_errno EKEYREVOKED /dev/nb0 --key-id "$id"
	id=$(head -c 64 /dev/urandom | keyctl padd logon evict:expired @u)
	keyctl timeout "$id" 1
	sleep 2
	expect_errno EKEYEXPIRED /dev/nb0 --key-id "$id"
	id=$(head -c 64 /dev/urandom | keyctl padd user evict-nosearch @u)
	keyctl setperm "$id" 0x01000000	# possessor may view only
	expect_errno EACCES /dev/nb0 --key-id "$id"
	id=$(head -c 64 /dev/urandom | keyctl padd logon evict:good @u)
	expect_ok "evicted=0 busy=0 visited=1 failures=0" /dev/nb0 --key-id "$id"
	id=$(head -c 64 /dev/urandom | keyctl padd user evict-good @u)
	expect_ok "evicted=0 busy=0 visited=1 failures=0" /dev/nb0 --key-id "$id"
	log_clean
}

@test "non-root caller: EPERM" {
	local mm
	mm=$(stat -L -c '%t %T' /dev/nb0)
	# a node nobody can open, so that the ioctl itself refuses
	mknod /dev/evict-nobody b $((0x${mm% *})) $((0x${mm#* }))
	chmod 0444 /dev/evict-nobody
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		python3 "$EV" /dev/evict-nobody --key-hex "$KEY"
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = "errno=EPERM" ]
	# checked before anything else
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		python3 "$EV" /dev/evict-nobody --key-hex "$KEY" --version 9
	[ "$output" = "errno=EPERM" ]
	expect_errno EPERM /dev/nb0 --key-hex "$KEY" --drop-to 65534
	linear lin /dev/nb0
	expect_errno EPERM /dev/mapper/lin --key-hex "$KEY" --drop-to 65534
	log_clean
}

@test "a few thousand malformed calls leave the kernel healthy" {
	local seed
	linear lin /dev/nb0 /dev/nb1
	for seed in 1 2 3; do
		ev /dev/nb0 --fuzz 1500 --seed "$seed"
		[ "$status" -eq 0 ]
		ev /dev/mapper/lin --fuzz 1500 --seed "$((seed + 10))"
		[ "$status" -eq 0 ]
	done
	expect_ok "evicted=0 busy=0 visited=2 failures=0" /dev/mapper/lin --key-hex "$KEY"
	log_clean
}

@test "a key programmed nowhere: success, nothing evicted, every leg searched" {
	linear lin /dev/nb0 /dev/nb1
	expect_ok "evicted=0 busy=0 visited=2 failures=0" /dev/mapper/lin --key-hex "$KEY"
	# two targets on one device: the device is searched once
	dmsetup create twice --table "0 2048 linear /dev/nb1 0
2048 2048 linear /dev/nb1 4096"
	expect_ok "evicted=0 busy=0 visited=1 failures=0" /dev/mapper/twice --key-hex "$KEY"
	[ "$(nb_counter nb0 keyslot_evictions)" -eq 0 ]
	[ "$(nb_counter nb1 keyslot_evictions)" -eq 0 ]
	log_clean
}

@test "fscrypt over linear over two devices: the derived key is evicted from both, the next read programs it again" {
	local d
	local -A ev0 pr0
	linear fs /dev/nb0 /dev/nb1
	fs_setup /dev/mapper/fs
	for d in nb0 nb1; do
		nb_counters "$d"
		[ "$(nb_counter "$d" data_units_encrypted)" -gt 0 ]
		ev0[$d]=$(nb_counter "$d" keyslot_evictions)
	done

	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/fs --key-file "$INLINE"
	for d in nb0 nb1; do
		nb_counters "$d"
		[ "$(nb_counter "$d" keyslot_evictions)" -eq $((ev0[$d] + 1)) ]
		pr0[$d]=$(nb_counter "$d" keyslot_programs)
	done
	# gone: a second eviction finds nothing
	expect_ok "evicted=0 busy=0 visited=2 failures=0" /dev/mapper/fs --key-hex "$IKEY"

	reread
	for d in nb0 nb1; do
		nb_counters "$d"
		[ "$(nb_counter "$d" keyslot_programs)" -gt "${pr0[$d]}" ]
	done
	# the same bytes with another data unit size or DUN size are another key
	expect_ok "evicted=0 busy=0 visited=2 failures=0" /dev/mapper/fs --key-hex "$IKEY" --dun-bytes 4
	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/fs --key-hex "$IKEY"
	# the devices themselves, one at a time
	reread
	expect_ok "evicted=1 busy=0 visited=1 failures=0" /dev/nb0 --key-hex "$IKEY"
	expect_ok "evicted=1 busy=0 visited=1 failures=0" /dev/nb1 --key-hex "$IKEY"
	reread
	umount "$MNT"
	log_clean
}

@test "a keyring key evicts like the raw key" {
	local id d
	local -A ev0
	linear fs /dev/nb0 /dev/nb1
	fs_setup /dev/mapper/fs
	for d in nb0 nb1; do ev0[$d]=$(nb_counter "$d" keyslot_evictions); done
	id=$(keyctl padd logon evict:fscrypt @u < "$INLINE")
	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/fs --key-id "$id"
	for d in nb0 nb1; do
		[ "$(nb_counter "$d" keyslot_evictions)" -eq $((ev0[$d] + 1)) ]
	done
	reread
	id=$(keyctl padd user evict-fscrypt @u < "$INLINE")
	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/fs --key-id "$id"
	reread
	umount "$MNT"
	log_clean
}

@test "linear over linear: eviction reaches the leaves" {
	local n
	linear lower /dev/nb0 /dev/nb1
	n=$(blockdev --getsz /dev/mapper/lower)
	# two targets on the one lower device: still two leaves, searched once
	dmsetup create upper --table "0 $((n / 2)) linear /dev/mapper/lower 0
$((n / 2)) $((n - n / 2)) linear /dev/mapper/lower $((n / 2))"
	fs_setup /dev/mapper/upper
	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/upper --key-file "$INLINE"
	[ "$(nb_counter nb0 keyslot_evictions)" -ge 1 ]
	[ "$(nb_counter nb1 keyslot_evictions)" -ge 1 ]
	reread
	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/lower --key-file "$INLINE"
	reread
	umount "$MNT"
	log_clean
}

@test "a key in use by I/O is reported busy and left programmed" {
	local d=$NULLB/slow0 i ev pids=() out=
	# every request takes half a second to complete
	mkdir "$d"
	echo 64 > "$d/size"
	echo 1 > "$d/memory_backed"
	echo 4096 > "$d/blocksize"
	echo 2 > "$d/irqmode"
	echo 500000000 > "$d/completion_nsec"
	echo "$MODES" > "$d/crypto_modes"
	echo 8 > "$d/crypto_max_dun_bytes"
	echo 4 > "$d/crypto_num_keyslots"
	echo 1 > "$d/power"
	linear fs /dev/slow0
	fs_setup /dev/mapper/fs
	ev=$(nb_counter slow0 keyslot_evictions)

	# three readers keep O_DIRECT reads of the file in flight, so the
	# key's keyslot always has a reference
	for i in 1 2 3; do
		(
			end=$((SECONDS + 5))
			while [ $SECONDS -lt $end ]; do
				dd if="$MNT/secret/data" of=/dev/null bs=4096 count=1 \
					skip=$((i * 100)) iflag=direct 2>/dev/null
			done
		) &
		pids+=($!)
	done
	sleep 1
	ev /dev/mapper/fs --key-file "$INLINE"
	out=$output
	wait "${pids[@]}"
	[ "$out" = "evicted=0 busy=1 visited=1 failures=0" ]
	[ "$(nb_counter slow0 keyslot_evictions)" -eq "$ev" ]

	# once idle, it goes
	expect_ok "evicted=1 busy=0 visited=1 failures=0" /dev/mapper/fs --key-file "$INLINE"
	[ "$(nb_counter slow0 keyslot_evictions)" -eq $((ev + 1)) ]
	reread
	umount "$MNT"
	log_clean
}

@test "a device that fails to evict is named with its errno; the others are still evicted" {
	local mm pr
	[ -e "$NULLB/nb1/crypto_evict_error" ] ||
		skip "null_blk without crypto_evict_error (kernel-patches/test/0003)"
	linear fs /dev/nb0 /dev/nb1
	fs_setup /dev/mapper/fs
	mm=$(printf '%d:%d' "0x$(stat -L -c %t /dev/nb1)" "0x$(stat -L -c %T /dev/nb1)")
	echo 5 > "$NULLB/nb1/crypto_evict_error"	# EIO
	ev /dev/mapper/fs --key-file "$INLINE"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "evicted=1 busy=0 visited=2 failures=1" ]
	[ "${lines[1]}" = "failure $mm errno=EIO" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(nb_counter nb0 keyslot_evictions)" -eq 1 ]
	[ "$(nb_counter nb1 keyslot_evictions)" -eq 0 ]

	# the failed slot is not trusted any more: the next read programs it
	echo 0 > "$NULLB/nb1/crypto_evict_error"
	pr=$(nb_counter nb1 keyslot_programs)
	reread
	[ "$(nb_counter nb1 keyslot_programs)" -gt "$pr" ]

	# no room for the failure: counted, not written
	echo 22 > "$NULLB/nb1/crypto_evict_error"
	expect_ok "evicted=1 busy=0 visited=2 failures=1" /dev/mapper/fs --key-file "$INLINE" --failures 0
	[ "${#lines[@]}" -eq 1 ]
	echo 0 > "$NULLB/nb1/crypto_evict_error"
	reread
	expect_ok "evicted=2 busy=0 visited=2 failures=0" /dev/mapper/fs --key-file "$INLINE"
	reread
	umount "$MNT"
	log_clean
}
