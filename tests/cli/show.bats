#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmcaps show over the fixture sysroots: tree, columns, --json, --pairs.
#
# tests/fixtures/phone (see tests/fixtures/mkfixtures.sh):
#   sda      UFS-like, AES-256-XTS(4096) Adiantum(4096), DUN 8, 32 slots
#   mmcblk0  eMMC-like, AES-256-XTS(512,4096), DUN 4, 15 slots
#   sdb      no inline crypto
#   lin      linear over sda2 + mmcblk0p1          top    linear over lin
#   secret   crypt over sdb                        my vol linear over sda1
#   stale    linear over mmcblk0p2, sysfs shows no crypto: 6.12's stale sysfs

load helpers

@test "default: DM roots and crypto disks, each once, exit 0" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -o NAME,TYPE
	assert_status 0
	roots=$(printf '%s\n' "$output" | sed 1d | grep -v '^[ |`]' | sort | tr -s ' ' | tr '\n' ';')
	[ "$roots" = "mmcblk0 disk;my vol dm;sda disk;secret dm;stale dm;top dm;" ] || {
		echo "roots: $roots"; echo "$output"; false; }
}

@test "default: lin is shown under top, not as a root" {
	run dmcaps show --sysroot "$PHONE" -o NAME
	assert_status 0
	printf '%s\n' "$output" | grep -q '^    `-lin$\|^  `-lin$'
	if printf '%s\n' "$output" | grep -q '^lin$'; then false; fi
	# a disk without inline crypto appears only under its DM device
	if printf '%s\n' "$output" | grep -q '^sdb$'; then false; fi
	printf '%s\n' "$output" | grep -q '^  `-sdb$'
}

@test "tree: DM device, targets, devices, recursing into stacked DM" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -o NAME,TYPE,PASSES top
	assert_status 0
	expected='NAME              TYPE   PASSES
