// SPDX-License-Identifier: GPL-2.0-or-later
/* Capability sets: algebra, text form, limits. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "internal.h"
#include "fixture.h"

static struct dmcaps_set *parse(const char *text)
{
	struct dmcaps_set *s = NULL;

	assert_int_equal(dmcaps_set_parse(NULL, text, &s), 0);
	assert_non_null(s);
	return s;
}

static void assert_format(const struct dmcaps_set *s, const char *expect)
{
	char *text = NULL;

	assert_int_equal(dmcaps_set_format(s, &text), 0);
	assert_string_equal(text, expect);
	free(text);
}

static void test_empty(void **state)
{
	struct dmcaps_set *s = NULL;

	assert_int_equal(dmcaps_set_new(&s), 0);
	assert_true(dmcaps_set_is_empty(s));
	assert_false(dmcaps_set_is_unrestricted(s));
	assert_int_equal(dmcaps_set_mode_count(s), 0);
	assert_null(dmcaps_set_mode_name(s, 0));
	assert_int_equal(dmcaps_set_get_keyslots(s), DMCAPS_KEYSLOTS_UNKNOWN);
	assert_format(s, "none");
	/* A mode with no sizes is no mode. */
	assert_int_equal(dmcaps_set_add_mode(s, "Adiantum", 0), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "FUTURE-MODE", 0), 0);
	assert_true(dmcaps_set_is_empty(s));
	assert_format(s, "none");
	dmcaps_set_free(s);
}

static void test_modes_order_and_unknown(void **state)
{
	struct dmcaps_set *s = NULL;

	assert_int_equal(dmcaps_set_new(&s), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "ZZZ-NEW", 0x1000), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "SM4-XTS", 0x1000), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "AAA-NEW", 0x200), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "AES-256-XTS", 0x200), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "AES-256-XTS", 0x1000), 0);
	assert_int_equal(dmcaps_set_mode_count(s), 4);
	/* Known modes in kernel order, then unknown ones by name. */
	assert_string_equal(dmcaps_set_mode_name(s, 0), "AES-256-XTS");
	assert_string_equal(dmcaps_set_mode_name(s, 1), "SM4-XTS");
	assert_string_equal(dmcaps_set_mode_name(s, 2), "AAA-NEW");
	assert_string_equal(dmcaps_set_mode_name(s, 3), "ZZZ-NEW");
	assert_null(dmcaps_set_mode_name(s, 4));
	assert_int_equal(dmcaps_set_get_mode(s, "AES-256-XTS"), 0x1200);
	assert_int_equal(dmcaps_set_get_mode(s, "ZZZ-NEW"), 0x1000);
	assert_int_equal(dmcaps_set_get_mode(s, "Adiantum"), 0);
	assert_int_equal(dmcaps_set_get_mode(s, "NOPE"), 0);
	assert_format(s, "AES-256-XTS:0x1200,SM4-XTS:0x1000,AAA-NEW:0x200,"
		      "ZZZ-NEW:0x1000 dun=0");
	/* Names that cannot round-trip through the text form. */
	assert_int_equal(dmcaps_set_add_mode(s, "a:b", 1), -EINVAL);
	assert_int_equal(dmcaps_set_add_mode(s, "a,b", 1), -EINVAL);
	assert_int_equal(dmcaps_set_add_mode(s, "a b", 1), -EINVAL);
	assert_int_equal(dmcaps_set_add_mode(s, "", 1), -EINVAL);
	dmcaps_set_free(s);
}

static void test_bit31_and_dun_limits(void **state)
{
	struct dmcaps_set *s = NULL, *p;
	char *text;

	assert_int_equal(dmcaps_set_new(&s), 0);
	assert_int_equal(dmcaps_set_add_mode(s, "Adiantum", 0x80000001u), 0);
	assert_int_equal(dmcaps_set_get_mode(s, "Adiantum"), 0x80000001u);
	assert_int_equal(dmcaps_set_set_max_dun_bytes(s, 0), 0);
	assert_int_equal(dmcaps_set_set_max_dun_bytes(s, 32), 0);
	assert_int_equal(dmcaps_set_set_max_dun_bytes(s, 33), -EINVAL);
	assert_int_equal(dmcaps_set_get_max_dun_bytes(s), 32);
	assert_format(s, "Adiantum:0x80000001 dun=32");

	assert_int_equal(dmcaps_dus_mask_format(0x80000001u, &text), 0);
	assert_string_equal(text, "1,2147483648");
	free(text);
	assert_int_equal(dmcaps_dus_mask_format(0x1200, &text), 0);
	assert_string_equal(text, "512,4096");
	free(text);
	assert_int_equal(dmcaps_dus_mask_format(0, &text), 0);
	assert_string_equal(text, "");
	free(text);

	p = parse("Adiantum:0xffffffff dun=32");
	assert_int_equal(dmcaps_set_get_mode(p, "Adiantum"), 0xffffffffu);
	dmcaps_set_free(p);
	dmcaps_set_free(s);
}

