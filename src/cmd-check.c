// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps check DEVICE [TABLE]: what loading TABLE into DM device DEVICE
 * would do to the inline-encryption capabilities it exposes (keeps,
 * expands, shrinks: the kernel refuses a shrinking table), with every
 * capability lost or gained and its cause. Touches nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps-format.h"
#include "check-common.h"
#include "concise.h"
#include "dmcaps.h"
#include "exitcodes.h"
#include "output.h"

static const char *opt_table;
static const char *opt_concise;
static int opt_json;
static int opt_pairs;

static struct poptOption check_options[] = {
	{ "table", '\0', POPT_ARG_STRING, &opt_table, 0,
	  "The table as text (lines separated by newlines)", "TABLE" },
	{ "concise", '\0', POPT_ARG_STRING, &opt_concise, 0,
	  "The device and its table in dmsetup's concise format "
	  "(name,uuid,minor,flags,table[,table]...)", "TEXT" },
	{ "json", 'J', POPT_ARG_NONE, &opt_json, 0,
	  "Use JSON output format", NULL },
	{ "pairs", 'P', POPT_ARG_NONE, &opt_pairs, 0,
	  "Use KEY=\"value\" output format, one line per item", NULL },
	POPT_TABLEEND
};

int table_from_args(struct dmcaps_ctx *ctx, const char *line, const char *path,
		    struct dmcaps_table **table)
{
	char *text = NULL;
	const char *what;
	int fd, r;

	*table = NULL;
	if (line && path) {
		log_err("give the table either with --table or as a file, not both");
		return EXIT_DMCAPS_USAGE;
	}
	if (line) {
		text = strdup(line);
		if (!text) {
			log_err("--table: %s", cause_from_errno(-ENOMEM));
			return exit_code_from_errno(-ENOMEM);
		}
		what = "--table";
	} else {
		if (!path || !strcmp(path, "-")) {
			fd = STDIN_FILENO;
			what = "standard input";
		} else {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				r = errno;
				log_err("%s: %s", path, exit_cause(EXIT_CTX_INPUT, -r));
				return exit_code_for(EXIT_CTX_INPUT, -r);
			}
			what = path;
		}
		r = dmcaps_table_text_read(ctx, fd, what, &text);
		if (fd != STDIN_FILENO)
			close(fd);
		if (r < 0)
			return exit_code_for(EXIT_CTX_INPUT, r);
	}
	r = table_from_text(ctx, text, what, table);
	dmcaps_text_wipe_free(text);
	return r;
}

int table_from_text(struct dmcaps_ctx *ctx, const char *text, const char *what,
		    struct dmcaps_table **table)
{
	int r;

	*table = NULL;
	r = dmcaps_table_parse(ctx, text, table);
	if (r < 0) {
		log_err("%s: not a table dmcaps can use: %s", what,
			exit_cause(EXIT_CTX_INPUT, r));
		return exit_code_for(EXIT_CTX_INPUT, r);
	}
	r = dmcaps_table_validate(ctx, *table);
	if (r < 0) {
		log_err("%s: not a table the kernel would take", what);
		dmcaps_table_free_wipe(*table);
		*table = NULL;
		return exit_code_for(EXIT_CTX_INPUT, r);
	}
	return 0;
}

enum {
	VCOL_ITEM, VCOL_DEVICE, VCOL_VERDICT, VCOL_NOW, VCOL_NEW, VCOL_SOURCE,
	VCOL_CAPABILITY, VCOL_CAUSE, VCOL_TARGET, VCOL_TARGET_TYPE,
	VCOL_CAUSE_DEVICE, NVCOLS,
};

static const char *const vcol_names[NVCOLS] = {
	"ITEM", "DEVICE", "VERDICT", "NOW", "NEW", "SOURCE", "CAPABILITY",
	"CAUSE", "TARGET", "TARGET_TYPE", "CAUSE_DEVICE",
};

static const char *dev_name(const struct dmcaps_dev *d)
{
	if (!d)
		return NULL;
	return dmcaps_dev_dm_name(d) ?: dmcaps_dev_kname(d);
}

/*
 * Under per-device fallback (dm/crypto_fallback) the new table exposes what
 * some devices lack; each of them encrypts that part in software itself.
 * Not a change of the verdict, but what the user pays for it: said once per
 * such device, as the prediction's reasons say it (dmcaps show says the
 * same of the live table). The next such reason at or after *@idx (moved
 * past it), or NULL.
 */
static const struct dmcaps_reason *next_fallback(const struct dmcaps_verdict *v,
						 size_t *idx)
{
	const struct dmcaps_prediction *p = dmcaps_verdict_prediction(v);
	const struct dmcaps_reason *rs;

	for (; p && *idx < dmcaps_prediction_reason_count(p); (*idx)++) {
		rs = dmcaps_prediction_reason(p, *idx);
		if (dmcaps_reason_cause(rs) == DMCAPS_CAUSE_DEVICE_FALLBACK) {
			(*idx)++;
			return rs;
		}
	}
	return NULL;
}

