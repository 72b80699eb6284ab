// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's own answer: the DM_CRYPTO_CAPS ioctl (kernel-patches/dm-crypto/0005,
 * Documentation/admin-guide/device-mapper/dm-crypto-caps.rst), issued raw on
 * /dev/mapper/control since libdevmapper's command table is fixed.
 *
 * Whether the kernel has it is found out once per context, by probing, in
 * a way that leaves the kernel log of a kernel without it untouched: such a
 * kernel logs every unknown command ("dm_ctl_ioctl: unknown command"), so
 * DM_VERSION, which no kernel logs, is asked first, and a kernel whose
 * interface is older than the series' (4.51) is taken to lack the ioctl
 * without being asked. Otherwise the target type query (no device) is the
 * probe: a kernel without the command fails it with ENOTTY (or, on kernels
 * that say so for unknown commands, EINVAL, which that query cannot
 * otherwise get). The version alone is not proof: a backport may report
 * another version, another kernel may reach 4.51 without the series (its
 * log then gets that one line per context). The answer is remembered, and
 * so is a refusal for lack of privilege: neither is asked again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "kabi-dm-crypto-caps.h"

/*
 * First guess of the answer's size: one page holds the target types and a
 * table of some fifty targets (an answer is about 400 bytes for one target
 * over one device, 64 more per target); one retry with the size the kernel
 * asks for fits anything up to the cap. The kernel copies the whole buffer
 * in and we zero it, per DM device: with 16 KiB that was a third of a
 * whole-system show's memory writes.
 */
#define KCAPS_FIRST_SIZE	4096u
#define KCAPS_MAX_SIZE		(256u * 1024 * 1024)
#define KCAPS_TRIES		4

struct ktype {
	char name[DM_MAX_TYPE_NAME + 1];
	bool passes;
	bool per_instance;	/* passes, unless a target's parameters opt out */
};

struct dmcaps_kernel_caps {
	int refs;			/* the caller's, and the context's
					   for a live table's answer */
	struct dmcaps_set **sets;	/* every set of the answer */
	bool *present;			/* the set's device has a profile */
	size_t nsets;
	const struct dmcaps_set *table, *queue;
	bool queue_present;
	struct dmcaps_kernel_target *targets;
	size_t ntargets;
	char (*types)[DM_MAX_TYPE_NAME + 1];	/* the targets' type names */
	struct dmcaps_kernel_dev *devs;
	bool *dev_present;
	size_t ndevs;
	int fallback;			/* the table's crypto_fallback; -1
					   when the answer does not say */
};

/* huge_encode_dev(), as dm_ioctl.dev and the answer's devices carry it. */
static uint64_t dev_encode(dev_t d)
{
	uint64_t ma = major(d), mi = minor(d);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffull) << 12);
}

static dev_t dev_decode(uint64_t d)
{
	return makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
}

/* The real transport: the context's control node, opened once. */
static int control_ioctl(struct dmcaps_ctx *ctx, unsigned long req,
			 struct dm_ioctl *dmi)
{
	int fd = dmcaps_control_fd(ctx);

	if (fd < 0)
		return fd;
	return ioctl(fd, req, dmi) < 0 ? -errno : 0;
}

static int kcaps_ioctl(struct dmcaps_ctx *ctx, struct dm_ioctl *dmi)
{
	return control_ioctl(ctx, DM_CRYPTO_CAPS, dmi);
}

/* The kernel's device-mapper interface version (DM_VERSION, never logged). */
static int kcaps_dm_version(struct dmcaps_ctx *ctx, uint32_t v[3])
{
	struct dm_ioctl dmi = {
		/* 4.0.0: any 4.x kernel accepts it and writes its own */
		.version = { DM_VERSION_MAJOR },
		.data_size = sizeof(dmi),
		.data_start = sizeof(dmi),
	};
	int r;

	if (ctx->kversion_call)
		return ctx->kversion_call(ctx, v);
	if (ctx->kcaps_call) {
		/* A test that fakes only DM_CRYPTO_CAPS: the series' kernel. */
		v[0] = DM_VERSION_MAJOR;
		v[1] = DMCAPS_KABI_CRYPTO_CAPS_MINOR;
		v[2] = 0;
		return 0;
	}
	if (!ctx->running_system)
		return -ENOTSUP;
	r = control_ioctl(ctx, DM_VERSION, &dmi);
	if (!r)
		memcpy(v, dmi.version, sizeof(dmi.version));
	return r;
}