static void test_round_trip(void **state)
{
	static const char *const texts[] = {
		"none",
		"none keyslots=0",
		"unrestricted",
		"AES-256-XTS:0x1200,Adiantum:0x1000 dun=8",
		"AES-256-XTS:0x1200,Adiantum:0x1000 dun=8 keyslots=0",
		"AES-256-XTS:0x1000,AES-128-CBC-ESSIV:0x1000,Adiantum:0x1000,"
			"SM4-XTS:0x1000,NEW-MODE:0x80000000 dun=32 keyslots=64",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		struct dmcaps_set *s = parse(texts[i]), *d = NULL;

		assert_format(s, texts[i]);
		assert_int_equal(dmcaps_set_dup(s, &d), 0);
		assert_true(dmcaps_set_identical(s, d));
		assert_format(d, texts[i]);
		dmcaps_set_free(d);
		dmcaps_set_free(s);
	}
}

static void test_parse_any_order(void **state)
{
	struct dmcaps_set *s = parse("Adiantum:0x1000,AES-256-XTS:0x1200 keyslots=3 dun=8");

	assert_format(s, "AES-256-XTS:0x1200,Adiantum:0x1000 dun=8 keyslots=3");
	assert_int_equal(dmcaps_set_get_keyslots(s), 3);
	dmcaps_set_free(s);
}

static void test_parse_garbage(void **state)
{
	static const struct { const char *text, *token; } bad[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "AES-256-XTS", "AES-256-XTS" },
		{ "AES-256-XTS:0x1200", "lacks dun" },
		{ "AES-256-XTS:1200 dun=8", "1200" },
		{ "AES-256-XTS:0x dun=8", "0x" },
		{ "AES-256-XTS:0x0 dun=8", "0x0" },
		{ "AES-256-XTS:0x100000000 dun=8", "0x100000000" },
		{ "AES-256-XTS:0x100001000 dun=8", "0x100001000" },
		{ "AES-256-XTS:0x12g0 dun=8", "0x12g0" },
		{ "AES-256-XTS:0x1200, dun=8", "AES-256-XTS:0x1200," },
		{ ",AES-256-XTS:0x1200 dun=8", ",AES-256-XTS" },
		{ "AES-256-XTS:0x1200,AES-256-XTS:0x1000 dun=8", "AES-256-XTS" },
		{ ":0x1000 dun=8", "\"\"" },
		{ "AES-256-XTS:0x1200 dun=33", "dun=33" },
		{ "AES-256-XTS:0x1200 dun=-1", "dun=-1" },
		{ "AES-256-XTS:0x1200 dun=", "dun=" },
		{ "AES-256-XTS:0x1200 dun=8 dun=8", "dun=8" },
		{ "AES-256-XTS:0x1200 dun=8 keyslots=x", "keyslots=x" },
		{ "AES-256-XTS:0x1200 dun=8 keyslots=-1", "keyslots=-1" },
		{ "AES-256-XTS:0x1200 dun=8 extra", "extra" },
		{ "none dun=8", "dun=8" },
		{ "none AES-256-XTS:0x1200", "AES-256-XTS:0x1200" },
		{ "unrestricted dun=8", "dun=8" },
		{ "AES-256-XTS:0x1200 dun=99999999999999999999", "dun=9999" },
	};
	struct fx_log log;
	struct dmcaps_ctx *ctx = fx_ctx("/", &log);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct dmcaps_set *s = (void *)1;

		fx_log_reset(&log);
		assert_int_equal(dmcaps_set_parse(ctx, bad[i].text, &s), -EINVAL);
		assert_null(s);
		if (!fx_log_has(&log, bad[i].token))
			fail_msg("parse \"%s\": log \"%s\" lacks \"%s\"", bad[i].text,
				 log.buf, bad[i].token);
	}
	assert_int_equal(dmcaps_set_parse(ctx, NULL, &(struct dmcaps_set *){ NULL }), -EINVAL);
	dmcaps_free(ctx);
}

