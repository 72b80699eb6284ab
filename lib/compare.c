// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One comparison of the three views of a DM device's capabilities: what
 * the library predicts from the table, what the kernel answers
 * (DM_CRYPTO_CAPS, patched kernels) and what sysfs shows. Every caller
 * (dmcaps show, check, load, the initramfs and udev helpers) gets the same
 * findings in the same words.
 *
 * Linux 6.12's sysfs is stale for DM devices, and that is no mismatch:
 * queue/crypto is created only when the disk is registered with a profile,
 * so a DM device that gains capabilities at a later resume has no such
 * directory; one that expands keeps only the modes/<MODE> files it had at
 * registration (their values do follow). A sysfs view that is such a part
 * of the queue's set is reported as stale; anything else that disagrees is
 * a MISMATCH, a bug in the library or the kernel, never hidden.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct finding {
	enum dmcaps_finding kind;
	struct dmcaps_dev *dev;
	size_t target;
	char *text;
};

struct dmcaps_comparison {
	struct finding *findings;
	size_t count, alloc;
	const struct dmcaps_set *exposed;
	const char *exposed_source;
	/* dmcaps_compare_device() keeps what it read. */
	struct dmcaps_table *table;
	struct dmcaps_prediction *pred;
	struct dmcaps_kernel_caps *kc;
};

static const char *dev_label(const struct dmcaps_dev *dev)
{
	return dev->dm_name ? dev->dm_name : dev->kname;
}

