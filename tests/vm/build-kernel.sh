#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the dmcaps User-Mode Linux test kernel: Debian's linux-source-6.12
# with kernel-patches/series applied and kernel-patches/uml-test.config.
#
# The source and build trees live in a cache outside the repository
# (DMCAPS_KERNEL_CACHE, default /var/cache/dmcaps/kernel) so that later runs
# only rebuild what changed (DMCAPS_CCACHE_DIR shares one ccache between
# several caches):
#   - a changed series (any patch or the series file) resets the source tree
#     to the pristine import and re-applies every patch;
#   - a changed fragment re-runs olddefconfig;
#   - make and ccache then rebuild only the objects whose inputs changed.
# Prints the path of the built `linux` binary on its last line of stdout.

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
patches=$top/kernel-patches
cache=${DMCAPS_KERNEL_CACHE:-/var/cache/dmcaps/kernel}
src=$cache/src
out=$cache/build
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${DMCAPS_JOBS:-$(nproc)}

log() { echo "build-kernel: $*" >&2; }
die() { echo "build-kernel: error: $*" >&2; exit 1; }

ensure_packages() {
	local need=() p
	for p in linux-source-6.12 build-essential flex bison bc libelf-dev \
		 libssl-dev ccache xz-utils git perl python3; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (${need[*]}); run as root or install them"
	log "installing ${need[*]}"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >&2
}

# The key of a set of files: their names and contents, in order.
files_key() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f##*/}"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

series_files() {
	local p
	[ -f "$patches/series" ] || return 0
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$patches/$p" ] || die "series names $p, which is not in kernel-patches/"
		printf '%s\n' "$patches/$p"
	done < "$patches/series"
}

import_pristine() {
	[ -d "$src/.git" ] && git -C "$src" rev-parse -q --verify pristine >/dev/null && return 0
	log "extracting $tarball into $src"
	rm -rf "$src"
	mkdir -p "$cache"
	tar -C "$cache" -xJf "$tarball"
	mv "$cache/linux-source-6.12" "$src"
	git -C "$src" init -q
	git -C "$src" config user.name "dmcaps build"
	git -C "$src" config user.email "build@dmcaps.invalid"
	# Debian's tarball ships a .gitignore that ignores the whole top level.
	git -C "$src" add -A -f
	git -C "$src" commit -q -m "pristine $(make -s -C "$src" kernelversion)"
	git -C "$src" tag pristine
}

apply_series() {
	local key want p
	mapfile -t files < <(series_files)
	want=$(files_key "$patches/series" "${files[@]}" 2>/dev/null || files_key "${files[@]}")
	key=$(cat "$cache/series.key" 2>/dev/null || true)
	[ "$key" = "$want" ] && return 0
	log "series changed: resetting to pristine and applying ${#files[@]} patch(es)"
	rm -f "$cache/series.key" "$cache/config.key"
	# No automatic gc after `git am`: it runs in the background, holds the
	# lock's descriptor and takes both cores in the middle of a build.
	git -C "$src" config gc.auto 0
	git -C "$src" am --abort >/dev/null 2>&1 || true
	git -C "$src" reset -q --hard pristine
	git -C "$src" clean -q -fdx
	for p in "${files[@]}"; do
		if ! git -C "$src" am -q "$p" >&2; then
			git -C "$src" am --abort >/dev/null 2>&1 || true
			die "${p##*/} does not apply to $(git -C "$src" log -1 --format=%s pristine)"
		fi
	done
	echo "$want" > "$cache/series.key"
}

configure() {
	local want key line sym
	want=$(files_key "$patches/uml-test.config")
	key=$(cat "$cache/config.key" 2>/dev/null || true)
	[ "$key" = "$want" ] && [ -f "$out/.config" ] && return 0
	log "configuring from uml-test.config"
	mkdir -p "$out"
	grep -v '^#' "$patches/uml-test.config" | sed 's/^\(CONFIG_[A-Z0-9_]*\)=n$/# \1 is not set/' \
		> "$out/.config"
	make -s -C "$src" O="$out" ARCH=um olddefconfig >&2
	# Every option the fragment asks for must have survived olddefconfig:
	# a silently dropped option makes a test kernel that tests nothing.
	while read -r line; do
		case "$line" in CONFIG_*=n) sym=${line%=n}
			grep -qx "# $sym is not set" "$out/.config" ||
				! grep -q "^$sym=" "$out/.config" ||
				die "$sym=n was not honoured" ;;
		CONFIG_*) grep -qx "$line" "$out/.config" ||
				die "$line was dropped by olddefconfig (missing dependency?)" ;;
		esac
	done < "$patches/uml-test.config"
	echo "$want" > "$cache/config.key"
}

build() {
	local t0=$SECONDS
	# CCACHE_BASEDIR makes the cached compiler input relative to the
	# build directory ("../src/..."), so another cache laid out the same
	# way (a developer's topic tree, another tier) hits the same entries
	# when DMCAPS_CCACHE_DIR points them at one ccache.
	export CCACHE_DIR=${DMCAPS_CCACHE_DIR:-$cache/ccache}
	export CCACHE_BASEDIR=$cache CCACHE_NOHASHDIR=true
	log "building ARCH=um with $jobs job(s) in $out"
	make -s -C "$src" O="$out" ARCH=um -j"$jobs" CC="ccache gcc" \
		KCFLAGS= linux >&2
	log "kernel ready in $((SECONDS - t0))s: $out/linux"
}

ensure_packages
[ -f "$tarball" ] || die "$tarball not found (package linux-source-6.12)"
# One build at a time per cache: two runs (a test and a demo, two
# checkouts) would reset the tree or run make in the same O= dir at once.
mkdir -p "$cache"
exec 9> "$cache/lock"
if ! flock -n 9; then
	log "waiting for another build in $cache to finish"
	flock 9
fi
import_pristine
apply_series
configure
build
echo "$out/linux"
