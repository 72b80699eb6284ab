// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exit-code table of dmcaps: what each status means (for --help, the
 * man page and scripts), which errno of which context gives it, and the
 * words for the cause. Every command's exit status comes from here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "exitcodes.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What each status means, in --help's words (continuation lines start with
 * '\n'; printed indented). tests/cli/docs.bats holds man/dmcaps.8's EXIT
 * STATUS to the same list of codes. */
static const struct exit_status {
	int code;
	const char *help;
} exit_statuses[] = {
	{ EXIT_DMCAPS_OK, "success; check, load --check-crypto: the kernel would accept\n"
			  "the table (keeps or expands); require: provided" },
	{ EXIT_DMCAPS_USAGE, "wrong parameters: unknown command, option or column, a bad\n"
			     "argument, a malformed table, concise text, key description or\n"
			     "device specification, a missing or unreadable key or table FILE" },
	{ EXIT_DMCAPS_PERM, "permission denied" },
	{ EXIT_DMCAPS_NOMEM, "out of memory" },
	{ EXIT_DMCAPS_NODEV, "wrong device: no such device, not a block device, not a\n"
			     "device-mapper device where one is needed" },
	{ EXIT_DMCAPS_BUSY, "device busy, or it already exists" },
	{ EXIT_DMCAPS_NODM, "this kernel has no device-mapper" },
	{ EXIT_DMCAPS_FAILURE, "any other error: I/O, a malformed value in sysfs or answer from\n"
			       "the kernel, an error writing the output" },
	{ EXIT_DMCAPS_REJECTED, "check: the kernel would reject the table (it shrinks the\n"
				"capabilities); load --check-crypto: refused, nothing loaded" },
	{ EXIT_DMCAPS_CANNOT_TELL, "check, require: cannot tell; show: some capabilities cannot\n"
				   "be known on this kernel (the reason is printed)" },
	{ EXIT_DMCAPS_LOAD_REFUSED, "load: the kernel refused the table; the device is as it was" },
	{ EXIT_DMCAPS_RESUME_FAILED, "load --resume: loaded but not resumed; the state is printed" },
	{ EXIT_DMCAPS_EVICT_BUSY, "evict: keyslots holding the key are in use and were left\n"
				  "programmed" },
	{ EXIT_DMCAPS_EVICT_FAILED, "evict: eviction failed on some devices (they are named)" },
	{ EXIT_DMCAPS_EVICT_NO_INTERFACE, "evict: the kernel has no key-eviction interface" },
	{ EXIT_DMCAPS_EVICT_UNSUPPORTED, "evict: the device has no inline crypto for that mode,\n"
					 "data-unit size and DUN width" },
	{ EXIT_DMCAPS_EVICT_BAD_KEY, "evict: the keyring key is missing or cannot be used" },
	{ EXIT_DMCAPS_NOT_PROVIDED, "require: the device or table does not provide the\n"
				    "requirement" },
};

/* errno -> status and cause. A context's own rows come first and win; the
 * EXIT_CTX_SYSTEM rows are every context's fallback. A NULL cause is
 * strerror()'s (evict's: the library's dmcaps_evict_strerror()). */
