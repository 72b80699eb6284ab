// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Predicting what a table exposes, by the kernel's rules
 * (drivers/md/dm-table.c:dm_table_construct_crypto_profile), and explaining
 * every capability lost.
 *
 * The set is computed as the kernel does: start from "everything", a target
 * type without DM_TARGET_PASSES_CRYPTO clears everything, each underlying
 * device intersects. The explanation walks the same order, but starts from
 * the union of the capabilities of the devices the kernel looks at (those of
 * the targets before the first non-passing one) rather than from
 * "everything": the first device would otherwise "lose" every mode and size
 * no hardware has, which explains nothing. So each reason names something
 * that some device of the table offers and the table does not, and is
 * attributed to the first target or device (in table order) that removed it:
 * every lost capability has exactly one reason.
 *
 * Linux 6.12 creates queue/crypto only when a disk is registered with a
 * profile: a DM device whose first table exposed nothing and a later one
 * something has a profile the kernel uses but sysfs never shows. For an
 * underlying DM device without queue/crypto we therefore predict its live
 * table (recursively) and, if that exposes something, use it with a warning.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The capabilities @dev exposes: sysfs, or for a DM device that shows none
 * there, its live table's prediction. *caps is borrowed from the context
 * (NULL: no inline crypto); the return value is the sysfs read error.
 */
static int dev_effective_caps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			      const struct dmcaps_set **caps)
{
	struct dmcaps_prediction *sub = NULL;
	struct dmcaps_table *table = NULL;
	char *text = NULL;
	int err;

	err = dmcaps_dev_caps(ctx, dev, caps);
	if (err || *caps || !dev->dm_name)
		return err;
	if (dev->table_caps_read || dev->predicting) {
		*caps = dev->table_caps;
		return 0;
	}
	dev->predicting = true;
	if (!dmcaps_table_read(ctx, dev, DMCAPS_TABLE_LIVE, &table) &&
	    !dmcaps_predict(ctx, table, &sub) &&
	    !dmcaps_set_is_empty(dmcaps_prediction_caps(sub)) &&
	    !dmcaps_set_dup(dmcaps_prediction_caps(sub), &dev->table_caps)) {
		dmcaps_set_format(dev->table_caps, &text);
		log_warn(ctx, "%s (%s) shows no inline crypto in sysfs, but its "
			 "live table exposes %s: Linux 6.12 never creates "
			 "queue/crypto for a DM device that gains capabilities "
			 "after it is registered, so sysfs may be hiding them. "
			 "Using its table's", dev->kname, dev->dm_name,
			 text ?: "some");
		free(text);
	}
	dmcaps_prediction_free(sub);
	dmcaps_table_free(table);
	dev->predicting = false;
	dev->table_caps_read = true;
	*caps = dev->table_caps;
	return 0;
}

struct dmcaps_prediction {
	struct dmcaps_set *caps;
	struct dmcaps_reason *reasons;
	size_t nreasons, reasons_cap;
	/* Reasons' strings (target types, deltas' mode names) point into
	 * these copies: a prediction outlives its table. Devices belong to
	 * the context. */
	char **strings;
	size_t nstrings, strings_cap;
};

static int keep_string(struct dmcaps_prediction *p, const char **str)
{
	char **n, *copy;
	size_t i;

	if (!*str)
		return 0;
	for (i = 0; i < p->nstrings; i++) {
		if (!strcmp(p->strings[i], *str)) {
			*str = p->strings[i];
			return 0;
		}
	}
	copy = strdup(*str);
	if (!copy)
		return -ENOMEM;
	n = dmcaps_grow(p->strings, &p->strings_cap, p->nstrings + 1,
			sizeof(*n));
	if (!n) {
		free(copy);
		return -ENOMEM;
	}
	n[p->nstrings++] = copy;
	p->strings = n;
	*str = copy;
	return 0;
}

static int add_reason(struct dmcaps_prediction *p, enum dmcaps_cause cause,
		      size_t idx, const struct dmcaps_target *t,
		      struct dmcaps_dev *dev, const struct dmcaps_delta *delta)
{
	struct dmcaps_reason *n, *r;
	int err;

