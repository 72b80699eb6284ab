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
	char *buf = NULL, *sizes;
	size_t i, n, len = 0;
	FILE *f;
	int r = 0;

	*text = NULL;
	if (caps_is_empty(set))
		return (*text = strdup("none")) ? 0 : -ENOMEM;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	n = dmcaps_set_mode_count(set);
	for (i = 0; i < n; i++) {
		const char *mode = dmcaps_set_mode_name(set, i);

		r = dmcaps_dus_mask_format(dmcaps_set_get_mode(set, mode),
					   &sizes);
		if (r < 0)
			break;
		fprintf(f, "%s%s(%s)", i ? " " : "", mode, sizes);
		free(sizes);
	}
	if (fclose(f) && !r)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*text = buf;
	return 0;
}

int caps_format_summary(const struct dmcaps_set *set, char **text)
{
	char *modes;
	int r;

	r = caps_format_modes(set, &modes);
	if (r < 0 || caps_is_empty(set)) {
		*text = r < 0 ? NULL : modes;
		return r;
	}
	r = asprintf(text, "%s, DUN %u bytes", modes,
		     dmcaps_set_get_max_dun_bytes(set));
	free(modes);
	if (r < 0) {
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}

int caps_format_text(const struct dmcaps_set *set, char **text)
{
	if (!set)
		return (*text = strdup("none")) ? 0 : -ENOMEM;
	return dmcaps_set_format(set, text);
}

const char *caps_format_slots(const struct dmcaps_set *set, char *buf,
			      size_t sz)
{
	int slots = dmcaps_set_get_keyslots(set);

	if (slots == 0)
		return "pass";
	if (slots < 0)
		return "?";
	snprintf(buf, sz, "%d", slots);
	return buf;
}
