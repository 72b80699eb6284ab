// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps load [--check-crypto] [--create] [--resume] DEVICE [TABLE]: load a
 * table through libdevmapper like dmsetup load, refusing with
 * --check-crypto a table predicted to shrink the device's inline-crypto
 * capabilities before any ioctl, and explaining a refusal by the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caps-format.h"
#include "check-common.h"
#include "concise.h"
#include "dmcaps.h"
#include "exitcodes.h"
#include "output.h"

static const char *opt_table;
static const char *opt_concise;
static int opt_check_crypto;
static int opt_create;
static int opt_resume;
static int opt_json;
static int opt_pairs;

static struct poptOption load_options[] = {
	{ "table", '\0', POPT_ARG_STRING, &opt_table, 0,
	  "The table as text (lines separated by newlines)", "TABLE" },
	{ "concise", '\0', POPT_ARG_STRING, &opt_concise, 0,
	  "The device and its table in dmsetup's concise format "
	  "(name,uuid,minor,flags,table[,table]...)", "TEXT" },
	{ "check-crypto", '\0', POPT_ARG_NONE, &opt_check_crypto, 0,
	  "Refuse, before any ioctl, a table predicted to shrink the device's "
	  "inline-crypto capabilities", NULL },
	{ "create", '\0', POPT_ARG_NONE, &opt_create, 0,
	  "Create the device first (it must not exist)", NULL },
	{ "resume", '\0', POPT_ARG_NONE, &opt_resume, 0,
	  "Make the table live after loading it", NULL },
	{ "json", 'J', POPT_ARG_NONE, &opt_json, 0,
	  "Print the verdict in JSON (with --check-crypto)", NULL },
	{ "pairs", 'P', POPT_ARG_NONE, &opt_pairs, 0,
	  "Print the verdict as KEY=\"value\" lines (with --check-crypto)", NULL },
	POPT_TABLEEND
};

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_state(const char *name, const struct dmcaps_load_state *st)
{
	unsigned int f = dmcaps_load_state_flags(st);

	if (!st)
		return;		/* out of memory: nothing known */
	if (!(f & DMCAPS_LOAD_STATE_EXISTS)) {
		log_err("%s: state now: the device does not exist", name);
		return;
	}
	log_err("%s: state now: live table: %s; inactive table: %s; suspended: %s",
		name, f & DMCAPS_LOAD_STATE_LIVE_TABLE ? "yes (the old one)" : "none",
		f & DMCAPS_LOAD_STATE_INACTIVE_TABLE ? "yes (not cleared)" : "none",
		yes_no(f & DMCAPS_LOAD_STATE_SUSPENDED));
}

/*
 * load --json: one document, {"load": [{...}]}, with the verdict of
 * --check-crypto in it (a second document after check's would not be
 * JSON); the keys are --pairs' line's, in lower case.
 */
static void readback_json(const char *name, const char *verdict,
			  const char *which, const char *kernel,
			  const char *predicted, const char *match)
{
	static const char *const cols[] = {
		"DEVICE", "VERDICT", "LOADED", "KERNEL", "PREDICTED", "MATCH",
	};
	const char *vals[] = { name, verdict, which, kernel, predicted, match };
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln = NULL;
	size_t i;

	if (tb) {
		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "load");
		for (i = 0; i < (sizeof(cols) / sizeof(cols[0])); i++)
			if (!scols_table_new_column(tb, cols[i], 0, 0))
				break;
		if (i == (sizeof(cols) / sizeof(cols[0])))
			ln = scols_table_new_line(tb, NULL);
	}
	if (!ln) {
		log_err("out of memory");
		scols_unref_table(tb);
		return;
	}
	for (i = 0; i < (sizeof(cols) / sizeof(cols[0])); i++)
		cell_set(ln, i, vals[i]);
	scols_print_table(tb);
	scols_unref_table(tb);
}

/*
 * After a successful load: the kernel's own answer for the table just
 * loaded (inactive, or live after --resume), read back with DM_CRYPTO_CAPS
 * and compared with the prediction @pred (NULL when there is none) by
 * dmcaps_compare(), which says any MISMATCH itself. A new context: the
 * first one's device list predates a device --create made.
 */
