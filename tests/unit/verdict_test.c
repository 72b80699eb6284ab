// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Verdicts over fixture sysroots (keeps, expands, shrinks, cannot tell; the
 * causes of every change; 6.12's stale sysfs), and the table text reader,
 * layout checks and key masking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	static const char *const both[] = {
		"AES-256-XTS", "0x1000", "Adiantum", "0x1000", NULL };
	static const char *const xts[] = { "AES-256-XTS", "0x1000", NULL };
	static const char *const emmc[] = { "AES-256-XTS", "0x1200", NULL };
	static const char *const garbage[] = { "AES-256-XTS", "0xnope", NULL };

	s->root = r = fx_root();
	fx_disk(r, "sda", "8:0");		/* both modes, 8-byte DUNs */
	fx_crypto(r, "sda", "64", "32", both);
	fx_disk(r, "sdb", "8:16");		/* XTS 512+4096, 4-byte DUNs */
	fx_crypto(r, "sdb", "32", "8", emmc);
	fx_disk(r, "sdc", "8:32");		/* nothing */
	fx_disk(r, "sdd", "8:48");		/* XTS 4096, 8-byte DUNs */
	fx_crypto(r, "sdd", "64", "8", xts);
	fx_disk(r, "sde", "8:64");		/* unreadable */
	fx_crypto(r, "sde", "64", "8", garbage);

	fx_dm(r, "dm-0", "253:0", "vol", NULL);		/* over sda, complete */
	fx_crypto(r, "dm-0", "64", "0", both);
	fx_table(r, "vol", "live", "0 100 linear 8:0 0\n");
	fx_dm(r, "dm-1", "253:1", "grown", NULL);	/* Adiantum file hidden */
	fx_crypto(r, "dm-1", "64", "0", xts);
	fx_table(r, "grown", "live", "0 100 linear 8:0 0\n");
	fx_dm(r, "dm-2", "253:2", "late", NULL);	/* no crypto dir */
	fx_table(r, "late", "live", "0 100 linear 8:0 0\n");
	fx_dm(r, "dm-3", "253:3", "upper", NULL);	/* over vol: ambiguous */
	fx_crypto(r, "dm-3", "64", "0", xts);
	fx_table(r, "upper", "live", "0 100 linear 253:0 0\n");
	fx_dm(r, "dm-4", "253:4", "empty", NULL);	/* over sdc */
	fx_table(r, "empty", "live", "0 100 linear 8:32 0\n");
	fx_dm(r, "dm-5", "253:5", "notable", NULL);	/* no live table */
	fx_dm(r, "dm-6", "253:6", "bad", NULL);		/* unreadable sysfs */
	fx_crypto(r, "dm-6", "64", "0", garbage);
	fx_table(r, "bad", "live", "0 100 linear 8:0 0\n");
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

/* A verdict in a fresh context (verdicts correct the context's caches). */
static struct dmcaps_verdict *verdict(struct state *s, const char *dev,
				      const char *text)
{
	struct dmcaps_table *t = NULL;
	struct dmcaps_verdict *v = NULL;

	dmcaps_free(s->ctx);
	fx_log_reset(&s->log);
	s->ctx = fx_ctx(s->root, &s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, text, &t), 0);
	assert_int_equal(dmcaps_verdict_new(s->ctx, dev, t, &v), 0);
	/* The verdict outlives its table. */
	dmcaps_table_free_wipe(t);
	return v;
}

static void assert_set(const struct dmcaps_set *set, const char *expect)
{
	char *text = NULL;

	assert_int_equal(dmcaps_set_format(set, &text), 0);
	if (strcmp(text, expect))
		fail_msg("set \"%s\", expected \"%s\"", text, expect);
	free(text);
}

/* Change @idx: lost/gained, what and cause as formatted. */
static void assert_change(const struct dmcaps_verdict *v, size_t idx, bool gained,
			  const char *what, const char *cause)
{
	const struct dmcaps_change *c = dmcaps_verdict_change(v, idx);
	char *w = NULL, *k = NULL;

	assert_non_null(c);
	assert_int_equal(c->gained, gained);
	assert_int_equal(dmcaps_change_format_what(c, &w), 0);
	assert_int_equal(dmcaps_change_format_cause(c, &k), 0);
	if (strcmp(w, what) || strcmp(k, cause))
		fail_msg("change %zu: \"%s\": \"%s\", expected \"%s\": \"%s\"",
			 idx, w, k, what, cause);
	free(w);
	free(k);
}

