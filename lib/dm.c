// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device-mapper tables: from the kernel through libdevmapper on the running
 * system, from fixture files under any other sysroot.
 *
 * Fixture convention (tests/fixtures/README.md): with a sysroot other than
 * "/", the live and inactive tables of the DM device named NAME are the
 * files <sysroot>/dmcaps/tables/NAME.live and NAME.inactive, in the format
 * `dmsetup table` prints. A missing file is a missing table (-ENODATA).
 * Unknown target types there have no known devices (no DM_TABLE_DEPS).
 *
 * Global state: libdevmapper has one process-wide log function. We install
 * ours around our own libdm calls and point it at the calling context through
 * a thread-local pointer; outside our calls it drops messages, so libdm never
 * prints to stderr on our behalf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <libdevmapper.h>

#include "internal.h"

/* Tables larger than this are not a table we want to read from a file. */
#define FIXTURE_TABLE_MAX (1024 * 1024)

static __thread struct dmcaps_ctx *dm_log_ctx;

__attribute__((format(printf, 5, 6)))
static void dm_log_forward(int level, const char *file, int line, int dm_errno_or_class,
			   const char *f, ...)
{
	int ours;
	va_list ap;

	if (!dm_log_ctx)
		return;
	/* libdm levels (syslog-like): 3 error, 4 warn, 5 notice, 6 info,
	 * 7 debug; drop the _LOG_STDERR style flag bits above them. */
	switch (level & 7) {
	case 0: case 1: case 2: case 3:
		ours = DMCAPS_LOG_ERROR;
		break;
	case 4:
		ours = DMCAPS_LOG_WARNING;
		break;
	case 5: case 6:
		ours = DMCAPS_LOG_VERBOSE;
		break;
	default:
		/* libdm's debug messages may echo table parameters, and
		 * so dm-crypt keys: they never reach a log. */
		return;
	}
	/* Each failing call logs its own outcome as an error; libdm's view
	 * of it ("open failed: Permission denied") is the detail behind. */
	if (ours == DMCAPS_LOG_ERROR)
		ours = DMCAPS_LOG_VERBOSE;
	va_start(ap, f);
	dmcaps_vlog(dm_log_ctx, ours, f, ap);
	va_end(ap);
}

void dmcaps_dm_enter(struct dmcaps_ctx *ctx)
{
	dm_log_ctx = ctx;
	dm_log_with_errno_init(dm_log_forward);
}

void dmcaps_dm_leave(void)
{
	dm_log_ctx = NULL;
}

DMCAPS_EXPORT int dmcaps_dm_available(struct dmcaps_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	if (!ctx->running_system) {
		log_dbg(ctx, "sysroot %s: device-mapper is not asked", ctx->sysroot);
		return -ENOTSUP;
	}
	/*
	 * Before any libdm call: run as root on a kernel without DM, libdm
	 * would "helpfully" create a /dev/mapper/control node for a device
	 * that does not exist. Looked at once per context.
	 */
	if (!dmcaps_dm_present(ctx)) {
		/* Said once per context: every DM call would say it. */
		dmcaps_log(ctx, ctx->nodm_said ? DMCAPS_LOG_VERBOSE :
			   DMCAPS_LOG_ERROR, "this kernel has no device-mapper");
		ctx->nodm_said = true;
		return -ENOTSUP;
	}
	return 0;
}

/*
 * -EACCES/-EPERM when this process may not use /dev/mapper/control: the
 * context's own open of it says so, once.
 */
int dmcaps_dm_control_access(struct dmcaps_ctx *ctx)
{
	int fd = dmcaps_control_fd(ctx);

	return fd == -EACCES || fd == -EPERM ? fd : 0;
}

/*
 * The errno of a failed dm_task_run(): the ioctl's, or, when libdm failed
 * before the ioctl (opening /dev/mapper/control as non-root), the errno it
 * left, which @saved holds.
 */
int dmcaps_dm_task_errno(struct dm_task *dmt, int saved)
{
	int e = dm_task_get_errno(dmt);

	if (!e)
		e = saved;
	if (!e)
		e = geteuid() ? EACCES : EIO;
	/* The kernel's "no such mapped device". */
	if (e == ENXIO)
		e = ENODEV;
	return -e;
}

/*
 * DM_DEVICE_LIST_VERSIONS: the registered target types and their versions,
 * as text in the format `dmsetup targets` prints ("NAME vX.Y.Z" lines), so
 * that targets.c parses the kernel's answer and a fixture's file alike.
 */
