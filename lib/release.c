// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The running kernel's release (<sysroot>/proc/sys/kernel/osrelease), read
 * once per context, and what follows from it for what userspace can see:
 * the one place that knows which kernel shows what.
 *
 * Only what cannot be probed is decided by the release. Since Linux 5.18
 * ("blk-crypto: show crypto capabilities in sysfs")
 * a queue with an inline-encryption profile has queue/crypto; before, the
 * kernel shows nothing of it anywhere, so a missing directory says "no
 * inline crypto" only on 5.18 and later. A fixture without osrelease is
 * taken for a current kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const unsigned int sysfs_crypto_since[2] = { 5, 18 };

/* "6.12", "6.12.117", "6.12.117-amd64", "5.15.0-91-generic", "6.1.0-rc1" */
int dmcaps_release_parse(const char *text, unsigned int v[2])
{
	char tail;
	int n;

	n = sscanf(text, "%u.%u%c", &v[0], &v[1], &tail);
	if (n == 2 || (n == 3 && strchr(".-+_\n", tail)))
		return 0;
	return -EBADMSG;
}

const char *dmcaps_kernel_release(struct dmcaps_ctx *ctx, unsigned int v[2])
{
	char *path, *text = NULL;
	size_t len;
	int err;

	if (!ctx->release_read) {
		ctx->release_read = true;
		path = dmcaps_root_path(ctx, "/proc/sys/kernel/osrelease");
		if (!path)
			return NULL;
		err = dmcaps_read_small_file(path, 256, &text);
		free(path);
		if (err) {
			log_dbg(ctx, "kernel release unknown: %s", strerror(-err));
			return NULL;
		}
		len = strcspn(text, "\n");
		text[len] = '\0';
		if (dmcaps_release_parse(text, ctx->release_v)) {
			log_dbg(ctx, "kernel release \"%s\" not understood", text);
			free(text);
			return NULL;
		}
		ctx->release = text;
	}
	if (ctx->release && v)
		memcpy(v, ctx->release_v, sizeof(ctx->release_v));
	return ctx->release;
}

bool dmcaps_kernel_is_6_12(struct dmcaps_ctx *ctx)
{
	unsigned int v[2];

	return dmcaps_kernel_release(ctx, v) && v[0] == 6 && v[1] == 12;
}

bool dmcaps_kernel_lacks_sysfs_crypto(struct dmcaps_ctx *ctx)
{
	unsigned int v[2];

	if (!dmcaps_kernel_release(ctx, v))
		return false;
	return v[0] < sysfs_crypto_since[0] ||
	       (v[0] == sysfs_crypto_since[0] && v[1] < sysfs_crypto_since[1]);
}
