#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# libdmcaps' ABI: the public header, the symbol file and the built library
# export the same functions (cryptsetup's all-symbols test); `make install`
# into a DESTDIR gives a header, a library and a .pc file that a program
# outside the tree compiles, links and runs against.

load helpers

TOP=$BATS_TEST_DIRNAME/../..
LIB=$PWD/lib/.libs/libdmcaps.so

header_functions() {
	grep -o 'dmcaps_[a-z_0-9]*(' "$TOP/lib/libdmcaps.h" | tr -d '(' | sort -u
}

@test "abi: header, symbol file and built library list the same functions" {
	[ -e "$LIB" ] || skip "no shared library in this build (--disable-shared)"
	command -v nm >/dev/null || skip "nm (binutils) is not installed"
	header=$(header_functions)
	symfile=$(sed -n 's/^[[:space:]]*\(dmcaps_[a-z_0-9]*\);$/\1/p' "$TOP/lib/libdmcaps.sym" | sort -u)
	built=$(nm -D --defined-only "$LIB" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
	[ "$header" = "$symfile" ] || { diff <(echo "$header") <(echo "$symfile"); false; }
	[ "$built" = "$symfile" ] || { diff <(echo "$built") <(echo "$symfile"); false; }
	# the Debian symbols file (dpkg-gensymbols fails a build that loses
	# one); a release tarball has no debian/ (make distcheck)
	if [ -d "$TOP/debian" ]; then
		debsyms=$(sed -n 's/^ \(dmcaps_[a-z_0-9]*\)@DMCAPS_0\.1 .*/\1/p' "$TOP/debian/libdmcaps0.symbols" | sort -u)
		[ "$debsyms" = "$symfile" ] || { diff <(echo "$debsyms") <(echo "$symfile"); false; }
	fi
	[ "$(wc -l <<<"$built")" -gt 100 ]
	# every symbol in the versioned node, nothing unversioned
	[ -z "$(nm -D --defined-only "$LIB" | awk '$2 == "T" && $3 !~ /@@DMCAPS_0\.1$/')" ]
}

@test "install: DESTDIR, then a program built through pkg-config runs" {
	command -v pkg-config >/dev/null || skip "pkg-config is not installed"
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
	[ -f Makefile ] || skip "not run from a build tree"
	dest=$BATS_TEST_TMPDIR/dest
	run make -s install DESTDIR="$dest"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	prefix=$(sed -n 's/^prefix=//p' lib/libdmcaps.pc)
	[ -f "$dest$prefix/include/libdmcaps.h" ]
	pcdir=$(dirname "$(find "$dest" -name libdmcaps.pc | head -n 1)")
	[ -f "$pcdir/libdmcaps.pc" ]
	cat > "$BATS_TEST_TMPDIR/t.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <libdmcaps.h>

int main(void)
{
	struct dmcaps_set *s = NULL;
	char *text = NULL;

	if (dmcaps_set_parse(NULL, "AES-256-XTS:0x1200 dun=8", &s) ||
	    dmcaps_set_format_summary(s, DMCAPS_SUMMARY_DUN, &text))
		return 1;
	printf("%s %s\n", dmcaps_version(), text);
	free(text);
	dmcaps_set_free(s);
	return 0;
}
C
	export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest
	# as the library was built: with the sanitizers when it has them
	run "${CC:-cc}" ${DMCAPS_SANITIZE_CFLAGS-} -Wall -Werror -o "$BATS_TEST_TMPDIR/t" "$BATS_TEST_TMPDIR/t.c" \
		$(pkg-config --cflags libdmcaps) $(pkg-config --libs libdmcaps)
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	libdir=$(pkg-config --variable=libdir libdmcaps)
	libdir=${libdir#"$dest"}	# some pkgconf versions prefix the sysroot
	run env LD_LIBRARY_PATH="$dest$libdir" "$BATS_TEST_TMPDIR/t"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -n 's/^Version: //p' lib/libdmcaps.pc) AES-256-XTS(512,4096), DUN 8 bytes" ]
	# the program uses the installed library, not the build tree's
	run env LD_LIBRARY_PATH="$dest$libdir" ldd "$BATS_TEST_TMPDIR/t"
	assert_contains "$output" "$dest$libdir/libdmcaps.so"
}

@test "abi: the public header defines no struct: every object is opaque" {
	# Fields behind accessors can change without an ABI break; a struct
	# defined in the header cannot (issue 13.3, lib/accessors.c).
	run grep -nE '^[[:space:]]*(typedef[[:space:]]+)?struct[[:space:]]+[a-z_0-9]+[[:space:]]*\{' "$TOP/lib/libdmcaps.h"
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	# and it compiles alone, in C and C++
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
	echo '#include <libdmcaps.h>' > "$BATS_TEST_TMPDIR/h.c"
	run "${CC:-cc}" -std=c99 -Wall -Wextra -Werror -I"$TOP/lib" -c -o /dev/null "$BATS_TEST_TMPDIR/h.c"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	if command -v c++ >/dev/null; then
		cp "$BATS_TEST_TMPDIR/h.c" "$BATS_TEST_TMPDIR/h.cc"
		run c++ -Wall -Werror -I"$TOP/lib" -c -o /dev/null "$BATS_TEST_TMPDIR/h.cc"
		[ "$status" -eq 0 ] || { echo "$output"; false; }
	fi
}
