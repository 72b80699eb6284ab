// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The context's own line to device-mapper: /dev/mapper/control for the raw
 * ioctls libdevmapper has no call for (DM_CRYPTO_CAPS) or makes us pay for
 * (the device list with one ioctl, one device by name).
 *
 * The node is opened at the first such ioctl and kept until dmcaps_free():
 * a command that asks about a thousand DM devices opens it once, as
 * dmsetup does, instead of once per question (with an access() check of
 * the misc device before each). A failure to open it is remembered too:
 * without privilege every later call would fail the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <linux/dm-ioctl.h>

#include "internal.h"

/* DM_LIST_DEVICES: about 64 bytes per device with a short name and uuid;
 * enough for a few hundred at once, and one retry fits the rest. */
#define LIST_FIRST_SIZE	(32u * 1024)
#define LIST_MAX_SIZE	(64u * 1024 * 1024)

bool dmcaps_dm_present(struct dmcaps_ctx *ctx)
{
	if (!ctx->dm_state)
		ctx->dm_state = ctx->running_system &&
				!access("/sys/class/misc/device-mapper", F_OK) ?
				1 : -ENOTSUP;
	return ctx->dm_state > 0;
}

int dmcaps_control_fd(struct dmcaps_ctx *ctx)
{
	int fd;

	if (ctx->control_fd >= 0)
		return ctx->control_fd;
	if (ctx->control_err)
		return ctx->control_err;
	if (!dmcaps_dm_present(ctx)) {
		ctx->control_err = -ENOTSUP;
		return ctx->control_err;
	}
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* No node although the kernel has DM: nobody made it (no
		 * udev, no libdm run yet); nothing to ask through. */
		ctx->control_err = errno == ENOENT ? -ENOTSUP : -errno;
		return ctx->control_err;
	}
	ctx->control_fd = fd;
	return fd;
}

void dmcaps_control_close(struct dmcaps_ctx *ctx)
{
	if (ctx->control_fd >= 0)
		close(ctx->control_fd);
	ctx->control_fd = -1;
	ctx->control_err = 0;
}

static struct dm_ioctl *dmi_new(uint32_t size)
{
	struct dm_ioctl *dmi = calloc(1, size);

	if (!dmi)
		return NULL;
	/* 4.0.0: any 4.x kernel takes it. */
	dmi->version[0] = DM_VERSION_MAJOR;
	dmi->data_size = size;
	dmi->data_start = sizeof(*dmi);
	return dmi;
}

static int dm_call(struct dmcaps_ctx *ctx, unsigned long cmd,
		   struct dm_ioctl *dmi)
{
	int fd = dmcaps_control_fd(ctx);

	if (fd < 0)
		return fd;
	/* The kernel writes back data_size: offsetof(data) for commands
	 * without an answer (DM_DEV_STATUS) and for a full buffer, so the
	 * answer's bounds are checked where there is one (list_walk()). */
	if (ioctl(fd, cmd, dmi) < 0)
		return errno == ENXIO ? -ENODEV : -errno;
	return 0;
}

/* The records of a DM_LIST_DEVICES answer, checked against its bounds. */
static int list_walk(struct dmcaps_ctx *ctx, const struct dm_ioctl *dmi,
		     uint32_t size, dmcaps_dm_entry_fn fn, void *arg)
{
	const char *base = (const char *)dmi + dmi->data_start;
	const char *end = (const char *)dmi + (dmi->data_size < size ?
					       dmi->data_size : size);
	const struct dm_name_list *nl = (const void *)base;
	uint32_t off = 0;
	int err;

	if (dmi->data_start < sizeof(*dmi) || dmi->data_start > size)
		return -EBADMSG;
	if ((const char *)nl + sizeof(*nl) > end || !nl->dev)
		return 0;	/* "Flags no data": no DM device */
	for (;;) {
		const char *name = nl->name, *uuid = NULL, *p;
		const uint32_t *tail;
		size_t nlen;

		nlen = strnlen(name, end - name);
		if (name + nlen >= end)
			return -EBADMSG;
		/* event_nr and flags follow the name, 8-byte aligned; the
		 * uuid follows them when the kernel says so. */
		p = base + ((name + nlen + 1 - base + 7) & ~(size_t)7);
		tail = (const void *)p;
		if (p + 8 <= end && (tail[1] & DM_NAME_LIST_FLAG_HAS_UUID)) {
			uuid = p + 8;
			if (uuid >= end || !memchr(uuid, '\0', end - uuid))
				return -EBADMSG;
		}
		err = fn(ctx, (dev_t)makedev((nl->dev >> 8) & 0xfff,
					     (nl->dev & 0xff) |
					     ((nl->dev >> 12) & 0xfff00)),
			 name, uuid && *uuid ? uuid : NULL, arg);
		if (err)
			return err;
		if (!nl->next)
			return 0;
		if (nl->next < sizeof(*nl) ||
		    (const char *)nl + nl->next + sizeof(*nl) > end ||
		    off + nl->next < off)
			return -EBADMSG;
		off += nl->next;
		nl = (const void *)((const char *)nl + nl->next);
	}
}

int dmcaps_dm_list(struct dmcaps_ctx *ctx, dmcaps_dm_entry_fn fn, void *arg)
{
	uint32_t size = sizeof(struct dm_ioctl) + LIST_FIRST_SIZE;
	struct dm_ioctl *dmi;
	int err;

	for (;;) {
		dmi = dmi_new(size);
		if (!dmi)
			return -ENOMEM;
		dmi->flags = DM_UUID_FLAG;
		err = dm_call(ctx, DM_LIST_DEVICES, dmi);
		if (err || !(dmi->flags & DM_BUFFER_FULL_FLAG))
			break;
		free(dmi);
		if (size >= LIST_MAX_SIZE)
			return -E2BIG;
		size *= 4;
	}
	if (!err)
		err = list_walk(ctx, dmi, size, fn, arg);
	if (err == -EBADMSG)
		log_err(ctx, "DM_LIST_DEVICES: the kernel's answer is malformed");
	free(dmi);
	return err;
}

int dmcaps_dm_by_name(struct dmcaps_ctx *ctx, const char *name,
		      dmcaps_dm_entry_fn fn, void *arg)
{
	struct dm_ioctl *dmi;
	int err;

	if (strlen(name) >= DM_NAME_LEN)
		return -ENODEV;	/* no DM device has such a name */
	dmi = dmi_new(sizeof(*dmi));
	if (!dmi)
		return -ENOMEM;
	strcpy(dmi->name, name);
	err = dm_call(ctx, DM_DEV_STATUS, dmi);
	if (!err) {
		/* The kernel writes the name and uuid of the cell it found. */
		dmi->name[DM_NAME_LEN - 1] = '\0';
		dmi->uuid[DM_UUID_LEN - 1] = '\0';
		err = fn(ctx, (dev_t)makedev((dmi->dev >> 8) & 0xfff,
					     (dmi->dev & 0xff) |
					     ((dmi->dev >> 12) & 0xfff00)),
			 dmi->name, dmi->uuid[0] ? dmi->uuid : NULL, arg);
	}
	free(dmi);
	return err;
}
