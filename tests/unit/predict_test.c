// SPDX-License-Identifier: GPL-2.0-or-later
/* The predictor over fixture sysroots: intersections and their reasons. */
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

struct state {
	char *root;
	struct fx_log log;
	struct dmcaps_ctx *ctx;
};

static int setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));
	char *r;
	static const char *const ufs[] = {
		"AES-256-XTS", "0x1000", "Adiantum", "0x1000", NULL };
	static const char *const emmc[] = { "AES-256-XTS", "0x1200", NULL };
	static const char *const future[] = {
		"AES-256-XTS", "0x1000", "Adiantum", "0x1000", "NEW-MODE", "0x1000", NULL };
	static const char *const garbage[] = { "AES-256-XTS", "0xnope", NULL };

	s->root = r = fx_root();
	fx_disk(r, "sda", "8:0");		/* UFS-like, 8-byte DUNs */
	fx_crypto(r, "sda", "64", "32", ufs);
	fx_part(r, "sda", "sda1", "8:1", "1");
	fx_disk(r, "mmcblk0", "179:0");		/* eMMC-like, 4-byte DUNs */
	fx_crypto(r, "mmcblk0", "32", "15", emmc);
	fx_disk(r, "sdb", "8:16");		/* no inline crypto */
	fx_disk(r, "sdc", "8:32");		/* a newer kernel's mode */
	fx_crypto(r, "sdc", "64", "8", future);
	fx_disk(r, "sdd", "8:48");		/* unreadable caps */
	fx_crypto(r, "sdd", "64", "8", garbage);
	fx_dm(r, "dm-0", "253:0", "lin", NULL);	/* a DM device, no crypto dir */
	fx_table(r, "lin", "live", "0 100 linear 8:0 0\n100 100 linear 179:0 0\n");
	fx_dm(r, "dm-1", "253:1", "plain", NULL);	/* over sdb: nothing */
	fx_table(r, "plain", "live", "0 100 linear 8:16 0\n");
	fx_dm(r, "dm-2", "253:2", "self", NULL);	/* a cycle */
	fx_table(r, "self", "live", "0 100 linear 253:2 0\n");
	/* crypto_fallback set: over sda and sdb; over sdb alone, exposing
	 * what it did over sda (a pvmove's end); with a crypt target */
	fx_dm(r, "dm-3", "253:3", "mix", NULL);
	fx_write(r, "sys/block/dm-3/dm/crypto_fallback", "1\n");
	fx_table(r, "mix", "live", "0 100 linear 8:0 0\n100 100 linear 8:16 0\n"
		 "200 100 linear 8:0 100\n300 100 linear 8:16 100\n");
	fx_dm(r, "dm-4", "253:4", "moved", NULL);
	fx_write(r, "sys/block/dm-4/dm/crypto_fallback", "1\n");
	fx_crypto(r, "dm-4", "64", "0", ufs);
	fx_table(r, "moved", "live", "0 100 linear 8:16 0\n");
	fx_dm(r, "dm-5", "253:5", "off", NULL);
	fx_write(r, "sys/block/dm-5/dm/crypto_fallback", "0\n");
	fx_table(r, "off", "live", "0 100 linear 8:0 0\n100 100 linear 8:16 0\n");
	fx_dm(r, "dm-6", "253:6", "bad", NULL);
	fx_write(r, "sys/block/dm-6/dm/crypto_fallback", "yes\n");
	fx_table(r, "bad", "live", "0 100 linear 8:0 0\n");
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

static struct dmcaps_prediction *predict(struct state *s, const char *text)
{
	struct dmcaps_table *t = NULL;
	struct dmcaps_prediction *p = NULL;

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, text, &t), 0);
	assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
	/* Freed before the prediction is used: reasons must not point into
	 * the table. */
	dmcaps_table_free(t);
	return p;
}