top               dm     
`-#1 linear       target yes
  `-lin           dm     
    |-#1 linear   target yes
    | `-sda2      part   
    `-#2 linear   target yes
      `-mmcblk0p1 part   '
	[ "$output" = "$expected" ] || { diff <(echo "$expected") <(echo "$output"); false; }
	[ -z "$stderr" ]
}

@test "capabilities of disks: modes with data-unit sizes, DUN bytes, keyslots" {
	run dmcaps show --sysroot "$PHONE" --pairs -o NAME,MODES,DUN,SLOTS sda mmcblk0 sdb
	assert_status 0
	[ "$(pairs_line "$output" sda)" = 'NAME="sda" MODES="AES-256-XTS(4096) Adiantum(4096)" DUN="8" SLOTS="32"' ]
	[ "$(pairs_line "$output" mmcblk0)" = 'NAME="mmcblk0" MODES="AES-256-XTS(512,4096)" DUN="4" SLOTS="15"' ]
	[ "$(pairs_line "$output" sdb)" = 'NAME="sdb" MODES="none" DUN="" SLOTS=""' ]
}

@test "dm-linear over two crypto disks exposes their intersection" {
	run dmcaps show --sysroot "$PHONE" --pairs -o NAME,MODES,DUN,SLOTS,PREDICTED,EXPOSED lin
	assert_status 0
	line=$(pairs_line "$output" lin)
	eval "$line"
	[ "$MODES" = "AES-256-XTS(4096)" ]
	[ "$DUN" = 4 ]
	[ "$SLOTS" = pass ]
	[ "$PREDICTED" = "AES-256-XTS:0x1000 dun=4 keyslots=0" ]
	[ "$EXPOSED" = "$PREDICTED" ]
}

@test "WHY explains each capability the intersection lost" {
	run dmcaps show --sysroot "$PHONE" -o NAME,WHY lin
	assert_status 0
	assert_contains "$output" "mmcblk0p1 lacks Adiantum"
	assert_contains "$output" "sda2 lacks AES-256-XTS data-unit sizes 512"
	assert_contains "$output" "mmcblk0p1 supports 4-byte DUNs, not 8"
	refute_contains "$output" "MISMATCH"
}

@test "dm-crypt: the target does not pass inline crypto, nothing exposed" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" --pairs \
		-o NAME,TYPE,TARGET,PASSES,PREDICTED,WHY secret
	assert_status 0
	eval "$(pairs_line "$output" secret)"
	[ "$PREDICTED" = none ]
	assert_contains "$WHY" "target 1 (crypt) does not pass inline crypto"
	eval "$(pairs_line "$output" "#1 crypt")"
	[ "$TYPE" = target ] && [ "$TARGET" = crypt ] && [ "$PASSES" = no ]
	[ -z "$stderr" ]
}

@test "target rows: type, start, length, passes" {
	run dmcaps show --sysroot "$PHONE" --pairs -o NAME,TARGET,START,LENGTH,PASSES lin
	assert_status 0
	[ "$(pairs_line "$output" "#1 linear")" = 'NAME="#1 linear" TARGET="linear" START="0" LENGTH="204800" PASSES="yes"' ]
	[ "$(pairs_line "$output" "#2 linear")" = 'NAME="#2 linear" TARGET="linear" START="204800" LENGTH="102400" PASSES="yes"' ]
}

@test "6.12's stale sysfs (no queue/crypto after a late gain) is explained, never a MISMATCH" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -o NAME,WHY stale
	assert_status 0
	assert_contains "$output" "sysfs is stale: the live table should expose AES-256-XTS(512,4096), DUN 4 bytes, sysfs has no queue/crypto (Linux 6.12"
	refute_contains "$output$stderr" "MISMATCH"
	# said on stderr only with --verbose, and once however often shown
	[ -z "$stderr" ]
	run --separate-stderr dmcaps show --verbose --sysroot "$PHONE" stale stale
	[ "$(printf '%s\n' "$stderr" | grep -c 'dmcaps: stale: sysfs is stale')" -eq 1 ]
}

@test "6.12's stale sysfs (only the mode files of registration) is explained, never a MISMATCH" {
	root=$BATS_TEST_TMPDIR/root
	cp -a "$PHONE" "$root"
	# "my vol" exposes AES-256-XTS and Adiantum; sysfs lost Adiantum's file
	rm "$root/sys/block/dm-3/queue/crypto/modes/Adiantum"
	run --separate-stderr dmcaps show --sysroot "$root" -o NAME,WHY "my vol"
	assert_status 0
	assert_contains "$output" "sysfs is stale: the live table should expose AES-256-XTS(4096) Adiantum(4096), DUN"
	assert_contains "$output" "sysfs shows AES-256-XTS(4096), DUN"
	refute_contains "$output$stderr" "MISMATCH"
}

@test "predicted != exposed beyond staleness is a MISMATCH, in WHY and on stderr" {
	root=$BATS_TEST_TMPDIR/root
	cp -a "$PHONE" "$root"
	# a mode file whose value disagrees: no 6.12 behaviour explains it
	echo 0x200 > "$root/sys/block/dm-0/queue/crypto/modes/AES-256-XTS"
	run --separate-stderr dmcaps show --sysroot "$root" -o NAME,WHY lin
	assert_status 0
	assert_contains "$output" "MISMATCH: the live table should expose AES-256-XTS(4096), DUN 4 bytes; sysfs shows AES-256-XTS(512), DUN 4 bytes"
	# the library's warning, once per device however often it is shown
	[ "$stderr" = "dmcaps: warning: lin: MISMATCH: the live table should expose AES-256-XTS(4096), DUN 4 bytes; sysfs shows AES-256-XTS(512), DUN 4 bytes" ]
	run --separate-stderr dmcaps show --sysroot "$root" lin lin
	[ "$(printf '%s\n' "$stderr" | grep -c MISMATCH)" -eq 1 ]
}

@test "no MISMATCH where prediction and kernel agree" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" top "my vol" secret
	assert_status 0
	refute_contains "$output" "MISMATCH"
	[ -z "$stderr" ]
}

@test "devices by path, /dev/mapper name, DM name, MAJ:MIN, dm-N, UUID=" {
	for spec in /dev/sda2 "/dev/mapper/my vol" "my vol" 253:3 /dev/dm-3 dm-3; do
		run --separate-stderr dmcaps show --sysroot "$PHONE" -n -o NAME,MAJ:MIN "$spec"
		assert_status 0
		[ -z "$stderr" ]
		case $spec in
		/dev/sda2) [ "$output" = "sda2 8:2" ] ;;
		*) [ "$(printf '%s\n' "$output" | head -n1 | tr -s ' ')" = "my vol 253:3" ] ;;
		esac
	done
	run dmcaps show --sysroot "$PHONE" -n -o NAME UUID=1234-ABCD
	assert_status 0
	[ "$output" = sda1 ]
}

@test "a DM name with spaces: tree, pairs and JSON keep it whole" {
	require_python3
	run dmcaps show --sysroot "$PHONE" -o NAME "my vol"
	assert_status 0
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "my vol" ]
	run dmcaps show --sysroot "$PHONE" --pairs -o NAME,TYPE "my vol"
	eval "$(printf '%s\n' "$output" | head -n1)"
	[ "$NAME" = "my vol" ] && [ "$TYPE" = dm ]
	run dmcaps show --sysroot "$PHONE" --json -o NAME "/dev/mapper/my vol"
	[ "$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["dmcaps"][0]["name"])')" = "my vol" ]
}

@test "--json parses and nests children as the tree does" {
	require_python3
	run --separate-stderr dmcaps show --sysroot "$PHONE" --json
	assert_status 0
	printf '%s' "$output" | python3 -m json.tool > /dev/null
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["dmcaps"]
top = [n for n in d if n["name"] == "top"][0]
lin = top["children"][0]["children"][0]
assert lin["name"] == "lin" and lin["type"] == "dm", lin
assert lin["maj:min"] == "253:0"
assert lin["modes"] == "AES-256-XTS(4096)"
assert lin["dun"] == 4, lin["dun"]
assert [t["children"][0]["name"] for t in lin["children"]] == ["sda2", "mmcblk0p1"]
assert any("lacks Adiantum" in w for w in lin["why"]), lin["why"]
assert isinstance(lin["why"], list)
sda = [n for n in d if n["name"] == "sda"][0]
assert sda["slots"] == "32" and sda["dun"] == 8
print("ok")
' <(printf '%s' "$output")
	assert_status 0
	[ "$output" = ok ]
}

@test "--json with --output: only those keys" {
	require_python3
	run dmcaps show --sysroot "$PHONE" --json -o NAME,PREDICTED secret
	assert_status 0
	run python3 -c '
import json, sys
n = json.load(sys.stdin)["dmcaps"][0]
assert sorted(n) == ["children", "name", "predicted"], sorted(n)
assert n["predicted"] == "none"
' <<< "$output"
	assert_status 0
}

@test "--pairs: one eval-able line per node, shell-safe keys" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" --pairs
	assert_status 0
	n=0
	while IFS= read -r line; do
		NAME= TYPE= MAJ_MIN= MODES= DUN= SLOTS= PASSES= WHY=
		sh -n -c "$line"		# valid for a POSIX shell
		eval "$line"
		[ -n "$NAME" ] && [ -n "$TYPE" ]
		case $TYPE in
		dm|disk|part) [[ "$MAJ_MIN" =~ ^[0-9]+:[0-9]+$ ]] ;;
		target) [ -z "$MAJ_MIN" ] && [ -n "$PASSES" ] ;;
		*) false ;;
		esac
		n=$((n + 1))
	done <<< "$output"
	# every node on its own line: 6 roots plus their subtrees
	[ "$n" -eq "$(dmcaps show --sysroot "$PHONE" -n -o NAME 2>/dev/null | wc -l)" ]
	refute_contains "$output" "MAJ:MIN="
	refute_contains "$output" '`-'
}

