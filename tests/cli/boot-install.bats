#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install` (DESTDIR) puts the boot integration where initramfs-tools,
# dracut and udev look for it (the directories configure chose:
# --with-initramfs-tools, --with-dracut, --with-udevrulesdir), with the
# installed paths baked in; the shell pieces parse under dash and busybox
# sh. The real boots are tests/boot/run.sh; the udev rules run in the VM
# (tests/vm/suites/udev.bats).

load helpers

# mkvar VAR: a make variable of the build tree, expanded as make install
# expands it (distcheck's are ${prefix}/...)
mkvar() {
	printf 'dmcaps-print-var:\n\t@echo $(%s)\n' "$1" |
		make -s --no-print-directory -f Makefile -f - dmcaps-print-var
}
# not CMD...: succeeds when CMD fails (bats does not fail a test on "! cmd")
not() { if "$@"; then echo "expected to fail: $*"; return 1; fi; }

setup_file() {
	[ -f Makefile ] || return 0
	export DEST=$BATS_FILE_TMPDIR/dest
	make -s install DESTDIR="$DEST" > "$BATS_FILE_TMPDIR/install.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/install.log" >&3; return 1; }
}

setup() {
	[ -f Makefile ] || skip "not run from a build tree"
	sbindir=$(mkvar sbindir)
	sysconfdir=$(mkvar sysconfdir)
	pkgdatadir=$(mkvar pkgdatadir)
	pkglibexecdir=$(mkvar pkglibexecdir)
}

# installed FILE [MODE]: FILE exists under DESTDIR (executable if x)
installed() {
	[ -f "$DEST$1" ] || { echo "not installed: $1"; find "$DEST" -type f | sed "s|^$DEST||"; return 1; }
	[ "${2:-}" != x ] || [ -x "$DEST$1" ] || { echo "not executable: $1"; return 1; }
}

@test "install: initramfs-tools hook and local-premount script" {
	dir=$(mkvar INITRAMFS_TOOLS_DIR)
	[ "$dir" != no ] || skip "configured --without-initramfs-tools"
	installed "$dir/hooks/dmcaps" x
	installed "$dir/scripts/local-premount/dmcaps" x
	# the hook copies the installed binary and boot check, nothing left
	# to substitute
	grep -qx "copy_exec $sbindir/dmcaps /usr/sbin/dmcaps" "$DEST$dir/hooks/dmcaps"
	grep -q "copy_file script $pkgdatadir/dmcaps-boot.sh /usr/lib/dmcaps/dmcaps-boot.sh" "$DEST$dir/hooks/dmcaps"
	not grep -q '@[a-z]*@' "$DEST$dir/hooks/dmcaps"
	# prereqs answer as initramfs-tools asks
	run sh "$DEST$dir/scripts/local-premount/dmcaps" prereqs
	[ "$status" -eq 0 ]
}

@test "install: dracut module 90dmcaps" {
	dir=$(mkvar DRACUT_MODULES_DIR)
	[ "$dir" != no ] || skip "configured --without-dracut"
	installed "$dir/90dmcaps/module-setup.sh" x
	installed "$dir/90dmcaps/dmcaps-pre-mount.sh" x
	grep -q "inst_binary $sbindir/dmcaps /usr/sbin/dmcaps" "$DEST$dir/90dmcaps/module-setup.sh"
	grep -q 'inst_hook pre-mount 90 ' "$DEST$dir/90dmcaps/module-setup.sh"
	not grep -q '@[a-z]*@' "$DEST$dir/90dmcaps/module-setup.sh"
	run bash -n "$DEST$dir/90dmcaps/module-setup.sh"
	[ "$status" -eq 0 ]
}

@test "install: udev rules and their helper" {
	dir=$(mkvar udevrulesdir)
	[ "$dir" != no ] || skip "configured --without-udevrulesdir"
	installed "$dir/69-dmcaps.rules"
	installed "$pkglibexecdir/dmcaps-udev" x
	grep -q "IMPORT{program}=\"$pkglibexecdir/dmcaps-udev \$devnode\"" "$DEST$dir/69-dmcaps.rules"
	grep -q "^out=\$($sbindir/dmcaps show " "$DEST$pkglibexecdir/dmcaps-udev"
	not grep -q '@[a-z]*@' "$DEST$dir/69-dmcaps.rules" "$DEST$pkglibexecdir/dmcaps-udev"
}

@test "install: the shared boot check and the configuration file" {
	installed "$pkgdatadir/dmcaps-boot.sh"
	installed "$sysconfdir/dmcaps/initramfs.conf"
	# every setting is commented out: installing changes no boot
	[ -z "$(grep -v '^#' "$DEST$sysconfdir/dmcaps/initramfs.conf" | grep -v '^$')" ]
}

@test "install: the boot shell pieces parse under dash and busybox sh" {
	local f sh
	for sh in dash "busybox sh"; do
		command -v ${sh% *} > /dev/null || continue
		for f in "$DEST$pkgdatadir/dmcaps-boot.sh" \
			 "$DEST$(mkvar INITRAMFS_TOOLS_DIR)/scripts/local-premount/dmcaps" \
			 "$DEST$(mkvar DRACUT_MODULES_DIR)/90dmcaps/dmcaps-pre-mount.sh" \
			 "$DEST$pkglibexecdir/dmcaps-udev"; do
			[ -f "$f" ] || continue
			$sh -n "$f" || { echo "$sh -n $f failed"; return 1; }
		done
	done
}
