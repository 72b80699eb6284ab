#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a dmcaps User-Mode Linux test kernel, one of four tiers:
#
#   tests/vm/build-kernel.sh [--tier TIER]      (default: patched)
#
#   patched        Debian's linux-source-6.12 + kernel-patches/test/ +
#                  kernel-patches/dm-crypto/ (the kernel the series proposes)
#   patched-kasan  the same source with KASAN (uml-test-kasan.config), in its
#                  own build directory
#   stock-6.12     linux-source-6.12 + kernel-patches/test/ only: upstream's
#                  block/ and drivers/md/ with hardware emulation
#   stock-6.1      Debian 12's linux-source-6.1 + kernel-patches/test-6.1/
#
# Config: kernel-patches/uml-test.config for every tier, plus
# uml-test-6.12.config for the 6.12 tiers, uml-test-dm-crypto.config where
# the dm-crypto series is applied and uml-test-kasan.config for
# patched-kasan.
#
# The trees live in a cache outside the repository (DMCAPS_KERNEL_CACHE,
# default /var/cache/dmcaps/kernel), one git import per kernel version
# (tag `pristine`), one source worktree per patch set and one O= directory
# per tier:
#   src/ build/                       patched (6.12 repository, main worktree)
#   build-kasan/                      patched-kasan (same source as patched)
#   stock-6.12/src/ stock-6.12/build/ stock-6.12 (worktree of src/)
#   stock-6.1/src/ stock-6.1/build/   stock-6.1 (its own 6.1 repository)
# Every O= directory is a sibling "build" of its "src" under the cache, and
# ccache sees paths relative to the cache (CCACHE_BASEDIR), so the tiers
# share ccache entries for every object whose inputs are the same
# (DMCAPS_CCACHE_DIR shares one ccache between several caches). A cold
# cache builds everything; later runs only rebuild what changed:
#   - a changed patch set (any patch or series file) resets that source
#     tree to the pristine import and re-applies every patch;
#   - a changed fragment re-runs olddefconfig;
#   - make and ccache then rebuild only the objects whose inputs changed.
# Prints the path of the built `linux` binary on its last line of stdout.
#
#   tests/vm/build-kernel.sh --tier TIER --each-patch
#
# checks the tier's series as a reviewer applies it: in a scratch worktree
# (each/TIER/ in the cache) it builds pristine, then applies the patches one
# by one, and after each one runs olddefconfig on the tier's fragments, builds,
# rebuilds the C files the patch touches with W=1, and runs checkpatch.pl
# --strict on it (get_maintainer.pl answers its "does MAINTAINERS need
# updating?": a file the patch adds must have a maintainer). Prints one
# line per patch; fails if a patch does not apply, does not build, brings a
# compiler warning (on a line it adds, or one pristine's build did not
# print), or is not checkpatch clean. The pristine column counts upstream's
# own warnings.

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
patches=$top/kernel-patches
cache=${DMCAPS_KERNEL_CACHE:-/var/cache/dmcaps/kernel}
jobs=${DMCAPS_JOBS:-$(nproc)}
tier=${DMCAPS_KERNEL_TIER:-patched}
each_patch=false

log() { echo "build-kernel: $*" >&2; }
die() { echo "build-kernel: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--tier) tier=$2; shift 2 ;;
	--each-patch) each_patch=true; shift ;;
	-h|--help) sed -n '4,51p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done

# The one description of the tiers: kernel version, source tree (a git
# repository or worktree), O= directory, the series applied in order, the
# config fragments, and where the keys of the applied series and config live.
repo612=$cache/src
case "$tier" in
patched|patched-kasan)
	version=6.12 src=$cache/src series=(test dm-crypto)
	fragments=(uml-test.config uml-test-6.12.config uml-test-dm-crypto.config)
	series_key=$cache/series.key
	if [ "$tier" = patched ]; then
		out=$cache/build config_key=$cache/config.key
	else
		out=$cache/build-kasan config_key=$cache/config-kasan.key
		fragments+=(uml-test-kasan.config)
	fi ;;
stock-6.12)
	version=6.12 src=$cache/stock-6.12/src out=$cache/stock-6.12/build series=(test)
	fragments=(uml-test.config uml-test-6.12.config)
	series_key=$cache/stock-6.12/series.key config_key=$cache/stock-6.12/config.key ;;
