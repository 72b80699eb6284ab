// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps require DEVICE REQUIREMENT...: does DEVICE (its queue, now), or
 * a table about to be loaded, provide inline encryption with MODE,
 * DATA_UNIT_SIZE and DUN width? The scripting primitive of the boot
 * checks (initramfs-tools, dracut, udev): exit 0 when yes, 20 when no,
 * 12 when it cannot be told, with the WHY lines on stderr naming the
 * target or device that removed what is missing.
 */
#include <errno.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-common.h"
#include "dmcaps.h"
#include "exitcodes.h"
#include "requirement.h"

/* How deep WHY follows a DM device under a DM device. */
#define REQUIRE_MAX_DEPTH	16

static const char *opt_table;
static const char *opt_table_file;
static const char *opt_req_file;
static int opt_pairs;
static int opt_quiet;

static struct poptOption require_options[] = {
	{ "requirement-file", 'f', POPT_ARG_STRING, &opt_req_file, 0,
	  "Read requirements from FILE (\"-\": standard input), one or more "
	  "a line, '#' comments", "FILE" },
	{ "table", '\0', POPT_ARG_STRING, &opt_table, 0,
	  "Ask about this table (text) instead of a device's live state",
	  "TABLE" },
	{ "table-file", '\0', POPT_ARG_STRING, &opt_table_file, 0,
	  "Ask about the table in FILE (\"-\": standard input)", "FILE" },
	{ "pairs", 'P', POPT_ARG_NONE, &opt_pairs, 0,
	  "Print KEY=\"value\" lines, one per requirement", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &opt_quiet, 0,
	  "Print nothing on standard output; the exit status and WHY "
	  "lines only", NULL },
	POPT_TABLEEND
};

enum result {
	RES_PROVIDED,
	RES_CANNOT_TELL,
	RES_NOT_PROVIDED,
};

static const char *const result_names[] = {
	[RES_PROVIDED] = "provided",
	[RES_CANNOT_TELL] = "cannot-tell",
	[RES_NOT_PROVIDED] = "not-provided",
};

/* What is known of the device (or table) asked about. */
struct subject {
	const char *name;		/* as messages name it */
	struct dmcaps_dev *dev;		/* NULL for --table */
	const struct dmcaps_set *caps;	/* best known; NULL: none */
	const struct dmcaps_set *upper;	/* when not exact: at most this */
	bool exact;
	const char *source;		/* where caps came from */
	const char *unknown_why;	/* why not exact */
	struct dmcaps_table *table;	/* the live table or --table */
	struct dmcaps_prediction *pred;	/* of @table */
	struct dmcaps_kernel_caps *kc;
	/* The kernel's answer against the prediction and sysfs
	 * (dmcaps_compare(), which logs each MISMATCH): NULL without kc. */
	struct dmcaps_comparison *cmp;
};

static const char *dev_name(const struct dmcaps_dev *d)
{
	return dmcaps_dev_dm_name(d) ?: dmcaps_dev_kname(d);
}

/* Whether every device @table maps to is hardware (not DM): then its
 * prediction is what the queue got at resume, as hardware does not
 * change its capabilities. */
static bool maps_to_hardware_only(const struct dmcaps_table *table)
{
	size_t i, j;

	for (i = 0; i < dmcaps_table_target_count(table); i++) {
		const struct dmcaps_target *t = dmcaps_table_target(table, i);

		for (j = 0; j < dmcaps_target_dev_count(t); j++)
			if (dmcaps_dev_is_dm(dmcaps_target_dev(t, j)))
				return false;
	}
	return true;
}

/*
 * The queue's capabilities of a live DM device. The kernel's own answer
 * (DM_CRYPTO_CAPS) is exact; without it sysfs is a lower bound (Linux 6.12
 * creates queue/crypto and its mode files only when the disk is
 * registered) and the live table's prediction an upper bound, exact when
 * the table maps to hardware only.
 */
