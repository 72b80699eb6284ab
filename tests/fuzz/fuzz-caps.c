// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Capability text (dmcaps_set_parse), as `require` and the tests write it:
 * whatever parses must format and parse back to the same set.
 */
#include <stdlib.h>

#include "common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmcaps_ctx *ctx;
	struct dmcaps_set *set = NULL, *again = NULL;
	char *text = fz_str(data, size), *out = NULL;

	if (!ctx)
		ctx = fz_ctx();
	if (!dmcaps_set_parse(ctx, text, &set)) {
		if (dmcaps_set_format(set, &out) ||
		    dmcaps_set_parse(ctx, out, &again) ||
		    !dmcaps_set_identical(set, again))
			abort();
	}
	dmcaps_set_free(set);
	dmcaps_set_free(again);
	free(out);
	free(text);
	return 0;
}