stock-6.1)
	version=6.1 src=$cache/stock-6.1/src out=$cache/stock-6.1/build series=(test-6.1)
	fragments=(uml-test.config)
	series_key=$cache/stock-6.1/series.key config_key=$cache/stock-6.1/config.key ;;
*) die "unknown tier $tier (patched, patched-kasan, stock-6.12, stock-6.1)" ;;
esac
tarball=/usr/src/linux-source-$version.tar.xz

ensure_packages() {
	local need=() p
	for p in "linux-source-$version" build-essential flex bison bc libelf-dev \
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
		printf '%s\n' "${f#"$patches"/}"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

# files: each series file of the tier, then its patches in order.
series_files() {
	local s p
	files=()
	for s in "${series[@]}"; do
		[ -f "$patches/$s/series" ] || die "kernel-patches/$s/series is missing"
		files+=("$patches/$s/series")
		while read -r p; do
			case "$p" in ''|'#'*) continue ;; esac
			[ -f "$patches/$s/$p" ] || die "kernel-patches/$s/series names $p, which is not there"
			files+=("$patches/$s/$p")
		done < "$patches/$s/series"
	done
}

# import_pristine REPO: a git repository of the tarball, tagged pristine.
import_pristine() {
	local repo=$1 tmp
	[ -d "$repo/.git" ] && git -C "$repo" rev-parse -q --verify pristine >/dev/null && return 0
	log "extracting $tarball into $repo"
	rm -rf "$repo"
	tmp=$(dirname "$repo")/extract.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -C "$tmp" -xJf "$tarball"
	mv "$tmp/linux-source-$version" "$repo"
	rmdir "$tmp"
	git -C "$repo" init -q
	git -C "$repo" config user.name "dmcaps build"
	git -C "$repo" config user.email "build@dmcaps.invalid"
	# No automatic gc after `git am`: it runs in the background, holds the
	# lock's descriptor and takes both cores in the middle of a build.
	git -C "$repo" config gc.auto 0
	# Debian's tarball ships a .gitignore that ignores the whole top level.
	git -C "$repo" add -A -f
	git -C "$repo" commit -q -m "pristine $(make -s -C "$repo" kernelversion)"
	git -C "$repo" tag pristine
}

# The source tree of the tier: the repository itself, or a worktree of
# the 6.12 repository for stock-6.12 (one object store, one import).
prepare_source() {
	case "$tier" in
	stock-6.12)
		import_pristine "$repo612"
		if [ ! -e "$src/.git" ]; then
			rm -rf "$src"
			git -C "$repo612" worktree prune
			git -C "$repo612" worktree add -q --detach "$src" pristine
		fi ;;
	*) import_pristine "$src" ;;
	esac
}

apply_series() {
	local key want p
	series_files
	want=$(files_key "${files[@]}")
	key=$(cat "$series_key" 2>/dev/null || true)
	[ "$key" = "$want" ] && return 0
	log "$tier: series changed: resetting $src to pristine and applying ${series[*]}"
	rm -f "$series_key"
	git -C "$src" config gc.auto 0
	git -C "$src" am --abort >/dev/null 2>&1 || true
	git -C "$src" checkout -q -f --detach pristine
	git -C "$src" clean -q -fdx
	for p in "${files[@]}"; do
		case "$p" in */series) continue ;; esac
		if ! git -C "$src" am -q "$p" >&2; then
			git -C "$src" am --abort >/dev/null 2>&1 || true
			die "${p#"$patches"/} does not apply to $(git -C "$src" log -1 --format=%s pristine)"
		fi
	done
	echo "$want" > "$series_key"
}

