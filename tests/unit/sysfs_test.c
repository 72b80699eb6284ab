// SPDX-License-Identifier: GPL-2.0-or-later
/* The sysfs reader over fixture trees: queue/crypto of disks and partitions. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <cmocka.h>

#include "internal.h"
#include "fixture.h"

struct state {
	char *root;
	struct fx_log log;
};

static int setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));

	s->root = fx_root();
	*st = s;
	return 0;
}

static int teardown(void **st)
{
	struct state *s = *st;

	fx_rmrf(s->root);
	free(s);
	return 0;
}

/* Caps of @kname through the public API; returns the error. */
static int caps_of(struct state *s, const char *kname, char **text)
{
	struct dmcaps_ctx *ctx = fx_ctx(s->root, &s->log);
	const struct dmcaps_set *caps = (void *)1;
	struct dmcaps_dev *dev = NULL;
	int err;

	assert_int_equal(dmcaps_dev_lookup(ctx, kname, &dev), 0);
	err = dmcaps_dev_caps(ctx, dev, &caps);
	*text = NULL;
	if (!err && caps)
		assert_int_equal(dmcaps_set_format(caps, text), 0);
	if (err)
		assert_null(caps);
	dmcaps_free(ctx);
	return err;
}

static void test_absent_dir(void **st)
{
	struct state *s = *st;
	char *text;

	fx_disk(s->root, "sdb", "8:16");
	assert_int_equal(caps_of(s, "sdb", &text), 0);
	assert_null(text);	/* no profile: NULL, not an empty set */
}

static void test_good_values(void **st)
{
	struct state *s = *st;
	static const char *const modes[] = {
		"AES-256-XTS", "0x1200", "Adiantum", "0x1000",
		"SM4-XTS", "0x80000000", "FUTURE-MODE", "0x1", NULL
	};
	char *text;

	fx_disk(s->root, "sda", "8:0");
	fx_crypto(s->root, "sda", "64", "32", modes);
	assert_int_equal(caps_of(s, "sda", &text), 0);
	assert_string_equal(text, "AES-256-XTS:0x1200,Adiantum:0x1000,"
			    "SM4-XTS:0x80000000,FUTURE-MODE:0x1 dun=8 keyslots=32");
	free(text);
}

static void test_dun_bounds(void **st)
{
	struct state *s = *st;
	static const char *const modes[] = { "AES-256-XTS", "0x1000", NULL };
	char *text;

	fx_disk(s->root, "sda", "8:0");
	fx_crypto(s->root, "sda", "256", "0", modes);
	assert_int_equal(caps_of(s, "sda", &text), 0);
	assert_string_equal(text, "AES-256-XTS:0x1000 dun=32 keyslots=0");
	free(text);
	fx_crypto(s->root, "sda", "0", "0", modes);
	assert_int_equal(caps_of(s, "sda", &text), 0);
	assert_string_equal(text, "AES-256-XTS:0x1000 dun=0 keyslots=0");
	free(text);
}

static void expect_bad(struct state *s, const char *file, const char *what)
{
	char *text = NULL, *needle;

	assert_int_equal(caps_of(s, "sda", &text), -EBADMSG);
	assert_null(text);
	assert_true(asprintf(&needle, "%s/sys/block/sda/queue/crypto/%s",
			     s->root, file) > 0);
	if (!fx_log_has(&s->log, needle))
		fail_msg("%s: log \"%s\" does not name %s", what, s->log.buf, needle);
	free(needle);
}

static void test_bad_dun_bits(void **st)
{
	struct state *s = *st;
	static const char *const modes[] = { "AES-256-XTS", "0x1000", NULL };
	static const char *const bad[] = {
		"12", "264", "", "abc", "64 ", "-8", "0x40", "99999999999",
	};
	size_t i;

	fx_disk(s->root, "sda", "8:0");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fx_crypto(s->root, "sda", bad[i], "8", modes);
		expect_bad(s, "max_dun_bits", bad[i]);
	}
}

static void test_bad_keyslots(void **st)
{
	struct state *s = *st;
	static const char *const modes[] = { "AES-256-XTS", "0x1000", NULL };

	fx_disk(s->root, "sda", "8:0");
	fx_crypto(s->root, "sda", "64", "lots", modes);
	expect_bad(s, "num_keyslots", "lots");
	fx_crypto(s->root, "sda", "64", "4294967296", modes);
	expect_bad(s, "num_keyslots", "overflow");
}

