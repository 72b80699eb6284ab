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

/* Without --verbose the tree shows this many reasons per DM device. */
#define SHOW_REASONS	3
/* Deeper than any sane stack; stops a loop in a broken fixture. */
#define SHOW_MAX_DEPTH	32

static const char *opt_output;
static int opt_output_all;
static int opt_json;
static int opt_pairs;
static int opt_noheadings;
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
	POPT_TABLEEND
};

/* What is known about one device of the context's list, each part read at
 * most once per run. */
struct node_cache {
	bool caps_read;
	int caps_r;
	const struct dmcaps_set *caps;

	bool table_read;
	int table_r;
	struct dmcaps_table *table;

	bool pred_done;
	int pred_r;
	struct dmcaps_prediction *pred;

	bool under_dm;		/* some DM table maps to it */
	bool shown;		/* has a row in the tree */
	/* Each message about a device is printed once, however often the
	 * device appears in the tree. */
	bool caps_warned;
	bool table_warned;
	bool mismatch_warned;
};

struct show {
	struct dmcaps_ctx *ctx;
	struct out out;
	struct dmcaps_dev **devs;
	size_t ndevs;
	struct node_cache *cache;	/* parallel to devs */
	int exit;			/* first failure's exit status */
	bool explicit;			/* the current root was asked for */
	bool nodm_reported;
	bool perm_reported;		/* "needs root" is said once */
};

static struct node_cache *cache_of(struct show *s, const struct dmcaps_dev *dev)
{
	dev_t devno = dmcaps_dev_devno(dev);
	size_t i;

	for (i = 0; i < s->ndevs; i++)
		if (s->devs[i] == dev || dmcaps_dev_devno(s->devs[i]) == devno)
			return &s->cache[i];
	return NULL;
}

static const char *dev_name(const struct dmcaps_dev *dev)
{
	const char *name = dmcaps_dev_dm_name(dev);

	return name ? name : dmcaps_dev_kname(dev);
}

static void fail(struct show *s, int r)
{
	s->exit = exit_code_merge(s->exit, exit_code_from_errno(r));
}

static void report(struct show *s, bool *warned,
		   const struct dmcaps_dev *dev, const char *what, int r)
{
	if (warned && *warned)
		return;
	if (warned)
		*warned = true;
	if (what)
		log_err("%s: %s: %s", dev_name(dev), what, cause_from_errno(r));
	else
		log_err("%s: %s", dev_name(dev), cause_from_errno(r));
	fail(s, r);
}

static int node_caps(struct show *s, struct dmcaps_dev *dev,
		     const struct dmcaps_set **caps)
{
	struct node_cache *nc = cache_of(s, dev);
	int r;

	if (nc && nc->caps_read) {
		*caps = nc->caps;
		return nc->caps_r;
	}
	r = dmcaps_dev_caps(s->ctx, dev, caps);
	if (r < 0)
		*caps = NULL;
	if (nc) {
		nc->caps_read = true;
		nc->caps_r = r;
		nc->caps = *caps;
	}
	return r;
}

/* The device's live table; cached, and owned by the cache unless there is
 * no cache entry (then the caller frees it). */
static int node_table(struct show *s, struct dmcaps_dev *dev,
		      struct dmcaps_table **table)
{
	struct node_cache *nc = cache_of(s, dev);
	int r;

	if (nc && nc->table_read) {
		*table = nc->table;
		return nc->table_r;
	}
	/* "needs root" would come once per DM device: add_dm() says it once. */
	library_log_hold();
	r = dmcaps_table_read(s->ctx, dev, DMCAPS_TABLE_LIVE, table);
	library_log_release(r != -EACCES && r != -EPERM);
	if (r < 0)
		*table = NULL;
	log_debug("%s: live table: %s", dev_name(dev),
		  r < 0 ? cause_from_errno(r) : "read");
	if (nc) {
		nc->table_read = true;
		nc->table_r = r;
		nc->table = *table;
	}
	return r;
}

