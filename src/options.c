// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * popt glue: the values of string options and the naming of bad options.
 * See options.h.
 */
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* dmcaps has a handful of string options; one slot each. */
#define MAX_STRINGS 32

static struct tracked {
	const char **arg;	/* where popt stores the value */
	const char *seen;	/* the value we own: freed when replaced */
} strings[MAX_STRINGS];
static size_t nstrings;

static void wipe_free(const char *s)
{
	if (!s)
		return;
	explicit_bzero((char *)s, strlen(s));
	free((char *)s);
}

void opt_strings_track(struct poptOption *t)
{
	size_t i;

	for (; t->longName || t->shortName || t->argInfo || t->arg; t++) {
		unsigned int type = t->argInfo & POPT_ARG_MASK;

		if (type == POPT_ARG_INCLUDE_TABLE) {
			opt_strings_track(t->arg);
			continue;
		}
		if (type != POPT_ARG_STRING || !t->arg)
			continue;
		/* popt returns val after storing: we see each value. */
		t->val = OPT_STRING_STORED;
		for (i = 0; i < nstrings; i++)
			if (strings[i].arg == t->arg)
				break;
		if (i < nstrings)
			continue;
		if (nstrings == MAX_STRINGS)
			abort();	/* a programming error: raise the limit */
		strings[nstrings].arg = t->arg;
		strings[nstrings].seen = *strings[nstrings].arg;
		nstrings++;
	}
}

void opt_strings_stored(void)
{
	size_t i;

	for (i = 0; i < nstrings; i++) {
		if (*strings[i].arg == strings[i].seen)
			continue;
		wipe_free(strings[i].seen);
		strings[i].seen = *strings[i].arg;
	}
}

void opt_string_replace(const char **arg, const char *value)
{
	size_t i;

	for (i = 0; i < nstrings; i++) {
		if (strings[i].arg == arg) {
			wipe_free(strings[i].seen);
			strings[i].seen = value;
		}
	}
	*arg = value;
}

void opt_strings_free(void)
{
	size_t i;

	for (i = 0; i < nstrings; i++) {
		wipe_free(strings[i].seen);
		strings[i].seen = NULL;
		*strings[i].arg = NULL;
	}
}

void opt_args_wipe(poptContext pc)
{
	const char **a = poptGetArgs(pc);

	for (; a && *a; a++)
		explicit_bzero((char *)*a, strlen(*a));
}

/* Long enough for any option dmcaps has; longer input is cut. */
#define NAME_MAX_SHOWN 40

const char *opt_bad_name(poptContext pc, char *buf, size_t size)
{
	const char *bad = poptBadOption(pc, POPT_BADOPTION_NOALIAS);
	size_t len;

	if (!bad)
		bad = "";
	if (!strncmp(bad, "--", 2))
		len = strcspn(bad, "=");
	else if (bad[0] == '-' && bad[1])
		len = 2;	/* a short option; what follows is its value */
	else
		len = strlen(bad);
	if (len > NAME_MAX_SHOWN)
		snprintf(buf, size, "%.*s...", NAME_MAX_SHOWN, bad);
	else
		snprintf(buf, size, "%.*s", (int)len, bad);
	return buf;
}