static void test_bad_modes(void **st)
{
	struct state *s = *st;
	static const char *const bad[] = {
		"zz", "", "0x", "1200", "0x1200 junk", "0x1200\n", "0x100000000",
		"0x-1", " 0x1000", "0x1000000000000000000000",
	};
	size_t i;

	fx_disk(s->root, "sda", "8:0");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *modes[] = { "Adiantum", bad[i], NULL };

		fx_crypto(s->root, "sda", "64", "8", modes);
		expect_bad(s, "modes/Adiantum", bad[i]);
	}
}

static void test_missing_files(void **st)
{
	struct state *s = *st;
	char *path;

	fx_disk(s->root, "sda", "8:0");
	fx_crypto(s->root, "sda", NULL, "8", NULL);
	expect_bad(s, "max_dun_bits", "missing max_dun_bits");

	fx_crypto(s->root, "sda", "64", NULL, NULL);
	assert_true(asprintf(&path, "%s/sys/block/sda/queue/crypto/num_keyslots",
			     s->root) > 0);
	unlink(path);
	free(path);
	expect_bad(s, "num_keyslots", "missing num_keyslots");
}

static void test_unreadable(void **st)
{
	struct state *s = *st;
	static const char *const modes[] = { "AES-256-XTS", "0x1000", NULL };
	char *path, *text;

	if (geteuid() == 0) {
		print_message("running as root: cannot make a file unreadable\n");
		skip();
	}
	fx_disk(s->root, "sda", "8:0");
	fx_crypto(s->root, "sda", "64", "8", modes);
	assert_true(asprintf(&path, "%s/sys/block/sda/queue/crypto/modes/AES-256-XTS",
			     s->root) > 0);
	assert_int_equal(chmod(path, 0), 0);
	assert_int_equal(caps_of(s, "sda", &text), -EACCES);
	assert_true(fx_log_has(&s->log, path));
	free(path);
}

static void test_partition_uses_disk(void **st)
{
	struct state *s = *st;
	static const char *const modes[] = { "AES-256-XTS", "0x1000", NULL };
	struct dmcaps_ctx *ctx = fx_ctx(s->root, &s->log);
	const struct dmcaps_set *dcaps = NULL, *pcaps = NULL;
	struct dmcaps_dev *disk, *part;
	char *path;

	fx_disk(s->root, "mmcblk0", "179:0");
	fx_crypto(s->root, "mmcblk0", "32", "15", modes);
	fx_part(s->root, "mmcblk0", "mmcblk0p1", "179:1", "1");
	assert_int_equal(dmcaps_dev_lookup(ctx, "mmcblk0p1", &part), 0);
	assert_int_equal(dmcaps_dev_lookup(ctx, "mmcblk0", &disk), 0);
	assert_int_equal(dmcaps_dev_caps(ctx, part, &pcaps), 0);
	assert_int_equal(dmcaps_dev_caps(ctx, disk, &dcaps), 0);
	assert_non_null(pcaps);
	assert_ptr_equal(pcaps, dcaps);

	/* Cached: read once per context. */
	assert_true(asprintf(&path, "%s/sys/block/mmcblk0/queue/crypto/max_dun_bits",
			     s->root) > 0);
	unlink(path);
	free(path);
	assert_int_equal(dmcaps_dev_caps(ctx, disk, &dcaps), 0);
	assert_ptr_equal(pcaps, dcaps);
	dmcaps_free(ctx);
}

static void test_read_dir_direct(void **st)
{
	struct state *s = *st;
	struct dmcaps_ctx *ctx = fx_ctx(s->root, &s->log);
	struct dmcaps_set *caps = (void *)1;
	char *dir;

	assert_true(asprintf(&dir, "%s/nowhere/queue/crypto", s->root) > 0);
	assert_int_equal(dmcaps_sysfs_read_crypto_dir(ctx, dir, &caps), 0);
	assert_null(caps);
	free(dir);
	dmcaps_free(ctx);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_absent_dir),
		T(test_good_values),
		T(test_dun_bounds),
		T(test_bad_dun_bits),
		T(test_bad_keyslots),
		T(test_bad_modes),
		T(test_missing_files),
		T(test_unreadable),
		T(test_partition_uses_disk),
		T(test_read_dir_direct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