int dmcaps_dm_target_versions(struct dmcaps_ctx *ctx, char **text)
{
	struct dm_task *dmt;
	struct dm_versions *v, *last;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	*text = NULL;
	err = dmcaps_dm_available(ctx);
	if (err)
		return err;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	dmcaps_dm_enter(ctx);
	dmt = dm_task_create(DM_DEVICE_LIST_VERSIONS);
	if (!dmt) {
		err = -ENOMEM;
		goto out;
	}
	if (!dm_task_run(dmt)) {
		err = dmcaps_dm_task_errno(dmt, errno);
		log_verbose(ctx, "cannot list the kernel's target versions: %s",
			    strerror(-err));
		goto out;
	}
	v = dm_task_get_versions(dmt);
	while (v) {
		last = v;
		fprintf(f, "%s v%u.%u.%u\n", v->name, v->version[0],
			v->version[1], v->version[2]);
		v = (struct dm_versions *)((char *)v + v->next);
		if (v == last)
			break;
	}
out:
	if (dmt)
		dm_task_destroy(dmt);
	dmcaps_dm_leave();
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err)
		free(out);
	else
		*text = out;
	return err;
}

/* DM_DEVICE_DEPS of one table: the devices unknown target types map to. */
static int read_deps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		     enum dmcaps_table_kind kind, struct dmcaps_dev ***devs,
		     size_t *ndevs)
{
	struct dm_task *dmt;
	struct dm_deps *deps;
	struct dmcaps_dev *d;
	uint32_t i;
	int err = 0;

	*devs = NULL;
	*ndevs = 0;
	dmt = dm_task_create(DM_DEVICE_DEPS);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_major(dmt, major(dev->devno)) ||
	    !dm_task_set_minor(dmt, minor(dev->devno)) ||
	    (kind == DMCAPS_TABLE_INACTIVE && !dm_task_query_inactive_table(dmt))) {
		err = -ENOMEM;
		goto out;
	}
	if (!dm_task_run(dmt)) {
		err = dmcaps_dm_task_errno(dmt, errno);
		goto out;
	}
	deps = dm_task_get_deps(dmt);
	if (!deps)
		goto out;
	*devs = calloc(deps->count ?: 1, sizeof(**devs));
	if (!*devs) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < deps->count; i++) {
		d = dmcaps_dev_find_devno(ctx, (dev_t)deps->device[i]);
		if (!d)
			continue;
		(*devs)[(*ndevs)++] = d;
	}
out:
	dm_task_destroy(dmt);
	return err;
}

/* Every DM device would say the same: said once per context, as an
 * error; again only with --verbose. */
static void say_needs_root(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			   enum dmcaps_table_kind kind)
{
	dmcaps_log(ctx, ctx->perm_said ? DMCAPS_LOG_VERBOSE : DMCAPS_LOG_ERROR,
		   "%s: cannot read the %s table: permission denied "
		   "(device-mapper needs root)",
		   dev->dm_name ? dev->dm_name : dev->kname,
		   kind == DMCAPS_TABLE_LIVE ? "live" : "inactive");
	ctx->perm_said = true;
}

