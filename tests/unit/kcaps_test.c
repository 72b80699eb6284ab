// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DM_CRYPTO_CAPS client (lib/kcaps.c) against a fake kernel: the
 * context's transport hook replaces the ioctl, so that a kernel without the
 * command (ENOTTY, or EINVAL on kernels that say so), a short buffer, a
 * malformed answer and the target type list can be played on any host. The
 * real kernel is tested in the VM (tests/vm/suites/show-ioctl.bats).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "internal.h"
#include "kabi-dm-crypto-caps.h"
#include "fixture.h"

/* 6.12 stock target versions: striped does not pass by the table. */
#define STOCK_TARGETS \
	"striped          v1.6.0\n" \
	"linear           v1.4.0\n" \
	"crypt            v1.27.0\n"

/* What the fake kernel does. */
static struct fake {
	int err;		/* returned by every call when set */
	int probe_err;		/* returned by the type query when set */
	int calls, probe_calls;
	bool first_call_short;	/* answer BUFFER_FULL once */
	bool corrupt;		/* an array beyond the answer */
	bool bad_index;		/* a device pointing at a set that is not */
	uint32_t queue_set;	/* the queue's set: 1 (none) unless set */
	uint32_t answer_version; /* a device answer's version, 1 unless set */
	bool fallback;		/* a device answer's DM_CRYPTO_CAPS_FALLBACK */
	/* a hostile kernel: rewrites a device query's reply, given the
	 * size of the buffer it was handed */
	void (*mangle)(struct dm_ioctl *dmi, uint32_t bufsize);
	int dev_calls;
	uint32_t last_flags;
	uint64_t last_dev;
	uint32_t version[3];	/* DM_VERSION's answer, with fake_version */
	int version_err;	/* DM_VERSION fails with it when set */
	int version_calls;
} fk;

struct state {
	char *root;
	struct fx_log log;
	struct dmcaps_ctx *ctx;
};

static const char *const modes[] = { "AES-256-XTS", "AES-128-CBC-ESSIV",
				     "Adiantum", "SM4-XTS" };
#define NMODES 4
#define SET_SIZE (sizeof(struct dm_crypto_caps_set) + 4 * NMODES)

static void put_set(char *a, uint32_t off, uint32_t flags, uint32_t dun,
		    uint32_t slots, uint32_t xts, uint32_t adi)
{
	struct dm_crypto_caps_set *s = (void *)(a + off);

	s->flags = flags;
	s->max_dun_bytes = dun;
	s->num_keyslots = slots;
	s->data_unit_sizes[0] = xts;
	s->data_unit_sizes[2] = adi;
}

/* The answer for a two-target table (linear over 8:0, crypt over 8:16):
 * sets 0 table, 1 queue, 2 and 3 the devices. */
