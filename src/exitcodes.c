// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one errno -> exit status mapping used by every dmcaps command.
 */
#include <errno.h>
#include <string.h>

#include "exitcodes.h"

int exit_code_from_errno(int r)
{
	if (r > 0)
		r = -r;

	switch (r) {
	case 0:
		return EXIT_DMCAPS_OK;
	case -EINVAL:
	case -ENOTBLK:	/* an argument that names something else */
		return EXIT_DMCAPS_USAGE;
	case -ENODEV:
	case -ENOENT:
	case -ENXIO:
		return EXIT_DMCAPS_NODEV;
	case -ENOTSUP:
		return EXIT_DMCAPS_NODM;
	case -EACCES:
	case -EPERM:
		return EXIT_DMCAPS_PERM;
	default:
		return EXIT_DMCAPS_FAILURE;
	}
}

const char *cause_from_errno(int r)
{
	if (r > 0)
		r = -r;

	switch (r) {
	case -ENODEV:
	case -ENOENT:
	case -ENXIO:
		return "no such block device";
	case -ENOTBLK:
		return "not a block device";
	case -ENOTSUP:
		return "this kernel has no device-mapper";
	case -EACCES:
	case -EPERM:
		return "permission denied";
	case -EBADMSG:
		return "malformed value";
	case -ENODATA:
		return "no such table";
	case -EEXIST:
		return "the device already exists";
	case -EFBIG:
		return "too large";
	default:
		return strerror(-r);
	}
}

int exit_code_from_verdict(enum dmcaps_verdict_kind kind)
{
	switch (kind) {
	case DMCAPS_VERDICT_KEEPS:
	case DMCAPS_VERDICT_EXPANDS:
		return EXIT_DMCAPS_ACCEPTED;
	case DMCAPS_VERDICT_SHRINKS:
		return EXIT_DMCAPS_REJECTED;
	default:
		return EXIT_DMCAPS_CANNOT_TELL;
	}
}
