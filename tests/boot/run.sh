#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Real boot tests of dmcaps' boot integration: an initramfs built by
# Debian's mkinitramfs (initramfs-tools) and one built by dracut, each with
# dmcaps installed as `make install` installs it, booted by the test kernel
# (User-Mode Linux, initrd=) with the root file system on a DM stack over
# emulated inline-crypto devices (emulate-stack.sh, test only).
#
#   tests/boot/run.sh --build DIR [--stage STAGE] [--kernel LINUX] [mkinitramfs] [dracut]
#
# The image's /etc/dmcaps/initramfs.conf (the administrator's, written
# before the image is built) asks for AES-256-XTS:4096:8 under policy fail
# and lists /dev/mapper/data besides the root device. Cases, one boot each,
# per tool (P is dmcaps. for initramfs-tools, rd.dmcaps. for dracut):
#   provided   the stack provides it: the real root is reached and
#              /run/dmcaps/status says RESULT="provided"
#   warn       it lacks it, P.policy=warn: boot goes on, the console shows
#              the WHY line naming nbroot1, the device that removed it
#   fail       it lacks it, the configuration's policy fail: boot stops
#              before the root is mounted, with the reason on the console
#   malformed  P.require=AES-256-XTS:4095 P.policy=warn: the message, policy
#              warn's fallback (boot goes on), never a hang
#   unknown    P.require=AES-257-XTS:4096 P.policy=sometimes: both said,
#              the configuration's policy fail kept: stops
#   nodevice   /dev/mapper/data does not exist at boot, P.policy=warn:
#              named, boot goes on
#   nocrypto   nbroot1 has no inline crypto (no queue/crypto under the
#              root device), P.policy=warn: WHY names it, boot goes on
#   nodmcaps   dmcaps is missing from the image, policy fail: stops, saying
#              so (never a silent pass)
# Every boot must end by itself (power-off, halt, or dracut's panic when it
# refuses to continue); one killed by the timeout is a hang and fails its
# case. Prints TAP; exit 0 all passed, 1 a case failed, 2 the harness
# could not run, 77 skipped (not root: the images are built in a private
# mount namespace with overlayfs).
#
# dmcaps is installed with DESTDIR into a staging directory and laid over
# the system's directories with overlayfs in a private mount namespace
# (unshare -m) while the image is built, so the host stays untouched.
# mkinitramfs needs /boot/config-VERSION to pick a compressor it accepts:
# the test kernel's .config is put there the same way. The kernel has no
# modules and no networking (so no udevd in the initramfs: the test stack
# is made with DM_DISABLE_UDEV=1, as dmsetup does without udev).

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build= kernel=${DMCAPS_KERNEL:-} given_stage=
timeout_s=${DMCAPS_BOOT_TIMEOUT:-120}
tools=()

while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$(realpath "$2"); shift 2 ;;
	--kernel) kernel=$(realpath "$2"); shift 2 ;;
	--stage) given_stage=$(realpath "$2"); shift 2 ;;
	mkinitramfs|dracut) tools+=("$1"); shift ;;
	*) echo "boot: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ ${#tools[@]} -gt 0 ] || tools=(mkinitramfs dracut)

die() { echo "boot: error: $*" >&2; echo "Bail out! $*"; exit 2; }
skip() { echo "1..0 # SKIP $*"; exit 77; }
[ -n "$build" ] && [ -f "$build/Makefile" ] || die "--build DIR (a configured build directory) needed"
[ "$(id -u)" -eq 0 ] || skip "needs root (unshare -m, overlayfs, mknod)"
for t in mke2fs unshare busybox timeout setsid "${tools[@]}"; do
	command -v "$t" > /dev/null ||
		die "$t is not installed (scripts/install-deps.sh vm boot)"
done
if [ -z "$kernel" ]; then
	kernel=$("$top/tests/vm/build-kernel.sh" --tier patched | tail -n 1) &&
		[ -x "$kernel" ] || die "the test kernel could not be built"
