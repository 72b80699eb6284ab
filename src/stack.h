/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system's block devices as a stack: for each device its capabilities,
 * its live DM table and that table's prediction, each asked of the library
 * at most once per run, and which devices a DM table maps to.
 */
#ifndef _DMCAPS_STACK_H
#define _DMCAPS_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "libdmcaps.h"

struct stack_node {
	struct dmcaps_dev *dev;

	bool caps_read;
	int caps_r;
	const struct dmcaps_set *caps;		/* the context's */

	bool table_read;
	int table_r;
	struct dmcaps_table *table;		/* the stack's */

	bool pred_done;
	int pred_r;
	struct dmcaps_prediction *pred;		/* the stack's */

	bool kcaps_read;
	int kcaps_r;
	struct dmcaps_kernel_caps *kcaps;	/* the stack's: live table */

	/* dmcaps_compare() of the live table, made (and logged) once. */
	struct dmcaps_comparison *cmp;

	bool under_dm;		/* some listed DM live table maps to it */

	/* For the command walking the stack: a device appears as often as
	 * it is mapped, its messages are printed once. */
	bool shown;
	bool caps_warned;
	bool table_warned;
};

struct stack {
	struct dmcaps_ctx *ctx;
	struct stack_node **nodes;	/* the device list's order, then
					   devices found otherwise */
	size_t count;
	size_t cap;
	size_t listed;			/* nodes from dmcaps_dev_list() */
	/* The nodes by device number (open addressing, at most half full):
	 * every table device of every DM device is looked up here. */
	struct stack_node **index;
	size_t index_cap;		/* a power of two, or 0 */
};

/* An empty stack: nodes are added as devices are met (show DEVICE). */
void stack_init_empty(struct stack *st, struct dmcaps_ctx *ctx);
/* Reads the device list (once: dmcaps_dev_list()). */
int stack_init(struct stack *st, struct dmcaps_ctx *ctx);
void stack_free(struct stack *st);

/* The node of @dev, added if @dev was not in the list; NULL only when out
 * of memory. */
struct stack_node *stack_node(struct stack *st, struct dmcaps_dev *dev);

/* dmcaps_dev_caps(), dmcaps_table_read(LIVE), dmcaps_predict() of a node,
 * each called once; the results stay owned by the stack. */
int stack_caps(struct stack *st, struct stack_node *n,
	       const struct dmcaps_set **caps);
int stack_table(struct stack *st, struct stack_node *n,
		struct dmcaps_table **table);
int stack_prediction(struct stack *st, struct stack_node *n,
		     struct dmcaps_prediction **pred);

/* dmcaps_kernel_caps_read(LIVE) of a node, once. */
int stack_kernel_caps(struct stack *st, struct stack_node *n,
		      struct dmcaps_kernel_caps **kcaps);

/* Sets under_dm for every device a listed DM device's live table maps to,
 * reading each DM table once. */
void stack_mark_under_dm(struct stack *st);

/* The DM name of a DM device, the kernel name otherwise. */
const char *stack_dev_name(const struct dmcaps_dev *dev);

#endif
