#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shows that a range of kernel-patches/dm-crypto/ adds no instruction to the I/O path:
# builds only the objects that hold the I/O-path functions, once for
# pristine + the patches before the range ("before") and once for pristine +
# the patches up to the end of the range ("after"), and compares the
# disassembly (objdump -d -r) of each function, printing a table
# identical / different / absent.
#
#   bench/io-path-unchanged.sh [--first NNNN] [--last NNNN]
#                              [--functions F1,F2,...] [--off-path F1,...]
#                              [--objects O1,O2,...] [--keep] [--diff]
#
# --first, --last  the patches under test, by their number in
#                  kernel-patches/dm-crypto/ (default: the whole series,
#                  0001 to its last patch); the test infrastructure
#                  (kernel-patches/test/) is applied in both builds
# --functions      the I/O-path functions to compare (default: DM's
#                  submission and cloning path, blk-crypto's per-bio and
#                  per-request hooks, and blk-crypto-fallback's bio path,
#                  which per-device fallback sends clones through, below)
# --off-path       functions compared and reported as well but off the I/O
#                  path, which do not count in the exit status (default:
#                  the kernel's own key eviction, which "blk-crypto:
#                  evict a natively supported key from blk-crypto-fallback
#                  too" changes on purpose)
# --objects        the objects to build (default: those holding them)
# --diff           print the instruction diff of each function that differs
# --keep           keep the kernel worktree and object directories
#
# Disassembly is compared by bench/io-path-compare.py: addresses and raw
# bytes dropped, relocations kept and resolved to symbols (or, for string
# literals, to the string), so that code moved by a change elsewhere in the
# object compares equal while a changed call, jump or constant does not.
# A function whose instructions match once immediates are ignored is
# reported as such ("constants differ"): line numbers passed as immediates
# (WARN_ONCE(), might_sleep() on UML) move when a patch adds lines above
# it; --diff shows which.
#
# Works in its own kernel worktree (DMCAPS_IOPATH_SRC, default
# /var/tmp/iopath-src, a detached worktree of the cache repository; patches
# applied with git apply, nothing committed) and its own O= directories
# (DMCAPS_IOPATH_OUT, default /var/tmp/iopath-build), with ccache in
# CCACHE_DIR (default /var/cache/dmcaps/kernel/ccache) and the cache's
# .config. Exit status: 0 when no function differs in its instructions,
# 1 when one does, 2 on errors.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
repo=${DMCAPS_KERNEL_REPO:-/var/cache/dmcaps/kernel/src}
config=${DMCAPS_KERNEL_CONFIG:-/var/cache/dmcaps/kernel/build/.config}
src=${DMCAPS_IOPATH_SRC:-/var/tmp/iopath-src}
out=${DMCAPS_IOPATH_OUT:-/var/tmp/iopath-build}
export CCACHE_DIR=${CCACHE_DIR:-/var/cache/dmcaps/kernel/ccache}
jobs=${DMCAPS_JOBS:-2}

functions=dm_submit_bio,dm_get_live_table,dm_put_live_table,dm_table_find_target,dm_split_and_process_bio,__split_and_process_bio,__map_bio,__send_duplicate_bios,alloc_tio,setup_split_accounting,clone_endio,dm_io_dec_pending,__dm_io_complete,__blk_crypto_bio_prep,__blk_crypto_rq_get_keyslot,__blk_crypto_rq_put_keyslot,__blk_crypto_free_request,__bio_crypt_clone,__bio_crypt_free_ctx,__blk_crypto_rq_bio_prep,bio_crypt_dun_is_contiguous,blk_crypto_get_keyslot,blk_crypto_put_keyslot,blk_crypto_keyslot_index,blk_crypto_find_keyslot,blk_crypto_find_and_grab_keyslot,__blk_crypto_cfg_supported,bio_crypt_set_ctx,bio_crypt_ctx_mergeable,bio_crypt_rq_ctx_compatible,bio_crypt_ctx_compatible,blk_crypto_rq_bio_prep,submit_bio_noacct,__submit_bio,blk_crypto_fallback_bio_prep,blk_crypto_fallback_encrypt_bio,blk_crypto_fallback_encrypt_endio,blk_crypto_fallback_decrypt_bio,blk_crypto_fallback_decrypt_endio,blk_crypto_fallback_split_bio_if_needed,blk_crypto_fallback_clone_bio,blk_crypto_fallback_alloc_cipher_req
off_path=__blk_crypto_evict_key,blk_crypto_evict_key
objects=drivers/md/dm.o,drivers/md/dm-table.o,block/blk-crypto.o,block/blk-crypto-profile.o,block/blk-core.o,block/blk-merge.o,block/blk-crypto-fallback.o
first=0001
last=
keep=0
show_diff=0