static uint32_t device_answer(char *a, bool inactive)
{
	struct dm_crypto_caps *h = (void *)a;
	struct dm_crypto_caps_mode *m;
	struct dm_crypto_caps_target *t;
	struct dm_crypto_caps_dev *d;
	uint32_t off = sizeof(*h), i;

	h->version = fk.answer_version ?: DM_CRYPTO_CAPS_VERSION;
	h->size = sizeof(*h);
	h->flags = DM_CRYPTO_CAPS_KERNEL_SUPPORT |
		   (inactive ? DM_CRYPTO_CAPS_INACTIVE : 0) |
		   (fk.fallback ? DM_CRYPTO_CAPS_FALLBACK : 0);
	h->modes_offset = off;
	h->num_modes = NMODES;
	h->mode_size = sizeof(*m);
	for (i = 0; i < NMODES; i++) {
		m = (void *)(a + off + i * sizeof(*m));
		strcpy(m->name, modes[i]);
	}
	off += NMODES * sizeof(*m);
	h->sets_offset = off;
	h->num_sets = 4;
	h->set_size = SET_SIZE;
	put_set(a, off, DM_CRYPTO_SET_PRESENT | DM_CRYPTO_SET_PASSTHROUGH, 8, 0,
		0x1000, 0x1000);
	put_set(a, off + SET_SIZE, 0, 0, 0, 0, 0);
	put_set(a, off + 2 * SET_SIZE, DM_CRYPTO_SET_PRESENT, 8, 16, 0x1000,
		0x1000);
	put_set(a, off + 3 * SET_SIZE, DM_CRYPTO_SET_PRESENT, 4, 8, 0x1200, 0);
	off += 4 * SET_SIZE;
	h->targets_offset = off;
	h->num_targets = 2;
	h->target_size = sizeof(*t);
	t = (void *)(a + off);
	t[0].length = 2048;
	t[0].flags = DM_CRYPTO_TARGET_PASSES;
	t[0].num_devs = 1;
	strcpy(t[0].target_type, "linear");
	t[1].sector_start = 2048;
	t[1].length = 2048;
	t[1].first_dev = 1;
	t[1].num_devs = 1;
	strcpy(t[1].target_type, "crypt");
	off += 2 * sizeof(*t);
	h->devs_offset = off;
	h->num_devs = 2;
	h->dev_size = sizeof(*d);
	d = (void *)(a + off);
	d[0].dev = (8 << 8) | 0;
	d[0].set = 2;
	d[1].dev = (8 << 8) | 16;
	d[1].target = 1;
	d[1].set = fk.bad_index ? 9 : 3;
	off += 2 * sizeof(*d);
	h->types_offset = off;
	h->table_set = 0;
	h->queue_set = fk.queue_set ?: 1;
	h->total_size = off;
	if (fk.corrupt)
		h->num_devs = 1000;
	return off;
}

/* The target type list: striped passes (a kernel with the series' patch
 * whatever its version says), crypt does not, "sometimes" passes depending
 * on the instance (DM_CRYPTO_TARGET_PER_INSTANCE), "oddity" claims that
 * without passing. */
static uint32_t types_answer(char *a)
{
	struct dm_crypto_caps *h = (void *)a;
	struct dm_crypto_caps_type *t;
	uint32_t off = sizeof(*h);

	h->version = DM_CRYPTO_CAPS_VERSION;
	h->size = sizeof(*h);
	h->flags = DM_CRYPTO_CAPS_TARGET_TYPES | DM_CRYPTO_CAPS_KERNEL_SUPPORT;
	h->modes_offset = off;
	h->sets_offset = off;
	h->set_size = sizeof(struct dm_crypto_caps_set);
	h->targets_offset = off;
	h->devs_offset = off;
	h->types_offset = off;
	h->num_types = 5;
	h->type_size = sizeof(*t);
	t = (void *)(a + off);
	strcpy(t[0].name, "linear");
	t[0].flags = DM_CRYPTO_TARGET_PASSES;
	strcpy(t[1].name, "striped");
	t[1].flags = DM_CRYPTO_TARGET_PASSES;
	t[1].version[0] = 1;
	t[1].version[1] = 6;
	strcpy(t[2].name, "crypt");
	strcpy(t[3].name, "sometimes");
	t[3].flags = DM_CRYPTO_TARGET_PASSES | DM_CRYPTO_TARGET_PER_INSTANCE;
	strcpy(t[4].name, "oddity");
	t[4].flags = DM_CRYPTO_TARGET_PER_INSTANCE;
	h->table_set = DM_CRYPTO_CAPS_NO_SET;
	h->queue_set = DM_CRYPTO_CAPS_NO_SET;
	h->total_size = off + 5 * sizeof(*t);
	return h->total_size;
}

