# SPDX-License-Identifier: GPL-2.0-or-later
# Common setup for the dmcaps CLI tests (bats >= 1.5).
#
#   DMCAPS    the dmcaps binary under test (default: the build tree's)
#   FIXTURES  the fixture sysroots (default: built once per test file by
#             tests/fixtures/mkfixtures.sh in a temporary directory)
#   DMCAPS_VALGRIND  non-empty: run dmcaps under valgrind (see dmcaps())

bats_require_minimum_version 1.5.0

: "${DMCAPS:=$PWD/src/dmcaps}"
: "${LIBTOOL:=$PWD/libtool}"
if [ -z "${FIXTURES-}" ]; then
	FIXTURES=$BATS_FILE_TMPDIR/fixtures
	if [ ! -d "$FIXTURES/phone" ]; then
		sh "$BATS_TEST_DIRNAME/../fixtures/mkfixtures.sh" "$FIXTURES" || {
			echo "cannot build the fixtures in $FIXTURES" >&2
			exit 1
		}
	fi
fi
export FIXTURES DMCAPS

# ASCII tree art and untranslated messages.
export LC_ALL=C
unset LANG LANGUAGE

PHONE=$FIXTURES/phone

if [ ! -x "$DMCAPS" ]; then
	echo "dmcaps not found at $DMCAPS (set DMCAPS=)" >&2
	exit 1
fi

# In a build tree src/dmcaps is libtool's wrapper script: bash reading
# libtool's code, setting the library path, then exec'ing the program in
# src/.libs. The tests run that program with that library path (asked of
# libtool once per test file): the wrapper costs about 0.2 s a run here and
# 0.9 s in the VM, against 0.03 s for the program, and valgrind must check
# dmcaps, not bash. An installed dmcaps (DMCAPS=) is run as it is.
dmcaps_prog_cache=$BATS_FILE_TMPDIR/dmcaps-program
if [ ! -s "$dmcaps_prog_cache" ]; then
	if [ -x "$LIBTOOL" ]; then
		"$LIBTOOL" --mode=execute sh -c \
			'printf "%s\n%s\n" "${LD_LIBRARY_PATH-}" "$0"' "$DMCAPS"
	else
		printf '%s\n%s\n' "${LD_LIBRARY_PATH-}" "$DMCAPS"
	fi > "$dmcaps_prog_cache"
fi
{ read -r LD_LIBRARY_PATH; read -r DMCAPS; } < "$dmcaps_prog_cache"
[ -x "$DMCAPS" ] || {
	echo "libtool did not name the program behind src/dmcaps" >&2
	exit 1
}
[ -n "$LD_LIBRARY_PATH" ] && export LD_LIBRARY_PATH || unset LD_LIBRARY_PATH
export DMCAPS

# DMCAPS_VALGRIND=1: every run under valgrind; a memory error or a definite
# or indirect leak exits 99 and fails the test, and with
# DMCAPS_VALGRIND_LOGDIR=DIR the report is also left in DIR/vg.PID (the
# caller fails on any non-empty one).
dmcaps() {
	if [ -n "${DMCAPS_VALGRIND-}" ]; then
		valgrind -q \
			--leak-check=full --errors-for-leak-kinds=definite,indirect \
			${DMCAPS_VALGRIND_LOGDIR:+--log-file="$DMCAPS_VALGRIND_LOGDIR/vg.%p"} \
			--error-exitcode=99 "$DMCAPS" "$@"
	else
		"$DMCAPS" "$@"
	fi
}

# Asserts the exit status of the last `run`, printing the output on failure.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status"
		echo "--- stdout"; echo "$output"
		echo "--- stderr"; echo "${stderr-}"
		return 1
	fi
}

# Asserts that $1 (a string) contains $2.
assert_contains() {
	case "$1" in
	*"$2"*) return 0 ;;
	esac
	echo "expected to find: $2"
	echo "--- in:"; echo "$1"
	return 1
}

refute_contains() {
	case "$1" in
	*"$2"*)
		echo "did not expect: $2"
		echo "--- in:"; echo "$1"
		return 1 ;;
	esac
	return 0
}

# The --pairs line whose NAME is $2, from the output $1.
pairs_line() {
	printf '%s\n' "$1" | grep -F "NAME=\"$2\" " | head -n 1
}

# JSON checks parse with python3; skip (loudly) where there is none.
require_python3() {
	command -v python3 >/dev/null || skip "python3 is not installed"
}
