// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps show [DEVICE...]: the device-mapper stack as a tree, with the
 * inline-encryption capabilities of every node, what each DM live table
 * should expose (PREDICTED), what the kernel exposes (EXPOSED), and why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "caps-format.h"
#include "dmcaps.h"
#include "exitcodes.h"
#include "output.h"
#include "show.h"
#include "stack.h"

/* Without --verbose the tree shows this many reasons per DM device. */
#define SHOW_REASONS	3
/* Deeper than any sane stack; stops a loop in a broken snapshot. */
#define SHOW_MAX_DEPTH	32

static const char *opt_output;
static int opt_output_all;
static int opt_json;
static int opt_pairs;
static int opt_noheadings;
static int opt_inactive;
static int opt_nodeps;
static int opt_list;
static int opt_raw;
static const char *opt_prefix;
/* Columns from --output, parsed with the options (before any device is
 * looked at, so a bad column is a usage error and nothing else). */
static struct out out_columns;

static struct poptOption show_options[] = {
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0,
	  "Columns to print (comma list; +LIST adds to the default)", "LIST" },
	{ "output-all", 'O', POPT_ARG_NONE, &opt_output_all, 0,
	  "Print all columns", NULL },
	{ "noheadings", 'n', POPT_ARG_NONE, &opt_noheadings, 0,
	  "Don't print headings", NULL },
	{ "json", 'J', POPT_ARG_NONE, &opt_json, 0,
	  "Use JSON output format", NULL },
	{ "pairs", 'P', POPT_ARG_NONE, &opt_pairs, 0,
	  "Use KEY=\"value\" output format, one line per node", NULL },
	{ "prefix", '\0', POPT_ARG_STRING, &opt_prefix, 0,
	  "With --pairs: put PREFIX before every key (DMCAPS_NAME=...)",
	  "PREFIX" },
	{ "list", 'l', POPT_ARG_NONE, &opt_list, 0,
	  "Use list format: one row per node, no tree", NULL },
	{ "raw", 'r', POPT_ARG_NONE, &opt_raw, 0,
	  "Use raw format: a list, unaligned", NULL },
	{ "nodeps", 'd', POPT_ARG_NONE, &opt_nodeps, 0,
	  "Show the devices alone, without their tables' targets and devices",
	  NULL },
	{ "inactive", '\0', POPT_ARG_NONE, &opt_inactive, 0,
	  "Show the DEVICEs' inactive tables and what resuming them changes",
	  NULL },
	POPT_TABLEEND
};


void show_fail(struct show *s, int r)
{
	s->exit = exit_code_merge(s->exit, exit_code_from_errno(r));
}

#define fail show_fail

int cell_open(struct cell *c)
{
	memset(c, 0, sizeof(*c));
	return 0;
}

static void cell_append(struct cell *c, const char *text)
{
	size_t len = strlen(text), cap;
	char *buf;

	if (c->failed)
		return;
	if (c->len + len + 1 > c->cap) {
		cap = c->cap ? c->cap : 128;
		while (cap < c->len + len + 1)
			cap *= 2;
		buf = realloc(c->buf, cap);
		if (!buf) {
			c->failed = true;
			return;
		}
		c->buf = buf;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, text, len + 1);
	c->len += len;
}

void cell_add(struct show *s, struct cell *c, const char *line)
{
	if (c->len)
		cell_append(c, out_line_sep(&s->out));
	cell_append(c, line);
}

void cell_close(struct show *s, struct cell *c, struct libscols_line *ln,
		enum out_column col)
{
	if (c->failed)
		show_fail(s, -ENOMEM);
	else if (c->len)
		out_set(&s->out, ln, col, c->buf);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/* "dmcaps: DEVICE: WHAT: CAUSE", once per @warned flag. */
static void report(struct show *s, bool *warned,
		   const struct dmcaps_dev *dev, const char *what, int r)
{
	if (!*warned) {
		if (what)
			log_err("%s: %s: %s", stack_dev_name(dev), what,
				cause_from_errno(r));
		else
			log_err("%s: %s", stack_dev_name(dev),
				cause_from_errno(r));
	}
	*warned = true;
	fail(s, r);
}

/* MODES, DUN, SLOTS, EXPOSED: what the device's queue exposes now. */
static void set_caps_columns(struct show *s, struct libscols_line *ln,
			     struct stack_node *n)
{
	const struct dmcaps_set *caps;
	const char *modes;
	char *text = NULL, buf[16];
	int r;

