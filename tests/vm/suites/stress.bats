#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Concurrency: fscrypt inlinecrypt writes with checksums over a two-level
# DM stack of emulated devices (fs, linear, over st, striped, over nb0 and
# nb1) (tests/vm/tools/crypto-stress, built by `make`) while
# other processes reload and resume the device (two tables that map the same
# data differently), suspend and resume it, ask DM_CRYPTO_CAPS about its
# live and inactive tables (each answer must hold the mode the writes use),
# evict the key the writes use (BLKCRYPTOEVICTKEY, from either DM device
# and from the devices below) and drop the caches. At
# least 1,000 rounds; every file is checked after a remount with cold caches;
# a process that makes no progress for a minute fails the run (the kernel's
# blocked tasks go to the log), and tests/vm/run.sh fails on any kernel
# report. DMCAPS_STRESS_ROUNDS and DMCAPS_STRESS_SEED in the environment of
# tests/vm/run.sh change the rounds and replay a seed. Needs the series:
# the patched tier, and the patched-kasan tier (KASAN checks every access
# the eviction, reload and query paths make while the writes run).
# bats file_tags=kasan

bats_require_minimum_version 1.5.0
load ../lib/emulation
load ../lib/fscrypt

MNT=/tmp/dmcaps-mnt-stress
MODES="AES-256-XTS=4096 Adiantum=4096"
WORK=/tmp/dmcaps-stress

setup_file() {
	export STRESS="${DMCAPS_BUILD:-}/tests/vm/tools/crypto-stress"
	export FUZZ="${DMCAPS_BUILD:-}/tests/vm/tools/ioctl-fuzz"
}

setup() {
	[ -x "$STRESS" ] || skip "crypto-stress not built: pass --build DIR to tests/vm/run.sh"
	export LC_ALL=C
	vm_cleanup
	nb_create nb0 16 "$MODES" 8 4
	nb_create nb1 16 "$MODES" 8 4
	# BLKCRYPTOEVICTKEY and DM_CRYPTO_CAPS must both be there
	run "$FUZZ" --probe --blk /dev/nb0
	[ "$status" -ne 77 ] || skip "$output"
	[ "$status" -eq 0 ]
	rm -rf "$WORK"
	mkdir -p "$WORK"
	mark_log
}

teardown() {
	mountpoint -q "$MNT" && umount "$MNT"
	vm_cleanup
	rm -rf "$WORK" "$LBLK64_MASTER" "$LBLK64_KEY"
}

@test "5,000 rounds of fscrypt writes while the stack is reloaded, suspended, queried, evicted and dropped: every file intact" {
	local rounds=${DMCAPS_STRESS_ROUNDS:-5000} seed=${DMCAPS_STRESS_SEED:-$RANDOM$RANDOM}
	local d enc0 enc1 i t=
	# two levels: the reloaded device over a striped one (64 KiB chunks
	# over nb0 and nb1); table A maps it in 1 MiB targets out of order
	dmsetup create st --table "0 65536 striped 2 128 /dev/nb0 0 /dev/nb1 0"
	for i in $(seq 0 31); do
		t+="$((i * 2048)) 2048 linear /dev/mapper/st $((i * 5 % 32 * 2048))"$'\n'
	done
	dmsetup create fs --table "$t"
	# table B maps the same data as table A, each 1 MiB target split in two
	dmsetup table fs > "$WORK/table-a"
	awk '{ h = $2 / 2; print $1, h, $3, $4, $5; print $1 + h, h, $3, $4, $5 + h }' \
		"$WORK/table-a" > "$WORK/table-b"
	[ "$(wc -l < "$WORK/table-b")" -eq $((2 * $(wc -l < "$WORK/table-a"))) ]
	fscrypt_lblk64_setup "$MNT" /dev/mapper/fs 1024
	enc0=$(counter_sum data_units_encrypted nb0 nb1)

	run --separate-stderr timeout 900 "$STRESS" --dir "$MNT/secret" --dm fs \
		--table "$WORK/table-a" --table "$WORK/table-b" \
		--key-file "$LBLK64_KEY" --blk /dev/mapper/fs --blk /dev/mapper/st \
		--blk /dev/nb0 --blk /dev/nb1 \
		--manifest "$WORK/manifest" --rounds "$rounds" --seed "$seed" 3>&-
	echo "$output"
	[ -z "$stderr" ] || echo "stderr: $stderr"
	sed 's/^/# /' <<< "$output" >&3
	[ "$status" -eq 0 ]
	grep -q "^rounds $rounds of $rounds " <<< "$output"
	# each disturbance really happened, many times
	local n
	for n in reloads suspends "caps rounds" evictions "cache drops"; do
		[ "$(sed -n "s/.*$n \([0-9]*\).*/\1/p" <<< "$output")" -ge 10 ]
	done
	# the writes went through the emulated hardware
	enc1=$(counter_sum data_units_encrypted nb0 nb1)
	nb_counters nb0
	nb_counters nb1
	[ "$enc1" -gt "$enc0" ]

	# every file, from the devices, after a remount with cold caches
	umount "$MNT"
	echo 3 > /proc/sys/vm/drop_caches
	mount -o inlinecrypt /dev/mapper/fs "$MNT"
	xfs_io -c add_enckey "$MNT" < "$LBLK64_MASTER"
	run "$STRESS" --verify --dir "$MNT/secret" --manifest "$WORK/manifest"
	echo "$output"
	sed 's/^/# /' <<< "$output" >&3
	[ "$status" -eq 0 ]
	[ "$(md5sum < "$MNT/secret/data")" = "$SUM" ]
	umount "$MNT"
	# the writes took the hardware path, never the fallback
	log_since_mark > "$WORK/log"
	not grep -F "using blk-crypto-fallback" "$WORK/log"
	dmesg | grep -qF "$LOG_MARK"
	log_clean
}