static const struct errno_exit {
	enum exit_ctx ctx;
	int err;
	int code;
	const char *cause;
} errno_exits[] = {
	/* A FILE, text or specification the user gave. */
	{ EXIT_CTX_INPUT, EINVAL, EXIT_DMCAPS_USAGE, "malformed" },
	{ EXIT_CTX_INPUT, ENOENT, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, EACCES, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, EPERM, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, EISDIR, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, ENOTDIR, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, ELOOP, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, ENAMETOOLONG, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_INPUT, EBADMSG, EXIT_DMCAPS_USAGE, "malformed" },
	{ EXIT_CTX_INPUT, EFBIG, EXIT_DMCAPS_USAGE, "too large" },
	{ EXIT_CTX_INPUT, EMSGSIZE, EXIT_DMCAPS_USAGE, "wrong size" },
	{ EXIT_CTX_INPUT, EIO, EXIT_DMCAPS_USAGE, NULL },
	/* a keyring key named by --key-desc */
	{ EXIT_CTX_INPUT, ENOKEY, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	{ EXIT_CTX_INPUT, EKEYREJECTED, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	{ EXIT_CTX_INPUT, EKEYREVOKED, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	{ EXIT_CTX_INPUT, EKEYEXPIRED, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },

	/* The kernel's answer to a table load (DM_TABLE_LOAD): whatever it
	 * refused the table for, the device is as it was (13), unless the
	 * cause is none of the table's. */
	{ EXIT_CTX_LOAD, ENOMEM, EXIT_DMCAPS_NOMEM, "out of memory" },
	{ EXIT_CTX_LOAD, EACCES, EXIT_DMCAPS_PERM, "permission denied" },
	{ EXIT_CTX_LOAD, EPERM, EXIT_DMCAPS_PERM, "permission denied" },

	/* BLKCRYPTOEVICTKEY's answer (dmcaps_evict_strerror() words it). */
	{ EXIT_CTX_EVICT, ENOTTY, EXIT_DMCAPS_EVICT_NO_INTERFACE, NULL },
	/* a well-formed request (checked by the library): the driver of a
	 * kernel without the interface answered */
	{ EXIT_CTX_EVICT, EINVAL, EXIT_DMCAPS_EVICT_NO_INTERFACE, NULL },
	{ EXIT_CTX_EVICT, EOPNOTSUPP, EXIT_DMCAPS_EVICT_UNSUPPORTED, NULL },
	{ EXIT_CTX_EVICT, ENOKEY, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	{ EXIT_CTX_EVICT, EKEYREJECTED, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	{ EXIT_CTX_EVICT, EKEYREVOKED, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	{ EXIT_CTX_EVICT, EKEYEXPIRED, EXIT_DMCAPS_EVICT_BAD_KEY, NULL },
	/* the kernel refused the mode, key size, data-unit size, DUN width */
	{ EXIT_CTX_EVICT, ENOENT, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_EVICT, EMSGSIZE, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_EVICT, EDOM, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_EVICT, ERANGE, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_EVICT, ENAMETOOLONG, EXIT_DMCAPS_USAGE, NULL },

	/* Devices, sysfs, device-mapper, the kernel; everyone's fallback. */
	{ EXIT_CTX_SYSTEM, EINVAL, EXIT_DMCAPS_USAGE, NULL },
	{ EXIT_CTX_SYSTEM, EACCES, EXIT_DMCAPS_PERM, "permission denied" },
	{ EXIT_CTX_SYSTEM, EPERM, EXIT_DMCAPS_PERM, "permission denied" },
	{ EXIT_CTX_SYSTEM, ENOMEM, EXIT_DMCAPS_NOMEM, "out of memory" },
	{ EXIT_CTX_SYSTEM, ENODEV, EXIT_DMCAPS_NODEV, "no such block device" },
	{ EXIT_CTX_SYSTEM, ENOENT, EXIT_DMCAPS_NODEV, "no such block device" },
	{ EXIT_CTX_SYSTEM, ENXIO, EXIT_DMCAPS_NODEV, "no such block device" },
	{ EXIT_CTX_SYSTEM, ENOTBLK, EXIT_DMCAPS_NODEV, "not a block device" },
	{ EXIT_CTX_SYSTEM, EMEDIUMTYPE, EXIT_DMCAPS_NODEV,
	  "not a device-mapper device" },
	{ EXIT_CTX_SYSTEM, EBUSY, EXIT_DMCAPS_BUSY, "device busy" },
	{ EXIT_CTX_SYSTEM, EEXIST, EXIT_DMCAPS_BUSY,
	  "the device already exists" },
	{ EXIT_CTX_SYSTEM, ENOTSUP, EXIT_DMCAPS_NODM,
	  "this kernel has no device-mapper" },
	/* a kernel older than 5.18: no queue/crypto in sysfs (release.c) */
	{ EXIT_CTX_SYSTEM, ENOSYS, EXIT_DMCAPS_CANNOT_TELL,
	  "this kernel shows no inline-encryption capabilities (Linux < 5.18)" },
	/* a device removed while in a live table (lib/table.c) */
	{ EXIT_CTX_SYSTEM, ESTALE, EXIT_DMCAPS_CANNOT_TELL,
	  "a device under it was removed" },
	{ EXIT_CTX_SYSTEM, EBADMSG, EXIT_DMCAPS_FAILURE, "malformed value" },
	{ EXIT_CTX_SYSTEM, ENODATA, EXIT_DMCAPS_FAILURE, "no such table" },
	{ EXIT_CTX_SYSTEM, EFBIG, EXIT_DMCAPS_FAILURE, "too large" },
};

static const struct errno_exit *lookup(enum exit_ctx ctx, int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_exits); i++)
		if (errno_exits[i].ctx == ctx && errno_exits[i].err == err)
			return &errno_exits[i];
	/* A refused load is a refused load, whatever the errno. */
	if (ctx == EXIT_CTX_SYSTEM || ctx == EXIT_CTX_LOAD)
		return NULL;
	return lookup(EXIT_CTX_SYSTEM, err);
}

int exit_code_for(enum exit_ctx ctx, int r)
{
	const struct errno_exit *e;

	if (!r)
		return EXIT_DMCAPS_OK;
	e = lookup(ctx, r < 0 ? -r : r);
	if (e)
		return e->code;
	return ctx == EXIT_CTX_LOAD ? EXIT_DMCAPS_LOAD_REFUSED :
				      EXIT_DMCAPS_FAILURE;
}

const char *exit_cause(enum exit_ctx ctx, int r)
{
	const struct errno_exit *e;
	int err = r < 0 ? -r : r;

	e = lookup(ctx, err);
	if (e && e->cause)
		return e->cause;
	if (ctx == EXIT_CTX_EVICT)
		return dmcaps_evict_strerror(-err);
	return strerror(err);
}

int exit_code_from_verdict(enum dmcaps_verdict_kind kind)
{
	switch (kind) {
	case DMCAPS_VERDICT_KEEPS:
	case DMCAPS_VERDICT_EXPANDS:
		return EXIT_DMCAPS_OK;
	case DMCAPS_VERDICT_SHRINKS:
		return EXIT_DMCAPS_REJECTED;
	default:
		return EXIT_DMCAPS_CANNOT_TELL;
	}
}

void exit_status_help(FILE *f)
{
	const char *p, *nl;
	size_t i;

	fputs("\nExit status:\n", f);
	for (i = 0; i < ARRAY_SIZE(exit_statuses); i++) {
		fprintf(f, " %2d  ", exit_statuses[i].code);
		for (p = exit_statuses[i].help; (nl = strchr(p, '\n'));
		     p = nl + 1)
			fprintf(f, "%.*s\n     ", (int)(nl - p), p);
		fprintf(f, "%s\n", p);
	}
}
