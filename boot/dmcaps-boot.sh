# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# The dmcaps boot check, shared by the initramfs-tools script and the dracut
# hook (one place for the policy). Sourced by them; POSIX sh (busybox ash,
# dash, bash). The caller sets, before dmcaps_boot_check DEVICE...:
#   dmcaps_warn MSG    a function printing a warning on the console
#   DMCAPS_ARG_PREFIX  the command-line prefix, for messages ("dmcaps.",
#                      "rd.dmcaps.")
#   DMCAPS_ARG_REQUIRE, DMCAPS_ARG_POLICY   the command-line values, set
#                      (even empty) only when the parameter was given
# and reads DMCAPS_REASON (one line) when it returns 1: the policy says stop.
#
# Configuration: DMCAPS_CONF (default /etc/dmcaps/initramfs.conf), a shell
# fragment setting DMCAPS_REQUIRE, DMCAPS_POLICY and DMCAPS_DEVICES; the
# command line wins. Results go to /run/dmcaps/: `status` (KEY="value"
# lines: RESULT, POLICY, ACTION, REQUIRE, DEVICES), `results` (dmcaps
# require --pairs, one line per device and requirement) and `why`.

DMCAPS_RUN=${DMCAPS_RUN:-/run/dmcaps}

# Text from the command line or the configuration, fit for a KEY="value"
# line that a later script may eval: nothing but a safe character set.
# In the shell alone: an initramfs without busybox has no tr.
_dmcaps_safe() {
	local s="$1" out='' c
	while [ -n "$s" ]; do
		c=${s%"${s#?}"}
		s=${s#?}
		case $c in
		[A-Za-z0-9:,._+/=@\ -]) out=$out$c ;;
		*) out="$out?" ;;
		esac
	done
	printf '%s' "$out"
}

_dmcaps_status() {
	{
		echo "RESULT=\"$1\""
		echo "POLICY=\"$(_dmcaps_safe "$_dmcaps_policy")\""
		echo "ACTION=\"$2\""
		echo "REQUIRE=\"$(_dmcaps_safe "$_dmcaps_require")\""
		echo "DEVICES=\"$(_dmcaps_safe "$_dmcaps_devices")\""
	} > "$DMCAPS_RUN/status"
}

# Lines of dmcaps' stderr: to the console and /run/dmcaps/why.
_dmcaps_why() {
	local line
	printf '%s\n' "$1" >> "$DMCAPS_RUN/why"
	printf '%s\n' "$1" | while IFS= read -r line; do
		dmcaps_warn "$line"
	done
}

# Applies the policy to a failed check: warns and goes on under warn,
# stops (returns 1) under fail. $1: the result word, $2: the reason.
_dmcaps_outcome() {
	if [ "$_dmcaps_policy" = fail ]; then
		DMCAPS_REASON="dmcaps: $2; policy fail: not mounting the root file system"
		_dmcaps_status "$1" stopped
		echo "$DMCAPS_REASON" >> "$DMCAPS_RUN/why"
		return 1
	fi
	dmcaps_warn "dmcaps: $2; policy warn: booting on"
	_dmcaps_status "$1" continued
	return 0
}

dmcaps_boot_check() {
	local conf dev out rc result line reason worst

	# /run exists in every initramfs; if this cannot be made the check
	# still runs (the results are said on the console only).
	mkdir -p "$DMCAPS_RUN" ||
		dmcaps_warn "dmcaps: cannot create $DMCAPS_RUN: results not recorded"
	: > "$DMCAPS_RUN/why"
	: > "$DMCAPS_RUN/results"

	DMCAPS_REQUIRE='' DMCAPS_POLICY='' DMCAPS_DEVICES=''
	conf=${DMCAPS_CONF:-/etc/dmcaps/initramfs.conf}
	# shellcheck disable=SC1090
	[ -r "$conf" ] && . "$conf"
	_dmcaps_require=$DMCAPS_REQUIRE
	_dmcaps_devices=$DMCAPS_DEVICES
	_dmcaps_policy=${DMCAPS_POLICY:-warn}
	case $_dmcaps_policy in
	warn | fail) ;;
	*)
		dmcaps_warn "dmcaps: $conf: DMCAPS_POLICY=\"$(_dmcaps_safe "$_dmcaps_policy")\" is neither warn nor fail; using fail"
		_dmcaps_policy=fail ;;
	esac

	if [ -n "${DMCAPS_ARG_POLICY+set}" ]; then
		case $DMCAPS_ARG_POLICY in
		warn | fail) _dmcaps_policy=$DMCAPS_ARG_POLICY ;;
		*)
			dmcaps_warn "dmcaps: ${DMCAPS_ARG_PREFIX}policy=\"$(_dmcaps_safe "$DMCAPS_ARG_POLICY")\" is neither warn nor fail; keeping policy $_dmcaps_policy" ;;
		esac
	fi
	[ -n "${DMCAPS_ARG_REQUIRE+set}" ] && _dmcaps_require=$DMCAPS_ARG_REQUIRE

	if [ -z "${DMCAPS_ARG_REQUIRE+set}" ] && [ -z "$_dmcaps_require" ]; then
		_dmcaps_status none skipped
		return 0
	fi
	if ! command -v dmcaps > /dev/null 2>&1; then
		_dmcaps_outcome error "dmcaps is not in the initramfs: cannot check the requirement"
		return
	fi

	# The requirement alone first: a malformed one is said once, in its
	# own words, whatever the devices. dmcaps require parses it before
	# anything else and exits 1 only for it here (the table is a valid
	# one-line table that needs no device).
	out=$(dmcaps require --quiet --table "0 8 zero" -- "$_dmcaps_require" 2>&1)
	if [ $? -eq 1 ]; then
		_dmcaps_why "$out"
		_dmcaps_outcome malformed "${DMCAPS_ARG_REQUIRE+${DMCAPS_ARG_PREFIX}require=}\"$(_dmcaps_safe "$_dmcaps_require")\" is not a requirement dmcaps can check"
		return
	fi

	# Every device is checked and recorded; the first failure is the
	# one named in the outcome, and not-provided outranks the others in
	# RESULT.
	worst=provided
	reason=
	for dev in "$@" $_dmcaps_devices; do
		# the results to their file, the WHY lines (stderr) here
		out=$(dmcaps require --pairs -- "$dev" "$_dmcaps_require" \
			2>&1 >> "$DMCAPS_RUN/results")
		rc=$?
		[ -z "$out" ] || _dmcaps_why "$out"
		case $rc in
		0) continue ;;
		20) result=not-provided
		    line="$dev does not provide $_dmcaps_require" ;;
		12) result=cannot-tell
		    line="cannot tell whether $dev provides $_dmcaps_require" ;;
		4) result=error
		   line="$dev: no such device" ;;
		*) result=error
		   line="$dev: dmcaps require failed (exit $rc)" ;;
		esac
		if [ "$worst" = provided ] || [ "$result" = not-provided ]; then
			worst=$result
		fi
		[ -n "$reason" ] || reason=$line
	done
	if [ "$worst" = provided ]; then
		_dmcaps_status provided continued
		return 0
	fi
	_dmcaps_outcome "$worst" "$reason"
}
