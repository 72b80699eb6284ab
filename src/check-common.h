/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What dmcaps check and dmcaps load share: reading the table the way
 * dmsetup load does, and printing a verdict.
 */
#ifndef _DMCAPS_CHECK_COMMON_H
#define _DMCAPS_CHECK_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "libdmcaps.h"

enum verdict_format {
	VERDICT_TEXT = 0,
	VERDICT_JSON,
	VERDICT_PAIRS,
};

/* Reads the table from --table LINE (@line), the file @path ("-" or NULL:
 * standard input) and parses it. On failure prints the cause and returns
 * an exit status; the table's text is wiped. */
int table_from_args(struct dmcaps_ctx *ctx, const char *line, const char *path,
		    struct dmcaps_table **table);

/* Parses and validates table text (as table_from_args() does after
 * reading it); @what names its source in messages. */
int table_from_text(struct dmcaps_ctx *ctx, const char *text, const char *what,
		    struct dmcaps_table **table);

/* --concise TEXT, with @argc other arguments and --table @table_opt:
 * refuses the combination, else concise_parse(). */
struct concise;
int concise_args(const char *text, const char *table_opt, int argc,
		 struct concise *c);

/* Prints @v for DEVICE @device in @fmt on @f. 0 or an exit status. */
int verdict_print(FILE *f, const struct dmcaps_verdict *v, const char *device,
		  enum verdict_format fmt);

#endif
