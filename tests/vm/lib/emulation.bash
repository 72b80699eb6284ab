# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for VM suites: emulated inline-encryption devices (null_blk with
# the series' crypto emulation) and device-mapper stacks over them. Sourced
# by bats suites running as root inside the test VM.

NULLB=/sys/kernel/config/nullb

# nb_create NAME SIZE_MB MODES [DUN_BYTES [KEYSLOTS]]
#   MODES as null_blk's crypto_modes takes them ("AES-256-XTS=512,4096
#   Adiantum=4096"), or "" for a device without inline encryption.
nb_create() {
	local name=$1 size=$2 modes=$3 dun=${4:-8} slots=${5:-8} d=$NULLB/$1
	mkdir "$d" || return 1
	echo "$size" > "$d/size" &&
	echo 1 > "$d/memory_backed" &&
	echo 4096 > "$d/blocksize" || return 1
	if [ -n "$modes" ]; then
		echo "$modes" > "$d/crypto_modes" &&
		echo "$dun" > "$d/crypto_max_dun_bytes" &&
		echo "$slots" > "$d/crypto_num_keyslots" || return 1
	fi
	echo 1 > "$d/power" || return 1
	[ -b "/dev/$name" ]
}

# emu_modes: the blk-crypto modes this kernel's emulation takes (6.1 has no
# SM4-XTS), asked of null_blk itself on a device never powered on.
emu_modes() {
	local m d=$NULLB/dmcaps-probe-$$
	mkdir "$d" || return 1
	for m in AES-256-XTS AES-128-CBC-ESSIV Adiantum SM4-XTS; do
		echo "$m=4096" 2>/dev/null > "$d/crypto_modes" && echo "$m"
	done
	rmdir "$d"
}

# nb_counter NAME COUNTER: one of keyslot_programs, keyslot_evictions,
# data_units_encrypted, data_units_decrypted, keys_programmed
nb_counter() {
	cat "$NULLB/$1/crypto_$2"
}

# nb_counters NAME: all counters on one line, for failure messages
nb_counters() {
	local c out=$1:
	for c in keyslot_programs keyslot_evictions data_units_encrypted \
		 data_units_decrypted keys_programmed; do
		out="$out $c=$(cat "$NULLB/$1/crypto_$c" 2>/dev/null)"
	done
	echo "$out"
}

nb_remove() {
	[ -d "$NULLB/$1" ] || return 0
	echo 0 > "$NULLB/$1/power" 2>/dev/null
	rmdir "$NULLB/$1"
}

# Removes every DM device and every null_blk device made through configfs:
# each test starts from nothing.
vm_cleanup() {
	local d
	for d in /tmp/dmcaps-mnt*; do
		mountpoint -q "$d" 2>/dev/null && umount "$d"
	done
	dmsetup remove_all --force >/dev/null 2>&1
	dmsetup remove_all --force >/dev/null 2>&1
	for d in "$NULLB"/*/; do
		[ -d "$d" ] && nb_remove "$(basename "$d")"
	done
	return 0
}

# The kernel name (dm-N) of DM device NAME. Without udev, /dev/mapper/NAME
# is a device node, not a symlink to /dev/dm-N: ask device-mapper.
dm_kname() {
	dmsetup info -c --noheadings -o blkdevname "$1"
}

# crypto_sysfs KNAME: the queue's capabilities as one line,
# "AES-256-XTS=0x1000 Adiantum=0x1000 dun_bits=64 slots=0", or "none".
crypto_sysfs() {
	local d=/sys/block/$1/queue/crypto f out=
	[ -d "$d" ] || { echo none; return 0; }
	for f in "$d"/modes/*; do
		[ -e "$f" ] && out="$out${f##*/}=$(cat "$f") "
	done
	echo "${out}dun_bits=$(cat "$d/max_dun_bits") slots=$(cat "$d/num_keyslots")"
}

# linear_interleaved NAME DEV... : a dm-linear device of 1 MiB chunks taken
# from each device in turn (16 per device, or LINEAR_CHUNKS), so that any
# file of a few MiB lands on every device.
linear_interleaved() {
	local name=$1 table= start=0 i d sect_per_mb=2048
	shift
	for i in $(seq 0 $((${LINEAR_CHUNKS:-16} - 1))); do
		for d in "$@"; do
			table="$table$start $sect_per_mb linear /dev/$d $((i * sect_per_mb))
"
			start=$((start + sect_per_mb))
		done
	done
	dmsetup create "$name" --table "$table"
}

# dm_fallback_on DMNAME: sets DMNAME's dm/crypto_fallback (per-device
# blk-crypto-fallback, the dm-crypto series) and reloads its table, since
# the switch applies from the next load. Returns 2 on a kernel without it.
dm_fallback_on() {
	local f
	f=/sys/block/$(dm_kname "$1")/dm/crypto_fallback
	[ -e "$f" ] || return 2
	echo 1 > "$f" && [ "$(cat "$f")" = 1 ] || return 1
	dmsetup table "$1" | dmsetup reload "$1" && dmsetup resume "$1"
}

# exposed DMNAME: its queue's capabilities (crypto_sysfs), also on stderr
# for the test's log
exposed() {
	local c
	c=$(crypto_sysfs "$(dm_kname "$1")")
	echo "$1 exposes: $c" >&2
	echo "$c"
}

# target_version TYPE: the version of a registered DM target type, "1.24.0"
target_version() {
	dmsetup targets | awk -v t="$1" '$1 == t { print $2 }'
}