static void test_keeps(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "vol", "0 50 linear 8:0 0\n50 50 flakey 8:0 50 1 0\n");

	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_KEEPS);
	assert_string_equal(dmcaps_verdict_kind_name(DMCAPS_VERDICT_KEEPS), "keeps");
	assert_true(dmcaps_verdict_device_exists(v));
	assert_string_equal(dmcaps_dev_kname(dmcaps_verdict_device(v)), "dm-0");
	assert_int_equal(dmcaps_verdict_change_count(v), 0);
	assert_null(dmcaps_verdict_why_unknown(v));
	assert_string_equal(dmcaps_verdict_old_source(v), "sysfs");
	dmcaps_verdict_free(v);
}

static void test_shrinks_by_device(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "vol", "0 50 linear 8:0 0\n50 50 linear 8:16 0\n");

	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	assert_set(dmcaps_verdict_new_caps(v), "AES-256-XTS:0x1000 dun=4 keyslots=0");
	assert_int_equal(dmcaps_verdict_change_count(v), 2);
	assert_change(v, 0, false, "Adiantum(4096)",
		      "device sdb lacks Adiantum (target 2, linear)");
	assert_change(v, 1, false, "8-byte DUNs (new table: 4)",
		      "device sdb supports 4-byte DUNs, not 8 (target 2, linear)");
	dmcaps_verdict_free(v);
}

static void test_shrinks_by_target(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "vol",
		"0 50 linear 8:0 0\n50 50 crypt aes-xts-plain64 00112233 0 8:0 0\n");
	const struct dmcaps_change *c;

	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	assert_true(dmcaps_set_is_empty(dmcaps_verdict_new_caps(v)));
	assert_int_equal(dmcaps_verdict_change_count(v), 2);
	assert_change(v, 0, false, "AES-256-XTS(4096)",
		      "target 2 (crypt) does not pass inline crypto");
	c = dmcaps_verdict_change(v, 1);
	assert_int_equal(c->reason->cause, DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH);
	assert_int_equal(c->reason->target_index, 1);
	assert_string_equal(c->reason->target_type, "crypt");
	dmcaps_verdict_free(v);
}

static void test_no_device_offers(void **st)
{
	struct state *s = *st;
	/* One device: the prediction has no reason; the verdict names it. */
	struct dmcaps_verdict *v = verdict(s, "vol", "0 100 linear 8:48 0\n");

	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	assert_int_equal(dmcaps_verdict_change_count(v), 1);
	assert_change(v, 0, false, "Adiantum(4096)",
		      "device sdd lacks Adiantum (target 1, linear)");
	dmcaps_verdict_free(v);
}

static void test_expands(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "empty", "0 100 linear 8:16 0\n");

	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_EXPANDS);
	assert_true(dmcaps_set_is_empty(dmcaps_verdict_old_caps(v)));
	assert_int_equal(dmcaps_verdict_change_count(v), 1);
	assert_change(v, 0, true, "AES-256-XTS(512,4096)",
		      "live table: device sdc has no inline crypto (target 1, linear)");
	dmcaps_verdict_free(v);
}

static void test_first_table(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "newdev", "0 100 linear 8:32 0\n");

	assert_false(dmcaps_verdict_device_exists(v));
	assert_null(dmcaps_verdict_device(v));
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_KEEPS);
	assert_false(fx_log_has(&s->log, "not found"));
	dmcaps_verdict_free(v);

	v = verdict(s, "/dev/mapper/newdev", "0 100 linear 8:0 0\n");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_EXPANDS);
	assert_change(v, 0, true, "AES-256-XTS(4096)", "the device does not expose it now");
	dmcaps_verdict_free(v);

	/* no live table yet: nothing exposed */
	v = verdict(s, "notable", "0 100 linear 8:0 0\n");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_EXPANDS);
	assert_string_equal(dmcaps_verdict_old_source(v), "sysfs (no live table)");
	dmcaps_verdict_free(v);
}

