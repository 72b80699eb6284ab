// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Verdicts: what loading a table into a DM device would do to the
 * capabilities its queue exposes. The kernel's rule
 * (drivers/md/dm-table.c:dm_table_construct_crypto_profile) is
 * blk_crypto_has_capabilities(new, q->crypto_profile): the new table's set
 * must be a superset of the queue's, or DM_TABLE_LOAD fails with EINVAL.
 *
 * The queue's set is the kernel's truth, which Linux 6.12's sysfs may not
 * show for a DM device: no queue/crypto at all when the device gained
 * capabilities after it was registered, and no modes/<MODE> file for a
 * mode gained after registration (the values of the files that exist do
 * follow). The queue's profile is that of the last live table that exposed
 * anything (each later one must be a superset; an empty table leaves the
 * profile alone), computed against the devices below as they were when it
 * was loaded. So the queue holds at least what sysfs shows and at most what
 * the live table's prediction says now:
 *  - the live table maps to hardware only (no DM device below, whose set
 *    may have grown since): the prediction is exact, sysfs is corrected;
 *  - otherwise, a verdict that differs between the bounds is CANNOT_TELL;
 *  - the live table cannot be read (non-root): sysfs is a lower bound only.
 * A kernel with DM_CRYPTO_CAPS (kernel-patches/dm-crypto/0005) reports the queue's
 * set itself: then it is known exactly and no bound is needed.
 * Underlying DM devices of the new table are corrected the same way first,
 * so that the new table's prediction sees their real sets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Deeper than any real stack: a broken snapshot's loop ends here. */
#define VERDICT_MAX_DEPTH 32

struct dmcaps_verdict {
	enum dmcaps_verdict_kind kind;
	bool exists;
	struct dmcaps_dev *dev;
	struct dmcaps_set *old_caps;
	struct dmcaps_set *new_caps;
	struct dmcaps_prediction *pred;		/* the new table's */
	struct dmcaps_prediction *live_pred;	/* the live table's, or NULL */
	struct dmcaps_change *changes;
	size_t nchanges;
	char *why_unknown;
	const char *old_source;
	struct dmcaps_reason *synth;	/* reasons made for losses no
					   reason of the prediction names */
	char *synth_type;
	bool live_exact;	/* the live table maps to no DM device */
};

/* A table that maps only to devices that are not DM devices: their
 * capabilities are the hardware's and never change, so the table's
 * prediction now is what it was when the kernel loaded it. */
static bool maps_to_hardware_only(const struct dmcaps_table *table)
{
	size_t i, j;

	for (i = 0; i < table->ntargets; i++)
		for (j = 0; j < table->targets[i].ndevs; j++)
			if (table->targets[i].devs[j]->dm_name)
				return false;
	return true;
}

static int fixup_dev(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev, int depth);

static int fixup_table(struct dmcaps_ctx *ctx, const struct dmcaps_table *table,
		       int depth)
{
	size_t i, j;
	int err;

	for (i = 0; i < table->ntargets; i++) {
		for (j = 0; j < table->targets[i].ndevs; j++) {
			err = fixup_dev(ctx, table->targets[i].devs[j], depth + 1);
			if (err == -ENOMEM)
				return err;
		}
	}
	return 0;
}

/*
 * A DM device whose sysfs shows fewer modes than its live table predicts,
 * and agrees on the rest: the context's cached set becomes the prediction
 * (6.12 never adds a mode file after registration).
 */
