#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The demo, run as root inside the dmcaps test VM by scripts/demo.sh:
# two emulated inline-encryption devices with different capabilities (a
# "UFS" one and an "eMMC" one, emulated by null_blk), a plain device without
# inline crypto, and device-mapper stacks over them. Shows what the kernel
# exposes for each and what dmcaps says about it.
set -eu

dmcaps=${DMCAPS_BUILD:+$DMCAPS_BUILD/src/dmcaps}
nullb=/sys/kernel/config/nullb

# Narration in bold, commands after "$ ", as typed.
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '\n$ %s\n' "$*"; "$@" || echo "(exit $?)"; }

emulate() {	# emulate NAME MODES DUN_BYTES KEYSLOTS
	mkdir "$nullb/$1"
	echo 64 > "$nullb/$1/size"
	echo 1 > "$nullb/$1/memory_backed"
	if [ -n "$2" ]; then
		echo "$2" > "$nullb/$1/crypto_modes"
		echo "$3" > "$nullb/$1/crypto_max_dun_bytes"
		echo "$4" > "$nullb/$1/crypto_num_keyslots"
	fi
	echo 1 > "$nullb/$1/power"
}

show_sysfs() {
	local d=/sys/block/$1/queue/crypto f
	if [ ! -d "$d" ]; then
		echo "$1: no inline encryption (no $d)"
		return
	fi
	echo "$1: max_dun_bits=$(cat "$d/max_dun_bits") num_keyslots=$(cat "$d/num_keyslots")"
	for f in "$d"/modes/*; do
		[ -e "$f" ] && echo "$1:   ${f##*/} = $(cat "$f")"
	done
}

if [ ! -e "$nullb/features" ] || ! grep -qw crypto_modes "$nullb/features"; then
	echo "this kernel's null_blk has no inline-encryption emulation" >&2
	exit 1
fi

say "Emulated inline-encryption devices (null_blk): ufs0 (AES-256-XTS and Adiantum,
4096-byte data units, 8-byte DUNs, 16 keyslots), emmc0 (AES-256-XTS, 512 and
4096-byte data units, 4-byte DUNs, 8 keyslots), plain0 (no inline crypto).
What their queues expose in sysfs:"
emulate ufs0 "AES-256-XTS=4096 Adiantum=4096" 8 16
emulate emmc0 "AES-256-XTS=512,4096" 4 8
emulate plain0 "" 0 0
for d in ufs0 emmc0 plain0; do show_sysfs "$d"; done

sectors=$((64 * 2048))
run dmsetup create both --table "0 $sectors linear /dev/ufs0 0
$sectors $sectors linear /dev/emmc0 0"
say "dm-linear over ufs0 and emmc0 exposes the intersection, with no keyslots (passthrough):"
show_sysfs "$(dmsetup info -c --noheadings -o blkdevname both)"

run dmsetup create mixed --table "0 $sectors linear /dev/ufs0 0
$sectors $sectors linear /dev/plain0 0"
say "one leg without inline crypto removes everything:"
show_sysfs "$(dmsetup info -c --noheadings -o blkdevname mixed)"

# dm-crypt encrypts in software and does not pass inline crypto through. Its
# key is a logon key in the keyring, so it is on no command line.
head -c 64 /dev/urandom | keyctl padd logon demo:crypt @u > /dev/null
run dmsetup create nopass --table "0 $sectors crypt aes-xts-plain64 :64:logon:demo:crypt 0 /dev/ufs0 0"
say "a target that does not pass inline crypto (crypt, over ufs0) exposes nothing:"
show_sysfs "$(dmsetup info -c --noheadings -o blkdevname nopass)"

say "reloading 'both' with a table over plain0 would shrink its capabilities; the kernel refuses:"
run dmsetup load both --table "0 $sectors linear /dev/plain0 0"
dmesg | grep -i "inline encryption" | tail -1 || true

