/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioctl-fuzz: random and mutated DM_CRYPTO_CAPS and BLKCRYPTOEVICTKEY calls
 * against a live kernel (the VM suite tests/vm/suites/ioctl-fuzz.bats).
 * Shared between the driver (ioctl-fuzz.c) and the two generators
 * (ioctl-fuzz-caps.c, ioctl-fuzz-evict.c).
 *
 * Every call is generated from (seed, call index) alone, so that any call of
 * a run can be replayed by itself with --seed S --first I --calls 1.
 */
#ifndef DMCAPS_IOCTL_FUZZ_H
#define DMCAPS_IOCTL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ------------------------------------------------------------ random -- */

struct rng {
	uint64_t s;
};

/* splitmix64: tiny, fast, and every (seed, index) pair its own stream */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void rng_init(struct rng *r, uint64_t seed, uint64_t index)
{
	r->s = seed ^ (index * 0xd1b54a32d192ed03ULL);
	rng_next(r);
}

static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static inline bool rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* A 32-bit value a parser is likely to get wrong, or a random one. */
uint32_t rng_u32_edge(struct rng *r);
/* Fills @len bytes with random bytes. */
void rng_fill(struct rng *r, void *buf, size_t len);

/* ------------------------------------------------------------ memory -- */

/*
 * All user memory the kernel is given lies in one arena with an
 * inaccessible page on each side: a pointer near the end makes the kernel
 * cross into a guard page (EFAULT, never someone else's memory), and the
 * bytes after what a call may write hold a canary that is checked after it.
 */
struct arena {
	uint8_t *base;
	size_t size;
	uint8_t *guard;		/* the first byte after the arena: unmapped */
};

#define CANARY_BYTE	0x5a
#define CANARY_LEN	256

int arena_init(struct arena *a, size_t size);
/* Where to put @len bytes: normally at the start (or @offset into the
 * arena), sometimes ending at the guard page or misaligned. */
uint8_t *arena_place(struct arena *a, struct rng *r, size_t len,
		     size_t offset);
/* A pointer the kernel must refuse: NULL, a guard page, a kernel address. */
uint64_t bad_pointer(struct arena *a, struct rng *r);
/* Canary after [p, p + len) as far as the arena allows; checks it. */
void canary_set(struct arena *a, uint8_t *p, size_t len);
bool canary_ok(struct arena *a, const uint8_t *p, size_t len);
/* The canary bytes in [p + from, p + to) are intact. */
bool canary_intact(const uint8_t *p, size_t from, size_t to);

/* ---------------------------------------------------------- outcomes -- */

enum fuzz_ioctl { FUZZ_CAPS, FUZZ_EVICT, FUZZ_NR_IOCTLS };
enum fuzz_who { FUZZ_ROOT, FUZZ_USER, FUZZ_NR_WHO };

/* Outcome slots: errno 0..FUZZ_MAX_ERRNO-1, and success split by kind. */
#define FUZZ_MAX_ERRNO		160
#define OUT_OK			0
#define OUT_OK_FULL		FUZZ_MAX_ERRNO		/* caps: DM_BUFFER_FULL_FLAG */
#define OUT_OK_EVICTED		(FUZZ_MAX_ERRNO + 1)	/* evict: a slot evicted */
#define OUT_OK_FAILURES		(FUZZ_MAX_ERRNO + 2)	/* evict: failures reported */
#define FUZZ_NR_OUT		(FUZZ_MAX_ERRNO + 3)

#define FUZZ_MAX_ANOMALIES	32

/* Lives in shared memory: the unprivileged child counts into it too. */
struct fuzz_stats {
	uint64_t calls[FUZZ_NR_IOCTLS][FUZZ_NR_WHO];
	uint64_t out[FUZZ_NR_IOCTLS][FUZZ_NR_WHO][FUZZ_NR_OUT];
	uint64_t slots_evicted, slots_busy, failures;
	uint64_t anomalies;
	char anomaly[FUZZ_MAX_ANOMALIES][256];
};

/* ----------------------------------------------------------- targets -- */

#define FUZZ_MAX_DEVS	32
#define FUZZ_MAX_KEYS	16

struct fuzz_dm {		/* a DM device to ask DM_CRYPTO_CAPS about */
	char name[128];
	char uuid[129];
	uint64_t dev;		/* encoded as dm_ioctl.dev */
};

struct fuzz_blk {		/* a block device to evict from */
	const char *path;
	int fd;			/* opened as root, before any privilege drop */
	unsigned int leaves;	/* disks at the bottom of its stack */
	unsigned int slots;	/* their keyslots, in all */
	dev_t leaf[FUZZ_MAX_DEVS];
	/* its own capabilities, from sysfs: data unit size masks of the
	 * modes in blk-crypto's order (AES-256-XTS, AES-128-CBC-ESSIV,
	 * Adiantum, SM4-XTS) and the widest DUN */
	uint32_t modes[4];
	uint32_t max_dun_bytes;
};

struct fuzz_key {		/* a raw key the suite knows to be in use */
	uint8_t raw[64];
	unsigned int size;
};

struct fuzz {
	uint64_t seed;
	int ctl_fd;		/* /dev/mapper/control */
	struct arena arena;
	struct fuzz_dm dm[FUZZ_MAX_DEVS];
	unsigned int nr_dm;
	struct fuzz_blk blk[FUZZ_MAX_DEVS];
	unsigned int nr_blk;
	struct fuzz_key key[FUZZ_MAX_KEYS];
	unsigned int nr_keys;
	int32_t key_id[FUZZ_MAX_KEYS];	/* keyring serials */
	unsigned int nr_key_ids;
	bool verbose;
	struct fuzz_stats *st;
};

/* One call each; @who says whether privileges were dropped. */
void fuzz_caps_call(struct fuzz *f, struct rng *r, uint64_t index,
		    enum fuzz_who who);
void fuzz_evict_call(struct fuzz *f, struct rng *r, uint64_t index,
		     enum fuzz_who who);

/* Counts an outcome; records an anomaly (a broken kernel promise). */
void fuzz_count(struct fuzz *f, enum fuzz_ioctl io, enum fuzz_who who,
		unsigned int outcome);
void fuzz_anomaly(struct fuzz *f, uint64_t index, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