static void test_hidden_mode_file(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "grown", "0 100 linear 8:48 0\n");

	/* sysfs shows XTS only; the live table over hardware has Adiantum */
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	assert_set(dmcaps_verdict_old_caps(v),
		   "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	assert_string_equal(dmcaps_verdict_old_source(v), "sysfs and the live table");
	assert_true(fx_log_has(&s->log, "never adds a mode file"));
	dmcaps_verdict_free(v);

	/* and as an underlying device of a new table */
	v = verdict(s, "newdev", "0 100 linear 253:1 0\n");
	assert_set(dmcaps_verdict_new_caps(v),
		   "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	dmcaps_verdict_free(v);
}

static void test_missing_dir(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v = verdict(s, "late", "0 100 linear 8:48 0\n");

	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	assert_string_equal(dmcaps_verdict_old_source(v),
			    "the live table (sysfs shows none)");
	dmcaps_verdict_free(v);
}

static void test_cannot_tell(void **st)
{
	struct state *s = *st;
	struct dmcaps_verdict *v;

	/* upper: at least XTS (sysfs), at most XTS + Adiantum (its table
	 * over vol, a DM device that may have gained since) */
	v = verdict(s, "upper", "0 100 linear 8:48 0\n");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_CANNOT_TELL);
	assert_non_null(dmcaps_verdict_why_unknown(v));
	assert_string_equal(dmcaps_verdict_kind_name(DMCAPS_VERDICT_CANNOT_TELL),
			    "cannot tell");
	dmcaps_verdict_free(v);

	/* below the lower bound: certain */
	v = verdict(s, "upper", "0 100 linear 8:16 0\n");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	assert_null(dmcaps_verdict_why_unknown(v));
	dmcaps_verdict_free(v);

	/* above the upper bound: certain */
	v = verdict(s, "upper", "0 100 linear 8:0 0\n");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_KEEPS);
	dmcaps_verdict_free(v);

	/* the device's own sysfs unreadable */
	v = verdict(s, "bad", "0 100 linear 8:0 0\n");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_CANNOT_TELL);
	dmcaps_verdict_free(v);
}

static void test_bad_device(void **st)
{
	struct state *s = *st;
	struct dmcaps_table *t = NULL;
	struct dmcaps_verdict *v = NULL;

	dmcaps_free(s->ctx);
	s->ctx = fx_ctx(s->root, &s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 10 linear 8:0 0", &t), 0);
	assert_int_equal(dmcaps_verdict_new(s->ctx, "sda", t, &v), -EMEDIUMTYPE);
	assert_null(v);
	assert_int_equal(dmcaps_verdict_new(s->ctx, "/dev/nosuch", t, &v), -ENODEV);
	assert_int_equal(dmcaps_verdict_new(s->ctx, "8:99", t, &v), -ENODEV);
	assert_int_equal(dmcaps_verdict_new(s->ctx, NULL, t, &v), -EINVAL);
	dmcaps_table_free(t);
}

/* ---- table text ---------------------------------------------------- */

static int pipe_with(const char *data, size_t len)
{
	int fd[2];

	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], data, len), (ssize_t)len);
	close(fd[1]);
	return fd[0];
}

