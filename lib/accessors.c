// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Accessors of the objects the public header declares opaque (issue 13.3).
 *
 * Until 0.1 the header exposed seven structs, one of them filled by the
 * caller: any field added, widened or reordered would have broken every
 * program built against an older header without the soname saying so.
 * Behind accessors a field can change freely; a new one is a new function
 * in a new version node of libdmcaps.sym. Caller-allocated structs would
 * have needed size versioning (a size field every caller must fill and
 * every release must honour); there were two, and both became arguments
 * (dmcaps_evict_key()) or a library-allocated object (dmcaps_load()).
 *
 * Every accessor takes NULL and returns 0/NULL/false for it.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/* ---- deltas ------------------------------------------------------------ */

DMCAPS_EXPORT enum dmcaps_delta_kind
dmcaps_delta_kind(const struct dmcaps_delta *delta)
{
	return delta ? delta->kind : DMCAPS_DELTA_MODE;
}

DMCAPS_EXPORT const char *dmcaps_delta_mode(const struct dmcaps_delta *delta)
{
	return delta ? delta->mode : NULL;
}

DMCAPS_EXPORT uint32_t dmcaps_delta_dus_mask(const struct dmcaps_delta *delta)
{
	return delta ? delta->dus_mask : 0;
}

DMCAPS_EXPORT unsigned int dmcaps_delta_dun_have(const struct dmcaps_delta *delta)
{
	return delta ? delta->dun_have : 0;
}

DMCAPS_EXPORT unsigned int dmcaps_delta_dun_other(const struct dmcaps_delta *delta)
{
	return delta ? delta->dun_other : 0;
}

DMCAPS_EXPORT int dmcaps_set_diff(const struct dmcaps_set *have,
				  const struct dmcaps_set *other,
				  struct dmcaps_diff **diff)
{
	struct dmcaps_diff *d;
	int err;

	if (!diff)
		return -EINVAL;
	*diff = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	err = dmcaps_set_diff_array(have, other, &d->deltas, &d->count);
	if (err) {
		free(d);
		return err;
	}
	*diff = d;
	return 0;
}

DMCAPS_EXPORT size_t dmcaps_diff_count(const struct dmcaps_diff *diff)
{
	return diff ? diff->count : 0;
}

DMCAPS_EXPORT const struct dmcaps_delta *
dmcaps_diff_delta(const struct dmcaps_diff *diff, size_t idx)
{
	return diff && idx < diff->count ? &diff->deltas[idx] : NULL;
}

DMCAPS_EXPORT void dmcaps_diff_free(struct dmcaps_diff *diff)
{
	if (!diff)
		return;
	free(diff->deltas);
	free(diff);
}

/* ---- the kernel's answer ----------------------------------------------- */

DMCAPS_EXPORT uint64_t
dmcaps_kernel_target_start(const struct dmcaps_kernel_target *kt)
{
	return kt ? kt->start : 0;
}

DMCAPS_EXPORT uint64_t
dmcaps_kernel_target_length(const struct dmcaps_kernel_target *kt)
{
	return kt ? kt->length : 0;
}

DMCAPS_EXPORT const char *
dmcaps_kernel_target_type(const struct dmcaps_kernel_target *kt)
{
	return kt ? kt->type : NULL;
}

DMCAPS_EXPORT bool dmcaps_kernel_target_passes(const struct dmcaps_kernel_target *kt)
{
	return kt && kt->passes;
}

DMCAPS_EXPORT size_t
dmcaps_kernel_target_first_dev(const struct dmcaps_kernel_target *kt)
{
	return kt ? kt->first_dev : 0;
}

DMCAPS_EXPORT size_t
dmcaps_kernel_target_dev_count(const struct dmcaps_kernel_target *kt)
{
	return kt ? kt->ndevs : 0;
}

DMCAPS_EXPORT dev_t dmcaps_kernel_dev_devno(const struct dmcaps_kernel_dev *kd)
{
	return kd ? kd->devno : 0;
}

DMCAPS_EXPORT size_t dmcaps_kernel_dev_target(const struct dmcaps_kernel_dev *kd)
{
	return kd ? kd->target : 0;
}

DMCAPS_EXPORT const struct dmcaps_set *
dmcaps_kernel_dev_caps(const struct dmcaps_kernel_dev *kd)
{
	return kd ? kd->caps : NULL;
}

/* ---- reasons and changes ----------------------------------------------- */

DMCAPS_EXPORT enum dmcaps_cause dmcaps_reason_cause(const struct dmcaps_reason *reason)
{
	return reason ? reason->cause : DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH;
}

DMCAPS_EXPORT size_t dmcaps_reason_target(const struct dmcaps_reason *reason)
{
	return reason ? reason->target_index : 0;
}

DMCAPS_EXPORT const char *
dmcaps_reason_target_type(const struct dmcaps_reason *reason)
{
	return reason ? reason->target_type : NULL;
}

DMCAPS_EXPORT struct dmcaps_dev *dmcaps_reason_dev(const struct dmcaps_reason *reason)
{
	return reason ? reason->dev : NULL;
}

DMCAPS_EXPORT const struct dmcaps_delta *
dmcaps_reason_delta(const struct dmcaps_reason *reason)
{
	if (!reason || (reason->cause != DMCAPS_CAUSE_DEVICE_LACKS &&
			reason->cause != DMCAPS_CAUSE_DEVICE_FALLBACK))
		return NULL;
	return &reason->delta;
}

DMCAPS_EXPORT bool dmcaps_change_gained(const struct dmcaps_change *change)
{
	return change && change->gained;
}

DMCAPS_EXPORT const struct dmcaps_delta *
dmcaps_change_delta(const struct dmcaps_change *change)
{
	return change ? &change->delta : NULL;
}

DMCAPS_EXPORT const struct dmcaps_reason *
dmcaps_change_reason(const struct dmcaps_change *change)
{
	return change ? change->reason : NULL;
}

/* ---- where a load left the device -------------------------------------- */

DMCAPS_EXPORT unsigned int
dmcaps_load_state_flags(const struct dmcaps_load_state *st)
{
	if (!st)
		return 0;
	return (st->created ? DMCAPS_LOAD_STATE_CREATED : 0) |
	       (st->exists ? DMCAPS_LOAD_STATE_EXISTS : 0) |
	       (st->live_table ? DMCAPS_LOAD_STATE_LIVE_TABLE : 0) |
	       (st->inactive_table ? DMCAPS_LOAD_STATE_INACTIVE_TABLE : 0) |
	       (st->suspended ? DMCAPS_LOAD_STATE_SUSPENDED : 0) |
	       (st->resumed ? DMCAPS_LOAD_STATE_RESUMED : 0);
}

DMCAPS_EXPORT int dmcaps_load_state_failed_step(const struct dmcaps_load_state *st)
{
	return st ? st->failed_step : 0;
}

DMCAPS_EXPORT int dmcaps_load_state_errno(const struct dmcaps_load_state *st)
{
	return st ? st->kernel_errno : 0;
}

DMCAPS_EXPORT void dmcaps_load_state_free(struct dmcaps_load_state *st)
{
	free(st);
}
