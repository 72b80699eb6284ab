// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Human-readable capability sets for the MODES, DUN, SLOTS columns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps-format.h"

bool caps_is_empty(const struct dmcaps_set *set)
{
	return !set || dmcaps_set_is_empty(set);
}

int caps_format_modes(const struct dmcaps_set *set, char **text)
{
	return dmcaps_set_format_summary(set, 0, text);
}

int caps_format_summary(const struct dmcaps_set *set, char **text)
{
	return dmcaps_set_format_summary(set, DMCAPS_SUMMARY_DUN, text);
}

int caps_format_text(const struct dmcaps_set *set, char **text)
{
	if (!set)
		return (*text = strdup("none")) ? 0 : -ENOMEM;
	return dmcaps_set_format(set, text);
}

const char *caps_format_slots(const struct dmcaps_set *set, bool dm,
			      char *buf, size_t sz)
{
	int slots = dmcaps_set_get_keyslots(set);

	/* 0 keyslots: passthrough on a DM device; on a disk, hardware that
	 * takes the key with each request (no keyslots at all). */
	if (slots == 0 && dm)
		return "pass";
	if (slots < 0)
		return "?";
	snprintf(buf, sz, "%d", slots);
	return buf;
}

int caps_memo_modes(struct caps_memo *m, const struct dmcaps_set *set,
		    const char **text)
{
	struct dmcaps_set *copy = NULL;
	char *fresh = NULL;
	int r;

	if (m->set && set && dmcaps_set_equal(m->set, set)) {
		*text = m->text;
		return 0;
	}
	r = caps_format_modes(set, &fresh);
	if (!r && set)
		r = dmcaps_set_dup(set, &copy);
	if (r < 0) {
		free(fresh);
		return r;
	}
	caps_memo_free(m);
	m->set = copy;
	m->text = fresh;
	*text = fresh;
	return 0;
}

void caps_memo_free(struct caps_memo *m)
{
	dmcaps_set_free(m->set);
	free(m->text);
	m->set = NULL;
	m->text = NULL;
}
