// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl-fuzz: DM_CRYPTO_CAPS calls (Documentation/admin-guide/device-mapper/
 * dm-crypto-caps.rst of the series). Each call starts from a well-formed
 * request (a device by name, uuid or number, or the target type list; live
 * or inactive table; a buffer of some size) and mutates some of it: the
 * interface version, data_size, data_start, flags, names that are unknown,
 * unterminated or both name and uuid, device numbers, forged data after the
 * header, the ioctl number's size and direction bits, the buffer's place
 * and the pointer itself.
 *
 * What the kernel must do, checked after every call:
 *  - without CAP_SYS_ADMIN: EACCES, whatever the request;
 *  - a bad pointer: EFAULT; a version other than 4.x (x <= the kernel's) or
 *    data_size out of range: EINVAL; any other errno than the documented;
 *  - on success: data_start at the end of struct dm_ioctl, data_size within
 *    what was given, nothing written past it (canary), DM_BUFFER_FULL_FLAG
 *    exactly when the answer did not fit, and an answer whose every offset,
 *    size, count and index lies within it, as the documentation promises.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kabi-dm-crypto-caps.h"
#include "ioctl-fuzz.h"

#define DMI_SIZE	sizeof(struct dm_ioctl)
/* DM accepts data_size from the end of the fixed fields on (305), below
 * sizeof(struct dm_ioctl) (312): such a buffer has no room for an answer,
 * and data_start is then data_size */
#define DMI_MIN		offsetof(struct dm_ioctl, data)
/* DM refuses data_size above DM_MAX_TARGETS * DM_MAX_TARGET_PARAMS */
#define DM_DATA_MAX	(1U << 30)
/*
 * DM copies the whole data_size in (copy_params(), kvmalloc()) before it
 * looks at the request. Up to 4 MiB that is one kmalloc; beyond, vmalloc,
 * which in UML maps every page into the host's address space one host
 * call at a time: a 12 MiB call costs ~80 ms, 5,000 times a normal one
 * (measured; when one call in 20 went there, the fuzzer ran at ~100
 * calls/s). So the arena (ioctl-fuzz.c) is 2 MiB, sizes past it mostly
 * stay within 4 MiB, and one call in 1,000 takes the vmalloc path, up to
 * BEYOND_ARENA past 4 MiB: between that and DM_DATA_MAX the kernel
 * would allocate data_size bytes first, which exhausts a small VM instead
 * of testing the ioctl.
 */
#define BEYOND_ARENA	(8U << 20)
#define KMALLOC_MAX	(4U << 20)

static uint32_t caps_data_size(struct fuzz *f, struct rng *r)
{
	static const uint32_t extra[] = {
		0, 1, 8, 95, 96, 97, 103, 104, 128, 200, 224, 256, 512, 1000,
		1024, 2048, 4096, 16384,
	};

	switch (rng_below(r, 20)) {
	case 0:		/* smaller than struct dm_ioctl */
		return rng_below(r, DMI_SIZE + 1);
	case 1:		/* too large: refused before any allocation */
		return rng_pct(r, 50) ? DM_DATA_MAX + 1 + rng_below(r, 1000) :
			0xffffffffU - rng_below(r, 16);
	case 2:		/* beyond the arena: EFAULT after the copy starts */
		if (rng_below(r, 50) == 0)	/* vmalloc in the kernel */
			return KMALLOC_MAX + 1 + rng_below(r, BEYOND_ARENA);
		return (uint32_t)f->arena.size + 1 +
			rng_below(r, KMALLOC_MAX - (uint32_t)f->arena.size);
	case 3:
		return DMI_SIZE + rng_below(r, 65536);
	case 4:
		if (rng_pct(r, 10))
			return (uint32_t)f->arena.size - rng_below(r, 4096);
		/* fall through */
	default:
		return DMI_SIZE + extra[rng_below(r, sizeof(extra) / sizeof(extra[0]))];
	}
}

/* Fills a 128- or 129-byte name field with something other than a name. */
static void bad_name(struct rng *r, char *s, size_t len)
{
	size_t i;

	switch (rng_below(r, 4)) {
	case 0:		/* unterminated */
		for (i = 0; i < len; i++)
			s[i] = (char)('a' + rng_below(r, 26));
		break;
	case 1:		/* random bytes, maybe with NULs */
		rng_fill(r, s, len);
		break;
	case 2:		/* a name, then garbage after its NUL */
		i = strlen(s);
		if (i + 1 < len)
			rng_fill(r, s + i + 1, len - i - 1);
		break;
	default:	/* unknown */
		snprintf(s, len, "nosuch-%u", rng_below(r, 1000));
		break;
	}
}

struct caps_req {
	struct dm_ioctl io;
	uint8_t data[128];	/* forged bytes after the header, if any */
	uint32_t data_len;
	unsigned long cmd;
	bool bad_ptr;
	bool types;		/* no name, uuid or device: the type list */
	bool inactive;
};

static void caps_build(struct fuzz *f, struct rng *r, struct caps_req *q)
{
	const struct fuzz_dm *d = &f->dm[rng_below(r, f->nr_dm)];
	unsigned int n, i;

	memset(q, 0, sizeof(*q));
	q->io.version[0] = DM_VERSION_MAJOR;
	if (rng_pct(r, 3)) {
		switch (rng_below(r, 4)) {
		case 0:
			q->io.version[0] = rng_u32_edge(r);
			break;
		case 1:
			q->io.version[1] = rng_u32_edge(r);
			break;
		default:
			q->io.version[rng_below(r, 3)] = (uint32_t)rng_next(r);
		}
	}
	q->io.data_size = caps_data_size(f, r);
	q->io.data_start = rng_pct(r, 80) ? DMI_SIZE : rng_u32_edge(r);
	if (rng_pct(r, 40))
		q->io.flags |= DM_QUERY_INACTIVE_TABLE_FLAG;
	if (rng_pct(r, 10))
		q->io.flags |= 1U << rng_below(r, 32);
	if (rng_pct(r, 2))
		q->io.flags = (uint32_t)rng_next(r);

	switch (rng_below(r, 20)) {
	case 0: case 1: case 2:		/* the target type list */
		break;
	case 3: case 4:			/* by uuid */
		memcpy(q->io.uuid, d->uuid, sizeof(q->io.uuid));
		if (!*q->io.uuid)
			snprintf(q->io.uuid, sizeof(q->io.uuid), "CRYPT-nosuch-%u",
				 rng_below(r, 100));
		break;
	case 5: case 6: case 7:		/* by number */
		q->io.dev = d->dev;
		if (rng_pct(r, 15))
			q->io.dev = rng_pct(r, 50) ? rng_next(r) :
				d->dev + 1 + rng_below(r, 4);
		break;
	default:			/* by name */
		snprintf(q->io.name, sizeof(q->io.name), "%s", d->name);
		break;
	}
	if (rng_pct(r, 6))
		bad_name(r, q->io.name, sizeof(q->io.name));
	if (rng_pct(r, 2))
		bad_name(r, q->io.uuid, sizeof(q->io.uuid));
	if (rng_pct(r, 2))
		q->io.dev = rng_next(r);
	if (rng_pct(r, 5))
		q->io.target_count = rng_u32_edge(r);
	if (rng_pct(r, 5))
		q->io.open_count = (int32_t)rng_u32_edge(r);
	if (rng_pct(r, 5))
		q->io.event_nr = rng_u32_edge(r);
	if (rng_pct(r, 5))
		q->io.padding = rng_u32_edge(r);
	/* flip a few bits anywhere in the header */
	if (rng_pct(r, 4)) {
		n = 1 + rng_below(r, 4);
		for (i = 0; i < n; i++)
			((uint8_t *)&q->io)[rng_below(r, DMI_SIZE)] ^=
				(uint8_t)(1U << rng_below(r, 8));
	}
	/* input after the header is ignored by the kernel: make it hostile */
	if (rng_pct(r, 30)) {
		q->data_len = sizeof(q->data);
		rng_fill(r, q->data, q->data_len);
		if (rng_pct(r, 50))	/* something shaped like an answer */
			((struct dm_crypto_caps *)q->data)->total_size =
				rng_u32_edge(r);
	}

	q->types = !*q->io.name && !*q->io.uuid && !q->io.dev;
	q->inactive = q->io.flags & DM_QUERY_INACTIVE_TABLE_FLAG;
	q->cmd = DM_CRYPTO_CAPS;
	/* DM dispatches on the command number alone: size and direction vary */
	if (rng_pct(r, 5))
		q->cmd = _IOC(rng_below(r, 4), DM_IOCTL, _IOC_NR(DM_CRYPTO_CAPS),
			      rng_below(r, 1U << _IOC_SIZEBITS));
	q->bad_ptr = rng_pct(r, 2);
}

static bool aligned_array(uint32_t total, uint32_t off, uint32_t num,
			  uint32_t size, uint32_t min_size)
{
	uint64_t end = (uint64_t)off + (uint64_t)num * size;

	if (num == 0)
		return off % 8 == 0 && off <= total;
	return off % 8 == 0 && size >= min_size && size % 8 == 0 &&
		off >= sizeof(struct dm_crypto_caps) && end <= total;
}

static const char *cstr_ok(const char *s, size_t len)
{
	if (!memchr(s, '\0', len))
		return "unterminated";
	if (!*s)
		return "empty";
	return NULL;
}

static const struct dm_crypto_caps_set *caps_set(const struct dm_crypto_caps *h,
						 const uint8_t *a, uint32_t i)
{
	return (const void *)(a + h->sets_offset + i * h->set_size);
}

/*
 * The table's set is the intersection of its devices' sets (their sets at
 * the moment of the call; nothing reloads the stacks during the fuzz run):
 * a present table set is within every device's set.
 */
static const struct dm_crypto_caps_dev *dev_rec(const struct dm_crypto_caps *h,
						 const uint8_t *a, uint32_t i)
{
	return (const void *)(a + h->devs_offset + i * h->dev_size);
}

/* After the device records were checked: every set they name is inside. */
static void check_intersection(struct fuzz *f, uint64_t index,
			       const struct dm_crypto_caps *h, const uint8_t *a)
{
	const struct dm_crypto_caps_set *t = caps_set(h, a, h->table_set), *d;
	uint32_t i, m;

	if (!(t->flags & DM_CRYPTO_SET_PRESENT))
		return;
	for (i = 0; i < h->num_devs; i++) {
		d = caps_set(h, a, dev_rec(h, a, i)->set);
		if (!(d->flags & DM_CRYPTO_SET_PRESENT) ||
		    d->max_dun_bytes < t->max_dun_bytes)
			return fuzz_anomaly(f, index, "caps: table set (dun %u) beyond dev %u's (flags %#x dun %u)",
					    t->max_dun_bytes, i, d->flags, d->max_dun_bytes);
		for (m = 0; m < h->num_modes; m++) {
			if (t->data_unit_sizes[m] & ~d->data_unit_sizes[m])
				return fuzz_anomaly(f, index, "caps: table mode %u %#x beyond dev %u's %#x",
						    m, t->data_unit_sizes[m], i,
						    d->data_unit_sizes[m]);
		}
	}
}

/* The answer, when it is complete (not DM_BUFFER_FULL_FLAG). */
static void check_answer(struct fuzz *f, uint64_t index,
			 const struct caps_req *q, const uint8_t *a,
			 uint32_t got)
{
	struct dm_crypto_caps h;
	uint32_t i, m, set_min;
	const char *why;

	memcpy(&h, a, sizeof(h));
	/* The series' kernel answers the newest version. */
	if (h.version != DMCAPS_KABI_CRYPTO_CAPS_VERSION_FALLBACK || h.size < sizeof(h) ||
	    h.size % 8)
		return fuzz_anomaly(f, index, "caps: header version %u size %u",
				    h.version, h.size);
	if (h.total_size != got)
		return fuzz_anomaly(f, index, "caps: total_size %u, %u bytes returned without DM_BUFFER_FULL_FLAG",
				    h.total_size, got);
	if (!(h.flags & DM_CRYPTO_CAPS_KERNEL_SUPPORT))
		fuzz_anomaly(f, index, "caps: no KERNEL_SUPPORT flag on a blk-crypto kernel");
	set_min = sizeof(struct dm_crypto_caps_set) + 4 * h.num_modes;
	if (!aligned_array(got, h.modes_offset, h.num_modes, h.mode_size,
			   sizeof(struct dm_crypto_caps_mode)) ||
	    !aligned_array(got, h.sets_offset, h.num_sets, h.set_size, set_min) ||
	    !aligned_array(got, h.targets_offset, h.num_targets, h.target_size,
			   sizeof(struct dm_crypto_caps_target)) ||
	    !aligned_array(got, h.devs_offset, h.num_devs, h.dev_size,
			   sizeof(struct dm_crypto_caps_dev)) ||
	    !aligned_array(got, h.types_offset, h.num_types, h.type_size,
			   sizeof(struct dm_crypto_caps_type)))
		return fuzz_anomaly(f, index, "caps: an array outside the answer or misaligned (total %u: modes %u+%ux%u sets %u+%ux%u targets %u+%ux%u devs %u+%ux%u types %u+%ux%u)",
				    got, h.modes_offset, h.num_modes, h.mode_size,
				    h.sets_offset, h.num_sets, h.set_size,
				    h.targets_offset, h.num_targets, h.target_size,
				    h.devs_offset, h.num_devs, h.dev_size,
				    h.types_offset, h.num_types, h.type_size);
	if (h.num_modes == 0)
		fuzz_anomaly(f, index, "caps: no modes");
	for (i = 0; i < h.num_modes; i++) {
		why = cstr_ok((const char *)a + h.modes_offset + i * h.mode_size,
			      DM_CRYPTO_MODE_NAME_LEN);
		if (why)
			return fuzz_anomaly(f, index, "caps: mode %u name %s", i, why);
	}

	if (q->types) {
		if (!(h.flags & DM_CRYPTO_CAPS_TARGET_TYPES) ||
		    h.table_set != DM_CRYPTO_CAPS_NO_SET ||
		    h.queue_set != DM_CRYPTO_CAPS_NO_SET || h.num_sets ||
		    h.num_targets || h.num_devs || !h.num_types)
			return fuzz_anomaly(f, index, "caps: type list with flags %#x sets %u/%u num %u/%u/%u/%u",
					    h.flags, h.table_set, h.queue_set,
					    h.num_sets, h.num_targets, h.num_devs,
					    h.num_types);
		for (i = 0; i < h.num_types; i++) {
			const struct dm_crypto_caps_type *t = (const void *)
				(a + h.types_offset + i * h.type_size);

			why = cstr_ok(t->name, sizeof(t->name));
			/* PER_INSTANCE only beside PASSES */
			if (why || t->flags & ~(DM_CRYPTO_TARGET_PASSES |
						DM_CRYPTO_TARGET_PER_INSTANCE) ||
			    t->flags == DM_CRYPTO_TARGET_PER_INSTANCE)
				return fuzz_anomaly(f, index, "caps: type %u name %s flags %#x",
						    i, why ? why : "ok", t->flags);
		}
		return;
	}

	if (h.flags & DM_CRYPTO_CAPS_TARGET_TYPES ||
	    !(h.flags & DM_CRYPTO_CAPS_INACTIVE) != !q->inactive ||
	    h.num_types || h.table_set != 0 || h.queue_set != 1 ||
	    h.num_sets < 2 || (h.num_devs && h.num_sets < 3))
		return fuzz_anomaly(f, index, "caps: table answer with flags %#x (inactive asked %d) sets %u/%u of %u, %u devs, %u types",
				    h.flags, q->inactive, h.table_set, h.queue_set,
				    h.num_sets, h.num_devs, h.num_types);
	for (i = 0; i < h.num_sets; i++) {
		const struct dm_crypto_caps_set *s = (const void *)
			(a + h.sets_offset + i * h.set_size);
		bool present = s->flags & DM_CRYPTO_SET_PRESENT;

		if (s->flags & ~(DM_CRYPTO_SET_PRESENT | DM_CRYPTO_SET_PASSTHROUGH) ||
		    (!present && (s->max_dun_bytes || s->num_keyslots)))
			return fuzz_anomaly(f, index, "caps: set %u flags %#x dun %u slots %u",
					    i, s->flags, s->max_dun_bytes,
					    s->num_keyslots);
		if (present && !(s->flags & DM_CRYPTO_SET_PASSTHROUGH) != !!s->num_keyslots)
			return fuzz_anomaly(f, index, "caps: set %u flags %#x with %u keyslots",
					    i, s->flags, s->num_keyslots);
		for (m = 0; !present && m < h.num_modes; m++) {
			if (s->data_unit_sizes[m])
				return fuzz_anomaly(f, index, "caps: set %u absent but mode %u has %#x",
						    i, m, s->data_unit_sizes[m]);
		}
	}
	for (i = 0; i < h.num_targets; i++) {
		const struct dm_crypto_caps_target *t = (const void *)
			(a + h.targets_offset + i * h.target_size);

		why = cstr_ok(t->target_type, sizeof(t->target_type));
		if (why || t->flags & ~DM_CRYPTO_TARGET_PASSES ||
		    (uint64_t)t->first_dev + t->num_devs > h.num_devs || !t->length)
			return fuzz_anomaly(f, index, "caps: target %u type %s flags %#x devs %u+%u of %u length %llu",
					    i, why ? why : "ok", t->flags,
					    t->first_dev, t->num_devs, h.num_devs,
					    (unsigned long long)t->length);
	}
	for (i = 0; i < h.num_devs; i++) {
		const struct dm_crypto_caps_dev *d = dev_rec(&h, a, i), *e;

		if (d->target >= h.num_targets || d->set < 2 ||
		    d->set >= h.num_sets || !d->dev)
			return fuzz_anomaly(f, index, "caps: dev %u target %u set %u of %u dev %#llx",
					    i, d->target, d->set, h.num_sets,
					    (unsigned long long)d->dev);
		/* One set per device: shared by its records, no other's. */
		for (m = 0; m < i; m++) {
			e = dev_rec(&h, a, m);
			if ((e->dev == d->dev) != (e->set == d->set))
				return fuzz_anomaly(f, index, "caps: devs %u (%#llx, set %u) and %u (%#llx, set %u)",
						    m, (unsigned long long)e->dev, e->set,
						    i, (unsigned long long)d->dev, d->set);
		}
	}
	check_intersection(f, index, &h, a);
}

void fuzz_caps_call(struct fuzz *f, struct rng *r, uint64_t index,
		    enum fuzz_who who)
{
	struct caps_req q;
	struct dm_ioctl out;
	uint8_t *p;
	size_t span;
	uint32_t len, got, start;
	int err;

	caps_build(f, r, &q);
	/* the kernel reads the whole header even when data_size says less */
	span = q.io.data_size > DMI_SIZE ? q.io.data_size : DMI_SIZE;
	if (span > f->arena.size)
		span = f->arena.size;
	p = arena_place(&f->arena, r, span, 0);
	memcpy(p, &q.io, DMI_SIZE);
	if (q.data_len && (size_t)(p - f->arena.base) + DMI_SIZE + q.data_len <= f->arena.size)
		memcpy(p + DMI_SIZE, q.data, q.data_len);
	canary_set(&f->arena, p, span);
	if (f->verbose)
		printf("call %llu caps %s: cmd %#lx ptr %s+%td version %u.%u.%u data_size %u data_start %u flags %#x name '%.128s' uuid '%.129s' dev %#llx\n",
		       (unsigned long long)index, who ? "user" : "root", q.cmd,
		       q.bad_ptr ? "BAD" : "arena", p - f->arena.base,
		       q.io.version[0], q.io.version[1], q.io.version[2],
		       q.io.data_size, q.io.data_start, q.io.flags, q.io.name,
		       q.io.uuid, (unsigned long long)q.io.dev);

	err = ioctl(f->ctl_fd, q.cmd, q.bad_ptr ?
		    (void *)(uintptr_t)bad_pointer(&f->arena, r) : (void *)p) ?
		errno : 0;
	if (f->verbose)
		printf("call %llu: %s\n", (unsigned long long)index,
		       err ? strerrorname_np(err) : "OK");

	if (who == FUZZ_USER) {
		fuzz_count(f, FUZZ_CAPS, who, err);
		if (err != EACCES)
			fuzz_anomaly(f, index, "caps without CAP_SYS_ADMIN: %s, not EACCES",
				     err ? strerrorname_np(err) : "success");
		return;
	}
	if (err) {
		fuzz_count(f, FUZZ_CAPS, who, err);
		if (q.bad_ptr && err != EFAULT)
			fuzz_anomaly(f, index, "caps with a bad pointer: %s, not EFAULT",
				     strerrorname_np(err));
		else if (err != EINVAL && err != ENXIO && err != EFAULT &&
			 err != ENOMEM && err != EOVERFLOW)
			fuzz_anomaly(f, index, "caps: undocumented errno %s",
				     strerrorname_np(err));
		return;
	}

	memcpy(&out, p, sizeof(out));
	fuzz_count(f, FUZZ_CAPS, who, out.flags & DM_BUFFER_FULL_FLAG ? OUT_OK_FULL : OUT_OK);
	if (q.bad_ptr)
		fuzz_anomaly(f, index, "caps with a bad pointer succeeded");
	if (q.io.version[0] != DM_VERSION_MAJOR)
		fuzz_anomaly(f, index, "caps with interface version %u.%u.%u succeeded",
			     q.io.version[0], q.io.version[1], q.io.version[2]);
	if (q.io.data_size < DMI_MIN || q.io.data_size > DM_DATA_MAX)
		fuzz_anomaly(f, index, "caps with data_size %u succeeded",
			     q.io.data_size);
	if (!canary_ok(&f->arena, p, span))
		fuzz_anomaly(f, index, "caps: the kernel wrote past data_size %u",
			     q.io.data_size);
	/* the answer starts after struct dm_ioctl, or at the end of a buffer
	 * too small for it (get_result_buffer()) */
	start = q.io.data_size < DMI_SIZE ? q.io.data_size : DMI_SIZE;
	if (out.data_start != start || out.data_size < start ||
	    out.data_size > q.io.data_size)
		return fuzz_anomaly(f, index, "caps: answer data_start %u data_size %u for a buffer of %u",
				    out.data_start, out.data_size, q.io.data_size);
	len = q.io.data_size - start;
	got = out.data_size - start;
	if (out.flags & DM_BUFFER_FULL_FLAG) {
		/* only whole records, no more than fit, and a header if it fits */
		if (got > len)
			fuzz_anomaly(f, index, "caps: full, %u bytes returned for %u", got, len);
		if (len >= sizeof(struct dm_crypto_caps) &&
		    ((const struct dm_crypto_caps *)(p + DMI_SIZE))->total_size <= len)
			fuzz_anomaly(f, index, "caps: full, but total_size %u fits in %u",
				     ((const struct dm_crypto_caps *)(p + DMI_SIZE))->total_size,
				     len);
		return;
	}
	if (got < sizeof(struct dm_crypto_caps))
		return fuzz_anomaly(f, index, "caps: %u bytes returned, no header, not full",
				    got);
	check_answer(f, index, &q, p + DMI_SIZE, got);
}
