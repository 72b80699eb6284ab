#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# device-mapper's DM_CRYPTO_CAPS ioctl (DM interface 4.51, command 19;
# kernel-patches/dm-crypto) against the conformance scenarios, through a raw client
# (tests/vm/tools/crypto-caps.py), so that the kernel's own answer is
# tested. Its sets are compared with sysfs (crypto_sysfs) wherever the
# kernel exposes them. Skipped, saying so, on a kernel without the ioctl.
# bats file_tags=kasan

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048
LEN=$((32 * SECT_PER_MB))

setup_file() {
	caps_ioctl_check
}

setup() {
	[ -z "${CAPS_SKIP:-}" ] || skip "$CAPS_SKIP"
	export LC_ALL=C
	vm_cleanup
	mark_log
	nb_create ufs0 64 "AES-256-XTS=512,4096 Adiantum=4096" 8 16
	nb_create emmc0 64 "AES-256-XTS=4096 SM4-XTS=4096" 4 8
	nb_create plain0 64 ""
}

teardown() {
	vm_cleanup
}

UFS_DM="AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=0"
BOTH="AES-256-XTS=0x1000 dun_bits=32 slots=0"

caps() {
	run --separate-stderr python3 "$CC_TOOL" "$@"
	echo "$output"
	[ -z "$stderr" ] || echo "stderr: $stderr"
}

# field PREFIX: the rest of the first output line that starts with PREFIX
field() {
	local l
	l=$(printf '%s\n' "$output" | grep -m1 -F -- "$1" || true)
	[ -n "$l" ] || { echo "no line '$1'" >&2; return 1; }
	printf '%s\n' "${l#"$1"}"
}

# expect_field PREFIX WANT
expect_field() {
	local got
	got=$(field "$1") || return 1
	if [ "$got" != "$2" ]; then
		echo "'$1': got '$got', expected '$2'" >&2
		return 1
	fi
}

majmin() {
	printf '%d:%d\n' "0x$(stat -L -c %t "$1")" "0x$(stat -L -c %T "$1")"
}

@test "intersection: the table's set, the queue's, each target and device" {
	dmsetup create dev --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN linear /dev/emmc0 0"
	caps dev
	[ "$status" -eq 0 ]
	[[ "$(field header)" == " version=2 size=96 flags=kernel "* ]]
	[[ "$(field header)" == *"buffer_full=0 tries=1 modes=AES-256-XTS,AES-128-CBC-ESSIV,Adiantum,SM4-XTS" ]]
	expect_field "table " "$BOTH"
	expect_field "queue " "$BOTH"
	[ "$(field "queue ")" = "$(crypto_sysfs "$(dm_kname dev)")" ]
	expect_field "target 0 " "start=0 length=$LEN type=linear passes=1 devs=$(majmin /dev/ufs0)"
	expect_field "target 1 " "start=$LEN length=$LEN type=linear passes=1 devs=$(majmin /dev/emmc0)"
	# each device's set is what sysfs shows for it
	expect_field "dev 0 " "target=0 dev=$(majmin /dev/ufs0) $(crypto_sysfs ufs0)"
	expect_field "dev 1 " "target=1 dev=$(majmin /dev/emmc0) $(crypto_sysfs emmc0)"
	[ "$(crypto_sysfs ufs0)" = "AES-256-XTS=0x1200 Adiantum=0x1000 dun_bits=64 slots=16" ]
	log_clean
}

