// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one place that checks a DM_CRYPTO_CAPS reply before anything reads
 * it. The parameter block comes back from the kernel (or from whatever
 * answers the ioctl on a kernel that does not know it), so it is untrusted
 * input: every offset, size, count and index is checked against the buffer
 * we allocated, in 64-bit arithmetic, before a field behind it is read.
 * What passes here is safe to decode without further bounds checks
 * (kcaps.c relies on that).
 *
 * The layout (kernel-patches, dm-crypto-caps.rst): every record 8-byte
 * aligned, record sizes given in the header so that fields can be appended.
 */
#include <errno.h>
#include <stddef.h>

#include "internal.h"
#include "kabi-dm-crypto-caps.h"

#define ALIGNED8(x)	(((x) & 7) == 0)

/* Where the answer starts in the parameter block and how long it is;
 * -EBADMSG (*why set) when data_start and data_size do not fit @bufsize. */
static int block_check(const struct dm_ioctl *dmi, size_t bufsize,
		       size_t *len, const char **why)
{
	if (bufsize < sizeof(*dmi)) {
		*why = "the buffer is smaller than struct dm_ioctl";
		return -EBADMSG;
	}
	if (dmi->data_start < sizeof(*dmi) || dmi->data_size > bufsize ||
	    dmi->data_start > dmi->data_size) {
		*why = "data_start and data_size do not fit the buffer";
		return -EBADMSG;
	}
	if (!ALIGNED8(dmi->data_start)) {
		*why = "data_start is not 8-byte aligned";
		return -EBADMSG;
	}
	*len = dmi->data_size - dmi->data_start;
	return 0;
}

static const struct dm_crypto_caps *header(const struct dm_ioctl *dmi)
{
	return (const void *)((const char *)dmi + dmi->data_start);
}

int dmcaps_kcaps_reply_next_size(const struct dm_ioctl *dmi, size_t bufsize,
				 size_t max, size_t *next, const char **why)
{
	const struct dm_crypto_caps *h = NULL;
	uint64_t want;
	size_t len;

	if (block_check(dmi, bufsize, &len, why))
		return -EBADMSG;
	/* No room even for the header: the kernel wrote none. 64 bits:
	 * data_start + total_size must not wrap into a buffer smaller than
	 * the one the kernel just filled. */
	want = len < sizeof(*h) ? 0 :
	       (uint64_t)dmi->data_start + header(dmi)->total_size;
	if (want <= bufsize)
		want = (uint64_t)bufsize * 2;	/* no usable hint: grow */
	if (want > max) {
		*why = "the answer would exceed the size dmcaps accepts";
		return -E2BIG;
	}
	*next = want;
	return 0;
}

/* One array of the answer: @num records of @size bytes at @off. */
static bool array_ok(const struct dm_crypto_caps *h, uint32_t off,
		     uint32_t num, uint32_t size, uint64_t min)
{
	if (!num)
		return true;
	return ALIGNED8(off) && ALIGNED8(size) && size >= min &&
	       off >= h->size &&
	       (uint64_t)off + (uint64_t)num * size <= h->total_size;
}

static const void *rec(const struct dm_crypto_caps *h, uint32_t off,
		       uint32_t size, uint32_t idx)
{
	return (const char *)h + off + (uint64_t)size * idx;
}

/* Every index in the records of a device answer points inside. */
static const char *indices_check(const struct dm_crypto_caps *h)
{
	const struct dm_crypto_caps_target *t;
	const struct dm_crypto_caps_dev *d;
	uint32_t i;

	if (h->table_set >= h->num_sets || h->queue_set >= h->num_sets)
		return "table_set or queue_set names no set";
	for (i = 0; i < h->num_devs; i++) {
		d = rec(h, h->devs_offset, h->dev_size, i);
		if (d->set >= h->num_sets || d->target >= h->num_targets)
			return "a device names no set or no target";
	}
	for (i = 0; i < h->num_targets; i++) {
		t = rec(h, h->targets_offset, h->target_size, i);
		if ((uint64_t)t->first_dev + t->num_devs > h->num_devs)
			return "a target's devices run past the device list";
	}
	return NULL;
}

const struct dm_crypto_caps *dmcaps_kcaps_reply(const struct dm_ioctl *dmi,
						size_t bufsize, bool types,
						const char **why)
{
	const struct dm_crypto_caps *h;
	size_t len;

	if (block_check(dmi, bufsize, &len, why))
		return NULL;
	/* Before any field of the header is read. */
	if (len < sizeof(*h)) {
		*why = "the answer is shorter than its header";
		return NULL;
	}
	h = header(dmi);
	if (h->version < DM_CRYPTO_CAPS_VERSION) {
		*why = "unknown version";
		return NULL;
	}
	if (h->size < sizeof(*h) || !ALIGNED8(h->size) ||
	    h->total_size < h->size || h->total_size > len) {
		*why = "the header's size or total_size does not fit the answer";
		return NULL;
	}
	if (!array_ok(h, h->modes_offset, h->num_modes, h->mode_size,
		      sizeof(struct dm_crypto_caps_mode)) ||
	    !array_ok(h, h->sets_offset, h->num_sets, h->set_size,
		      sizeof(struct dm_crypto_caps_set) +
		      4 * (uint64_t)h->num_modes) ||
	    !array_ok(h, h->targets_offset, h->num_targets, h->target_size,
		      sizeof(struct dm_crypto_caps_target)) ||
	    !array_ok(h, h->devs_offset, h->num_devs, h->dev_size,
		      sizeof(struct dm_crypto_caps_dev)) ||
	    !array_ok(h, h->types_offset, h->num_types, h->type_size,
		      sizeof(struct dm_crypto_caps_type))) {
		*why = "an array is misaligned, too small or runs past the answer";
		return NULL;
	}
	if (!(h->flags & DM_CRYPTO_CAPS_TARGET_TYPES) != !types) {
		*why = types ? "a device's answer to the target type query" :
			       "the target type list to a device query";
		return NULL;
	}
	if (!types && (*why = indices_check(h)))
		return NULL;
	return h;
}
