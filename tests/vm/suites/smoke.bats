#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM itself: the kernel under test, with what every other suite needs.
# bats file_tags=stock,kasan

load ../lib/emulation

@test "running the kernel of the tier (DMCAPS_KERNEL_TIER)" {
	run uname -r
	[ "$status" -eq 0 ]
	echo "tier ${DMCAPS_KERNEL_TIER:-?}, kernel $output"
	case ${DMCAPS_KERNEL_TIER:-custom} in
	patched|patched-kasan|stock-6.12) [[ "$output" == 6.12.* ]] ;;
	stock-6.1) [[ "$output" == 6.1.* ]] ;;
	custom) true ;;
	*) false ;;
	esac
}

@test "the tier has the dm-crypto series exactly when it should (striped's version)" {
	# dm-crypto/0006 makes striped pass inline crypto and bumps it to 1.7.0;
	# upstream's 6.1 and 6.12 have 1.6.x. A stock tier that had the series
	# (or a patched one without it) would test the wrong kernel.
	v=$(target_version striped)
	echo "striped $v, tier ${DMCAPS_KERNEL_TIER:-?}"
	v=${v#v}
	[[ "$v" == [0-9]*.[0-9]*.[0-9]* ]]
	case ${DMCAPS_KERNEL_TIER:-custom} in
	patched|patched-kasan) [[ "$v" != 1.[0-6].* ]] ;;
	stock-6.12|stock-6.1) [[ "$v" == 1.[0-6].* ]] ;;
	*) skip "kernel given without its tier" ;;
	esac
}

@test "device-mapper is present and dmsetup talks to it" {
	[ -e /sys/class/misc/device-mapper ]
	run dmsetup version
	[ "$status" -eq 0 ]
	[[ "$output" == *"Driver version:"*"4.48"* ]] || [[ "$output" == *"Driver version:"* ]]
}

@test "null_blk is configurable through configfs" {
	[ -d /sys/kernel/config/nullb ]
	mkdir /sys/kernel/config/nullb/smoke0
	echo 1 > /sys/kernel/config/nullb/smoke0/power
	[ -b /dev/smoke0 ]
	echo 0 > /sys/kernel/config/nullb/smoke0/power
	rmdir /sys/kernel/config/nullb/smoke0
}

@test "dm-linear maps a null_blk device" {
	mkdir /sys/kernel/config/nullb/smoke1
	echo 16 > /sys/kernel/config/nullb/smoke1/size
	echo 1 > /sys/kernel/config/nullb/smoke1/memory_backed
	echo 1 > /sys/kernel/config/nullb/smoke1/power
	dmsetup create smoke --table "0 $((16 * 2048)) linear /dev/smoke1 0"
	echo hello | dd of=/dev/mapper/smoke bs=512 conv=sync oflag=direct status=none
	run dd if=/dev/smoke1 bs=512 count=1 iflag=direct status=none
	dmsetup remove smoke
	echo 0 > /sys/kernel/config/nullb/smoke1/power
	rmdir /sys/kernel/config/nullb/smoke1
	[[ "$output" == hello* ]]
}
