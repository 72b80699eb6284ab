// SPDX-License-Identifier: GPL-2.0-or-later
/* Device list and lookups over a fixture sysroot; context basics. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <setjmp.h>
#include <cmocka.h>

#include "internal.h"
#include "fixture.h"

struct state {
	char *root;
	struct fx_log log;
	struct dmcaps_ctx *ctx;
};

static int setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));
	char *r;

	s->root = r = fx_root();
	fx_disk(r, "sda", "8:0");
	fx_part(r, "sda", "sda1", "8:1", "1");
	fx_part(r, "sda", "sda2", "8:2", "2");
	fx_disk(r, "sdb", "8:16");
	fx_disk(r, "nvme0n1", "259:0");
	fx_part(r, "nvme0n1", "nvme0n1p1", "259:1", "1");
	fx_dm(r, "dm-0", "253:0", "my vol", "CRYPT-PLAIN-x");
	fx_dm(r, "dm-1", "253:1", "lin", NULL);
	fx_dm(r, "dm-10", "253:10", "sdb", NULL);	/* a DM name that is a kname */
	/* As libdm hands it to the kernel: mangled. */
	fx_dm(r, "dm-2", "253:2", "sp\\x20ace", "LVM-a\\x20b");
	/* An entry without a dev attribute is not a device. */
	fx_write(r, "sys/class/block/junk/size", "0\n");
	fx_write(r, "sys/class/block/baddev/dev", "8-3\n");
	fx_symlink(r, "dev/disk/by-uuid/1234-ABCD", "../../sda1");
	fx_symlink(r, "dev/disk/by-label/my\\x20label", "../../sda2");
	fx_symlink(r, "dev/disk/by-partuuid/0000-01", "../../nvme0n1p1");
	fx_symlink(r, "dev/disk/by-partlabel/root", "../../sda1");
	fx_symlink(r, "dev/disk/by-id/dm-name-lin", "../../dm-1");
	fx_symlink(r, "dev/disk/by-id/chain", "dm-name-lin");
	fx_symlink(r, "dev/disk/by-id/abs", "/dev/mapper/my vol");
	fx_symlink(r, "dev/disk/by-id/loop", "loop");
	s->ctx = fx_ctx(r, &s->log);
	*st = s;
	return 0;
}

static int teardown(void **st)
{
	struct state *s = *st;

	dmcaps_free(s->ctx);
	fx_rmrf(s->root);
	free(s);
	return 0;
}

static void test_init(void **st)
{
	struct dmcaps_ctx *ctx = NULL;

	assert_int_equal(dmcaps_init(&ctx, "relative/dir"), -EINVAL);
	assert_null(ctx);
	assert_int_equal(dmcaps_init(&ctx, NULL), 0);
	assert_string_equal(dmcaps_get_sysroot(ctx), "/");
	dmcaps_free(ctx);
	assert_int_equal(dmcaps_init(&ctx, "/tmp/x///"), 0);
	assert_string_equal(dmcaps_get_sysroot(ctx), "/tmp/x");
	/* No callback: messages are dropped, nothing breaks. */
	assert_int_equal(dmcaps_dm_available(ctx), -ENOTSUP);
	dmcaps_free(ctx);
	assert_non_null(dmcaps_version());
	assert_string_equal(dmcaps_version(), PACKAGE_VERSION);
}

static void test_list(void **st)
{
	struct state *s = *st;
	struct dmcaps_dev **devs;
	size_t n, i;
	static const char *const expect[] = {
		"dm-0", "dm-1", "dm-2", "dm-10", "nvme0n1", "nvme0n1p1", "sda", "sda1",
		"sda2", "sdb",
	};

	assert_int_equal(dmcaps_dev_list(s->ctx, &devs, &n), 0);
	assert_int_equal(n, ARRAY_SIZE(expect));
	for (i = 0; i < n; i++)
		assert_string_equal(dmcaps_dev_kname(devs[i]), expect[i]);

	assert_string_equal(dmcaps_dev_path(devs[0]), "/dev/dm-0");
	assert_true(dmcaps_dev_is_dm(devs[0]));
	assert_string_equal(dmcaps_dev_dm_name(devs[0]), "my vol");
	assert_string_equal(dmcaps_dev_dm_uuid(devs[0]), "CRYPT-PLAIN-x");
	assert_null(dmcaps_dev_dm_uuid(devs[1]));
	assert_string_equal(dmcaps_dev_dm_name(devs[2]), "sp ace");
	assert_string_equal(dmcaps_dev_dm_uuid(devs[2]), "LVM-a b");
	assert_int_equal(dmcaps_dev_devno(devs[3]), makedev(253, 10));
	assert_false(dmcaps_dev_is_dm(devs[6]));
	assert_null(dmcaps_dev_dm_name(devs[6]));
	assert_false(devs[6]->is_partition);
	assert_true(devs[7]->is_partition);
	assert_string_equal(devs[7]->parent, "sda");
	assert_string_equal(devs[5]->parent, "nvme0n1");
}