	r = stack_caps(&s->st, n, &caps);
	if (r < 0) {
		report(s, &n->caps_warned, n->dev,
		       "cannot read inline-encryption capabilities", r);
		out_set(&s->out, ln, COL_MODES, "?");
		out_set(&s->out, ln, COL_EXPOSED, "?");
		return;
	}

	if (out_has(&s->out, COL_MODES) &&
	    !caps_memo_modes(&s->modes, caps, &modes))
		out_set(&s->out, ln, COL_MODES, modes);

	if (out_has(&s->out, COL_EXPOSED) && !caps_format_text(caps, &text))
		out_set(&s->out, ln, COL_EXPOSED, text);
	free(text);

	if (caps_is_empty(caps))
		return;
	snprintf(buf, sizeof(buf), "%u", dmcaps_set_get_max_dun_bytes(caps));
	out_set(&s->out, ln, COL_DUN, buf);
	out_set(&s->out, ln, COL_SLOTS, caps_format_slots(caps,
		dmcaps_dev_is_dm(n->dev), buf, sizeof(buf)));
}


void show_findings(struct show *s, struct cell *why,
		   const struct dmcaps_comparison *cmp)
{
	size_t i;

	for (i = 0; i < dmcaps_comparison_count(cmp); i++)
		if (dmcaps_comparison_target(cmp, i) == DMCAPS_NO_TARGET)
			cell_add(s, why, dmcaps_comparison_text(cmp, i));
}

/* The reasons of a prediction, cut after SHOW_REASONS in the tree unless
 * --verbose; --json and --pairs always carry them all. */
static void why_reasons(struct show *s, struct cell *why,
			const struct dmcaps_prediction *pred)
{
	size_t i, n = dmcaps_prediction_reason_count(pred), shown = n;
	char *text;

	if ((s->out.format == OUT_TREE || s->out.format == OUT_LIST) &&
	    !opts.verbose && !opts.debug &&
	    n > SHOW_REASONS + 1)
		shown = SHOW_REASONS;
	for (i = 0; i < shown; i++) {
		if (dmcaps_reason_format(dmcaps_prediction_reason(pred, i),
					 &text) < 0)
			continue;
		cell_add(s, why, text);
		free(text);
	}
	if (shown < n) {
		char more[64];

		snprintf(more, sizeof(more), "... %zu more (--verbose)",
			 n - shown);
		cell_add(s, why, more);
	}
}

/* The losses of @v that target @idx causes itself (@dev NULL) or through
 * its device @dev, as "loses WHAT" lines. */
static void changes_of(struct show *s, struct cell *c,
		       const struct dmcaps_verdict *v, size_t idx,
		       const struct dmcaps_dev *dev)
{
	size_t i, n = dmcaps_verdict_change_count(v);
	char *what, *line;

	for (i = 0; i < n; i++) {
		const struct dmcaps_change *ch = dmcaps_verdict_change(v, i);
		const struct dmcaps_reason *rs = dmcaps_change_reason(ch);

		if (dmcaps_change_gained(ch) || !rs ||
		    dmcaps_reason_target(rs) != idx || dmcaps_reason_dev(rs) != dev)
			continue;
		if (dmcaps_change_format_what(ch, &what) < 0)
			continue;
		if (asprintf(&line, "loses %s", what) > 0) {
			cell_add(s, c, line);
			free(line);
		}
		free(what);
	}
}

/* KERNEL of a target row, and the comparison's findings about it. */
static void target_kernel(struct show *s, struct libscols_line *tl,
			  struct cell *why, size_t idx,
			  const struct dmcaps_kernel_target *kt,
			  const struct dmcaps_comparison *cmp)
{
	size_t i;

	if (kt)
		out_set(&s->out, tl, COL_KERNEL, dmcaps_kernel_target_passes(kt) ?
			"yes" : "no");
	for (i = 0; i < dmcaps_comparison_count(cmp); i++)
		if (dmcaps_comparison_target(cmp, i) == idx)
			cell_add(s, why, dmcaps_comparison_text(cmp, i));
}

void show_add_targets(struct show *s, struct libscols_line *ln,
		      const struct dmcaps_table *table,
		      const struct dmcaps_kernel_caps *kc,
		      const struct dmcaps_comparison *cmp,
		      const struct dmcaps_verdict *v,
		      const dev_t *path, int depth)
{
	static const char *const passes[] = {
		[DMCAPS_PASSES_NO] = "no",
		[DMCAPS_PASSES_YES] = "yes",
		[DMCAPS_PASSES_UNKNOWN_TYPE] = "unknown",
	};
	size_t i, j, n = dmcaps_table_target_count(table);

	/* A kernel answer for another number of targets is compared as a
	 * whole by dmcaps_compare(), not target by target. */
	if (kc && dmcaps_kernel_caps_target_count(kc) != n)
		kc = NULL;
	for (i = 0; i < n; i++) {
		const struct dmcaps_target *t = dmcaps_table_target(table, i);
		enum dmcaps_passes p = dmcaps_target_passes(t);
		struct libscols_line *tl = out_new_line(&s->out, ln), *dl;
		struct cell why, changes;
		char buf[128];

		if (!tl || cell_open(&why) || cell_open(&changes)) {
			fail(s, -ENOMEM);
			return;
		}
		/* Numbered from 1, as the reasons ("target 2 (crypt) ...")
		 * number them. */
		snprintf(buf, sizeof(buf), "#%zu %s", i + 1,
			 dmcaps_target_type(t));
		out_set(&s->out, tl, COL_NAME, buf);
		out_set(&s->out, tl, COL_TYPE, "target");
		out_set(&s->out, tl, COL_PKNAME, s->dm_kname);
		out_set(&s->out, tl, COL_TARGET, dmcaps_target_type(t));
		snprintf(buf, sizeof(buf), "%ju",
			 (uintmax_t)dmcaps_target_start(t));
		out_set(&s->out, tl, COL_START, buf);
		snprintf(buf, sizeof(buf), "%ju",
			 (uintmax_t)dmcaps_target_length(t));
		out_set(&s->out, tl, COL_LENGTH, buf);
		out_set(&s->out, tl, COL_PASSES,
			(unsigned)p <= DMCAPS_PASSES_UNKNOWN_TYPE ?
			passes[p] : "unknown");
		/* The type passes, this target does not: say it is not the
		 * type (raid: its level or write-behind). */
		if (p == DMCAPS_PASSES_NO &&
		    dmcaps_target_type_per_instance(s->ctx,
						    dmcaps_target_type(t))) {
			snprintf(buf, sizeof(buf), "%s passes inline crypto "
				 "depending on the instance: not this one",
				 dmcaps_target_type(t));
			cell_add(s, &why, buf);
		}
		target_kernel(s, tl, &why, i,
			      kc ? dmcaps_kernel_caps_target(kc, i) : NULL, cmp);
		if (v)
			changes_of(s, &changes, v, i, NULL);
		cell_close(s, &why, tl, COL_WHY);
		cell_close(s, &changes, tl, COL_CHANGES);

		for (j = 0; j < dmcaps_target_dev_count(t); j++) {
			dl = show_add_device(s, tl, dmcaps_target_dev(t, j),
					     path, depth);
			if (!v || !dl || cell_open(&changes))
				continue;
			changes_of(s, &changes, v, i, dmcaps_target_dev(t, j));
			cell_close(s, &changes, dl, COL_CHANGES);
		}
	}
}

/* Whether a table exposes less than its devices offer together: a reason
 * that is a loss (a device's software fallback is not one, nor a table
 * with no device below: nothing is offered to lose). */
static bool drops(const struct dmcaps_prediction *pred)
{
	enum dmcaps_cause c;
	size_t i;

	for (i = 0; i < dmcaps_prediction_reason_count(pred); i++) {
		c = dmcaps_reason_cause(dmcaps_prediction_reason(pred, i));
		if (c != DMCAPS_CAUSE_DEVICE_FALLBACK && c != DMCAPS_CAUSE_NO_DEVICE)
			return true;
	}
	return false;
}

/* Why a DM node has no table to expand; false if it has one. */
static bool why_no_table(struct show *s, struct stack_node *n,
			 struct cell *why, int r)
{
	switch (r) {
	case 0:
		return false;
	case -ENOTSUP:
		cell_add(s, why, cause_from_errno(r));
		if (s->explicit)
			report(s, &n->table_warned, n->dev, NULL, r);
		else if (!s->nodm_reported)
			log_err("DM devices are shown without their tables");
		s->nodm_reported = true;
		break;
	case -ENODATA:
		cell_add(s, why, "no live table");
		break;
	case -ESTALE:
		/* The library named the device and said what it means. */
		cell_add(s, why, "a device under it was removed: capabilities "
			 "are those from before, until a new table is loaded");
		fail(s, r);
		break;
	case -EACCES:
	case -EPERM:
		/* The library says it, once. */
		cell_add(s, why, "live table unreadable: permission denied");
		fail(s, r);
		break;
	default:
		/* A table the user did not write: not a usage error. */
		if (r == -EINVAL)
			r = -EBADMSG;
		cell_add(s, why, "live table unreadable");
		report(s, &n->table_warned, n->dev,
		       "cannot read the live table", r);
		break;
	}
	return true;
}

/* PREDICTED, KERNEL, WHY and the children of a DM node. @path holds the
 * devices above it, @depth of them, and has room for one more. */
static void add_dm(struct show *s, struct libscols_line *ln,
		   struct stack_node *n, dev_t *path, int depth)
{
	struct dmcaps_prediction *pred = NULL;
	struct dmcaps_kernel_caps *kc = NULL;
	const struct dmcaps_set *pset = NULL;
	struct dmcaps_table *table;
	struct cell why;
	char *text = NULL;
	int i, r, kr;

