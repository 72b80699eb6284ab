/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What dmcaps show's pieces share: the run's state and the helpers that
 * build rows and WHY cells. cmd-show.c walks the live stack;
 * show-kernel.c adds the kernel's own answer (DM_CRYPTO_CAPS) and
 * show --inactive.
 */
#ifndef _DMCAPS_SHOW_H
#define _DMCAPS_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "caps-format.h"
#include "libdmcaps.h"
#include "output.h"
#include "stack.h"

struct show {
	struct dmcaps_ctx *ctx;
	struct stack st;
	struct out out;
	int exit;			/* first failure's exit status */
	bool explicit;			/* the current root was asked for */
	bool nodm_reported;		/* "no device-mapper" is said once */
	bool nokernel_reported;		/* "no DM_CRYPTO_CAPS" is said once */
	const char *dm_name;		/* the DM device whose targets are added */
	const char *dm_kname;		/* its kernel name */
	struct caps_memo modes;		/* MODES of the last row */
};

/* A cell of several lines (WHY, CHANGES) being built: most stay empty,
 * so nothing is allocated before the first line. */
struct cell {
	char *buf;
	size_t len, cap;
	bool failed;		/* out of memory: the cell is dropped */
};

int cell_open(struct cell *c);
void cell_add(struct show *s, struct cell *c, const char *line);
/* Sets the cell (if not empty) and frees it. */
void cell_close(struct show *s, struct cell *c, struct libscols_line *ln,
		enum out_column col);

void show_fail(struct show *s, int r);
/* Looks up the DEVICE argument @arg; on failure says why (naming @arg),
 * records it with show_fail() and returns the -errno. */
int show_lookup_arg(struct show *s, const char *arg, struct dmcaps_dev **dev);

/* Adds @dev under @parent (NULL: a root), expanding DM devices through
 * their live tables. Returns its row (NULL when out of memory). */
struct libscols_line *show_add_device(struct show *s,
				      struct libscols_line *parent,
				      struct dmcaps_dev *dev, const dev_t *path,
				      int depth);

/* Target rows of @table under @ln, each with its devices. @kc, when not
 * NULL, is the kernel's answer for the same table (KERNEL cells); @cmp,
 * when not NULL, its comparison (a target's MISMATCH lines); @v, when not
 * NULL, the verdict of resuming it (the losses each target and each
 * device causes, in CHANGES). */
void show_add_targets(struct show *s, struct libscols_line *ln,
		      const struct dmcaps_table *table,
		      const struct dmcaps_kernel_caps *kc,
		      const struct dmcaps_comparison *cmp,
		      const struct dmcaps_verdict *v,
		      const dev_t *path, int depth);

/* The findings of @cmp about the device itself (not one target) as WHY
 * lines. */
void show_findings(struct show *s, struct cell *why,
		   const struct dmcaps_comparison *cmp);

/* ---- show-kernel.c ------------------------------------------------------ */

/* The KERNEL cell of a DM device from the kernel's answer @kc (r: how
 * reading it went); a WHY line when it could not be read. */
void show_kernel_table(struct show *s, struct libscols_line *ln,
		       struct cell *why, int r,
		       const struct dmcaps_kernel_caps *kc);

/* dmcaps show --inactive DEVICE... */
void show_inactive(struct show *s, int argc, const char **argv);

#endif
