// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library context: sysroot, log callback and per-run caches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

DMCAPS_EXPORT const char *dmcaps_version(void)
{
	return PACKAGE_VERSION;
}

DMCAPS_EXPORT int dmcaps_init(struct dmcaps_ctx **ctx, const char *sysroot)
{
	struct dmcaps_ctx *c;
	size_t len;

	if (!ctx)
		return -EINVAL;
	*ctx = NULL;
	if (!sysroot || !*sysroot)
		sysroot = "/";
	/* Relative sysroots would change meaning with the cwd. */
	if (sysroot[0] != '/')
		return -EINVAL;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;

	/* Keep "/" as is; strip trailing slashes from anything else so that
	 * "<sysroot>" "/sys/..." joins cleanly. */
	len = strlen(sysroot);
	while (len > 1 && sysroot[len - 1] == '/')
		len--;
	c->sysroot = strndup(sysroot, len);
	if (!c->sysroot) {
		free(c);
		return -ENOMEM;
	}
	c->running_system = !strcmp(c->sysroot, "/");
	c->control_fd = -1;
	*ctx = c;
	return 0;
}

DMCAPS_EXPORT void dmcaps_free(struct dmcaps_ctx *ctx)
{
	if (!ctx)
		return;
	dmcaps_devs_free(ctx);
	dmcaps_tversions_free(ctx);
	free(ctx->release);
	dmcaps_kcaps_free_ctx(ctx);
	dmcaps_targets_free_ctx(ctx);
	dmcaps_control_close(ctx);
	free(ctx->sysroot);
	free(ctx);
}

DMCAPS_EXPORT const char *dmcaps_get_sysroot(const struct dmcaps_ctx *ctx)
{
	return ctx ? ctx->sysroot : NULL;
}

DMCAPS_EXPORT void dmcaps_set_log_callback(struct dmcaps_ctx *ctx,
					   dmcaps_log_fn fn, void *usrptr)
{
	if (!ctx)
		return;
	ctx->log_fn = fn;
	ctx->log_usrptr = usrptr;
}

void dmcaps_vlog(struct dmcaps_ctx *ctx, int level, const char *fmt, va_list ap)
{
	char *msg = NULL, *p;
	size_t len;

	if (!ctx || !ctx->log_fn)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	/* The callback contract is "no trailing newline"; libdm's messages
	 * sometimes carry one. */
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	/* Messages quote what sysfs, tables and users wrote: no control
	 * characters may reach a terminal or break the one-line contract. */
	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	/* Nor may a 5 MB target type come back as a 5 MB message: what a
	 * message quotes from input is cut at DMCAPS_LOG_MAX bytes. */
	if (len > DMCAPS_LOG_MAX)
		snprintf(msg + DMCAPS_LOG_MAX - 40, 40, "... (%zu bytes cut)",
			 len - (DMCAPS_LOG_MAX - 40));
	ctx->log_fn(level, msg, ctx->log_usrptr);
	free(msg);
}

void dmcaps_log(struct dmcaps_ctx *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dmcaps_vlog(ctx, level, fmt, ap);
	va_end(ap);
}

char *dmcaps_root_path(const struct dmcaps_ctx *ctx, const char *path)
{
	if (ctx->running_system)
		return strdup(path);
	return dmcaps_strdup_printf("%s%s", ctx->sysroot, path);
}
