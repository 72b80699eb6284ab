#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# man/dmcaps.8 agrees with the tool: columns, options, exit codes, defaults.

load helpers

MAN=$BATS_TEST_DIRNAME/../../man/dmcaps.8

# The .TP headings of one .SH section of the man page, as plain words.
man_section_items() {
	awk -v sec="$1" '
		/^\.SH / { insec = ($0 == ".SH " sec); next }
		insec && prev == ".TP" { print }
		{ prev = $0 }
	' "$MAN" | sed 's/^\.B[RI]* //; s/\\-/-/g; s/"//g; s/,//g'
}

@test "man page: every column of show --help has an entry, and no other" {
	cols=$(dmcaps show --help | sed -n '/^Columns:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort)
	documented=$(man_section_items "OUTPUT COLUMNS" | tr ' ' '\n' | grep -E '^[A-Z:]+$' | sort)
	[ "$cols" = "$documented" ] || { diff <(echo "$cols") <(echo "$documented"); false; }
}

@test "man page: the default columns are those of show --help" {
	want=$(dmcaps show --help | sed -n 's/^Default: \(.*\)\.$/\1/p')
	[ -n "$want" ]
	got=$(sed -n '/^\.SH OUTPUT COLUMNS/,/^\.TP/p' "$MAN" | sed -n 's/^\.BR* \([A-Z:]*\).*/\1/p' | paste -sd, -)
	[ "$want" = "$got" ] || { echo "help: $want"; echo "man:  $got"; false; }
}

@test "man page: every long option of show --help is documented" {
	for opt in $(dmcaps show --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "${opt//-/\\\\-}" "$MAN" || { echo "undocumented: $opt"; false; }
	done
	for opt in $(dmcaps --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "${opt//-/\\\\-}" "$MAN" || { echo "undocumented: $opt"; false; }
	done
}

@test "man page: exit codes as --help lists them" {
	help=$(dmcaps --help | sed -n '/^Exit status:/,/^$/p' | awk 'NF && $1 ~ /^[0-9]+$/ { print $1 }' | paste -sd' ' -)
	man=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$MAN" | sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' | paste -sd' ' -)
	# the codes decided for dmcaps 0.1 (cryptsetup's 1-5; 10 retired)
	[ "$help" = "0 1 2 3 4 5 6 7 11 12 13 14 15 16 17 18 19 20" ]
	[ "$man" = "$help" ]
}

@test "man page: every command of --help is documented, with its options" {
	for cmd in $(dmcaps --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
		grep -qE "^\.BR? $cmd( |$)" "$MAN" || { echo "undocumented command: $cmd"; false; }
		for opt in $(dmcaps "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "${opt//-/\\\\-}" "$MAN" || { echo "undocumented: $cmd $opt"; false; }
		done
	done
}

@test "man page: no commands documented that do not exist" {
	cmds=$(dmcaps --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
	n=0
	for cmd in $(man_section_items COMMANDS | awk '{ print $1 }' | sort -u); do
		grep -qx "$cmd" <<<"$cmds" || { echo "$MAN documents $cmd, which is no command"; false; }
		n=$((n + 1))
	done
	[ "$n" -eq "$(wc -l <<<"$cmds")" ]
}

@test "libdmcaps.3 mentions every function of the public header" {
	header=$BATS_TEST_DIRNAME/../../lib/libdmcaps.h
	man3=$BATS_TEST_DIRNAME/../../man/libdmcaps.3
	n=0
	for f in $(grep -o 'dmcaps_[a-z_]*(' "$header" | tr -d '(' | sort -u); do
		grep -q "$f" "$man3" || { echo "libdmcaps.3 lacks $f"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 40 ]
}

@test "man pages: groff -ww finds nothing, no raw control bytes" {
	command -v groff >/dev/null || skip "groff is not installed"
	for page in "$MAN" "$BATS_TEST_DIRNAME/../../man/libdmcaps.3"; do
		run groff -ww -z -man "$page"
		[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$page: $output"; false; }
		run env LC_ALL=C grep -nP '[\x00-\x08\x0b-\x1f\x7f]' "$page"
		[ "$status" -eq 1 ] || { echo "$page holds raw control bytes: $output"; false; }
	done
}
