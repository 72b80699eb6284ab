// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * DM tables: parsing dmsetup's text format and the target accessors. The
 * knowledge about each target type lives in targets.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int dmcaps_table_new(struct dmcaps_table **table)
{
	*table = calloc(1, sizeof(**table));
	return *table ? 0 : -ENOMEM;
}

int dmcaps_table_bind_dev(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
			  struct dmcaps_dev *dev)
{
	bool on = false;
	int err;

	err = dmcaps_dev_crypto_fallback(ctx, dev, &on);
	if (err)
		return err;
	table->dev = dev;
	table->crypto_fallback = on;
	return 0;
}

/*
 * The switch says what the next load will do; a loaded table keeps the
 * value it was loaded with, and the series' DM_CRYPTO_CAPS says which
 * (answer version 2). Taking it from there is also one file fewer per DM
 * device for whoever lists them all: the live answer is asked once per
 * device anyway (kcaps.c keeps it). The inactive table's answer is not
 * kept, so that table keeps the sysfs reading.
 */
int dmcaps_table_bind_live(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
			   struct dmcaps_dev *dev)
{
	struct dmcaps_kernel_caps *kc = NULL;
	int on = -1;

	if (ctx->running_system && !dmcaps_kernel_caps_available(ctx) &&
	    !dmcaps_kernel_caps_read(ctx, dev, DMCAPS_TABLE_LIVE, &kc))
		on = dmcaps_kcaps_table_fallback(kc);
	dmcaps_kernel_caps_free(kc);
	if (on < 0)
		return dmcaps_table_bind_dev(ctx, table, dev);
	table->dev = dev;
	table->crypto_fallback = on;
	return 0;
}

DMCAPS_EXPORT bool dmcaps_table_crypto_fallback(const struct dmcaps_table *table)
{
	return table && table->crypto_fallback;
}

DMCAPS_EXPORT void dmcaps_table_free(struct dmcaps_table *table)
{
	size_t i;

	if (!table)
		return;
	/* Every table may hold a dm-crypt key: always wiped. */
	for (i = 0; i < table->ntargets; i++) {
		free(table->targets[i].type);
		dmcaps_wipe_free_str(table->targets[i].params);
		free(table->targets[i].devs);
	}
	free(table->targets);
	free(table);
}