# configure [--partial]: --partial (a series applied only in part) lets
# olddefconfig drop the options that later patches introduce.
configure() {
	local want key line sym f
	local paths=()
	for f in "${fragments[@]}"; do paths+=("$patches/$f"); done
	want=$(files_key "${paths[@]}")
	key=$(cat "$config_key" 2>/dev/null || true)
	[ "$key" = "$want" ] && [ -f "$out/.config" ] && return 0
	[ "${1-}" = --partial ] && key=partial
	log "$tier: configuring from ${fragments[*]}"
	mkdir -p "$out"
	cat "${paths[@]}" | grep -v '^#' |
		sed 's/^\(CONFIG_[A-Z0-9_]*\)=n$/# \1 is not set/' > "$out/.config"
	make -s -C "$src" O="$out" ARCH=um olddefconfig >&2
	if [ "$key" = partial ]; then
		return 0
	fi
	# Every option the fragments ask for must have survived olddefconfig:
	# a silently dropped option makes a test kernel that tests nothing.
	while read -r line; do
		case "$line" in CONFIG_*=n) sym=${line%=n}
			grep -qx "# $sym is not set" "$out/.config" ||
				! grep -q "^$sym=" "$out/.config" ||
				die "$tier: $sym=n was not honoured" ;;
		CONFIG_*) grep -qx "$line" "$out/.config" ||
				die "$tier: $line was dropped by olddefconfig (missing dependency?)" ;;
		esac
	done < <(cat "${paths[@]}")
	echo "$want" > "$config_key"
}

kmake() {
	# CCACHE_BASEDIR makes the cached compiler input relative to the
	# build directory ("../src/..."), so every tier, the --each-patch tree
	# and another cache laid out the same way (a developer's topic tree)
	# hit the same entries when DMCAPS_CCACHE_DIR points them at one ccache.
	CCACHE_DIR=${DMCAPS_CCACHE_DIR:-$cache/ccache} \
	CCACHE_BASEDIR=$cache CCACHE_NOHASHDIR=true \
		make -s -C "$src" O="$out" ARCH=um -j"$jobs" CC="ccache gcc" \
		KCFLAGS= "$@"
}

build() {
	local t0=$SECONDS
	log "$tier: building ARCH=um with $jobs job(s) in $out"
	kmake linux >&2
	log "$tier: kernel ready in $((SECONDS - t0))s: $out/linux"
}

# The C files a patch adds or changes, that this configuration compiles.
patch_objects() {
	local f
	sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$1" | while read -r f; do
		[ -f "$out/${f%.c}.o" ] && echo "${f%.c}.o"
	done
}

# checkpatch.pl --strict on a patch file (run outside any git tree: it
# looks for one in the working directory). Its question for every patch
# that adds a file, "does MAINTAINERS need updating?", is answered instead
# of asked: a file the patch adds must have a maintainer besides the
# catch-all entry (get_maintainer.pl in the tree the patch is applied to).
checkpatch() {
	local f
	(cd / && "$src/scripts/checkpatch.pl" --strict --terse --no-summary \
		--ignore FILE_PATH_CHANGES "$1" 2>&1) || true
	awk '/^diff --git /{f = $4; sub(/^b\//, "", f)}
	     /^new file mode/{print f}' "$1" | while read -r f; do
		(cd "$src" && ./scripts/get_maintainer.pl --no-git \
			--no-git-fallback --no-rolestats -f "$f" 2>/dev/null) |
			grep -v -e torvalds@linux-foundation.org \
				-e linux-kernel@vger.kernel.org | grep -q . ||
			echo "$f: no MAINTAINERS entry covers it"
	done
}

checkpatch_findings() {
	checkpatch "$1" | grep -c . || true
}

