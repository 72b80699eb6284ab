// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps evict DEVICE --mode MODE --data-unit-size N --dun-bytes B
 *              (--key-desc TYPE:DESC | --key-file FILE|-)
 *
 * Makes sure a key is gone from every inline-encryption keyslot under a
 * device, DM stacks included: after a failed unmount, on lock, before
 * handing a device over. The key comes from a file, standard input or the
 * keyring, never from the command line; raw bytes are read into locked
 * memory by the library and wiped right after the ioctl.
 */
#include <errno.h>
#include <limits.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "dmcaps.h"
#include "exitcodes.h"
#include "output.h"

static const char *opt_mode;
static const char *opt_key_file;
static const char *opt_key_desc;
/* Not given: NOT_GIVEN; 0 is a value (the kernel refuses it, and says
 * why), not a missing option. */
#define NOT_GIVEN INT_MIN
static int opt_dus = NOT_GIVEN;
static int opt_dun = NOT_GIVEN;
static int opt_json;
static int opt_pairs;

static struct poptOption evict_options[] = {
	{ "mode", 'm', POPT_ARG_STRING, &opt_mode, 0,
	  "Encryption mode as sysfs spells it (AES-256-XTS, Adiantum, ...)",
	  "MODE" },
	{ "data-unit-size", '\0', POPT_ARG_INT, &opt_dus, 0,
	  "Data-unit size the key was used with, in bytes", "BYTES" },
	{ "dun-bytes", '\0', POPT_ARG_INT, &opt_dun, 0,
	  "DUN width the key was used with, in bytes", "BYTES" },
	{ "key-file", 'd', POPT_ARG_STRING, &opt_key_file, 0,
	  "Read the raw key from FILE ('-': standard input)", "FILE" },
	{ "key-desc", '\0', POPT_ARG_STRING, &opt_key_desc, 0,
	  "Use the keyring key TYPE:DESCRIPTION (logon or user); the kernel "
	  "reads it itself", "TYPE:DESC" },
	{ "json", 'J', POPT_ARG_NONE, &opt_json, 0,
	  "Print the result in JSON", NULL },
	{ "pairs", 'P', POPT_ARG_NONE, &opt_pairs, 0,
	  "Print the result as KEY=\"value\" lines", NULL },
	POPT_TABLEEND
};

static int evict_check_options(void)
{
	if (opt_json && opt_pairs) {
		log_err("--json and --pairs are mutually exclusive");
		return EXIT_DMCAPS_USAGE;
	}
	if (!opt_mode || opt_dus == NOT_GIVEN || opt_dun == NOT_GIVEN) {
		log_err("--mode, --data-unit-size and --dun-bytes are required: "
			"a keyslot matches only the configuration the key was "
			"used with");
		return EXIT_DMCAPS_USAGE;
	}
	if (opt_dus < 0 || opt_dun < 0) {
		log_err("--data-unit-size and --dun-bytes are numbers of bytes, "
			"not negative");
		return EXIT_DMCAPS_USAGE;
	}
	if (!opt_key_file == !opt_key_desc) {
		log_err("give the key with exactly one of --key-file and "
			"--key-desc");
		return EXIT_DMCAPS_USAGE;
	}
	return 0;
}

static const char *dev_label(const struct dmcaps_dev *d)
{
	return dmcaps_dev_dm_name(d) ?: dmcaps_dev_kname(d);
}

/* The device numbered @devno among the system's, or NULL: one that failed
 * may have gone since, which is no error of its own. */
static struct dmcaps_dev *find_devno(struct dmcaps_ctx *ctx, dev_t devno)
{
	struct dmcaps_dev **devs;
	size_t i, n;

