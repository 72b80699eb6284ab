#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kernel-ioctl fuzzing: random and mutated DM_CRYPTO_CAPS and
# BLKCRYPTOEVICTKEY calls (DMCAPS_FUZZ_CALLS, default 100,000)
# (tests/vm/tools/ioctl-fuzz, built by `make`), as root and as an
# unprivileged user, against real DM stacks of
# emulated devices: linear, striped, stacked, crypt, 100 targets, a
# suspended device, one without a table, one with an inactive table, and
# fscrypt keys really programmed in the devices' keyslots (a reader keeps
# programming them again while they are evicted). The fuzzer checks every
# answer against the documented ABI and prints the outcomes by errno; the
# kernel's health (oops, warning, lockdep) is judged by tests/vm/run.sh on
# the whole console log, and here on the log since the test began.
#
# The seed is printed; replay a run with DMCAPS_FUZZ_SEED=S (and the call
# count with DMCAPS_FUZZ_CALLS=N) in the environment of tests/vm/run.sh, one
# call with the fuzzer's --first I --calls 1 -v.
#
# Needs the series (DM_CRYPTO_CAPS, BLKCRYPTOEVICTKEY): patched tiers only,
# the KASAN one too (tests/vm/run.sh's tier tags).
# bats file_tags=kasan

bats_require_minimum_version 1.5.0
load ../lib/emulation
load ../lib/fscrypt

MNT=/tmp/dmcaps-mnt-fuzz
MODES0="AES-256-XTS=512,4096 Adiantum=4096"
MODES1="AES-256-XTS=4096 SM4-XTS=4096"

setup_file() {
	export FUZZ="${DMCAPS_BUILD:-}/tests/vm/tools/ioctl-fuzz"
}

setup() {
	[ -x "$FUZZ" ] || skip "ioctl-fuzz not built: pass --build DIR to tests/vm/run.sh"
	export LC_ALL=C
	vm_cleanup
	keyctl clear @u >/dev/null 2>&1 || true
	nb_create nb0 32 "$MODES0" 8 8
	nb_create nb1 32 "$MODES1" 8 4
	# keyslots 0: hardware that takes the key with each request
	nb_create nb2 16 "AES-256-XTS=4096 AES-128-CBC-ESSIV=4096" 8 0
	# a device whose driver fails to evict (kernel-patches: null_blk's
	# crypto_evict_error test knob), so that failure records are written
	nb_create nb3 32 "AES-256-XTS=4096" 8 2
	nb_create plain0 16 ""
	run "$FUZZ" --probe --blk /dev/nb0
	[ "$status" -ne 77 ] || skip "$output"
	[ "$status" -eq 0 ]
	mark_log
}

teardown() {
	[ -z "${READER:-}" ] || { kill "$READER" 2>/dev/null; wait "$READER" 2>/dev/null; }
	READER=
	[ ! -e "$NULLB/nb3/crypto_evict_error" ] || echo 0 > "$NULLB/nb3/crypto_evict_error"
	vm_cleanup
	keyctl clear @u >/dev/null 2>&1 || true
	rm -f "$LBLK64_MASTER" "$LBLK64_KEY"
}

# The DM stacks the fuzzer asks about (names in $DMS) and evicts from
# (paths in $BLKS, with the emulated devices themselves). fs takes the
# first 16 MiB of nb0, nb1 and nb3 (nothing stacks on it: it gets a file
# system); the others use what lies beyond, or nb2.
stacks() {
	local t= i
	linear_interleaved fs nb0 nb1 nb3
	dmsetup create stripe --table "0 16384 striped 2 128 /dev/nb0 32768 /dev/nb1 32768"
	# two levels: upper over stripe (over nb0 and nb1) and nb2
	dmsetup create upper --uuid CRYPT-FUZZ-upper --table "0 8192 linear /dev/mapper/stripe 0
8192 16384 linear /dev/nb2 0"
	dmsetup create crypt --table "0 8192 crypt aes-xts-plain64 $(printf '%064d' 0) 0 /dev/plain0 0
8192 8192 linear /dev/nb1 40960"
	for i in $(seq 0 99); do
		t+="$((i * 8)) 8 linear /dev/nb2 $((16384 + i * 8))"$'\n'
	done
	dmsetup create many --table "$t"
	# a loaded expansion: none live, nb0's set inactive
	dmsetup create inact --table "0 4096 linear /dev/plain0 16384"
	dmsetup load inact --table "0 4096 linear /dev/nb0 40960"
	dmsetup create empty --notable
	dmsetup create susp --table "0 4096 linear /dev/nb1 49152"
	dmsetup suspend susp
	DMS="fs upper stripe crypt many inact empty susp"
	BLKS="/dev/mapper/fs /dev/mapper/upper /dev/mapper/stripe /dev/mapper/crypt
	      /dev/mapper/many /dev/mapper/inact /dev/nb0 /dev/nb1 /dev/nb2 /dev/nb3 /dev/plain0"
}

# fuzz ARGS...: the fuzzer over all stacks, its output on our stdout
fuzz() {
	local d args=()
	for d in $DMS; do args+=(--dm "$d"); done
	for d in $BLKS; do args+=(--blk "$d"); done
	run --separate-stderr timeout 900 "$FUZZ" "${args[@]}" "$@" 3>&-
	echo "$output"
	[ -z "$stderr" ] || echo "stderr: $stderr"
}

# count IOCTL WHO OUTCOME: the fuzzer's count for that row, 0 if none
count() {
	awk -v i="$1" -v w="$2" -v o="$3" \
		'$1 == i && $2 == w && $3 == o { n = $4 } END { print n + 0 }' <<< "$output"
}