	n = dmcaps_grow(p->reasons, &p->reasons_cap, p->nreasons + 1,
			sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->reasons = n;
	r = &n[p->nreasons];
	memset(r, 0, sizeof(*r));
	r->cause = cause;
	r->target_index = idx;
	r->target_type = t->type;
	r->dev = dev;
	if (delta)
		r->delta = *delta;
	err = keep_string(p, &r->target_type);
	if (!err)
		err = keep_string(p, &r->delta.mode);
	if (err)
		return err;
	p->nreasons++;
	return 0;
}

/* The union of the capabilities of every device the kernel would look at:
 * those of the targets before the first one that does not pass crypto. */
static int table_union(struct dmcaps_ctx *ctx, const struct dmcaps_table *table,
		       struct dmcaps_set **out)
{
	const struct dmcaps_set *caps;
	size_t i, j;
	int err;

	err = dmcaps_set_new(out);
	for (i = 0; !err && i < table->ntargets; i++) {
		const struct dmcaps_target *t = &table->targets[i];

		if (t->passes != DMCAPS_PASSES_YES)
			break;

		for (j = 0; !err && j < t->ndevs; j++) {
			if (dev_effective_caps(ctx, t->devs[j], &caps) || !caps)
				continue;
			err = dmcaps_set_union(*out, caps);
		}
	}
	if (err) {
		dmcaps_set_free(*out);
		*out = NULL;
	}
	return err;
}

/* Running set still has something to lose ("unrestricted" counts). */
static bool has_any(const struct dmcaps_set *s)
{
	return !dmcaps_set_is_empty(s);
}

static int device_step(struct dmcaps_ctx *ctx, struct dmcaps_prediction *p,
		       struct dmcaps_set *running, const struct dmcaps_set *baseline,
		       size_t idx, const struct dmcaps_target *t,
		       struct dmcaps_dev *dev)
{
	const struct dmcaps_set *caps = NULL, *from;
	struct dmcaps_delta *deltas = NULL;
	struct dmcaps_set *none;
	size_t n = 0, k;
	int err, rerr;

	rerr = dev_effective_caps(ctx, dev, &caps);
	if (rerr == -ENOMEM)
		return rerr;
	if (rerr || !caps || dmcaps_set_is_empty(caps)) {
		if (has_any(running)) {
			err = add_reason(p, rerr ? DMCAPS_CAUSE_DEVICE_UNREADABLE :
					 DMCAPS_CAUSE_DEVICE_NO_CRYPTO, idx, t, dev, NULL);
			if (err)
				return err;
		}
		err = dmcaps_set_new(&none);
		if (err)
			return err;
		err = dmcaps_set_intersect(running, none);
		dmcaps_set_free(none);
		return err;
	}

	from = dmcaps_set_is_unrestricted(running) ? baseline : running;
	err = dmcaps_set_diff_array(from, caps, &deltas, &n);
	for (k = 0; !err && k < n; k++)
		err = add_reason(p, DMCAPS_CAUSE_DEVICE_LACKS, idx, t, dev, &deltas[k]);
	free(deltas);
	if (err)
		return err;
	return dmcaps_set_intersect(running, caps);
}

/* Whether @dev appears in a target before @idx: explained there. */
static bool dev_seen_before(const struct dmcaps_table *table, size_t idx,
			    const struct dmcaps_dev *dev)
{
	size_t i, j;

	for (i = 0; i < idx; i++)
		for (j = 0; j < table->targets[i].ndevs; j++)
			if (table->targets[i].devs[j] == dev)
				return true;
	return false;
}

/*
 * Per-device fallback (dm/crypto_fallback, the dm-crypto series'
 * "dm: let a device fall back to software per underlying device"): a table
 * whose targets all pass inline crypto exposes the union of its devices'
 * capabilities and of what its DM device exposes already (a reload never
 * narrows it); each device that lacks some of it encrypts that part in
 * software itself, which is said once per device, not as a loss. A target
 * that does not pass inline crypto still leaves nothing.
 */
static int predict_fallback(struct dmcaps_ctx *ctx,
			    const struct dmcaps_table *table,
			    struct dmcaps_prediction *p, struct dmcaps_set **out)
{
	const struct dmcaps_set *caps, *kept = NULL;
	struct dmcaps_delta *deltas = NULL;
	struct dmcaps_set *u = NULL, *none = NULL;
	size_t i, j, k, n;
	int err, rerr;

