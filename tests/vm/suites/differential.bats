#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Differential test: dmcaps check against the kernel. Random worlds of
# emulated inline-crypto devices (random modes, data-unit sizes, DUN widths)
# and a plain device; two lower DM devices over them and an upper one over
# the lower ones and the raw devices (two DM levels); then random reloads of
# random multi-target tables. For each, `dmcaps check` gives its verdict,
# then a real `dmsetup load` lets the kernel decide: accepted (keeps,
# expands) must mean the load succeeds, shrinks that the kernel refuses it.
# After a resume, the set the queue exposes (sysfs) must be the predicted
# one, allowing for Linux 6.12's stale sysfs (no crypto dir after a late
# gain, no mode file for a mode gained later), counted as "stale".
# "cannot tell" is allowed (counted): on 6.12 userspace cannot always know
# what an upper device's queue holds; it must never hide a certain answer.
#
# Target types: linear and flakey (pass inline crypto in every kernel we
# build) and crypt (never passes: it encrypts itself). Other types (zero,
# error, delay, striped) are left out on purpose: kernel patches may make
# some of them pass, and this test must not depend on which do.
#
#   DMCAPS_DIFF_SEED   the random seed (default 20261126)
#   DMCAPS_DIFF_CASES  reload cases in all (default 120)
# run.sh passes no environment into the VM: differential-run.sh
# [--kernel-tier TIER | --kernel LINUX] BUILD CASES SEED runs this suite
# alone with them, on the kernel run.sh would boot with those options.
# bats file_tags=stock

bats_require_minimum_version 1.5.0
load ../lib/emulation

MB=2048			# sectors
DEV_MB=16		# raw devices
DM_SECTORS=$((8 * MB))	# every DM table has this size
KEY=$(printf '%064d' 5)

setup() {
	dmcaps_require
	vm_cleanup
}

teardown() {
	vm_cleanup
}

# Every random draw happens in the test's own shell: bash reseeds RANDOM in
# a subshell, so a draw inside $(...) would not follow DMCAPS_DIFF_SEED (and
# each subshell costs a fork, 40 ms in the VM). The generators set
# variables instead of printing.

rnd() {	# rnd N: R = 0..N-1
	R=$((RANDOM % $1))
}

# random_modes: MODES = a random capability set for nb_create,
# "MODE=SIZES ..." (1..3 modes)
random_modes() {
	local modes=($EMU_MODES) m s sizes
	MODES=
	for m in "${modes[@]}"; do
		rnd 2; [ "$R" = 0 ] && continue
		sizes=
		for s in 512 1024 2048 4096; do
			rnd 2; [ "$R" = 0 ] && sizes="$sizes${sizes:+,}$s"
		done
		[ -n "$sizes" ] || sizes=4096
		MODES="$MODES${MODES:+ }$m=$sizes"
	done
	[ -n "$MODES" ] || MODES="AES-256-XTS=4096"
}