@test "a seed replays: the same DM_CRYPTO_CAPS outcomes twice" {
	local first
	stacks
	fuzz --seed 4242 --calls 600 --evict-share 0 --user 65534
	[ "$status" -eq 0 ]
	first=$(grep -E '^(DM_CRYPTO_CAPS|BLKCRYPTOEVICTKEY) ' <<< "$output")
	fuzz --seed 4242 --calls 600 --evict-share 0 --user 65534
	[ "$status" -eq 0 ]
	[ "$(grep -E '^(DM_CRYPTO_CAPS|BLKCRYPTOEVICTKEY) ' <<< "$output")" = "$first" ]
	# another seed, another sequence
	fuzz --seed 4243 --calls 600 --evict-share 0 --user 65534
	[ "$(grep -E '^(DM_CRYPTO_CAPS|BLKCRYPTOEVICTKEY) ' <<< "$output")" != "$first" ]
	log_clean
}

@test "fuzzed calls (DMCAPS_FUZZ_CALLS, default 100,000) as root and as nobody: every answer as documented, the stacks still work" {
	local seed=${DMCAPS_FUZZ_SEED:-} calls=${DMCAPS_FUZZ_CALLS:-100000} ids=() id
	local knob=
	stacks
	# keys really programmed: fscrypt (IV_INO_LBLK_64, one inline key per
	# mode and file system) on fs, which spreads over nb0, nb1 and nb3
	fscrypt_lblk64_setup "$MNT" /dev/mapper/fs $((8 * 1024))
	if [ -e "$NULLB/nb3/crypto_evict_error" ]; then
		echo 5 > "$NULLB/nb3/crypto_evict_error"	# EIO
		knob=1
	else
		echo "# null_blk without crypto_evict_error: no failure records this run" >&3
	fi
	# keyring keys: the inline key itself (logon and user), a random
	# one, a keyring, a revoked key, a short one, one we may not search
	ids+=("$(keyctl padd logon fuzz:inline @u < "$LBLK64_KEY")")
	ids+=("$(keyctl padd user fuzz-inline @u < "$LBLK64_KEY")")
	ids+=("$(head -c 64 /dev/urandom | keyctl padd logon fuzz:random @u)")
	ids+=("$(keyctl newring fuzz-ring @u)")
	id=$(head -c 64 /dev/urandom | keyctl padd logon fuzz:revoked @u)
	keyctl revoke "$id"
	ids+=("$id")
	ids+=("$(head -c 32 /dev/urandom | keyctl padd user fuzz-short @u)")
	id=$(head -c 64 /dev/urandom | keyctl padd user fuzz-nosearch @u)
	keyctl setperm "$id" 0x01000000
	ids+=("$id")
	# the keys go on being used (and programmed again) while evicted;
	# without bats' fd 3, which would keep bats waiting for it
	echo 4 > /proc/sys/vm/drop_caches	# no kernel log line each time
	(
		while :; do
			echo 3 > /proc/sys/vm/drop_caches
			cat "$MNT/secret/data" > /dev/null
			sleep 0.2
		done
	) 3>&- &
	READER=$!

	local args=(--calls "$calls" --user 65534 --key-file "$LBLK64_KEY")
	[ -z "$seed" ] || args+=(--seed "$seed")
	for id in "${ids[@]}"; do args+=(--key-id "$id"); done
	fuzz "${args[@]}"
	kill "$READER"
	wait "$READER" 2>/dev/null || true
	READER=
	# the table, the seed and the speed in the run's log, pass or fail
	sed 's/^/# /' <<< "$output" >&3
	[ "$status" -eq 0 ]
	grep -q '^anomalies 0$' <<< "$output"
	[ "$(sed -n 's/^calls \([0-9]*\) .*/\1/p' <<< "$output")" -eq "$calls" ]

	# deep enough: answers, short buffers, each documented refusal, as root
	[ "$(count DM_CRYPTO_CAPS root OK)" -gt 0 ]
	[ "$(count DM_CRYPTO_CAPS root 'OK(buffer-full)')" -gt 0 ]
	local e
	for e in EINVAL ENXIO EFAULT; do
		[ "$(count DM_CRYPTO_CAPS root "$e")" -gt 0 ]
	done
	[ "$(count DM_CRYPTO_CAPS user EACCES)" -gt 0 ]
	[ "$(count BLKCRYPTOEVICTKEY root OK)" -gt 0 ]
	[ "$(count BLKCRYPTOEVICTKEY root 'OK(evicted)')" -gt 0 ]
	for e in EINVAL ENOENT EMSGSIZE EDOM ERANGE EFAULT EOPNOTSUPP ENOKEY \
		 EKEYREVOKED EKEYREJECTED EACCES ENOTTY; do
		[ "$(count BLKCRYPTOEVICTKEY root "$e")" -gt 0 ]
	done
	[ "$(count BLKCRYPTOEVICTKEY user EPERM)" -gt 0 ]
	[ -z "$knob" ] || [ "$(count BLKCRYPTOEVICTKEY root 'OK(failures)')" -gt 0 ]

	# the stacks still work: the file reads back from the devices, the
	# answer about fs is what sysfs says, the suspended device resumes
	[ -z "$knob" ] || echo 0 > "$NULLB/nb3/crypto_evict_error"
	umount "$MNT"
	echo 3 > /proc/sys/vm/drop_caches
	mount -o inlinecrypt /dev/mapper/fs "$MNT"
	xfs_io -c add_enckey "$MNT" < "$LBLK64_MASTER"
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	umount "$MNT"
	dmsetup resume susp
	dd if=/dev/mapper/susp of=/dev/null bs=1M count=1 iflag=direct status=none
	# the mark is still in the ring buffer, so that log_clean saw it all
	dmesg | grep -qF "$LOG_MARK"
	log_clean
}