static void test_partition_disk(void **st)
{
	struct state *s = *st;
	struct dmcaps_dev *dev, *disk = NULL;

	assert_int_equal(dmcaps_dev_lookup(s->ctx, "sda2", &dev), 0);
	assert_true(dmcaps_dev_is_partition(dev));
	assert_int_equal(dmcaps_dev_disk(s->ctx, dev, &disk), 0);
	assert_string_equal(dmcaps_dev_kname(disk), "sda");
	assert_false(dmcaps_dev_is_partition(disk));
	assert_int_equal(dmcaps_dev_disk(s->ctx, disk, &dev), 0);
	assert_ptr_equal(dev, disk);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "lin", &dev), 0);
	assert_false(dmcaps_dev_is_partition(dev));
}

static void expect_lookup(struct state *s, const char *spec, const char *kname)
{
	struct dmcaps_dev *dev = NULL;
	int err = dmcaps_dev_lookup(s->ctx, spec, &dev);

	if (err)
		fail_msg("lookup \"%s\": %d, log %s", spec, err, s->log.buf);
	assert_non_null(dev);
	assert_string_equal(dmcaps_dev_kname(dev), kname);
}

static void test_lookup(void **st)
{
	struct state *s = *st;

	expect_lookup(s, "/dev/sda", "sda");
	expect_lookup(s, "/dev/sda1", "sda1");
	expect_lookup(s, "/dev/../dev/./sda2", "sda2");
	expect_lookup(s, "/dev/mapper/my vol", "dm-0");
	expect_lookup(s, "/dev/mapper/lin", "dm-1");
	expect_lookup(s, "/dev/dm-1", "dm-1");
	expect_lookup(s, "my vol", "dm-0");
	expect_lookup(s, "lin", "dm-1");
	/* A DM name wins over a kernel name, as dmsetup users mean it. */
	expect_lookup(s, "sdb", "dm-10");
	expect_lookup(s, "nvme0n1p1", "nvme0n1p1");
	expect_lookup(s, "8:1", "sda1");
	expect_lookup(s, "253:10", "dm-10");
	expect_lookup(s, "UUID=1234-ABCD", "sda1");
	expect_lookup(s, "UUID=\"1234-ABCD\"", "sda1");
	expect_lookup(s, "LABEL=my label", "sda2");
	expect_lookup(s, "PARTUUID=0000-01", "nvme0n1p1");
	expect_lookup(s, "PARTLABEL=root", "sda1");
	expect_lookup(s, "/dev/disk/by-id/dm-name-lin", "dm-1");
	expect_lookup(s, "/dev/disk/by-id/chain", "dm-1");
	expect_lookup(s, "/dev/disk/by-id/abs", "dm-0");
	/* Mangled DM names, either spelling. */
	expect_lookup(s, "sp ace", "dm-2");
	expect_lookup(s, "sp\\x20ace", "dm-2");
	expect_lookup(s, "/dev/mapper/sp ace", "dm-2");
	expect_lookup(s, "/dev/mapper/sp\\x20ace", "dm-2");
}

static void expect_missing(struct state *s, const char *spec)
{
	struct dmcaps_dev *dev = (void *)1;
	char *needle;

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, spec, &dev), -ENODEV);
	assert_null(dev);
	assert_true(asprintf(&needle, "%s: no such block device", spec) > 0);
	if (!fx_log_has(&s->log, needle))
		fail_msg("log \"%s\" does not name %s", s->log.buf, needle);
	free(needle);
}