@test "--pairs in an initramfs-style script" {
	out=$(dmcaps show --sysroot "$PHONE" --pairs -o NAME,MODES,DUN "/dev/mapper/my vol" | head -n 1)
	eval "$out"
	case " $MODES " in
	*" Adiantum("*) ok=yes ;;
	*) ok=no ;;
	esac
	[ "$ok" = yes ] && [ "$DUN" -ge 8 ]
}

@test "--noheadings drops the header line only" {
	run dmcaps show --sysroot "$PHONE" -o NAME,TYPE sda
	assert_status 0
	[ "$output" = "$(printf 'NAME TYPE\nsda  disk')" ]
	run dmcaps show --sysroot "$PHONE" --noheadings -o NAME,TYPE sda
	assert_status 0
	[ "$output" = "sda  disk" ]
	run dmcaps show --sysroot "$PHONE" -n --pairs -o NAME sda
	[ "$output" = 'NAME="sda"' ]
}

@test "--output: order as given, case-insensitive, +LIST adds to default" {
	run dmcaps show --sysroot "$PHONE" -o dun,name sda
	assert_status 0
	[ "$(printf '%s\n' "$output" | head -n1 | tr -s ' ')" = "DUN NAME" ]
	run dmcaps show --sysroot "$PHONE" -o +TARGET,START sda
	assert_status 0
	[ "$(printf '%s\n' "$output" | head -n1 | tr -s ' ')" = "NAME TYPE MAJ:MIN MODES DUN SLOTS PASSES WHY TARGET START" ]
}

