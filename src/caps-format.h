/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capability sets as people read them. A NULL set (no queue/crypto in
 * sysfs) reads as the empty set, "none".
 */
#ifndef _DMCAPS_CAPS_FORMAT_H
#define _DMCAPS_CAPS_FORMAT_H

#include <stdbool.h>

#include "libdmcaps.h"

/* "AES-256-XTS(512,4096) Adiantum(4096)", or "none". malloc()ed. */
int caps_format_modes(const struct dmcaps_set *set, char **text);
/* The modes, then ", DUN N bytes" unless empty. malloc()ed. */
int caps_format_summary(const struct dmcaps_set *set, char **text);
/* dmcaps_set_format()'s stable text, or "none". malloc()ed. */
int caps_format_text(const struct dmcaps_set *set, char **text);
/* Keyslots as SLOTS shows them: "pass" for a DM device's 0
 * (passthrough), "?" when unknown, the number otherwise (0 for a disk
 * without keyslots). Writes into @buf. */
const char *caps_format_slots(const struct dmcaps_set *set, bool dm,
			      char *buf, size_t sz);

bool caps_is_empty(const struct dmcaps_set *set);

/*
 * The last set whose modes were formatted, and its text: a tree shows the
 * same few sets row after row (every DM device over the same disks), and
 * comparing a set costs a tenth of formatting it.
 */
struct caps_memo {
	struct dmcaps_set *set;
	char *text;
};

/* caps_format_modes() through @m; *@text stays @m's, valid until the next
 * call with @m or caps_memo_free(). */
int caps_memo_modes(struct caps_memo *m, const struct dmcaps_set *set,
		    const char **text);
void caps_memo_free(struct caps_memo *m);

#endif
