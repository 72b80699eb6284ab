// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps_sysfs_view() and dmcaps_compare(): Linux 6.12's stale sysfs is
 * told apart from a real disagreement, each finding said once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "libdmcaps.h"

static struct dmcaps_set *set(const char *text)
{
	struct dmcaps_set *s = NULL;

	assert_int_equal(dmcaps_set_parse(NULL, text, &s), 0);
	return s;
}

static void test_sysfs_view(void **state)
{
	struct dmcaps_set *q = set("AES-256-XTS:0x1000,Adiantum:0x1000 dun=8");
	struct dmcaps_set *same = set("AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	struct dmcaps_set *part = set("AES-256-XTS:0x1000 dun=8");
	struct dmcaps_set *wrongval = set("AES-256-XTS:0x200 dun=8");
	struct dmcaps_set *wrongdun = set("AES-256-XTS:0x1000 dun=4");
	struct dmcaps_set *more = set("AES-256-XTS:0x1000,Adiantum:0x1000,SM4-XTS:0x1000 dun=8");
	struct dmcaps_set *none = set("none");

	(void)state;
	assert_int_equal(dmcaps_sysfs_view(same, q), DMCAPS_FINDING_NONE);
	/* no queue/crypto, or empty: registered without a profile */
	assert_int_equal(dmcaps_sysfs_view(NULL, q), DMCAPS_FINDING_SYSFS_STALE);
	assert_int_equal(dmcaps_sysfs_view(none, q), DMCAPS_FINDING_SYSFS_STALE);
	/* the files of registration, with the queue's values */
	assert_int_equal(dmcaps_sysfs_view(part, q), DMCAPS_FINDING_SYSFS_STALE);
	/* what 6.12 never does */
	assert_int_equal(dmcaps_sysfs_view(wrongval, q), DMCAPS_FINDING_MISMATCH);
	assert_int_equal(dmcaps_sysfs_view(wrongdun, q), DMCAPS_FINDING_MISMATCH);
	assert_int_equal(dmcaps_sysfs_view(more, q), DMCAPS_FINDING_MISMATCH);
	assert_int_equal(dmcaps_sysfs_view(part, none), DMCAPS_FINDING_MISMATCH);
	assert_int_equal(dmcaps_sysfs_view(NULL, none), DMCAPS_FINDING_NONE);
	dmcaps_set_free(q);
	dmcaps_set_free(same);
	dmcaps_set_free(part);
	dmcaps_set_free(wrongval);
	dmcaps_set_free(wrongdun);
	dmcaps_set_free(more);
	dmcaps_set_free(none);
}

/* sda: AES-256-XTS(4096) Adiantum(4096), DUN 8; dm-0 "vol": linear over
 * sda with the sysfs given. */
static struct dmcaps_ctx *world(char **root, struct fx_log *log,
				const char *const *dm_modes)
{
	static const char *const sda_modes[] = {
		"AES-256-XTS", "0x1000", "Adiantum", "0x1000", NULL };

	*root = fx_root();
	fx_disk(*root, "sda", "8:0");
	fx_crypto(*root, "sda", "64", "32", sda_modes);
	fx_dm(*root, "dm-0", "253:0", "vol", "");
	if (dm_modes)
		fx_crypto(*root, "dm-0", "64", "0", dm_modes);
	fx_table(*root, "vol", "live", "0 100 linear 8:0 0\n");
	return fx_ctx(*root, log);
}

static void compare_vol(const char *const *dm_modes, enum dmcaps_finding want,
			const char *text, const char *source)
{
	struct dmcaps_comparison *cmp = NULL;
	const char *src = NULL;
	struct dmcaps_dev *dev;
	struct fx_log log = { 0 };
	struct dmcaps_ctx *ctx;
	char *root;

	ctx = world(&root, &log, dm_modes);
	assert_int_equal(dmcaps_dev_lookup(ctx, "vol", &dev), 0);
	assert_int_equal(dmcaps_compare_device(ctx, dev, DMCAPS_TABLE_LIVE, &cmp), 0);
	if (want == DMCAPS_FINDING_NONE) {
		assert_int_equal(dmcaps_comparison_count(cmp), 0);
	} else {
		assert_int_equal(dmcaps_comparison_count(cmp), 1);
		assert_int_equal(dmcaps_comparison_kind(cmp, 0), want);
		assert_non_null(strstr(dmcaps_comparison_text(cmp, 0), text));
		assert_ptr_equal(dmcaps_comparison_dev(cmp, 0), dev);
		assert_true(dmcaps_comparison_target(cmp, 0) == DMCAPS_NO_TARGET);
		/* logged once: a warning for a mismatch only */
		assert_true(fx_log_has(&log, text));
		assert_int_equal(log.max_level_seen == DMCAPS_LOG_WARNING,
				 want == DMCAPS_FINDING_MISMATCH);
	}
	assert_int_equal(dmcaps_comparison_has_mismatch(cmp),
			 want == DMCAPS_FINDING_MISMATCH);
	dmcaps_comparison_exposed(cmp, &src);
	assert_string_equal(src, source);
	dmcaps_comparison_free(cmp);
	dmcaps_free(ctx);
	fx_rmrf(root);
}

static void test_compare_agree(void **state)
{
	static const char *const modes[] = {
		"AES-256-XTS", "0x1000", "Adiantum", "0x1000", NULL };

	(void)state;
	compare_vol(modes, DMCAPS_FINDING_NONE, NULL, "sysfs");
}

static void test_compare_stale(void **state)
{
	static const char *const part[] = { "AES-256-XTS", "0x1000", NULL };

	(void)state;
	compare_vol(NULL, DMCAPS_FINDING_SYSFS_STALE, "sysfs has no queue/crypto",
		    "the live table (sysfs is stale)");
	compare_vol(part, DMCAPS_FINDING_SYSFS_STALE,
		    "sysfs shows AES-256-XTS(4096), DUN 8 bytes (Linux 6.12",
		    "the live table (sysfs is stale)");
}

static void test_compare_mismatch(void **state)
{
	static const char *const wrong[] = {
		"AES-256-XTS", "0x200", "Adiantum", "0x1000", NULL };

	(void)state;
	compare_vol(wrong, DMCAPS_FINDING_MISMATCH,
		    "MISMATCH: the live table should expose AES-256-XTS(4096) "
		    "Adiantum(4096), DUN 8 bytes; sysfs shows AES-256-XTS(512) "
		    "Adiantum(4096), DUN 8 bytes", "sysfs");
}

static void test_compare_not_dm(void **state)
{
	struct dmcaps_comparison *cmp = (void *)1;
	struct fx_log log = { 0 };
	struct dmcaps_ctx *ctx;
	struct dmcaps_dev *sda;
	char *root;

	(void)state;
	ctx = world(&root, &log, NULL);
	assert_int_equal(dmcaps_dev_lookup(ctx, "sda", &sda), 0);
	assert_int_equal(dmcaps_compare(ctx, sda, DMCAPS_TABLE_LIVE, NULL, NULL,
					NULL, &cmp), -EMEDIUMTYPE);
	assert_null(cmp);
	assert_int_equal(dmcaps_compare(ctx, NULL, DMCAPS_TABLE_LIVE, NULL, NULL,
					NULL, &cmp), -EINVAL);
	dmcaps_free(ctx);
	fx_rmrf(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysfs_view),
		cmocka_unit_test(test_compare_agree),
		cmocka_unit_test(test_compare_stale),
		cmocka_unit_test(test_compare_mismatch),
		cmocka_unit_test(test_compare_not_dm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