static int subject_dm(struct dmcaps_ctx *ctx, struct subject *s,
		      const struct dmcaps_set *sysfs)
{
	const struct dmcaps_set *p;
	int r;

	r = dmcaps_table_read(ctx, s->dev, DMCAPS_TABLE_LIVE, &s->table);
	if (r == -ENODATA) {
		s->caps = sysfs;
		s->exact = true;
		s->source = "sysfs (no live table)";
		return 0;
	}
	if (r < 0) {
		log_err("%s: cannot read the live table: %s", s->name,
			cause_from_errno(r));
		return r;
	}
	r = dmcaps_predict(ctx, s->table, &s->pred);
	if (r < 0) {
		log_err("%s: cannot predict its capabilities: %s", s->name,
			cause_from_errno(r));
		return r;
	}
	p = dmcaps_prediction_caps(s->pred);

	if (dmcaps_kernel_caps_read(ctx, s->dev, DMCAPS_TABLE_LIVE,
				    &s->kc) == 0) {
		r = dmcaps_compare(ctx, s->dev, DMCAPS_TABLE_LIVE, s->table,
				   s->pred, s->kc, &s->cmp);
		if (r < 0)
			return r;
		s->caps = dmcaps_kernel_caps_queue(s->kc);
		s->exact = true;
		s->source = "the kernel (DM_CRYPTO_CAPS)";
		return 0;
	}
	if (maps_to_hardware_only(s->table)) {
		s->caps = p;
		s->exact = true;
		s->source = (sysfs ? dmcaps_set_equal(sysfs, p) :
			     dmcaps_set_is_empty(p)) ? "sysfs" :
			    "the live table (sysfs shows less: Linux 6.12 "
			    "shows only what the device had when registered)";
		return 0;
	}
	s->caps = sysfs;
	s->upper = p;
	s->exact = false;
	s->source = "sysfs";
	s->unknown_why = "sysfs may show less than the device has (Linux 6.12 "
			 "shows only what it had when registered) and its "
			 "live table maps to DM devices, whose capabilities "
			 "may have changed since it was loaded";
	return 0;
}

static int subject_device(struct dmcaps_ctx *ctx, struct subject *s,
			  const char *spec)
{
	const struct dmcaps_set *sysfs;
	int r;

	r = dmcaps_dev_lookup(ctx, spec, &s->dev);	/* says why not */
	if (r < 0)
		return r;
	s->name = spec;
	r = dmcaps_dev_caps(ctx, s->dev, &sysfs);
	if (r < 0) {
		log_err("%s: cannot read inline-encryption capabilities: %s",
			spec, cause_from_errno(r));
		return r;
	}
	if (dmcaps_dev_is_dm(s->dev))
		return subject_dm(ctx, s, sysfs);
	s->caps = sysfs;
	s->exact = true;
	s->source = "sysfs";
	return 0;
}

static int subject_table(struct dmcaps_ctx *ctx, struct subject *s)
{
	int r;

	s->name = opt_table ? "--table" : opt_table_file;
	r = table_from_args(ctx, opt_table, opt_table_file, &s->table);
	if (r)
		return r;	/* an exit status, said */
	r = dmcaps_predict(ctx, s->table, &s->pred);
	if (r < 0) {
		log_err("%s: cannot predict its capabilities: %s", s->name,
			cause_from_errno(r));
		return exit_code_from_errno(r);
	}
	s->caps = dmcaps_prediction_caps(s->pred);
	s->exact = true;
	s->source = "the table's prediction";
	return 0;
}

static void subject_free(struct subject *s)
{
	dmcaps_prediction_free(s->pred);
	dmcaps_kernel_caps_free(s->kc);
	dmcaps_comparison_free(s->cmp);
	if (opt_table || opt_table_file)
		dmcaps_table_free_wipe(s->table);
	else
		dmcaps_table_free(s->table);
}

/* Whether @rs removes something @req needs. */
static bool reason_relevant(const struct dmcaps_reason *rs,
			    const struct requirement *req)
{
	const struct dmcaps_delta *d = dmcaps_reason_delta(rs);

	if (dmcaps_reason_cause(rs) == DMCAPS_CAUSE_DEVICE_FALLBACK)
		return false;	/* encrypted in software: exposed anyway */
	if (dmcaps_reason_cause(rs) != DMCAPS_CAUSE_DEVICE_LACKS)
		return true;	/* removes everything */
	switch (dmcaps_delta_kind(d)) {
	case DMCAPS_DELTA_MODE:
		return !strcmp(dmcaps_delta_mode(d), req->mode);
	case DMCAPS_DELTA_DATA_UNIT_SIZES:
		return !strcmp(dmcaps_delta_mode(d), req->mode) &&
		       (dmcaps_delta_dus_mask(d) & req->dus);
	case DMCAPS_DELTA_DUN_BYTES:
		return req->dun > dmcaps_delta_dun_other(d);
	}
	return false;
}

struct why {
	const char *top;	/* the device asked about */
	const char *req;	/* the requirement's text */
	int lines;
};

static void why_line(struct why *w, const char *under, const char *text)
{
	if (under)
		log_err("%s: lacks %s: under %s: %s", w->top, w->req, under,
			text);
	else
		log_err("%s: lacks %s: %s", w->top, w->req, text);
	w->lines++;
}

static void explain_table(struct dmcaps_ctx *ctx, struct why *w,
			  const char *under, const struct dmcaps_table *table,
			  const struct dmcaps_prediction *pred,
			  const struct requirement *req, int depth);

