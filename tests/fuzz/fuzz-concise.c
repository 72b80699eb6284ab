// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmsetup's concise format (src/concise.c, `check --concise`), then the
 * table it holds, as the tool parses it.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "common.h"
#include "concise.h"
#include "dmcaps.h"

/* The tool's messages (src/dmcaps.c) go nowhere here. */
void log_err(const char *fmt, ...)
{
	(void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmcaps_ctx *ctx;
	struct dmcaps_table *table = NULL;
	struct concise c;
	char *text = fz_str(data, size);

	if (!ctx)
		ctx = fz_ctx();
	if (!concise_parse(text, &c)) {
		if (!c.name || !c.table)
			abort();
		if (!dmcaps_table_parse(ctx, c.table, &table))
			dmcaps_table_free(table);
		concise_free(&c);
	}
	dmcaps_text_wipe_free(text);
	return 0;
}
