#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# completions/dmcaps: commands, options, columns, devices.

load helpers

setup() {
	source "$BATS_TEST_DIRNAME/../../completions/dmcaps"
}

# complete WORD... : the candidates for the last word, '|'-separated
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_dmcaps
	local IFS='|'
	echo "${COMPREPLY[*]}"
}

@test "completion: commands are only the existing ones" {
	[ "$(complete_words dmcaps "")" = "show|check|load|evict|require" ]
}

@test "completion: check and load options, devices then table files" {
	[ "$(complete_words dmcaps load --check)" = "--check-crypto" ]
	run complete_words dmcaps check --
	for opt in --table --json --pairs --sysroot; do
		assert_contains "$output" "$opt"
	done
	run complete_words dmcaps load --
	for opt in --table --check-crypto --create --resume; do
		assert_contains "$output" "$opt"
	done
	[ "$(complete_words dmcaps --sysroot "$PHONE" check /dev/mapper/my)" = '/dev/mapper/my\ vol' ]
	cd "$BATS_TEST_TMPDIR" && touch table.txt
	[ "$(complete_words dmcaps --sysroot "$PHONE" check lin tab)" = "table.txt" ]
	# an option's value is no argument: after --concise TEXT nothing is
	# positional; after -o/--mode values the device is still the first
	[ -z "$(complete_words dmcaps --sysroot "$PHONE" check --concise "a,,,,0 8 zero" tab)" ]
	[ "$(complete_words dmcaps --sysroot "$PHONE" check --json --table "0 8 zero" /dev/mapper/my)" = '/dev/mapper/my\ vol' ]
}

@test "completion: global and show options" {
	[ "$(complete_words dmcaps --ver)" = "--verbose|--version" ]
	[ "$(complete_words dmcaps show --js)" = "--json" ]
	run complete_words dmcaps show --
	for opt in --output --noheadings --json --pairs --sysroot --verbose; do
		assert_contains "$output" "$opt"
	done
}

@test "completion: --output columns after a comma, with + prefix" {
	[ "$(complete_words dmcaps show -o NAME,PRE)" = "NAME,PREDICTED" ]
	[ "$(complete_words dmcaps show --output +WH)" = "+WHY" ]
	# every column dmcaps knows, and only those
	cols=$(complete_words dmcaps show -o "" | tr '|' '\n' | sort | tr '\n' ' ')
	known=$(dmcaps show --help | sed -n '/^Columns:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort | tr '\n' ' ')
	[ "$cols" = "$known" ]
}

@test "completion: devices of --sysroot, DM names with spaces quoted" {
	run complete_words dmcaps show --sysroot "$PHONE" ""
	assert_contains "$output" "sda1"
	assert_contains "$output" "/dev/mapper/lin"
	[ "$(complete_words dmcaps --sysroot "$PHONE" show /dev/mapper/my)" = '/dev/mapper/my\ vol' ]
}

@test "completion: evict options, modes, sizes, key sources, devices" {
	run complete_words dmcaps evict --
	for opt in --mode --data-unit-size --dun-bytes --key-file --key-desc --json --pairs; do
		assert_contains "$output" "$opt"
	done
	[ "$(complete_words dmcaps evict --mode Ad)" = "Adiantum" ]
	[ "$(complete_words dmcaps evict -m AES-1)" = "AES-128-CBC-ESSIV" ]
	[ "$(complete_words dmcaps evict --data-unit-size 40)" = "4096" ]
	[ "$(complete_words dmcaps evict --key-desc lo)" = "logon:" ]
	cd "$BATS_TEST_TMPDIR" && touch home.key
	[ "$(complete_words dmcaps evict --key-file hom)" = "home.key" ]
	# after an option's argument, the device
	[ "$(complete_words dmcaps --sysroot "$PHONE" evict --mode Adiantum /dev/mapper/my)" = '/dev/mapper/my\ vol' ]
}

# The long options of popt's option list on standard input, sorted.
help_options() {
	sed -nE 's/^ +(-[[:alnum:]?], )?(--[a-z][a-z-]*).*/\2/p' | sort -u | paste -sd' ' -
}

@test "completion: the commands and options of --help, and no others" {
	# Generated lists would need bash at build time; checked here instead.
	cmds=$(dmcaps --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | paste -sd' ' -)
	[ "$(complete_words dmcaps "" | tr '|' ' ')" = "$cmds" ]
	global=$(dmcaps --help | help_options)
	[ "$(complete_words dmcaps -- | tr '|' '\n' | sort -u | paste -sd' ' -)" = "$global" ]
	for cmd in $cmds; do
		want=$(dmcaps "$cmd" --help | help_options | tr ' ' '\n' | grep -vx -- '--help' | paste -sd' ' -)
		got=$(complete_words dmcaps "$cmd" -- | tr '|' '\n' | grep -vx -- '--help' | sort -u | paste -sd' ' -)
		[ "$want" = "$got" ] || { echo "$cmd: help: $want"; echo "$cmd: completion: $got"; false; }
	done
}
