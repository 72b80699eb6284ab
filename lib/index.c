// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A small open-addressing hash index for the context's lookups (devices by
 * number, kernel name and DM name; device specifications already resolved;
 * target types). The caller owns keys and values: an entry is a 64-bit hash
 * and a value pointer, and a lookup confirms a hash hit with the caller's
 * match function, so that one index type serves every key type.
 *
 * Linear probing at a load of at most 1/2: a lookup touches one or two
 * slots, and nothing is ever removed (a context's caches only grow until
 * the whole index is dropped).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define INDEX_MIN_SLOTS 64

/* FNV-1a, 64 bits: short keys, no adversary that profits from collisions
 * (a collision costs a probe, never a wrong answer). */
uint64_t dmcaps_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* splitmix64's finalizer: dev_t values differ in few low bits. */
uint64_t dmcaps_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

void dmcaps_index_free(struct dmcaps_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

static void put_slot(struct dmcaps_index_slot *slots, size_t mask,
		     uint64_t hash, void *val)
{
	size_t i = hash & mask;

	while (slots[i].val)
		i = (i + 1) & mask;
	slots[i].hash = hash;
	slots[i].val = val;
}

int dmcaps_index_put(struct dmcaps_index *ix, uint64_t hash, void *val)
{
	struct dmcaps_index_slot *slots;
	size_t i, cap;

	if (!val)
		return -EINVAL;
	if (2 * (ix->count + 1) > ix->cap) {
		cap = ix->cap ? 2 * ix->cap : INDEX_MIN_SLOTS;
		slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (i = 0; i < ix->cap; i++)
			if (ix->slots[i].val)
				put_slot(slots, cap - 1, ix->slots[i].hash,
					 ix->slots[i].val);
		free(ix->slots);
		ix->slots = slots;
		ix->cap = cap;
	}
	put_slot(ix->slots, ix->cap - 1, hash, val);
	ix->count++;
	return 0;
}

void *dmcaps_index_get(const struct dmcaps_index *ix, uint64_t hash,
		       bool (*match)(const void *val, const void *key),
		       const void *key)
{
	size_t i, mask = ix->cap - 1;

	if (!ix->cap)
		return NULL;
	for (i = hash & mask; ix->slots[i].val; i = (i + 1) & mask)
		if (ix->slots[i].hash == hash && match(ix->slots[i].val, key))
			return ix->slots[i].val;
	return NULL;
}
