#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate one series of kernel-patches/ from a kernel git branch:
#
#   scripts/kernel-series-export.sh [-C KERNEL_TREE] SERIES BASE TIP
#
# writes the commits BASE..TIP of KERNEL_TREE (default: the current
# directory) with `git format-patch` into kernel-patches/SERIES/, numbered
# from 0001, and rewrites kernel-patches/SERIES/series to list them in
# order. Patch files of the directory that are no longer in the range are
# removed. SERIES is one of the directories kernel-patches/README.md
# describes: test (test infrastructure for 6.12), test-6.1 (the same,
# ported to 6.1), dm-crypto (the series proposed upstream).
#
# A series with a cover letter (kernel-patches/SERIES/0000-cover-letter.patch)
# keeps its subject and text; git regenerates the shortlog and diffstat
# below them, so that they always describe the patches beside it.
#
# Typical use, in a kernel tree whose branch `test` is pristine + the test
# infrastructure and whose branch `dm-crypto` is `test` + the series:
#   scripts/kernel-series-export.sh -C TREE test pristine test
#   scripts/kernel-series-export.sh -C TREE dm-crypto test dm-crypto
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tree=.

die() { echo "kernel-series-export: error: $*" >&2; exit 1; }

if [ "${1:-}" = -C ]; then
	tree=$2
	shift 2
fi
[ $# -eq 3 ] || die "usage: $0 [-C KERNEL_TREE] SERIES BASE TIP"
name=$1 base=$2 tip=$3
case "$name" in
test|test-6.1|dm-crypto) ;;
*) die "unknown series $name (test, test-6.1, dm-crypto)" ;;
esac
dir=$top/kernel-patches/$name
git -C "$tree" rev-parse -q --verify "$base^{commit}" > /dev/null || die "$tree has no $base"
git -C "$tree" rev-parse -q --verify "$tip^{commit}" > /dev/null || die "$tree has no $tip"
n=$(git -C "$tree" rev-list --count "$base..$tip")
[ "$n" -gt 0 ] || die "$base..$tip is empty"
[ -z "$(git -C "$tree" rev-list --merges "$base..$tip")" ] || die "$base..$tip has merges"

cover=$dir/0000-cover-letter.patch
subject= blurb=
if [ -f "$cover" ]; then
	# The subject without "[PATCH 00/NN] ", the text between the headers
	# and git's shortlog (which starts with "<author> (N):").
	subject=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$cover" | head -n 1)
	blurb=$(awk 'body && /^[^ ].* \([0-9]+\):$/ { exit }
		     body { print }
		     /^$/ && !body { body = 1 }' "$cover")
	[ -n "$subject" ] && [ -n "$blurb" ] || die "cannot read the cover letter $cover"
fi

mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --zero-commit: the files do not change when only the kernel tree's commit
# ids do (a rebase onto the same pristine import elsewhere).
git -C "$tree" format-patch -q --zero-commit --no-signature --numbered \
	${subject:+--cover-letter} -o "$tmp" "$base..$tip"
if [ -n "$subject" ]; then
	f=$tmp/0000-cover-letter.patch
	python3 - "$f" "$subject" "$blurb" <<'EOF'
import sys
path, subject, blurb = sys.argv[1:4]
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***\n", blurb.rstrip("\n") + "\n", 1)
open(path, "w").write(text)
EOF
fi

rm -f "$dir"/[0-9][0-9][0-9][0-9]-*.patch
cp "$tmp"/*.patch "$dir"/
(cd "$tmp" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-') > "$dir/series"
echo "kernel-series-export: $n patch(es) of $base..$tip in kernel-patches/$name/" >&2
