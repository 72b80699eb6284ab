#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian packages, built and installed the way a user gets them:
#   1. dpkg-buildpackage -us -uc from a copy of the checkout's files (with
#      DEB_BUILD_OPTIONS=nocheck: the host tier has just run make check);
#   2. lintian on the result: no errors (warnings are printed);
#   3. dpkg -i of dmcaps, libdmcaps0 and libdmcaps-dev into a throw-away
#      view of this system (an overlay of / in a private mount namespace,
#      chrooted; the real system is not touched), then from the installed
#      files only: dmcaps --version, dmcaps show, and a program compiled
#      against the installed header through pkg-config.
# Needs root (mount, chroot) and tools of `scripts/install-deps.sh deb`;
# exits 77 with the reason when either is missing. Prints its time.
#   tests/deb/run.sh [WORKDIR]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
t0=$SECONDS
skip() { echo "deb: SKIP: $*"; exit 77; }
say() { echo "deb: $* ($((SECONDS - t0)) s)"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (an overlay mount and chroot to install the packages)"
for tool in dpkg-buildpackage dh lintian unshare chroot git; do
	command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps.sh deb)"
done
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || skip "$top is not a git checkout"

work=${1:-$(mktemp -d /var/tmp/dmcaps-deb.XXXXXX)}
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$work/dmcaps-$version
rm -rf "$src"
mkdir -p "$src"
# What is tracked, as it is in the working tree (a package of the tree
# under test, not of the last commit).
git -C "$top" ls-files -z | (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$src"

say "building in $src"
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -us -uc) > "$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	echo "deb: FAIL: dpkg-buildpackage"
	exit 1
fi
changes=$(ls "$work"/dmcaps_"$version"_*.changes)
ls "$work"/*.deb

say "lintian"
if ! lintian --fail-on error --tag-display-limit 0 "$changes" > "$work/lintian.log" 2>&1; then
	cat "$work/lintian.log"
	echo "deb: FAIL: lintian reports errors"
	exit 1
fi
cat "$work/lintian.log"
echo "deb: lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors, $(grep -c '^W:' "$work/lintian.log" || true) warnings"

say "installing into an overlay of / and running the installed dmcaps"
root=$work/root
mkdir -p "$root"/{upper,work,merged}
cat > "$work/prog.c" <<'PROG'
#include <libdmcaps.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	struct dmcaps_set *set;
	char *text;

	if (dmcaps_set_parse(NULL, "AES-256-XTS:0x1000 dun=8", &set) < 0 ||
	    dmcaps_set_format_summary(set, DMCAPS_SUMMARY_DUN, &text) < 0)
		return 1;
	printf("libdmcaps %s: %s\n", dmcaps_version(), text);
	free(text);
	dmcaps_set_free(set);
	return 0;
}
PROG
cat > "$work/inside.sh" <<'INSIDE'
set -eu
root=$1 work=$2
m=$root/merged
mount -t overlay overlay -o "lowerdir=/,upperdir=$root/upper,workdir=$root/work" "$m"
mount --bind /proc "$m/proc"
mount --bind /sys "$m/sys"
mount --bind /dev "$m/dev"
mount -t tmpfs tmpfs "$m/tmp"
cp "$work"/*.deb "$work/prog.c" "$m/tmp/"
# Nothing of the build tree is on the paths the chroot searches.
inroot() { chroot "$m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }
inroot sh -c 'dpkg -i /tmp/dmcaps_*.deb /tmp/libdmcaps0_*.deb /tmp/libdmcaps-dev_*.deb'
inroot dpkg -L dmcaps libdmcaps0 libdmcaps-dev
echo "--- ldd /usr/sbin/dmcaps"
inroot ldd /usr/sbin/dmcaps | grep libdmcaps
inroot ldd /usr/sbin/dmcaps | grep -Eq "libdmcaps.so.0 => (/usr)?/lib/[^ ]*/libdmcaps.so.0 "
echo "--- dmcaps --version"
inroot dmcaps --version
echo "--- dmcaps show"
rc=0; inroot dmcaps show || rc=$?
echo "exit status $rc"
[ "$rc" -eq 0 ]
echo "--- completion at bash-completion's completionsdir"
inroot sh -c 'test -f "$(pkg-config --variable=completionsdir bash-completion)/dmcaps"'
echo "--- a program built against the installed header through pkg-config"
inroot sh -c 'cd /tmp && cc -Wall -Werror -o prog prog.c $(pkg-config --cflags --libs libdmcaps) && ./prog'
INSIDE
if ! unshare -m --propagation private bash "$work/inside.sh" "$root" "$work" > "$work/install.log" 2>&1; then
	cat "$work/install.log"
	echo "deb: FAIL: installing or running the packages"
	exit 1
fi
cat "$work/install.log"
say "ok: built, lintian clean of errors, installed and run"
[ -n "${1:-}" ] || rm -rf "$work"