static int fixup_dev(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev, int depth)
{
	const struct dmcaps_set *s = NULL, *p;
	struct dmcaps_prediction *pred = NULL;
	struct dmcaps_table *table = NULL;
	struct dmcaps_set *fixed = NULL;
	char *text = NULL;
	int err;

	if (!dev->dm_name || dev->verdict_fixed || depth > VERDICT_MAX_DEPTH)
		return 0;
	dev->verdict_fixed = true;
	if (dmcaps_dev_caps(ctx, dev, &s) || !s)
		return 0;	/* no crypto dir: predict.c looks at the table */
	err = dmcaps_table_read(ctx, dev, DMCAPS_TABLE_LIVE, &table);
	if (err)
		return err == -ENOMEM ? err : 0;
	err = fixup_table(ctx, table, depth);
	if (!err)
		err = dmcaps_predict(ctx, table, &pred);
	if (err)
		goto out;
	p = dmcaps_prediction_caps(pred);
	/* Only where the table's set is the queue's for sure. */
	if (maps_to_hardware_only(table) &&
	    dmcaps_sysfs_view(s, p) == DMCAPS_FINDING_SYSFS_STALE) {
		err = dmcaps_set_dup(p, &fixed);
		if (err)
			goto out;
		dmcaps_set_set_keyslots(fixed, dmcaps_set_get_keyslots(s));
		dmcaps_set_format(fixed, &text);
		log_warn(ctx, "%s (%s): sysfs shows fewer modes than its live "
			 "table exposes (%s): Linux 6.12 never adds a mode file "
			 "after a DM device is registered. Using its table's",
			 dev->kname, dev->dm_name, text ?: "?");
		free(text);
		dmcaps_set_free(dev->caps);
		dev->caps = fixed;
		dev->verdict_corrected = true;
	}
out:
	dmcaps_prediction_free(pred);
	dmcaps_table_free(table);
	return err;
}

static enum dmcaps_verdict_kind judge(const struct dmcaps_set *new_caps,
				      const struct dmcaps_set *old_caps)
{
	if (!dmcaps_set_is_superset(new_caps, old_caps))
		return DMCAPS_VERDICT_SHRINKS;
	if (dmcaps_set_equal(new_caps, old_caps))
		return DMCAPS_VERDICT_KEEPS;
	return DMCAPS_VERDICT_EXPANDS;
}

static bool accepted(enum dmcaps_verdict_kind k)
{
	return k == DMCAPS_VERDICT_KEEPS || k == DMCAPS_VERDICT_EXPANDS;
}

/* Whether @r removes (part of) @d. */
static bool reason_explains(const struct dmcaps_reason *r,
			    const struct dmcaps_delta *d)
{
	if (r->cause != DMCAPS_CAUSE_DEVICE_LACKS)
		return true;	/* a whole-set cause explains everything */
	if (d->kind == DMCAPS_DELTA_DUN_BYTES)
		return r->delta.kind == DMCAPS_DELTA_DUN_BYTES;
	if (r->delta.kind == DMCAPS_DELTA_DUN_BYTES || !r->delta.mode ||
	    strcmp(r->delta.mode, d->mode))
		return false;
	return (r->delta.dus_mask & d->dus_mask) != 0;
}

static const struct dmcaps_reason *find_reason(const struct dmcaps_prediction *p,
					       const struct dmcaps_delta *d)
{
	size_t i, n = dmcaps_prediction_reason_count(p);

	for (i = 0; i < n; i++) {
		const struct dmcaps_reason *r = dmcaps_prediction_reason(p, i);

		if (reason_explains(r, d))
			return r;
	}
	return NULL;
}

static int add_changes(struct dmcaps_verdict *v, bool gained,
		       const struct dmcaps_set *have,
		       const struct dmcaps_set *other,
		       const struct dmcaps_prediction *why)
{
	struct dmcaps_delta *deltas = NULL;
	struct dmcaps_change *n;
	size_t count = 0, i;
	int err;

	err = dmcaps_set_diff_array(have, other, &deltas, &count);
	if (err || !count) {
		free(deltas);
		return err;
	}
	n = realloc(v->changes, (v->nchanges + count) * sizeof(*n));
	if (!n) {
		free(deltas);
		return -ENOMEM;
	}
	v->changes = n;
	for (i = 0; i < count; i++) {
		struct dmcaps_change *c = &n[v->nchanges++];

		c->gained = gained;
		c->delta = deltas[i];
		c->reason = why ? find_reason(why, &deltas[i]) : NULL;
	}
	free(deltas);
	return 0;
}

/*
 * A loss no reason of the prediction names: no device of the new table
 * offers it (the prediction explains against what its devices offer
 * together). Every device then lacks it: name the first, in table order.
 */