static int node_prediction(struct show *s, struct dmcaps_dev *dev,
			   const struct dmcaps_table *table,
			   struct dmcaps_prediction **pred)
{
	struct node_cache *nc = cache_of(s, dev);
	int r;

	if (nc && nc->pred_done) {
		*pred = nc->pred;
		return nc->pred_r;
	}
	r = dmcaps_predict(s->ctx, table, pred);
	if (r < 0)
		*pred = NULL;
	if (nc) {
		nc->pred_done = true;
		nc->pred_r = r;
		nc->pred = *pred;
	}
	return r;
}

static void set_caps_columns(struct show *s, struct libscols_line *ln,
			     struct dmcaps_dev *dev)
{
	const struct dmcaps_set *caps;
	char *text = NULL, buf[16];
	int r;

	r = node_caps(s, dev, &caps);
	if (r < 0) {
		struct node_cache *nc = cache_of(s, dev);

		report(s, nc ? &nc->caps_warned : NULL, dev,
		       "cannot read inline-encryption capabilities", r);
		out_set(&s->out, ln, COL_MODES, "?");
		out_set(&s->out, ln, COL_EXPOSED, "?");
		return;
	}

	if (out_has(&s->out, COL_MODES) && !caps_format_modes(caps, &text))
		out_set(&s->out, ln, COL_MODES, text);
	free(text);
	text = NULL;

	if (out_has(&s->out, COL_EXPOSED) && !caps_format_text(caps, &text))
		out_set(&s->out, ln, COL_EXPOSED, text);
	free(text);

	if (caps_is_empty(caps))
		return;
	snprintf(buf, sizeof(buf), "%u", dmcaps_set_get_max_dun_bytes(caps));
	out_set(&s->out, ln, COL_DUN, buf);
	out_set(&s->out, ln, COL_SLOTS, caps_format_slots(caps, buf, sizeof(buf)));
}

/* Appends one line to a WHY cell being built in @f. */
static void why_add(struct show *s, FILE *f, bool *first, const char *line)
{
	fprintf(f, "%s%s", *first ? "" : out_line_sep(&s->out), line);
	*first = false;
}

static void why_mismatch(struct show *s, struct dmcaps_dev *dev, FILE *f,
			 bool *first, const struct dmcaps_set *pred,
			 const struct dmcaps_set *exposed, bool *warned)
{
	char *p = NULL, *e = NULL, *line = NULL;

	caps_format_summary(pred, &p);
	caps_format_summary(exposed, &e);
	if (asprintf(&line, "MISMATCH: the live table should expose %s; "
		     "the kernel exposes %s", p ? p : "?", e ? e : "?") > 0) {
		why_add(s, f, first, line);
		/* A bug in the kernel or in the prediction: never hidden. */
		if (!warned || !*warned)
			log_err("%s: warning: %s", dev_name(dev), line);
		if (warned)
			*warned = true;
		free(line);
	}
	free(p);
	free(e);
}

static void add_device(struct show *s, struct libscols_line *parent,
		       struct dmcaps_dev *dev, const dev_t *path, int depth);

/* Target rows of a DM node, each with the devices it maps to. */
static void add_targets(struct show *s, struct libscols_line *ln,
			const struct dmcaps_table *table, dev_t *path,
			int depth)
{
	static const char *const passes[] = {
		[DMCAPS_PASSES_NO] = "no",
		[DMCAPS_PASSES_YES] = "yes",
		[DMCAPS_PASSES_UNKNOWN_TYPE] = "unknown",
	};
	size_t i, j, n = dmcaps_table_target_count(table);

	for (i = 0; i < n; i++) {
		const struct dmcaps_target *t = dmcaps_table_target(table, i);
		enum dmcaps_passes p = dmcaps_target_passes(t);
		struct libscols_line *tl = out_new_line(&s->out, ln);
		char buf[64];

		/* Numbered from 1, as the reasons ("target 2 (crypt) ...")
		 * number them. */
		snprintf(buf, sizeof(buf), "#%zu %s", i + 1,
			 dmcaps_target_type(t));
		out_set(&s->out, tl, COL_NAME, buf);
		out_set(&s->out, tl, COL_TYPE, "target");
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

		for (j = 0; j < dmcaps_target_dev_count(t); j++)
			add_device(s, tl, dmcaps_target_dev(t, j), path,
				   depth);
	}
}