fi
kbuild=$(dirname "$kernel")
[ -f "$kbuild/.config" ] || die "no .config next to $kernel"
for c in CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP CONFIG_DEVTMPFS CONFIG_CONFIGFS_FS CONFIG_BLK_DEV_NULL_BLK; do
	grep -q "^$c=y" "$kbuild/.config" || die "the test kernel lacks $c (kernel-patches/uml-test.config)"
done
version=$(cat "$kbuild/include/config/kernel.release") || die "no kernel.release in $kbuild"

work=$(mktemp -d /var/tmp/dmcaps-boot.XXXXXX) || exit 2
[ -n "${DMCAPS_BOOT_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# ---- dmcaps as `make install` installs it, and the administrator's config
# --stage: what `make install DESTDIR=STAGE` of the build put there before
# (scripts/test.sh installs early, so that the boot tier can run while
# other tests still use the build tree); copied, so that STAGE stays as
# make install left it.
stage=$work/stage
if [ -n "$given_stage" ]; then
	[ -d "$given_stage" ] || die "--stage $given_stage: no such directory"
	cp -a "$given_stage" "$stage" || die "cannot copy $given_stage"
else
	make -s -C "$build" install DESTDIR="$stage" > "$work/install.log" 2>&1 ||
		{ cat "$work/install.log" >&2; die "make install failed"; }
fi
mkvar() {	# a make variable of the build tree, expanded as make install does
	printf 'dmcaps-print-var:\n\t@echo $(%s)\n' "$1" |
		make -s --no-print-directory -C "$build" -f Makefile -f - dmcaps-print-var
}
prefix=$(mkvar prefix)
itdir=$(mkvar INITRAMFS_TOOLS_DIR)
dracutdir=$(mkvar DRACUT_MODULES_DIR)
sysconfdir=$(mkvar sysconfdir)
for t in "${tools[@]}"; do
	case $t in
	mkinitramfs) [ "$itdir" != no ] && [ -x "$stage$itdir/hooks/dmcaps" ] ||
		die "the build was configured --without-initramfs-tools" ;;
	dracut) [ "$dracutdir" != no ] && [ -x "$stage$dracutdir/90dmcaps/module-setup.sh" ] ||
		die "the build was configured --without-dracut" ;;
	esac
done
cat > "$stage$sysconfdir/dmcaps/initramfs.conf" <<'EOI'
# the boot tests' configuration (tests/boot/run.sh)
DMCAPS_REQUIRE="AES-256-XTS:4096:8"
DMCAPS_POLICY=fail
DMCAPS_DEVICES="/dev/mapper/data"
EOI

# ---- the root file system: busybox and an init that reports and powers off
rootdir=$work/rootfs
mkdir -p "$rootdir"/{bin,sbin,proc,sys,dev,run,tmp}
cp "$(command -v busybox)" "$rootdir/bin/busybox"
ln -s busybox "$rootdir/bin/sh"
# the real root's /dev/console for init (initramfs-tools moves its /dev
# there only when udevd ran)
mknod -m 600 "$rootdir/dev/console" c 5 1
mknod -m 666 "$rootdir/dev/null" c 1 3
cat > "$rootdir/sbin/init" <<'EOI'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
echo "dmcaps-boot: real root reached"
for f in status results why; do
	/bin/busybox sed "s/^/dmcaps-boot: $f: /" /run/dmcaps/$f 2>&1
done
/bin/busybox poweroff -f
EOI
chmod 755 "$rootdir/sbin/init"
mke2fs -q -F -t ext4 -b 4096 -d "$rootdir" "$work/root.img" 16M > /dev/null || die "mke2fs failed"