@test "one capability set per device, however many targets map to it" {
	local i table=
	for i in $(seq 0 63); do
		table="$table$((2 * i * 1024)) 1024 linear /dev/ufs0 $((i * 1024))
$(((2 * i + 1) * 1024)) 1024 linear /dev/emmc0 $((i * 1024))
"
	done
	dmsetup create dev --table "$table"
	caps dev
	[ "$status" -eq 0 ]
	# the table's, the queue's, ufs0's and emmc0's
	[[ "$(field header)" == *" sets=4 devs=128 "* ]]
	expect_field "table " "$BOTH"
	expect_field "target 127 " "start=$((127 * 1024)) length=1024 type=linear passes=1 devs=$(majmin /dev/emmc0)"
	# every record of a device names its one set, as sysfs shows the device
	[ "$(printf '%s\n' "$output" | grep -c "^dev [0-9]* target=[0-9]* dev=$(majmin /dev/ufs0) $(crypto_sysfs ufs0)\$")" -eq 64 ]
	[ "$(printf '%s\n' "$output" | grep -c "^dev [0-9]* target=[0-9]* dev=$(majmin /dev/emmc0) $(crypto_sysfs emmc0)\$")" -eq 64 ]
	# a short buffer: the total size asked for fits the answer exactly
	caps --buffer 1024 --no-retry dev
	[[ "$(field header)" == *" sets=4 devs=128 "*" buffer_full=1 "* ]]
	log_clean
}

# passes TYPE: 1 if the kernel says target type TYPE passes inline crypto
passes() {
	python3 "$CC_TOOL" --types | sed -n "s/^type $1 passes=\([01]\) .*/\1/p"
}

@test "a target that does not pass inline crypto: crypt among linear; zero as the kernel says" {
	dmsetup create c --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN crypt aes-xts-plain64 $(printf '%064d' 0) 0 /dev/emmc0 0"
	caps c
	[ "$status" -eq 0 ]
	expect_field "table " none
	expect_field "queue " none
	[ "$(crypto_sysfs "$(dm_kname c)")" = none ]
	expect_field "target 0 " "start=0 length=$LEN type=linear passes=1 devs=$(majmin /dev/ufs0)"
	expect_field "target 1 " "start=$LEN length=$LEN type=crypt passes=0 devs=$(majmin /dev/emmc0)"
	# the devices under a non-passing target are still described
	expect_field "dev 0 " "target=0 dev=$(majmin /dev/ufs0) $(crypto_sysfs ufs0)"
	expect_field "dev 1 " "target=1 dev=$(majmin /dev/emmc0) $(crypto_sysfs emmc0)"

	# zero passes or not depending on the series (kernel-patches/dm-crypto/0012);
	# either way the table's set is what the kernel exposed for it
	local zp
	zp=$(passes zero)
	[ -n "$zp" ]
	dmsetup create z --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN zero"
	caps z
	[ "$status" -eq 0 ]
	expect_field "target 1 " "start=$LEN length=$LEN type=zero passes=$zp devs="
	expect_field "dev 0 " "target=0 dev=$(majmin /dev/ufs0) $(crypto_sysfs ufs0)"
	expect_field "queue " "$(crypto_sysfs "$(dm_kname z)")"
	expect_field "table " "$(crypto_sysfs "$(dm_kname z)")"
	if [ "$zp" = 1 ]; then
		expect_field "table " "$UFS_DM"
	else
		expect_field "table " none
	fi
	log_clean
}

@test "stacked DM two levels deep: each level intersects with the one below" {
	dmsetup create lower --table "0 $LEN linear /dev/ufs0 0"
	dmsetup create mid --table "0 $LEN linear /dev/mapper/lower 0"
	dmsetup create upper --table "0 $((LEN / 2)) linear /dev/mapper/mid 0
$((LEN / 2)) $((LEN / 2)) linear /dev/emmc0 0"
	caps upper
	[ "$status" -eq 0 ]
	expect_field "table " "$BOTH"
	expect_field "queue " "$(crypto_sysfs "$(dm_kname upper)")"
	# the device under upper's first target is mid, with mid's exposed set
	expect_field "dev 0 " "target=0 dev=$(majmin /dev/mapper/mid) $UFS_DM"
	[ "$(crypto_sysfs "$(dm_kname mid)")" = "$UFS_DM" ]
	caps mid
	[ "$status" -eq 0 ]
	expect_field "table " "$UFS_DM"
	expect_field "dev 0 " "target=0 dev=$(majmin /dev/mapper/lower) $UFS_DM"
	log_clean
}

