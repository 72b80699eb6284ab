#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile and careless input (issue 11): key material left in memory,
# memory growth, output errors, what messages echo back.

load helpers

# A dm-crypt key that appears nowhere else; the scanner looks for its last
# 32 hex digits (glibc overwrites the start of a freed chunk).
KEY=00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9cadbecfd
NEEDLE=${KEY:96:32}
KEYSCAN=$PWD/tests/.libs/libkeyscan.so

# keyscan ARGS...: runs the real binary (not libtool's wrapper script,
# which would hold the arguments itself) with the heap scanner preloaded;
# $copies is the number of copies of the key left in its heap at exit.
keyscan() {
	[ -f "$KEYSCAN" ] || skip "tests/.libs/libkeyscan.so was not built"
	[ -z "${DMCAPS_VALGRIND-}${DMCAPS_SANITIZED-}" ] ||
		skip "the heap scan needs glibc's own malloc (not valgrind's or ASan's)"
	rm -f "$BATS_TEST_TMPDIR/copies"
	run --separate-stderr "$LIBTOOL" --mode=execute env \
		LD_PRELOAD="$KEYSCAN" DMCAPS_KEYSCAN="$NEEDLE" \
		DMCAPS_KEYSCAN_OUT="$BATS_TEST_TMPDIR/copies" "$DMCAPS" "$@"
	[ -f "$BATS_TEST_TMPDIR/copies" ] || {
		echo "the scanner did not run"; echo "$stderr"; return 1; }
	copies=$(cat "$BATS_TEST_TMPDIR/copies")
}

crypt_table() {
	printf '0 409600 crypt aes-xts-plain64 %s 0 8:2 0\n' "$KEY"
}

@test "the key scanner finds a key left in the heap (the test can fail)" {
	# --table: the key is in argv (the stack, not scanned) and popt's
	# copy of it; only that copy may remain if nothing wiped it. The
	# scanner must see copies in a process that does leave them:
	# bash's own heap, holding the key in a variable.
	[ -f "$KEYSCAN" ] || skip "tests/.libs/libkeyscan.so was not built"
	run env LD_PRELOAD="$KEYSCAN" DMCAPS_KEYSCAN="$NEEDLE" \
		bash -c 'k=$(printf %s "$1"); : "$k"' _ "$KEY"
	[[ "${output}" =~ keyscan:\ ([1-9][0-9]*)\ copies ]] || {
		echo "$output"; false; }
}

@test "check: no copy of a crypt table's key left in the heap (file, stdin, --table, --concise)" {
	crypt_table > "$BATS_TEST_TMPDIR/crypt.table"
	keyscan --sysroot "$PHONE" check newdev "$BATS_TEST_TMPDIR/crypt.table"
	assert_status 0
	[ "$copies" = 0 ] || { echo "table file: $copies copies left"; false; }

	keyscan --sysroot "$PHONE" check newdev < "$BATS_TEST_TMPDIR/crypt.table"
	assert_status 0
	[ "$copies" = 0 ] || { echo "standard input: $copies copies left"; false; }

	keyscan --sysroot "$PHONE" check newdev --table "$(crypt_table)"
	assert_status 0
	[ "$copies" = 0 ] || { echo "--table: $copies copies left"; false; }

	keyscan --sysroot "$PHONE" check --concise "newdev,,,rw,$(crypt_table)"
	assert_status 0
	[ "$copies" = 0 ] || { echo "--concise: $copies copies left"; false; }

	# a table the parser refuses (after splitting the crypt line)
	printf '0 8 crypt aes-xts-plain64 %s\n' "$KEY" > "$BATS_TEST_TMPDIR/bad.table"
	keyscan --sysroot "$PHONE" check newdev "$BATS_TEST_TMPDIR/bad.table"
	assert_status 1
	[ "$copies" = 0 ] || { echo "refused table: $copies copies left"; false; }
}

@test "show and check of a DM device whose live table holds a crypt key: no copy left" {
	cp -a "$PHONE" "$BATS_TEST_TMPDIR/root"
	crypt_table > "$BATS_TEST_TMPDIR/root/dmcaps/tables/secret.live"
	keyscan --sysroot "$BATS_TEST_TMPDIR/root" show
	assert_status 0
	[ "$copies" = 0 ] || { echo "show: $copies copies left"; false; }
	keyscan --sysroot "$BATS_TEST_TMPDIR/root" show --json --output-all secret
	assert_status 0
	[ "$copies" = 0 ] || { echo "show --json: $copies copies left"; false; }
	refute_contains "$output" "$NEEDLE"
	crypt_table > "$BATS_TEST_TMPDIR/crypt.table"
	keyscan --sysroot "$BATS_TEST_TMPDIR/root" check secret "$BATS_TEST_TMPDIR/crypt.table"
	[ "$copies" = 0 ] || { echo "check of a live crypt device: $copies copies left"; false; }
}

@test "check --concise: memory linear in the input (a 128 KiB argument of commas)" {
	[ -z "${DMCAPS_VALGRIND-}${DMCAPS_SANITIZED-}" ] ||
		skip "ulimit -v does not apply to valgrind's or ASan's address space"
	commas=$(head -c 131000 /dev/zero | tr '\0' ',')
	# 1 GB of address space: the old parser wanted about 10 GB
	run --separate-stderr bash -c 'ulimit -v 1000000 && exec "$@"' _ \
		"$DMCAPS" --sysroot "$PHONE" check --concise "n,,,,0 8 zero$commas"
	assert_status 0
	refute_contains "$stderr" "out of memory"
}