# ---- the images, in a private mount namespace with dmcaps laid over the
# system (overlay DIR: the staged DIR over the real one, once per tree)
in_namespace() {	# in_namespace LOG COMMAND...
	local log=$1
	shift
	unshare --mount --propagation private bash -c '
		set -e
		stage=$1 kconfig=$2 version=$3
		shift 3
		done=
		overlay() {
			local d
			[ -d "$stage$1" ] || return 0
			for d in $done; do
				case $1/ in "$d"/*) return 0 ;; esac
			done
			mount -t overlay overlay -o "lowerdir=$stage$1:$1" "$1"
			done="$done $1"
		}
		overlay "$DIR_PREFIX"
		overlay "$DIR_SYSCONF"
		[ "$DIR_IT" = no ] || overlay "$DIR_IT"
		[ "$DIR_DRACUT" = no ] || overlay "$DIR_DRACUT"
		mount -t tmpfs tmpfs /boot
		cp "$kconfig" "/boot/config-$version"
		# the ldconfig an installation into /usr/local needs (dracut
		# clears LD_LIBRARY_PATH), into a cache of the namespace
		mount -t tmpfs tmpfs /var/cache/ldconfig
		ldconfig -C "$stage/ld.so.cache"
		mount --bind "$stage/ld.so.cache" /etc/ld.so.cache
		"$@"
	' bash "$stage" "$kbuild/.config" "$version" "$@" > "$log" 2>&1
}
export DIR_PREFIX=$prefix DIR_SYSCONF=$sysconfdir DIR_IT=$itdir DIR_DRACUT=$dracutdir

build_image() {	# build_image TOOL: $work/TOOL.img
	local t=$SECONDS rc conf=$work/initramfs-tools
	case $1 in
	mkinitramfs)
		mkdir -p "$conf/scripts/init-premount" "$conf/hooks" "$conf/conf.d"
		printf 'MODULES=list\nBUSYBOX=y\nCOMPRESS=gzip\n' > "$conf/initramfs.conf"
		cp "$top/tests/boot/emulate-stack.sh" "$conf/scripts/init-premount/dmcaps-test"
		in_namespace "$work/mkinitramfs.log" \
			mkinitramfs -d "$conf" -o "$work/mkinitramfs.img" "$version"
		rc=$? ;;
	dracut)
		mkdir -p "$work/dracut.conf.d"
		# base and its udev-rules, the root on a block device, DM and
		# dmcaps; no systemd (this kernel has no networking); the
		# test stack built in a pre-udev hook; dash, not bash, as its
		# shell (each process costs much under UML)
		in_namespace "$work/dracut.log" \
			dracut --force --no-kernel --no-hostonly --no-early-microcode \
			--gzip --conf /dev/null --confdir "$work/dracut.conf.d" \
			--modules "base rootfs-block dm dmcaps" --omit bash \
			--include "$top/tests/boot/emulate-stack.sh" \
			/lib/dracut/hooks/pre-udev/10-dmcaps-test.sh \
			--install "dd" \
			--kver "$version" "$work/dracut.img"
		rc=$? ;;
	esac
	echo "# $1: image built, exit $rc in $((SECONDS - t)) s, $(stat -c %s "$work/$1.img" 2>/dev/null || echo 0) bytes"
	if [ $rc -ne 0 ] || [ ! -s "$work/$1.img" ]; then
		sed "s/^/# $1: /" "$work/$1.log" | tail -n 30
		return 1
	fi
	# the pieces `make install` put there are in the image
	case $1 in
	mkinitramfs) lsinitramfs "$work/$1.img" ;;
	dracut) lsinitrd "$work/$1.img" | awk '{print $NF}' ;;
	esac > "$work/$1.list" 2>&1
}

# ---- the boots
n=0 failed=0 pfx=
boot() {	# boot TOOL CASE PARAMS...: the console in $work/TOOL-CASE.log
	local tool=$1 name=$2 t=$SECONDS rc extra=
	shift 2
	# Both tools open a rescue shell on the console when they stop,
	# unless told not to, as a machine that must not be left at a shell
	# is: initramfs-tools' panic halts with panic=0, dracut's die and
	# emergency shell halt with rd.shell=0 (without a shell here the
	# console's end of input would leave either waiting).
	case $tool in
	mkinitramfs) extra=panic=0 ;;
	dracut) extra=rd.shell=0 ;;
	esac
	cur=$work/$tool-$name.log
	# its own session: UML's panic signals its whole process group; no
	# core file from its abort
	{ (ulimit -c 0; TMPDIR=/dev/shm exec setsid timeout --kill-after=10 "$timeout_s" "$kernel" \
		mem=256M initrd="$work/$tool.img" ubd0r="$work/root.img" \
		root=/dev/mapper/root con=null con0=fd:0,fd:1 $extra "$@" \
		< /dev/null > "$cur" 2>&1); } 2> /dev/null
	rc=$?
	echo "# $tool $name: the VM ended, exit $rc, after $((SECONDS - t)) s"
	[ $rc -ne 124 ] && [ $rc -ne 137 ] || echo "dmcaps-boot-harness: TIMEOUT: killed after ${timeout_s}s" >> "$cur"
}
check() {	# check DESCRIPTION CONDITION...
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" && hasnt "dmcaps-boot-harness: TIMEOUT"; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		failed=1
		sed 's/^/#   /' "$cur" | grep -v '^#   \[ *[0-9.]*\] \(Linux\|Kernel command\|Calibrating\)' | tail -n 60
	fi
}
has() { grep -q -F -- "$1" "$cur"; }
hasnt() { ! grep -q -F -- "$1" "$cur"; }
has_re() { grep -q -E -- "$1" "$cur"; }
reached() { has "dmcaps-boot: real root reached"; }
status_is() { has "dmcaps-boot: status: $1"; }

# initramfs-tools' panic and dracut's die say the reason differently
stopped() {
	case $tool in
	mkinitramfs) has "$1" && has "Halting automatically due to panic= boot argument" ;;
	dracut) has "dracut: FATAL: $1" && has "Refusing to continue" ;;
	esac
}

cases() {	# cases TOOL: every case, with the tool's command-line prefix
	tool=$1
	case $tool in
	mkinitramfs) pfx=dmcaps. ;;
	dracut) pfx=rd.dmcaps. ;;
	esac

	boot "$tool" provided dmcapstest=provided
	check "$tool provided: real root reached, /run/dmcaps/status says provided" eval '
		reached && status_is "RESULT=\"provided\"" && status_is "ACTION=\"continued\"" &&
		status_is "POLICY=\"fail\"" && status_is "REQUIRE=\"AES-256-XTS:4096:8\"" &&
		has "dmcaps-boot: results: DEVICE=\"/dev/mapper/root\" KNAME=\"dm-0\" REQUIREMENT=\"AES-256-XTS:4096:8\" RESULT=\"provided\"" &&
		has "dmcaps-boot: results: DEVICE=\"/dev/mapper/data\" KNAME=\"dm-1\" REQUIREMENT=\"AES-256-XTS:4096:8\" RESULT=\"provided\""'

	boot "$tool" warn dmcapstest=lacking "${pfx}policy=warn"
	check "$tool lacking, ${pfx}policy=warn: boots on, the WHY line names nbroot1" eval '
		has "/dev/mapper/root: lacks AES-256-XTS:4096:8: device nbroot1 lacks AES-256-XTS" &&
		has "dmcaps: /dev/mapper/root does not provide AES-256-XTS:4096:8; policy warn: booting on" &&
		reached && status_is "RESULT=\"not-provided\"" && status_is "ACTION=\"continued\"" &&
		has "dmcaps-boot: why: dmcaps: /dev/mapper/root: lacks AES-256-XTS:4096:8: device nbroot1"'

	boot "$tool" fail dmcapstest=lacking
	check "$tool lacking, policy fail: stops before mounting root, with the reason" eval '
		has "device nbroot1 lacks AES-256-XTS" &&
		stopped "dmcaps: /dev/mapper/root does not provide AES-256-XTS:4096:8; policy fail: not mounting the root file system" &&
		! reached'

	boot "$tool" malformed dmcapstest=provided "${pfx}require=AES-256-XTS:4095" "${pfx}policy=warn"
	check "$tool malformed ${pfx}require=: the message, policy warn boots on" eval '
		has "data-unit size \"4095\" is not a power of two" &&
		has "dmcaps: ${pfx}require=\"AES-256-XTS:4095\" is not a requirement dmcaps can check; policy warn: booting on" &&
		reached && status_is "RESULT=\"malformed\"" && status_is "REQUIRE=\"AES-256-XTS:4095\""'

	boot "$tool" unknown dmcapstest=provided "${pfx}require=AES-257-XTS:4096" "${pfx}policy=sometimes"
	check "$tool unknown mode, bad ${pfx}policy=: both said, policy fail kept, stops" eval '
		has "AES-257-XTS" && has "unknown" &&
		has "dmcaps: ${pfx}policy=\"sometimes\" is neither warn nor fail; keeping policy fail" &&
		stopped "dmcaps: ${pfx}require=\"AES-257-XTS:4096\" is not a requirement dmcaps can check; policy fail: not mounting the root file system" &&
		! reached'

	boot "$tool" nodevice dmcapstest=provided+nodata "${pfx}policy=warn"
	check "$tool a configured device missing at boot: named, policy warn boots on" eval '
		has "dmcaps: /dev/mapper/data: no such device; policy warn: booting on" &&
		reached && status_is "RESULT=\"error\"" &&
		has "dmcaps-boot: results: DEVICE=\"/dev/mapper/root\" KNAME=\"dm-0\" REQUIREMENT=\"AES-256-XTS:4096:8\" RESULT=\"provided\""'

	boot "$tool" nocrypto dmcapstest=plain "${pfx}policy=warn"
	check "$tool no queue/crypto under the root device: WHY names nbroot1, boots on" eval '
		has_re "/dev/mapper/root: lacks AES-256-XTS:4096:8: .*nbroot1.*no inline crypto" &&
		has "dmcaps: /dev/mapper/root does not provide AES-256-XTS:4096:8; policy warn" &&
		reached && status_is "RESULT=\"not-provided\""'

	boot "$tool" nodmcaps dmcapstest=provided+nodmcaps
	check "$tool dmcaps missing from the image, policy fail: stops, saying so" eval '
		stopped "dmcaps: dmcaps is not in the initramfs: cannot check the requirement; policy fail: not mounting the root file system" &&
		! reached'
}

echo "1..$((${#tools[@]} * 9))"
t0=$SECONDS
for tool in "${tools[@]}"; do
	t1=$SECONDS
	n=$((n + 1))
	if build_image "$tool" &&
	   grep -q 'dmcaps-boot.sh$' "$work/$tool.list" &&
	   grep -q 'sbin/dmcaps$' "$work/$tool.list" &&
	   grep -q 'etc/dmcaps/initramfs.conf$' "$work/$tool.list"; then
		echo "ok $n $tool: image built with dmcaps, its boot check and configuration"
	else
		echo "not ok $n $tool: image built with dmcaps, its boot check and configuration"
		failed=1
		grep -i dmcaps "$work/$tool.list" 2>/dev/null | sed 's/^/#   /'
		n=$((n + 8))
		for i in 1 2 3 4 5 6 7 8; do echo "not ok $((n - 8 + i)) $tool: no image, not booted"; done
		continue
	fi
	cases "$tool"
	echo "# $tool: $((SECONDS - t1)) s (image and 8 boots)"
done
echo "# boot tier: $((SECONDS - t0)) s"
exit $failed