static int fake_call(struct dmcaps_ctx *ctx, struct dm_ioctl *dmi)
{
	char full[8192] = { 0 };
	uint32_t len, room, bufsize = dmi->data_size;
	bool probe = !dmi->dev;

	(void)ctx;
	fk.calls++;
	/* the ioctl is asked as interface 4.0.0 (ENOTTY on old kernels) */
	assert_int_equal(dmi->version[0], 4);
	assert_int_equal(dmi->version[1], 0);
	assert_int_equal(dmi->data_start, sizeof(*dmi));
	if (probe) {
		fk.probe_calls++;
		if (fk.probe_err)
			return fk.probe_err;
	}
	if (fk.err)
		return fk.err;
	fk.last_flags = dmi->flags;
	if (!probe) {
		fk.last_dev = dmi->dev;
		fk.dev_calls++;
	}
	len = probe ? types_answer(full) :
		      device_answer(full, dmi->flags & DM_QUERY_INACTIVE_TABLE_FLAG);
	room = dmi->data_size - dmi->data_start;
	if (!probe && fk.first_call_short && fk.dev_calls == 1)
		room = sizeof(struct dm_crypto_caps) + 8;
	if (len > room) {
		/* as the kernel: the header (total_size) and BUFFER_FULL */
		memcpy((char *)dmi + dmi->data_start, full,
		       sizeof(struct dm_crypto_caps));
		dmi->flags |= DM_BUFFER_FULL_FLAG;
		dmi->data_size = dmi->data_start + sizeof(struct dm_crypto_caps);
		return 0;
	}
	memcpy((char *)dmi + dmi->data_start, full, len);
	dmi->data_size = dmi->data_start + len;
	if (!probe && fk.mangle)
		fk.mangle(dmi, bufsize);
	return 0;
}

static int fake_version(struct dmcaps_ctx *ctx, uint32_t version[3])
{
	fk.version_calls++;
	if (fk.version_err)
		return fk.version_err;
	memcpy(version, fk.version, sizeof(fk.version));
	return 0;
}

static int setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	memset(&fk, 0, sizeof(fk));
	s->root = fx_root();
	fx_write(s->root, "proc/sys/kernel/osrelease", "6.12.117");
	fx_write(s->root, "dmcaps/targets", STOCK_TARGETS);
	fx_disk(s->root, "sda", "8:0");
	fx_disk(s->root, "sdb", "8:16");
	fx_dm(s->root, "dm-0", "253:0", "mix", NULL);
	s->ctx = fx_ctx(s->root, &s->log);
	s->ctx->kcaps_call = fake_call;
	*st = s;
	return 0;
}

static int teardown(void **st)
{
	struct state *s = *st;

	dmcaps_free(s->ctx);
	fx_rmrf(s->root);
	free(s);
	return 0;
}

static struct dmcaps_dev *dm0(struct state *s)
{
	struct dmcaps_dev *dev;

	assert_int_equal(dmcaps_dev_lookup(s->ctx, "mix", &dev), 0);
	return dev;
}

static void set_is(const struct dmcaps_set *set, const char *want)
{
	char *text = NULL;

	assert_non_null(set);
	assert_int_equal(dmcaps_set_format(set, &text), 0);
	assert_string_equal(text, want);
	free(text);
}

/* ENOTTY once: remembered, never asked again, the table decides. */
static void test_no_ioctl_enotty(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.err = -ENOTTY;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTTY);
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTTY);
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_INACTIVE, &kc),
			 -ENOTTY);
	assert_null(kc);
	/* stock 6.12 by the table: striped v1.6.0 does not pass */
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "striped"),
			 DMCAPS_PASSES_NO);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "linear"),
			 DMCAPS_PASSES_YES);
	assert_int_equal(fk.calls, 1);
	assert_true(fx_log_has(&s->log, "no DM_CRYPTO_CAPS"));
}

/* Kernels that fail unknown commands with EINVAL: the type query cannot
 * get EINVAL otherwise, so it means "no ioctl" too. */
static void test_no_ioctl_einval(void **st)
{
	struct state *s = *st;

	fk.err = -EINVAL;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTTY);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "crypt"),
			 DMCAPS_PASSES_NO);
	assert_int_equal(fk.calls, 1);
}

/*
 * Kernels whose device-mapper interface predates the series' (stock 6.1 at
 * 4.47, stock 6.12 at 4.48, upstream at 4.50, a 5.x) are never sent the
 * command: their kernel log would get "unknown command" for it.
 */
static void test_old_interface_not_probed(void **st)
{
	static const uint32_t versions[][3] = {
		{ 4, 47, 0 }, { 4, 48, 0 }, { 4, 50, 0 }, { 5, 60, 0 }, { 3, 99, 0 },
	};
	struct state *s = *st;
	size_t i;

	s->ctx->kversion_call = fake_version;
	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		memcpy(fk.version, versions[i], sizeof(fk.version));
		dmcaps_kcaps_free_ctx(s->ctx);
		assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTTY);
		assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTTY);
		assert_int_equal(fk.version_calls, (int)i + 1);
	}
	assert_int_equal(fk.calls, 0);
	assert_true(fx_log_has(&s->log, "device-mapper interface 4.48.0, older than 4.51"));
	/* the table decides */
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "striped"),
			 DMCAPS_PASSES_NO);
}

