#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what dmcaps needs from Debian 12's packages, by name. Idempotent:
# apt is only asked when something is missing.
#   install-deps.sh build    the library and tool, and the host tests
#   install-deps.sh vm       the User-Mode Linux test kernel and VM suites
#   install-deps.sh boot     the boot tests: Debian's mkinitramfs and dracut, udev
#   install-deps.sh bench    the benchmarks' plots (gnuplot) and syscall counts
#   install-deps.sh deb      the Debian packages: dpkg-buildpackage, debhelper,
#                            lintian (tests/deb/build.sh)
#   install-deps.sh fuzz     clang and its runtimes for ./configure --enable-fuzz
#                            (libFuzzer, ASan, UBSan: libclang_rt.fuzzer and
#                            friends are in libclang-rt-14-dev on Debian 12)
#
# Boot tools: initramfs-tools and dracut conflict in Debian 12 (each is a
# linux-initramfs-tool, and dracut Conflicts: initramfs-tools), but their
# -core packages, which hold mkinitramfs and dracut themselves, coexist.
set -euo pipefail

build_pkgs=(build-essential autoconf automake libtool pkg-config
	libdevmapper-dev libblkid-dev libpopt-dev libkeyutils-dev
	libsmartcols-dev libcmocka-dev bats python3 valgrind xz-utils)
vm_pkgs=(linux-source-6.12 linux-source-6.1 flex bison bc libelf-dev libssl-dev ccache git
	perl busybox-static dmsetup e2fsprogs xfsprogs keyutils util-linux
	kmod coreutils)
boot_pkgs=(initramfs-tools-core dracut-core udev klibc-utils cpio zstd)
bench_pkgs=(gnuplot-nox strace)
fuzz_pkgs=(clang-14 libclang-rt-14-dev)
deb_pkgs=(dpkg-dev debhelper fakeroot lintian bash-completion)

want=()
for what in "$@"; do
	case "$what" in
	build) want+=("${build_pkgs[@]}") ;;
	vm) want+=("${vm_pkgs[@]}") ;;
	boot) want+=("${boot_pkgs[@]}") ;;
	bench) want+=("${bench_pkgs[@]}") ;;
	fuzz) want+=("${fuzz_pkgs[@]}") ;;
	deb) want+=("${deb_pkgs[@]}") ;;
	*) echo "install-deps: unknown set '$what' (build, vm, boot, bench, fuzz, deb)" >&2; exit 1 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