static void assert_caps(const struct dmcaps_prediction *p, const char *expect)
{
	char *text = NULL;

	assert_non_null(dmcaps_prediction_caps(p));
	assert_int_equal(dmcaps_set_format(dmcaps_prediction_caps(p), &text), 0);
	assert_string_equal(text, expect);
	free(text);
}

static void assert_reasons(const struct dmcaps_prediction *p,
			   const char *const *expect, size_t n)
{
	size_t i;

	if (dmcaps_prediction_reason_count(p) != n) {
		for (i = 0; i < dmcaps_prediction_reason_count(p); i++) {
			char *text = NULL;

			dmcaps_reason_format(dmcaps_prediction_reason(p, i), &text);
			print_message("reason %zu: %s\n", i, text);
			free(text);
		}
		fail_msg("%zu reasons, expected %zu", dmcaps_prediction_reason_count(p), n);
	}
	for (i = 0; i < n; i++) {
		char *text = NULL;

		assert_int_equal(dmcaps_reason_format(dmcaps_prediction_reason(p, i),
						      &text), 0);
		assert_string_equal(text, expect[i]);
		free(text);
	}
	assert_null(dmcaps_prediction_reason(p, n));
}

static void test_single_device(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p = predict(s, "0 8 linear 8:0 0");

	/* Nothing lost: the device's own limits are not losses. */
	assert_caps(p, "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	assert_reasons(p, NULL, 0);
	dmcaps_prediction_free(p);

	/* A partition exposes its disk's capabilities. */
	p = predict(s, "0 8 linear /dev/sda1 0");
	assert_caps(p, "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	dmcaps_prediction_free(p);
}

static void test_intersection(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	const struct dmcaps_reason *r;
	static const char *const why[] = {
		"device sda lacks AES-256-XTS data-unit sizes 512",
		"device mmcblk0 lacks Adiantum",
		"device mmcblk0 supports 4-byte DUNs, not 8",
	};
	static const char *const why_swapped[] = {
		"device mmcblk0 lacks Adiantum",
		"device mmcblk0 supports 4-byte DUNs, not 8",
		"device sda lacks AES-256-XTS data-unit sizes 512",
	};

	p = predict(s, "0 8 linear 8:0 0\n8 8 flakey 179:0 0 10 0");
	assert_caps(p, "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_reasons(p, why, ARRAY_SIZE(why));
	r = dmcaps_prediction_reason(p, 0);
	assert_int_equal(r->cause, DMCAPS_CAUSE_DEVICE_LACKS);
	assert_int_equal(r->target_index, 0);
	assert_string_equal(dmcaps_dev_kname(r->dev), "sda");
	assert_int_equal(r->delta.kind, DMCAPS_DELTA_DATA_UNIT_SIZES);
	assert_int_equal(r->delta.dus_mask, 0x200);
	r = dmcaps_prediction_reason(p, 1);
	assert_int_equal(r->target_index, 1);
	assert_string_equal(r->target_type, "flakey");
	assert_int_equal(r->delta.kind, DMCAPS_DELTA_MODE);
	assert_string_equal(r->delta.mode, "Adiantum");
	r = dmcaps_prediction_reason(p, 2);
	assert_int_equal(r->delta.kind, DMCAPS_DELTA_DUN_BYTES);
	assert_int_equal(r->delta.dun_have, 8);
	assert_int_equal(r->delta.dun_other, 4);
	dmcaps_prediction_free(p);

	/* Order changes the attribution, never the set or the count. */
	p = predict(s, "0 8 linear 179:0 0\n8 8 linear 8:0 0");
	assert_caps(p, "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_reasons(p, why_swapped, ARRAY_SIZE(why_swapped));
	dmcaps_prediction_free(p);
}

static void test_unknown_mode_carried(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	static const char *const why[] = { "device sda lacks NEW-MODE" };

	p = predict(s, "0 8 linear 8:32 0\n8 8 linear 8:0 0");
	assert_caps(p, "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	assert_reasons(p, why, 1);
	dmcaps_prediction_free(p);

	p = predict(s, "0 8 linear 8:32 0");
	assert_caps(p, "AES-256-XTS:0x1000,Adiantum:0x1000,NEW-MODE:0x1000 dun=8 keyslots=0");
	dmcaps_prediction_free(p);
}

static void test_non_passing_target(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	const struct dmcaps_reason *r;
	static const char *const why[] = {
		"target 2 (crypt) does not pass inline crypto",
	};
	static const char *const why_unknown[] = {
		"target 1 (vdo) is of an unknown type, assumed not to pass inline crypto",
	};

	p = predict(s, "0 8 linear 8:0 0\n8 8 crypt aes-xts-plain64 k 0 8:0 0\n"
		       "16 8 linear 179:0 0");
	assert_caps(p, "none");
	assert_true(dmcaps_set_is_empty(dmcaps_prediction_caps(p)));
	assert_reasons(p, why, 1);
	r = dmcaps_prediction_reason(p, 0);
	assert_int_equal(r->cause, DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH);
	assert_int_equal(r->target_index, 1);
	assert_null(r->dev);
	dmcaps_prediction_free(p);

	p = predict(s, "0 8 vdo V4 /dev/sda 1\n8 8 zero");
	assert_caps(p, "none");
	assert_reasons(p, why_unknown, 1);
	assert_int_equal(dmcaps_prediction_reason(p, 0)->cause,
			 DMCAPS_CAUSE_TARGET_UNKNOWN_TYPE);
	dmcaps_prediction_free(p);

	/* A striped LVM volume over two good disks: still nothing. */
	p = predict(s, "0 16 striped 2 8 8:0 0 179:0 0");
	assert_caps(p, "none");
	assert_int_equal(dmcaps_prediction_reason_count(p), 1);
	assert_int_equal(dmcaps_prediction_reason(p, 0)->cause,
			 DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH);
	dmcaps_prediction_free(p);
}

static void test_device_without_crypto(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	static const char *const why[] = {
		"device sda lacks AES-256-XTS data-unit sizes 512",
		"device sdb has no inline crypto",
	};
	static const char *const why_dm[] = { "device plain has no inline crypto" };

	/*
	 * sda is the first to lack 512-byte units (mmcblk0 has them); sdb
	 * then removes everything else. After that nothing is left to lose:
	 * neither mmcblk0 nor the crypt target get a reason.
	 */
	p = predict(s, "0 8 linear 8:0 0\n8 8 linear 8:16 0\n16 8 linear 179:0 0\n"
		       "24 8 crypt a b 0 8:0 0");
	assert_caps(p, "none");
	assert_reasons(p, why, 2);
	assert_int_equal(dmcaps_prediction_reason(p, 1)->cause,
			 DMCAPS_CAUSE_DEVICE_NO_CRYPTO);
	assert_int_equal(dmcaps_prediction_reason(p, 1)->target_index, 1);
	dmcaps_prediction_free(p);

	p = predict(s, "0 8 linear 8:16 0");
	assert_caps(p, "none");
	assert_reasons(p, why + 1, 1);
	dmcaps_prediction_free(p);

	/* An underlying DM device without a crypto dir whose live table
	 * exposes nothing: no inline crypto. */
	p = predict(s, "0 8 linear /dev/mapper/plain 0");
	assert_caps(p, "none");
	assert_reasons(p, why_dm, 1);
	dmcaps_prediction_free(p);
}

/* Linux 6.12 hides a DM device's capabilities gained after registration:
 * predict through its live table, with a warning. */
static void test_dm_hidden_caps(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	static const char *const why[] = {
		"device lin lacks Adiantum",
		"device lin supports 4-byte DUNs, not 8",
	};

	p = predict(s, "0 8 linear /dev/mapper/lin 0");
	assert_caps(p, "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_int_equal(dmcaps_prediction_reason_count(p), 0);
	assert_true(fx_log_has(&s->log, "sysfs may be hiding them"));
	assert_true(fx_log_has(&s->log, "AES-256-XTS:0x1000 dun=4"));
	dmcaps_prediction_free(p);

	p = predict(s, "0 8 linear 8:0 0\n8 8 linear 253:0 0");
	assert_caps(p, "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_reasons(p, why, ARRAY_SIZE(why));
	dmcaps_prediction_free(p);

	/* A table that maps to itself ends, and exposes nothing. */
	p = predict(s, "0 8 linear /dev/mapper/self 0");
	assert_caps(p, "none");
	assert_int_equal(dmcaps_prediction_reason_count(p), 1);
	dmcaps_prediction_free(p);
}

static void test_unreadable_device(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	static const char *const why[] = {
		"the inline crypto capabilities of device sdd cannot be read",
	};

	p = predict(s, "0 8 linear 8:0 0\n8 8 linear 8:48 0");
	assert_caps(p, "none");
	assert_reasons(p, why, 1);
	assert_int_equal(dmcaps_prediction_reason(p, 0)->cause,
			 DMCAPS_CAUSE_DEVICE_UNREADABLE);
	assert_true(fx_log_has(&s->log, "modes/AES-256-XTS"));
	dmcaps_prediction_free(p);
}

static void test_many_reasons_each_once(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	static const char *const why[] = {
		"device sdc lacks AES-256-XTS data-unit sizes 512",
		"device sda lacks NEW-MODE",
		"device mmcblk0 lacks Adiantum",
		"device mmcblk0 supports 4-byte DUNs, not 8",
	};

	/* sdc appears twice and sda is seen again later: nothing is
	 * attributed twice. */
	p = predict(s, "0 8 linear 8:32 0\n8 8 linear 8:0 0\n16 8 linear 179:0 0\n"
		       "24 8 linear 8:0 0\n32 8 linear 8:32 0");
	assert_caps(p, "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_reasons(p, why, ARRAY_SIZE(why));
	dmcaps_prediction_free(p);
}

static void test_empty_table(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p = predict(s, "# nothing\n");

	assert_caps(p, "none");
	assert_false(dmcaps_set_is_unrestricted(dmcaps_prediction_caps(p)));
	assert_int_equal(dmcaps_prediction_reason_count(p), 0);
	dmcaps_prediction_free(p);
}

/* A fixture DM device's live table, predicted and checked for reload. */
static void test_from_fixture_table(void **st)
{
	struct state *s = *st;
	struct dmcaps_table *t = NULL;
	struct dmcaps_prediction *p = NULL, *q = NULL;
	struct dmcaps_dev *dev;

	assert_int_equal(dmcaps_dev_lookup(s->ctx, "lin", &dev), 0);
	assert_int_equal(dmcaps_table_read(s->ctx, dev, DMCAPS_TABLE_LIVE, &t), 0);
	assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
	assert_caps(p, "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_int_equal(dmcaps_prediction_reason_count(p), 3);
	dmcaps_table_free(t);

	/* Reloading onto sda alone would be accepted: a superset. */
	q = predict(s, "0 8 linear 8:0 0");
	assert_true(dmcaps_set_is_superset(dmcaps_prediction_caps(q),
					   dmcaps_prediction_caps(p)));
	dmcaps_prediction_free(q);
	/* Onto sdb it would be refused: "profile -> no profile". */
	q = predict(s, "0 8 linear 8:16 0");
	assert_false(dmcaps_set_is_superset(dmcaps_prediction_caps(q),
					    dmcaps_prediction_caps(p)));
	dmcaps_prediction_free(q);
	dmcaps_prediction_free(p);
}

static struct dmcaps_prediction *predict_live(struct state *s, const char *dm)
{
	struct dmcaps_table *t = NULL;
	struct dmcaps_prediction *p = NULL;
	struct dmcaps_dev *dev = NULL;

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, dm, &dev), 0);
	assert_int_equal(dmcaps_table_read(s->ctx, dev, DMCAPS_TABLE_LIVE, &t), 0);
	assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
	dmcaps_table_free(t);
	return p;
}

static void test_crypto_fallback(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	struct dmcaps_dev *dev = NULL;
	struct dmcaps_table *t = NULL;
	bool on = true;
	static const char *const why[] = {
		"sdb lacks AES-256-XTS: encrypted in software at that device",
		"sdb lacks Adiantum: encrypted in software at that device",
	};
	static const char *const why_intersection[] = {
		"device sdb has no inline crypto",
	};
	static const char *const why_moved[] = {
		"sdb lacks AES-256-XTS: encrypted in software at that device",
		"sdb lacks Adiantum: encrypted in software at that device",
	};

	/* The union, each falling-back device said once (it has 2 targets). */
	p = predict_live(s, "mix");
	assert_caps(p, "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	assert_reasons(p, why, 2);
	assert_int_equal(dmcaps_prediction_reason(p, 0)->cause,
			 DMCAPS_CAUSE_DEVICE_FALLBACK);
	assert_int_equal(dmcaps_prediction_reason(p, 0)->target_index, 1);
	dmcaps_prediction_free(p);

	/* What the device exposes stays, though no device supports it. */
	p = predict_live(s, "moved");
	assert_caps(p, "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	assert_reasons(p, why_moved, 2);
	dmcaps_prediction_free(p);

	/* Switch off: the intersection, as ever. */
	p = predict_live(s, "off");
	assert_caps(p, "none");
	assert_reasons(p, why_intersection, 1);
	dmcaps_prediction_free(p);

	/* A malformed switch is an error naming the file. */
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "bad", &dev), 0);
	assert_int_equal(dmcaps_dev_crypto_fallback(s->ctx, dev, &on), -EBADMSG);
	assert_false(on);
	assert_true(fx_log_has(&s->log, "dm/crypto_fallback: \"yes\" is neither 0 nor 1"));
	assert_int_equal(dmcaps_table_read(s->ctx, dev, DMCAPS_TABLE_LIVE, &t), -EBADMSG);
	assert_null(t);

	/* Not a DM device: off, no error. */
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "sda", &dev), 0);
	on = true;
	assert_int_equal(dmcaps_dev_crypto_fallback(s->ctx, dev, &on), 0);
	assert_false(on);
}

static void test_crypto_fallback_sizes_and_duns(void **st)
{
	struct state *s = *st;
	struct dmcaps_prediction *p;
	struct dmcaps_table *t = NULL;
	static const char *const why[] = {
		"sda lacks AES-256-XTS data-unit sizes 512: encrypted in software at that device",
		"mmcblk0 lacks Adiantum: encrypted in software at that device",
		"mmcblk0 supports 4-byte DUNs, not 8: encrypted in software at that device",
	};
	static const char *const why_crypt[] = {
		"target 2 (crypt) does not pass inline crypto",
	};

	assert_int_equal(dmcaps_table_parse(s->ctx, "0 8 linear 8:0 0\n8 8 linear 179:0 0\n", &t), 0);
	t->crypto_fallback = true;
	assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
	assert_caps(p, "AES-256-XTS:0x1200,Adiantum:0x1000 dun=8 keyslots=0");
	assert_reasons(p, why, 3);
	dmcaps_prediction_free(p);
	dmcaps_table_free(t);

	/* A target that does not pass still leaves nothing. */
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 8 linear 8:0 0\n8 8 crypt aes-xts-plain64 k 0 8:0 0\n", &t), 0);
	t->crypto_fallback = true;
	assert_int_equal(dmcaps_predict(s->ctx, t, &p), 0);
	assert_caps(p, "none");
	assert_reasons(p, why_crypt, 1);
	dmcaps_prediction_free(p);
	dmcaps_table_free(t);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_single_device),
		T(test_intersection),
		T(test_unknown_mode_carried),
		T(test_non_passing_target),
		T(test_device_without_crypto),
		T(test_dm_hidden_caps),
		T(test_unreadable_device),
		T(test_many_reasons_each_once),
		T(test_empty_table),
		T(test_from_fixture_table),
		T(test_crypto_fallback),
		T(test_crypto_fallback_sizes_and_duns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