	err = table_union(ctx, table, &u);
	if (!err && table->dev && !dmcaps_dev_caps(ctx, table->dev, &kept) && kept)
		err = dmcaps_set_union(u, kept);
	if (!err)
		err = dmcaps_set_new(&none);
	for (i = 0; !err && i < table->ntargets; i++) {
		const struct dmcaps_target *t = &table->targets[i];

		if (t->passes != DMCAPS_PASSES_YES) {
			if (!dmcaps_set_is_empty(u))
				err = add_reason(p, t->passes == DMCAPS_PASSES_NO ?
						 DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH :
						 DMCAPS_CAUSE_TARGET_UNKNOWN_TYPE,
						 i, t, NULL, NULL);
			if (!err)
				err = dmcaps_set_intersect(u, none);
			break;
		}
	}
	for (i = 0; !err && !dmcaps_set_is_empty(u) && i < table->ntargets; i++) {
		const struct dmcaps_target *t = &table->targets[i];

		for (j = 0; !err && j < t->ndevs; j++) {
			if (dev_seen_before(table, i, t->devs[j]))
				continue;
			caps = NULL;
			rerr = dev_effective_caps(ctx, t->devs[j], &caps);
			if (rerr == -ENOMEM) {
				err = rerr;
				break;
			}
			if (rerr) {
				err = add_reason(p, DMCAPS_CAUSE_DEVICE_UNREADABLE,
						 i, t, t->devs[j], NULL);
				continue;
			}
			err = dmcaps_set_diff_array(u, caps ?: none, &deltas, &n);
			for (k = 0; !err && k < n; k++)
				err = add_reason(p, DMCAPS_CAUSE_DEVICE_FALLBACK, i,
						 t, t->devs[j], &deltas[k]);
			free(deltas);
			deltas = NULL;
		}
	}
	dmcaps_set_free(none);
	if (err) {
		dmcaps_set_free(u);
		return err;
	}
	*out = u;
	return 0;
}

DMCAPS_EXPORT int dmcaps_predict(struct dmcaps_ctx *ctx,
				 const struct dmcaps_table *table,
				 struct dmcaps_prediction **pred)
{
	struct dmcaps_set *running = NULL, *baseline = NULL, *none = NULL;
	struct dmcaps_prediction *p;
	size_t i, j;
	int err;

	if (!ctx || !table || !pred)
		return -EINVAL;
	*pred = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;

	if (table->crypto_fallback) {
		err = predict_fallback(ctx, table, p, &running);
		if (err)
			goto out;
		goto done;
	}

	err = dmcaps_set_new_unrestricted(&running);
	if (!err)
		err = table_union(ctx, table, &baseline);
	if (!err)
		err = dmcaps_set_new(&none);

	for (i = 0; !err && i < table->ntargets; i++) {
		const struct dmcaps_target *t = &table->targets[i];

		if (t->passes != DMCAPS_PASSES_YES) {
			/* The kernel stops at the first such target. */
			if (has_any(running))
				err = add_reason(p, t->passes == DMCAPS_PASSES_NO ?
						 DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH :
						 DMCAPS_CAUSE_TARGET_UNKNOWN_TYPE,
						 i, t, NULL, NULL);
			if (!err)
				err = dmcaps_set_intersect(running, none);
			break;
		}
		for (j = 0; !err && j < t->ndevs; j++)
			err = device_step(ctx, p, running, baseline, i, t, t->devs[j]);
	}
	if (err)
		goto out;

