// SPDX-License-Identifier: GPL-2.0-or-later
/* Table parsing: every known target type's syntax, and malformed lines. */
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

/* Device arguments of @type @params joined by '|', or NULL with *why. */
static char *devs_of(const char *type, const char *params, const char **why)
{
	const char **devs = NULL;
	size_t argc, ndevs, i, len = 1;
	char **argv, *out;
	int err;

	assert_int_equal(dmcaps_split_args(params, &argv, &argc), 0);
	err = dmcaps_target_type_devs(type, argv, argc, &devs, &ndevs, why);
	if (err) {
		assert_true(err == -EINVAL || err == -ENOENT);
		assert_null(devs);
		free(argv);
		return NULL;
	}
	for (i = 0; i < ndevs; i++)
		len += strlen(devs[i]) + 1;
	out = calloc(1, len);
	for (i = 0; i < ndevs; i++) {
		if (i)
			strcat(out, "|");
		strcat(out, devs[i]);
	}
	free(devs);
	free(argv);
	return out;
}

struct good { const char *type, *params, *devs; };
struct bad { const char *type, *params, *why; };

static const struct good good[] = {
	{ "linear", "8:0 0", "8:0" },
	{ "linear", "/dev/sda 2048", "/dev/sda" },
	{ "linear", "  8:0\t 18446744073709551615 ", "8:0" },
	{ "flakey", "8:0 0 10 5", "8:0" },
	{ "flakey", "8:0 0 10 5 1 drop_writes", "8:0" },
	{ "flakey", "8:0 0 10 5 5 corrupt_bio_byte 32 r 1 0", "8:0" },
	{ "striped", "2 256 8:0 0 8:16 0", "8:0|8:16" },
	{ "striped", "1 8 /dev/sdb 100", "/dev/sdb" },
	{ "mirror", "core 1 1024 2 8:0 0 8:16 0", "8:0|8:16" },
	{ "mirror", "core 2 1024 nosync 2 8:0 0 8:16 0 1 handle_errors", "8:0|8:16" },
	{ "mirror", "disk 2 8:48 1024 2 8:0 0 8:16 0", "8:48|8:0|8:16" },
	{ "delay", "8:0 0 100", "8:0" },
	{ "delay", "8:0 0 100 8:16 0 200", "8:0|8:16" },
	{ "delay", "8:0 0 100 8:16 0 200 8:32 0 0", "8:0|8:16|8:32" },
	{ "zero", "", "" },
	{ "error", "", "" },
	{ "crypt", "aes-xts-plain64 :64:logon:dmcaps:test 0 8:16 0", "8:16" },
	{ "crypt", "aes-xts-plain64 0123 0 /dev/sdb 0 2 allow_discards sector_size:4096",
	  "/dev/sdb" },
	{ "snapshot", "8:0 8:16 P 8", "8:0|8:16" },
	{ "snapshot", "8:0 8:16 N 16 2 discard_zeroes_cow discard_passdown_origin",
	  "8:0|8:16" },
	{ "snapshot-merge", "8:0 8:16 P 8", "8:0|8:16" },
	{ "snapshot-origin", "8:0", "8:0" },
	/* the metadata device takes no part in the intersection */
	{ "thin-pool", "8:0 8:16 128 0", "8:16" },
	{ "thin-pool", "8:0 8:16 128 32768 1 skip_block_zeroing", "8:16" },
	{ "thin", "253:3 1", "253:3" },
	{ "thin", "253:3 1 8:32", "253:3|8:32" },
	{ "raid", "raid1 1 2048 2 - 8:0 - 8:16", "8:0|8:16" },
	/* metadata and journal devices take no part in the intersection */
	{ "raid", "raid1 3 0 region_size 1024 2 8:1 8:0 8:17 8:16", "8:0|8:16" },
	{ "raid", "raid5_ls 3 64 journal_dev 8:64 3 - 8:0 - 8:16 - 8:32",
	  "8:0|8:16|8:32" },
	{ "cache", "8:0 8:16 8:32 512 1 writeback default 0", "8:0|8:16|8:32" },
	{ "cache", "8:0 8:16 8:32 512 0 smq 2 migration_threshold 2048",
	  "8:0|8:16|8:32" },
	{ "writecache", "s 8:0 8:16 4096 0", "8:0|8:16" },
	{ "writecache", "p 8:0 8:16 4096 2 high_watermark 50", "8:0|8:16" },
	{ "era", "8:0 8:16 4096", "8:0|8:16" },
	{ "integrity", "8:0 0 32 J 0", "8:0" },
	{ "integrity", "8:0 0 - D 2 meta_device:8:16 block_size:4096", "8:0|8:16" },
	{ "integrity", "8:0 0 32 J", "8:0" },
	{ "verity", "1 8:0 8:16 4096 4096 262144 1 sha256 "
		    "4392712ba01368efdf14b05c76f9e4df0d53664630b5d48632ed17a137f39076 "
		    "1234000000000000000000000000000000000000000000000000000000000000",
	  "8:0|8:16" },
	{ "verity", "1 8:0 8:16 4096 4096 262144 1 sha256 00 11 "
		    "3 ignore_corruption use_fec_from_device 8:32", "8:0|8:16|8:32" },
	{ "dust", "8:0 0 512", "8:0" },
	{ "unstriped", "2 256 0 8:0 0", "8:0" },
	{ "switch", "2 2048 0 8:0 0 8:16 0", "8:0|8:16" },
	{ "switch", "1 2048 1 opt 8:0 0", "8:0" },
	{ "multipath", "0 0 1 1 round-robin 0 2 1 8:0 1000 8:16 1000", "8:0|8:16" },
	{ "multipath", "1 queue_if_no_path 1 alua 2 1 service-time 0 1 2 8:0 1 1 "
		       "round-robin 0 1 1 8:16 1000", "8:0|8:16" },
	{ "log-writes", "8:0 8:16", "8:0|8:16" },
	{ "ebs", "8:0 0 8", "8:0" },
	{ "clone", "8:0 8:16 8:32 8 1 no_hydration", "8:0|8:16|8:32" },
	/* Backslash escapes a blank, as the kernel's dm_split_args. */
	{ "linear", "/dev/disk/by-id/a\\ b 0", "/dev/disk/by-id/a b" },
};