	if (cell_open(&why))
		return;

	if (why_no_table(s, n, &why, stack_table(&s->st, n, &table)))
		goto out;

	r = stack_prediction(&s->st, n, &pred);
	if (r < 0) {
		cell_add(s, &why, "cannot predict");
		report(s, &n->table_warned, n->dev,
		       "cannot predict capabilities", r);
	} else {
		pset = dmcaps_prediction_caps(pred);
		if (!dmcaps_prediction_certain(pred))
			out_set(&s->out, ln, COL_PREDICTED, "?");
		else if (out_has(&s->out, COL_PREDICTED) &&
			 !caps_format_text(pset, &text))
			out_set(&s->out, ln, COL_PREDICTED, text);
		free(text);
	}
	kr = stack_kernel_caps(&s->st, n, &kc);
	show_kernel_table(s, ln, &why, kr, kc);
	/* Prediction, kernel and sysfs compared once per device (the
	 * library says each finding once). */
	if (!n->cmp && dmcaps_compare(s->ctx, n->dev, DMCAPS_TABLE_LIVE, table,
				      r >= 0 ? pred : NULL, kr ? NULL : kc,
				      &n->cmp) == -ENOMEM)
		fail(s, -ENOMEM);
	show_findings(s, &why, n->cmp);
	if (r >= 0) {
		why_reasons(s, &why, pred);
		out_set(&s->out, ln, COL_DROPS, drops(pred) ? "yes" : "no");
	}