say "fscrypt on ext4 over 'both', mounted with -o inlinecrypt: the emulated hardware
encrypts (its counters move), device-mapper only passes the key through."
mkdir -p /tmp/demo-mnt
mkfs.ext4 -q -F -O encrypt -b 4096 /dev/mapper/both
mount -o inlinecrypt /dev/mapper/both /tmp/demo-mnt
mkdir /tmp/demo-mnt/secret
head -c 64 /dev/urandom > /tmp/demo-key
id=$(xfs_io -c add_enckey /tmp/demo-mnt < /tmp/demo-key | sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
xfs_io -r -c "set_encpolicy -v 2 $id" /tmp/demo-mnt/secret
yes "secret data" | head -c 4194304 > /tmp/demo-mnt/secret/file
sync
dmesg | grep -F "fscrypt: AES-256-XTS using" | tail -1
for d in ufs0 emmc0; do
	echo "$d: keyslot programs $(cat "$nullb/$d/crypto_keyslot_programs")," \
		"data units encrypted $(cat "$nullb/$d/crypto_data_units_encrypted")"
done
xfs_io -c "rm_enckey $id" /tmp/demo-mnt >/dev/null
umount /tmp/demo-mnt
shred -u /tmp/demo-key
for d in ufs0 emmc0; do
	echo "$d after the key was removed: evictions $(cat "$nullb/$d/crypto_keyslot_evictions")," \
		"keys in slots $(cat "$nullb/$d/crypto_keys_programmed")"
done

if [ -x "$dmcaps" ]; then
	say "What dmcaps says about the stacks: each DM device, its targets, their devices,
and why capabilities were lost."
	run "$dmcaps" show
	say "The same for scripts (an initramfs can eval these lines):"
	run "$dmcaps" show --pairs /dev/mapper/mixed
else
	echo "(dmcaps not built: showing sysfs only)"
fi

for d in both mixed nopass; do dmsetup remove "$d"; done

if [ -x "$dmcaps" ]; then
	tools=$(cd "$(dirname "$0")/../tests/vm/tools" && pwd)
	say "Evicting a key from userspace. fscrypt on ext4 over dm-linear on two emulated
devices (AES-256-XTS, 8-byte DUNs, 4 keyslots each), with an IV_INO_LBLK_64 policy:
one inline-encryption key per mode, derived from the master key. fscrypt programs
it into a keyslot of each device as it writes:"
	emulate ufs1 "AES-256-XTS=4096" 8 4
	emulate ufs2 "AES-256-XTS=4096" 8 4
	# 1 MiB from each device in turn, so that any file lands on both
	table=
	for i in $(seq 0 31); do
		table="$table$((i * 4096)) 2048 linear /dev/ufs1 $((i * 2048))
$((i * 4096 + 2048)) 2048 linear /dev/ufs2 $((i * 2048))
"
	done
	dmsetup create home --table "$table"
	mkfs.ext4 -q -F -O encrypt,stable_inodes -b 4096 /dev/mapper/home
	mount -o inlinecrypt /dev/mapper/home /tmp/demo-mnt
	mkdir /tmp/demo-mnt/secret
	head -c 64 /dev/urandom > /tmp/demo-key
	id=$(xfs_io -c add_enckey /tmp/demo-mnt < /tmp/demo-key | sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
	xfs_io -r -c "set_encpolicy -v 2 -f 0x8 $id" /tmp/demo-mnt/secret
	yes "secret data" | head -c $((8 * 1024 * 1024)) > /tmp/demo-mnt/secret/file
	sync
	for d in ufs1 ufs2; do
		echo "$d: keys in keyslots $(cat "$nullb/$d/crypto_keys_programmed")"
	done
	python3 "$tools/fscrypt-inline-key.py" --master-key-file /tmp/demo-key \
		--fs-device /dev/mapper/home --out /tmp/demo-inline-key
	say "An administrator makes sure that key is gone from the hardware. The key comes
from a file (or the keyring), never the command line; DM forwards the request
to both devices:"
	run "$dmcaps" evict --mode AES-256-XTS --data-unit-size 4096 --dun-bytes 8 \
		--key-file /tmp/demo-inline-key home
	for d in ufs1 ufs2; do
		echo "$d: keys in keyslots $(cat "$nullb/$d/crypto_keys_programmed")," \
			"evictions $(cat "$nullb/$d/crypto_keyslot_evictions")"
	done
	say "The next read programs the key again and decrypts correctly:"
	echo 3 > /proc/sys/vm/drop_caches
	cmp <(yes "secret data" | head -c $((8 * 1024 * 1024))) /tmp/demo-mnt/secret/file &&
		echo "file reads back intact"
	for d in ufs1 ufs2; do
		echo "$d: keys in keyslots $(cat "$nullb/$d/crypto_keys_programmed")"
	done
	umount /tmp/demo-mnt
	shred -u /tmp/demo-key /tmp/demo-inline-key
	dmsetup remove home
fi