static const struct bad bad[] = {
	{ "linear", "", "too few" },
	{ "linear", "8:0", "too few" },
	{ "linear", "8:0 x", "non-numeric" },
	{ "linear", "8:0 -1", "non-numeric" },
	{ "linear", "8:0 18446744073709551616", "overflowing" },
	{ "linear", "8:0 0 junk", "trailing" },
	{ "flakey", "8:0 0 10", "too few" },
	{ "flakey", "8:0 0 10 5 2 drop_writes", "announced" },
	{ "flakey", "8:0 0 10 5 x", "non-numeric" },
	{ "striped", "2 256 8:0 0", "too few" },
	{ "striped", "0 256", "zero stripes" },
	{ "striped", "1 256 8:0 0 8:16 0", "trailing" },
	{ "striped", "x 256 8:0 0", "non-numeric" },
	{ "striped", "99999999999 256 8:0 0", "too few" },
	{ "mirror", "core 1 1024 2 8:0 0", "too few" },
	{ "mirror", "core 5 1024", "mirror log" },
	{ "mirror", "core 1 1024 1 8:0 0 1 handle_errors extra", "trailing" },
	{ "delay", "8:0 0", "too few" },
	{ "delay", "8:0 0 100 8:16 0", "too few" },
	{ "delay", "8:0 0 100 8:16 0 1 8:32 0 0 x", "trailing" },
	{ "zero", "1", "trailing" },
	{ "error", "x", "trailing" },
	{ "crypt", "aes-xts-plain64 key 0 8:16", "too few" },
	{ "crypt", "aes-xts-plain64 key x 8:16 0", "non-numeric" },
	{ "crypt", "aes-xts-plain64 key 0 8:16 0 1", "announced" },
	{ "crypt", "aes-xts-plain64 key 0 8:16 0 1 a b", "trailing" },
	{ "snapshot", "8:0 8:16 X 8", "persistence" },
	{ "snapshot", "8:0 8:16 P", "too few" },
	{ "snapshot-origin", "8:0 8:16", "trailing" },
	{ "snapshot-origin", "", "too few" },
	{ "thin-pool", "8:0 8:16 128", "too few" },
	{ "thin", "253:3", "too few" },
	{ "thin", "253:3 x", "non-numeric" },
	{ "thin", "253:3 1 8:32 extra", "trailing" },
	{ "raid", "raid1 1 2048 2 - 8:0 -", "too few" },
	{ "raid", "raid1 1 2048 0", "zero raid" },
	{ "raid", "raid1 5 2048", "announced" },
	{ "raid", "raid5 2 64 journal_dev 1 - 8:0", "journal_dev" },
	{ "cache", "8:0 8:16 8:32 512 0 smq", "too few" },
	{ "cache", "8:0 8:16 8:32 512 0 smq 0 x", "trailing" },
	{ "writecache", "x 8:0 8:16 4096 0", "writecache type" },
	{ "writecache", "s 8:0 8:16 4096", "too few" },
	{ "era", "8:0 8:16", "too few" },
	{ "integrity", "8:0 0 32 J 1 meta_device:", "meta_device" },
	{ "integrity", "8:0 0", "too few" },
	{ "verity", "1 8:0 8:16 4096 4096 262144 1 sha256 00", "too few" },
	{ "verity", "1 8:0 8:16 4096 4096 262144 1 sha256 00 11 1 use_fec_from_device",
	  "use_fec_from_device" },
	{ "dust", "8:0 0", "too few" },
	{ "unstriped", "2 256 0 8:0", "too few" },
	{ "switch", "2 2048 0 8:0 0", "too few" },
	{ "switch", "0 2048 0", "zero paths" },
	{ "multipath", "0 0 1 1 round-robin 0 2 1 8:0 1000", "too few" },
	{ "multipath", "0 0 1 1 round-robin 0 1 1 8:0 1000 extra", "trailing" },
	{ "log-writes", "8:0", "too few" },
	{ "ebs", "8:0 0 8 8 8", "trailing" },
	{ "clone", "8:0 8:16 8:32", "too few" },
};