# caps_ioctl_present: whether this kernel has DM_CRYPTO_CAPS, found out as
# libdmcaps does (lib/kcaps.c): a kernel whose device-mapper interface is
# older than the series' (DMCAPS_KABI_CRYPTO_CAPS_MINOR) is not asked, since
# its log would get "unknown command"; a newer one is probed with the
# independent python client. Sets CAPS_DM_MINOR to the interface's minor.
EMULATION_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
caps_ioctl_present() {
	local min
	min=$(sed -n 's/^#define DMCAPS_KABI_CRYPTO_CAPS_MINOR[[:space:]]*\([0-9]*\).*/\1/p' \
		"$EMULATION_TOP/lib/kabi-dm-crypto-caps.h")
	CAPS_DM_MINOR=$(dmsetup version |
		sed -n 's/^Driver version:[[:space:]]*4\.\([0-9]*\)\..*/\1/p')
	[ "${CAPS_DM_MINOR:-0}" -ge "$min" ] || return 1
	[ "$(python3 "$EMULATION_TOP/tests/vm/tools/crypto-caps.py" --types |
		head -n 1)" != "errno=ENOTTY" ]
}

# caps_ioctl_check: for setup_file of suites that need DM_CRYPTO_CAPS.
# Exports CC_TOOL (the independent python client) and, on a kernel without
# the ioctl, CAPS_SKIP with the reason, said on the TAP stream; setup() then
# skips with it.
caps_ioctl_check() {
	export CC_TOOL="$EMULATION_TOP/tests/vm/tools/crypto-caps.py"
	if ! caps_ioctl_present; then
		echo "# DM interface 4.${CAPS_DM_MINOR:-?}: no DM_CRYPTO_CAPS in this kernel, skipping" >&3
		export CAPS_SKIP="kernel without DM_CRYPTO_CAPS (DM interface 4.${CAPS_DM_MINOR:-?})"
	fi
}

# dmcaps_require: skips (with the reason) when run.sh was not given
# --build; sets $DMCAPS and the C locale. $DMCAPS is the program libtool's
# wrapper script src/dmcaps runs (run.sh asked libtool for it and for the
# library path, DMCAPS_PROG and DMCAPS_LIBPATH), so that every run costs
# one exec and not a bash script first.
dmcaps_require() {
	[ -x "${DMCAPS_BUILD:-}/src/dmcaps" ] ||
		skip "dmcaps not built: pass --build DIR to tests/vm/run.sh"
	if [ -n "${DMCAPS_PROG:-}" ]; then
		DMCAPS=$DMCAPS_PROG
		export LD_LIBRARY_PATH=$DMCAPS_LIBPATH
	else
		DMCAPS=$DMCAPS_BUILD/src/dmcaps
	fi
	export LC_ALL=C
}

# node_pairs NAME: the line of node NAME in $output (a run of `dmcaps show
# --pairs`), eval'd into shell variables (NAME, PREDICTED, WHY, ...)
node_pairs() {
	local line
	line=$(printf '%s\n' "$output" | grep -F "NAME=\"$1\" " | head -n 1)
	[ -n "$line" ] || { echo "no node $1 in: $output"; return 1; }
	eval "$line"
}

# tables DMNAME: "LIVE", "LIVE & INACTIVE", "INACTIVE" or "None"
tables() {
	dmsetup info "$1" | sed -n 's/^Tables present: *//p'
}

# log_clean [REGEX]: no kernel log line since mark_log matches REGEX
# (default: warnings, bugs, lockdep reports, oopses); prints them otherwise.
log_clean() {
	local bad
	bad=$(log_since_mark |
		grep -E "${1:-WARNING|BUG|Call Trace|lockdep|circular|Oops}" || true)
	[ -z "$bad" ] || { echo "kernel log: $bad" >&2; return 1; }
}

# Kernel log lines since mark_log. The mark is a line of its own in the log,
# not a line count: once the ring buffer is full (a long VM run), old lines
# drop out and a count no longer grows.
mark_log() {
	LOG_MARK="dmcaps-test-mark $$ $RANDOM $SECONDS"
	echo "$LOG_MARK" > /dev/kmsg
}
log_since_mark() { dmesg | sed -n "/$LOG_MARK/,\$p" | tail -n +2; }

# A pattern that a raw device must not hold when data is encrypted.
PLAINTEXT_MARKER="dmcaps-plaintext-marker-0123456789abcdef"
write_marker_file() {	# write_marker_file PATH SIZE_KB
	yes "$PLAINTEXT_MARKER" | head -c "$(($2 * 1024))" > "$1"
}
# raw_has_marker DEV [MARKER]: 0 if DEV holds MARKER. Records end at NUL
# bytes (-z), not at newlines: a file system is mostly zeros, one "line" of
# many MiB to grep -a, which it holds whole while it searches (11.5 s for a
# fresh 32 MiB ext4 in the VM, 0.25 s with -z). A marker holds no NUL, so
# it is found either way.
raw_has_marker() {
	LC_ALL=C grep -q -a -z -F "${2:-$PLAINTEXT_MARKER}" "$1"
}

# not CMD...: succeeds when CMD fails. bats does not fail a test on "! cmd"
# (bash's errexit ignores negated commands), so negations go through this.
not() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
	return 0
}

# dmcaps_setup: for suites that run the tool. Skips (with the reason) when
# run.sh was not given --build, sets $DMCAPS, starts from nothing and makes
# the three devices those suites use: ufs0 (AES-256-XTS and Adiantum at
# 4096, DUN 8, 16 slots), emmc0 (AES-256-XTS at 512 and 4096, DUN 4,
# 8 slots) and plain0 (no inline crypto).
dmcaps_setup() {
	dmcaps_require
	vm_cleanup
	nb_create ufs0 64 "AES-256-XTS=4096 Adiantum=4096" 8 16
	nb_create emmc0 64 "AES-256-XTS=512,4096" 4 8
	nb_create plain0 64 ""
}
