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

@test "check: no copy of a crypt table's key left in the heap (file, standard input, a refused table)" {
	# --table and --concise put the key in argv, which popt copies
	# (dmcaps(8) says so): a table holding a key is given as a file.
	crypt_table > "$BATS_TEST_TMPDIR/crypt.table"
	keyscan --sysroot "$PHONE" check newdev "$BATS_TEST_TMPDIR/crypt.table"
	assert_status 0
	[ "$copies" = 0 ] || { echo "table file: $copies copies left"; false; }

	keyscan --sysroot "$PHONE" check newdev < "$BATS_TEST_TMPDIR/crypt.table"
	assert_status 0
	[ "$copies" = 0 ] || { echo "standard input: $copies copies left"; false; }

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

@test "write errors on standard output are reported, exit 7 (show, --json, --pairs, --help, --version, check)" {
	[ -w /dev/full ] || skip "no /dev/full"
	for args in "show" "show --json" "show --pairs" "--help" "show --help" "--version"; do
		run --separate-stderr bash -c 'exec "$@" > /dev/full' _ \
			"$DMCAPS" --sysroot "$PHONE" $args
		[ "$status" -eq 7 ] || { echo "$args: exit $status"; echo "$stderr"; false; }
		assert_contains "$stderr" "write error on standard output: No space left on device"
	done
	run --separate-stderr bash -c 'exec "$@" > /dev/full' _ \
		"$DMCAPS" --sysroot "$PHONE" check newdev --table "0 8 zero"
	assert_status 7
	assert_contains "$stderr" "write error on standard output"
}

@test "--json stays valid JSON when a DM name holds bytes that are not UTF-8" {
	require_python3
	cp -a "$PHONE" "$BATS_TEST_TMPDIR/root"
	r=$BATS_TEST_TMPDIR/root
	printf 'bad\377\376name\n' > "$r/sys/class/block/dm-3/dm/name"
	mv "$r/dmcaps/tables/my vol.live" "$r/dmcaps/tables/$(printf 'bad\377\376name').live"
	run --separate-stderr dmcaps --sysroot "$r" show --json
	assert_status 0
	printf '%s' "$output" > "$BATS_TEST_TMPDIR/out.json"
	python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' \
		"$BATS_TEST_TMPDIR/out.json"
	assert_contains "$output" 'bad\\xff\\xfename'
	# valid UTF-8 passes through unchanged
	run --separate-stderr dmcaps --sysroot "$PHONE" check --json "$(printf 'n\303\251w\377')" --table "0 8 zero"
	assert_status 0
	printf '%s' "$output" > "$BATS_TEST_TMPDIR/check.json"
	python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' \
		"$BATS_TEST_TMPDIR/check.json"
	assert_contains "$output" "$(printf 'n\303\251w')\\\\xff"
}

@test "a repeated string option does not leak its first value (valgrind)" {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[ -z "${DMCAPS_SANITIZED-}" ] || skip "valgrind cannot run an ASan binary"
	run --separate-stderr "$LIBTOOL" --mode=execute valgrind -q \
		--leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		"$DMCAPS" --sysroot "$PHONE" --sysroot "$PHONE" show \
		--sysroot "$PHONE" --output NAME --output NAME,MODES
	[ "$status" -ne 99 ] || { echo "$stderr"; false; }
	assert_status 0
	run --separate-stderr "$LIBTOOL" --mode=execute valgrind -q \
		--leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		"$DMCAPS" --sysroot "$PHONE" check newdev --table "0 8 zero" --table "0 8 zero"
	[ "$status" -ne 99 ] || { echo "$stderr"; false; }
}

@test "an unknown option is named, never echoed with its value" {
	secret=$(printf '%0128d' 7 | tr 0 c)
	run --separate-stderr dmcaps evict --key="$secret" /dev/null
	assert_status 1
	assert_contains "$stderr" "--key: unknown option"
	refute_contains "$stderr" "ccccccccccccccccccccccccccccccc"
	run --separate-stderr dmcaps --sysroot "$PHONE" show "-Z$secret"
	assert_status 1
	assert_contains "$stderr" "-Z: unknown option"
	refute_contains "$stderr" "ccccccccccccccccccccccccccccccc"
	run --separate-stderr dmcaps "--$secret=1" show
	assert_status 1
	refute_contains "$stderr" "$secret"
}

@test "messages quote input within bounds (a 5 MB target type, a 1 MB command name)" {
	{ printf '0 8 '; head -c 5000000 /dev/zero | tr '\0' x; printf ' 8:2 0\n'; } \
		> "$BATS_TEST_TMPDIR/huge.table"
	run --separate-stderr dmcaps --sysroot "$PHONE" --verbose check lin "$BATS_TEST_TMPDIR/huge.table"
	[ "${#stderr}" -lt 8192 ] || { echo "stderr is ${#stderr} bytes"; false; }
	run --separate-stderr dmcaps "$(head -c 100000 /dev/zero | tr '\0' y)"
	assert_status 1
	[ "${#stderr}" -lt 1024 ] || { echo "stderr is ${#stderr} bytes"; false; }
}
