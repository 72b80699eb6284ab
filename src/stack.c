// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Read-once view of the block devices for the commands that walk stacks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmcaps.h"
#include "exitcodes.h"
#include "stack.h"

const char *stack_dev_name(const struct dmcaps_dev *dev)
{
	const char *name = dmcaps_dev_dm_name(dev);

	return name ? name : dmcaps_dev_kname(dev);
}

static size_t devno_hash(dev_t devno)
{
	uint64_t x = devno;

	/* splitmix64's finalizer: device numbers differ in few low bits. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static void index_put(struct stack_node **index, size_t cap,
		      struct stack_node *n)
{
	size_t i = devno_hash(dmcaps_dev_devno(n->dev)) & (cap - 1);

	while (index[i])
		i = (i + 1) & (cap - 1);
	index[i] = n;
}

static struct stack_node *stack_find(const struct stack *st, dev_t devno)
{
	size_t i, mask = st->index_cap - 1;

	if (!st->index_cap)
		return NULL;
	for (i = devno_hash(devno) & mask; st->index[i]; i = (i + 1) & mask)
		if (dmcaps_dev_devno(st->index[i]->dev) == devno)
			return st->index[i];
	return NULL;
}

static struct stack_node *stack_add(struct stack *st, struct dmcaps_dev *dev)
{
	struct stack_node **nodes, **index, *n;
	size_t i, cap;

	if (st->count == st->cap) {
		cap = st->cap ? 2 * st->cap : 64;
		nodes = realloc(st->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return NULL;
		st->nodes = nodes;
		st->cap = cap;
	}
	if (2 * (st->count + 1) > st->index_cap) {
		cap = st->index_cap ? 2 * st->index_cap : 128;
		index = calloc(cap, sizeof(*index));
		if (!index)
			return NULL;
		for (i = 0; i < st->count; i++)
			index_put(index, cap, st->nodes[i]);
		free(st->index);
		st->index = index;
		st->index_cap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->dev = dev;
	st->nodes[st->count++] = n;
	index_put(st->index, st->index_cap, n);
	return n;
}

void stack_init_empty(struct stack *st, struct dmcaps_ctx *ctx)
{
	memset(st, 0, sizeof(*st));
	st->ctx = ctx;
}

int stack_init(struct stack *st, struct dmcaps_ctx *ctx)
{
	struct dmcaps_dev **devs;
	size_t i, n;
	int r;

	stack_init_empty(st, ctx);
	r = dmcaps_dev_list(ctx, &devs, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		if (!stack_add(st, devs[i]))
			return -ENOMEM;
	st->listed = n;
	log_debug("%zu block devices", n);
	return 0;
}

void stack_free(struct stack *st)
{
	size_t i;

	for (i = 0; i < st->count; i++) {
		dmcaps_prediction_free(st->nodes[i]->pred);
		dmcaps_table_free(st->nodes[i]->table);
		dmcaps_kernel_caps_free(st->nodes[i]->kcaps);
		dmcaps_comparison_free(st->nodes[i]->cmp);
		free(st->nodes[i]);
	}
	free(st->nodes);
	free(st->index);
	memset(st, 0, sizeof(*st));
}

struct stack_node *stack_node(struct stack *st, struct dmcaps_dev *dev)
{
	struct stack_node *n = stack_find(st, dmcaps_dev_devno(dev));

	return n ? n : stack_add(st, dev);
}

int stack_caps(struct stack *st, struct stack_node *n,
	       const struct dmcaps_set **caps)
{
	if (!n->caps_read) {
		n->caps_r = dmcaps_dev_caps(st->ctx, n->dev, &n->caps);
		if (n->caps_r < 0)
			n->caps = NULL;
		n->caps_read = true;
	}
	*caps = n->caps;
	return n->caps_r;
}

int stack_table(struct stack *st, struct stack_node *n,
		struct dmcaps_table **table)
{
	if (!n->table_read) {
		/* The library says why a table cannot be read (once per
		 * context when it is for want of root). */
		n->table_r = dmcaps_table_read(st->ctx, n->dev,
					       DMCAPS_TABLE_LIVE, &n->table);
		if (n->table_r < 0)
			n->table = NULL;
		n->table_read = true;
		log_debug("%s: live table: %s", stack_dev_name(n->dev),
			  n->table_r < 0 ? cause_from_errno(n->table_r) :
			  "read");
	}
	*table = n->table;
	return n->table_r;
}

int stack_prediction(struct stack *st, struct stack_node *n,
		     struct dmcaps_prediction **pred)
{
	struct dmcaps_table *table;

	if (!n->pred_done) {
		n->pred_r = stack_table(st, n, &table);
		if (!n->pred_r)
			n->pred_r = dmcaps_predict(st->ctx, table, &n->pred);
		if (n->pred_r < 0)
			n->pred = NULL;
		n->pred_done = true;
	}
	*pred = n->pred;
	return n->pred_r;
}

int stack_kernel_caps(struct stack *st, struct stack_node *n,
		      struct dmcaps_kernel_caps **kcaps)
{
	if (!n->kcaps_read) {
		/* Its absence (a stock kernel, no root) the library says
		 * once per context, with --verbose. */
		n->kcaps_r = dmcaps_kernel_caps_read(st->ctx, n->dev,
						     DMCAPS_TABLE_LIVE,
						     &n->kcaps);
		if (n->kcaps_r < 0)
			n->kcaps = NULL;
		n->kcaps_read = true;
	}
	*kcaps = n->kcaps;
	return n->kcaps_r;
}

void stack_mark_under_dm(struct stack *st)
{
	struct dmcaps_table *table;
	size_t i, j, k;

	for (i = 0; i < st->listed; i++) {
		struct stack_node *n = st->nodes[i];

		if (!dmcaps_dev_is_dm(n->dev) || stack_table(st, n, &table) < 0)
			continue;
		for (j = 0; j < dmcaps_table_target_count(table); j++) {
			const struct dmcaps_target *t =
				dmcaps_table_target(table, j);

			for (k = 0; k < dmcaps_target_dev_count(t); k++) {
				struct stack_node *m =
					stack_node(st, dmcaps_target_dev(t, k));

				if (m && m != n)
					m->under_dm = true;
			}
		}
	}
}