static int target_add_dev(struct dmcaps_target *t, struct dmcaps_dev *dev)
{
	struct dmcaps_dev **n;
	size_t i;

	/* "8:0" and "/dev/sda" are one device: dedup on the resolved one. */
	for (i = 0; i < t->ndevs; i++)
		if (t->devs[i] == dev)
			return 0;
	n = dmcaps_grow(t->devs, &t->devs_cap, t->ndevs + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n[t->ndevs++] = dev;
	t->devs = n;
	return 0;
}

/* "line 3" for parsed text, "target 3" for tables read from the kernel. */
static const char *where_kind(unsigned int line)
{
	return line ? "line" : "target";
}

int dmcaps_table_add_target(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
			    unsigned int line, uint64_t start, uint64_t length,
			    const char *type, const char *params,
			    struct dmcaps_dev **extra_devs, size_t nextra)
{
	unsigned int where = line ?: table->ntargets + 1;
	struct dmcaps_target *t, *n;
	const char **devs = NULL, *why = NULL;
	const struct dmcaps_ttype *tt;
	struct dmcaps_dev *dev;
	size_t argc = 0, ndevs = 0, i;
	char **argv = NULL;
	int err;

	tt = dmcaps_ttype_get(ctx, type);
	if (!tt)
		return -ENOMEM;
	n = dmcaps_grow(table->targets, &table->cap, table->ntargets + 1,
			sizeof(*n));
	if (!n)
		return -ENOMEM;
	table->targets = n;
	t = &n[table->ntargets];
	memset(t, 0, sizeof(*t));
	t->start = start;
	t->length = length;
	t->type = strdup(type);
	t->params = strdup(params ?: "");
	t->passes = dmcaps_ttype_passes(tt);
	if (!t->type || !t->params) {
		err = -ENOMEM;
		goto out;
	}

	err = dmcaps_split_args(t->params, &argv, &argc);
	if (err)
		goto out;
	err = dmcaps_ttype_devs(tt, argv, argc, &devs, &ndevs, &why);
	if (err == -EINVAL) {
		log_err(ctx, "%s %u: malformed %s target: %s", where_kind(line),
			where, type, why);
		goto out;
	}
	if (err == -ENOENT) {
		/* Unknown type: its parameters say nothing we can trust. */
		for (i = 0; i < nextra; i++) {
			err = target_add_dev(t, extra_devs[i]);
			if (err)
				goto out;
		}
		if (!extra_devs)
			log_verbose(ctx, "%s %u: unknown target type %s, its "
				    "underlying devices are not known",
				    where_kind(line), where, type);
		err = 0;
	} else if (err) {
		goto out;
	} else if (t->passes == DMCAPS_PASSES_YES &&
		   dmcaps_ttype_opts_out(tt, argv, argc)) {
		t->passes = DMCAPS_PASSES_NO;
	}

	for (i = 0; i < ndevs; i++) {
		err = dmcaps_dev_resolve(ctx, devs[i], &dev);
		if ((err == -ENODEV || err == -ENOENT || err == -ENXIO) && !line) {
			/*
			 * The kernel's own table names a device that is no
			 * longer there: it was removed (unplugged, powered
			 * off) while the table held it. DM keeps it until the
			 * table is replaced, and the DM device keeps the
			 * capabilities it had: nothing recomputes them. (6.1
			 * leaves part of such a disk in sysfs: ENOENT.)
			 */
			log_err(ctx, "target %u: device %s of the %s target was "
				"removed while in the live table; the device "
				"keeps the capabilities it had until a new table "
				"is loaded", where, devs[i], type);
			err = -ESTALE;
			goto out;
		}
		if (err) {
			log_err(ctx, "%s %u: device %s of the %s target %s",
				where_kind(line), where, devs[i], type,
				err == -ENOTBLK ? "is not a block device" :
				"not found");
			goto out;
		}
		err = target_add_dev(t, dev);
		if (err)
			goto out;
	}
	table->ntargets++;
	t = NULL;
out:
	if (t) {
		free(t->type);
		dmcaps_wipe_free_str(t->params);
		free(t->devs);
	}
	free(devs);
	dmcaps_args_free(argv);
	return err;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Next blank-separated field of @p; NUL-terminates it in place. */
static char *next_field(char **p)
{
	char *s = *p, *e;

	while (is_blank(*s))
		s++;
	if (!*s)
		return NULL;
	e = s;
	while (*e && !is_blank(*e))
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

static int parse_line(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
		      unsigned int lineno, char *line)
{
	char *p = line, *start_s, *length_s, *type, *params;
	uint64_t start, length;
	size_t len;
	int r;

	start_s = next_field(&p);
	length_s = next_field(&p);
	type = next_field(&p);
	if (!type) {
		log_err(ctx, "line %u: too few fields, expected START LENGTH TYPE "
			"[PARAMS]", lineno);
		return -EINVAL;
	}
	r = dmcaps_parse_u64(start_s, &start);
	if (r) {
		log_err(ctx, "line %u: start sector \"%s\" is %s", lineno, start_s,
			r == -ERANGE ? "too large" : "not a number");
		return -EINVAL;
	}
	r = dmcaps_parse_u64(length_s, &length);
	if (r) {
		log_err(ctx, "line %u: length \"%s\" is %s", lineno, length_s,
			r == -ERANGE ? "too large" : "not a number");
		return -EINVAL;
	}
	if (!length) {
		log_err(ctx, "line %u: zero-length target", lineno);
		return -EINVAL;
	}
	if (start > UINT64_MAX - length) {
		log_err(ctx, "line %u: start + length overflows", lineno);
		return -EINVAL;
	}
	while (is_blank(*p))
		p++;
	params = p;
	len = strlen(params);
	while (len && is_blank(params[len - 1]))
		params[--len] = '\0';
	return dmcaps_table_add_target(ctx, table, lineno, start, length, type,
				       params, NULL, 0);
}

DMCAPS_EXPORT int dmcaps_table_parse(struct dmcaps_ctx *ctx, const char *text,
				     struct dmcaps_table **table)
{
	struct dmcaps_table *t = NULL;
	unsigned int lineno = 0;
	char *copy, *line, *next;
	size_t len;
	int err;

	if (!ctx || !text || !table)
		return -EINVAL;
	*table = NULL;
	len = strlen(text);
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	err = dmcaps_table_new(&t);
	for (line = copy; !err && line; line = next) {
		char *s = line;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		while (is_blank(*s))
			s++;
		if (!*s || *s == '#')
			continue;
		err = parse_line(ctx, t, lineno, s);
	}
	/* The lines are cut in place: wipe the whole copy, not to a NUL. */
	dmcaps_wipe(copy, len);
	free(copy);
	if (err) {
		dmcaps_table_free(t);
		return err;
	}
	*table = t;
	return 0;
}

DMCAPS_EXPORT size_t dmcaps_table_target_count(const struct dmcaps_table *table)
{
	return table ? table->ntargets : 0;
}

DMCAPS_EXPORT const struct dmcaps_target *
dmcaps_table_target(const struct dmcaps_table *table, size_t idx)
{
	if (!table || idx >= table->ntargets)
		return NULL;
	return &table->targets[idx];
}

DMCAPS_EXPORT uint64_t dmcaps_target_start(const struct dmcaps_target *t)
{
	return t ? t->start : 0;
}

DMCAPS_EXPORT uint64_t dmcaps_target_length(const struct dmcaps_target *t)
{
	return t ? t->length : 0;
}

DMCAPS_EXPORT const char *dmcaps_target_type(const struct dmcaps_target *t)
{
	return t ? t->type : NULL;
}

DMCAPS_EXPORT const char *dmcaps_target_params(const struct dmcaps_target *t)
{
	return t ? t->params : NULL;
}

DMCAPS_EXPORT enum dmcaps_passes dmcaps_target_passes(const struct dmcaps_target *t)
{
	return t ? t->passes : DMCAPS_PASSES_UNKNOWN_TYPE;
}

DMCAPS_EXPORT size_t dmcaps_target_dev_count(const struct dmcaps_target *t)
{
	return t ? t->ndevs : 0;
}

DMCAPS_EXPORT struct dmcaps_dev *dmcaps_target_dev(const struct dmcaps_target *t,
						   size_t idx)
{
	if (!t || idx >= t->ndevs)
		return NULL;
	return t->devs[idx];
}