static void test_text_read(void **st)
{
	struct state *s = *st;
	char *text = NULL, *big;
	size_t n = 60000, i;
	int fd;

	dmcaps_free(s->ctx);
	s->ctx = fx_ctx(s->root, &s->log);
	fd = pipe_with("0 1 linear 8:0 0\n1 1 linear 8:0 1\n", 34);
	assert_int_equal(dmcaps_table_text_read(s->ctx, fd, "stdin", &text), 0);
	close(fd);
	assert_string_equal(text, "0 1 linear 8:0 0\n1 1 linear 8:0 1\n");
	dmcaps_text_wipe_free(text);

	/* empty input: empty text */
	fd = pipe_with("", 0);
	assert_int_equal(dmcaps_table_text_read(s->ctx, fd, "stdin", &text), 0);
	close(fd);
	assert_string_equal(text, "");
	dmcaps_text_wipe_free(text);

	/* a NUL byte: not text */
	fd = pipe_with("0 1 linear\0 8:0 0\n", 18);
	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_text_read(s->ctx, fd, "stdin", &text), -EINVAL);
	close(fd);
	assert_null(text);
	assert_true(fx_log_has(&s->log, "NUL byte"));

	/* larger than a pipe buffer, through a file: grows and copies */
	big = malloc(n + 1);
	for (i = 0; i < n; i++)
		big[i] = i % 80 == 79 ? '\n' : 'x';
	big[n] = '\0';
	{
		char path[] = "/tmp/dmcaps-verdict-test-XXXXXX";
		int wfd = mkstemp(path);

		assert_true(wfd >= 0);
		assert_int_equal(write(wfd, big, n), (ssize_t)n);
		lseek(wfd, 0, SEEK_SET);
		assert_int_equal(dmcaps_table_text_read(s->ctx, wfd, path, &text), 0);
		close(wfd);
		unlink(path);
	}
	assert_string_equal(text, big);
	dmcaps_text_wipe_free(text);
	free(big);

	assert_int_equal(dmcaps_table_text_read(s->ctx, -1, "x", &text), -EINVAL);
	dmcaps_text_wipe_free(NULL);
}

static void test_validate(void **st)
{
	struct state *s = *st;
	struct dmcaps_table *t = NULL;

	dmcaps_free(s->ctx);
	s->ctx = fx_ctx(s->root, &s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 10 linear 8:0 0\n10 5 linear 8:0 0\n", &t), 0);
	assert_int_equal(dmcaps_table_validate(s->ctx, t), 0);
	dmcaps_table_free(t);

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 10 linear 8:0 0\n11 5 linear 8:0 0\n", &t), 0);
	assert_int_equal(dmcaps_table_validate(s->ctx, t), -EINVAL);
	assert_true(fx_log_has(&s->log, "target 2 (linear) starts at sector 11, not 10"));
	dmcaps_table_free(t);

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, "5 10 linear 8:0 0\n", &t), 0);
	assert_int_equal(dmcaps_table_validate(s->ctx, t), -EINVAL);
	assert_true(fx_log_has(&s->log, "not 0 where the table starts"));
	dmcaps_table_free(t);

	fx_log_reset(&s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, "# only a comment\n", &t), 0);
	assert_int_equal(dmcaps_table_validate(s->ctx, t), -EINVAL);
	assert_true(fx_log_has(&s->log, "no targets"));
	dmcaps_table_free(t);
}

static void test_mask_key(void **st)
{
	struct state *s = *st;
	struct dmcaps_table *t = NULL;
	char *text = NULL;

	dmcaps_free(s->ctx);
	s->ctx = fx_ctx(s->root, &s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx,
		"0 10 crypt aes-xts-plain64 0011aabb 0 8:0 0 1 allow_discards\n"
		"10 10 linear 8:0 0\n"
		"20 10 crypt capi:xts(aes)-plain64 :32:logon:my\\ key 0 8:0 0\n", &t), 0);
	assert_int_equal(dmcaps_target_params_masked(dmcaps_table_target(t, 0), &text), 0);
	assert_string_equal(text, "aes-xts-plain64 <key> 0 8:0 0 1 allow_discards");
	free(text);
	assert_int_equal(dmcaps_target_params_masked(dmcaps_table_target(t, 1), &text), 0);
	assert_string_equal(text, "8:0 0");
	free(text);
	assert_int_equal(dmcaps_target_params_masked(dmcaps_table_target(t, 2), &text), 0);
	assert_string_equal(text, "capi:xts(aes)-plain64 <key> 0 8:0 0");
	free(text);
	dmcaps_table_free_wipe(t);
	dmcaps_table_free_wipe(NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_keeps),
		T(test_shrinks_by_device),
		T(test_shrinks_by_target),
		T(test_no_device_offers),
		T(test_expands),
		T(test_first_table),
		T(test_hidden_mode_file),
		T(test_missing_dir),
		T(test_cannot_tell),
		T(test_bad_device),
		T(test_text_read),
		T(test_validate),
		T(test_mask_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