static int table_read_kernel(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			     enum dmcaps_table_kind kind, struct dmcaps_table **table)
{
	struct dmcaps_table *t = NULL;
	struct dmcaps_dev **deps = NULL;
	size_t ndeps = 0;
	bool deps_read = false;
	struct dm_task *dmt;
	struct dm_info info;
	void *next = NULL;
	int err;

	err = dmcaps_dm_available(ctx);
	if (err)
		return err;

	/*
	 * No udev handling needed: DM_DEVICE_TABLE and DM_DEVICE_DEPS create
	 * no nodes and generate no uevents, so neither udev sync nor
	 * DM_DISABLE_UDEV changes anything here.
	 */
	/*
	 * Without access to the control node libdm fails in dm_task_create()
	 * (its driver version check) and says only "Incompatible
	 * libdevmapper": find the real cause first.
	 */
	err = dmcaps_dm_control_access(ctx);
	if (err) {
		say_needs_root(ctx, dev, kind);
		return err;
	}

	dmcaps_dm_enter(ctx);
	dmt = dm_task_create(DM_DEVICE_TABLE);
	if (!dmt) {
		err = geteuid() ? -EACCES : -ENOMEM;
		log_err(ctx, "cannot talk to device-mapper");
		goto out;
	}
	/* The answer holds a dm-crypt table's key: the kernel and libdm
	 * wipe their buffers (DM_SECURE_DATA_FLAG), our copies are wiped
	 * by dmcaps_table_free(). */
	if (!dm_task_set_major(dmt, major(dev->devno)) ||
	    !dm_task_set_minor(dmt, minor(dev->devno)) ||
	    !dm_task_secure_data(dmt) ||
	    (kind == DMCAPS_TABLE_INACTIVE && !dm_task_query_inactive_table(dmt))) {
		err = -ENOMEM;
		goto out;
	}
	if (!dm_task_run(dmt)) {
		err = dmcaps_dm_task_errno(dmt, errno);
		if (err == -EACCES || err == -EPERM)
			say_needs_root(ctx, dev, kind);
		else
			log_err(ctx, "cannot read the table of %s: %s", dev->kname,
				strerror(-err));
		goto out;
	}
	if (!dm_task_get_info(dmt, &info) || !info.exists) {
		log_err(ctx, "%s is not a device-mapper device", dev->kname);
		err = -ENODEV;
		goto out;
	}
	if ((kind == DMCAPS_TABLE_INACTIVE && !info.inactive_table) ||
	    (kind == DMCAPS_TABLE_LIVE && !info.live_table)) {
		log_verbose(ctx, "%s has no %s table", dev->kname,
			    kind == DMCAPS_TABLE_LIVE ? "live" : "inactive");
		err = -ENODATA;
		goto out;
	}

	err = dmcaps_table_new(&t);
	if (err)
		goto out;
	do {
		uint64_t start, length;
		char *type = NULL, *params = NULL;
		const struct dmcaps_ttype *tt;
		bool known;

		next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
		if (!type)
			break;
		tt = dmcaps_ttype_get(ctx, type);
		if (!tt) {
			err = -ENOMEM;
			goto out;
		}
		known = dmcaps_ttype_known(tt);
		if (!known && !deps_read) {
			err = read_deps(ctx, dev, kind, &deps, &ndeps);
			if (err)
				log_warn(ctx, "cannot read the devices of %s's %s target",
					 dev->kname, type);
			deps_read = true;
		}
		err = dmcaps_table_add_target(ctx, t, 0, start, length, type, params,
					      known ? NULL : deps, ndeps);
		if (err)
			goto out;
	} while (next);
	*table = t;
	t = NULL;
out:
	if (dmt)
		dm_task_destroy(dmt);
	dmcaps_dm_leave();
	free(deps);
	dmcaps_table_free(t);
	return err;
}

static int table_read_fixture(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			      enum dmcaps_table_kind kind, struct dmcaps_table **table)
{
	char *rel, *path, *text = NULL;
	int err;

	rel = dmcaps_strdup_printf("/dmcaps/tables/%s.%s", dev->dm_name,
				   kind == DMCAPS_TABLE_LIVE ? "live" : "inactive");
	if (!rel)
		return -ENOMEM;
	path = dmcaps_root_path(ctx, rel);
	free(rel);
	if (!path)
		return -ENOMEM;
	err = dmcaps_read_small_file(path, FIXTURE_TABLE_MAX, &text);
	if (err == -ENOENT) {
		log_verbose(ctx, "%s has no %s table (no %s)", dev->dm_name,
			    kind == DMCAPS_TABLE_LIVE ? "live" : "inactive", path);
		err = -ENODATA;
	} else if (err == -EACCES || err == -EPERM) {
		say_needs_root(ctx, dev, kind);
	} else if (err) {
		log_err(ctx, "cannot read %s: %s", path, strerror(-err));
	} else {
		err = dmcaps_table_parse(ctx, text, table);
		if (err)
			log_err(ctx, "malformed table in %s", path);
	}
	dmcaps_wipe_free_str(text);
	free(path);
	return err;
}

DMCAPS_EXPORT int dmcaps_table_read(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
				    enum dmcaps_table_kind kind,
				    struct dmcaps_table **table)
{
	int err;

	if (!ctx || !dev || !table ||
	    (kind != DMCAPS_TABLE_LIVE && kind != DMCAPS_TABLE_INACTIVE))
		return -EINVAL;
	*table = NULL;
	if (!dev->dm_name) {
		log_err(ctx, "%s is not a device-mapper device", dev->kname);
		return -EMEDIUMTYPE;
	}
	if (!ctx->running_system)
		err = table_read_fixture(ctx, dev, kind, table);
	else
		err = table_read_kernel(ctx, dev, kind, table);
	if (!err)
		err = kind == DMCAPS_TABLE_LIVE ?
		      dmcaps_table_bind_live(ctx, *table, dev) :
		      dmcaps_table_bind_dev(ctx, *table, dev);
	if (err) {
		dmcaps_table_free(*table);
		*table = NULL;
	}
	return err;
}