/* Why the DM device @dev lacks @req: its own live table, one level down. */
static void explain_dm(struct dmcaps_ctx *ctx, struct why *w,
		       struct dmcaps_dev *dev, const struct requirement *req,
		       int depth)
{
	struct dmcaps_table *table = NULL;
	struct dmcaps_prediction *pred = NULL;

	if (depth >= REQUIRE_MAX_DEPTH)
		return;
	if (dmcaps_table_read(ctx, dev, DMCAPS_TABLE_LIVE, &table) < 0 ||
	    dmcaps_predict(ctx, table, &pred) < 0) {
		why_line(w, dev_name(dev), "its live table cannot be read");
		dmcaps_table_free(table);
		return;
	}
	explain_table(ctx, w, dev_name(dev), table, pred, req, depth + 1);
	dmcaps_prediction_free(pred);
	dmcaps_table_free(table);
}

/*
 * The reasons of @pred that remove what @req needs, each followed, when
 * it names a DM device, by that device's own reasons; when no reason
 * does (no device of the table offers it, so nothing "removed" it), each
 * device that lacks it.
 */
static void explain_table(struct dmcaps_ctx *ctx, struct why *w,
			  const char *under, const struct dmcaps_table *table,
			  const struct dmcaps_prediction *pred,
			  const struct requirement *req, int depth)
{
	size_t i, j, n = dmcaps_prediction_reason_count(pred);
	const struct dmcaps_set *caps;
	bool found = false;
	char *text, *lack;

	for (i = 0; i < n; i++) {
		const struct dmcaps_reason *rs = dmcaps_prediction_reason(pred, i);

		if (!reason_relevant(rs, req) ||
		    dmcaps_reason_format(rs, &text) < 0)
			continue;
		why_line(w, under, text);
		free(text);
		found = true;
		if (dmcaps_reason_dev(rs) && dmcaps_dev_is_dm(dmcaps_reason_dev(rs)))
			explain_dm(ctx, w, dmcaps_reason_dev(rs), req, depth);
	}
	if (found)
		return;

	for (i = 0; i < dmcaps_table_target_count(table); i++) {
		const struct dmcaps_target *t = dmcaps_table_target(table, i);

		for (j = 0; j < dmcaps_target_dev_count(t); j++) {
			struct dmcaps_dev *d = dmcaps_target_dev(t, j);

			if (dmcaps_dev_caps(ctx, d, &caps) < 0)
				continue;	/* a reason says it */
			lack = requirement_lack(req, caps);
			if (!lack)
				continue;
			if (asprintf(&text, "device %s %s (target %zu, %s)",
				     dev_name(d), lack, i + 1,
				     dmcaps_target_type(t)) > 0) {
				why_line(w, under, text);
				free(text);
			}
			free(lack);
			if (dmcaps_dev_is_dm(d))
				explain_dm(ctx, w, d, req, depth);
		}
	}
}

/* The WHY lines of an unmet requirement. */
static void explain(struct dmcaps_ctx *ctx, const struct subject *s,
		    const struct requirement *req)
{
	struct why w = { .top = s->name, .req = req->text };
	char *lack = requirement_lack(req, s->caps), *line = NULL;
	size_t i;

	if (s->pred) {
		if (!s->exact || !requirement_met(req,
					dmcaps_prediction_caps(s->pred)))
			explain_table(ctx, &w, NULL, s->table, s->pred, req, 0);
		/* The prediction provides it and the kernel says the device
		 * does not: dmcaps_compare()'s findings say why. */
		for (i = 0; s->cmp && i < dmcaps_comparison_count(s->cmp); i++)
			if (dmcaps_comparison_kind(s->cmp, i) ==
			    DMCAPS_FINDING_MISMATCH)
				why_line(&w, NULL,
					 dmcaps_comparison_text(s->cmp, i));
	}
	if (!w.lines && lack) {
		if (asprintf(&line, "the device %s%s", lack,
			     s->caps ? "" : " (no queue/crypto in sysfs)") > 0)
			why_line(&w, NULL, line);
	}
	free(line);
	free(lack);
}

static enum result decide(const struct subject *s,
			  const struct requirement *req)
{
	if (requirement_met(req, s->caps))
		return RES_PROVIDED;
	if (!s->exact && requirement_met(req, s->upper))
		return RES_CANNOT_TELL;
	return RES_NOT_PROVIDED;
}

static const char *const pcols[] = {
	"DEVICE", "KNAME", "REQUIREMENT", "RESULT", "SOURCE",
};

static int print_pairs(struct libscols_table *tb, const struct subject *s,
		       const struct requirement *req, enum result res)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		return -ENOMEM;
	if (scols_line_set_data(ln, 0, s->name) ||
	    scols_line_set_data(ln, 1, s->dev ? dmcaps_dev_kname(s->dev) : "") ||
	    scols_line_set_data(ln, 2, req->text) ||
	    scols_line_set_data(ln, 3, result_names[res]) ||
	    scols_line_set_data(ln, 4, s->source))
		return -ENOMEM;
	return 0;
}