/* PREDICTED, WHY and the children of a DM node. */
static void add_dm(struct show *s, struct libscols_line *ln,
		   struct dmcaps_dev *dev, dev_t *path, int depth)
{
	struct node_cache *nc = cache_of(s, dev);
	struct dmcaps_prediction *pred = NULL;
	const struct dmcaps_set *exposed = NULL, *pset;
	struct dmcaps_table *table = NULL;
	char *why = NULL, *text = NULL;
	size_t whylen = 0, i, n, shown;
	bool first = true;
	FILE *f;
	int r;

	f = open_memstream(&why, &whylen);
	if (!f)
		return;

	r = node_table(s, dev, &table);
	if (r == -ENOTSUP) {
		why_add(s, f, &first, cause_from_errno(r));
		if (s->explicit) {
			report(s, nc ? &nc->table_warned : NULL, dev, NULL, r);
		} else if (!s->nodm_reported) {
			log_err("%s; DM devices are shown without their tables",
				cause_from_errno(r));
		}
		s->nodm_reported = true;
		goto out;
	} else if (r == -ENODATA) {
		why_add(s, f, &first, "no live table");
		goto out;
	} else if (r == -EACCES || r == -EPERM) {
		/* Every DM device would say the same: say it once. */
		why_add(s, f, &first, "live table unreadable: permission denied");
		if (!s->perm_reported)
			log_err("%s: cannot read the live table: %s "
				"(device-mapper needs root)", dev_name(dev),
				cause_from_errno(r));
		s->perm_reported = true;
		fail(s, r);
		goto out;
	} else if (r < 0) {
		/* A table the user did not write: not a usage error. */
		if (r == -EINVAL)
			r = -EBADMSG;
		why_add(s, f, &first, "live table unreadable");
		report(s, nc ? &nc->table_warned : NULL, dev,
		       "cannot read the live table", r);
		goto out;
	}

	r = node_prediction(s, dev, table, &pred);
	if (r < 0) {
		why_add(s, f, &first, "cannot predict");
		report(s, nc ? &nc->table_warned : NULL, dev,
		       "cannot predict capabilities", r);
	} else {
		pset = dmcaps_prediction_caps(pred);
		if (out_has(&s->out, COL_PREDICTED) &&
		    !caps_format_text(pset, &text))
			out_set(&s->out, ln, COL_PREDICTED, text);
		free(text);

		if (node_caps(s, dev, &exposed) >= 0 &&
		    !dmcaps_set_equal(pset, exposed))
			why_mismatch(s, dev, f, &first, pset, exposed,
				     nc ? &nc->mismatch_warned : NULL);

		n = dmcaps_prediction_reason_count(pred);
		shown = n;
		if (s->out.format == OUT_TREE && !opts.verbose && !opts.debug &&
		    n > SHOW_REASONS + 1)
			shown = SHOW_REASONS;
		for (i = 0; i < shown; i++) {
			if (dmcaps_reason_format(dmcaps_prediction_reason(pred, i),
						 &text) < 0)
				continue;
			why_add(s, f, &first, text);
			free(text);
		}
		if (shown < n) {
			char more[64];

			snprintf(more, sizeof(more),
				 "... %zu more (--verbose)", n - shown);
			why_add(s, f, &first, more);
		}
	}