/* No input may crash the parser: bytes of every kind, many lengths. */
static void test_parse_no_crash(void **state)
{
	char buf[64];
	unsigned int seed = 1;
	int i, j;

	for (i = 0; i < 20000; i++) {
		struct dmcaps_set *s = NULL;
		int len = rand_r(&seed) % (sizeof(buf) - 1);
		static const char alphabet[] = "AES-256-XTS:0x1fF, dun=8keyslots=\t\xff";

		for (j = 0; j < len; j++)
			buf[j] = (rand_r(&seed) & 1) ? alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)]
						    : (char)(rand_r(&seed) % 255 + 1);
		buf[len] = '\0';
		if (dmcaps_set_parse(NULL, buf, &s) == 0) {
			char *text = NULL;
			struct dmcaps_set *again = NULL;

			assert_int_equal(dmcaps_set_format(s, &text), 0);
			assert_int_equal(dmcaps_set_parse(NULL, text, &again), 0);
			assert_true(dmcaps_set_identical(s, again));
			dmcaps_set_free(again);
			free(text);
		}
		dmcaps_set_free(s);
	}
}

static void test_intersect(void **state)
{
	struct dmcaps_set *a = parse("AES-256-XTS:0x1200,Adiantum:0x1000,NEW-A:0x1000,"
				     "NEW-B:0x200 dun=8 keyslots=5");
	struct dmcaps_set *b = parse("AES-256-XTS:0x1000,SM4-XTS:0x1000,NEW-A:0x80001000,"
				     "NEW-B:0x1000 dun=4 keyslots=9");

	assert_int_equal(dmcaps_set_intersect(a, b), 0);
	/* Modes only in one set vanish; unknown modes intersect by name;
	 * an unknown mode left without sizes is gone. Keyslots stay @dst's. */
	assert_format(a, "AES-256-XTS:0x1000,NEW-A:0x1000 dun=4 keyslots=5");
	dmcaps_set_free(a);
	dmcaps_set_free(b);
}

static void test_intersect_empty_and_unrestricted(void **state)
{
	struct dmcaps_set *u = NULL, *e = NULL, *x = parse("Adiantum:0x80000000,NEW:0x1 dun=16");
	struct dmcaps_set *t = NULL;

	assert_int_equal(dmcaps_set_new_unrestricted(&u), 0);
	assert_int_equal(dmcaps_set_new(&e), 0);
	assert_true(dmcaps_set_is_unrestricted(u));
	assert_false(dmcaps_set_is_empty(u));
	assert_int_equal(dmcaps_set_get_mode(u, "AES-256-XTS"), 0xffffffffu);
	assert_int_equal(dmcaps_set_get_mode(u, "ANY-NEW-MODE"), 0xffffffffu);
	assert_int_equal(dmcaps_set_get_max_dun_bytes(u), 32);

	/* Unrestricted is the identity, on either side. */
	assert_int_equal(dmcaps_set_dup(x, &t), 0);
	assert_int_equal(dmcaps_set_intersect(t, u), 0);
	assert_format(t, "Adiantum:0x80000000,NEW:0x1 dun=16");
	dmcaps_set_free(t);
	assert_int_equal(dmcaps_set_dup(u, &t), 0);
	assert_int_equal(dmcaps_set_intersect(t, x), 0);
	assert_false(dmcaps_set_is_unrestricted(t));
	assert_format(t, "Adiantum:0x80000000,NEW:0x1 dun=16");
	dmcaps_set_free(t);
	/* Empty absorbs. */
	assert_int_equal(dmcaps_set_dup(x, &t), 0);
	assert_int_equal(dmcaps_set_intersect(t, e), 0);
	assert_true(dmcaps_set_is_empty(t));
	dmcaps_set_free(t);
	assert_int_equal(dmcaps_set_dup(u, &t), 0);
	assert_int_equal(dmcaps_set_intersect(t, e), 0);
	assert_true(dmcaps_set_is_empty(t));
	assert_false(dmcaps_set_is_unrestricted(t));
	dmcaps_set_free(t);

	dmcaps_set_free(u);
	dmcaps_set_free(e);
	dmcaps_set_free(x);
}

