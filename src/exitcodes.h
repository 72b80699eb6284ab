/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmcaps exit codes: the one mapping from a library error (0 or -errno) to
 * the documented exit status. Keep in sync with man/dmcaps.8 (EXIT STATUS)
 * and the --help text.
 */
#ifndef _DMCAPS_EXITCODES_H
#define _DMCAPS_EXITCODES_H

#include "libdmcaps.h"

enum dmcaps_exit {
	EXIT_DMCAPS_OK		= 0,	/* success */
	EXIT_DMCAPS_USAGE	= 1,	/* bad option, argument or column */
	EXIT_DMCAPS_NODEV	= 2,	/* no such block device */
	EXIT_DMCAPS_NODM	= 3,	/* this kernel has no device-mapper */
	EXIT_DMCAPS_PERM	= 4,	/* permission denied */
	EXIT_DMCAPS_FAILURE	= 5,	/* any other error */
	/* 6..9 reserved. Verdicts (check, load --check-crypto) and load: */
	EXIT_DMCAPS_VERDICT_BASE = 10,
	EXIT_DMCAPS_ACCEPTED	= 10,	/* check: would be accepted (keeps,
					   expands) */
	EXIT_DMCAPS_REJECTED	= 11,	/* check: would be rejected (shrinks);
					   load --check-crypto: refused, nothing
					   done */
	EXIT_DMCAPS_CANNOT_TELL	= 12,	/* check: cannot tell */
	EXIT_DMCAPS_LOAD_REFUSED = 13,	/* load: the kernel refused the table;
					   the device is as it was */
	EXIT_DMCAPS_RESUME_FAILED = 14,	/* load --resume: loaded, not resumed;
					   the state is printed */
	/* evict: */
	EXIT_DMCAPS_EVICT_BUSY	= 15,	/* keyslots holding the key are in use
					   and were left programmed */
	EXIT_DMCAPS_EVICT_FAILED = 16,	/* eviction failed on some devices */
	EXIT_DMCAPS_EVICT_NO_INTERFACE = 17, /* the kernel lacks
					   BLKCRYPTOEVICTKEY */
	EXIT_DMCAPS_EVICT_UNSUPPORTED = 18, /* the device has no inline crypto
					   for the key's configuration */
	EXIT_DMCAPS_EVICT_BAD_KEY = 19,	/* the keyring key is missing or not
					   usable */
};

/* Exit status of a verdict (check). */
int exit_code_from_verdict(enum dmcaps_verdict_kind kind);

/* Exit status for @r, which is 0 or a negative errno. */
int exit_code_from_errno(int r);

/* A short cause for @r in the words dmcaps uses ("no such block device",
 * "this kernel has no device-mapper", ...); strerror() otherwise. */
const char *cause_from_errno(int r);

/* The exit status to keep when a run meets several errors: the first
 * failure wins, so the status names the first thing that went wrong. */
static inline int exit_code_merge(int current, int next)
{
	return current ? current : next;
}

#endif
