#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps: global options, command dispatch, usage errors.

load helpers

@test "--help: usage, commands, options and exit codes on stdout, exit 0" {
	run --separate-stderr dmcaps --help
	assert_status 0
	assert_contains "$output" "Usage: dmcaps [OPTION...] COMMAND"
	assert_contains "$output" "show"
	assert_contains "$output" "--verbose"
	assert_contains "$output" "--sysroot"
	assert_contains "$output" "Exit status:"
	for code in 0 1 2 3 4 5; do
		printf '%s\n' "$output" | grep -Eq "^ +$code +[a-z]"
	done
	[ -z "$stderr" ]
}

@test "-h is --help" {
	run dmcaps -h
	assert_status 0
	assert_contains "$output" "Usage: dmcaps"
}

@test "--help documents only the commands that exist" {
	run dmcaps --help
	assert_status 0
	for cmd in show check load evict; do
		assert_contains "$output" "  $cmd "
	done
}

@test "--version prints tool and library versions" {
	run --separate-stderr dmcaps --version
	assert_status 0
	[[ "$output" =~ ^dmcaps\ [0-9]+\.[0-9]+\.[0-9]+\ \(libdmcaps\ [0-9]+\.[0-9]+\.[0-9]+\)$ ]]
}

@test "show --help: the command's usage, options and columns, exit 0" {
	run --separate-stderr dmcaps show --help
	assert_status 0
	assert_contains "$output" "Usage: dmcaps show [OPTION...] [DEVICE...]"
	for opt in --output --output-all --noheadings --json --pairs --verbose --sysroot; do
		assert_contains "$output" "$opt"
	done
	for col in NAME TYPE MAJ:MIN MODES DUN SLOTS PREDICTED EXPOSED \
		   TARGET START LENGTH PASSES WHY; do
		printf '%s\n' "$output" | grep -Eq "^  $col +"
	done
	[ -z "$stderr" ]
}

@test "--help before the command shows that command's help" {
	run dmcaps --help show
	assert_status 0
	assert_contains "$output" "Usage: dmcaps show"
}

@test "show --help does not touch the system (bad sysroot ignored)" {
	run dmcaps show --sysroot /nonexistent/dmcaps --help
	assert_status 0
	assert_contains "$output" "Usage: dmcaps show"
}

@test "no command: usage error, exit 1" {
	run --separate-stderr dmcaps
	assert_status 1
	assert_contains "$stderr" "dmcaps: no command given"
	[ -z "$output" ]
}

@test "unknown command: message naming it, exit 1" {
	run --separate-stderr dmcaps frobnicate
	assert_status 1
	assert_contains "$stderr" "dmcaps: frobnicate: unknown command"
	[ -z "$output" ]
}

@test "commands without their required arguments: usage error, exit 1" {
	for cmd in load check evict; do
		run dmcaps "$cmd"
		assert_status 1
	done
}

@test "unknown global option: exit 1" {
	run --separate-stderr dmcaps --frobnicate show
	assert_status 1
	assert_contains "$stderr" "dmcaps: --frobnicate: unknown option"
}

@test "unknown show option: exit 1" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" --frobnicate
	assert_status 1
	assert_contains "$stderr" "--frobnicate: unknown option"
	assert_contains "$stderr" "Try 'dmcaps show --help'"
	[ -z "$output" ]
}

@test "option missing its argument: exit 1" {
	run --separate-stderr dmcaps show --output
	assert_status 1
	assert_contains "$stderr" "--output"
}

@test "--json and --pairs together: exit 1" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" --json --pairs
	assert_status 1
	assert_contains "$stderr" "mutually exclusive"
	[ -z "$output" ]
}

@test "--output with an unknown column: message naming it, exit 1" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -o NAME,BOGUS
	assert_status 1
	assert_contains "$stderr" "dmcaps: --output: BOGUS: unknown column"
	[ -z "$output" ]
}

@test "--output with an empty column name: exit 1" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -o NAME,,TYPE
	assert_status 1
	assert_contains "$stderr" "empty column name"
	run dmcaps show --sysroot "$PHONE" -o ""
	assert_status 1
}

@test "global options also work after the command" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" --verbose -o NAME sda
	assert_status 0
	run --separate-stderr dmcaps --sysroot "$PHONE" show -o NAME sda
	assert_status 0
	[ "$output" = "$(printf 'NAME\nsda')" ]
}

@test "library messages: verbose ones only with --verbose, on stderr" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/notables" -o NAME
	assert_status 0
	[ -z "$stderr" ]
	plain=$output
	run --separate-stderr dmcaps show --verbose --sysroot "$FIXTURES/notables" -o NAME
	assert_status 0
	assert_contains "$stderr" "dmcaps: lin has no live table"
	[ "$output" = "$plain" ]
}

@test "--debug: '# ' lines on stderr, stdout unchanged" {
	run --separate-stderr dmcaps --debug show --sysroot "$FIXTURES/notables" -o NAME
	assert_status 0
	assert_contains "$stderr" "# 2 block devices"
	assert_contains "$stderr" "# lin: live table: no such table"
	# --debug implies --verbose
	assert_contains "$stderr" "dmcaps: lin has no live table"
	[ "$output" = "$(printf 'NAME\nlin\nsda')" ]
}