static int name_first_device(struct dmcaps_verdict *v,
			     const struct dmcaps_table *table)
{
	const struct dmcaps_target *t = NULL;
	size_t i, n = 0, k = 0;

	for (i = 0; i < v->nchanges; i++)
		if (!v->changes[i].gained && !v->changes[i].reason)
			n++;
	for (i = 0; i < table->ntargets && !t; i++)
		if (table->targets[i].ndevs)
			t = &table->targets[i];
	if (!n || !t)
		return 0;
	v->synth = calloc(n, sizeof(*v->synth));
	v->synth_type = strdup(t->type);	/* outlives the table */
	if (!v->synth || !v->synth_type)
		return -ENOMEM;
	for (i = 0; i < v->nchanges; i++) {
		struct dmcaps_change *c = &v->changes[i];
		struct dmcaps_reason *r;

		if (c->gained || c->reason)
			continue;
		r = &v->synth[k++];
		r->cause = DMCAPS_CAUSE_DEVICE_LACKS;
		r->target_index = (size_t)(t - table->targets);
		r->target_type = v->synth_type;
		r->dev = t->devs[0];
		r->delta = c->delta;
		c->reason = r;
	}
	return 0;
}

/* A table whose targets all pass inline crypto and reach no device. */
/* The device's set is known only between bounds (v->old_caps the lower,
 * *high the upper): take the upper as the device's set. */
static void adopt_upper_bound(struct dmcaps_verdict *v, struct dmcaps_set **high)
{
	if (!*high)
		return;
	dmcaps_set_free(v->old_caps);
	v->old_caps = *high;
	*high = NULL;
}

/* The verdict no longer depends on what could not be known. */
static void forget_unknown(struct dmcaps_verdict *v)
{
	free(v->why_unknown);
	v->why_unknown = NULL;
}

static bool keeps_device_set(const struct dmcaps_table *table)
{
	size_t i;

	if (!table->ntargets)
		return false;
	for (i = 0; i < table->ntargets; i++)
		if (table->targets[i].passes != DMCAPS_PASSES_YES ||
		    table->targets[i].ndevs)
			return false;
	return true;
}

/* The name a DM device that does not exist yet would have, or NULL. */
static const char *new_dm_name(const char *spec)
{
	dev_t devno;

	if (!strncmp(spec, "/dev/mapper/", 12))
		spec += 12;
	if (!*spec || strchr(spec, '/') || strchr(spec, '=') ||
	    !strcmp(spec, ".") || !strcmp(spec, "..") ||
	    !dmcaps_parse_devno(spec, &devno) || strlen(spec) >= 128)
		return NULL;
	return spec;
}

static int set_or_empty(const struct dmcaps_set *s, struct dmcaps_set **out)
{
	return s ? dmcaps_set_dup(s, out) : dmcaps_set_new(out);
}

/* The queue's set from the kernel itself (DM_CRYPTO_CAPS): 0 with
 * v->old_caps replaced, 1 when the kernel cannot be asked. */
static int kernel_queue_caps(struct dmcaps_ctx *ctx, struct dmcaps_verdict *v)
{
	struct dmcaps_kernel_caps *kc = NULL;
	struct dmcaps_set *q = NULL;
	int err;

	/* Its absence is no error here: sysfs and the live table remain
	 * (the kernel's absence is a verbose message, said once). */
	err = dmcaps_kernel_caps_read(ctx, v->dev, DMCAPS_TABLE_LIVE, &kc);
	if (err == -ENOMEM)
		return err;
	if (err)
		return 1;
	err = dmcaps_set_dup(dmcaps_kernel_caps_queue(kc), &q);
	dmcaps_kernel_caps_free(kc);
	if (err)
		return err;
	dmcaps_set_free(v->old_caps);
	v->old_caps = q;
	v->old_source = "the kernel (DM_CRYPTO_CAPS)";
	return 0;
}

/* The device's set now: v->old_caps and v->old_source, or why_unknown
 * with v->old_caps the lower bound and *high the upper one (NULL:
 * unknown). */
static int old_caps(struct dmcaps_ctx *ctx, struct dmcaps_verdict *v,
		    struct dmcaps_set **high, bool *certain)
{
	const struct dmcaps_set *s = NULL, *p;
	struct dmcaps_table *live = NULL;
	int err, terr;

	*high = NULL;
	*certain = true;
	err = fixup_dev(ctx, v->dev, 0);
	if (err)
		return err;
	err = dmcaps_dev_caps(ctx, v->dev, &s);
	if (err == -ENOMEM)
		return err;
	if (err) {
		*certain = false;
		v->old_source = "unreadable";
		v->why_unknown = dmcaps_strdup_printf(
			"the inline crypto capabilities of %s cannot be read",
			v->dev->dm_name);
		return dmcaps_set_new(&v->old_caps);
	}
	err = set_or_empty(s, &v->old_caps);
	if (err)
		return err;