	if (depth >= SHOW_MAX_DEPTH) {
		why_add(s, f, &first, "stack too deep, not expanded");
		goto out;
	}
	for (i = 0; i < (size_t)depth; i++) {
		if (path[i] == dmcaps_dev_devno(dev)) {
			why_add(s, f, &first,
				"a loop: it maps to itself, not expanded");
			goto out;
		}
	}
	path[depth] = dmcaps_dev_devno(dev);
	add_targets(s, ln, table, path, depth + 1);
out:
	if (!fclose(f) && why && *why)
		out_set(&s->out, ln, COL_WHY, why);
	free(why);
	/* Without a cache entry nobody else owns them. */
	if (!nc) {
		dmcaps_prediction_free(pred);
		dmcaps_table_free(table);
	}
}

static void add_device(struct show *s, struct libscols_line *parent,
		       struct dmcaps_dev *dev, const dev_t *path, int depth)
{
	struct libscols_line *ln = out_new_line(&s->out, parent);
	dev_t devno = dmcaps_dev_devno(dev);
	dev_t mypath[SHOW_MAX_DEPTH + 1];
	char buf[32];

	struct node_cache *nc = cache_of(s, dev);

	if (!ln)
		return;
	if (nc)
		nc->shown = true;
	out_set(&s->out, ln, COL_NAME, dev_name(dev));
	out_set(&s->out, ln, COL_TYPE, dmcaps_dev_is_dm(dev) ? "dm" :
		dmcaps_dev_is_partition(dev) ? "part" : "disk");
	snprintf(buf, sizeof(buf), "%u:%u", major(devno), minor(devno));
	out_set(&s->out, ln, COL_MAJMIN, buf);
	set_caps_columns(s, ln, dev);

	if (!dmcaps_dev_is_dm(dev))
		return;
	if (path && depth)
		memcpy(mypath, path, depth * sizeof(*path));
	add_dm(s, ln, dev, mypath, depth);
}

/* Marks every device some DM live table maps to. One pass over the list,
 * reading each DM table once (add_dm() reuses them). */
static void mark_under_dm(struct show *s)
{
	struct dmcaps_table *table;
	size_t i, j, k;

	for (i = 0; i < s->ndevs; i++) {
		if (!dmcaps_dev_is_dm(s->devs[i]) ||
		    node_table(s, s->devs[i], &table) < 0)
			continue;
		for (j = 0; j < dmcaps_table_target_count(table); j++) {
			const struct dmcaps_target *t =
				dmcaps_table_target(table, j);

			for (k = 0; k < dmcaps_target_dev_count(t); k++) {
				struct node_cache *nc =
					cache_of(s, dmcaps_target_dev(t, k));

				if (nc && nc != &s->cache[i])
					nc->under_dm = true;
			}
		}
	}
}

/* No arguments: each DM device not underneath another, then each whole
 * disk with inline crypto not underneath a DM device. */
static void show_all(struct show *s)
{
	const struct dmcaps_set *caps;
	size_t i;

	mark_under_dm(s);
	for (i = 0; i < s->ndevs; i++)
		if (dmcaps_dev_is_dm(s->devs[i]) && !s->cache[i].under_dm)
			add_device(s, NULL, s->devs[i], NULL, 0);
	/* DM devices in a loop are all underneath another: none was a root.
	 * The kernel forbids loops, a broken snapshot may not; show them. */
	for (i = 0; i < s->ndevs; i++)
		if (dmcaps_dev_is_dm(s->devs[i]) && !s->cache[i].shown)
			add_device(s, NULL, s->devs[i], NULL, 0);

	for (i = 0; i < s->ndevs; i++) {
		struct dmcaps_dev *dev = s->devs[i];

		if (dmcaps_dev_is_dm(dev) || s->cache[i].under_dm ||
		    dmcaps_dev_is_partition(dev))
			continue;
		if (node_caps(s, dev, &caps) < 0) {
			/* Shown, so that the failure has a row. */
			add_device(s, NULL, dev, NULL, 0);
			continue;
		}
		if (!caps_is_empty(caps))
			add_device(s, NULL, dev, NULL, 0);
	}
}