	if (dmcaps_dev_list(ctx, &devs, &n) < 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (dmcaps_dev_devno(devs[i]) == devno)
			return devs[i];
	return NULL;
}

/* Failure @idx of @res: the device's name ("nullb1 (252:1)", or "MAJ:MIN"
 * when it is gone) in @buf, and its error as strerror() words. */
static const char *failure_at(struct dmcaps_ctx *ctx,
			      const struct dmcaps_evict_result *res, size_t idx,
			      char *buf, size_t len)
{
	struct dmcaps_dev *d;
	dev_t devno = 0;
	int err = 0;

	dmcaps_evict_result_failure(res, idx, &devno, &err);
	d = find_devno(ctx, devno);
	if (d)
		snprintf(buf, len, "%s (%u:%u)", dev_label(d), major(devno),
			 minor(devno));
	else
		snprintf(buf, len, "%u:%u", major(devno), minor(devno));
	return strerror(err < 0 ? -err : err);
}

enum { ECOL_ITEM, ECOL_DEVICE, ECOL_MODE, ECOL_DUS, ECOL_DUN, ECOL_EVICTED,
       ECOL_BUSY, ECOL_DEVICES, ECOL_FAILURES, ECOL_ERROR, NECOLS };
static const char *const ecol_names[NECOLS] = {
	"ITEM", "DEVICE", "MODE", "DATA_UNIT_SIZE", "DUN_BYTES", "EVICTED",
	"BUSY", "DEVICES", "FAILURES", "ERROR",
};

static int set_uint(struct libscols_line *ln, int col, unsigned int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return cell_set(ln, col, buf);
}

/* --json and --pairs: one "result" line, then one "failure" line per
 * device the kernel named. */
static int print_machine(struct dmcaps_ctx *ctx, const struct dmcaps_dev *dev,
			 const struct dmcaps_evict_result *res)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;
	size_t i;
	int r = EXIT_DMCAPS_NOMEM;

	if (!tb)
		return r;
	if (opt_json) {
		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "evict");
	} else {
		scols_table_enable_export(tb, 1);
		scols_table_enable_shellvar(tb, 1);
	}
	for (i = 0; i < NECOLS; i++) {
		struct libscols_column *cl =
			scols_table_new_column(tb, ecol_names[i], 0, 0);

		if (!cl)
			goto out;
		if (i >= ECOL_DUS && i <= ECOL_FAILURES)
			scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
	}
	ln = scols_table_new_line(tb, NULL);
	if (!ln)
		goto out;
	cell_set(ln, ECOL_ITEM, "result");
	cell_set(ln, ECOL_DEVICE, dev_label(dev));
	cell_set(ln, ECOL_MODE, opt_mode);
	set_uint(ln, ECOL_DUS, (unsigned int)opt_dus);
	set_uint(ln, ECOL_DUN, (unsigned int)opt_dun);
	set_uint(ln, ECOL_EVICTED, dmcaps_evict_result_evicted(res));
	set_uint(ln, ECOL_BUSY, dmcaps_evict_result_busy(res));
	set_uint(ln, ECOL_DEVICES, dmcaps_evict_result_devices(res));
	set_uint(ln, ECOL_FAILURES, dmcaps_evict_result_failures(res));

	for (i = 0; i < dmcaps_evict_result_failure_entries(res); i++) {
		char label[128];
		const char *why = failure_at(ctx, res, i, label, sizeof(label));

		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			goto out;
		cell_set(ln, ECOL_ITEM, "failure");
		cell_set(ln, ECOL_DEVICE, label);
		cell_set(ln, ECOL_ERROR, why);
	}
	r = scols_print_table(tb) ? EXIT_DMCAPS_FAILURE : 0;
out:
	scols_unref_table(tb);
	return r;
}