	terr = dmcaps_table_read(ctx, v->dev, DMCAPS_TABLE_LIVE, &live);
	if (terr == -ENOMEM)
		return terr;
	if (terr == -ENODATA) {
		/* Never resumed: the queue has no profile. */
		v->old_source = "sysfs (no live table)";
		return 0;
	}
	if (!terr) {
		v->live_exact = maps_to_hardware_only(live);
		terr = dmcaps_predict(ctx, live, &v->live_pred);
	}
	dmcaps_table_free(live);
	if (terr == -ENOMEM)
		return terr;
	if (terr) {
		*certain = false;
		v->old_source = "sysfs";
		v->why_unknown = dmcaps_strdup_printf(
			"the live table of %s cannot be read (%s), and Linux 6.12's "
			"sysfs may hide capabilities a DM device gained after it "
			"was registered", v->dev->dm_name,
			terr == -EACCES || terr == -EPERM ?
			"device-mapper needs root" : strerror(-terr));
		return v->why_unknown ? 0 : -ENOMEM;
	}

	/*
	 * A kernel with DM_CRYPTO_CAPS says what the queue holds: the very
	 * set DM_TABLE_LOAD compares a new table with. No bounds needed.
	 */
	err = kernel_queue_caps(ctx, v);
	if (err <= 0)
		return err;

	p = dmcaps_prediction_caps(v->live_pred);
	if ((!s && dmcaps_set_is_empty(p)) || (s && dmcaps_set_equal(s, p))) {
		/* truth ⊇ sysfs, and truth ⊆ the live table's set */
		v->old_source = v->dev->verdict_corrected ?
				"sysfs and the live table" : "sysfs";
		return 0;
	}
	if (v->live_exact &&
	    dmcaps_sysfs_view(s, p) == DMCAPS_FINDING_SYSFS_STALE) {
		/* Hardware below does not change: the table's set is the
		 * queue's, sysfs hides part of it. */
		dmcaps_set_free(v->old_caps);
		v->old_caps = NULL;
		v->old_source = s ? "sysfs and the live table" :
				    "the live table (sysfs shows none)";
		err = dmcaps_set_dup(p, &v->old_caps);
		if (!err)
			dmcaps_set_set_keyslots(v->old_caps, 0);
		return err;
	}
	/*
	 * At least what sysfs shows, at most what the live table exposes
	 * now: DM devices below it may have gained capabilities since it
	 * was loaded, which the queue does not follow; or sysfs hides what
	 * the queue gained at a later resume. Which one, userspace cannot
	 * know on 6.12.
	 */
	*certain = false;
	v->old_source = "sysfs (the live table may add to it)";
	err = s ? dmcaps_set_dup(s, high) : dmcaps_set_new(high);
	if (!err)
		err = dmcaps_set_union(*high, p);
	if (!err) {
		v->why_unknown = dmcaps_strdup_printf(
			"%s's queue exposes at least what sysfs shows and at "
			"most what its live table exposes now; on Linux 6.12 "
			"userspace cannot tell which (sysfs hides capabilities "
			"gained at a later resume, and the queue does not follow "
			"DM devices below that gained some)", v->dev->dm_name);
		if (!v->why_unknown)
			err = -ENOMEM;
	}
	return err;
}

DMCAPS_EXPORT int dmcaps_verdict_new(struct dmcaps_ctx *ctx, const char *device,
				     const struct dmcaps_table *table,
				     struct dmcaps_verdict **verdict)
{
	struct dmcaps_set *high = NULL;
	struct dmcaps_table bound;
	struct dmcaps_verdict *v;
	bool certain = true;
	int err;

	if (!ctx || !device || !table || !verdict)
		return -EINVAL;
	*verdict = NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;

	/* "not found" is no error for a device's first table. */
	err = dmcaps_dev_resolve(ctx, device, &v->dev);
	if (err && (err != -ENODEV || !new_dm_name(device)))
		dmcaps_dev_lookup_failed(ctx, device, err);
	if (err == -ENODEV && new_dm_name(device)) {
		log_verbose(ctx, "no device %s: the table would be its first",
			    device);
		v->dev = NULL;
		err = 0;
	} else if (!err && !v->dev->dm_name) {
		log_err(ctx, "%s (%s) is not a device-mapper device", device,
			v->dev->kname);
		err = -EMEDIUMTYPE;
	}
	if (err)
		goto fail;
	v->exists = v->dev != NULL;