static int print_machine(FILE *f, const struct dmcaps_verdict *v,
			 const char *device, enum verdict_format fmt)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;
	const struct dmcaps_reason *rs;
	const char *verdict = dmcaps_verdict_kind_name(dmcaps_verdict_kind(v));
	char *now = NULL, *new = NULL, buf[32];
	size_t i;
	int r = 0;

	if (!tb)
		return EXIT_DMCAPS_NOMEM;
	scols_table_set_stream(tb, f);
	if (fmt == VERDICT_JSON) {
		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "check");
	} else {
		scols_table_enable_export(tb, 1);
		scols_table_enable_shellvar(tb, 1);
	}
	for (i = 0; i < NVCOLS; i++) {
		struct libscols_column *cl = scols_table_new_column(tb, vcol_names[i], 0, 0);

		if (!cl) {
			r = EXIT_DMCAPS_NOMEM;
			goto out;
		}
		if (i == VCOL_TARGET)
			scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
	}
	caps_format_text(dmcaps_verdict_old_caps(v), &now);
	caps_format_text(dmcaps_verdict_new_caps(v), &new);

	ln = scols_table_new_line(tb, NULL);
	if (!ln) {
		r = EXIT_DMCAPS_NOMEM;
		goto out;
	}
	cell_set(ln, VCOL_ITEM, "verdict");
	cell_set(ln, VCOL_DEVICE, device);
	cell_set(ln, VCOL_VERDICT, verdict);
	cell_set(ln, VCOL_NOW, now);
	cell_set(ln, VCOL_NEW, new);
	cell_set(ln, VCOL_SOURCE, dmcaps_verdict_old_source(v));
	cell_set(ln, VCOL_CAUSE, dmcaps_verdict_why_unknown(v));

	for (i = 0; i < dmcaps_verdict_change_count(v); i++) {
		const struct dmcaps_change *c = dmcaps_verdict_change(v, i);
		char *what = NULL, *cause = NULL;

		rs = dmcaps_change_reason(c);
		ln = scols_table_new_line(tb, NULL);
		if (!ln) {
			r = EXIT_DMCAPS_NOMEM;
			break;
		}
		cell_set(ln, VCOL_ITEM, dmcaps_change_gained(c) ? "gained" : "lost");
		cell_set(ln, VCOL_DEVICE, device);
		cell_set(ln, VCOL_VERDICT, verdict);
		dmcaps_change_format_what(c, &what);
		dmcaps_change_format_cause(c, &cause);
		cell_set(ln, VCOL_CAPABILITY, what);
		cell_set(ln, VCOL_CAUSE, cause);
		free(what);
		free(cause);
		if (rs) {
			snprintf(buf, sizeof(buf), "%zu", dmcaps_reason_target(rs) + 1);
			cell_set(ln, VCOL_TARGET, buf);
			cell_set(ln, VCOL_TARGET_TYPE, dmcaps_reason_target_type(rs));
			cell_set(ln, VCOL_CAUSE_DEVICE, dev_name(dmcaps_reason_dev(rs)));
		}
	}
	i = 0;
	while (!r && (rs = next_fallback(v, &i))) {
		char *text = NULL;

		ln = scols_table_new_line(tb, NULL);
		if (!ln || dmcaps_reason_format(rs, &text) < 0) {
			r = EXIT_DMCAPS_NOMEM;
			break;
		}
		cell_set(ln, VCOL_ITEM, "fallback");
		cell_set(ln, VCOL_DEVICE, device);
		cell_set(ln, VCOL_VERDICT, verdict);
		cell_set(ln, VCOL_CAUSE, text);
		free(text);
		snprintf(buf, sizeof(buf), "%zu", dmcaps_reason_target(rs) + 1);
		cell_set(ln, VCOL_TARGET, buf);
		cell_set(ln, VCOL_TARGET_TYPE, dmcaps_reason_target_type(rs));
		cell_set(ln, VCOL_CAUSE_DEVICE, dev_name(dmcaps_reason_dev(rs)));
	}
	if (!r && scols_print_table(tb))
		r = EXIT_DMCAPS_FAILURE;
out:
	free(now);
	free(new);
	scols_unref_table(tb);
	return r;
}

static const char *verdict_sentence(enum dmcaps_verdict_kind k)
{
	switch (k) {
	case DMCAPS_VERDICT_KEEPS:
		return "keeps its inline-crypto capabilities: the kernel would accept the table";
	case DMCAPS_VERDICT_EXPANDS:
		return "expands its inline-crypto capabilities: the kernel would accept the table";
	case DMCAPS_VERDICT_SHRINKS:
		return "shrinks its inline-crypto capabilities: the kernel would reject the table";
	default:
		return "cannot tell whether the kernel would accept the table";
	}
}