static void test_target_types_good(void **st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const char *why = NULL;
		char *devs = devs_of(good[i].type, good[i].params, &why);

		if (!devs)
			fail_msg("%s \"%s\": rejected (%s)", good[i].type,
				 good[i].params, why ?: "unknown type");
		if (strcmp(devs, good[i].devs))
			fail_msg("%s \"%s\": devices \"%s\", expected \"%s\"",
				 good[i].type, good[i].params, devs, good[i].devs);
		free(devs);
	}
}

static void test_target_types_bad(void **st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *why = NULL;
		char *devs = devs_of(bad[i].type, bad[i].params, &why);

		if (devs)
			fail_msg("%s \"%s\": accepted (devices \"%s\")", bad[i].type,
				 bad[i].params, devs);
		if (!why || !strstr(why, bad[i].why))
			fail_msg("%s \"%s\": fault \"%s\", expected \"%s\"", bad[i].type,
				 bad[i].params, why ?: "(none)", bad[i].why);
	}
}

/* Every listed type is known and covered by a good and a bad case. */
static void test_target_types_covered(void **st)
{
	static const char *const types[] = {
		"linear", "flakey", "striped", "mirror", "delay", "zero", "error",
		"crypt", "snapshot", "snapshot-origin", "thin-pool", "thin", "raid",
		"cache", "writecache", "era", "integrity", "verity", "dust",
		"unstriped", "switch", "multipath",
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		bool g = false, b = false;

		assert_true(dmcaps_target_type_known(types[i]));
		for (j = 0; j < ARRAY_SIZE(good); j++)
			g |= !strcmp(good[j].type, types[i]);
		for (j = 0; j < ARRAY_SIZE(bad); j++)
			b |= !strcmp(bad[j].type, types[i]);
		if (!g || !b)
			fail_msg("%s lacks a %s case", types[i], g ? "bad" : "good");
	}
	assert_false(dmcaps_target_type_known("vdo"));
}

/* dm-raid passes as raid1 and raid10 only, not with write-behind
 * (kernel-patches/dm-crypto/0021). */
static void test_raid_opts_out(void **st)
{
	static const struct {
		const char *params;
		bool out;
	} cases[] = {
		{ "raid1 1 0 2 - 8:0 - 8:16", false },
		{ "raid1 3 0 region_size 1024 2 8:1 8:0 8:17 8:16", false },
		{ "raid10 5 128 raid10_copies 2 raid10_format near 2 - 8:0 - 8:16", false },
		{ "raid1 5 0 write_mostly 1 max_write_behind 256 2 - 8:0 - 8:16", true },
		{ "raid1 3 0 max_write_behind 0 2 - 8:0 - 8:16", true },
		{ "raid0 1 128 2 - 8:0 - 8:16", true },
		{ "raid5_ls 1 128 3 - 8:0 - 8:16 - 8:32", true },
		{ "raid6_zr 1 128 4 - 8:0 - 8:16 - 8:32 - 8:48", true },
		{ "raid4 1 128 3 - 8:0 - 8:16 - 8:32", true },
	};
	size_t i, argc;
	char **argv;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(dmcaps_split_args(cases[i].params, &argv, &argc), 0);
		if (dmcaps_target_opts_out("raid", argv, argc) != cases[i].out)
			fail_msg("raid \"%s\": opts out %d, expected %d",
				 cases[i].params, !cases[i].out, cases[i].out);
		free(argv);
	}
	assert_false(dmcaps_target_opts_out("linear", NULL, 0));
}