@test "a lower device that gains capabilities: the upper live table shows them before the queue does" {
	dmsetup create lower --table "0 $LEN linear /dev/plain0 0"
	dmsetup create upper --table "0 $LEN linear /dev/mapper/lower 0"
	caps upper
	[ "$status" -eq 0 ]
	expect_field "table " none
	expect_field "queue " none
	dmsetup load lower --table "0 $LEN linear /dev/ufs0 0"
	dmsetup resume lower
	# computed from what lower exposes now; upper's queue was bound before
	caps upper
	[ "$status" -eq 0 ]
	expect_field "table " "$UFS_DM"
	expect_field "queue " none
	[ "$(crypto_sysfs "$(dm_kname upper)")" = none ]
	dmsetup load upper --table "0 $LEN linear /dev/mapper/lower 0"
	dmsetup resume upper
	caps upper
	expect_field "queue " "$UFS_DM"
	[ "$(crypto_sysfs "$(dm_kname upper)")" = "$UFS_DM" ]
	log_clean
}

@test "inactive vs live: a loaded expansion shows in the inactive table only until resume" {
	dmsetup create dev --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN linear /dev/emmc0 0"
	dmsetup load dev --table "0 $LEN linear /dev/ufs0 0"
	caps dev
	[ "$status" -eq 0 ]
	[[ "$(field header)" != *inactive* ]]
	expect_field "table " "$BOTH"
	expect_field "queue " "$BOTH"
	[ "$(printf '%s\n' "$output" | grep -c '^target ')" -eq 2 ]

	caps --inactive dev
	[ "$status" -eq 0 ]
	[[ "$(field header)" == " version=2 size=96 flags=inactive,kernel "* ]]
	expect_field "table " "$UFS_DM"
	# the queue still exposes the old set until resume
	expect_field "queue " "$BOTH"
	[ "$(crypto_sysfs "$(dm_kname dev)")" = "$BOTH" ]
	[ "$(printf '%s\n' "$output" | grep -c '^target ')" -eq 1 ]

	dmsetup resume dev
	caps dev
	[ "$status" -eq 0 ]
	expect_field "table " "$UFS_DM"
	expect_field "queue " "$UFS_DM"
	[ "$(crypto_sysfs "$(dm_kname dev)")" = "$UFS_DM" ]
	# no inactive table any more
	caps --inactive dev
	[ "$status" -eq 3 ]
	[ "$output" = errno=EINVAL ]
	log_clean
}

@test "a short buffer gets DM_BUFFER_FULL_FLAG, the total size, and a retry works" {
	local table= i chunk=512
	for i in $(seq 0 99); do
		table="$table$((i * chunk)) $chunk linear /dev/ufs0 $((i * chunk))
"
	done
	dmsetup create many --table "$table"

	caps --no-retry --buffer 512 many
	[ "$status" -eq 0 ]
	[[ "$(field header)" == *" returned=512 buffer_full=1 tries=1 "* ]]
	total=$(field header | sed -n 's/.* total_size=\([0-9]*\) .*/\1/p')
	[ "$total" -gt 512 ]

	# too short for the header: flagged, nothing to read
	caps --no-retry --buffer 64 many
	[ "$status" -eq 0 ]
	[[ "$(field header)" == " missing buffer_full=1 "* ]]

	# exactly total_size: complete
	caps --no-retry --buffer "$total" many
	[ "$status" -eq 0 ]
	[[ "$(field header)" == *" returned=$total buffer_full=0 "* ]]
	[ "$(printf '%s\n' "$output" | grep -c '^target ')" -eq 100 ]
	[ "$(printf '%s\n' "$output" | grep -c '^dev ')" -eq 100 ]

	# one byte short: flagged
	caps --no-retry --buffer "$((total - 1))" many
	[[ "$(field header)" == *" buffer_full=1 "* ]]

	# the client's retry with the size the kernel asked for
	caps --buffer 512 many
	[ "$status" -eq 0 ]
	[[ "$(field header)" == *" buffer_full=0 tries=2 "* ]]
	[ "$(printf '%s\n' "$output" | grep -c '^target ')" -eq 100 ]
	expect_field "target 99 " "start=$((99 * chunk)) length=$chunk type=linear passes=1 devs=$(majmin /dev/ufs0)"
	expect_field "table " "$UFS_DM"
	log_clean
}