	/* The new table's DM devices first, then the prediction. */
	err = fixup_table(ctx, table, 0);
	if (err)
		goto fail;

	if (v->exists) {
		err = old_caps(ctx, v, &high, &certain);
	} else {
		v->old_source = "no device yet";
		err = dmcaps_set_new(&v->old_caps);
	}
	if (err)
		goto fail;

	/* The device's crypto_fallback switch decides the rule at load: a
	 * shallow copy carries it (the targets stay the caller's). */
	bound = *table;
	bound.dev = NULL;
	bound.crypto_fallback = false;
	if (v->exists) {
		err = dmcaps_table_bind_dev(ctx, &bound, v->dev);
		if (err)
			goto fail;
	}

	err = dmcaps_predict(ctx, &bound, &v->pred);
	if (!err)
		err = dmcaps_set_dup(dmcaps_prediction_caps(v->pred), &v->new_caps);
	if (err)
		goto fail;

	if (keeps_device_set(table)) {
		/*
		 * Every target passes inline crypto and none reaches a device
		 * (zero, error, on a kernel where they pass): such a table
		 * keeps the set the device exposes (dm-table.c on those
		 * kernels), whatever that is. Stock 6.12 has no such table:
		 * its passing targets always map to a device.
		 */
		log_verbose(ctx, "no target of the table reaches a device and "
			    "every one passes inline crypto: the table keeps "
			    "the device's set");
		dmcaps_set_free(v->new_caps);
		v->new_caps = NULL;
		err = dmcaps_set_dup(high ?: v->old_caps, &v->new_caps);
		if (err)
			goto fail;
		adopt_upper_bound(v, &high);
		certain = true;
		forget_unknown(v);
	} else if (bound.crypto_fallback) {
		/*
		 * Per-device fallback: the kernel adds what the device exposes
		 * to the table's union (the devices lacking it encrypt it in
		 * software), so the table never narrows it.
		 */
		log_verbose(ctx, "%s has crypto_fallback set: the table exposes "
			    "what any of its devices supports, and keeps what "
			    "the device exposes", v->dev->dm_name);
		err = dmcaps_set_union(v->new_caps, high ?: v->old_caps);
		if (err)
			goto fail;
		adopt_upper_bound(v, &high);
		certain = true;
		forget_unknown(v);
	}
	v->kind = judge(v->new_caps, v->old_caps);
	if (!certain) {
		/* v->old_caps is a lower bound: losing any of it is certain. */
		if (v->kind == DMCAPS_VERDICT_SHRINKS) {
			forget_unknown(v);
		} else if (high && accepted(judge(v->new_caps, high))) {
			/* Accepted at both bounds; the upper is the best guess. */
			adopt_upper_bound(v, &high);
			v->kind = judge(v->new_caps, v->old_caps);
			forget_unknown(v);
		} else {
			v->kind = DMCAPS_VERDICT_CANNOT_TELL;
		}
	}

	err = add_changes(v, false, v->old_caps, v->new_caps, v->pred);
	if (!err)
		err = add_changes(v, true, v->new_caps, v->old_caps, v->live_pred);
	if (!err)
		err = name_first_device(v, table);
	if (err)
		goto fail;
	dmcaps_set_free(high);
	*verdict = v;
	return 0;
fail:
	dmcaps_set_free(high);
	dmcaps_verdict_free(v);
	return err;
}

DMCAPS_EXPORT void dmcaps_verdict_free(struct dmcaps_verdict *v)
{
	if (!v)
		return;
	dmcaps_set_free(v->old_caps);
	dmcaps_set_free(v->new_caps);
	dmcaps_prediction_free(v->pred);
	dmcaps_prediction_free(v->live_pred);
	free(v->changes);
	free(v->synth);
	free(v->synth_type);
	free(v->why_unknown);
	free(v);
}

DMCAPS_EXPORT enum dmcaps_verdict_kind dmcaps_verdict_kind(const struct dmcaps_verdict *v)
{
	return v ? v->kind : DMCAPS_VERDICT_CANNOT_TELL;
}