static void test_passes(void **st)
{
	static const char *const no[] = {
		"striped", "mirror", "delay", "zero", "error", "crypt", "snapshot",
		"snapshot-origin", "thin-pool", "thin", "raid", "cache", "writecache",
		"era", "integrity", "verity", "dust", "unstriped", "switch", "multipath",
	};
	size_t i;

	/* Stock 6.12: only linear and flakey set DM_TARGET_PASSES_CRYPTO. */
	assert_int_equal(dmcaps_target_type_passes(NULL, "linear"), DMCAPS_PASSES_YES);
	assert_int_equal(dmcaps_target_type_passes(NULL, "flakey"), DMCAPS_PASSES_YES);
	for (i = 0; i < ARRAY_SIZE(no); i++)
		assert_int_equal(dmcaps_target_type_passes(NULL, no[i]), DMCAPS_PASSES_NO);
	assert_int_equal(dmcaps_target_type_passes(NULL, "vdo"),
			 DMCAPS_PASSES_UNKNOWN_TYPE);
	assert_int_equal(dmcaps_target_type_passes(NULL, NULL),
			 DMCAPS_PASSES_UNKNOWN_TYPE);
}

/* ---- dmcaps_table_parse over a fixture sysroot ------------------------- */

struct state {
	char *root;
	struct fx_log log;
	struct dmcaps_ctx *ctx;
};

static int setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));

	s->root = fx_root();
	fx_disk(s->root, "sda", "8:0");
	fx_part(s->root, "sda", "sda1", "8:1", "1");
	fx_disk(s->root, "sdb", "8:16");
	fx_dm(s->root, "dm-0", "253:0", "my vol", NULL);
	s->ctx = fx_ctx(s->root, &s->log);
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

static void test_parse_table(void **st)
{
	struct state *s = *st;
	struct dmcaps_table *t = NULL;
	const struct dmcaps_target *tg;

	assert_int_equal(dmcaps_table_parse(s->ctx,
		"# dmsetup table of a test device\n"
		"\n"
		"0 2048 linear 8:1 0\n"
		"   \t\n"
		"2048 4096 striped 2 128 /dev/sdb 0 /dev/mapper/my\\ vol 0\n"
		"6144 8 crypt aes-xts-plain64 :32:logon:k 0 8:0 0 1 allow_discards  \n"
		"6152 8 vdo V4 /dev/sda 1 128\n"
		"6160 8 zero", &t), 0);
	assert_int_equal(dmcaps_table_target_count(t), 5);
	assert_null(dmcaps_table_target(t, 5));

	tg = dmcaps_table_target(t, 0);
	assert_int_equal(dmcaps_target_start(tg), 0);
	assert_int_equal(dmcaps_target_length(tg), 2048);
	assert_string_equal(dmcaps_target_type(tg), "linear");
	assert_string_equal(dmcaps_target_params(tg), "8:1 0");
	assert_int_equal(dmcaps_target_passes(tg), DMCAPS_PASSES_YES);
	assert_int_equal(dmcaps_target_dev_count(tg), 1);
	assert_string_equal(dmcaps_dev_kname(dmcaps_target_dev(tg, 0)), "sda1");
	assert_null(dmcaps_target_dev(tg, 1));

	tg = dmcaps_table_target(t, 1);
	assert_int_equal(dmcaps_target_start(tg), 2048);
	assert_int_equal(dmcaps_target_passes(tg), DMCAPS_PASSES_NO);
	assert_int_equal(dmcaps_target_dev_count(tg), 2);
	assert_string_equal(dmcaps_dev_kname(dmcaps_target_dev(tg, 0)), "sdb");
	assert_string_equal(dmcaps_dev_kname(dmcaps_target_dev(tg, 1)), "dm-0");

	tg = dmcaps_table_target(t, 2);
	assert_string_equal(dmcaps_target_params(tg),
			    "aes-xts-plain64 :32:logon:k 0 8:0 0 1 allow_discards");

	/* Unknown type: kept, no devices, a note in the log. */
	tg = dmcaps_table_target(t, 3);
	assert_string_equal(dmcaps_target_type(tg), "vdo");
	assert_int_equal(dmcaps_target_passes(tg), DMCAPS_PASSES_UNKNOWN_TYPE);
	assert_int_equal(dmcaps_target_dev_count(tg), 0);
	assert_true(fx_log_has(&s->log, "line 7: unknown target type vdo"));

	tg = dmcaps_table_target(t, 4);
	assert_string_equal(dmcaps_target_params(tg), "");
	assert_int_equal(dmcaps_target_dev_count(tg), 0);
	dmcaps_table_free(t);

	/* Empty text: a table without targets. */
	assert_int_equal(dmcaps_table_parse(s->ctx, "\n# nothing\n", &t), 0);
	assert_int_equal(dmcaps_table_target_count(t), 0);
	dmcaps_table_free(t);
}

