// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which target types pass inline crypto on a kernel with our series: the
 * target versions of a 6.12.y kernel (fixture files <sysroot>/dmcaps/targets
 * in `dmsetup targets` format and <sysroot>/proc/sys/kernel/osrelease).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "internal.h"
#include "fixture.h"

/* The target versions of stock 6.12.117 and of the same with the series'
 * stripe patch. */
#define STOCK_TARGETS \
	"striped          v1.6.0\n" \
	"linear           v1.4.0\n" \
	"delay            v1.4.0\n" \
	"crypt            v1.27.0\n" \
	"error            v1.7.0\n"
#define SERIES_TARGETS \
	"striped          v1.7.0\n" \
	"linear           v1.4.0\n" \
	"delay            v1.4.0\n" \
	"crypt            v1.27.0\n" \
	"error            v1.7.0\n"

struct state {
	char *root;
	struct fx_log log;
	struct dmcaps_ctx *ctx;
};

static struct state *fixture(const char *release, const char *targets)
{
	struct state *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->root = fx_root();
	if (release)
		fx_write(s->root, "proc/sys/kernel/osrelease", release);
	if (targets)
		fx_write(s->root, "dmcaps/targets", targets);
	s->ctx = fx_ctx(s->root, &s->log);
	return s;
}

static void done(struct state *s)
{
	dmcaps_free(s->ctx);
	fx_rmrf(s->root);
	free(s);
}

static enum dmcaps_passes passes(struct state *s, const char *type)
{
	return dmcaps_target_type_passes(s->ctx, type);
}

static void test_stock_6_12(void **st)
{
	struct state *s = fixture("6.12.117-amd64\n", STOCK_TARGETS);

	assert_int_equal(passes(s, "linear"), DMCAPS_PASSES_YES);
	assert_int_equal(passes(s, "flakey"), DMCAPS_PASSES_YES);
	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "delay"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "crypt"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "vdo"), DMCAPS_PASSES_UNKNOWN_TYPE);
	done(s);
}

static void test_series_6_12(void **st)
{
	struct state *s = fixture("6.12.117\n", SERIES_TARGETS);

	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_YES);
	assert_int_equal(passes(s, "linear"), DMCAPS_PASSES_YES);
	/* a type without a series patch stays as stock 6.12 has it, whatever
	 * its version */
	assert_int_equal(passes(s, "crypt"), DMCAPS_PASSES_NO);
	/* flakey is not loaded (not listed): stock 6.12's answer */
	assert_int_equal(passes(s, "flakey"), DMCAPS_PASSES_YES);
	done(s);
}

/* thin and thin-pool pass from 1.24.0 (kernel-patches/dm-crypto/0017); 6.12.117
 * has both at 1.23.0. */
static void test_thin(void **st)
{
	struct state *s = fixture("6.12.117\n",
				  "thin-pool        v1.23.0\nthin             v1.23.0\n");

	assert_int_equal(passes(s, "thin-pool"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "thin"), DMCAPS_PASSES_NO);
	done(s);
	s = fixture("6.12.117\n", "thin-pool        v1.24.0\nthin             v1.24.0\n");
	assert_int_equal(passes(s, "thin-pool"), DMCAPS_PASSES_YES);
	assert_int_equal(passes(s, "thin"), DMCAPS_PASSES_YES);
	done(s);
}

/* raid passes from 1.16.0 (kernel-patches/dm-crypto/0021); 6.12.117 has 1.15.1. */
static void test_raid(void **st)
{
	struct state *s = fixture("6.12.117\n", "raid             v1.15.1\n");

	assert_int_equal(passes(s, "raid"), DMCAPS_PASSES_NO);
	assert_false(dmcaps_target_type_per_instance(s->ctx, "raid"));
	done(s);
	s = fixture("6.12.117\n", "raid             v1.16.0\n");
	assert_int_equal(passes(s, "raid"), DMCAPS_PASSES_YES);
	/* it passes depending on the instance (level, write-behind) */
	assert_true(dmcaps_target_type_per_instance(s->ctx, "raid"));
	assert_false(dmcaps_target_type_per_instance(s->ctx, "linear"));
	done(s);
}

static void test_later_versions(void **st)
{
	static const char *const yes[] = {
		"striped v1.7.1\n", "striped v1.8.0\n", "striped v1.10.0\n",
		"striped v2.0.0\n", "  striped\tv1.7.0  \n",
	};
	static const char *const no[] = {
		"striped v1.6.9\n", "striped v0.99.99\n", "striped\n",
		"striped 1.7.0\n", "striped v1.7\n", "striped v1.7.0 extra\n",
		"stripedx v1.7.0\n", "xstriped v1.7.0\n", "", "\n\n",
	};
	struct state *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		s = fixture("6.12.0\n", yes[i]);
		assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_YES);
		done(s);
	}
	for (i = 0; i < ARRAY_SIZE(no); i++) {
		s = fixture("6.12.0\n", no[i]);
		assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
		done(s);
	}
}

