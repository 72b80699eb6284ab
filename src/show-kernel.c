// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps show and the kernel's own answer (DM_CRYPTO_CAPS, patched kernels):
 * the KERNEL column beside the prediction, every disagreement as a MISMATCH
 * line (a bug in one of them, never hidden), and show --inactive: a loaded,
 * not yet resumed table and what resuming it would gain and lose.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "caps-format.h"
#include "dmcaps.h"
#include "exitcodes.h"
#include "show.h"

void show_kernel_table(struct show *s, struct libscols_line *ln,
		       struct cell *why, int r,
		       const struct dmcaps_kernel_caps *kc)
{
	char *text = NULL;

	switch (r) {
	case 0:
		break;
	case -ENOTTY:
		out_set(&s->out, ln, COL_KERNEL, "unavailable");
		return;
	case -ENOTSUP:		/* another sysroot, or no DM: said elsewhere */
	case -EACCES:
	case -EPERM:		/* the table could not be read either */
	case -ENODATA:
		return;
	default:
		out_set(&s->out, ln, COL_KERNEL, "?");
		cell_add(s, why, "the kernel's answer (DM_CRYPTO_CAPS) unreadable");
		return;
	}
	if (!caps_format_text(dmcaps_kernel_caps_table(kc), &text))
		out_set(&s->out, ln, COL_KERNEL, text);
	free(text);
}

/* ---- show --inactive ---------------------------------------------------- */

static void change_lines(struct show *s, struct cell *c,
			 const struct dmcaps_verdict *v)
{
	size_t i, n = dmcaps_verdict_change_count(v);
	char *what, *cause, *line;

	if (dmcaps_verdict_kind(v) == DMCAPS_VERDICT_CANNOT_TELL) {
		if (asprintf(&line, "cannot tell: %s",
			     dmcaps_verdict_why_unknown(v)) > 0) {
			cell_add(s, c, line);
			free(line);
		}
		return;
	}
	if (!n)
		cell_add(s, c, "none");
	for (i = 0; i < n; i++) {
		const struct dmcaps_change *ch = dmcaps_verdict_change(v, i);

		if (dmcaps_change_format_what(ch, &what) < 0)
			continue;
		if (dmcaps_change_format_cause(ch, &cause) < 0)
			cause = NULL;
		if (asprintf(&line, "%s %s%s%s",
			     dmcaps_change_gained(ch) ? "gains" : "loses",
			     what, cause ? ": " : "", cause ? cause : "") > 0) {
			cell_add(s, c, line);
			free(line);
		}
		free(what);
		free(cause);
	}
}

/* What the kernel says resuming gains and loses: its table's set against
 * its queue's, as "kernel: gains ..." lines. */
static void kernel_change_lines(struct show *s, struct cell *c,
				const struct dmcaps_kernel_caps *kc)
{
	const struct dmcaps_set *t = dmcaps_kernel_caps_table(kc);
	const struct dmcaps_set *q = dmcaps_kernel_caps_queue(kc);
	struct dmcaps_diff *d = NULL;
	char *text, *line;
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (dmcaps_set_diff(pass ? q : t, pass ? t : q, &d) < 0)
			continue;
		for (i = 0; i < dmcaps_diff_count(d); i++) {
			if (dmcaps_delta_format(dmcaps_diff_delta(d, i), &text) < 0)
				continue;
			/* the delta says what @have has and @other lacks */
			if (asprintf(&line, "kernel: %s: %s",
				     pass ? "loses" : "gains", text) > 0) {
				cell_add(s, c, line);
				free(line);
			}
			free(text);
		}
		dmcaps_diff_free(d);
		d = NULL;
	}
}