static void test_lookup_missing(void **st)
{
	struct state *s = *st;
	struct dmcaps_dev *dev;

	expect_missing(s, "/dev/sdz");
	expect_missing(s, "/dev/mapper/nope");
	expect_missing(s, "/dev/mapper/my");
	expect_missing(s, "nope");
	expect_missing(s, "8:99");
	expect_missing(s, "UUID=0000");
	expect_missing(s, "LABEL=");
	expect_missing(s, "UUID=../../sda");
	expect_missing(s, "/dev/disk/by-id/loop");
	expect_missing(s, "junk");
	expect_missing(s, "baddev");
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "", &dev), -EINVAL);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, NULL, &dev), -EINVAL);
	/* something that exists and is not a device: said so */
	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "/", &dev), -ENOTBLK);
	assert_null(dev);
	assert_true(fx_log_has(&s->log, "/: not a block device"));
}

static void test_lookup_devno(void **st)
{
	struct state *s = *st;
	struct dmcaps_dev *dev = NULL;

	assert_int_equal(dmcaps_dev_lookup_devno(s->ctx, makedev(259, 1), &dev), 0);
	assert_string_equal(dmcaps_dev_kname(dev), "nvme0n1p1");
	assert_int_equal(dmcaps_dev_lookup_devno(s->ctx, makedev(1, 1), &dev), -ENODEV);
	assert_null(dev);
}

/* Fixtures made of plain directories: the parent is guessed from names. */
static void test_plain_dirs(void **st)
{
	char *r = fx_root();
	struct dmcaps_ctx *ctx = fx_ctx(r, NULL);
	struct dmcaps_dev *dev;

	fx_write(r, "sys/class/block/mmcblk0/dev", "179:0\n");
	fx_write(r, "sys/class/block/mmcblk0p2/dev", "179:2\n");
	fx_write(r, "sys/class/block/mmcblk0p2/partition", "2\n");
	fx_write(r, "sys/class/block/sdc3/dev", "8:35\n");
	fx_write(r, "sys/class/block/sdc3/partition", "3\n");
	fx_write(r, "sys/class/block/sdc/dev", "8:32\n");
	assert_int_equal(dmcaps_dev_lookup(ctx, "/dev/mmcblk0p2", &dev), 0);
	assert_string_equal(dev->parent, "mmcblk0");
	assert_int_equal(dmcaps_dev_lookup(ctx, "sdc3", &dev), 0);
	assert_string_equal(dev->parent, "sdc");
	dmcaps_free(ctx);
	fx_rmrf(r);
}

/* Issue 14: a lookup reads the device it names, not the system's list. */
static void test_lookup_reads_one(void **st)
{
	char *r = fx_root();
	struct dmcaps_ctx *ctx = fx_ctx(r, NULL);
	struct dmcaps_dev *dev, *again;

	fx_disk(r, "sda", "8:0");
	fx_disk(r, "sdb", "8:16");
	fx_part(r, "sda", "sda1", "8:1", "1");
	fx_dm(r, "dm-0", "253:0", "lin", NULL);
	fx_symlink(r, "sys/dev/block/8:0", "../../block/sda");
	fx_symlink(r, "sys/dev/block/8:16", "../../block/sdb");
	fx_symlink(r, "sys/dev/block/8:1", "../../block/sda/sda1");
	fx_symlink(r, "sys/dev/block/253:0", "../../block/dm-0");

	assert_int_equal(dmcaps_dev_lookup(ctx, "8:16", &dev), 0);
	assert_string_equal(dmcaps_dev_kname(dev), "sdb");
	assert_false(ctx->devs_read);
	assert_int_equal(ctx->nknown, 1);
	/* The same device by path: met before, no read. (A bare name may
	 * be a DM name, which a sysroot can only look for in the list.) */
	assert_int_equal(dmcaps_dev_lookup(ctx, "/dev/sdb", &again), 0);
	assert_ptr_equal(again, dev);
	assert_int_equal(ctx->nknown, 1);
	/* A partition by number, and its disk through the partition. */
	assert_int_equal(dmcaps_dev_lookup(ctx, "8:1", &dev), 0);
	assert_string_equal(dmcaps_dev_kname(dev), "sda1");
	assert_int_equal(dmcaps_dev_disk(ctx, dev, &again), 0);
	assert_string_equal(dmcaps_dev_kname(again), "sda");
	assert_int_equal(ctx->nknown, 3);
	/* A DM device by number: its dm/ attributes come with it. */
	assert_int_equal(dmcaps_dev_lookup(ctx, "253:0", &dev), 0);
	assert_string_equal(dmcaps_dev_dm_name(dev), "lin");
	assert_false(ctx->devs_read);
	/* The list, read later, holds the devices already met. */
	{
		struct dmcaps_dev **devs;
		size_t n, i;
		bool found = false;

		assert_int_equal(dmcaps_dev_list(ctx, &devs, &n), 0);
		assert_int_equal(n, 4);
		for (i = 0; i < n; i++)
			found |= devs[i] == dev;
		assert_true(found);
		assert_int_equal(ctx->nknown, 4);
	}
	dmcaps_free(ctx);
	fx_rmrf(r);
}

