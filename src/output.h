/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output columns and the libsmartcols table: tree (default), --json,
 * --pairs, --noheadings, --output.
 */
#ifndef _DMCAPS_OUTPUT_H
#define _DMCAPS_OUTPUT_H

#include <libsmartcols.h>
#include <stdbool.h>
#include <stddef.h>

enum out_column {
	COL_NAME = 0,
	COL_KNAME,
	COL_PKNAME,
	COL_PATH,
	COL_TYPE,
	COL_MAJMIN,
	COL_MODES,
	COL_DUN,
	COL_SLOTS,
	COL_PREDICTED,
	COL_EXPOSED,
	COL_KERNEL,
	COL_TARGET,
	COL_START,
	COL_LENGTH,
	COL_PASSES,
	COL_DROPS,
	COL_CHANGES,
	COL_WHY,
	NCOLUMNS,
};

enum out_format {
	OUT_TREE = 0,	/* human, a tree when NAME is shown */
	OUT_LIST,	/* --list: the same rows, no tree */
	OUT_RAW,	/* --raw: a list, unaligned, escaped */
	OUT_JSON,	/* --json */
	OUT_PAIRS,	/* --pairs: KEY="value", one line per node */
};

struct out {
	enum out_format format;
	bool noheadings;
	const char *prefix;	/* --pairs: before every key */
	int ids[NCOLUMNS];	/* columns to print, in order */
	size_t nids;
	struct libscols_column *cols[NCOLUMNS];	/* by column id; NULL if
						   not printed */
	struct libscols_table *tb;
};

/* Parses a --output list: "NAME,MODES", or "+COL,..." to add to the
 * default columns. Names are case-insensitive. -EINVAL (after a message
 * naming the column) for an unknown or empty name. */
int out_parse_columns(struct out *o, const char *list);
/* The default columns, when no --output is given. */
void out_default_columns(struct out *o);
/* The default columns of show --inactive. */
void out_inactive_columns(struct out *o);
/* Every column, in table order (--output-all). */
void out_all_columns(struct out *o);

/* @prefix: put before every --pairs key (NULL: none). */
int out_init(struct out *o, enum out_format format, bool noheadings,
	     const char *prefix);
void out_free(struct out *o);

/* A new node under @parent (NULL for a root). */
struct libscols_line *out_new_line(struct out *o,
				   struct libscols_line *parent);
/* Sets a cell if that column is printed. @data is copied; NULL leaves the
 * cell empty. */
int out_set(struct out *o, struct libscols_line *ln, enum out_column col,
	    const char *data);
/* Whether a column is printed (to skip computing its value). */
bool out_has(const struct out *o, enum out_column col);
/* Separator between the lines of a multi-line cell (WHY): a newline where
 * the format shows lines (tree, JSON arrays), "; " in --pairs. */
const char *out_line_sep(const struct out *o);

int out_print(struct out *o);

/*
 * A copy of @s in which every byte that is not part of valid UTF-8 is
 * written "\xNN" (as libdevmapper mangles DM names): DM names and table
 * text may hold any byte, and --json must stay valid JSON. NULL on ENOMEM.
 */
char *utf8_safe_dup(const char *s);
/* scols_line_set_data() of utf8_safe_dup(@data); NULL leaves the cell
 * empty. 0 or -ENOMEM. */
int cell_set(struct libscols_line *ln, size_t col, const char *data);

/* For --help: "NAME  description" lines, then the default columns. */
void out_print_column_help(FILE *f);

#endif
