// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loading a table through libdevmapper, like dmsetup load / create
 * --notable / resume, with nothing left half-done: a device this call
 * created is removed when its table is refused, an inactive table left by a
 * failed resume is cleared (DM_DEVICE_CLEAR), and a device left suspended
 * is resumed with its old table.
 *
 * Key material: a dm-crypt table carries its key in its parameters. The
 * ioctl buffer is wiped by libdm (dm_task_secure_data()), libdm's debug
 * messages (which may echo parameters) are never forwarded, and our own
 * messages never show parameters.
 *
 * udev: as dmsetup, every call that creates or removes nodes or changes a
 * device's state carries a udev cookie and waits on it; without udev
 * (DM_DISABLE_UDEV set, or no /run/udev/control) udev sync is off and libdm
 * makes the /dev/mapper nodes itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdevmapper.h>

#include "internal.h"

/* DM_DEVICE_INFO: 0 with *info (info->exists false when absent). */
static int dev_info(const char *name, struct dm_info *info)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_INFO);
	int err = 0;

	memset(info, 0, sizeof(*info));
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_name(dmt, name))
		err = -ENOMEM;
	else if (!dm_task_run(dmt))
		err = dmcaps_dm_task_errno(dmt, errno);
	else if (!dm_task_get_info(dmt, info))
		err = -EIO;
	dm_task_destroy(dmt);
	return err;
}

/* One state-changing call (create, remove, resume, clear), with a udev
 * cookie where it makes or removes nodes. */
static int simple_task(int type, const char *name, bool cookie)
{
	struct dm_task *dmt = dm_task_create(type);
	uint32_t ck = 0;
	int err = 0, ok;

	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	if (type == DM_DEVICE_RESUME)
		dm_task_set_add_node(dmt, DM_ADD_NODE_ON_RESUME);
	if (type == DM_DEVICE_REMOVE)
		dm_task_retry_remove(dmt);
	if (cookie && !dm_task_set_cookie(dmt, &ck, 0)) {
		dm_task_destroy(dmt);
		return -EIO;
	}
	ok = dm_task_run(dmt);
	if (!ok)
		err = dmcaps_dm_task_errno(dmt, errno);
	if (cookie)
		dm_udev_wait(ck);
	dm_task_destroy(dmt);
	return err;
}

static int reload(const char *name, const struct dmcaps_table *table)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_RELOAD);
	size_t i;
	int err = 0;

	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_name(dmt, name) || !dm_task_secure_data(dmt))
		err = -ENOMEM;
	for (i = 0; !err && i < table->ntargets; i++) {
		const struct dmcaps_target *t = &table->targets[i];

		if (!dm_task_add_target(dmt, t->start, t->length, t->type,
					t->params))
			err = -ENOMEM;
	}
	if (!err && !dm_task_run(dmt))
		err = dmcaps_dm_task_errno(dmt, errno);
	dm_task_destroy(dmt);
	return err;
}

/* /dev/kmsg positioned at its end, to read what the kernel says about a
 * failed step; -1 when not readable (not root, no /dev/kmsg). */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Logs device-mapper's kernel messages since kmsg_open(). */
static void kmsg_report(struct dmcaps_ctx *ctx, int fd)
{
	char rec[2048];
	ssize_t n;

	if (fd < 0)
		return;
	for (;;) {
		char *msg, *nl;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(msg, "device-mapper:", 14))
			log_err(ctx, "the kernel said: %s", msg);
	}
}

static void fill_state(const char *name, struct dmcaps_load_state *st)
{
	struct dm_info info;

	if (dev_info(name, &info) || !info.exists) {
		st->exists = st->live_table = st->inactive_table = false;
		st->suspended = false;
		return;
	}
	st->exists = true;
	st->live_table = info.live_table;
	st->inactive_table = info.inactive_table;
	st->suspended = info.suspended;
}

static int load(struct dmcaps_ctx *ctx, const char *name,
		const struct dmcaps_table *table, unsigned int flags,
		struct dmcaps_load_state *st)
{
	struct dm_info info;
	int err, kfd = -1;