/*
 * 0 when the kernel's interface is recent enough to have DM_CRYPTO_CAPS
 * (then probe it), -ENOTTY when it is older: such a kernel is not asked.
 */
static int kcaps_version_gate(struct dmcaps_ctx *ctx)
{
	uint32_t v[3] = { 0 };
	int r;

	r = kcaps_dm_version(ctx, v);
	if (r)
		return r;
	if (v[0] == DM_VERSION_MAJOR && v[1] >= DMCAPS_KABI_CRYPTO_CAPS_MINOR)
		return 0;
	log_verbose(ctx, "this kernel has no DM_CRYPTO_CAPS ioctl (device-mapper "
		    "interface %u.%u.%u, older than %u.%u): capabilities are "
		    "predicted, not read back", v[0], v[1], v[2],
		    DM_VERSION_MAJOR, DMCAPS_KABI_CRYPTO_CAPS_MINOR);
	return -ENOTTY;
}

/*
 * One query: @devno 0 for the target type list. On success *out is the
 * malloc()ed parameter block of *outsize bytes holding the complete answer
 * at data_start, not yet checked (answer() does).
 */
static int kcaps_call(struct dmcaps_ctx *ctx, dev_t devno, bool inactive,
		      struct dm_ioctl **out, size_t *outsize)
{
	size_t size = sizeof(struct dm_ioctl) + KCAPS_FIRST_SIZE, next;
	struct dm_ioctl *dmi;
	const char *why;
	int tries, r;

	*out = NULL;
	if (!ctx->kcaps_call && !ctx->running_system)
		return -ENOTSUP;
	for (tries = 0; tries < KCAPS_TRIES; tries++) {
		dmi = calloc(1, size);
		if (!dmi)
			return -ENOMEM;
		/* 4.0.0: a kernel without the command then says ENOTTY
		 * rather than EINVAL for a version it does not know. */
		dmi->version[0] = DM_VERSION_MAJOR;
		dmi->data_size = size;
		dmi->data_start = sizeof(*dmi);
		dmi->dev = dev_encode(devno);
		if (inactive)
			dmi->flags = DM_QUERY_INACTIVE_TABLE_FLAG;
		r = ctx->kcaps_call ? ctx->kcaps_call(ctx, dmi) :
				      kcaps_ioctl(ctx, dmi);
		if (r) {
			free(dmi);
			return r;
		}
		if (!(dmi->flags & DM_BUFFER_FULL_FLAG)) {
			*out = dmi;
			*outsize = size;
			return 0;
		}
		r = dmcaps_kcaps_reply_next_size(dmi, size, ctx->kcaps_max_size ?:
						 KCAPS_MAX_SIZE, &next, &why);
		free(dmi);
		if (r) {
			log_err(ctx, "DM_CRYPTO_CAPS: the kernel's answer to a "
				"%zu-byte buffer is malformed: %s", size, why);
			return r;
		}
		size = next;
	}
	log_err(ctx, "DM_CRYPTO_CAPS: the answer kept outgrowing the buffer");
	return -EAGAIN;
}

/* The answer's header, checked whole (kcaps-reply.c); NULL and logged
 * when malformed. */
static const struct dm_crypto_caps *answer(struct dmcaps_ctx *ctx,
					   const struct dm_ioctl *dmi,
					   size_t size, bool types)
{
	const struct dm_crypto_caps *h;
	const char *why;

	h = dmcaps_kcaps_reply(dmi, size, types, &why);
	if (!h)
		log_err(ctx, "DM_CRYPTO_CAPS: the kernel's answer is "
			"malformed: %s", why);
	return h;
}