/* Other kernels bump target versions for their own reasons: only stock
 * 6.12's answer is trusted there. */
static void test_other_kernels(void **st)
{
	static const char *const releases[] = {
		"6.13.0\n", "6.120.1\n", "6.1.0-28-amd64\n", "7.0.0\n", "6.11.9\n",
		"5.12.0\n", "garbage\n", "\n",
	};
	static const char *const series[] = {
		"6.12\n", "6.12.117\n", "6.12.0-rc1\n", "6.12.9+deb13-amd64\n",
	};
	struct state *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(releases); i++) {
		s = fixture(releases[i], SERIES_TARGETS);
		assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
		assert_int_equal(passes(s, "linear"), DMCAPS_PASSES_YES);
		done(s);
	}
	for (i = 0; i < ARRAY_SIZE(series); i++) {
		s = fixture(series[i], SERIES_TARGETS);
		assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_YES);
		done(s);
	}
}

static void test_missing_files(void **st)
{
	struct state *s;

	s = fixture(NULL, SERIES_TARGETS);	/* release unknown */
	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "linear"), DMCAPS_PASSES_YES);
	done(s);
	s = fixture("6.12.117\n", NULL);	/* versions unknown */
	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "flakey"), DMCAPS_PASSES_YES);
	done(s);
	/* without a context, stock 6.12 */
	assert_int_equal(dmcaps_target_type_passes(NULL, "striped"), DMCAPS_PASSES_NO);
	assert_int_equal(dmcaps_target_type_passes(NULL, "linear"), DMCAPS_PASSES_YES);
}

/* Read once per context: the answer does not change under it. */
static void test_read_once(void **st)
{
	struct state *s = fixture("6.12.117\n", SERIES_TARGETS);

	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_YES);
	fx_write(s->root, "dmcaps/targets", STOCK_TARGETS);
	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_YES);
	done(s);
	s = fixture("6.12.117\n", STOCK_TARGETS);
	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
	fx_write(s->root, "dmcaps/targets", SERIES_TARGETS);
	assert_int_equal(passes(s, "striped"), DMCAPS_PASSES_NO);
	done(s);
}

/* The prediction follows: a striped table over two devices intersects
 * them on a series kernel and exposes nothing on a stock one. */
/* Only zero and error targets, where they pass (the series' markers): no
 * device below, nothing exposed, and that "none" says why (issue 13.7). */
static void test_predict_no_device(void **st)
{
	struct state *s = fixture("6.12.117\n", "zero             v1.3.0\n"
				  "error            v1.8.0\n");
	struct dmcaps_table *t = NULL;
	struct dmcaps_prediction *p = NULL;
	const struct dmcaps_reason *r;
	char *text = NULL;

	assert_int_equal(passes(s, "zero"), DMCAPS_PASSES_YES);
	assert_int_equal(passes(s, "error"), DMCAPS_PASSES_YES);
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 8 zero\n8 8 error\n", &t), 0);
	assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
	assert_true(dmcaps_set_is_empty(dmcaps_prediction_caps(p)));
	assert_int_equal(dmcaps_prediction_reason_count(p), 1);
	r = dmcaps_prediction_reason(p, 0);
	assert_int_equal(dmcaps_reason_cause(r), DMCAPS_CAUSE_NO_DEVICE);
	assert_null(dmcaps_reason_dev(r));
	assert_null(dmcaps_reason_delta(r));
	assert_int_equal(dmcaps_reason_format(r, &text), 0);
	assert_string_equal(text, "no target maps to a device (target 1, zero): "
			    "no inline-crypto hardware below");
	free(text);
	dmcaps_prediction_free(p);
	dmcaps_table_free(t);
	done(s);
}

static void test_predict_striped(void **st)
{
	static const char *const aes[] = { "AES-256-XTS", "0x1000", NULL };
	static const char *const both[] = {
		"AES-256-XTS", "0x1200", "Adiantum", "0x1000", NULL };
	const char *kinds[] = { SERIES_TARGETS, STOCK_TARGETS };
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct state *s = fixture("6.12.117\n", kinds[k]);
		struct dmcaps_table *t = NULL;
		struct dmcaps_prediction *p = NULL;
		const struct dmcaps_set *caps;
		char *text = NULL;

		fx_disk(s->root, "sda", "8:0");
		fx_crypto(s->root, "sda", "64", "16", both);
		fx_disk(s->root, "sdb", "8:16");
		fx_crypto(s->root, "sdb", "32", "8", aes);
		assert_int_equal(dmcaps_table_parse(s->ctx,
			"0 1024 striped 2 128 8:0 0 8:16 0\n", &t), 0);
		assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
		caps = dmcaps_prediction_caps(p);
		if (k == 0) {
			assert_non_null(caps);
			assert_int_equal(dmcaps_set_format(caps, &text), 0);
			assert_string_equal(text, "AES-256-XTS:0x1000 dun=4 keyslots=0");
			free(text);
		} else {
			assert_true(!caps || dmcaps_set_is_empty(caps));
		}
		dmcaps_prediction_free(p);
		dmcaps_table_free(t);
		done(s);
	}
}