static void inactive_one(struct show *s, struct dmcaps_dev *dev)
{
	struct stack_node *n = stack_node(&s->st, dev);
	struct dmcaps_kernel_caps *kc = NULL;
	struct dmcaps_comparison *cmp = NULL;
	struct dmcaps_verdict *v = NULL;
	struct dmcaps_table *table = NULL;
	const struct dmcaps_set *pset;
	struct libscols_line *ln;
	struct cell why, changes;
	dev_t path[1] = { dmcaps_dev_devno(dev) };
	char *text = NULL;
	size_t i;
	int r, kr;

	s->dm_name = stack_dev_name(dev);
	s->dm_kname = dmcaps_dev_kname(dev);
	r = dmcaps_table_read(s->ctx, dev, DMCAPS_TABLE_INACTIVE, &table);
	if (r == -ENODATA) {
		log_err("%s: no inactive table", s->dm_name);
		show_fail(s, r);
		return;
	}
	if (r < 0) {
		log_err("%s: cannot read the inactive table: %s", s->dm_name,
			cause_from_errno(r));
		show_fail(s, r);
		return;
	}
	r = dmcaps_verdict_new(s->ctx, s->dm_name, table, &v);
	if (r < 0) {
		log_err("%s: cannot predict the inactive table: %s", s->dm_name,
			cause_from_errno(r));
		show_fail(s, r);
		dmcaps_table_free(table);
		return;
	}
	kr = dmcaps_kernel_caps_read(s->ctx, dev, DMCAPS_TABLE_INACTIVE, &kc);

	ln = out_new_line(&s->out, NULL);
	if (!ln || !n || cell_open(&why) || cell_open(&changes)) {
		show_fail(s, -ENOMEM);
		goto out;
	}
	n->shown = true;
	/* The device as it is now: the live-table view's columns. */
	out_set(&s->out, ln, COL_NAME, s->dm_name);
	out_set(&s->out, ln, COL_KNAME, s->dm_kname);
	out_set(&s->out, ln, COL_PATH, dmcaps_dev_path(dev));
	out_set(&s->out, ln, COL_TYPE, "dm");
	if (asprintf(&text, "%u:%u", major(path[0]), minor(path[0])) > 0)
		out_set(&s->out, ln, COL_MAJMIN, text);
	free(text);
	text = NULL;
	{
		const struct dmcaps_set *now;

		if (stack_caps(&s->st, n, &now) >= 0 &&
		    !caps_format_modes(now, &text))
			out_set(&s->out, ln, COL_MODES, text);
		free(text);
		text = NULL;
		if (!caps_format_text(dmcaps_verdict_old_caps(v), &text))
			out_set(&s->out, ln, COL_EXPOSED, text);
		free(text);
		text = NULL;
	}

	pset = dmcaps_verdict_new_caps(v);
	if (!caps_format_text(pset, &text))
		out_set(&s->out, ln, COL_PREDICTED, text);
	free(text);

	change_lines(s, &changes, v);
	if (kr == -ENOTTY) {
		cell_add(s, &why, "the kernel's answer for the inactive table "
			 "is unavailable (no DM_CRYPTO_CAPS): prediction only");
		if (!s->nokernel_reported)
			log_err("the kernel's answer for inactive tables is "
				"unavailable: this kernel has no DM_CRYPTO_CAPS "
				"ioctl; showing the prediction");
		s->nokernel_reported = true;
	}
	show_kernel_table(s, ln, &why, kr, kc);
	if (dmcaps_compare(s->ctx, dev, DMCAPS_TABLE_INACTIVE, table,
			   dmcaps_verdict_prediction(v), kr ? NULL : kc,
			   &cmp) == -ENOMEM)
		show_fail(s, -ENOMEM);
	show_findings(s, &why, cmp);
	/* The kernel's queue against what dmcaps read of it is
	 * dmcaps_compare()'s, above; only what the kernel says a swap
	 * changes is left to show. */
	if (!kr && dmcaps_verdict_kind(v) == DMCAPS_VERDICT_CANNOT_TELL)
		kernel_change_lines(s, &changes, kc);
	for (i = 0; i < dmcaps_prediction_reason_count(dmcaps_verdict_prediction(v)); i++) {
		if (dmcaps_reason_format(dmcaps_prediction_reason(
				dmcaps_verdict_prediction(v), i), &text) < 0)
			continue;
		cell_add(s, &why, text);
		free(text);
	}
	cell_close(s, &changes, ln, COL_CHANGES);
	cell_close(s, &why, ln, COL_WHY);

	show_add_targets(s, ln, table, kr ? NULL : kc, cmp, v, path, 1);
out:
	dmcaps_comparison_free(cmp);
	dmcaps_kernel_caps_free(kc);
	dmcaps_verdict_free(v);
	dmcaps_table_free(table);
}

void show_inactive(struct show *s, int argc, const char **argv)
{
	struct dmcaps_dev *dev;
	int i;

	s->explicit = true;
	for (i = 0; i < argc; i++) {
		if (show_lookup_arg(s, argv[i], &dev))
			continue;
		if (!dmcaps_dev_is_dm(dev)) {
			log_err("%s: not a device-mapper device: it has no "
				"inactive table", argv[i]);
			show_fail(s, -EMEDIUMTYPE);
			continue;
		}
		inactive_one(s, dev);
	}
}
