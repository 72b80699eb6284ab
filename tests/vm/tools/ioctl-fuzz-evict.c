// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl-fuzz: BLKCRYPTOEVICTKEY calls (Documentation/block/
 * inline-encryption.rst of the series). Each call starts from a well-formed
 * request (a raw key that is random or one the suite knows to be programmed,
 * or a keyring serial; a mode, data unit size and DUN size the devices
 * support) and mutates some of it: version, flags, reserved fields, mode
 * names (unknown, unterminated, garbage after the NUL), key sizes, data unit
 * and DUN sizes, keyring serials (the suite's, special, random), the key,
 * argument and failure-array pointers, failures_len, and the ioctl number's
 * size and direction bits.
 *
 * What the kernel must do, checked after every call:
 *  - without CAP_SYS_ADMIN: EPERM, whatever the request;
 *  - a malformed request: exactly the errno the documentation gives, in its
 *    order (the model below); an unsupported configuration: EOPNOTSUPP,
 *    exactly when the device's sysfs capabilities say so;
 *  - on success: the input fields unchanged, counts within what the devices
 *    under it can hold, failure records only within failures_len and about
 *    devices of the stack, nothing written past them (canary).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "kabi-blk-crypto.h"
#include "ioctl-fuzz.h"

#define ARG_SIZE	sizeof(struct blk_crypto_evict_key_arg)
#define FAIL_SIZE	sizeof(struct blk_crypto_evict_failure)
/* where each piece goes in the arena */
#define ARG_OFFSET	0
#define KEY_OFFSET	4096
#define FAILURES_OFFSET	8192

/* The modes of blk-crypto (block/blk-crypto.c): name, key size, IV size. */
static const struct {
	const char *name;
	unsigned int keysize, ivsize;
} modes[] = {
	{ "AES-256-XTS", 64, 16 },
	{ "AES-128-CBC-ESSIV", 16, 16 },
	{ "Adiantum", 32, 32 },
	{ "SM4-XTS", 32, 16 },
};
#define NR_MODES	(sizeof(modes) / sizeof(modes[0]))

static int mode_index(const char *name, size_t len)
{
	unsigned int i;

	if (!memchr(name, '\0', len))
		return -1;
	for (i = 0; i < NR_MODES; i++) {
		if (!strcmp(name, modes[i].name))
			return (int)i;
	}
	return -1;
}

/*
 * The documented checks on the argument alone, in the documented order:
 * the errno a root caller must get for it, or 0 if it is well-formed.
 */
static int arg_model(const struct blk_crypto_evict_key_arg *a)
{
	unsigned int i;
	int m;

	if (a->version != BLK_CRYPTO_EVICT_KEY_VERSION ||
	    a->flags & ~BLK_CRYPTO_EVICT_KEY_KEYRING || a->reserved32)
		return EINVAL;
	for (i = 0; i < 4; i++) {
		if (a->reserved[i])
			return EINVAL;
	}
	if (!memchr(a->mode, '\0', sizeof(a->mode)))
		return EINVAL;
	if (a->flags & BLK_CRYPTO_EVICT_KEY_KEYRING) {
		if (a->key_ptr || a->key_size)
			return EINVAL;
	} else if (a->key_id) {
		return EINVAL;
	}
	m = mode_index(a->mode, sizeof(a->mode));
	if (m < 0)
		return ENOENT;
	if (!(a->flags & BLK_CRYPTO_EVICT_KEY_KEYRING) &&
	    a->key_size != modes[m].keysize)
		return EMSGSIZE;
	if (!a->data_unit_size || a->data_unit_size & (a->data_unit_size - 1))
		return EDOM;
	if (a->dun_bytes == 0 || a->dun_bytes > modes[m].ivsize)
		return ERANGE;
	return 0;
}

static void mode_name(struct rng *r, char *s, unsigned int m)
{
	size_t i;

	snprintf(s, BLK_CRYPTO_MODE_NAME_LEN, "%s", modes[m].name);
	if (!rng_pct(r, 12))
		return;
	switch (rng_below(r, 7)) {
	case 0:		/* unterminated */
		for (i = 0; i < BLK_CRYPTO_MODE_NAME_LEN; i++)
			s[i] = (char)('A' + rng_below(r, 26));
		break;
	case 1:		/* garbage after the NUL: still the mode */
		i = strlen(s);
		rng_fill(r, s + i + 1, BLK_CRYPTO_MODE_NAME_LEN - i - 1);
		break;
	case 2:		/* another case */
		s[rng_below(r, (uint32_t)strlen(s))] ^= 0x20;
		break;
	case 3:		/* one character short, or one more */
		i = strlen(s);
		if (rng_pct(r, 50))
			s[i - 1] = '\0';
		else if (i + 1 < BLK_CRYPTO_MODE_NAME_LEN)
			s[i] = 'X';
		break;
	case 4:
		s[0] = '\0';
		break;
	case 5:
		snprintf(s, BLK_CRYPTO_MODE_NAME_LEN, "%s", "xts(aes)");
		break;
	default:
		rng_fill(r, s, BLK_CRYPTO_MODE_NAME_LEN);
		break;
	}
}

struct evict_req {
	struct blk_crypto_evict_key_arg a;
	struct fuzz_blk *blk;
	unsigned long cmd;
	uint8_t key[256];
	uint8_t *arg_at;	/* in the arena, or NULL for a bad pointer */
	uint64_t arg_ptr;
	uint8_t *fail_at;	/* the failure array in the arena, or NULL */
	bool key_fault;		/* key_ptr will fault (for a raw key) */
	/* failures_ptr/len may fail access_ok() (the address space's end
	 * differs between hosts and UML) or fault when a failure is written */
	bool fail_may_fault;
};

static void evict_build(struct fuzz *f, struct rng *r, struct evict_req *q)
{
	struct blk_crypto_evict_key_arg *a = &q->a;
	unsigned int m, ks, src;
	uint8_t *k;

	memset(q, 0, sizeof(*q));
	q->blk = &f->blk[rng_below(r, f->nr_blk)];
	a->version = BLK_CRYPTO_EVICT_KEY_VERSION;
	m = rng_below(r, NR_MODES);
	a->data_unit_size = 4096;
	a->dun_bytes = 8;
	/* the key: one in use (maybe mutated), random, or from a keyring */
	src = rng_below(r, 10);
	if (src < 4 && f->nr_keys) {
		const struct fuzz_key *fk = &f->key[rng_below(r, f->nr_keys)];

		m = 0;		/* the suite's keys are fscrypt's AES-256-XTS keys */
		memcpy(q->key, fk->raw, fk->size);
		if (rng_pct(r, 20))
			q->key[rng_below(r, fk->size)] ^= (uint8_t)(1 + rng_below(r, 255));
	} else if (src < 7 || !f->nr_key_ids) {
		rng_fill(r, q->key, sizeof(q->key));
	} else {
		a->flags = BLK_CRYPTO_EVICT_KEY_KEYRING;
		if (rng_pct(r, 75)) {
			a->key_id = f->key_id[rng_below(r, f->nr_key_ids)];
		} else {
			/* special serials (KEY_SPEC_*), none, random */
			switch (rng_below(r, 4)) {
			case 0:
				a->key_id = -(int32_t)(1 + rng_below(r, 8));
				break;
			case 1:
				a->key_id = 0;
				break;
			default:
				a->key_id = (int32_t)rng_u32_edge(r);
			}
		}
	}
	mode_name(r, a->mode, m);
	ks = modes[m].keysize;
	if (!(a->flags & BLK_CRYPTO_EVICT_KEY_KEYRING))
		a->key_size = ks;

	if (rng_pct(r, 25)) {		/* another data unit size */
		static const uint32_t dus[] = { 512, 1024, 2048, 8192, 65536 };

		a->data_unit_size = rng_pct(r, 60) ? dus[rng_below(r, 5)] :
			rng_u32_edge(r);
	}
	if (rng_pct(r, 25)) {		/* another DUN size */
		a->dun_bytes = rng_pct(r, 80) ? rng_below(r, 34) : rng_u32_edge(r);
	}
	if (rng_pct(r, 5))
		a->key_size = rng_pct(r, 50) ? ks + rng_below(r, 3) - 1 : rng_u32_edge(r);
	if (rng_pct(r, 3))
		a->key_id = (int32_t)rng_u32_edge(r);
	if (rng_pct(r, 2))
		a->version = rng_u32_edge(r);
	if (rng_pct(r, 2))
		a->flags ^= 1U << rng_below(r, 32);
	if (rng_pct(r, 2))
		a->reserved32 = rng_u32_edge(r);
	if (rng_pct(r, 2))
		a->reserved[rng_below(r, 4)] = rng_next(r);

	/* the key's place: in the arena, across the guard page, or nowhere */
	if (!(a->flags & BLK_CRYPTO_EVICT_KEY_KEYRING) || rng_pct(r, 3)) {
		switch (rng_below(r, 40)) {
		case 0:
			a->key_ptr = bad_pointer(&f->arena, r);
			q->key_fault = true;
			break;
		case 1:
			k = f->arena.guard - 1 - rng_below(r, ks ? ks - 1 : 1);
			a->key_ptr = (uint64_t)(uintptr_t)k;
			q->key_fault = true;
			break;
		default:
			k = f->arena.base + KEY_OFFSET + rng_below(r, 8);
			memcpy(k, q->key, sizeof(q->key));
			a->key_ptr = (uint64_t)(uintptr_t)k;
		}
	}

	/* the failure array */
	switch (rng_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		q->fail_at = f->arena.base + FAILURES_OFFSET;
		a->failures_ptr = (uint64_t)(uintptr_t)q->fail_at;
		a->failures_len = rng_below(r, 5);
		break;
	case 6:		/* a length far past the arena: fine unless written */
		q->fail_at = f->arena.base + FAILURES_OFFSET;
		a->failures_ptr = (uint64_t)(uintptr_t)q->fail_at;
		a->failures_len = rng_u32_edge(r);
		q->fail_may_fault = true;
		break;
	case 7:
		a->failures_ptr = bad_pointer(&f->arena, r);
		a->failures_len = rng_below(r, 3) ? 1 + rng_below(r, 4) : rng_u32_edge(r);
		q->fail_may_fault = a->failures_ptr != 0;
		break;
	case 8:		/* a length without a pointer: ignored */
		a->failures_len = rng_u32_edge(r);
		break;
	}

	/* the argument itself */
	switch (rng_below(r, 50)) {
	case 0:
		q->arg_ptr = bad_pointer(&f->arena, r);
		break;
	case 1:		/* across the guard page */
		q->arg_ptr = (uint64_t)(uintptr_t)(f->arena.guard - 1 -
						   rng_below(r, ARG_SIZE - 1));
		break;
	default:
		q->arg_at = f->arena.base + ARG_OFFSET + 8 * rng_below(r, 4);
		q->arg_ptr = (uint64_t)(uintptr_t)q->arg_at;
	}
	q->cmd = BLKCRYPTOEVICTKEY;
	if (rng_pct(r, 4))
		q->cmd = _IOC(rng_below(r, 4), _IOC_TYPE(BLKCRYPTOEVICTKEY),
			      _IOC_NR(BLKCRYPTOEVICTKEY),
			      rng_below(r, 1U << _IOC_SIZEBITS));
}

/* Would the device take this configuration natively (its sysfs set)? */
static bool supported(const struct fuzz_blk *b, const struct blk_crypto_evict_key_arg *a)
{
	int m = mode_index(a->mode, sizeof(a->mode));

	return m >= 0 && a->data_unit_size < (1U << 31) &&
		(b->modes[m] & a->data_unit_size) && a->dun_bytes <= b->max_dun_bytes;
}

static bool is_leaf(const struct fuzz_blk *b, uint32_t major, uint32_t minor)
{
	unsigned int i;

	for (i = 0; i < b->leaves; i++) {
		if (major == major(b->leaf[i]) && minor == minor(b->leaf[i]))
			return true;
	}
	return false;
}

static void check_success(struct fuzz *f, uint64_t index,
			  const struct evict_req *q)
{
	struct blk_crypto_evict_key_arg out, in = q->a;
	const struct blk_crypto_evict_failure *fl;
	uint32_t n, i;

	memcpy(&out, q->arg_at, sizeof(out));
	if (!canary_intact(q->arg_at, ARG_SIZE, ARG_SIZE + CANARY_LEN))
		fuzz_anomaly(f, index, "evict: written past the argument");
	f->st->slots_evicted += out.slots_evicted;
	f->st->slots_busy += out.slots_busy;
	f->st->failures += out.nr_failures;
	fuzz_count(f, FUZZ_EVICT, FUZZ_ROOT, out.nr_failures ? OUT_OK_FAILURES :
		   out.slots_evicted ? OUT_OK_EVICTED : OUT_OK);

	in.nr_failures = out.nr_failures;
	in.slots_evicted = out.slots_evicted;
	in.slots_busy = out.slots_busy;
	in.devices_visited = out.devices_visited;
	if (memcmp(&in, &out, sizeof(in)))
		fuzz_anomaly(f, index, "evict: input fields changed in the answer");
	if (out.devices_visited > q->blk->leaves ||
	    out.slots_evicted + out.slots_busy > q->blk->slots ||
	    out.nr_failures > q->blk->leaves)
		fuzz_anomaly(f, index, "evict %s: visited %u evicted %u busy %u failures %u, but %u disks with %u slots below",
			     q->blk->path, out.devices_visited, out.slots_evicted,
			     out.slots_busy, out.nr_failures, q->blk->leaves,
			     q->blk->slots);
	if (!q->fail_at)
		return;
	n = out.nr_failures < in.failures_len ? out.nr_failures : in.failures_len;
	for (i = 0; i < n; i++) {
		fl = (const void *)(q->fail_at + i * FAIL_SIZE);
		if (fl->error >= 0 || fl->reserved ||
		    !is_leaf(q->blk, fl->major, fl->minor))
			fuzz_anomaly(f, index, "evict %s: failure %u is %u:%u error %d reserved %u",
				     q->blk->path, i, fl->major, fl->minor,
				     fl->error, fl->reserved);
	}
	if (!canary_intact(q->fail_at, (size_t)n * FAIL_SIZE, CANARY_LEN))
		fuzz_anomaly(f, index, "evict %s: written past %u failure records",
			     q->blk->path, n);
}

void fuzz_evict_call(struct fuzz *f, struct rng *r, uint64_t index,
		     enum fuzz_who who)
{
	struct evict_req q;
	int err, want;

	evict_build(f, r, &q);
	if (q.arg_at) {
		memcpy(q.arg_at, &q.a, ARG_SIZE);
		memset(q.arg_at + ARG_SIZE, CANARY_BYTE, CANARY_LEN);
	}
	if (q.fail_at)
		memset(q.fail_at, CANARY_BYTE, CANARY_LEN);
	if (f->verbose)
		printf("call %llu evict %s %s: cmd %#lx arg %#llx version %u flags %#x mode '%.32s' dus %u dun %u key_ptr %#llx key_size %u key_id %d failures %#llx/%u reserved32 %u reserved %llx,%llx,%llx,%llx\n",
		       (unsigned long long)index, who ? "user" : "root",
		       q.blk->path, q.cmd, (unsigned long long)q.arg_ptr,
		       q.a.version, q.a.flags, q.a.mode, q.a.data_unit_size,
		       q.a.dun_bytes, (unsigned long long)q.a.key_ptr,
		       q.a.key_size, q.a.key_id,
		       (unsigned long long)q.a.failures_ptr, q.a.failures_len,
		       q.a.reserved32, (unsigned long long)q.a.reserved[0],
		       (unsigned long long)q.a.reserved[1],
		       (unsigned long long)q.a.reserved[2],
		       (unsigned long long)q.a.reserved[3]);

	err = ioctl(q.blk->fd, q.cmd, (void *)(uintptr_t)q.arg_ptr) ? errno : 0;
	if (f->verbose)
		printf("call %llu: %s\n", (unsigned long long)index,
		       err ? strerrorname_np(err) : "OK");

	if (q.cmd != BLKCRYPTOEVICTKEY) {
		/* another ioctl number: whatever the driver says, but not ours */
		fuzz_count(f, FUZZ_EVICT, who, err);
		if (!err)
			fuzz_anomaly(f, index, "evict: ioctl %#lx succeeded", q.cmd);
		return;
	}
	if (who == FUZZ_USER) {
		fuzz_count(f, FUZZ_EVICT, who, err);
		if (err != EPERM)
			fuzz_anomaly(f, index, "evict without CAP_SYS_ADMIN: %s, not EPERM",
				     err ? strerrorname_np(err) : "success");
		return;
	}
	if (!q.arg_at) {
		fuzz_count(f, FUZZ_EVICT, who, err);
		if (err != EFAULT)
			fuzz_anomaly(f, index, "evict with a bad argument pointer: %s, not EFAULT",
				     err ? strerrorname_np(err) : "success");
		return;
	}
	want = arg_model(&q.a);
	if (!want && err == EFAULT && q.fail_may_fault) {
		fuzz_count(f, FUZZ_EVICT, who, err);
		return;
	}
	if (!want && !supported(q.blk, &q.a))
		want = EOPNOTSUPP;
	if (!want && q.key_fault && !(q.a.flags & BLK_CRYPTO_EVICT_KEY_KEYRING))
		want = EFAULT;
	if (want) {
		fuzz_count(f, FUZZ_EVICT, who, err);
		if (err != want)
			fuzz_anomaly(f, index, "evict %s: %s, documented %s",
				     q.blk->path, err ? strerrorname_np(err) : "success",
				     strerrorname_np(want));
		return;
	}
	if (err) {
		fuzz_count(f, FUZZ_EVICT, who, err);
		/* a keyring key may be missing, revoked, expired, forbidden,
		 * of another type or size; a raw key has none of those */
		if (err == ENOMEM)
			return;
		/* lookup_user_key() answers EINVAL for serial 0 and for
		 * special serials it does not resolve in this context
		 * (KEY_SPEC_REQKEY_AUTH_KEY outside request_key, anything
		 * below KEY_SPEC_REQUESTOR_KEYRING); a positive serial that
		 * names no key is ENOKEY. The series' documentation does not
		 * list this EINVAL yet (kfix, issue 12). */
		if ((q.a.flags & BLK_CRYPTO_EVICT_KEY_KEYRING) &&
		    err == EINVAL && q.a.key_id <= 0)
			return;
		if (!(q.a.flags & BLK_CRYPTO_EVICT_KEY_KEYRING) ||
		    (err != ENOKEY && err != EKEYREVOKED && err != EKEYEXPIRED &&
		     err != EACCES && err != EKEYREJECTED && err != EMSGSIZE))
			fuzz_anomaly(f, index, "evict %s: %s for a well-formed request",
				     q.blk->path, strerrorname_np(err));
		return;
	}
	check_success(f, index, &q);
}