static int require_check_options(void)
{
	if (opt_table && opt_table_file) {
		log_err("--table and --table-file are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	return 0;
}

static int require_run(struct dmcaps_ctx *ctx, int argc, const char **argv)
{
	struct requirements rq = { 0 };
	struct subject s = { 0 };
	struct libscols_table *tb = NULL;
	enum result worst = RES_PROVIDED, res;
	bool table = opt_table || opt_table_file;
	int i, r, first = table ? 0 : 1;
	size_t k;

	if (!table && argc < 1) {
		log_err("no device given");
		fputs("Try 'dmcaps require --help' for more information.\n",
		      stderr);
		return EXIT_DMCAPS_USAGE;
	}
	/* The requirement first: a malformed one is the caller's mistake
	 * whatever the device. */
	for (i = first; i < argc; i++) {
		r = requirements_parse(&rq, argv[i], "requirement");
		if (r < 0)
			goto out_errno;
	}
	if (opt_req_file) {
		r = requirements_read_file(&rq, opt_req_file);
		if (r < 0) {
			r = r == -ENOENT || r == -EINVAL ? EXIT_DMCAPS_USAGE :
			    exit_code_from_errno(r);
			goto out;
		}
	}
	if (!rq.n) {
		log_err("no requirement given (MODE:DATA_UNIT_SIZE[:DUN_BYTES], "
			"or --requirement-file)");
		r = EXIT_DMCAPS_USAGE;
		goto out;
	}

	if (table) {
		r = subject_table(ctx, &s);
		if (r)
			goto out;
	} else {
		r = subject_device(ctx, &s, argv[0]);
		if (r < 0)
			goto out_errno;
	}

	if (opt_pairs && !opt_quiet) {
		tb = scols_new_table();
		if (!tb) {
			r = -ENOMEM;
			goto out_errno;
		}
		scols_table_enable_export(tb, 1);
		scols_table_enable_shellvar(tb, 1);
		for (k = 0; k < sizeof(pcols) / sizeof(*pcols); k++)
			if (!scols_table_new_column(tb, pcols[k], 0, 0)) {
				r = -ENOMEM;
				goto out_errno;
			}
	}

	for (k = 0; k < rq.n; k++) {
		res = decide(&s, &rq.v[k]);
		if (res > worst)
			worst = res;
		if (tb && print_pairs(tb, &s, &rq.v[k], res) < 0) {
			r = -ENOMEM;
			goto out_errno;
		}
		if (!tb && !opt_quiet)
			printf("%s: %s %s (%s)\n", s.name,
			       res == RES_PROVIDED ? "provides" :
			       res == RES_CANNOT_TELL ? "may provide" :
			       "does not provide", rq.v[k].text, s.source);
		if (res == RES_NOT_PROVIDED)
			explain(ctx, &s, &rq.v[k]);
		else if (res == RES_CANNOT_TELL)
			log_err("%s: cannot tell whether it provides %s: %s",
				s.name, rq.v[k].text, s.unknown_why);
	}
	if (tb && scols_print_table(tb)) {
		r = -EIO;
		goto out_errno;
	}
	if (fflush(stdout) || ferror(stdout)) {
		log_err("cannot write output");
		r = EXIT_DMCAPS_FAILURE;
		goto out;
	}
	r = worst == RES_PROVIDED ? EXIT_DMCAPS_OK :
	    worst == RES_CANNOT_TELL ? EXIT_DMCAPS_CANNOT_TELL :
	    EXIT_DMCAPS_NOT_PROVIDED;
	goto out;

out_errno:
	r = exit_code_from_errno(r);
out:
	scols_unref_table(tb);
	subject_free(&s);
	requirements_free(&rq);
	return r;
}

static void require_help(void)
{
	fputs("\nWhether DEVICE provides inline encryption as each REQUIREMENT\n"
	      "asks, now (its queue, as the kernel exposes it), or whether the\n"
	      "table given with --table or --table-file would. A REQUIREMENT is\n"
	      "MODE:DATA_UNIT_SIZE[:DUN_BYTES], e.g. AES-256-XTS:4096:8 (mode as\n"
	      "sysfs spells it, data-unit size in bytes, minimum DUN width in\n"
	      "bytes); several may be given, separated by commas or as separate\n"
	      "arguments: all must be provided.\n"
	      "Exit status 0: all provided; 20: one is not, with WHY lines on\n"
	      "standard error naming the target or device that removed it;\n"
	      "12: cannot tell (the reason is printed).\n", stdout);
}

const struct dmcaps_command require_command = {
	.name = "require",
	.args = "DEVICE REQUIREMENT...",
	.summary = "test that a device or table provides a mode, data-unit size, DUN width",
	.options = require_options,
	.help = require_help,
	.check_options = require_check_options,
	.run = require_run,
};
