#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Is the blk-crypto I/O path unchanged? Compares the disassembly of the
# functions I/O goes through (keyslot get/put and lookup, request and bio
# crypt-context handling) between two kernel build trees, e.g. one of main's
# series before kernel-patches 0016-0018 and one after:
#   bench/io-path-diff.sh OLD_BUILD_DIR NEW_BUILD_DIR
# Addresses, relocation offsets and section-relative addends are dropped.
# For each function prints "identical", or that the instruction sequence is
# the same with which numeric constants differ and by how much (struct field
# displacements, __LINE__ of debug annotations), or the lines that differ
# otherwise. Runs on the host; needs objdump and python3.
set -eu

old=${1:?usage: $0 OLD_BUILD_DIR NEW_BUILD_DIR}
new=${2:?usage: $0 OLD_BUILD_DIR NEW_BUILD_DIR}

FUNCS="blk-crypto-profile.o:blk_crypto_get_keyslot
blk-crypto-profile.o:blk_crypto_put_keyslot
blk-crypto-profile.o:blk_crypto_find_keyslot
blk-crypto-profile.o:blk_crypto_find_and_grab_keyslot
blk-crypto-profile.o:blk_crypto_keyslot_index
blk-crypto-profile.o:__blk_crypto_cfg_supported
blk-crypto-profile.o:__blk_crypto_evict_key
blk-crypto.o:__blk_crypto_rq_get_keyslot
blk-crypto.o:__blk_crypto_rq_put_keyslot
blk-crypto.o:__blk_crypto_free_request
blk-crypto.o:__blk_crypto_bio_prep
blk-crypto.o:__blk_crypto_rq_bio_prep
blk-crypto.o:bio_crypt_set_ctx
blk-crypto.o:__bio_crypt_clone
blk-crypto.o:bio_crypt_ctx_mergeable
blk-crypto.o:bio_crypt_rq_ctx_compatible
blk-crypto.o:blk_crypto_evict_key"

# dis OBJ FUNC: FUNC's instructions and relocations, without addresses,
# trailing alignment padding, relocation offsets or section addends
dis() {
	objdump -dr --no-show-raw-insn "$1" | awk -v f="<$2>:" '
		$2 == f { on = 1; next }
		on && /^[0-9a-f]+ <.*>:$/ { exit }
		on && NF { print }' |
		sed -E 's/^\s*[0-9a-f]+:\s*//
			s/[0-9a-f]+ <([^>+]*)(\+0x[0-9a-f]+)?>/<\1>/g
			s/(R_X86_64_[A-Z0-9_]+)\s+(\.[a-z.0-9_]+)\+0x[0-9a-f]+/\1 \2/
			s/(R_X86_64_[A-Z0-9_]+)\s+/\1 /' |
		sed -E '/^(nop|xchg   %ax,%ax|data16|cs nopw|int3)/d'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for spec in $FUNCS; do
	obj=${spec%%:*} fn=${spec#*:}
	dis "$old/block/$obj" "$fn" > "$tmp/old"
	dis "$new/block/$obj" "$fn" > "$tmp/new"
	python3 - "$fn" "$tmp/old" "$tmp/new" <<'PY'
import re, sys
fn, a, b = sys.argv[1], open(sys.argv[2]).read().splitlines(), open(sys.argv[3]).read().splitlines()
num = re.compile(r'0x[0-9a-f]+')
if not a and not b:
    print(f"{fn}: inlined in both")
elif a == b:
    print(f"{fn}: identical ({len(a)} lines)")
elif len(a) != len(b) or any(num.sub('N', x) != num.sub('N', y) for x, y in zip(a, b)):
    print(f"{fn}: DIFFERENT")
    import difflib
    sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(a, b, lineterm="", n=1))
else:
    deltas = {}
    for x, y in zip(a, b):
        for p, q in zip(num.findall(x), num.findall(y)):
            if p != q:
                d = int(q, 16) - int(p, 16)
                deltas[f"{d:+d}"] = deltas.get(f"{d:+d}", 0) + 1
    print(f"{fn}: same {len(a)} instruction and relocation lines; constants differ: " +
          ", ".join(f"{k} x{v}" for k, v in sorted(deltas.items())))
PY
done
