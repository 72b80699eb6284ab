/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A private copy of the DM_CRYPTO_CAPS ioctl's ABI (kernel-patches/dm-crypto,
 * include/uapi/linux/dm-ioctl.h, interface 4.51.0): released system headers
 * lack it. The only place in the tree that knows these structures; the
 * layout is fixed by the kernel (every record 8-byte aligned, sizes given in
 * the header so that fields can be appended).
 *
 * When the system's <linux/dm-ioctl.h> has the ioctl, its definitions win.
 */
#ifndef _DMCAPS_KABI_DM_CRYPTO_CAPS_H
#define _DMCAPS_KABI_DM_CRYPTO_CAPS_H

#include <linux/dm-ioctl.h>
#include <linux/types.h>

/*
 * The first device-mapper interface version that can have DM_CRYPTO_CAPS:
 * upstream took 4.49 (2025-01) and 4.50 (2025-04, DM_MPATH_PROBE_PATHS),
 * and the series takes the next one. A kernel below it lacks the ioctl; one
 * at or above it may lack it too (the version is not proof: probe).
 */
#define DMCAPS_KABI_CRYPTO_CAPS_MINOR	51

#ifndef DM_CRYPTO_CAPS

/*
 * The next command after upstream's DM_MPATH_PROBE_PATHS_CMD (18, 4.50),
 * which the series reserves on kernels that lack it.
 */
#define DMCAPS_KABI_CRYPTO_CAPS_CMD	19
#define DM_CRYPTO_CAPS	_IOWR(DM_IOCTL, DMCAPS_KABI_CRYPTO_CAPS_CMD, struct dm_ioctl)

#define DM_CRYPTO_CAPS_VERSION		1

/* struct dm_crypto_caps flags */
#define DM_CRYPTO_CAPS_INACTIVE		(1 << 0) /* the inactive table */
#define DM_CRYPTO_CAPS_TARGET_TYPES	(1 << 1) /* target types, no device */
#define DM_CRYPTO_CAPS_KERNEL_SUPPORT	(1 << 2) /* kernel has blk-crypto */

#define DM_CRYPTO_CAPS_NO_SET		0xffffffffU

struct dm_crypto_caps {
	__u32 version;
	__u32 size;
	__u32 flags;
	__u32 total_size;

	__u32 modes_offset;
	__u32 num_modes;
	__u32 mode_size;

	__u32 sets_offset;
	__u32 num_sets;
	__u32 set_size;

	__u32 targets_offset;
	__u32 num_targets;
	__u32 target_size;

	__u32 devs_offset;
	__u32 num_devs;
	__u32 dev_size;

	__u32 types_offset;
	__u32 num_types;
	__u32 type_size;

	__u32 table_set;
	__u32 queue_set;
	__u32 padding[3];
};

#define DM_CRYPTO_MODE_NAME_LEN		32

struct dm_crypto_caps_mode {
	char name[DM_CRYPTO_MODE_NAME_LEN];
};

#define DM_CRYPTO_SET_PRESENT		(1 << 0)
#define DM_CRYPTO_SET_PASSTHROUGH	(1 << 1)

struct dm_crypto_caps_set {
	__u32 flags;
	__u32 max_dun_bytes;
	__u32 num_keyslots;
	__u32 padding;
	__u32 data_unit_sizes[];
};

#define DM_CRYPTO_TARGET_PASSES		(1 << 0)
/* dm_crypto_caps_type only, with PASSES: a target may not, by its parameters */
#define DM_CRYPTO_TARGET_PER_INSTANCE	(1 << 1)

struct dm_crypto_caps_target {
	__u64 sector_start;
	__u64 length;
	__u32 flags;
	__u32 first_dev;
	__u32 num_devs;
	__u32 padding;
	char target_type[DM_MAX_TYPE_NAME];
};

struct dm_crypto_caps_dev {
	__u64 dev;
	__u32 target;
	__u32 set;
};

struct dm_crypto_caps_type {
	__u32 version[3];
	__u32 flags;
	char name[DM_MAX_TYPE_NAME];
};

#endif /* !DM_CRYPTO_CAPS */

/*
 * Answer version 2 (dm-crypto 0029) adds a header flag: the table was
 * loaded with dm/crypto_fallback set. DM_CRYPTO_CAPS_VERSION stays the
 * oldest version the library reads.
 */
#define DMCAPS_KABI_CRYPTO_CAPS_VERSION_FALLBACK	2
#ifndef DM_CRYPTO_CAPS_FALLBACK
#define DM_CRYPTO_CAPS_FALLBACK		(1 << 3)
#endif

_Static_assert(sizeof(struct dm_crypto_caps) == 96, "DM_CRYPTO_CAPS header");
_Static_assert(sizeof(struct dm_crypto_caps_mode) == 32, "mode record");
_Static_assert(sizeof(struct dm_crypto_caps_set) == 16, "set record");
_Static_assert(sizeof(struct dm_crypto_caps_target) == 48, "target record");
_Static_assert(sizeof(struct dm_crypto_caps_dev) == 16, "dev record");
_Static_assert(sizeof(struct dm_crypto_caps_type) == 32, "type record");

#endif
