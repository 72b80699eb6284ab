// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DM_CRYPTO_CAPS reply (lib/kcaps.c, lib/kcaps-reply.c), through the
 * context's transport hook: the input is what the kernel writes back, the
 * whole path runs (retry on DM_BUFFER_FULL_FLAG, checks, decoding).
 *
 * Input: byte 0 bit 0 picks the query (0: the target type list, 1: a
 * device, after a well-formed empty type list); bytes 1-12 are the
 * dm_ioctl fields the kernel sets (flags, data_start, data_size, each
 * little-endian u32, kept as given); the rest is copied to data_start,
 * as far as the buffer goes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "common.h"
#include "internal.h"
#include "kabi-dm-crypto-caps.h"

static const uint8_t *in;
static size_t in_size;
static int query;

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A well-formed, empty target type list. */
static void types_answer(struct dm_ioctl *dmi)
{
	struct dm_crypto_caps *h = (void *)((char *)dmi + dmi->data_start);

	memset(h, 0, sizeof(*h));
	h->version = DM_CRYPTO_CAPS_VERSION;
	h->size = sizeof(*h);
	h->total_size = sizeof(*h);
	h->flags = DM_CRYPTO_CAPS_TARGET_TYPES | DM_CRYPTO_CAPS_KERNEL_SUPPORT;
	h->table_set = h->queue_set = DM_CRYPTO_CAPS_NO_SET;
	dmi->data_size = dmi->data_start + sizeof(*h);
}

static int fake_kernel(struct dmcaps_ctx *ctx, struct dm_ioctl *dmi)
{
	uint32_t bufsize = dmi->data_size;
	size_t room, n;

	(void)ctx;
	if (query == 1 && !dmi->dev) {
		types_answer(dmi);
		return 0;
	}
	if (in_size < 12)
		return -ENOTTY;
	room = bufsize - sizeof(*dmi);
	n = in_size - 12 < room ? in_size - 12 : room;
	memcpy((char *)dmi + sizeof(*dmi), in + 12, n);
	dmi->flags = le32(in);
	dmi->data_start = le32(in + 4);
	dmi->data_size = le32(in + 8);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmcaps_kernel_caps *kc = NULL;
	struct dmcaps_dev dev = {
		.kname = "dm-0", .dm_name = "vol", .devno = makedev(253, 0),
	};
	const struct dmcaps_kernel_target *t;
	const struct dmcaps_kernel_dev *d;
	struct dmcaps_ctx *ctx;
	char *text;
	size_t i;

	if (size < 1)
		return 0;
	query = data[0] & 1;
	in = data + 1;
	in_size = size - 1;
	ctx = fz_ctx();
	ctx->kcaps_call = fake_kernel;
	ctx->kcaps_max_size = 1024 * 1024;
	if (!dmcaps_kernel_caps_available(ctx) &&
	    !dmcaps_kernel_caps_read(ctx, &dev, data[0] & 2 ?
				     DMCAPS_TABLE_INACTIVE : DMCAPS_TABLE_LIVE,
				     &kc)) {
		/* everything decoded must be usable */
		if (!dmcaps_set_format(dmcaps_kernel_caps_table(kc), &text))
			free(text);
		for (i = 0; i < dmcaps_kernel_caps_target_count(kc); i++) {
			t = dmcaps_kernel_caps_target(kc, i);
			if (strlen(t->type) > DM_MAX_TYPE_NAME)
				abort();
		}
		for (i = 0; i < dmcaps_kernel_caps_dev_count(kc); i++) {
			d = dmcaps_kernel_caps_dev(kc, i);
			if (!dmcaps_set_format(d->caps, &text))
				free(text);
		}
		dmcaps_kernel_caps_free(kc);
	}
	/* A live answer is also kept by its device (dmcaps_kcaps_fill_caps());
	 * this device lives on the stack, so its reference is dropped here, as
	 * device.c does when it frees a device. */
	dmcaps_kernel_caps_free(dev.kcaps_live);
	dmcaps_kernel_type_passes(ctx, "linear", &(enum dmcaps_passes){ 0 });
	dmcaps_free(ctx);
	return 0;
}