static void expect_bad_table(struct state *s, const char *text, int err,
			     const char *msg)
{
	struct dmcaps_table *t = (void *)1;

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, text, &t), err);
	assert_null(t);
	if (!fx_log_has(&s->log, msg))
		fail_msg("table \"%s\": log \"%s\" lacks \"%s\"", text, s->log.buf, msg);
}

static void test_parse_table_bad(void **st)
{
	struct state *s = *st;

	expect_bad_table(s, "0 2048", -EINVAL, "line 1: too few fields");
	expect_bad_table(s, "0", -EINVAL, "line 1: too few fields");
	expect_bad_table(s, "\n\n0 8 linear 8:0 0\nfoo", -EINVAL, "line 4: too few fields");
	expect_bad_table(s, "x 2048 linear 8:0 0", -EINVAL, "line 1: start sector \"x\" is not a number");
	expect_bad_table(s, "-1 2048 linear 8:0 0", -EINVAL, "not a number");
	expect_bad_table(s, "0 2k linear 8:0 0", -EINVAL, "line 1: length \"2k\" is not a number");
	expect_bad_table(s, "18446744073709551616 8 linear 8:0 0", -EINVAL, "too large");
	expect_bad_table(s, "0 18446744073709551616 linear 8:0 0", -EINVAL, "too large");
	expect_bad_table(s, "18446744073709551615 1 linear 8:0 0", -EINVAL,
			 "line 1: start + length overflows");
	expect_bad_table(s, "1 18446744073709551615 linear 8:0 0", -EINVAL, "overflows");
	expect_bad_table(s, "0 0 linear 8:0 0", -EINVAL, "zero-length");
	expect_bad_table(s, "0 8 linear 8:0 0\n8 8 linear 8:0", -EINVAL,
			 "line 2: malformed linear target: too few arguments");
	expect_bad_table(s, "0 8 linear 8:0 0 0", -EINVAL, "line 1: malformed linear target: trailing");
	expect_bad_table(s, "0 8 striped 2 x 8:0 0 8:16 0", -EINVAL, "non-numeric");
	expect_bad_table(s, "0 8 linear 8:99 0", -ENODEV, "line 1: device 8:99 of the linear target not found");
	expect_bad_table(s, "0 8 linear /dev/sdz 0", -ENODEV, "/dev/sdz");
	expect_bad_table(s, "0 8 linear 8:0 0\n# c\n0 8 crypt a b 0 /dev/mapper/nope 0",
			 -ENODEV, "line 3");
}

/* Robustness: random lines never crash the parser. */
static void test_parse_table_no_crash(void **st)
{
	struct state *s = *st;
	static const char *const words[] = {
		"0", "8", "18446744073709551615", "linear", "striped", "mirror", "raid",
		"multipath", "crypt", "8:0", "8:16", "-", "1", "2", "core", "disk",
		"x", "\n", "#", "\\", "meta_device:", "journal_dev",
		"use_fec_from_device", "vdo", "", " ",
	};
	unsigned int seed = 7;
	char buf[512];
	int i, j;

	dmcaps_set_log_callback(s->ctx, NULL, NULL);
	for (i = 0; i < 5000; i++) {
		struct dmcaps_table *t = NULL;
		int n = rand_r(&seed) % 20;

		buf[0] = '\0';
		for (j = 0; j < n; j++) {
			strcat(buf, words[rand_r(&seed) % ARRAY_SIZE(words)]);
			strcat(buf, (rand_r(&seed) % 4) ? " " : "");
		}
		if (!dmcaps_table_parse(s->ctx, buf, &t))
			dmcaps_table_free(t);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_types_good),
		cmocka_unit_test(test_target_types_bad),
		cmocka_unit_test(test_target_types_covered),
		cmocka_unit_test(test_passes),
		cmocka_unit_test(test_raid_opts_out),
		T(test_parse_table),
		T(test_parse_table_bad),
		T(test_parse_table_no_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