static const void *record(const struct dm_crypto_caps *h, uint32_t off,
			  uint32_t size, size_t idx)
{
	return (const char *)h + off + (uint64_t)size * idx;
}

/* Copies a fixed-size kernel string, NUL-terminated. */
static void copy_name(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Set @idx of the answer as a dmcaps_set. */
static int set_decode(const struct dm_crypto_caps *h, uint32_t idx,
		      struct dmcaps_set **out)
{
	const struct dm_crypto_caps_set *s;
	const struct dm_crypto_caps_mode *m;
	char name[DM_CRYPTO_MODE_NAME_LEN + 1];
	uint32_t i;
	int err;

	err = dmcaps_set_new(out);
	if (err)
		return err;
	s = record(h, h->sets_offset, h->set_size, idx);
	if (!(s->flags & DM_CRYPTO_SET_PRESENT))
		return 0;
	for (i = 0; !err && i < h->num_modes; i++) {
		if (!s->data_unit_sizes[i])
			continue;
		m = record(h, h->modes_offset, h->mode_size, i);
		copy_name(name, m->name, DM_CRYPTO_MODE_NAME_LEN);
		err = dmcaps_set_add_mode(*out, name, s->data_unit_sizes[i]);
	}
	if (!err && !dmcaps_set_is_empty(*out))
		err = dmcaps_set_set_max_dun_bytes(*out, s->max_dun_bytes);
	if (!err && !dmcaps_set_is_empty(*out))
		err = dmcaps_set_set_keyslots(*out, s->num_keyslots);
	if (err) {
		dmcaps_set_free(*out);
		*out = NULL;
	}
	/* Out-of-range DUN width or keyslots: the kernel's answer is bad. */
	return err == -EINVAL ? -EBADMSG : err;
}

static int types_store(struct dmcaps_ctx *ctx, const struct dm_crypto_caps *h)
{
	const struct dm_crypto_caps_type *t;
	uint32_t i;

	ctx->ktypes = calloc(h->num_types ?: 1, sizeof(*ctx->ktypes));
	if (!ctx->ktypes)
		return -ENOMEM;
	for (i = 0; i < h->num_types; i++) {
		t = record(h, h->types_offset, h->type_size, i);
		copy_name(ctx->ktypes[i].name, t->name, DM_MAX_TYPE_NAME);
		ctx->ktypes[i].passes = t->flags & DM_CRYPTO_TARGET_PASSES;
		ctx->ktypes[i].per_instance = ctx->ktypes[i].passes &&
			(t->flags & DM_CRYPTO_TARGET_PER_INSTANCE);
	}
	ctx->nktypes = h->num_types;
	return 0;
}

DMCAPS_EXPORT int dmcaps_kernel_caps_available(struct dmcaps_ctx *ctx)
{
	const struct dm_crypto_caps *h;
	struct dm_ioctl *dmi;
	size_t size;
	int r;

	if (!ctx)
		return -EINVAL;
	if (ctx->kcaps_probed)
		return ctx->kcaps_err;

	r = kcaps_version_gate(ctx);
	if (r == -ENOTTY)
		goto remember;
	if (!r)
		r = kcaps_call(ctx, 0, false, &dmi, &size);
	if (!r) {
		h = answer(ctx, dmi, size, true);
		r = h ? types_store(ctx, h) : -EBADMSG;
		free(dmi);
	}
	switch (r) {
	case 0:
		log_dbg(ctx, "the kernel has DM_CRYPTO_CAPS (%zu target types)",
			ctx->nktypes);
		break;
	case -ENOTTY:
	case -EINVAL:
		log_verbose(ctx, "this kernel has no DM_CRYPTO_CAPS ioctl: "
			    "capabilities are predicted, not read back");
		r = -ENOTTY;
		break;
	case -ENOTSUP:
		log_dbg(ctx, "no device-mapper to ask for DM_CRYPTO_CAPS");
		break;
	case -ENOMEM:
		/* Not remembered: the next call may succeed. */
		return r;
	default:
		log_verbose(ctx, "DM_CRYPTO_CAPS cannot be used: %s",
			    strerror(-r));
		break;
	}
remember:
	ctx->kcaps_probed = true;
	ctx->kcaps_err = r;
	return r;
}

int dmcaps_kernel_type_passes(struct dmcaps_ctx *ctx, const char *type,
			      enum dmcaps_passes *passes)
{
	size_t i;
	int r;

	if (!ctx || !type)
		return -EINVAL;
	r = dmcaps_kernel_caps_available(ctx);
	if (r)
		return r;
	for (i = 0; i < ctx->nktypes; i++) {
		if (!strcmp(ctx->ktypes[i].name, type)) {
			*passes = ctx->ktypes[i].passes ? DMCAPS_PASSES_YES :
							  DMCAPS_PASSES_NO;
			return 0;
		}
	}
	/* Not registered (yet): its module may load with the table. */
	return -ENOENT;
}

int dmcaps_kernel_type_per_instance(struct dmcaps_ctx *ctx, const char *type,
				    bool *per_instance)
{
	size_t i;
	int r;

	if (!ctx || !type)
		return -EINVAL;
	r = dmcaps_kernel_caps_available(ctx);
	if (r)
		return r;
	for (i = 0; i < ctx->nktypes; i++) {
		if (!strcmp(ctx->ktypes[i].name, type)) {
			*per_instance = ctx->ktypes[i].per_instance;
			return 0;
		}
	}
	return -ENOENT;
}

void dmcaps_kcaps_free_ctx(struct dmcaps_ctx *ctx)
{
	free(ctx->ktypes);
	ctx->ktypes = NULL;
	ctx->nktypes = 0;
	ctx->kcaps_probed = false;
}

DMCAPS_EXPORT void dmcaps_kernel_caps_free(struct dmcaps_kernel_caps *kc)
{
	size_t i;

	if (!kc || --kc->refs > 0)
		return;
	for (i = 0; i < kc->nsets; i++)
		dmcaps_set_free(kc->sets[i]);
	free(kc->sets);
	free(kc->present);
	free(kc->dev_present);
	free(kc->targets);
	free(kc->types);
	free(kc->devs);
	free(kc);
}

static int kc_decode(struct dmcaps_ctx *ctx, const struct dm_crypto_caps *h,
		     struct dmcaps_kernel_caps *kc)
{
	const struct dm_crypto_caps_target *t;
	const struct dm_crypto_caps_dev *d;
	size_t i;
	int err;

	kc->sets = calloc(h->num_sets, sizeof(*kc->sets));
	kc->present = calloc(h->num_sets, sizeof(*kc->present));
	kc->targets = calloc(h->num_targets ?: 1, sizeof(*kc->targets));
	kc->types = calloc(h->num_targets ?: 1, sizeof(*kc->types));
	kc->devs = calloc(h->num_devs ?: 1, sizeof(*kc->devs));
	kc->dev_present = calloc(h->num_devs ?: 1, sizeof(*kc->dev_present));
	if (!kc->sets || !kc->present || !kc->dev_present || !kc->targets || !kc->types || !kc->devs)
		return -ENOMEM;
	for (i = 0; i < h->num_sets; i++) {
		const struct dm_crypto_caps_set *s =
			record(h, h->sets_offset, h->set_size, i);

		err = set_decode(h, i, &kc->sets[i]);
		if (err)
			return err;
		kc->present[i] = s->flags & DM_CRYPTO_SET_PRESENT;
		kc->nsets++;
	}
	/* Version 2 reports the mode the table was loaded with. */
	kc->fallback = h->version < DMCAPS_KABI_CRYPTO_CAPS_VERSION_FALLBACK ? -1 :
		       !!(h->flags & DM_CRYPTO_CAPS_FALLBACK);
	kc->table = kc->sets[h->table_set];
	kc->queue = kc->sets[h->queue_set];
	kc->queue_present = kc->present[h->queue_set];

	for (i = 0; i < h->num_devs; i++) {
		d = record(h, h->devs_offset, h->dev_size, i);
		kc->devs[i].devno = dev_decode(d->dev);
		kc->devs[i].target = d->target;
		kc->devs[i].caps = kc->sets[d->set];
		kc->dev_present[i] = kc->present[d->set];
	}
	kc->ndevs = h->num_devs;

	for (i = 0; i < h->num_targets; i++) {
		t = record(h, h->targets_offset, h->target_size, i);
		copy_name(kc->types[i], t->target_type, DM_MAX_TYPE_NAME);
		kc->targets[i].start = t->sector_start;
		kc->targets[i].length = t->length;
		kc->targets[i].type = kc->types[i];
		kc->targets[i].passes = t->flags & DM_CRYPTO_TARGET_PASSES;
		kc->targets[i].first_dev = t->first_dev;
		kc->targets[i].ndevs = t->num_devs;
	}
	kc->ntargets = h->num_targets;
	return 0;
}

static int kcaps_read(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		      enum dmcaps_table_kind kind,
		      struct dmcaps_kernel_caps **kcaps)
{
	struct dmcaps_kernel_caps *kc;
	const struct dm_crypto_caps *h;
	struct dm_ioctl *dmi;
	bool inactive = kind == DMCAPS_TABLE_INACTIVE;
	size_t size;
	int r;

	if (!ctx || !dev || !kcaps ||
	    (kind != DMCAPS_TABLE_LIVE && kind != DMCAPS_TABLE_INACTIVE))
		return -EINVAL;
	*kcaps = NULL;
	if (!dev->dm_name) {
		log_err(ctx, "%s is not a device-mapper device", dev->kname);
		return -EMEDIUMTYPE;
	}
	if (!inactive && dev->kcaps_live) {
		dev->kcaps_live->refs++;
		*kcaps = dev->kcaps_live;
		return 0;
	}
	r = dmcaps_kernel_caps_available(ctx);
	if (r)
		return r;

	r = kcaps_call(ctx, dev->devno, inactive, &dmi, &size);
	switch (r) {
	case 0:
		break;
	case -EINVAL:
		/* The kernel's "no table of the kind asked for". */
		log_verbose(ctx, "%s has no %s table", dev->kname,
			    inactive ? "inactive" : "live");
		return -ENODATA;
	case -ENXIO:
		log_err(ctx, "%s: no such device-mapper device", dev->kname);
		return -ENODEV;
	default:
		log_err(ctx, "DM_CRYPTO_CAPS of %s failed: %s", dev->kname,
			strerror(-r));
		return r;
	}

	h = answer(ctx, dmi, size, false);
	if (h && !(h->flags & DM_CRYPTO_CAPS_INACTIVE) != !inactive) {
		log_err(ctx, "DM_CRYPTO_CAPS of %s: the kernel answered "
			"another question (flags 0x%x)", dev->kname, h->flags);
		h = NULL;
	}
	if (!h) {
		free(dmi);
		return -EBADMSG;
	}
	kc = calloc(1, sizeof(*kc));
	if (kc)
		kc->refs = 1;
	r = kc ? kc_decode(ctx, h, kc) : -ENOMEM;
	free(dmi);
	if (r) {
		if (r == -EBADMSG)
			log_err(ctx, "DM_CRYPTO_CAPS of %s: the kernel's answer "
				"holds an impossible capability set",
				dev->kname);
		dmcaps_kernel_caps_free(kc);
		return r;
	}
	/* A live table's answer is the context's too (kcaps_fill_caps()). */
	if (!inactive) {
		kc->refs++;
		dev->kcaps_live = kc;
	}
	*kcaps = kc;
	return 0;
}

/*
 * A live table's failure is remembered per device, said once: the library
 * asks for itself first (dmcaps_dev_caps(), a verdict's queue) and falls
 * back to sysfs, and a caller asking again hears the same error without a
 * second message.
 */
DMCAPS_EXPORT int dmcaps_kernel_caps_read(struct dmcaps_ctx *ctx,
					  struct dmcaps_dev *dev,
					  enum dmcaps_table_kind kind,
					  struct dmcaps_kernel_caps **kcaps)
{
	int r;

	if (kcaps)
		*kcaps = NULL;
	if (ctx && dev && kind == DMCAPS_TABLE_LIVE && dev->kcaps_live_read &&
	    dev->kcaps_live_err)
		return dev->kcaps_live_err;
	r = kcaps_read(ctx, dev, kind, kcaps);
	if (ctx && dev && kind == DMCAPS_TABLE_LIVE && r != -ENOMEM &&
	    r != -EINVAL) {
		dev->kcaps_live_read = true;
		dev->kcaps_live_err = r;
	}
	return r;
}

int dmcaps_kcaps_table_fallback(const struct dmcaps_kernel_caps *kc)
{
	return kc ? kc->fallback : -1;
}

/*
 * Where the kernel has DM_CRYPTO_CAPS, a DM device's capabilities are what
 * its live table's answer says of its queue, and that answer carries the
 * set of every device below it too: dmcaps show then asks the kernel once
 * per DM device and reads no sysfs file for it or for the devices under
 * it (six files and a directory each). On the series' kernels sysfs shows
 * the same profiles (kernel-patches 0003/0004 keep it current). Without
 * the ioctl, without privilege or on any failure, the caller reads sysfs
 * as on a stock kernel; dmcaps_kernel_caps_read() has said why, once.
 */
int dmcaps_kcaps_fill_caps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev)
{
	struct dmcaps_kernel_caps *kc = NULL;
	struct dmcaps_dev *below;
	size_t i;
	int r;

	if (!dev->dm_name || (!ctx->running_system && !ctx->kcaps_call))
		return -ENOTSUP;
	r = dmcaps_kernel_caps_read(ctx, dev, DMCAPS_TABLE_LIVE, &kc);
	if (r)
		return r;
	r = 0;
	if (kc->queue_present)
		r = dmcaps_set_dup(kc->queue, &dev->caps);
	for (i = 0; !r && i < kc->ndevs; i++) {
		below = dmcaps_dev_find_devno(ctx, kc->devs[i].devno);
		/* A partition's set is its disk's: left to the disk. */
		if (!below || below->caps_read || below->is_partition)
			continue;
		if (kc->dev_present[i])
			r = dmcaps_set_dup(kc->devs[i].caps, &below->caps);
		below->caps_read = !r;
	}
	dmcaps_kernel_caps_free(kc);
	return r;
}