static const char *plural(unsigned int n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_text(struct dmcaps_ctx *ctx, const struct dmcaps_dev *dev,
		       const struct dmcaps_evict_result *res)
{
	unsigned int evicted = dmcaps_evict_result_evicted(res);
	unsigned int devices = dmcaps_evict_result_devices(res);
	size_t i;

	if (evicted)
		printf("%s: evicted %u %s on %u %s (%s, %d-byte data units, "
		       "%d-byte DUNs)\n", dev_label(dev), evicted,
		       plural(evicted, "keyslot", "keyslots"), devices,
		       plural(devices, "device", "devices"), opt_mode, opt_dus,
		       opt_dun);
	else if (!dmcaps_evict_result_busy(res))
		printf("%s: the key was in no keyslot of the %u %s searched; "
		       "nothing to evict\n", dev_label(dev), devices,
		       plural(devices, "device", "devices"));

	for (i = 0; i < dmcaps_evict_result_failure_entries(res); i++) {
		char label[128];
		const char *why = failure_at(ctx, res, i, label, sizeof(label));

		log_err("%s: eviction failed on %s: %s", dev_label(dev), label, why);
	}
	if (dmcaps_evict_result_failures(res) > i)
		log_err("%s: eviction failed on %u more devices", dev_label(dev),
			dmcaps_evict_result_failures(res) - (unsigned int)i);
}

static int evict_run(struct dmcaps_ctx *ctx, int argc, const char **argv)
{
	struct dmcaps_evict_result *res = NULL;
	struct dmcaps_key *key = NULL;
	struct dmcaps_dev *dev;
	int r, size;

	if (argc != 1) {
		log_err("%s", argc < 1 ? "no device given" : "too many arguments");
		fputs("Try 'dmcaps evict --help' for more information.\n", stderr);
		return EXIT_DMCAPS_USAGE;
	}
	if (opts.sysroot && strcmp(opts.sysroot, "/")) {
		log_err("evict works on the running system only, not with --sysroot");
		return EXIT_DMCAPS_USAGE;
	}

	r = dmcaps_dev_lookup(ctx, argv[0], &dev);	/* says why not */
	if (r < 0)
		return exit_code_from_errno(r);

	if (opt_key_desc) {
		r = dmcaps_key_from_keyring(ctx, opt_key_desc, &key);
		if (r < 0)	/* the library said why */
			return exit_code_for(EXIT_CTX_INPUT, r);
	} else {
		/* The mode's key size when dmcaps knows the mode; the kernel
		 * checks a newer mode's. */
		size = dmcaps_mode_key_size(opt_mode);
		r = dmcaps_key_read_file(ctx, opt_key_file, size > 0 ? size : 0,
					 &key);
		if (r < 0)	/* the library said why */
			return exit_code_for(EXIT_CTX_INPUT, r);
	}

	r = dmcaps_evict_key(ctx, dev, key, opt_mode, (unsigned int)opt_dus,
			     (unsigned int)opt_dun, &res);
	dmcaps_key_free(key);
	if (r < 0)	/* the library said why */
		return exit_code_for(EXIT_CTX_EVICT, r);

	if (opt_json || opt_pairs)
		r = print_machine(ctx, dev, res);
	else
		print_text(ctx, dev, res);

	if (!r && dmcaps_evict_result_failures(res))
		r = EXIT_DMCAPS_EVICT_FAILED;
	if (!r && dmcaps_evict_result_busy(res)) {
		unsigned int busy = dmcaps_evict_result_busy(res);

		log_err("%s: %u %s the key %s in use by I/O and left programmed; "
			"evict again when the I/O is done", dev_label(dev), busy,
			plural(busy, "keyslot holding", "keyslots holding"),
			plural(busy, "is", "are"));
		r = EXIT_DMCAPS_EVICT_BUSY;
	}
	dmcaps_evict_result_free(res);
	return r;
}

static void evict_help(void)
{
	fputs("\nEvict a key from every inline-encryption keyslot under DEVICE: the\n"
	      "kernel finds keyslots by the key's content under the given mode,\n"
	      "data-unit size and DUN width, evicts those not in use, and on a\n"
	      "device-mapper device forwards the request to every device below\n"
	      "its live table, through stacked DM. The key is read from a file,\n"
	      "standard input (--key-file -) or the keyring (--key-desc, read by\n"
	      "the kernel itself); it is never an argument. A key found nowhere\n"
	      "is success (exit 0), said so. Needs CAP_SYS_ADMIN and a kernel with\n"
	      "the dmcaps series (BLKCRYPTOEVICTKEY).\n", stdout);
}

const struct dmcaps_command evict_command = {
	.name = "evict",
	.args = "DEVICE",
	.summary = "evict a key from every inline-encryption keyslot under DEVICE",
	.options = evict_options,
	.help = evict_help,
	.check_options = evict_check_options,
	.run = evict_run,
};