/* zero and error pass from 1.3.0 and 1.8.0; error may name a device,
 * which then counts for the intersection. */
static void test_zero_error(void **st)
{
	static const char *const aes[] = { "AES-256-XTS", "0x1000", NULL };
	struct state *s = fixture("6.12.117\n",
				  "zero v1.3.0\nerror v1.8.0\nlinear v1.4.0\n");
	struct dmcaps_table *t = NULL;
	const char **devs = NULL;
	size_t ndevs;
	const char *why;
	char *argv[] = { "8:0", "0" };

	assert_int_equal(passes(s, "zero"), DMCAPS_PASSES_YES);
	assert_int_equal(passes(s, "error"), DMCAPS_PASSES_YES);
	done(s);
	s = fixture("6.12.117\n", "zero v1.2.0\nerror v1.7.0\n");
	assert_int_equal(passes(s, "zero"), DMCAPS_PASSES_NO);
	assert_int_equal(passes(s, "error"), DMCAPS_PASSES_NO);

	assert_int_equal(dmcaps_target_type_devs("error", argv, 2, &devs, &ndevs, &why), 0);
	assert_int_equal(ndevs, 1);
	assert_string_equal(devs[0], "8:0");
	free(devs);
	assert_int_equal(dmcaps_target_type_devs("error", argv, 0, &devs, &ndevs, &why), 0);
	assert_int_equal(ndevs, 0);
	assert_int_equal(dmcaps_target_type_devs("error", argv, 1, &devs, &ndevs, &why),
			 -EINVAL);
	fx_disk(s->root, "sda", "8:0");
	fx_crypto(s->root, "sda", "64", "16", aes);
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 8 error 8:0 0\n", &t), 0);
	dmcaps_table_free(t);
	done(s);
}

/* release.c: the release strings kernels and distributions use. */
static void test_release_parse(void **st)
{
	static const struct {
		const char *text;
		int err;
		unsigned int v[2];
	} cases[] = {
		{ "6.12", 0, { 6, 12 } },
		{ "6.12.117\n", 0, { 6, 12 } },
		{ "6.12.117-amd64", 0, { 6, 12 } },
		{ "5.15.0-91-generic", 0, { 5, 15 } },
		{ "6.1.0-rc1", 0, { 6, 1 } },
		{ "4.19.0+", 0, { 4, 19 } },
		{ "6", -EBADMSG, { 0, 0 } },
		{ "6.x", -EBADMSG, { 0, 0 } },
		{ "6.12a", -EBADMSG, { 0, 0 } },
		{ "", -EBADMSG, { 0, 0 } },
	};
	unsigned int v[2];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v[0] = v[1] = 0;
		assert_int_equal(dmcaps_release_parse(cases[i].text, v), cases[i].err);
		if (!cases[i].err) {
			assert_int_equal(v[0], cases[i].v[0]);
			assert_int_equal(v[1], cases[i].v[1]);
		}
	}
}

/* queue/crypto is 5.18's: before, no directory is no answer. */
static void test_sysfs_crypto_since(void **st)
{
	static const struct {
		const char *release;
		bool lacks;
	} cases[] = {
		{ "5.17.15", true }, { "5.18.0", false }, { "4.19.0", true },
		{ "6.1.0-28-amd64", false }, { NULL, false },
	};
	const struct dmcaps_set *caps;
	struct dmcaps_dev *dev;
	struct state *s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = fixture(cases[i].release, NULL);
		fx_disk(s->root, "sda", "8:0");
		assert_int_equal(dmcaps_kernel_lacks_sysfs_crypto(s->ctx),
				 cases[i].lacks);
		assert_int_equal(dmcaps_dev_lookup(s->ctx, "sda", &dev), 0);
		assert_int_equal(dmcaps_dev_caps(s->ctx, dev, &caps),
				 cases[i].lacks ? -ENOSYS : 0);
		assert_null(caps);
		done(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_error),
		cmocka_unit_test(test_stock_6_12),
		cmocka_unit_test(test_series_6_12),
		cmocka_unit_test(test_thin),
		cmocka_unit_test(test_raid),
		cmocka_unit_test(test_later_versions),
		cmocka_unit_test(test_other_kernels),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_read_once),
		cmocka_unit_test(test_predict_striped),
		cmocka_unit_test(test_predict_no_device),
		cmocka_unit_test(test_release_parse),
		cmocka_unit_test(test_sysfs_crypto_since),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