/* 4.51 or later: the version is not proof, the ioctl is probed. */
static void test_new_interface_probed(void **st)
{
	struct state *s = *st;

	s->ctx->kversion_call = fake_version;
	fk.version[0] = 4;
	fk.version[1] = 52;
	fk.err = -ENOTTY;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTTY);
	assert_int_equal(fk.calls, 1);
	dmcaps_kcaps_free_ctx(s->ctx);
	fk.version[1] = 51;
	fk.err = 0;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), 0);
	assert_int_equal(fk.probe_calls, 2);
	assert_int_equal(fk.version_calls, 2);
}

/* DM_VERSION refused (not root): remembered, nothing else is asked. */
static void test_version_refused(void **st)
{
	struct state *s = *st;

	s->ctx->kversion_call = fake_version;
	fk.version_err = -EACCES;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -EACCES);
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -EACCES);
	assert_int_equal(fk.version_calls, 1);
	assert_int_equal(fk.calls, 0);
}

/* Not root: remembered too, one attempt. */
static void test_eacces_remembered(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.err = -EACCES;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -EACCES);
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -EACCES);
	assert_int_equal(fk.calls, 1);
}

/* A sysroot snapshot has no kernel to ask. */
static void test_sysroot_not_asked(void **st)
{
	struct state *s = *st;

	s->ctx->kcaps_call = NULL;
	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), -ENOTSUP);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "striped"),
			 DMCAPS_PASSES_NO);
}

/* The kernel's type list overrides the table; types it does not list
 * are the table's. */
static void test_kernel_types_override(void **st)
{
	struct state *s = *st;

	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), 0);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "striped"),
			 DMCAPS_PASSES_YES);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "crypt"),
			 DMCAPS_PASSES_NO);
	/* not registered: the table's answer */
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "flakey"),
			 DMCAPS_PASSES_YES);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "nosuchtarget"),
			 DMCAPS_PASSES_UNKNOWN_TYPE);
	assert_int_equal(fk.probe_calls, 1);
}

/* DM_CRYPTO_TARGET_PER_INSTANCE: the type passes, a target may not. The
 * flag without PASSES means nothing; a type the kernel has not registered
 * is judged by the library's own rules. */
static void test_kernel_types_per_instance(void **st)
{
	struct state *s = *st;

	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), 0);
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "sometimes"),
			 DMCAPS_PASSES_YES);
	assert_true(dmcaps_target_type_per_instance(s->ctx, "sometimes"));
	assert_false(dmcaps_target_type_per_instance(s->ctx, "linear"));
	assert_false(dmcaps_target_type_per_instance(s->ctx, "crypt"));
	assert_int_equal(dmcaps_target_type_passes(s->ctx, "oddity"),
			 DMCAPS_PASSES_NO);
	assert_false(dmcaps_target_type_per_instance(s->ctx, "oddity"));
	/* not registered, no series version: raid does not pass at all */
	assert_false(dmcaps_target_type_per_instance(s->ctx, "raid"));
	assert_false(dmcaps_target_type_per_instance(s->ctx, NULL));
	assert_int_equal(fk.probe_calls, 1);
}

