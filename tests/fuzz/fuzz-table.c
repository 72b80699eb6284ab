// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table lines (dmcaps_table_parse) as `dmcaps check` and `load` read them
 * from a user's file: parse, the kernel's layout checks, the masked
 * parameters, and the prediction over a small fixture sysroot.
 */
#include <stdlib.h>

#include "common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmcaps_ctx *ctx = fz_ctx();
	struct dmcaps_prediction *pred = NULL;
	struct dmcaps_table *table = NULL;
	char *text = fz_str(data, size), *masked;
	size_t i;

	if (!dmcaps_table_parse(ctx, text, &table)) {
		dmcaps_table_validate(ctx, table);
		for (i = 0; i < dmcaps_table_target_count(table); i++) {
			if (!dmcaps_target_params_masked(
				    dmcaps_table_target(table, i), &masked))
				free(masked);
		}
		if (!dmcaps_predict(ctx, table, &pred))
			dmcaps_prediction_free(pred);
	}
	dmcaps_table_free(table);
	dmcaps_text_wipe_free(text);
	dmcaps_free(ctx);
	return 0;
}