static void test_superset(void **state)
{
	struct dmcaps_set *big = parse("AES-256-XTS:0x1200,Adiantum:0x1000,NEW:0x3 dun=8");
	struct dmcaps_set *small = parse("AES-256-XTS:0x1000,NEW:0x1 dun=4");
	struct dmcaps_set *wider_dun = parse("AES-256-XTS:0x1000 dun=16");
	struct dmcaps_set *other_new = parse("AES-256-XTS:0x1000,NEW2:0x1 dun=4");
	struct dmcaps_set *e = NULL, *u = NULL;

	assert_int_equal(dmcaps_set_new(&e), 0);
	assert_int_equal(dmcaps_set_new_unrestricted(&u), 0);

	assert_true(dmcaps_set_is_superset(big, small));
	assert_false(dmcaps_set_is_superset(small, big));
	assert_true(dmcaps_set_is_superset(big, big));
	/* DUN width counts: a.dun >= b.dun. */
	assert_false(dmcaps_set_is_superset(big, wider_dun));
	/* An unknown mode the new set lacks. */
	assert_false(dmcaps_set_is_superset(big, other_new));
	/* The empty set is a subset of everything, and only it is a subset
	 * of the empty set: the kernel refuses "profile -> no profile". */
	assert_true(dmcaps_set_is_superset(big, e));
	assert_true(dmcaps_set_is_superset(e, e));
	assert_false(dmcaps_set_is_superset(e, small));
	assert_true(dmcaps_set_is_superset(u, big));
	assert_false(dmcaps_set_is_superset(big, u));

	dmcaps_set_free(big);
	dmcaps_set_free(small);
	dmcaps_set_free(wider_dun);
	dmcaps_set_free(other_new);
	dmcaps_set_free(e);
	dmcaps_set_free(u);
}

/* Through the public accessors: what a caller outside the library sees. */
#define D(i) dmcaps_diff_delta(diff, i)

static void test_diff(void **state)
{
	struct dmcaps_set *have = parse("AES-256-XTS:0x1600,Adiantum:0x1000,"
					"NEW-A:0x1000,NEW-B:0x3 dun=8");
	struct dmcaps_set *other = parse("AES-256-XTS:0x1000,NEW-B:0x1 dun=4");
	struct dmcaps_set *e = NULL;
	struct dmcaps_diff *diff = NULL;
	size_t n;
	char *text;

	assert_int_equal(dmcaps_set_diff(have, other, &diff), 0);
	n = dmcaps_diff_count(diff);
	assert_int_equal(n, 5);
	assert_int_equal(dmcaps_delta_kind(D(0)), DMCAPS_DELTA_DATA_UNIT_SIZES);
	assert_string_equal(dmcaps_delta_mode(D(0)), "AES-256-XTS");
	assert_int_equal(dmcaps_delta_dus_mask(D(0)), 0x600);
	assert_int_equal(dmcaps_delta_kind(D(1)), DMCAPS_DELTA_MODE);
	assert_string_equal(dmcaps_delta_mode(D(1)), "Adiantum");
	assert_int_equal(dmcaps_delta_dus_mask(D(1)), 0x1000);
	assert_int_equal(dmcaps_delta_kind(D(2)), DMCAPS_DELTA_MODE);
	assert_string_equal(dmcaps_delta_mode(D(2)), "NEW-A");
	assert_int_equal(dmcaps_delta_kind(D(3)), DMCAPS_DELTA_DATA_UNIT_SIZES);
	assert_string_equal(dmcaps_delta_mode(D(3)), "NEW-B");
	assert_int_equal(dmcaps_delta_dus_mask(D(3)), 0x2);
	assert_int_equal(dmcaps_delta_kind(D(4)), DMCAPS_DELTA_DUN_BYTES);
	assert_null(dmcaps_delta_mode(D(4)));
	assert_int_equal(dmcaps_delta_dun_have(D(4)), 8);
	assert_int_equal(dmcaps_delta_dun_other(D(4)), 4);

	assert_int_equal(dmcaps_delta_format(D(0), &text), 0);
	assert_string_equal(text, "lacks AES-256-XTS data-unit sizes 512,1024");
	free(text);
	assert_int_equal(dmcaps_delta_format(D(1), &text), 0);
	assert_string_equal(text, "lacks Adiantum");
	free(text);
	assert_int_equal(dmcaps_delta_format(D(4), &text), 0);
	assert_string_equal(text, "supports 4-byte DUNs, not 8");
	free(text);
	dmcaps_diff_free(diff);

	/* Nothing lacking the other way round but the DUN width? No: other
	 * has nothing have lacks. */
	assert_int_equal(dmcaps_set_diff(other, have, &diff), 0);
	n = dmcaps_diff_count(diff);
	assert_int_equal(n, 0);
	assert_null(dmcaps_diff_delta(diff, 0));
	dmcaps_diff_free(diff);

	/* Against the empty set every mode is lost, the DUN is moot. */
	assert_int_equal(dmcaps_set_new(&e), 0);
	assert_int_equal(dmcaps_set_diff(have, e, &diff), 0);
	n = dmcaps_diff_count(diff);
	assert_int_equal(n, 4);
	assert_int_equal(dmcaps_delta_kind(D(0)), DMCAPS_DELTA_MODE);
	assert_int_equal(dmcaps_delta_kind(D(3)), DMCAPS_DELTA_MODE);
	dmcaps_diff_free(diff);
	assert_int_equal(dmcaps_set_diff(e, have, &diff), 0);
	n = dmcaps_diff_count(diff);
	assert_int_equal(n, 0);
	dmcaps_diff_free(diff);

	dmcaps_set_free(e);
	dmcaps_set_free(have);
	dmcaps_set_free(other);
}
#undef D