static void test_read_decodes(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;
	const struct dmcaps_kernel_target *t;
	const struct dmcaps_kernel_dev *d;

	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_INACTIVE, &kc), 0);
	assert_true(fk.last_flags & DM_QUERY_INACTIVE_TABLE_FLAG);
	/* 253:0 encoded as dm_ioctl.dev */
	assert_int_equal(fk.last_dev, (253 << 8) | 0);
	set_is(dmcaps_kernel_caps_table(kc),
	       "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=0");
	set_is(dmcaps_kernel_caps_queue(kc), "none");
	assert_int_equal(dmcaps_kernel_caps_target_count(kc), 2);
	t = dmcaps_kernel_caps_target(kc, 0);
	assert_string_equal(t->type, "linear");
	assert_true(t->passes);
	assert_int_equal(t->length, 2048);
	t = dmcaps_kernel_caps_target(kc, 1);
	assert_string_equal(t->type, "crypt");
	assert_false(t->passes);
	assert_int_equal(t->start, 2048);
	assert_int_equal(t->first_dev, 1);
	assert_int_equal(t->ndevs, 1);
	assert_null(dmcaps_kernel_caps_target(kc, 2));
	assert_int_equal(dmcaps_kernel_caps_dev_count(kc), 2);
	d = dmcaps_kernel_caps_dev(kc, 1);
	assert_int_equal(major(d->devno), 8);
	assert_int_equal(minor(d->devno), 16);
	assert_int_equal(d->target, 1);
	set_is(d->caps, "AES-256-XTS:0x1200 dun=4 keyslots=8");
	dmcaps_kernel_caps_free(kc);

	/* the live table: no inactive flag asked */
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), 0);
	assert_false(fk.last_flags & DM_QUERY_INACTIVE_TABLE_FLAG);
	dmcaps_kernel_caps_free(kc);
}

/*
 * The table's crypto_fallback: reported from answer version 2 on, where
 * the flag's absence means "off"; in a version 1 answer it means nothing,
 * even if the bit is set.
 */
/* The fallback mode of the inactive table's answer as the fake gives it. */
static int table_fallback(struct state *s)
{
	struct dmcaps_kernel_caps *kc = NULL;
	int on;

	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_INACTIVE, &kc), 0);
	on = dmcaps_kcaps_table_fallback(kc);
	dmcaps_kernel_caps_free(kc);
	return on;
}

static void test_table_fallback(void **st)
{
	struct state *s = *st;

	fk.fallback = true;
	assert_int_equal(table_fallback(s), -1);
	fk.answer_version = DMCAPS_KABI_CRYPTO_CAPS_VERSION_FALLBACK;
	assert_int_equal(table_fallback(s), 1);
	fk.fallback = false;
	assert_int_equal(table_fallback(s), 0);
	assert_int_equal(dmcaps_kcaps_table_fallback(NULL), -1);
}

/* A short buffer: one retry with the size the header asks for. */
static void test_buffer_full_retry(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.first_call_short = true;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), 0);
	assert_int_equal(fk.dev_calls, 2);
	assert_int_equal(dmcaps_kernel_caps_target_count(kc), 2);
	dmcaps_kernel_caps_free(kc);
}

static void test_malformed(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.corrupt = true;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -EBADMSG);
	assert_null(kc);
	assert_true(fx_log_has(&s->log, "malformed"));
	fk.corrupt = false;
	fk.bad_index = true;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -EBADMSG);
	assert_null(kc);
}

/* BUFFER_FULL with a total_size that wraps data_start + total_size in 32
 * bits to 16 bytes: the next buffer must not be that small (it was, and
 * the struct dm_ioctl written into it overflowed the heap). */
static void mangle_wrap(struct dm_ioctl *dmi, uint32_t bufsize)
{
	struct dm_crypto_caps *h = (void *)((char *)dmi + dmi->data_start);

	(void)bufsize;
	dmi->flags |= DM_BUFFER_FULL_FLAG;
	h->total_size = (uint32_t)(0x100000000ull - dmi->data_start + 16);
}

static void test_retry_size_wraps(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.mangle = mangle_wrap;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -E2BIG);
	assert_null(kc);
	assert_int_equal(fk.dev_calls, 1);
	assert_true(fx_log_has(&s->log, "exceed"));
}

/* data_start at the very end of the buffer: no header to read (it was
 * read before the length was checked: a heap over-read under ASan). */
static void mangle_empty(struct dm_ioctl *dmi, uint32_t bufsize)
{
	dmi->data_start = bufsize;
	dmi->data_size = bufsize;
}

static void test_empty_answer_not_read(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.mangle = mangle_empty;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -EBADMSG);
	assert_null(kc);
	assert_true(fx_log_has(&s->log, "shorter than its header"));
}

