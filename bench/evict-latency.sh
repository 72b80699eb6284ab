#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Latency of BLKCRYPTOEVICTKEY (kernel-patches/dm-crypto 0014-0016) on a DM device over
# 1, 8 and 64 emulated inline-crypto devices, timed around the ioctl by
# tests/vm/tools/blk-evict.py:
#   - "absent": a key that no keyslot holds: the walk over every device and
#     the search of its keyslots (8, then 64 per device), nothing evicted
#     (BENCH_CALLS calls);
#   - "programmed": the key fscrypt programmed on every device (ext4 with a
#     v2 IV_INO_LBLK_64 policy on dm-stripe with 4 KiB chunks, so that a
#     small file touches every device), evicted from all of them; the file is
#     read again between calls to program it again (BENCH_ROUNDS calls).
# Prints one row per device count: median, 90th percentile and max in
# microseconds, and the slots evicted per call. Runs as root in the test VM:
#   tests/vm/run.sh [--kernel LINUX] --exec bench/evict-latency.sh
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/lib/emulation.bash"
EV=$top/tests/vm/tools/blk-evict.py
FK=$top/tests/vm/tools/fscrypt-inline-key.py
calls=${BENCH_CALLS:-200}
rounds=${BENCH_ROUNDS:-20}
counts=${BENCH_DEVS:-"1 8 64"}
mnt=/tmp/dmcaps-mnt-bench
master=/tmp/bench.master
key=$(printf '5a%.0s' $(seq 64))

# stats US...: "median p90 max"
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%d %d %d", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], v[NR] }'
}

# us_of OUTPUT: the us=T values of blk-evict.py --repeat
us_of() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n 's/^us=//p'; }

printf '%-8s %-22s %-22s %-22s %s\n' devices "absent, 8 slots/dev" \
	"absent, 64 slots/dev" "programmed" "evicted/call"
printf '%-8s %-22s %-22s %-22s\n' "" "median p90 max (us)" \
	"median p90 max (us)" "median p90 max (us)"
for n in $counts; do
	# a key no keyslot holds, on devices with 64 keyslots: the search cost
	vm_cleanup
	table=
	for ((i = 0; i < n; i++)); do
		nb_create "b$i" 8 "AES-256-XTS=4096" 8 64
		table+="$((i * 16384)) 16384 linear /dev/b$i 0"$'\n'
	done
	dmsetup create lin --table "$table"
	out=$(python3 "$EV" /dev/mapper/lin --key-hex "$key" --repeat "$calls" --timing)
	# shellcheck disable=SC2046
	absent64=$(stats $(us_of "$out"))
	dmsetup remove lin

	vm_cleanup
	table=
	stripe=
	for ((i = 0; i < n; i++)); do
		nb_create "b$i" 8 "AES-256-XTS=4096" 8 8
		table+="$((i * 16384)) 16384 linear /dev/b$i 0"$'\n'
		stripe+=" /dev/b$i 0"
	done
	dmsetup create lin --table "$table"

	out=$(python3 "$EV" /dev/mapper/lin --key-hex "$key" --repeat "$calls" --timing)
	first=$(printf '%s\n' "$out" | head -1)
	[ "$first" = "evicted=0 busy=0 visited=$n failures=0" ] ||
		{ echo "unexpected: $first"; exit 1; }
	# shellcheck disable=SC2046
	absent=$(stats $(us_of "$out"))
	dmsetup remove lin

	# every device gets 4 KiB chunks in turn
	dmsetup create st --table "0 $((n * 16384)) striped $n 8$stripe"
	mkfs.ext4 -q -F -O encrypt,stable_inodes -b 4096 /dev/mapper/st
	mkdir -p "$mnt"
	mount -o inlinecrypt /dev/mapper/st "$mnt"
	head -c 64 /dev/urandom > "$master"
	id=$(xfs_io -c add_enckey "$mnt" < "$master" |
		sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
	mkdir "$mnt/s"
	xfs_io -r -c "set_encpolicy -v 2 -f 0x8 $id" "$mnt/s"
	head -c $((n * 4096 * 4)) /dev/urandom > "$mnt/s/f"
	sync
	ikey=$(python3 "$FK" --master-key-file "$master" --fs-device /dev/mapper/st)
	times=()
	evicted=
	for ((r = 0; r < rounds; r++)); do
		echo 3 > /proc/sys/vm/drop_caches
		cat "$mnt/s/f" > /dev/null
		out=$(python3 "$EV" /dev/mapper/st --key-hex "$ikey" --timing)
		evicted=$(printf '%s\n' "$out" | sed -n '1s/^evicted=\([0-9]*\) .*/\1/p')
		times+=($(us_of "$out"))
	done
	programmed=$(stats "${times[@]}")
	umount "$mnt"
	printf '%-8s %-22s %-22s %-22s %s\n' "$n" "$absent" "$absent64" "$programmed" "$evicted"
done
vm_cleanup