int verdict_print(FILE *f, const struct dmcaps_verdict *v, const char *device,
		  enum verdict_format fmt)
{
	const struct dmcaps_reason *rs;
	char *now = NULL, *new = NULL;
	size_t i;

	if (fmt != VERDICT_TEXT)
		return print_machine(f, v, device, fmt);

	caps_format_summary(dmcaps_verdict_old_caps(v), &now);
	caps_format_summary(dmcaps_verdict_new_caps(v), &new);
	fprintf(f, "%s: %s\n", device, verdict_sentence(dmcaps_verdict_kind(v)));
	if (dmcaps_verdict_why_unknown(v))
		fprintf(f, "  why:   %s\n", dmcaps_verdict_why_unknown(v));
	if (dmcaps_verdict_device_exists(v))
		fprintf(f, "  now:   %s (from %s)\n", now ? now : "?",
		       dmcaps_verdict_old_source(v));
	else
		fprintf(f, "  now:   no such device yet: this would be its first table\n");
	fprintf(f, "  new:   %s\n", new ? new : "?");
	for (i = 0; i < dmcaps_verdict_change_count(v); i++) {
		const struct dmcaps_change *c = dmcaps_verdict_change(v, i);
		char *what = NULL, *cause = NULL;

		dmcaps_change_format_what(c, &what);
		dmcaps_change_format_cause(c, &cause);
		fprintf(f, "  %s %s: %s\n",
			dmcaps_change_gained(c) ? "gains:" : "loses:",
		       what ? what : "?", cause ? cause : "?");
		free(what);
		free(cause);
	}
	i = 0;
	while ((rs = next_fallback(v, &i))) {
		char *text = NULL;

		dmcaps_reason_format(rs, &text);
		fprintf(f, "  fallback: %s\n", text ? text : "?");
		free(text);
	}
	free(now);
	free(new);
	/* A write error is reported once, by main()'s close_stdout(). */
	return 0;
}

int concise_args(const char *text, const char *table_opt, int argc,
		 struct concise *c)
{
	if (argc || table_opt) {
		log_err("--concise names the device and holds its table: no "
			"DEVICE, TABLE or --table with it");
		return EXIT_DMCAPS_USAGE;
	}
	return concise_parse(text, c);
}

static int check_check_options(void)
{
	if (opt_json && opt_pairs) {
		log_err("--json and --pairs are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	return 0;
}

static int check_run(struct dmcaps_ctx *ctx, int argc, const char **argv)
{
	struct dmcaps_verdict *v = NULL;
	struct dmcaps_table *table = NULL;
	int r;

	struct concise c = { 0 };
	const char *device;

	if (opt_concise) {
		r = concise_args(opt_concise, opt_table, argc, &c);
		if (r)
			return r;
		device = c.name;
		r = table_from_text(ctx, c.table, "--concise", &table);
	} else if (argc < 1 || argc > 2) {
		log_err("%s", argc < 1 ? "no device given" : "too many arguments");
		fputs("Try 'dmcaps check --help' for more information.\n", stderr);
		return EXIT_DMCAPS_USAGE;
	} else {
		device = argv[0];
		r = table_from_args(ctx, opt_table, argc > 1 ? argv[1] : NULL, &table);
	}
	if (r)
		goto out;
	r = dmcaps_verdict_new(ctx, device, table, &v);
	dmcaps_table_free_wipe(table);
	if (r < 0) {
		log_err("%s: cannot tell: %s", device, cause_from_errno(r));
		r = exit_code_from_errno(r);
		goto out;
	}
	r = verdict_print(stdout, v, device, opt_json ? VERDICT_JSON :
			  opt_pairs ? VERDICT_PAIRS : VERDICT_TEXT);
	if (!r)
		r = exit_code_from_verdict(dmcaps_verdict_kind(v));
	dmcaps_verdict_free(v);
out:
	concise_free(&c);
	return r;
}

static void check_help(void)
{
	fputs("\nPredict what loading TABLE into the DM device DEVICE would do to the\n"
	      "inline-encryption capabilities it exposes, as the kernel decides it at\n"
	      "DM_TABLE_LOAD: keeps, expands, or shrinks (the kernel rejects such a\n"
	      "table), with every capability lost or gained and its cause. DEVICE may\n"
	      "name a device that does not exist yet (its first table). The table is\n"
	      "read as dmsetup load reads it: from the file TABLE, --table, or\n"
	      "standard input. Nothing is touched.\n"
	      "With --concise the device and its table come in dmsetup's concise\n"
	      "format (one device; no DEVICE or TABLE arguments then).\n", stdout);
}

const struct dmcaps_command check_command = {
	.name = "check",
	.args = "DEVICE [TABLE]",
	.summary = "predict whether a table load keeps, expands or shrinks capabilities",
	.options = check_options,
	.help = check_help,
	.check_options = check_check_options,
	.run = check_run,
};