/* Records 4 bytes off their 8-byte alignment (a misaligned 64-bit read,
 * UBSan's complaint, and no kernel ever writes it). */
static void mangle_misaligned(struct dm_ioctl *dmi, uint32_t bufsize)
{
	char *a = (char *)dmi + dmi->data_start;
	struct dm_crypto_caps *h = (void *)a;

	(void)bufsize;
	memmove(a + h->devs_offset + 4, a + h->devs_offset,
		(size_t)h->num_devs * h->dev_size);
	h->devs_offset += 4;
	h->types_offset += 8;
	h->total_size += 8;
	dmi->data_size += 8;
}

static void test_misaligned_records(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;

	fk.mangle = mangle_misaligned;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -EBADMSG);
	assert_null(kc);
	assert_true(fx_log_has(&s->log, "misaligned"));
}

/* The kernel's errors, as the library's. */
static void test_errors_mapped(void **st)
{
	struct state *s = *st;
	struct dmcaps_kernel_caps *kc = NULL;
	struct dmcaps_dev *sda;

	assert_int_equal(dmcaps_kernel_caps_available(s->ctx), 0);
	fk.err = -EINVAL;	/* no table of that kind */
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_INACTIVE, &kc), -ENODATA);
	fk.err = -ENXIO;
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, dm0(s),
						 DMCAPS_TABLE_LIVE, &kc), -ENODEV);
	assert_int_equal(dmcaps_dev_lookup(s->ctx, "sda", &sda), 0);
	assert_int_equal(dmcaps_kernel_caps_read(s->ctx, sda,
						 DMCAPS_TABLE_LIVE, &kc), -EMEDIUMTYPE);
	assert_null(kc);
}

/*
 * The verdict takes the queue's set from the kernel when it can: here sysfs
 * shows no crypto dir for dm-0 (as 6.12 does after a late gain) and its live
 * table alone would leave the verdict unsure; the kernel says the queue
 * holds AES-256-XTS and Adiantum, so a table over sdb shrinks, for sure.
 */
static void test_verdict_trusts_kernel_queue(void **st)
{
	struct state *s = *st;
	static const char *const sdb[] = { "AES-256-XTS", "0x1200", NULL };
	struct dmcaps_table *t = NULL;
	struct dmcaps_verdict *v = NULL;

	fx_crypto(s->root, "sdb", "32", "8", sdb);
	fx_table(s->root, "mix", "live", "0 4096 linear /dev/sdb 0\n");
	dmcaps_free(s->ctx);
	s->ctx = fx_ctx(s->root, &s->log);
	s->ctx->kcaps_call = fake_call;
	fk.queue_set = 2;	/* AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 */

	assert_int_equal(dmcaps_table_parse(s->ctx, "0 4096 linear /dev/sdb 0", &t), 0);
	assert_int_equal(dmcaps_verdict_new(s->ctx, "mix", t, &v), 0);
	assert_string_equal(dmcaps_verdict_old_source(v), "the kernel (DM_CRYPTO_CAPS)");
	set_is(dmcaps_verdict_old_caps(v), "AES-256-XTS:0x1000,Adiantum:0x1000 dun=8 keyslots=16");
	assert_int_equal(dmcaps_verdict_kind(v), DMCAPS_VERDICT_SHRINKS);
	dmcaps_verdict_free(v);
	dmcaps_table_free(t);

	/* without the ioctl: sysfs and the live table, as before (the
	 * table's devices belong to the context: parsed again) */
	dmcaps_free(s->ctx);
	s->ctx = fx_ctx(s->root, &s->log);
	assert_int_equal(dmcaps_table_parse(s->ctx, "0 4096 linear /dev/sdb 0", &t), 0);
	assert_int_equal(dmcaps_verdict_new(s->ctx, "mix", t, &v), 0);
	assert_string_not_equal(dmcaps_verdict_old_source(v),
				"the kernel (DM_CRYPTO_CAPS)");
	dmcaps_verdict_free(v);
	dmcaps_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_ioctl_enotty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ioctl_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_interface_not_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_interface_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eacces_remembered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysroot_not_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_types_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_types_per_instance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_decodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_full_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_size_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_answer_not_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaligned_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_trusts_kernel_queue, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
