/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * popt glue that keeps what popt leaves to us: the strings of string
 * options, and unknown options that may carry a secret in their value.
 */
#ifndef _DMCAPS_OPTIONS_H
#define _DMCAPS_OPTIONS_H

#include <popt.h>
#include <stddef.h>

/* Returned by poptGetNextOpt() after a string option was stored. */
#define OPT_STRING_STORED	0x5354

/*
 * Tracks every POPT_ARG_STRING option of @table (and the tables it
 * includes): popt strdup()s each value and, when an option is repeated,
 * overwrites the previous copy without freeing it. Call before parsing.
 */
void opt_strings_track(struct poptOption *table);
/* After poptGetNextOpt() returned OPT_STRING_STORED: frees (wiped) any
 * value a repeated option replaced. */
void opt_strings_stored(void);
/* Replaces a tracked option's value with @value (malloc()ed), freeing the
 * old one. */
void opt_string_replace(const char **arg, const char *value);
/* Frees every tracked value, wiped (--table and --concise may hold a
 * dm-crypt key), and sets it to NULL. */
void opt_strings_free(void);

/* Wipes the arguments popt copied for @pc (poptGetArgs()): a table line
 * with a key may be one of them. Before poptFreeContext(). */
void opt_args_wipe(poptContext pc);

/*
 * The bad option of a popt error, by name only: "--key=SECRET" is named
 * "--key", "-dSECRET" "-d", and a long name is cut, so that no value and
 * no unbounded input is echoed. Written to @buf.
 */
const char *opt_bad_name(poptContext pc, char *buf, size_t size);

#endif
