/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmcaps exit codes (ABI of dmcaps 0.1): the one table mapping a library
 * error (0 or -errno) and a verdict to the documented exit status and the
 * words that explain it. --help prints the list from exitcodes.c, and
 * tests/cli/docs.bats checks man/dmcaps.8 and the completion against it.
 *
 * Codes 1-5 have cryptsetup's meanings (1 wrong parameters, 2 no
 * permission, 3 out of memory, 4 wrong device, 5 busy). cryptsetup folds
 * every other error into 1; dmcaps keeps the user's own mistakes (1) apart
 * from system failures (7), so that a script can tell which it made.
 */
#ifndef _DMCAPS_EXITCODES_H
#define _DMCAPS_EXITCODES_H

#include <stdio.h>

#include "libdmcaps.h"

enum dmcaps_exit {
	EXIT_DMCAPS_OK		= 0,	/* success; check: would be accepted */
	EXIT_DMCAPS_USAGE	= 1,	/* wrong parameters, input or FILE */
	EXIT_DMCAPS_PERM	= 2,	/* permission denied */
	EXIT_DMCAPS_NOMEM	= 3,	/* out of memory */
	EXIT_DMCAPS_NODEV	= 4,	/* no such device, not a block or not a
					   DM device */
	EXIT_DMCAPS_BUSY	= 5,	/* device busy or already exists */
	EXIT_DMCAPS_NODM	= 6,	/* this kernel has no device-mapper */
	EXIT_DMCAPS_FAILURE	= 7,	/* any other error */
	/* 8, 9 unused. 10 was check's "accepted" before 0.1: never again. */
	EXIT_DMCAPS_REJECTED	= 11,	/* check: would be rejected (shrinks);
					   load --check-crypto: refused */
	EXIT_DMCAPS_CANNOT_TELL	= 12,	/* check, require: cannot tell */
	EXIT_DMCAPS_LOAD_REFUSED = 13,	/* load: the kernel refused the table;
					   the device is as it was */
	EXIT_DMCAPS_RESUME_FAILED = 14,	/* load --resume: loaded, not resumed */
	EXIT_DMCAPS_EVICT_BUSY	= 15,	/* evict: keyslots in use, left
					   programmed */
	EXIT_DMCAPS_EVICT_FAILED = 16,	/* evict: failed on some devices */
	EXIT_DMCAPS_EVICT_NO_INTERFACE = 17, /* evict: no BLKCRYPTOEVICTKEY */
	EXIT_DMCAPS_EVICT_UNSUPPORTED = 18, /* evict: no inline crypto for the
					   key's configuration */
	EXIT_DMCAPS_EVICT_BAD_KEY = 19,	/* evict: keyring key missing or not
					   usable */
	EXIT_DMCAPS_NOT_PROVIDED = 20,	/* require: not provided */
};

/*
 * Where an error comes from: the same errno means different things to a
 * script. ENOENT of a device is "wrong device" (4), of a key or table FILE
 * the user named "wrong parameters" (1); BLKCRYPTOEVICTKEY's errors have
 * evict's own codes.
 */
enum exit_ctx {
	EXIT_CTX_SYSTEM = 0,	/* devices, sysfs, device-mapper, the kernel */
	EXIT_CTX_INPUT,		/* what the user gave: a FILE, table text,
				   key description, device specification */
	EXIT_CTX_EVICT,		/* the answer of BLKCRYPTOEVICTKEY */
	EXIT_CTX_LOAD,		/* the kernel's answer to DM_TABLE_LOAD */
};

/* Exit status for @r (0 or a negative errno) met in @ctx. */
int exit_code_for(enum exit_ctx ctx, int r);

/* The cause of @r in @ctx in dmcaps' words ("no such block device",
 * "this kernel has no device-mapper", ...); strerror()'s otherwise. */
const char *exit_cause(enum exit_ctx ctx, int r);

/* The same for devices, sysfs and the kernel (EXIT_CTX_SYSTEM). */
static inline int exit_code_from_errno(int r)
{
	return exit_code_for(EXIT_CTX_SYSTEM, r);
}

static inline const char *cause_from_errno(int r)
{
	return exit_cause(EXIT_CTX_SYSTEM, r);
}

/* Exit status of a verdict (check, load --check-crypto): 0 when the kernel
 * would accept the table. */
int exit_code_from_verdict(enum dmcaps_verdict_kind kind);

/* The "Exit status:" list of --help, from the table. */
void exit_status_help(FILE *f);

/* The exit status to keep when a run meets several errors: the first
 * failure wins, so the status names the first thing that went wrong. */
static inline int exit_code_merge(int current, int next)
{
	return current ? current : next;
}

#endif