static bool is_dm_path(const char *spec)
{
	return !strncmp(spec, "/dev/mapper/", 12) ||
	       !strncmp(spec, "/dev/dm-", 8);
}

static bool running_system(const struct show *s)
{
	const char *root = dmcaps_get_sysroot(s->ctx);

	return !root || !strcmp(root, "/");
}

static void show_args(struct show *s, int argc, const char **argv)
{
	struct dmcaps_dev *dev;
	int i, r;

	s->explicit = true;
	for (i = 0; i < argc; i++) {
		/* The failures here are reported below, in full. */
		library_log_demote_errors(true);
		r = dmcaps_dev_lookup(s->ctx, argv[i], &dev);
		if (r == -ENODEV && is_dm_path(argv[i]) && running_system(s) &&
		    dmcaps_dm_available(s->ctx) == -ENOTSUP)
			r = -ENOTSUP;	/* a DM device asked of a kernel without */
		library_log_demote_errors(false);
		if (r == -EINVAL) {
			log_err("%s: not a device specification",
				*argv[i] ? argv[i] : "\"\"");
			fail(s, r);
			continue;
		} else if (r < 0) {
			log_err("%s: %s", argv[i], cause_from_errno(r));
			fail(s, r);
			continue;
		}
		add_device(s, NULL, dev, NULL, 0);
	}
}

static void show_free(struct show *s)
{
	size_t i;

	for (i = 0; s->cache && i < s->ndevs; i++) {
		dmcaps_prediction_free(s->cache[i].pred);
		dmcaps_table_free(s->cache[i].table);
	}
	free(s->cache);
	out_free(&s->out);
}

static int show_check_options(void)
{
	if (opt_json && opt_pairs) {
		log_err("--json and --pairs are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_output && opt_output_all) {
		log_err("--output and --output-all are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_output_all)
		out_all_columns(&out_columns);
	if (opt_output && out_parse_columns(&out_columns, opt_output) < 0)
		return EXIT_DMCAPS_USAGE;
	return 0;
}

static int show_run(struct dmcaps_ctx *ctx, int argc, const char **argv)
{
	struct show s = { .ctx = ctx, .out = out_columns };
	enum out_format fmt = opt_json ? OUT_JSON :
			      opt_pairs ? OUT_PAIRS : OUT_TREE;
	int r;

	r = out_init(&s.out, fmt, opt_noheadings);
	if (r < 0) {
		log_err("cannot set up output: %s", cause_from_errno(r));
		out_free(&s.out);
		return EXIT_DMCAPS_FAILURE;
	}

	r = dmcaps_dev_list(ctx, &s.devs, &s.ndevs);
	if (r < 0) {
		log_err("%s: cannot list block devices: %s",
			dmcaps_get_sysroot(ctx) ? dmcaps_get_sysroot(ctx) : "/",
			cause_from_errno(r));
		out_free(&s.out);
		return exit_code_from_errno(r);
	}
	log_debug("%zu block devices", s.ndevs);
	s.cache = calloc(s.ndevs ? s.ndevs : 1, sizeof(*s.cache));
	if (!s.cache) {
		out_free(&s.out);
		return EXIT_DMCAPS_FAILURE;
	}

	if (argc)
		show_args(&s, argc, argv);
	else
		show_all(&s);

	if (out_print(&s.out) < 0) {
		log_err("cannot write output");
		fail(&s, -EIO);
	}
	show_free(&s);
	return s.exit;
}

static void show_help(void)
{
	fputs("\nShow every DM device not underneath another and every disk with\n"
	      "inline crypto, or the DEVICEs given (path, /dev/mapper/NAME, DM\n"
	      "name, MAJ:MIN, UUID=...), as a tree: DM device, its live table's\n"
	      "targets, the devices they map to.\n"
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