# random_table DEVICES...: TABLE = a table of DM_SECTORS sectors in 1..3
# targets, each linear, flakey or crypt over a random one of DEVICES
random_table() {
	local devs=("$@") n i start=0 len left dev off type
	TABLE=
	rnd 3; n=$((R + 1))
	for ((i = 0; i < n; i++)); do
		left=$((DM_SECTORS - start))
		if ((i == n - 1)); then len=$left; else len=$(((left / (n - i)) & ~7)); fi
		rnd ${#devs[@]}; dev=${devs[R]}
		off=0
		if [[ $dev != /dev/mapper/* ]]; then rnd 8; off=$((R * MB)); fi
		rnd 10
		case $R in
		0 | 1) type="crypt aes-xts-plain64 $KEY 0 $dev $off" ;;
		2 | 3) type="flakey $dev $off 1 0" ;;
		*) type="linear $dev $off" ;;
		esac
		TABLE="$TABLE$start $len $type"$'\n'
		start=$((start + len))
	done
}

# verdict DEV TABLE: sets VERDICT NEW CAUSE (the first line of dmcaps
# check --pairs)
verdict() {
	local out
	out=$("$DMCAPS" check --pairs "$1" --table "$2" 2>>"$LOG") || true
	VERDICT= NEW= CAUSE=
	eval "${out%%$'\n'*}"
}

# sysfs_vs DEV NEW: SYSFS_VS = "match", "stale" or "MISMATCH: ..."; shell
# builtins only, as it runs after every resume
sysfs_vs() {
	local k= n f d m got dun modes e seen=0 total=0
	local -A want=()
	for f in /sys/block/dm-*/dm/name; do
		read -r n < "$f"
		if [ "$n" = "$1" ]; then k=${f#/sys/block/}; k=${k%%/*}; break; fi
	done
	[ -n "$k" ] || { SYSFS_VS="MISMATCH: no DM device $1 in sysfs"; return 0; }
	d=/sys/block/$k/queue/crypto
	if [ "$2" = none ]; then
		SYSFS_VS=match
		if [ -d "$d" ]; then
			SYSFS_VS="MISMATCH: predicted none, sysfs $(crypto_sysfs "$k")"
		fi
		return 0
	fi
	[ -d "$d" ] || { SYSFS_VS=stale; return 0; }
	modes=${2%% dun=*}
	dun=${2#* dun=}; dun=${dun%% *}
	read -r got < "$d/max_dun_bits"
	[ "$got" = $((dun * 8)) ] || { SYSFS_VS="MISMATCH: dun_bits $got, predicted $2"; return 0; }
	IFS=, read -r -a modes <<< "$modes"
	for e in "${modes[@]}"; do
		want[${e%%:*}]=${e#*:}
		total=$((total + 1))
	done
	for f in "$d"/modes/*; do
		[ -e "$f" ] || continue
		m=${f##*/}
		read -r got < "$f"
		[ "$got" = "${want[$m]-}" ] || { SYSFS_VS="MISMATCH: $m=$got, predicted $2"; return 0; }
		seen=$((seen + 1))
	done
	if ((seen < total)); then SYSFS_VS=stale; else SYSFS_VS=match; fi
	return 0
}

@test "differential: dmcaps check agrees with the kernel on random stacks and reloads" {
	local seed=${DMCAPS_DIFF_SEED:-20261126} want=${DMCAPS_DIFF_CASES:-120}
	local per_world=30 cases=0 created=0 agree=0 cannot=0 stale=0 matched=0
	local -A why=()
	local fails=0 w i dev table rc kernel raw lowers all R MODES TABLE SYSFS_VS
	local names=(l0 l1 u0)
	LOG=$BATS_TEST_TMPDIR/dmcaps.log
	EMU_MODES=$(emu_modes | tr "\n" " ")
	echo "# modes: $EMU_MODES" >&3
	[[ "$EMU_MODES" == *AES-256-XTS* ]]
	# the same seed draws the same worlds and tables (see rnd)
	RANDOM=$seed; random_modes; random_table /dev/a /dev/b; w="$MODES/$TABLE"
	RANDOM=$seed; random_modes; random_table /dev/a /dev/b
	[ "$w" = "$MODES/$TABLE" ]
	RANDOM=$seed
	echo "# seed $seed, $want reload cases" >&3

	for ((w = 0; cases < want; w++)); do
		vm_cleanup
		raw=()
		for i in 0 1 2 3; do
			random_modes; rnd 2
			nb_create "d$i" $DEV_MB "$MODES" $((4 << R)) 4
			raw+=("/dev/d$i")
		done
		nb_create p0 $DEV_MB ""
		raw+=(/dev/p0)
		# first tables: a device that does not exist takes anything
		for dev in l0 l1 u0; do
			if [[ $dev == u0 ]]; then
				random_table /dev/mapper/l0 /dev/mapper/l1 "${raw[@]}"
			else
				random_table "${raw[@]}"
			fi
			table=$TABLE
			verdict "$dev" "$table"
			created=$((created + 1))
			if [[ $VERDICT != keeps && $VERDICT != expands ]]; then
				echo "world $w: first table of $dev: verdict '$VERDICT'"
				fails=$((fails + 1))
			fi
			dmsetup create "$dev" --table "$table"
		done
		lowers=(/dev/mapper/l0 /dev/mapper/l1)

		for ((i = 0; i < per_world && cases < want; i++)); do
			rnd 3; dev=${names[R]}
			if [[ $dev == u0 ]]; then
				random_table "${lowers[@]}" "${raw[@]}"
			else
				random_table "${raw[@]}"
			fi
			table=$TABLE
			verdict "$dev" "$table"
			mark_log
			rc=0
			dmsetup load "$dev" --table "$table" 2>/dev/null || rc=$?
			cases=$((cases + 1))
			if [ $rc = 0 ]; then kernel=accepted; else kernel=rejected; fi
			case $VERDICT in
			keeps | expands) [ "$kernel" = accepted ] && agree=$((agree + 1)) ;;
			shrinks) [ "$kernel" = rejected ] && agree=$((agree + 1)) ;;
			"cannot tell")
				cannot=$((cannot + 1))
				# every one explained; counted per cause, the
				# device names made generic
				if [ -z "$CAUSE" ]; then
					fails=$((fails + 1))
					echo "case $cases (world $w): cannot tell without a cause"
				fi
				why["$(sed -E 's/\b(l0|l1|u0|d[0-9]+|p0|dm-[0-9]+)\b/DEV/g' <<< "$CAUSE")"]+=x ;;
			esac
			if { [[ $VERDICT == @(keeps|expands) ]] && [ "$kernel" != accepted ]; } ||
			   { [ "$VERDICT" = shrinks ] && [ "$kernel" != rejected ]; } ||
			   [ -z "$VERDICT" ]; then
				fails=$((fails + 1))
				echo "case $cases (world $w): $dev verdict '$VERDICT', kernel $kernel"
				echo "table:"; echo "$table"
				log_since_mark | tail -n 3
				"$DMCAPS" check "$dev" --table "$table" || true
				continue
			fi
			[ "$kernel" = accepted ] || continue
			# a refused shrink leaves no inactive table
			rnd 4
			if [ "$R" = 0 ]; then
				dmsetup clear "$dev"
				continue
			fi
			dmsetup resume "$dev"
			sysfs_vs "$dev" "$NEW"
			case $SYSFS_VS in
			match) matched=$((matched + 1)) ;;
			stale) stale=$((stale + 1)) ;;
			*)
				fails=$((fails + 1))
				echo "case $cases (world $w): $dev after resume: $SYSFS_VS"
				echo "table:"; echo "$table"
				;;
			esac
		done
	done
	echo "# $cases reload cases in $w worlds (+$created first tables): $agree verdicts agreed with the kernel, $cannot cannot tell; after resume $matched sets matched sysfs, $stale stale sysfs; $fails failures" >&3
	local c
	for c in "${!why[@]}"; do
		echo "# cannot tell ${#why[$c]}x: $c" >&3
	done
	[ "$fails" -eq 0 ]
	[ "$cases" -ge "$want" ]
	# "cannot tell" must stay the exception
	[ $((cannot * 4)) -le "$cases" ]
}