DMCAPS_EXPORT const struct dmcaps_set *
dmcaps_kernel_caps_table(const struct dmcaps_kernel_caps *kc)
{
	return kc ? kc->table : NULL;
}

DMCAPS_EXPORT const struct dmcaps_set *
dmcaps_kernel_caps_queue(const struct dmcaps_kernel_caps *kc)
{
	return kc ? kc->queue : NULL;
}

DMCAPS_EXPORT size_t dmcaps_kernel_caps_target_count(const struct dmcaps_kernel_caps *kc)
{
	return kc ? kc->ntargets : 0;
}

DMCAPS_EXPORT const struct dmcaps_kernel_target *
dmcaps_kernel_caps_target(const struct dmcaps_kernel_caps *kc, size_t idx)
{
	return kc && idx < kc->ntargets ? &kc->targets[idx] : NULL;
}

DMCAPS_EXPORT size_t dmcaps_kernel_caps_dev_count(const struct dmcaps_kernel_caps *kc)
{
	return kc ? kc->ndevs : 0;
}

DMCAPS_EXPORT const struct dmcaps_kernel_dev *
dmcaps_kernel_caps_dev(const struct dmcaps_kernel_caps *kc, size_t idx)
{
	return kc && idx < kc->ndevs ? &kc->devs[idx] : NULL;
}
