#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Derive the inline-encryption key that fscrypt programs into the hardware
# for a v2 policy whose key is one per mode (IV_INO_LBLK_64, IV_INO_LBLK_32 or
# DIRECT_KEY), from the master key, the way fs/crypto does it:
#
#   fs/crypto/hkdf.c: HKDF-SHA512. Extract with an all-zero salt of 64
#     bytes; expand with info = "fscrypt\0" || context byte || info bytes.
#   fs/crypto/keysetup.c, setup_per_mode_enc_key(): info is the fscrypt mode
#     number, followed by the filesystem's 16-byte UUID (sb->s_uuid) for
#     IV_INO_LBLK_64 (HKDF context 4) and IV_INO_LBLK_32 (6); only the mode
#     number for DIRECT_KEY (3). The key is the mode's key size long.
#
# The blk-crypto key that results has data unit size = the filesystem block
# size (unless the policy sets log2_data_unit_size) and 8 DUN bytes for
# IV_INO_LBLK_64 (fs/crypto/inline_crypt.c, fscrypt_get_dun_bytes()).
#
#   fscrypt-inline-key.py --master-key-file FILE (--uuid UUID | --fs-device DEV)
#                         [--mode MODE] [--flag iv_ino_lblk_64|iv_ino_lblk_32|direct_key]
#                         [--out FILE]
#   fscrypt-inline-key.py --master-key-file FILE --identifier
#
# Prints the key as hex, or writes the raw key to FILE (mode 0600) with --out.
# --identifier prints the master key's identifier instead (HKDF context 1,
# 16 bytes), which is what FS_IOC_ADD_ENCRYPTION_KEY (xfs_io add_enckey)
# reports: a check that this HKDF is the kernel's. MODE is the blk-crypto mode
# name (as in /sys/block/*/queue/crypto/modes/). Python standard library only.

import argparse
import hashlib
import hmac
import os
import sys
import uuid

HASHLEN = 64  # SHA-512

# fs/crypto/fscrypt_private.h
HKDF_CONTEXT_KEY_IDENTIFIER = 1
HKDF_CONTEXT_DIRECT_KEY = 3
HKDF_CONTEXT_IV_INO_LBLK_64_KEY = 4
HKDF_CONTEXT_IV_INO_LBLK_32_KEY = 6
FSCRYPT_KEY_IDENTIFIER_SIZE = 16

# blk-crypto mode name: (fscrypt contents mode number from
# include/uapi/linux/fscrypt.h, key size from fs/crypto/keysetup.c)
MODES = {
    "AES-256-XTS": (1, 64),
    "AES-128-CBC-ESSIV": (5, 16),
    "SM4-XTS": (7, 32),
    "Adiantum": (9, 32),
}

# policy flag: (HKDF context, whether the info includes the fs UUID)
FLAGS = {
    "iv_ino_lblk_64": (HKDF_CONTEXT_IV_INO_LBLK_64_KEY, True),
    "iv_ino_lblk_32": (HKDF_CONTEXT_IV_INO_LBLK_32_KEY, True),
    "direct_key": (HKDF_CONTEXT_DIRECT_KEY, False),
}

EXT4_SUPER_OFFSET = 1024
EXT4_MAGIC_OFFSET = 0x38
EXT4_UUID_OFFSET = 0x68


def hkdf_extract(ikm):
    return hmac.new(bytes(HASHLEN), ikm, hashlib.sha512).digest()


def hkdf_expand(prk, context, info, length):
    prefix = b"fscrypt\0" + bytes([context])
    okm = b""
    prev = b""
    counter = 1
    while len(okm) < length:
        prev = hmac.new(prk, prev + prefix + info + bytes([counter]),
                        hashlib.sha512).digest()
        okm += prev
        counter += 1
    return okm[:length]


def ext4_uuid(dev):
    with open(dev, "rb") as f:
        f.seek(EXT4_SUPER_OFFSET)
        sb = f.read(EXT4_UUID_OFFSET + 16)
    if sb[EXT4_MAGIC_OFFSET:EXT4_MAGIC_OFFSET + 2] != b"\x53\xef":
        sys.exit(f"{dev}: no ext4 superblock")
    return sb[EXT4_UUID_OFFSET:EXT4_UUID_OFFSET + 16]


def main():
    p = argparse.ArgumentParser(
        description="derive fscrypt's per-mode inline-encryption key")
    p.add_argument("--master-key-file", required=True)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--uuid", help="the filesystem UUID")
    g.add_argument("--fs-device", help="read the UUID from this ext4 device")
    p.add_argument("--mode", default="AES-256-XTS", choices=sorted(MODES))
    p.add_argument("--flag", default="iv_ino_lblk_64", choices=sorted(FLAGS))
    p.add_argument("--identifier", action="store_true",
                   help="print the master key identifier instead")
    p.add_argument("--out", help="write the raw key to this file")
    args = p.parse_args()

    with open(args.master_key_file, "rb") as f:
        master = f.read()
    prk = hkdf_extract(master)

    if args.identifier:
        print(hkdf_expand(prk, HKDF_CONTEXT_KEY_IDENTIFIER, b"",
                          FSCRYPT_KEY_IDENTIFIER_SIZE).hex())
        return 0

    mode_num, keysize = MODES[args.mode]
    context, with_uuid = FLAGS[args.flag]
    info = bytes([mode_num])
    if with_uuid:
        if args.uuid:
            info += uuid.UUID(args.uuid).bytes
        elif args.fs_device:
            info += ext4_uuid(args.fs_device)
        else:
            p.error(f"--flag {args.flag} needs --uuid or --fs-device")
    key = hkdf_expand(prk, context, info, keysize)

    if args.out:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
    else:
        print(key.hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
