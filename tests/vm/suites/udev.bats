#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The udev rules (69-dmcaps.rules and its IMPORT{program} helper
# dmcaps-udev) as `make install` installs them, run by `udevadm test` on
# real DM devices over emulated inline-crypto devices, after the real
# device-mapper rules (dmsetup's 55-dm.rules): the properties match what
# dmcaps show says and what the kernel exposes; suspended DM devices and
# devices whose DM_UDEV_DISABLE_OTHER_RULES_FLAG is set are left alone.
# The test kernel has no networking, so no udevd: `udevadm test` runs the
# rules in-process and records the result in the udev database (guest's
# /run/udev), which `udevadm info` then reads.
#
# In the guest only (its own mounts; the host stays untouched): the
# DESTDIR install is copied onto a tmpfs over /usr/local, an ld.so cache
# that knows /usr/local/lib is bound over /etc/ld.so.cache (udev runs its
# programs with its own environment, no LD_LIBRARY_PATH), and the rules
# directories hold only 55-dm.rules, 69-dmcaps.rules and a test rule.
# bats file_tags=stock

bats_require_minimum_version 1.5.0
load ../lib/emulation

SECT_PER_MB=2048

setup_file() {
	local stage=/tmp/udev-stage dm_rules prefix rulesdir
	[ -n "${DMCAPS_BUILD:-}" ] || { echo "# run.sh --build DIR needed" >&3; return 1; }
	command -v udevadm > /dev/null ||
		{ echo "# udevadm is not installed (scripts/install-deps.sh boot)" >&3; return 1; }
	dm_rules=$(ls /usr/lib/udev/rules.d/55-dm.rules /lib/udev/rules.d/10-dm.rules 2>/dev/null | head -n 1)
	[ -n "$dm_rules" ] || { echo "# no device-mapper udev rules (dmsetup)" >&3; return 1; }
	prefix=$(sed -n 's/^prefix = //p' "$DMCAPS_BUILD/Makefile")
	rulesdir=$(sed -n 's/^udevrulesdir = //p' "$DMCAPS_BUILD/Makefile")
	[ "$prefix" = /usr/local ] ||
		{ echo "# the build's prefix is $prefix; this suite lays /usr/local over" >&3; return 1; }
	[ "$rulesdir" != no ] || { echo "# configured --without-udevrulesdir" >&3; return 1; }

	rm -rf "$stage"
	make -s -C "$DMCAPS_BUILD" install DESTDIR="$stage" > /tmp/udev-install.log 2>&1 ||
		{ sed 's/^/# /' /tmp/udev-install.log >&3; return 1; }
	mkdir -p /tmp/udev-rules
	cp "$dm_rules" /tmp/udev-rules/
	cp "$stage$rulesdir/69-dmcaps.rules" /tmp/udev-rules/
	# an LVM-private-like device: its flag set by a rule between
	# device-mapper's and ours, as libdevmapper's cookie would
	echo 'ENV{DM_NAME}=="private", ENV{DM_UDEV_DISABLE_OTHER_RULES_FLAG}="1"' \
		> /tmp/udev-rules/60-dmcaps-test.rules

	mount -t tmpfs tmpfs /usr/local
	cp -a "$stage/usr/local/." /usr/local/
	ldconfig -C /tmp/ld.so.cache
	mount --bind /tmp/ld.so.cache /etc/ld.so.cache
	mount --bind /tmp/udev-rules /usr/lib/udev/rules.d
	mkdir -p /tmp/empty
	mount --bind /tmp/empty /etc/udev/rules.d
	[ -x /usr/local/libexec/dmcaps/dmcaps-udev ]
	/usr/local/sbin/dmcaps --version > /dev/null
}

teardown_file() {
	umount /etc/udev/rules.d /usr/lib/udev/rules.d /etc/ld.so.cache /usr/local 2>/dev/null
	return 0
}

setup() {
	dmcaps_setup
	# no record of an earlier test's dm-N (the numbers are reused)
	rm -rf /run/udev/data
}

teardown() {
	vm_cleanup
}

