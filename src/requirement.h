/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requirements of dmcaps require: "MODE:DATA_UNIT_SIZE[:DUN_BYTES]", as a
 * user writes them on a command line, a kernel command line
 * (dmcaps.require=) or in a file, parsed strictly: a boot check that
 * misreads its requirement would pass silently.
 */
#ifndef _DMCAPS_REQUIREMENT_H
#define _DMCAPS_REQUIREMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "libdmcaps.h"

struct requirement {
	char *mode;		/* as sysfs spells it */
	unsigned int dus;	/* data-unit size in bytes, a power of two */
	unsigned int dun;	/* minimum DUN width in bytes; 0: any */
	char *text;		/* canonical: "AES-256-XTS:4096:8" */
};

struct requirements {
	struct requirement *v;
	size_t n;
};

/*
 * Adds the requirements in @text: one or more separated by commas or white
 * space. @what names the source in messages ("argument", a file:line).
 * -EINVAL after a message naming the token and the fault (unknown mode,
 * size not a power of two, ...); -ENOMEM.
 */
int requirements_parse(struct requirements *rq, const char *text,
		       const char *what);

/* Adds the requirements of the file @path ("-": standard input): lines as
 * requirements_parse() takes them, '#' comments, blank lines. -EINVAL for
 * a malformed line, -errno when the file cannot be read (after a message). */
int requirements_read_file(struct requirements *rq, const char *path);

void requirements_free(struct requirements *rq);

/* Whether @caps (NULL: no inline crypto) provides @req. */
bool requirement_met(const struct requirement *req,
		     const struct dmcaps_set *caps);

/* What @caps lacks of @req, one phrase: "has no inline crypto", "lacks
 * AES-256-XTS", "lacks AES-256-XTS data-unit size 4096", "supports 4-byte
 * DUNs, not 8". NULL when met. malloc()ed. */
char *requirement_lack(const struct requirement *req,
		       const struct dmcaps_set *caps);

#endif
