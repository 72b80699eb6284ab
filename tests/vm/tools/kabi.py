# SPDX-License-Identifier: GPL-2.0-or-later
#
# The ioctl numbers of the series, read from libdmcaps's copies of its kernel
# ABI (lib/kabi-dm-crypto-caps.h, lib/kabi-blk-crypto.h) so that the VM tools
# and the library cannot disagree on them. The structure layouts stay in each
# tool: an independent reader of the kernel's answer is what they are for.

import os
import re

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib")


def _define(header, pattern):
    with open(os.path.join(LIB, header)) as f:
        m = re.search(pattern, f.read(), re.M)
    if not m:
        raise RuntimeError("%s: no match for %s" % (header, pattern))
    return int(m.group(1), 0)


# DM_CRYPTO_CAPS: its command number and the first interface minor with it
DM_CRYPTO_CAPS_CMD = _define("kabi-dm-crypto-caps.h",
                             r"^#define DMCAPS_KABI_CRYPTO_CAPS_CMD\s+(\d+)")
DM_CRYPTO_CAPS_MINOR = _define("kabi-dm-crypto-caps.h",
                               r"^#define DMCAPS_KABI_CRYPTO_CAPS_MINOR\s+(\d+)")
# BLKCRYPTOEVICTKEY: _IOWR(0x12, NR, struct blk_crypto_evict_key_arg)
BLKCRYPTOEVICTKEY_NR = _define("kabi-blk-crypto.h",
                               r"^#define BLKCRYPTOEVICTKEY\s+_IOWR\(0x12,\s*(\d+),")