	if (!strncmp(name, "/dev/mapper/", 12))
		name += 12;
	if (!*name || strchr(name, '/')) {
		log_err(ctx, "\"%s\" is not a device-mapper name", name);
		return -EINVAL;
	}
	err = dmcaps_dm_available(ctx);
	if (err)
		return err;
	err = dmcaps_dm_control_access(ctx);
	if (err) {
		log_err(ctx, "loading a table needs root");
		return err;
	}

	dmcaps_dm_enter(ctx);
	if (getenv("DM_DISABLE_UDEV") || access("/run/udev/control", F_OK) < 0)
		dm_udev_set_sync_support(0);

	err = dev_info(name, &info);
	if (err) {
		log_err(ctx, "cannot ask device-mapper about %s: %s", name,
			strerror(-err));
		goto out;
	}
	if (flags & DMCAPS_LOAD_CREATE) {
		if (info.exists) {
			log_err(ctx, "device %s already exists", name);
			err = -EEXIST;
			goto out;
		}
		err = simple_task(DM_DEVICE_CREATE, name, true);
		if (err) {
			st->failed_step = DMCAPS_LOAD_STEP_CREATE;
			st->kernel_errno = -err;
			log_err(ctx, "cannot create %s: %s", name, strerror(-err));
			goto out;
		}
		st->created = true;
	} else if (!info.exists) {
		log_err(ctx, "no device-mapper device %s", name);
		err = -ENODEV;
		goto out;
	}

	kfd = kmsg_open();
	err = reload(name, table);
	if (err) {
		st->failed_step = DMCAPS_LOAD_STEP_LOAD;
		st->kernel_errno = -err;
		log_err(ctx, "the kernel refused the table for %s: %s", name,
			strerror(-err));
		kmsg_report(ctx, kfd);
		/* The kernel keeps no inactive table after a failed load;
		 * make sure, then undo our create. */
		fill_state(name, st);
		if (st->inactive_table && !simple_task(DM_DEVICE_CLEAR, name, false))
			st->inactive_table = false;
		if (st->created) {
			int rerr = simple_task(DM_DEVICE_REMOVE, name, true);

			if (rerr)
				log_err(ctx, "cannot remove %s, which this load "
					"created: %s", name, strerror(-rerr));
		}
		goto state;
	}

	if (flags & DMCAPS_LOAD_RESUME) {
		err = simple_task(DM_DEVICE_RESUME, name, true);
		if (err) {
			st->failed_step = DMCAPS_LOAD_STEP_RESUME;
			st->kernel_errno = -err;
			log_err(ctx, "cannot resume %s with the new table: %s",
				name, strerror(-err));
			kmsg_report(ctx, kfd);
			fill_state(name, st);
			if (st->inactive_table) {
				int cerr = simple_task(DM_DEVICE_CLEAR, name, false);

				if (cerr)
					log_err(ctx, "cannot clear the inactive "
						"table of %s: %s", name,
						strerror(-cerr));
			}
			fill_state(name, st);
			if (st->suspended) {
				/* No inactive table: resumes the old one. */
				int serr = simple_task(DM_DEVICE_RESUME, name, true);

				if (serr)
					log_err(ctx, "cannot resume %s with its "
						"old table: %s", name,
						strerror(-serr));
			}
			goto state;
		}
		st->resumed = true;
	}
state:
	fill_state(name, st);
out:
	if (kfd >= 0)
		close(kfd);
	dm_lib_release();
	dmcaps_dm_leave();
	return err;
}

DMCAPS_EXPORT int dmcaps_load(struct dmcaps_ctx *ctx, const char *name,
			      const struct dmcaps_table *table, unsigned int flags,
			      struct dmcaps_load_state **state)
{
	struct dmcaps_load_state *st;
	int err;

	if (state)
		*state = NULL;
	if (!ctx || !name || !table)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = load(ctx, name, table, flags, st);
	if (state)
		*state = st;
	else
		free(st);
	return err;
}