@test "an unknown device: ENXIO, by name and by number" {
	caps nosuchdevice
	[ "$status" -eq 3 ]
	[ "$output" = errno=ENXIO ]
	caps --dev "$(awk '$2 == "device-mapper" { print $1 }' /proc/devices):4000"
	[ "$status" -eq 3 ]
	[ "$output" = errno=ENXIO ]
}

@test "a device without a table: EINVAL for the missing table, an answer for the other" {
	dmsetup create empty --notable
	caps empty
	[ "$status" -eq 3 ]
	[ "$output" = errno=EINVAL ]
	caps --inactive empty
	[ "$status" -eq 3 ]
	[ "$output" = errno=EINVAL ]

	dmsetup load empty --table "0 $LEN linear /dev/ufs0 0"
	caps --inactive empty
	[ "$status" -eq 0 ]
	expect_field "table " "$UFS_DM"
	caps empty
	[ "$status" -eq 3 ]
	[ "$output" = errno=EINVAL ]
	log_clean
}

@test "without a device: every target type and whether it passes inline crypto" {
	caps --types
	[ "$status" -eq 0 ]
	[[ "$(field header)" == " version=2 size=96 flags=types,kernel "* ]]
	not grep -q '^table ' <<< "$output"
	[[ "$(field "type linear ")" == "passes=1 version="* ]]
	[[ "$(field "type flakey ")" == "passes=1 version="* ]]
	[[ "$(field "type crypt ")" == "passes=0 version="* ]]
	[[ "$(field "type snapshot ")" == "passes=0 version="* ]]
	# every type's flags are 0 or 1, per_instance only where it passes
	[ -z "$(grep -E '^type ' <<< "$output" | grep -vE '^type [a-z0-9-]+ passes=[01] version=[0-9]+\.[0-9]+\.[0-9]+ per_instance=[01]$' || true)" ]
	not grep -qE '^type .* passes=0 .* per_instance=1$' <<< "$output"
	[[ "$(field "type linear ")" == *" per_instance=0" ]]
	# the same list dmsetup targets gives
	[ "$(printf '%s\n' "$output" | grep -c '^type ')" -eq "$(dmsetup targets | wc -l)" ]
	# a short buffer: flagged, retried
	caps --types --buffer 200
	[[ "$(field header)" == *" buffer_full=0 tries=2 "* ]]
}

@test "a caller without CAP_SYS_ADMIN gets EACCES or EPERM" {
	dmsetup create dev --table "0 $LEN linear /dev/ufs0 0"
	# can open the control node, but lost root before the ioctl
	caps --drop-to 65534 dev
	[ "$status" -eq 3 ]
	[[ "$output" == errno=EACCES || "$output" == errno=EPERM ]]
	caps --drop-to 65534 --types
	[ "$status" -eq 3 ]
	[[ "$output" == errno=EACCES || "$output" == errno=EPERM ]]
	# an ordinary user cannot even open it
	run setpriv --reuid=65534 --regid=65534 --clear-groups python3 "$CC_TOOL" dev
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == errno=EACCES || "$output" == errno=EPERM ]]
}

@test "malformed headers: sizes, versions, flags, unterminated names; the kernel stays healthy" {
	dmsetup create fz --table "0 $LEN linear /dev/ufs0 0
$LEN $LEN linear /dev/emmc0 0"
	dmsetup load fz --table "0 $LEN linear /dev/ufs0 0"
	for seed in 1 2 3; do
		caps --fuzz 1500 --seed "$seed" fz
		[ "$status" -eq 0 ]
		# the malformed calls were refused, and some well-formed ones answered
		[[ "$output" == *EINVAL=* ]]
		[[ "$output" == *OK=* ]]
	done
	# still answers correctly, and the devices still work
	caps fz
	[ "$status" -eq 0 ]
	expect_field "table " "$BOTH"
	caps --inactive fz
	expect_field "table " "$UFS_DM"
	dmsetup resume fz
	[ "$(crypto_sysfs "$(dm_kname fz)")" = "$UFS_DM" ]
	dd if=/dev/zero of=/dev/mapper/fz bs=1M count=1 oflag=direct status=none
	log_clean
}
