#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps boot check (dracut pre-mount hook): does the root device provide
# the inline encryption rd.dmcaps.require= (or /etc/dmcaps/initramfs.conf)
# asks for? Policy warn: the WHY lines as warnings, boot on; policy fail:
# die with the reason (emergency shell, or rd.emergency= / rd.shell=0).

type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh
. /usr/lib/dmcaps/dmcaps-boot.sh

dmcaps_warn() {
	warn "$*"
}

DMCAPS_ARG_PREFIX=rd.dmcaps.
unset DMCAPS_ARG_REQUIRE DMCAPS_ARG_POLICY
# getarg: the last one wins, /etc/cmdline.d included; set only if given.
# It reports an empty value as absent: an empty rd.dmcaps.require= is
# still a (malformed) requirement.
if _v=$(getarg rd.dmcaps.require=); then
	DMCAPS_ARG_REQUIRE=$_v
else
	case " $(getcmdline) " in
	*" rd.dmcaps.require= "*) DMCAPS_ARG_REQUIRE= ;;
	esac
fi
if _v=$(getarg rd.dmcaps.policy=); then
	DMCAPS_ARG_POLICY=$_v
fi
unset _v

case "$root" in
block:*) _dev=${root#block:} ;;
*) _dev=$root ;;
esac
if ! dmcaps_boot_check "$_dev"; then
	die "$DMCAPS_REASON"
fi
unset _dev