# new_warnings [--added] PATCH LOG...: the compiler warnings of the LOGs
# that the patch brought: those on a line it adds, and those whose file and
# message the build of pristine did not print (an upstream file's own
# warnings, printed again whenever it is rebuilt, are not the patch's; a
# warning its change causes elsewhere is). --added: only those on a line
# it adds (W=1 rebuilds upstream files, and the build's own helpers, that
# were never W=1 clean).
new_warnings() {
	local added_only=0 patch
	if [ "$1" = --added ]; then
		added_only=1
		shift
	fi
	patch=$1
	shift
	awk -v src="$src/" -v added_only=$added_only '
		function key(line,   w, file) {
			split(line, w, ":")
			file = w[1]
			sub("^(\\.\\./src/|" src ")", "", file)
			return file
		}
		FILENAME == ARGV[1] {	# the patch: every line it adds
			if ($0 ~ /^diff --git /) { f = ""; next }
			if ($0 ~ /^\+\+\+ b\//) { f = substr($0, 7); next }
			if ($0 ~ /^@@ /) { split($3, a, ","); n = substr(a[1], 2) + 0; next }
			if (f == "") next
			if ($0 ~ /^\+/) added[f ":" n++] = 1
			else if ($0 ~ /^ /) n++
			next
		}
		FILENAME == ARGV[2] {	# pristine: file and message
			if ($0 ~ /: warning: /) { m = $0; sub(/^[^ ]*: warning: /, "", m); old[key($0) SUBSEP m] = 1 }
			next
		}
		/: warning: / {
			file = key($0)
			split($0, w, ":")
			m = $0; sub(/^[^ ]*: warning: /, "", m)
			if ((file ":" w[2]) in added ||
			    (!added_only && !((file SUBSEP m) in old)))
				print
		}' "$patch" "$work/pristine.log" "$@"
}

# --each-patch: see the head of this file.
build_each() {
	local work=$cache/each/$tier repo p n=0 t0 warnings objs bad=0 w1 cp
	case "$tier" in stock-6.1) repo=$src ;; *) repo=$repo612 ;; esac
	import_pristine "$repo"
	src=$work/src out=$work/build config_key=$work/config.key
	mkdir -p "$work"
	git -C "$repo" worktree remove -f "$src" >/dev/null 2>&1 || rm -rf "$src"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q --detach "$src" pristine
	git -C "$src" config gc.auto 0
	rm -f "$config_key"
	configure --partial
	t0=$SECONDS
	log "$tier: building pristine in $out"
	kmake linux >/dev/null 2>"$work/pristine.log" ||
		die "pristine does not build: $work/pristine.log"
	printf '%-70s %6s %8s %8s %s\n' patch build warnings W=1 checkpatch
	printf '%-70s %5ss %8s %8s %s\n' "(pristine)" $((SECONDS - t0)) \
		"$(grep -c ': warning: ' "$work/pristine.log" || true)" - -
	series_files
	for p in "${files[@]}"; do
		case "$p" in */series) continue ;; esac
		n=$((n + 1))
		if ! git -C "$src" am -q "$p" >&2; then
			git -C "$src" am --abort >/dev/null 2>&1 || true
			die "${p#"$patches"/} does not apply in series order"
		fi
		rm -f "$config_key"
		configure --partial
		t0=$SECONDS
		if ! kmake linux >/dev/null 2>"$work/build.log"; then
			cat "$work/build.log" >&2
			die "${p#"$patches"/} does not build"
		fi
		warnings=$(new_warnings "$p" "$work/build.log" | wc -l)
		# W=1 on what the patch touches: removing the objects makes
		# make rebuild them with the extra warnings.
		objs=$(patch_objects "$p")
		w1=0
		if [ -n "$objs" ]; then
			# shellcheck disable=SC2086 # one word per object
			(cd "$out" && rm -f $objs)
			# shellcheck disable=SC2086
			kmake W=1 $objs >/dev/null 2>"$work/w1.log" ||
				die "${p#"$patches"/}: W=1 build failed: $work/w1.log"
			w1=$(new_warnings --added "$p" "$work/w1.log" | wc -l)
		else
			: > "$work/w1.log"
		fi
		cp=$(checkpatch_findings "$p")
		printf '%-70s %5ss %8s %8s %s\n' "${p#"$patches"/}" \
			$((SECONDS - t0)) "$warnings" "$w1" \
			"$(if [ "$cp" -eq 0 ]; then echo clean; else echo "$cp finding(s)"; fi)"
		if [ $((warnings + w1 + cp)) -gt 0 ]; then
			new_warnings "$p" "$work/build.log" >&2
			new_warnings --added "$p" "$work/w1.log" >&2
			checkpatch "$p" >&2
			bad=$((bad + 1))
		fi
	done
	# The whole series must keep every option of the fragments.
	rm -f "$config_key"
	configure
	[ "$bad" -eq 0 ] || die "$bad of $n patches have warnings or checkpatch findings"
	log "$tier: each of $n patches applies, builds without warnings and is checkpatch clean"
}

ensure_packages
[ -f "$tarball" ] || die "$tarball not found (package linux-source-$version)"
# One build at a time per cache: two runs (a test and a demo, two
# checkouts, two tiers sharing a repository) would reset a tree or run
# make in the same O= dir at once.
mkdir -p "$cache"
exec 9> "$cache/lock"
if ! flock -n 9; then
	log "waiting for another build in $cache to finish"
	flock 9
fi
mkdir -p "$(dirname "$src")"
if $each_patch; then
	build_each
	exit 0
fi
prepare_source
apply_series
configure
build
echo "$out/linux"