# utest DEVICE [ACTION]: udevadm test of /sys/class/block/KNAME; the final
# properties in $output, shown in the TAP log
utest() {
	local kname=$1
	case $kname in /dev/mapper/*|[a-z]*) [ -e "/sys/class/block/$kname" ] || kname=$(dm_kname "$kname") ;; esac
	run --separate-stderr udevadm test --action="${2:-change}" "/sys/class/block/$kname"
	echo "udevadm test $kname: exit $status"
	echo "$output"
	echo "stderr: $stderr"
	printf '%s\n' "$output" | grep -E '^(DEVNAME|ACTION|DM_NAME|DM_SUSPENDED|DM_UDEV_DISABLE_OTHER_RULES_FLAG|DMCAPS_[A-Z]*)=' |
		sed "s/^/# udevadm test $kname (${2:-change}): /" >&3
	[ "$status" -eq 0 ]
}
prop() { printf '%s\n' "$output" | sed -n "s/^$1=//p"; }

@test "udev: a DM device gets DMCAPS_MODES, DUN, SLOTS, DROPS as dmcaps show says" {
	dmsetup create pair --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0
$((64 * SECT_PER_MB)) $((64 * SECT_PER_MB)) linear /dev/emmc0 0"
	utest pair
	[ "$(prop DM_NAME)" = pair ]
	[ "$(prop DMCAPS_MODES)" = "AES-256-XTS(4096)" ]
	[ "$(prop DMCAPS_DUN)" = 4 ]
	[ "$(prop DMCAPS_DROPS)" = yes ]
	# the same as dmcaps show and the kernel
	run --separate-stderr "$DMCAPS" show --nodeps -n -o MODES,DUN,SLOTS pair
	[ "$(echo "$output" | tr -s ' ')" = "AES-256-XTS(4096) 4 pass" ]
	[ -e "/sys/block/$(dm_kname pair)/queue/crypto/modes/AES-256-XTS" ]
	[ ! -e "/sys/block/$(dm_kname pair)/queue/crypto/modes/Adiantum" ]
	# udevadm info reads them from the database the event left
	run udevadm info -q property "/dev/$(dm_kname pair)"
	echo "$output"
	printf '%s\n' "$output" | grep '^DMCAPS_' | sed 's/^/# udevadm info: /' >&3
	grep -qx 'DMCAPS_MODES=AES-256-XTS(4096)' <<< "$output"
	grep -qx 'DMCAPS_DROPS=yes' <<< "$output"
}

@test "udev: a DM device that keeps what its device offers: DROPS no" {
	dmsetup create single --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	utest single
	[ "$(prop DMCAPS_MODES)" = "AES-256-XTS(4096) Adiantum(4096)" ]
	[ "$(prop DMCAPS_DUN)" = 8 ]
	[ "$(prop DMCAPS_DROPS)" = no ]
}

@test "udev: a disk with inline crypto gets the properties, one without gets none" {
	utest ufs0
	[ "$(prop DMCAPS_MODES)" = "AES-256-XTS(4096) Adiantum(4096)" ]
	[ "$(prop DMCAPS_SLOTS)" = 16 ]
	# a disk has no table to drop anything
	[ -z "$(prop DMCAPS_DROPS)" ]
	utest plain0
	not grep -q '^DMCAPS_' <<< "$output"
}

@test "udev: a suspended DM device is skipped (55-dm.rules' DM_SUSPENDED), and served again once resumed" {
	dmsetup create single --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	dmsetup suspend single
	utest single
	[ "$(prop DM_SUSPENDED)" = 1 ]
	not grep -q '^DMCAPS_' <<< "$output"
	dmsetup resume single
	# libdevmapper's resume event carries a cookie whose primary-source
	# flag makes 55-dm.rules start afresh; a bare change event (all
	# udevadm test can make) takes the flags the suspended event left in
	# the database instead: start from none, as the cookie would
	rm -f "/run/udev/data/b$(cat "/sys/block/$(dm_kname single)/dev")"
	utest single
	[ "$(prop DM_SUSPENDED)" = 0 ]
	[ "$(prop DMCAPS_MODES)" = "AES-256-XTS(4096) Adiantum(4096)" ]
}

@test "udev: DM_UDEV_DISABLE_OTHER_RULES_FLAG honoured: a private device, an add event not from libdevmapper" {
	dmsetup create private --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	utest private
	[ "$(prop DM_UDEV_DISABLE_OTHER_RULES_FLAG)" = 1 ]
	not grep -q '^DMCAPS_' <<< "$output"
	# 55-dm.rules: an add event of a device it never saw activated
	# (no database, no cookie) disables the other rules
	dmsetup create single --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	utest single add
	[ "$(prop DM_UDEV_DISABLE_OTHER_RULES_FLAG)" = 1 ]
	not grep -q '^DMCAPS_' <<< "$output"
}

@test "udev: dmcaps-udev alone: one property a line, a missing device is its exit status" {
	dmsetup create single --table "0 $((64 * SECT_PER_MB)) linear /dev/ufs0 0"
	run --separate-stderr /usr/local/libexec/dmcaps/dmcaps-udev "/dev/$(dm_kname single)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 'DMCAPS_MODES="AES-256-XTS(4096) Adiantum(4096)"
DMCAPS_DUN="8"
DMCAPS_SLOTS="pass"
DMCAPS_DROPS="no"' ]
	run --separate-stderr /usr/local/libexec/dmcaps/dmcaps-udev /dev/nosuchdevice
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[[ "$stderr" == *nosuchdevice* ]]
}