	/*
	 * Still "everything": no target looked at a device (an empty table,
	 * or only zero and error targets where they pass). The kernel exposes
	 * nothing then: a table without devices has no hardware behind it;
	 * that "none" has a reason like every other.
	 */
	if (dmcaps_set_is_unrestricted(running)) {
		if (table->ntargets)
			err = add_reason(p, DMCAPS_CAUSE_NO_DEVICE, 0,
					 &table->targets[0], NULL, NULL);
		if (err)
			goto out;
		dmcaps_set_free(running);
		running = NULL;
		err = dmcaps_set_new(&running);
		if (err)
			goto out;
	}
done:
	/* DM's profile is passthrough: keyslots live in the devices below. */
	if (!dmcaps_set_is_empty(running))
		dmcaps_set_set_keyslots(running, 0);
	else
		dmcaps_set_set_keyslots(running, DMCAPS_KEYSLOTS_UNKNOWN);
	p->caps = running;
	running = NULL;
	*pred = p;
	p = NULL;
out:
	dmcaps_set_free(running);
	dmcaps_set_free(baseline);
	dmcaps_set_free(none);
	dmcaps_prediction_free(p);
	return err;
}

DMCAPS_EXPORT void dmcaps_prediction_free(struct dmcaps_prediction *pred)
{
	size_t i;

	if (!pred)
		return;
	for (i = 0; i < pred->nstrings; i++)
		free(pred->strings[i]);
	free(pred->strings);
	free(pred->reasons);
	dmcaps_set_free(pred->caps);
	free(pred);
}

DMCAPS_EXPORT const struct dmcaps_set *
dmcaps_prediction_caps(const struct dmcaps_prediction *pred)
{
	return pred ? pred->caps : NULL;
}

DMCAPS_EXPORT size_t dmcaps_prediction_reason_count(const struct dmcaps_prediction *pred)
{
	return pred ? pred->nreasons : 0;
}

DMCAPS_EXPORT bool dmcaps_prediction_certain(const struct dmcaps_prediction *pred)
{
	size_t i;

	if (!pred)
		return false;
	for (i = 0; i < pred->nreasons; i++)
		if (pred->reasons[i].cause == DMCAPS_CAUSE_DEVICE_UNREADABLE)
			return false;
	return true;
}

DMCAPS_EXPORT const struct dmcaps_reason *
dmcaps_prediction_reason(const struct dmcaps_prediction *pred, size_t idx)
{
	if (!pred || idx >= pred->nreasons)
		return NULL;
	return &pred->reasons[idx];
}

static const char *dev_label(const struct dmcaps_dev *dev)
{
	if (!dev)
		return "?";
	return dev->dm_name ?: dev->kname;
}

DMCAPS_EXPORT int dmcaps_reason_format(const struct dmcaps_reason *r, char **text)
{
	char *delta = NULL;
	int err;

	if (!r || !text)
		return -EINVAL;
	*text = NULL;
	switch (r->cause) {
	case DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH:
		*text = dmcaps_strdup_printf("target %zu (%s) does not pass inline crypto",
					     r->target_index + 1, r->target_type);
		break;
	case DMCAPS_CAUSE_TARGET_UNKNOWN_TYPE:
		*text = dmcaps_strdup_printf("target %zu (%s) is of an unknown type, "
					     "assumed not to pass inline crypto",
					     r->target_index + 1, r->target_type);
		break;
	case DMCAPS_CAUSE_DEVICE_NO_CRYPTO:
		*text = dmcaps_strdup_printf("device %s has no inline crypto",
					     dev_label(r->dev));
		break;
	case DMCAPS_CAUSE_DEVICE_UNREADABLE:
		*text = dmcaps_strdup_printf("the inline crypto capabilities of "
					     "device %s cannot be read", dev_label(r->dev));
		break;
	case DMCAPS_CAUSE_DEVICE_LACKS:
		err = dmcaps_delta_format(&r->delta, &delta);
		if (err)
			return err;
		*text = dmcaps_strdup_printf("device %s %s", dev_label(r->dev), delta);
		free(delta);
		break;
	case DMCAPS_CAUSE_DEVICE_FALLBACK:
		err = dmcaps_delta_format(&r->delta, &delta);
		if (err)
			return err;
		*text = dmcaps_strdup_printf("%s %s: encrypted in software at that device",
					     dev_label(r->dev), delta);
		free(delta);
		break;
	case DMCAPS_CAUSE_NO_DEVICE:
		*text = dmcaps_strdup_printf("no target maps to a device (target "
					     "%zu, %s): no inline-crypto hardware "
					     "below", r->target_index + 1,
					     r->target_type);
		break;
	default:
		return -EINVAL;
	}
	return *text ? 0 : -ENOMEM;
}
