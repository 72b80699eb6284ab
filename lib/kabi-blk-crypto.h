/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel ABI of BLKCRYPTOEVICTKEY (include/uapi/linux/blk-crypto.h of a
 * kernel with the dmcaps series, kernel-patches/dm-crypto): the one copy in
 * libdmcaps. Distribution headers do not have it; when they do, theirs win.
 * Number 140 is the first of the two (140-141) that upstream's blk-crypto.h
 * (6.15) reserves for future blk-crypto ioctls. Presence is found by
 * issuing it: a kernel without it answers ENOTTY.
 */
#ifndef _DMCAPS_KABI_BLK_CRYPTO_H
#define _DMCAPS_KABI_BLK_CRYPTO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef BLKCRYPTOEVICTKEY

#define BLK_CRYPTO_EVICT_KEY_VERSION	1
#define BLK_CRYPTO_MODE_NAME_LEN	32
#define BLK_CRYPTO_EVICT_KEY_KEYRING	(1 << 0)

struct blk_crypto_evict_failure {
	__u32 major;
	__u32 minor;
	__s32 error;
	__u32 reserved;
};

struct blk_crypto_evict_key_arg {
	__u32 version;
	__u32 flags;
	char mode[BLK_CRYPTO_MODE_NAME_LEN];
	__u32 data_unit_size;
	__u32 dun_bytes;
	__u64 key_ptr;
	__u32 key_size;
	__s32 key_id;
	__u64 failures_ptr;
	__u32 failures_len;
	__u32 nr_failures;
	__u32 slots_evicted;
	__u32 slots_busy;
	__u32 devices_visited;
	__u32 reserved32;
	__u64 reserved[4];
};

#define BLKCRYPTOEVICTKEY	_IOWR(0x12, 140, struct blk_crypto_evict_key_arg)

#endif /* BLKCRYPTOEVICTKEY */

_Static_assert(sizeof(struct blk_crypto_evict_key_arg) == 128,
	       "struct blk_crypto_evict_key_arg is 128 bytes in the kernel ABI");
_Static_assert(sizeof(struct blk_crypto_evict_failure) == 16,
	       "struct blk_crypto_evict_failure is 16 bytes in the kernel ABI");

#endif
