#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM itself: the kernel under test, with what every other suite needs.

@test "running the patched dmcaps test kernel" {
	run uname -r
	[ "$status" -eq 0 ]
	[[ "$output" == 6.12.* ]]
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