	if (depth >= SHOW_MAX_DEPTH) {
		cell_add(s, &why, "stack too deep, not expanded");
		goto out;
	}
	for (i = 0; i < depth; i++) {
		if (path[i] == dmcaps_dev_devno(n->dev)) {
			cell_add(s, &why,
				 "a loop: it maps to itself, not expanded");
			goto out;
		}
	}
	if (opt_nodeps)
		goto out;
	path[depth] = dmcaps_dev_devno(n->dev);
	s->dm_name = stack_dev_name(n->dev);
	s->dm_kname = dmcaps_dev_kname(n->dev);
	show_add_targets(s, ln, table, kr ? NULL : kc, n->cmp, NULL, path,
			 depth + 1);
out:
	cell_close(s, &why, ln, COL_WHY);
}

/* PKNAME of a device row: the DM device above it in the tree (the last
 * of @path); a partition shown alone is under its disk. */
static const char *show_pkname(struct show *s, struct dmcaps_dev *dev,
			       const dev_t *path, int depth)
{
	struct dmcaps_dev *up = NULL;

	if (!out_has(&s->out, COL_PKNAME))
		return NULL;
	if (depth) {
		if (dmcaps_dev_lookup_devno(s->ctx, path[depth - 1], &up) < 0)
			return NULL;
	} else if (dmcaps_dev_is_partition(dev)) {
		if (dmcaps_dev_disk(s->ctx, dev, &up) < 0 || up == dev)
			return NULL;
	}
	return up ? dmcaps_dev_kname(up) : NULL;
}

struct libscols_line *show_add_device(struct show *s,
				      struct libscols_line *parent,
				      struct dmcaps_dev *dev, const dev_t *path,
				      int depth)
{
	struct libscols_line *ln = out_new_line(&s->out, parent);
	struct stack_node *n = stack_node(&s->st, dev);
	dev_t devno = dmcaps_dev_devno(dev);
	dev_t mypath[SHOW_MAX_DEPTH + 1];
	char buf[32];

	if (!ln || !n) {
		fail(s, -ENOMEM);
		return NULL;
	}
	n->shown = true;
	out_set(&s->out, ln, COL_NAME, stack_dev_name(dev));
	out_set(&s->out, ln, COL_KNAME, dmcaps_dev_kname(dev));
	out_set(&s->out, ln, COL_PATH, dmcaps_dev_path(dev));
	out_set(&s->out, ln, COL_PKNAME, show_pkname(s, dev, path, depth));
	out_set(&s->out, ln, COL_TYPE, dmcaps_dev_is_dm(dev) ? "dm" :
		dmcaps_dev_is_partition(dev) ? "part" : "disk");
	snprintf(buf, sizeof(buf), "%u:%u", major(devno), minor(devno));
	out_set(&s->out, ln, COL_MAJMIN, buf);
	set_caps_columns(s, ln, n);

	if (!dmcaps_dev_is_dm(dev))
		return ln;
	if (depth)
		memcpy(mypath, path, depth * sizeof(*path));
	add_dm(s, ln, n, mypath, depth);
	return ln;
}

/* No arguments: each DM device not underneath another, then each whole
 * disk with inline crypto not underneath a DM device. */
static void show_all(struct show *s)
{
	const struct dmcaps_set *caps;
	struct stack_node *n;
	size_t i, listed = s->st.listed;

	stack_mark_under_dm(&s->st);
	for (i = 0; i < listed; i++) {
		n = s->st.nodes[i];
		if (dmcaps_dev_is_dm(n->dev) && !n->under_dm)
			show_add_device(s, NULL, n->dev, NULL, 0);
	}
	/* DM devices in a loop are all underneath another: none was a root.
	 * The kernel forbids loops, a broken snapshot may not; show them
	 * (--nodeps walks no tables, so nothing below a root was shown). */
	for (i = 0; i < listed && !opt_nodeps; i++) {
		n = s->st.nodes[i];
		if (dmcaps_dev_is_dm(n->dev) && !n->shown)
			show_add_device(s, NULL, n->dev, NULL, 0);
	}

	for (i = 0; i < listed; i++) {
		n = s->st.nodes[i];
		if (dmcaps_dev_is_dm(n->dev) || n->under_dm ||
		    dmcaps_dev_is_partition(n->dev))
			continue;
		/* A failure is shown, so that it has a row. */
		if (stack_caps(&s->st, n, &caps) < 0 || !caps_is_empty(caps))
			show_add_device(s, NULL, n->dev, NULL, 0);
	}
}

int show_lookup_arg(struct show *s, const char *arg, struct dmcaps_dev **dev)
{
	int r;

	/* The library says why a lookup fails. */
	r = dmcaps_dev_lookup(s->ctx, arg, dev);
	if (r < 0)
		fail(s, r);
	return r;
}

static void show_args(struct show *s, int argc, const char **argv)
{
	struct dmcaps_dev *dev;
	int i;

	s->explicit = true;
	for (i = 0; i < argc; i++)
		if (!show_lookup_arg(s, argv[i], &dev))
			show_add_device(s, NULL, dev, NULL, 0);
}

/* A --pairs key must stay one shell variable name: libsmartcols' shellvar
 * mode mends the column names, not what the user puts before them. */
static bool valid_prefix(const char *p)
{
	const char *c;

	if (!*p || (*p >= '0' && *p <= '9') || strlen(p) > 64)
		return false;
	for (c = p; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static int show_check_options(void)
{
	if (opt_json + opt_pairs + opt_list + opt_raw > 1) {
		log_err("--json, --pairs, --list and --raw are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_prefix && !opt_pairs) {
		log_err("--prefix is for --pairs keys");
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_prefix && !valid_prefix(opt_prefix)) {
		log_err("--prefix \"%.64s\": not the start of a shell variable "
			"name (letters, digits, '_'; not a digit first)",
			opt_prefix);
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_output && opt_output_all) {
		log_err("--output and --output-all are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_output_all)
		out_all_columns(&out_columns);
	else if (opt_inactive)
		out_inactive_columns(&out_columns);
	if (opt_output && out_parse_columns(&out_columns, opt_output) < 0)
		return EXIT_DMCAPS_USAGE;
	return 0;
}

static int show_run(struct dmcaps_ctx *ctx, int argc, const char **argv)
{
	struct show s = { .ctx = ctx, .out = out_columns };
	enum out_format fmt = opt_json ? OUT_JSON : opt_pairs ? OUT_PAIRS :
			      opt_raw ? OUT_RAW : opt_list ? OUT_LIST : OUT_TREE;
	int r;

	r = out_init(&s.out, fmt, opt_noheadings, opt_prefix);
	if (r < 0) {
		log_err("cannot set up output: %s", cause_from_errno(r));
		out_free(&s.out);
		return exit_code_from_errno(r);
	}

	/* The whole device list only when the whole system is shown: the
	 * DEVICEs given are resolved alone, and what they map to as met. */
	if (argc)
		stack_init_empty(&s.st, ctx);
	else
		r = stack_init(&s.st, ctx);
	if (!argc && r < 0) {
		log_err("%s: cannot list block devices: %s",
			dmcaps_get_sysroot(ctx) ? dmcaps_get_sysroot(ctx) : "/",
			cause_from_errno(r));
		stack_free(&s.st);
		out_free(&s.out);
		return exit_code_from_errno(r);
	}

	if (opt_inactive && !argc) {
		log_err("--inactive needs the DM devices whose inactive tables to show");
		s.exit = EXIT_DMCAPS_USAGE;
	} else if (opt_inactive) {
		show_inactive(&s, argc, argv);
	} else if (argc) {
		show_args(&s, argc, argv);
	} else {
		show_all(&s);
	}

	if (out_print(&s.out) < 0) {
		log_err("cannot write output");
		fail(&s, -EIO);
	}
	stack_free(&s.st);
	out_free(&s.out);
	caps_memo_free(&s.modes);
	return s.exit;
}

static void show_help(void)
{
	fputs("\nShow every DM device not underneath another and every disk with\n"
	      "inline crypto, or the DEVICEs given (path, /dev/mapper/NAME, DM\n"
	      "name, MAJ:MIN, UUID=...), as a tree: DM device, its live table's\n"
	      "targets, the devices they map to.\n"
	      "On a kernel with DM_CRYPTO_CAPS the kernel's own answer is shown\n"
	      "beside the prediction (KERNEL); any disagreement is a MISMATCH.\n"
	      "\nWith --inactive: the inactive (loaded, not resumed) table of each\n"
	      "DM DEVICE, its predicted and kernel-computed capabilities, and what\n"
	      "resuming it would gain and lose (CHANGES), per device, target and\n"
	      "device below. Default columns then: NAME,TYPE,MAJ:MIN,MODES,\n"
	      "PREDICTED,KERNEL,PASSES,CHANGES,WHY.\n"
	      "\nColumns:\n", stdout);
	out_print_column_help(stdout);
}

const struct dmcaps_command show_command = {
	.name = "show",
	.args = "[DEVICE...]",
	.summary = "show devices, DM tables and their inline-crypto capabilities",
	.options = show_options,
	.help = show_help,
	.check_options = show_check_options,
	.run = show_run,
};