static void readback(const char *name, bool resumed,
		     const struct dmcaps_prediction *pred,
		     const struct dmcaps_verdict *v, enum verdict_format fmt)
{
	enum dmcaps_table_kind kind = resumed ? DMCAPS_TABLE_LIVE :
					       DMCAPS_TABLE_INACTIVE;
	const char *which = resumed ? "live" : "inactive";
	const char *verb = resumed ? "exposes" : "would expose";
	struct dmcaps_comparison *cmp = NULL;
	struct dmcaps_kernel_caps *kc = NULL;
	const struct dmcaps_set *pset = pred ? dmcaps_prediction_caps(pred) : NULL;
	struct dmcaps_ctx *ctx;
	struct dmcaps_dev *dev;
	char *k = NULL, *p = NULL, *ktext = NULL, *ptext = NULL;
	const char *match;
	int r;

	r = dmcaps_init(&ctx, "/");
	if (r < 0)
		return;
	dmcaps_set_log_callback(ctx, library_log, NULL);
	/* A failure here is the library's to say (no DM_CRYPTO_CAPS: with
	 * --verbose); the load itself succeeded. */
	r = dmcaps_dev_lookup(ctx, name, &dev);
	if (!r)
		r = dmcaps_kernel_caps_read(ctx, dev, kind, &kc);
	if (!r && dmcaps_compare(ctx, dev, kind, NULL, pred, kc, &cmp) < 0)
		cmp = NULL;

	if (pset) {
		caps_format_summary(pset, &p);
		caps_format_text(pset, &ptext);
	}
	if (!r) {
		caps_format_summary(dmcaps_kernel_caps_table(kc), &k);
		caps_format_text(dmcaps_kernel_caps_table(kc), &ktext);
		match = !pred ? "no prediction" :
			dmcaps_comparison_has_mismatch(cmp) ? "no" : "yes";
	} else {
		match = "unavailable";
	}

	if (fmt == VERDICT_JSON)
		readback_json(name, v ? dmcaps_verdict_kind_name(
				      dmcaps_verdict_kind(v)) : NULL, which,
			      ktext, ptext, match);
	if (fmt == VERDICT_PAIRS)
		printf("LOADED=\"%s\" KERNEL=\"%s\" PREDICTED=\"%s\" MATCH=\"%s\"\n",
		       which, ktext ? ktext : "", ptext ? ptext : "", match);
	if (r < 0 && fmt == VERDICT_TEXT) {
		printf("%s: %s table loaded; the kernel's answer cannot be "
		       "read back (%s)%s%s\n", name, which,
		       r == -ENOTTY ? "no DM_CRYPTO_CAPS" : cause_from_errno(r),
		       p ? "; predicted: " : "", p ? p : "");
	} else if (r == 0 && fmt == VERDICT_TEXT) {
		printf("%s: %s table loaded; the kernel says it %s %s%s%s%s\n",
		       name, which, verb, k ? k : "?",
		       !pred ? "" : !strcmp(match, "yes") ? " (as predicted)" :
		       " (MISMATCH: predicted ", !pred || !strcmp(match, "yes") ?
		       "" : p ? p : "?", !pred || !strcmp(match, "yes") ? "" : ")");
	}
	free(k);
	free(p);
	free(ktext);
	free(ptext);
	dmcaps_comparison_free(cmp);
	dmcaps_kernel_caps_free(kc);
	dmcaps_free(ctx);
}