DMCAPS_EXPORT const char *dmcaps_verdict_kind_name(enum dmcaps_verdict_kind kind)
{
	switch (kind) {
	case DMCAPS_VERDICT_KEEPS:
		return "keeps";
	case DMCAPS_VERDICT_EXPANDS:
		return "expands";
	case DMCAPS_VERDICT_SHRINKS:
		return "shrinks";
	default:
		return "cannot tell";
	}
}

DMCAPS_EXPORT bool dmcaps_verdict_device_exists(const struct dmcaps_verdict *v)
{
	return v && v->exists;
}

DMCAPS_EXPORT struct dmcaps_dev *dmcaps_verdict_device(const struct dmcaps_verdict *v)
{
	return v ? v->dev : NULL;
}

DMCAPS_EXPORT const struct dmcaps_set *dmcaps_verdict_old_caps(const struct dmcaps_verdict *v)
{
	return v ? v->old_caps : NULL;
}

DMCAPS_EXPORT const struct dmcaps_set *dmcaps_verdict_new_caps(const struct dmcaps_verdict *v)
{
	return v ? v->new_caps : NULL;
}

DMCAPS_EXPORT const struct dmcaps_prediction *
dmcaps_verdict_prediction(const struct dmcaps_verdict *v)
{
	return v ? v->pred : NULL;
}

DMCAPS_EXPORT size_t dmcaps_verdict_change_count(const struct dmcaps_verdict *v)
{
	return v ? v->nchanges : 0;
}

DMCAPS_EXPORT const struct dmcaps_change *
dmcaps_verdict_change(const struct dmcaps_verdict *v, size_t idx)
{
	if (!v || idx >= v->nchanges)
		return NULL;
	return &v->changes[idx];
}

DMCAPS_EXPORT const char *dmcaps_verdict_why_unknown(const struct dmcaps_verdict *v)
{
	return v ? v->why_unknown : NULL;
}

DMCAPS_EXPORT const char *dmcaps_verdict_old_source(const struct dmcaps_verdict *v)
{
	return v ? v->old_source : NULL;
}

DMCAPS_EXPORT int dmcaps_change_format_what(const struct dmcaps_change *c,
					    char **text)
{
	char *sizes = NULL;
	int err;

	if (!c || !text)
		return -EINVAL;
	*text = NULL;
	switch (c->delta.kind) {
	case DMCAPS_DELTA_MODE:
		err = dmcaps_dus_mask_format(c->delta.dus_mask, &sizes);
		if (err)
			return err;
		*text = dmcaps_strdup_printf("%s(%s)", c->delta.mode, sizes);
		free(sizes);
		break;
	case DMCAPS_DELTA_DATA_UNIT_SIZES:
		err = dmcaps_dus_mask_format(c->delta.dus_mask, &sizes);
		if (err)
			return err;
		*text = dmcaps_strdup_printf("%s data-unit sizes %s",
					     c->delta.mode, sizes);
		free(sizes);
		break;
	case DMCAPS_DELTA_DUN_BYTES:
		*text = dmcaps_strdup_printf("%u-byte DUNs (%s: %u)",
					     c->delta.dun_have,
					     c->gained ? "now" : "new table",
					     c->delta.dun_other);
		break;
	default:
		return -EINVAL;
	}
	return *text ? 0 : -ENOMEM;
}

DMCAPS_EXPORT int dmcaps_change_format_cause(const struct dmcaps_change *c,
					     char **text)
{
	char *r = NULL;
	int err;

	if (!c || !text)
		return -EINVAL;
	*text = NULL;
	if (!c->reason) {
		*text = strdup(c->gained ?
			       "the device does not expose it now" :
			       "no device of the new table offers it");
		return *text ? 0 : -ENOMEM;
	}
	err = dmcaps_reason_format(c->reason, &r);
	if (err)
		return err;
	switch (c->reason->cause) {
	case DMCAPS_CAUSE_DEVICE_NO_CRYPTO:
	case DMCAPS_CAUSE_DEVICE_LACKS:
	case DMCAPS_CAUSE_DEVICE_UNREADABLE:
		*text = dmcaps_strdup_printf("%s%s (target %zu, %s)",
					     c->gained ? "live table: " : "", r,
					     c->reason->target_index + 1,
					     c->reason->target_type);
		break;
	default:
		*text = dmcaps_strdup_printf("%s%s", c->gained ? "live table: " : "", r);
		break;
	}
	free(r);
	return *text ? 0 : -ENOMEM;
}
