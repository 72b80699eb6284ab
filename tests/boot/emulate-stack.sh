#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# TEST ONLY, never installed: runs early in the test initramfs
# (initramfs-tools init-premount, executed; dracut pre-udev hook, sourced:
# so no exit, no variables but _dt_*) and builds the devices the boot
# tests need, as LVM or cryptroot would have assembled them:
#   /dev/mapper/root  dm-linear over two emulated inline-crypto devices
#                     (null_blk with the series' emulation), nbroot0 and
#                     nbroot1, filled from the root image on ubda
#   /dev/mapper/data  dm-linear over a third one, nbdata (the device the
#                     test configuration lists in DMCAPS_DEVICES)
# dmcapstest= on the command line says which, words joined by '+':
#   provided  every device offers AES-256-XTS(4096) with 8-byte DUNs
#   lacking   nbroot1 offers Adiantum only: the root stack loses
#             AES-256-XTS because of it
#   plain     nbroot1 has no inline crypto at all (no queue/crypto)
#   nodata    /dev/mapper/data is not created (a configured device that
#             does not exist at boot)
#   nodmcaps  dmcaps is removed from the image (as if the hook had not
#             put it there)

if [ "${1-}" = prereqs ]; then
	echo ""
	exit 0
fi

_dt_say() { echo "dmcaps-test: $*" > /dev/console; }

# mk NAME SIZE_MB MODES: an emulated device; MODES "" for none
_dt_mk() {
	_dt_d=/sys/kernel/config/nullb/$1
	mkdir "$_dt_d" && echo "$2" > "$_dt_d/size" &&
		echo 1 > "$_dt_d/memory_backed" &&
		echo 4096 > "$_dt_d/blocksize" || return 1
	if [ -n "$3" ]; then
		echo "$3" > "$_dt_d/crypto_modes" &&
			echo 8 > "$_dt_d/crypto_max_dun_bytes" &&
			echo 8 > "$_dt_d/crypto_num_keyslots" || return 1
	fi
	echo 1 > "$_dt_d/power"
}

_dt_build() {
	case "$1" in
	*lacking*) _dt_second="Adiantum=4096" ;;
	*plain*) _dt_second= ;;
	*) _dt_second="AES-256-XTS=4096" ;;
	esac
	mount -t configfs none /sys/kernel/config 2> /dev/null
	# The root image is 16 MiB: 8 MiB on each device, 16384 sectors.
	_dt_mk nbroot0 8 "AES-256-XTS=4096" && _dt_mk nbroot1 8 "$_dt_second" &&
		_dt_mk nbdata 4 "AES-256-XTS=4096" ||
		{ _dt_say "cannot create the emulated devices"; return 1; }
	dd if=/dev/ubda of=/dev/nbroot0 bs=4096 count=2048 2> /dev/null &&
		dd if=/dev/ubda of=/dev/nbroot1 bs=4096 skip=2048 count=2048 2> /dev/null ||
		{ _dt_say "cannot copy the root image"; return 1; }
	printf '0 16384 linear /dev/nbroot0 0\n16384 16384 linear /dev/nbroot1 0\n' |
		DM_DISABLE_UDEV=1 dmsetup create root ||
		{ _dt_say "cannot create the root device"; return 1; }
	case "$1" in
	*nodata*) ;;
	*) echo "0 8192 linear /dev/nbdata 0" |
		DM_DISABLE_UDEV=1 dmsetup create data ||
		{ _dt_say "cannot create the data device"; return 1; } ;;
	esac
	case "$1" in
	*nodmcaps*) rm -f /usr/sbin/dmcaps /sbin/dmcaps /bin/dmcaps /usr/bin/dmcaps ;;
	esac
	_dt_say "devices built ($1)"
}

_dt_t=
for _dt_x in $(cat /proc/cmdline); do
	case "$_dt_x" in dmcapstest=*) _dt_t=${_dt_x#dmcapstest=} ;; esac
done
[ -z "$_dt_t" ] || _dt_build "$_dt_t"
unset _dt_t _dt_x _dt_d _dt_second