@test "default columns" {
	run dmcaps show --sysroot "$PHONE" sda
	assert_status 0
	[ "$(printf '%s\n' "$output" | head -n1 | tr -s ' ')" = "NAME TYPE MAJ:MIN MODES DUN SLOTS PASSES WHY" ]
}

@test "without --verbose WHY is cut after 3 reasons; --verbose shows all" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/wide" -o NAME,WHY wide
	assert_status 0
	assert_contains "$output" "... 3 more (--verbose)"
	[ "$(printf '%s\n' "$output" | grep -c 'device ')" -eq 3 ]
	run --separate-stderr dmcaps show --verbose --sysroot "$FIXTURES/wide" -o NAME,WHY wide
	assert_status 0
	refute_contains "$output" "more (--verbose)"
	[ "$(printf '%s\n' "$output" | grep -c 'device ')" -eq 6 ]
	assert_contains "$output" "device sdd lacks AES-256-XTS"
}

@test "--json and --pairs always carry every reason" {
	require_python3
	run dmcaps show --sysroot "$FIXTURES/wide" --json -o NAME,WHY wide
	assert_status 0
	[ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["dmcaps"][0]["why"]))' <<< "$output")" -eq 6 ]
	run dmcaps show --sysroot "$FIXTURES/wide" --pairs -o NAME,WHY wide
	eval "$(pairs_line "$output" wide)"
	[ "$(printf '%s' "$WHY" | grep -o 'device ' | wc -l)" -eq 6 ]
}

@test "a DM device without a live table is shown, not expanded" {
	run --separate-stderr dmcaps show --sysroot "$FIXTURES/notables"
	assert_status 0
	printf '%s\n' "$output" | grep -q '^lin .* no live table$'
	printf '%s\n' "$output" | grep -q '^sda '
}

@test "--output-all: every column, in table order" {
	run --separate-stderr dmcaps show --sysroot "$PHONE" -O sda
	assert_status 0
	[ "$(printf '%s\n' "$output" | head -n1 | tr -s ' ')" = "NAME KNAME PKNAME PATH TYPE MAJ:MIN MODES DUN SLOTS PREDICTED EXPOSED KERNEL TARGET START LENGTH PASSES DROPS CHANGES WHY" ]
	run --separate-stderr dmcaps show --sysroot "$PHONE" -O -o NAME sda
	assert_status 1
	assert_contains "$stderr" "mutually exclusive"
}

@test "a UTF-8 locale draws the tree with UTF-8 line art" {
	locale -a 2>/dev/null | grep -qix 'C.utf-\?8' ||
		skip "no C.UTF-8 locale on this host"
	LC_ALL=C.UTF-8 run dmcaps show --sysroot "$PHONE" -o NAME top
	assert_status 0
	assert_contains "$output" "└─lin"
}

@test "SLOTS: 'pass' only for a DM device; a disk without keyslots shows 0" {
	root=$BATS_TEST_TMPDIR/root
	cp -a "$PHONE" "$root"
	echo 0 > "$root/sys/block/sda/queue/crypto/num_keyslots"
	run --separate-stderr dmcaps show --sysroot "$root" --pairs -o NAME,SLOTS sda lin
	assert_status 0
	[ "$(pairs_line "$output" sda)" = 'NAME="sda" SLOTS="0"' ]
	[ "$(pairs_line "$output" lin)" = 'NAME="lin" SLOTS="pass"' ]
}

@test "on a terminal: WHY wrapped at spaces to its width; too narrow a terminal: as in a pipe" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	run --separate-stderr "$DMCAPS" show --sysroot "$PHONE"
	assert_status 0
	pipe=$output
	# script(1) gives dmcaps a terminal; its size comes from COLUMNS
	tty=$(COLUMNS=120 script -qec "'$DMCAPS' show --sysroot '$PHONE'" /dev/null | tr -d '\r')
	echo "$tty"
	[ "$tty" != "$pipe" ]
	# every line within the width, every word of every reason whole
	[ -z "$(printf '%s\n' "$tty" | awk 'length > 120')" ]
	words=" $(printf '%s\n' "$tty" | tr -s ' ' '\n' | sort -u | tr '\n' ' ') "
	for w in $(printf '%s\n' "$pipe" | sed -n 's/.*\(sysfs is stale: .*\)/\1/p'); do
		[[ "$words" == *" $w "* ]] || { echo "broken word: $w"; false; }
	done
	# the columns before WHY leave it too little room at 80: unchanged
	tty=$(COLUMNS=80 script -qec "'$DMCAPS' show --sysroot '$PHONE'" /dev/null | tr -d '\r')
	[ "$tty" = "$pipe" ]
}