die() { echo "io-path-unchanged: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--first) first=$2; shift 2 ;;
	--last) last=$2; shift 2 ;;
	--functions) functions=$2; shift 2 ;;
	--off-path) off_path=$2; shift 2 ;;
	--objects) objects=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--diff) show_diff=1; shift ;;
	-h|--help) sed -n '3,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done

# The test infrastructure (kernel-patches/test/) is in both builds; the
# range is of kernel-patches/dm-crypto/.
series_of() {
	grep -v '^[[:space:]]*\(#\|$\)' "$top/kernel-patches/$1/series" | sed "s|^|$1/|"
}
mapfile -t infra < <(series_of test)
mapfile -t series < <(series_of dm-crypto)
[ ${#series[@]} -gt 0 ] || die "empty kernel-patches/dm-crypto/series"
[ -n "$last" ] || { last=${series[-1]#dm-crypto/}; last=${last%%-*}; }
before=("${infra[@]}") after=("${infra[@]}")
for p in "${series[@]}"; do
	n=${p#dm-crypto/}; n=${n%%-*}
	[ "$((10#$n))" -lt "$((10#$first))" ] && before+=("$p")
	[ "$((10#$n))" -le "$((10#$last))" ] && after+=("$p")
done
[ ${#after[@]} -gt ${#before[@]} ] || die "no patch in $first..$last"
[ -f "$config" ] || die "no kernel config at $config"
git -C "$repo" rev-parse -q --verify pristine > /dev/null || die "$repo has no tag pristine"
IFS=, read -r -a funcs <<< "$functions"
IFS=, read -r -a objs <<< "$objects"

if [ ! -d "$src" ]; then
	git -C "$repo" worktree add -q --detach "$src" pristine
fi
cleanup() {
	if [ "$keep" = 0 ]; then
		git -C "$repo" worktree remove --force "$src" 2>/dev/null || true
		rm -rf "$out"
	fi
}
trap cleanup EXIT

# build NAME PATCH...: pristine + the patches, the objects in $out/NAME
build() {
	local name=$1 p o
	shift
	git -C "$src" checkout -q -f --detach pristine
	git -C "$src" clean -q -fdx
	for p in "$@"; do
		git -C "$src" apply "$top/kernel-patches/$p" || die "$p does not apply"
	done
	mkdir -p "$out/$name"
	cp "$config" "$out/$name/.config"
	make -s -C "$src" O="$out/$name" ARCH=um CC="ccache gcc" KCFLAGS= olddefconfig > /dev/null
	for o in "${objs[@]}"; do
		make -s -C "$src" O="$out/$name" ARCH=um CC="ccache gcc" KCFLAGS= \
			-j"$jobs" "$o" > "$out/$name.log" 2>&1 ||
			{ cat "$out/$name.log" >&2; die "$name: building $o failed"; }
	done
}

echo "before: pristine + ${#before[@]} patches (up to ${before[-1]:-none})" >&2
build before "${before[@]}"
echo "after:  pristine + ${#after[@]} patches (up to ${after[-1]})" >&2
build after "${after[@]}"

exec python3 "$top/bench/io-path-compare.py" --diff="$show_diff" \
	--functions "$functions" --off-path "$off_path" --objects "$objects" "$out/before" "$out/after"
