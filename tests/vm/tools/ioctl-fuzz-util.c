// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl-fuzz: random values, the guarded arena, outcome counting.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ioctl-fuzz.h"

uint32_t rng_u32_edge(struct rng *r)
{
	static const uint32_t edge[] = {
		0, 1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 65, 95, 96, 97, 127, 128,
		255, 256, 511, 512, 4095, 4096, 4097, 65535, 65536,
		0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xfffffff8,
		0xfffffffe, 0xffffffff,
	};

	switch (rng_below(r, 4)) {
	case 0:
		return (uint32_t)rng_next(r);
	case 1:
		return 1U << rng_below(r, 32);
	default:
		return edge[rng_below(r, sizeof(edge) / sizeof(edge[0]))];
	}
}

void rng_fill(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			v = rng_next(r);
		p[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
}

int arena_init(struct arena *a, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m;

	size = (size + page - 1) & ~(page - 1);
	m = mmap(NULL, size + 2 * page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	if (mprotect(m + page, size, PROT_READ | PROT_WRITE))
		return -errno;
	a->base = m + page;
	a->size = size;
	a->guard = a->base + size;
	return 0;
}

uint8_t *arena_place(struct arena *a, struct rng *r, size_t len,
		     size_t offset)
{
	if (len >= a->size)
		return a->base;
	switch (rng_below(r, 20)) {
	case 0:		/* ends exactly at the guard page */
		return a->guard - len;
	case 1:		/* misaligned */
		if (offset + len + 7 < a->size)
			return a->base + offset + 1 + rng_below(r, 7);
		break;
	}
	if (offset + len > a->size)
		offset = 0;
	return a->base + offset;
}

uint64_t bad_pointer(struct arena *a, struct rng *r)
{
	switch (rng_below(r, 5)) {
	case 0:
		return 0;
	case 1:		/* the guard page after the arena */
		return (uint64_t)(uintptr_t)a->guard;
	case 2:		/* the guard page before it */
		return (uint64_t)(uintptr_t)a->base - 64;
	case 3:		/* a kernel address on x86_64 */
		return 0xffffffff81000000ULL;
	default:	/* anything, mostly not canonical */
		return rng_next(r);
	}
}

void canary_set(struct arena *a, uint8_t *p, size_t len)
{
	uint8_t *end = p + len;
	size_t n;

	if (end >= a->guard || end < a->base)
		return;
	n = (size_t)(a->guard - end);
	memset(end, CANARY_BYTE, n < CANARY_LEN ? n : CANARY_LEN);
}

bool canary_ok(struct arena *a, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	size_t n, i;

	if (end >= a->guard || end < a->base)
		return true;
	n = (size_t)(a->guard - end);
	if (n > CANARY_LEN)
		n = CANARY_LEN;
	for (i = 0; i < n; i++) {
		if (end[i] != CANARY_BYTE)
			return false;
	}
	return true;
}

bool canary_intact(const uint8_t *p, size_t from, size_t to)
{
	for (; from < to; from++) {
		if (p[from] != CANARY_BYTE)
			return false;
	}
	return true;
}

void fuzz_count(struct fuzz *f, enum fuzz_ioctl io, enum fuzz_who who,
		unsigned int outcome)
{
	if (outcome >= FUZZ_NR_OUT)
		outcome = FUZZ_MAX_ERRNO - 1;
	f->st->calls[io][who]++;
	f->st->out[io][who][outcome]++;
}

void fuzz_anomaly(struct fuzz *f, uint64_t index, const char *fmt, ...)
{
	uint64_t n = __atomic_fetch_add(&f->st->anomalies, 1, __ATOMIC_RELAXED);
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* on stderr at once (a hang after it still shows it), kept for the summary */
	fprintf(stderr, "ioctl-fuzz: ANOMALY call %llu (replay: --seed %llu --first %llu --calls 1 -v): %s\n",
		(unsigned long long)index, (unsigned long long)f->seed,
		(unsigned long long)index, msg);
	if (n < FUZZ_MAX_ANOMALIES)
		snprintf(f->st->anomaly[n], sizeof(f->st->anomaly[n]),
			 "call %llu: %s", (unsigned long long)index, msg);
}