static void test_equal(void **state)
{
	struct dmcaps_set *a = parse("AES-256-XTS:0x1200,NEW:0x1 dun=8 keyslots=32");
	struct dmcaps_set *b = parse("NEW:0x1,AES-256-XTS:0x1200 dun=8 keyslots=0");
	struct dmcaps_set *c = parse("AES-256-XTS:0x1200,NEW:0x1 dun=4");
	struct dmcaps_set *d = parse("AES-256-XTS:0x1200,NEW:0x3 dun=8");
	struct dmcaps_set *e1 = parse("none"), *e2 = parse("none keyslots=4");
	struct dmcaps_set *u = parse("unrestricted");

	/* Keyslots are not a capability. */
	assert_true(dmcaps_set_equal(a, b));
	assert_false(dmcaps_set_identical(a, b));
	assert_false(dmcaps_set_equal(a, c));
	assert_false(dmcaps_set_equal(a, d));
	assert_true(dmcaps_set_equal(e1, e2));
	assert_false(dmcaps_set_equal(a, e1));
	assert_false(dmcaps_set_equal(e1, a));
	assert_true(dmcaps_set_equal(u, u));
	assert_false(dmcaps_set_equal(u, a));
	dmcaps_set_free(a);
	dmcaps_set_free(b);
	dmcaps_set_free(c);
	dmcaps_set_free(d);
	dmcaps_set_free(e1);
	dmcaps_set_free(e2);
	dmcaps_set_free(u);
}

static void test_keyslots(void **state)
{
	struct dmcaps_set *s = NULL;

	assert_int_equal(dmcaps_set_new(&s), 0);
	assert_int_equal(dmcaps_set_set_keyslots(s, 0), 0);
	assert_int_equal(dmcaps_set_get_keyslots(s), 0);
	assert_int_equal(dmcaps_set_set_keyslots(s, -2), -EINVAL);
	assert_int_equal(dmcaps_set_set_keyslots(s, DMCAPS_KEYSLOTS_UNKNOWN), 0);
	dmcaps_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_modes_order_and_unknown),
		cmocka_unit_test(test_bit31_and_dun_limits),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_any_order),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_no_crash),
		cmocka_unit_test(test_intersect),
		cmocka_unit_test(test_intersect_empty_and_unrestricted),
		cmocka_unit_test(test_superset),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_keyslots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