static void test_no_sysfs(void **st)
{
	char *r = fx_root();
	struct fx_log log;
	struct dmcaps_ctx *ctx = fx_ctx(r, &log);
	struct dmcaps_dev **devs;
	size_t n;

	assert_int_equal(dmcaps_dev_list(ctx, &devs, &n), -ENOENT);
	assert_true(fx_log_has(&log, "sys/class/block"));
	dmcaps_free(ctx);
	fx_rmrf(r);
}

static void test_table_fixtures(void **st)
{
	struct state *s = *st;
	struct dmcaps_table *t = (void *)1;
	struct dmcaps_dev *dm0, *sda;

	fx_table(s->root, "my vol", "live", "0 2048 linear /dev/sda1 0\n");
	fx_table(s->root, "my vol", "inactive",
		 "# a comment\n\n0 1024 linear 8:2 0\n1024 1024 linear /dev/sda2 8\n");
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "my vol", &dm0), 0);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "sda", &sda), 0);

	assert_int_equal(dmcaps_table_read(s->ctx, dm0, DMCAPS_TABLE_LIVE, &t), 0);
	assert_int_equal(dmcaps_table_target_count(t), 1);
	assert_string_equal(dmcaps_target_type(dmcaps_table_target(t, 0)), "linear");
	assert_string_equal(dmcaps_dev_kname(dmcaps_target_dev(dmcaps_table_target(t, 0), 0)),
			    "sda1");
	dmcaps_table_free(t);

	assert_int_equal(dmcaps_table_read(s->ctx, dm0, DMCAPS_TABLE_INACTIVE, &t), 0);
	assert_int_equal(dmcaps_table_target_count(t), 2);
	/* 8:2 and /dev/sda2 are one device; each target lists it once. */
	assert_int_equal(dmcaps_target_dev_count(dmcaps_table_target(t, 1)), 1);
	assert_ptr_equal(dmcaps_target_dev(dmcaps_table_target(t, 0), 0),
			 dmcaps_target_dev(dmcaps_table_target(t, 1), 0));
	dmcaps_table_free(t);

	/* Table files are named after the unmangled DM name. */
	fx_table(s->root, "sp ace", "live", "0 8 zero\n");
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "/dev/mapper/sp\\x20ace", &dm0), 0);
	assert_int_equal(dmcaps_table_read(s->ctx, dm0, DMCAPS_TABLE_LIVE, &t), 0);
	assert_string_equal(dmcaps_target_type(dmcaps_table_target(t, 0)), "zero");
	dmcaps_table_free(t);

	/* lin has no table files at all. */
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "lin", &dm0), 0);
	assert_int_equal(dmcaps_table_read(s->ctx, dm0, DMCAPS_TABLE_INACTIVE, &t), -ENODATA);
	assert_null(t);
	assert_int_equal(dmcaps_table_read(s->ctx, sda, DMCAPS_TABLE_LIVE, &t), -EMEDIUMTYPE);

	/* A malformed fixture table names its file. */
	fx_table(s->root, "lin", "live", "0 x linear 8:0 0\n");
	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_read(s->ctx, dm0, DMCAPS_TABLE_LIVE, &t), -EINVAL);
	assert_true(fx_log_has(&s->log, "lin.live"));
	assert_true(fx_log_has(&s->log, "line 1"));
}

static void test_dm_available_sysroot(void **st)
{
	struct state *s = *st;

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_dm_available(s->ctx), -ENOTSUP);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		T(test_list),
		T(test_partition_disk),
		T(test_lookup),
		T(test_lookup_missing),
		T(test_lookup_devno),
		cmocka_unit_test(test_plain_dirs),
		cmocka_unit_test(test_lookup_reads_one),
		cmocka_unit_test(test_no_sysfs),
		T(test_table_fixtures),
		T(test_dm_available_sysroot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
