// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Arrays grow geometrically: a 100,000-line table, or a target with 10,000
 * devices, costs O(log n) reallocations, not one per element (which was
 * instant in a plain build and quadratic under ASan and valgrind, whose
 * realloc always copies). Counted, not timed: this program is linked with
 * -Wl,--wrap=realloc, so every realloc() of the library's objects (linked
 * in statically) passes through the counter below.
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

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static size_t reallocs;

void *__wrap_realloc(void *p, size_t n)
{
	reallocs++;
	return __real_realloc(p, n);
}

/* "0 1 zero\n1 1 zero\n...": @n one-sector targets. */
static char *zero_table(size_t n)
{
	size_t cap = n * 32 + 1, len = 0, i;
	char *t = malloc(cap);

	assert_non_null(t);
	for (i = 0; i < n; i++)
		len += snprintf(t + len, cap - len, "%zu 1 zero\n", i);
	return t;
}

static void test_table_100000_lines(void **state)
{
	struct dmcaps_ctx *ctx = NULL;
	struct dmcaps_table *table = NULL;
	char *text = zero_table(100000);

	(void)state;
	assert_int_equal(dmcaps_init(&ctx, "/nonexistent-dmcaps-growth"), 0);
	reallocs = 0;
	assert_int_equal(dmcaps_table_parse(ctx, text, &table), 0);
	assert_int_equal(dmcaps_table_target_count(table), 100000);
	/* doubling from 8: 14 for the targets; a margin for the rest */
	assert_in_range(reallocs, 1, 100);
	assert_int_equal(dmcaps_table_validate(ctx, table), 0);
	dmcaps_table_free(table);
	dmcaps_free(ctx);
	free(text);
}

static void test_target_10000_devices(void **state)
{
	const size_t n = 10000;
	size_t cap = 32 + n * 8, len, argc, ndevs;
	char *params = malloc(cap), **argv = NULL;
	const char **devs = NULL, *why = NULL;
	size_t i;

	(void)state;
	assert_non_null(params);
	len = snprintf(params, cap, "%zu 8", n);
	for (i = 0; i < n; i++)
		len += snprintf(params + len, cap - len, " 8:%zu 0", i % 256);
	assert_int_equal(dmcaps_split_args(params, &argv, &argc), 0);
	assert_int_equal(argc, 2 + 2 * n);
	reallocs = 0;
	assert_int_equal(dmcaps_target_type_devs("striped", argv, argc, &devs,
						 &ndevs, &why), 0);
	assert_true(ndevs >= 256);
	assert_in_range(reallocs, 1, 100);
	free(devs);
	free(argv);
	free(params);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_100000_lines),
		cmocka_unit_test(test_target_10000_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