static int add(struct dmcaps_ctx *ctx, struct dmcaps_comparison *c,
	       enum dmcaps_finding kind, struct dmcaps_dev *dev, size_t target,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int add(struct dmcaps_ctx *ctx, struct dmcaps_comparison *c,
	       enum dmcaps_finding kind, struct dmcaps_dev *dev, size_t target,
	       const char *fmt, ...)
{
	struct finding *f;
	va_list ap;
	char *text;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (c->count == c->alloc) {
		size_t n = c->alloc ? 2 * c->alloc : 4;

		f = reallocarray(c->findings, n, sizeof(*f));
		if (!f) {
			free(text);
			return -ENOMEM;
		}
		c->findings = f;
		c->alloc = n;
	}
	f = &c->findings[c->count++];
	f->kind = kind;
	f->dev = dev;
	f->target = target;
	f->text = text;
	/* A mismatch is a bug somewhere: always said. Stale sysfs is how
	 * 6.12 works: said with --verbose. */
	if (kind == DMCAPS_FINDING_MISMATCH)
		log_warn(ctx, "%s: %s", dev_label(dev), text);
	else
		log_verbose(ctx, "%s: %s", dev_label(dev), text);
	return 0;
}

static char *summary(const struct dmcaps_set *set)
{
	char *text = NULL;

	dmcaps_set_format_summary(set, DMCAPS_SUMMARY_DUN, &text);
	return text;
}

DMCAPS_EXPORT enum dmcaps_finding
dmcaps_sysfs_view(const struct dmcaps_set *sysfs, const struct dmcaps_set *queue)
{
	size_t i;

	if (sysfs ? dmcaps_set_equal(sysfs, queue) : dmcaps_set_is_empty(queue))
		return DMCAPS_FINDING_NONE;
	/* No queue/crypto: registered without a profile. */
	if (!sysfs || dmcaps_set_is_empty(sysfs))
		return DMCAPS_FINDING_SYSFS_STALE;
	/* Only the files made at registration: each has the queue's value,
	 * and the DUN width follows too. */
	if (dmcaps_set_get_max_dun_bytes(sysfs) != dmcaps_set_get_max_dun_bytes(queue))
		return DMCAPS_FINDING_MISMATCH;
	for (i = 0; i < dmcaps_set_mode_count(sysfs); i++) {
		const char *m = dmcaps_set_mode_name(sysfs, i);

		if (dmcaps_set_get_mode(sysfs, m) != dmcaps_set_get_mode(queue, m))
			return DMCAPS_FINDING_MISMATCH;
	}
	return DMCAPS_FINDING_SYSFS_STALE;
}

/* sysfs of @dev against what its queue holds (@queue, from @whose). */
static int compare_sysfs(struct dmcaps_ctx *ctx, struct dmcaps_comparison *c,
			 struct dmcaps_dev *dev, const struct dmcaps_set *queue,
			 const char *whose)
{
	const struct dmcaps_set *sys = NULL;
	enum dmcaps_finding k;
	char *q, *s;
	int r;

	if (dmcaps_dev_caps(ctx, dev, &sys) < 0)
		return 0;	/* unreadable: said by whoever reads it */
	k = dmcaps_sysfs_view(sys, queue);
	if (k == DMCAPS_FINDING_NONE)
		return 0;
	q = summary(queue);
	s = summary(sys);
	if (!q || !s) {
		r = -ENOMEM;
	} else if (k == DMCAPS_FINDING_MISMATCH) {
		r = add(ctx, c, k, dev, DMCAPS_NO_TARGET,
			"MISMATCH: %s %s; sysfs shows %s", whose, q, s);
	} else if (!sys || dmcaps_set_is_empty(sys)) {
		r = add(ctx, c, k, dev, DMCAPS_NO_TARGET,
			"sysfs is stale: %s %s, sysfs has no queue/crypto "
			"(Linux 6.12 creates it only for a device registered "
			"with capabilities, not when it gains them at a later "
			"resume)", whose, q);
	} else {
		r = add(ctx, c, k, dev, DMCAPS_NO_TARGET,
			"sysfs is stale: %s %s, sysfs shows %s (Linux 6.12 "
			"adds no mode file after a device is registered)",
			whose, q, s);
	}
	free(q);
	free(s);
	return r;
}

/* The kernel's answer against the table read and the library. */
static int compare_kernel(struct dmcaps_ctx *ctx, struct dmcaps_comparison *c,
			  struct dmcaps_dev *dev, const char *which,
			  const struct dmcaps_table *table,
			  const struct dmcaps_prediction *pred,
			  const struct dmcaps_kernel_caps *kc)
{
	const struct dmcaps_set *kt = dmcaps_kernel_caps_table(kc);
	size_t i, j, n;
	char *k, *p;
	int r = 0;

	if (pred && !dmcaps_set_equal(dmcaps_prediction_caps(pred), kt)) {
		k = summary(kt);
		p = summary(dmcaps_prediction_caps(pred));
		r = k && p ? add(ctx, c, DMCAPS_FINDING_MISMATCH, dev,
				 DMCAPS_NO_TARGET, "MISMATCH: the kernel "
				 "computes %s for the %s table; dmcaps "
				 "predicts %s", k, which, p) : -ENOMEM;
		free(k);
		free(p);
		if (r)
			return r;
	}

	n = table ? table->ntargets : 0;
	if (table && dmcaps_kernel_caps_target_count(kc) != n)
		return add(ctx, c, DMCAPS_FINDING_MISMATCH, dev, DMCAPS_NO_TARGET,
			   "MISMATCH: the kernel's %s table has %zu targets; "
			   "the table read has %zu", which,
			   dmcaps_kernel_caps_target_count(kc), n);
	for (i = 0; i < n && !r; i++) {
		const struct dmcaps_kernel_target *kt2 =
			dmcaps_kernel_caps_target(kc, i);
		const struct dmcaps_target *t = &table->targets[i];
		bool passes = dmcaps_target_passes(t) == DMCAPS_PASSES_YES;

		if (kt2->start != t->start || kt2->length != t->length)
			r = add(ctx, c, DMCAPS_FINDING_MISMATCH, dev,
				DMCAPS_NO_TARGET, "MISMATCH: target %zu: the "
				"kernel has sectors %ju+%ju, the table read "
				"%ju+%ju", i + 1, (uintmax_t)kt2->start,
				(uintmax_t)kt2->length, (uintmax_t)t->start,
				(uintmax_t)t->length);
		else if (kt2->passes != passes || strcmp(kt2->type, t->type))
			r = add(ctx, c, DMCAPS_FINDING_MISMATCH, dev, i,
				"MISMATCH: the kernel says its %s target %s "
				"inline crypto", kt2->type, kt2->passes ?
				"passes" : "does not pass");
	}

	/* Each device under the table: the kernel's view against sysfs. */
	n = dmcaps_kernel_caps_dev_count(kc);
	for (i = 0; i < n && !r; i++) {
		const struct dmcaps_kernel_dev *kd = dmcaps_kernel_caps_dev(kc, i);
		struct dmcaps_dev *d;

		for (j = 0; j < i; j++)
			if (dmcaps_kernel_caps_dev(kc, j)->devno == kd->devno)
				break;
		if (j < i || !(d = dmcaps_dev_find_devno(ctx, kd->devno)))
			continue;
		r = compare_sysfs(ctx, c, d, kd->caps,
				  "the kernel sees it offering");
	}
	return r;
}

DMCAPS_EXPORT int dmcaps_compare(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
				 enum dmcaps_table_kind kind,
				 const struct dmcaps_table *table,
				 const struct dmcaps_prediction *pred,
				 const struct dmcaps_kernel_caps *kc,
				 struct dmcaps_comparison **cmp)
{
	const char *which = kind == DMCAPS_TABLE_LIVE ? "live" : "inactive";
	struct dmcaps_comparison *c;
	const struct dmcaps_set *sys = NULL;
	int r = 0;

	if (!ctx || !dev || !cmp ||
	    (kind != DMCAPS_TABLE_LIVE && kind != DMCAPS_TABLE_INACTIVE))
		return -EINVAL;
	*cmp = NULL;
	if (!dev->dm_name)
		return -EMEDIUMTYPE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;

	if (dmcaps_dev_caps(ctx, dev, &sys) < 0)
		sys = NULL;
	if (kc) {
		/* The kernel knows the queue: sysfs is judged by it. */
		c->exposed = dmcaps_kernel_caps_queue(kc);
		c->exposed_source = "the kernel (DM_CRYPTO_CAPS)";
		r = compare_sysfs(ctx, c, dev, c->exposed,
				  "the kernel's queue exposes");
		if (!r)
			r = compare_kernel(ctx, c, dev, which, table, pred, kc);
	} else if (kind == DMCAPS_TABLE_LIVE && pred) {
		/* The live table's prediction is what the queue should hold. */
		const struct dmcaps_set *p = dmcaps_prediction_caps(pred);

		switch (dmcaps_sysfs_view(sys, p)) {
		case DMCAPS_FINDING_SYSFS_STALE:
			c->exposed = p;
			c->exposed_source = "the live table (sysfs is stale)";
			break;
		default:
			c->exposed = sys;
			c->exposed_source = "sysfs";
			break;
		}
		r = compare_sysfs(ctx, c, dev, p, "the live table should expose");
	} else {
		c->exposed = sys;
		c->exposed_source = "sysfs";
	}
	if (r) {
		dmcaps_comparison_free(c);
		return r;
	}
	*cmp = c;
	return 0;
}

DMCAPS_EXPORT int dmcaps_compare_device(struct dmcaps_ctx *ctx,
					struct dmcaps_dev *dev,
					enum dmcaps_table_kind kind,
					struct dmcaps_comparison **cmp)
{
	struct dmcaps_table *table = NULL;
	struct dmcaps_prediction *pred = NULL;
	struct dmcaps_kernel_caps *kc = NULL;
	int r;

	if (!ctx || !dev || !cmp)
		return -EINVAL;
	*cmp = NULL;
	r = dmcaps_table_read(ctx, dev, kind, &table);
	if (r < 0)
		return r;
	r = dmcaps_predict(ctx, table, &pred);
	if (r < 0)
		goto fail;
	r = dmcaps_kernel_caps_read(ctx, dev, kind, &kc);
	if (r < 0 && r != -ENOTTY && r != -ENOTSUP)
		goto fail;
	r = dmcaps_compare(ctx, dev, kind, table, pred, kc, cmp);
	if (r < 0)
		goto fail;
	(*cmp)->table = table;
	(*cmp)->pred = pred;
	(*cmp)->kc = kc;
	return 0;
fail:
	dmcaps_kernel_caps_free(kc);
	dmcaps_prediction_free(pred);
	dmcaps_table_free_wipe(table);
	return r;
}

DMCAPS_EXPORT void dmcaps_comparison_free(struct dmcaps_comparison *cmp)
{
	size_t i;

	if (!cmp)
		return;
	for (i = 0; i < cmp->count; i++)
		free(cmp->findings[i].text);
	free(cmp->findings);
	dmcaps_kernel_caps_free(cmp->kc);
	dmcaps_prediction_free(cmp->pred);
	dmcaps_table_free_wipe(cmp->table);
	free(cmp);
}

DMCAPS_EXPORT size_t dmcaps_comparison_count(const struct dmcaps_comparison *cmp)
{
	return cmp ? cmp->count : 0;
}

DMCAPS_EXPORT enum dmcaps_finding
dmcaps_comparison_kind(const struct dmcaps_comparison *cmp, size_t idx)
{
	return cmp && idx < cmp->count ? cmp->findings[idx].kind :
	       DMCAPS_FINDING_NONE;
}

DMCAPS_EXPORT const char *dmcaps_comparison_text(const struct dmcaps_comparison *cmp,
						 size_t idx)
{
	return cmp && idx < cmp->count ? cmp->findings[idx].text : NULL;
}

DMCAPS_EXPORT struct dmcaps_dev *
dmcaps_comparison_dev(const struct dmcaps_comparison *cmp, size_t idx)
{
	return cmp && idx < cmp->count ? cmp->findings[idx].dev : NULL;
}

DMCAPS_EXPORT size_t dmcaps_comparison_target(const struct dmcaps_comparison *cmp,
					      size_t idx)
{
	return cmp && idx < cmp->count ? cmp->findings[idx].target :
	       DMCAPS_NO_TARGET;
}

DMCAPS_EXPORT bool dmcaps_comparison_has_mismatch(const struct dmcaps_comparison *cmp)
{
	size_t i;

	for (i = 0; cmp && i < cmp->count; i++)
		if (cmp->findings[i].kind == DMCAPS_FINDING_MISMATCH)
			return true;
	return false;
}

DMCAPS_EXPORT const struct dmcaps_set *
dmcaps_comparison_exposed(const struct dmcaps_comparison *cmp, const char **source)
{
	if (source)
		*source = cmp ? cmp->exposed_source : NULL;
	return cmp ? cmp->exposed : NULL;
}