static int load_check_options(void)
{
	if (opt_json && opt_pairs) {
		log_err("--json and --pairs are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	return 0;
}

static int load_run(struct dmcaps_ctx *ctx, int argc, const char **argv)
{
	enum verdict_format fmt = opt_json ? VERDICT_JSON :
				  opt_pairs ? VERDICT_PAIRS : VERDICT_TEXT;
	struct dmcaps_verdict *v = NULL;
	struct dmcaps_prediction *pred = NULL;
	struct dmcaps_table *table = NULL;
	struct dmcaps_load_state *st = NULL;
	const char *name;
	struct concise c = { 0 };
	unsigned int flags = 0;
	int r, lr;

	if (opt_concise) {
		r = concise_args(opt_concise, opt_table, argc, &c);
		if (r)
			return r;
		name = c.name;
		/* dmcaps_load() creates a device by name only, read-write. */
		if (!strcmp(c.flags, "ro") ||
		    (opt_create && (*c.uuid || *c.minor))) {
			log_err("--concise: %s cannot be set by dmcaps load; use "
				"dmsetup create --concise",
				!strcmp(c.flags, "ro") ? "a read-only table" :
				"the uuid or minor of a new device");
			r = EXIT_DMCAPS_USAGE;
			goto out;
		}
	} else if (argc < 1 || argc > 2) {
		log_err("%s", argc < 1 ? "no device given" : "too many arguments");
		fputs("Try 'dmcaps load --help' for more information.\n", stderr);
		return EXIT_DMCAPS_USAGE;
	} else {
		name = argv[0];
	}
	if (opts.sysroot && strcmp(opts.sysroot, "/")) {
		log_err("load works on the running system only, not with --sysroot");
		r = EXIT_DMCAPS_USAGE;
		goto out;
	}
	{
		struct stat sb;

		/* A path that exists and is something else: say what it is
		 * before reading any table. */
		if (name[0] == '/' && !stat(name, &sb) && !S_ISBLK(sb.st_mode)) {
			log_err("%s: %s", name, cause_from_errno(-ENOTBLK));
			r = exit_code_from_errno(-ENOTBLK);
			goto out;
		}
	}
	if (opt_concise)
		r = table_from_text(ctx, c.table, "--concise", &table);
	else
		r = table_from_args(ctx, opt_table, argc > 1 ? argv[1] : NULL, &table);
	if (r)
		goto out;

	if (opt_check_crypto) {
		r = dmcaps_verdict_new(ctx, name, table, &v);
		if (r < 0) {
			log_err("%s: cannot check: %s", name, cause_from_errno(r));
			r = exit_code_from_errno(r);
			goto out;
		}
		if (dmcaps_verdict_kind(v) == DMCAPS_VERDICT_SHRINKS) {
			verdict_print(fmt == VERDICT_TEXT ? stderr : stdout, v,
				      name, fmt);
			log_err("%s: refusing the table: it would shrink the "
				"device's inline-crypto capabilities; nothing "
				"was loaded", name);
			r = EXIT_DMCAPS_REJECTED;
			goto out;
		}
		if (dmcaps_verdict_kind(v) == DMCAPS_VERDICT_CANNOT_TELL)
			log_warn("%s: cannot tell whether the table keeps "
				"the device's inline-crypto capabilities (%s); "
				"loading it, the kernel decides", name,
				dmcaps_verdict_why_unknown(v));
		/* --json: the load's document carries the verdict. */
		if (fmt == VERDICT_PAIRS)
			verdict_print(stdout, v, name, fmt);
		else if (opts.verbose || opts.debug)
			verdict_print(stderr, v, name, fmt);
	}

	if (opt_create)
		flags |= DMCAPS_LOAD_CREATE;
	if (opt_resume)
		flags |= DMCAPS_LOAD_RESUME;
	/* The prediction to compare the kernel's answer with afterwards
	 * (--check-crypto made it already); it touches nothing, and needs
	 * no device: the table may be a new device's. */
	if (!v && dmcaps_predict(ctx, table, &pred) < 0)
		pred = NULL;
	lr = dmcaps_load(ctx, name, table, flags, &st);
	if (!lr) {
		readback(name, dmcaps_load_state_flags(st) &
			 DMCAPS_LOAD_STATE_RESUMED,
			 v ? dmcaps_verdict_prediction(v) : pred, v, fmt);
		r = 0;
		goto out;
	}

	switch (dmcaps_load_state_failed_step(st)) {
	case DMCAPS_LOAD_STEP_LOAD:
		/* Our own analysis of the likely cause: the kernel refuses a
		 * shrinking table with EINVAL, and only with EINVAL. */
		if (lr == -EINVAL && !v &&
		    dmcaps_verdict_new(ctx, name, table, &v) < 0)
			v = NULL;
		if (lr == -EINVAL && v &&
		    dmcaps_verdict_kind(v) == DMCAPS_VERDICT_SHRINKS) {
			log_err("%s: the kernel refused the table: it would shrink "
				"the device's inline-crypto capabilities:", name);
			verdict_print(stderr, v, name, VERDICT_TEXT);
		} else if (lr == -EINVAL) {
			log_err("%s: the kernel refused the table (Invalid argument): "
				"not for inline crypto as far as dmcaps can tell; "
				"look for a bad target parameter, a device in use "
				"or a size beyond a device's end", name);
		} else {
			log_err("%s: the kernel refused the table: %s", name,
				exit_cause(EXIT_CTX_LOAD, lr));
		}
		print_state(name, st);
		r = exit_code_for(EXIT_CTX_LOAD, lr);
		break;
	case DMCAPS_LOAD_STEP_RESUME:
		log_err("%s: the table was loaded but the device could not be "
			"resumed with it: %s", name, strerror(-lr));
		print_state(name, st);
		r = EXIT_DMCAPS_RESUME_FAILED;
		break;
	default:
		log_err("%s: cannot load: %s", name, cause_from_errno(lr));
		r = exit_code_from_errno(lr);
		break;
	}
out:
	dmcaps_load_state_free(st);
	dmcaps_verdict_free(v);
	dmcaps_prediction_free(pred);
	dmcaps_table_free_wipe(table);
	concise_free(&c);
	return r;
}

static void load_help(void)
{
	fputs("\nLoad TABLE into the DM device DEVICE through libdevmapper, as dmsetup\n"
	      "load does (read from the file TABLE, --table, or standard input).\n"
	      "With --create the device is created first (without --resume it then\n"
	      "has only the inactive table); with --resume the table is made live.\n"
	      "With --check-crypto a table predicted to shrink the device's\n"
	      "inline-crypto capabilities is refused before any ioctl (exit 11).\n"
	      "Nothing is left half-done: a refused table leaves no inactive table\n"
	      "and no device this command created; a failed resume leaves the old\n"
	      "table live and the device not suspended, and says so.\n"
	      "With --concise the device and its table come in dmsetup's concise\n"
	      "format (one device; no DEVICE or TABLE arguments then).\n"
	      "After a load, a kernel with DM_CRYPTO_CAPS is asked what the loaded\n"
	      "table exposes, printed beside the prediction (MISMATCH if they differ).\n",
	      stdout);
}

const struct dmcaps_command load_command = {
	.name = "load",
	.args = "DEVICE [TABLE]",
	.summary = "load a table like dmsetup load, refusing shrinks with --check-crypto",
	.options = load_options,
	.help = load_help,
	.check_options = load_check_options,
	.run = load_run,
};
