#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/scale-plot.sh TSV PNG: the plot of bench/scale.sh's measurements,
# median wall time (log) against the number of DM devices (log), one line
# per command. Needs gnuplot (Debian: gnuplot-nox).
set -eu
tsv=${1:?usage: $0 TSV PNG}
png=${2:?usage: $0 TSV PNG}
command -v gnuplot > /dev/null ||
	{ echo "$0: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
plot=
i=0
for cmd in "dmcaps show" "dmsetup ls --tree" "lsblk" "dmcaps show DEV" "dmsetup table DEV"; do
	awk -F'\t' -v c="$cmd" '$2 == c { print $1, $3 }' "$tsv" > "$dir/$i"
	plot+="${plot:+, }'$dir/$i' using 1:2 with linespoints title '$cmd'"
	i=$((i + 1))
done
gnuplot <<GP
set terminal png size 900,600
set output '$png'
set title 'dmcaps against dmsetup and lsblk (test VM, medians of interleaved rounds)'
set xlabel 'DM devices'
set ylabel 'wall time (ms)'
set logscale xy
set key top left
set grid
plot $plot
GP
