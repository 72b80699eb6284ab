// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * THE table of device-mapper target types: the single place in the library
 * that knows where a target's device arguments sit in its parameters and
 * whether the target passes inline crypto through (DM_TARGET_PASSES_CRYPTO).
 *
 * Parameter syntaxes follow Documentation/admin-guide/device-mapper/ and the
 * targets' constructors in drivers/md/dm-*.c. Parsers are strict where the
 * constructor is (fixed argument counts, "#n args" groups must be complete)
 * so that a table line the kernel would reject is reported here too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct args {
	char **argv;
	size_t argc;
	size_t pos;
	const char **devs;
	size_t ndevs, cap;
	const char *why;	/* first fault found */
};

static bool fail(struct args *a, const char *why)
{
	if (!a->why)
		a->why = why;
	return false;
}

static bool more(const struct args *a)
{
	return !a->why && a->pos < a->argc;
}

static bool push_dev(struct args *a, const char *dev)
{
	const char **n;

	n = dmcaps_grow(a->devs, &a->cap, a->ndevs + 1, sizeof(*n));
	if (!n)
		return fail(a, "out of memory");
	n[a->ndevs++] = dev;
	a->devs = n;
	return true;
}

static bool dev(struct args *a)
{
	if (a->why)
		return false;
	if (a->pos >= a->argc)
		return fail(a, "too few arguments: device missing");
	return push_dev(a, a->argv[a->pos++]);
}

/*
 * A device the target opens but never sends its bios' data to (e.g. a
 * thin-pool's metadata device): its iterate_devices leaves it out, so it
 * takes no part in the inline crypto intersection and is not listed.
 */
static bool aside_dev(struct args *a)
{
	if (a->why)
		return false;
	if (a->pos >= a->argc)
		return fail(a, "too few arguments: device missing");
	a->pos++;
	return true;
}

/* raid's metadata/data slots accept '-' for "none". */
static bool dev_or_dash(struct args *a)
{
	if (a->why)
		return false;
	if (a->pos >= a->argc)
		return fail(a, "too few arguments: device missing");
	if (!strcmp(a->argv[a->pos], "-")) {
		a->pos++;
		return true;
	}
	return push_dev(a, a->argv[a->pos++]);
}

static bool num(struct args *a, uint64_t *v)
{
	uint64_t dummy;

	if (a->why)
		return false;
	if (a->pos >= a->argc)
		return fail(a, "too few arguments: number missing");
	if (dmcaps_parse_u64(a->argv[a->pos], v ?: &dummy))
		return fail(a, "non-numeric or overflowing numeric argument");
	a->pos++;
	return true;
}

static bool any(struct args *a, const char **s)
{
	if (a->why)
		return false;
	if (a->pos >= a->argc)
		return fail(a, "too few arguments");
	if (s)
		*s = a->argv[a->pos];
	a->pos++;
	return true;
}

/*
 * "<#n> <arg>{n}": the feature/option groups. @hook sees each argument and
 * may consume the next ones (e.g. "use_fec_from_device <dev>").
 */
typedef bool (*group_hook)(struct args *a, size_t end);

static bool group(struct args *a, group_hook hook)
{
	uint64_t n;
	size_t end;

	if (!num(a, &n))
		return false;
	if (n > a->argc - a->pos)
		return fail(a, "too few arguments for the announced optional argument count");
	end = a->pos + n;
	while (a->pos < end && !a->why) {
		if (!hook || !hook(a, end))
			a->pos++;
	}
	return !a->why;
}

static bool opt_group(struct args *a, group_hook hook)
{
	return more(a) ? group(a, hook) : !a->why;
}

static bool end(struct args *a)
{
	if (a->why)
		return false;
	if (a->pos != a->argc)
		return fail(a, "trailing arguments");
	return true;
}

/* ---- Per-type parsers --------------------------------------------------- */

static bool p_none(struct args *a)
{
	return end(a);
}

/* <dev> <offset> */
static bool p_linear(struct args *a)
{
	return dev(a) && num(a, NULL) && end(a);
}

/* [<dev> <offset>]: a device only for its limits (and, with our series,
 * its inline crypto capabilities); never given any I/O. */
static bool p_error(struct args *a)
{
	if (a->argc != 2)
		return end(a);
	return p_linear(a);
}

/* <dev> <offset> <up interval> <down interval> [<#features> <features>] */
static bool p_flakey(struct args *a)
{
	return dev(a) && num(a, NULL) && num(a, NULL) && num(a, NULL) &&
	       opt_group(a, NULL) && end(a);
}

/* <#stripes> <chunk size> [<dev> <offset>]{#stripes} */
static bool p_striped(struct args *a)
{
	uint64_t n, i;

	if (!num(a, &n) || !num(a, NULL))
		return false;
	if (!n)
		return fail(a, "zero stripes");
	if (n > a->argc)
		return fail(a, "too few arguments for the number of stripes");
	for (i = 0; i < n; i++)
		if (!dev(a) || !num(a, NULL))
			return false;
	return end(a);
}

/* <log type> <#log args> <log args> <#devs> [<dev> <offset>]{#devs}
 * [<#features> <features>]; the "disk" log's first argument is a device. */
static bool p_mirror(struct args *a)
{
	const char *log_type;
	uint64_t nlog, n, i;

	if (!any(a, &log_type) || !num(a, &nlog))
		return false;
	if (nlog > a->argc - a->pos)
		return fail(a, "too few arguments for the mirror log");
	for (i = 0; i < nlog; i++) {
		if (i == 0 && !strcmp(log_type, "disk")) {
			if (!dev(a))
				return false;
		} else if (!any(a, NULL)) {
			return false;
		}
	}
	if (!num(a, &n))
		return false;
	if (!n)
		return fail(a, "zero mirror legs");
	if (n > a->argc)
		return fail(a, "too few arguments for the number of mirror legs");
	for (i = 0; i < n; i++)
		if (!dev(a) || !num(a, NULL))
			return false;
	return opt_group(a, NULL) && end(a);
}

/* <dev> <offset> <delay> [<write dev> <offset> <delay> [<flush dev> <offset> <delay>]] */
static bool p_delay(struct args *a)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (i && !more(a))
			break;
		if (!dev(a) || !num(a, NULL) || !num(a, NULL))
			return false;
	}
	return end(a);
}

/* <cipher> <key> <iv offset> <dev> <offset> [<#opt> <opt>] */
static bool p_crypt(struct args *a)
{
	return any(a, NULL) && any(a, NULL) && num(a, NULL) && dev(a) &&
	       num(a, NULL) && opt_group(a, NULL) && end(a);
}

/* <origin> <COW> <P|N|PO> <chunk size> [<#features> <features>] */
static bool p_snapshot(struct args *a)
{
	const char *persistent;

	if (!dev(a) || !dev(a) || !any(a, &persistent))
		return false;
	if (strcmp(persistent, "P") && strcmp(persistent, "N") &&
	    strcmp(persistent, "PO") && strcmp(persistent, "p") &&
	    strcmp(persistent, "n"))
		return fail(a, "persistence flag is not P, N or PO");
	return num(a, NULL) && opt_group(a, NULL) && end(a);
}

/* <origin> */
static bool p_one_dev(struct args *a)
{
	return dev(a) && end(a);
}

/* <metadata dev> <data dev> <block size> <low water mark> [<#features> <features>] */
static bool p_thin_pool(struct args *a)
{
	return aside_dev(a) && dev(a) && num(a, NULL) && num(a, NULL) &&
	       opt_group(a, NULL) && end(a);
}

/* <pool dev> <dev id> [<external origin dev>]: reads of unprovisioned blocks
 * go to the origin, which kernel-patches/dm-crypto/0019 counts in the intersection. */
static bool p_thin(struct args *a)
{
	if (!dev(a) || !num(a, NULL))
		return false;
	if (more(a) && !dev(a))
		return false;
	return end(a);
}

static bool raid_param_hook(struct args *a, size_t end_pos)
{
	if (strcmp(a->argv[a->pos], "journal_dev"))
		return false;
	a->pos++;
	if (a->pos >= end_pos)
		return fail(a, "journal_dev without a device");
	return aside_dev(a);
}

/* <raid type> <#params> <params> <#devs> [<meta dev|-> <data dev|->]{#devs} */
static bool p_raid(struct args *a)
{
	uint64_t n, i;

	if (!any(a, NULL) || !group(a, raid_param_hook) || !num(a, &n))
		return false;
	if (!n)
		return fail(a, "zero raid devices");
	if (n > a->argc)
		return fail(a, "too few arguments for the number of raid devices");
	/* metadata slots (superblock and bitmap, or '-') stay aside */
	for (i = 0; i < n; i++)
		if (!aside_dev(a) || !dev_or_dash(a))
			return false;
	return end(a);
}

/*
 * dm-raid passes inline crypto only as raid1 or raid10, and not when the
 * table asks for raid1 write-behind (kernel-patches/dm-crypto/0021,
 * rs_passes_crypto()): it writes every leg from a copy of the data without
 * the encryption context. The kernel also refuses when write-behind is in
 * effect from an existing bitmap superblock, and checks the level a set
 * being taken over has now: only the metadata devices know those, so a
 * table without max_write_behind over such metadata, or a takeover into
 * raid1 or raid10, is predicted to pass. Called on parameters p_raid()
 * accepted.
 */
static bool raid_opts_out(char **argv, size_t argc)
{
	uint64_t n;
	size_t i;

	if (argc < 2 || (strcmp(argv[0], "raid1") && strcmp(argv[0], "raid10")))
		return true;
	if (dmcaps_parse_u64(argv[1], &n))
		return true;
	for (i = 2; i < 2 + n && i < argc; i++)
		if (!strcmp(argv[i], "max_write_behind"))
			return true;
	return false;
}

/* <metadata dev> <cache dev> <origin dev> <block size> <#features> <features>
 * <policy> <#policy args> <policy args> */
static bool p_cache(struct args *a)
{
	return dev(a) && dev(a) && dev(a) && num(a, NULL) && group(a, NULL) &&
	       any(a, NULL) && group(a, NULL) && end(a);
}

/* <p|s> <origin dev> <cache dev> <block size> <#features> <features> */
static bool p_writecache(struct args *a)
{
	const char *type;

	if (!any(a, &type))
		return false;
	if (strcmp(type, "p") && strcmp(type, "s"))
		return fail(a, "writecache type is not p or s");
	return dev(a) && dev(a) && num(a, NULL) && group(a, NULL) && end(a);
}

/* <metadata dev> <origin dev> <block size> */
static bool p_era(struct args *a)
{
	return dev(a) && dev(a) && num(a, NULL) && end(a);
}

static bool integrity_hook(struct args *a, size_t end_pos)
{
	const char *arg = a->argv[a->pos];

	if (strncmp(arg, "meta_device:", 12))
		return false;
	a->pos++;
	if (!arg[12])
		return fail(a, "meta_device: without a device");
	return push_dev(a, arg + 12);
}

/* <dev> <offset> <tag size> <mode> [<#opt> <opt>] (opt meta_device:<dev>) */
static bool p_integrity(struct args *a)
{
	return dev(a) && num(a, NULL) && any(a, NULL) && any(a, NULL) &&
	       opt_group(a, integrity_hook) && end(a);
}

static bool verity_hook(struct args *a, size_t end_pos)
{
	if (strcmp(a->argv[a->pos], "use_fec_from_device"))
		return false;
	a->pos++;
	if (a->pos >= end_pos)
		return fail(a, "use_fec_from_device without a device");
	return dev(a);
}

/* <version> <data dev> <hash dev> <data bs> <hash bs> <#data blocks>
 * <hash start> <algorithm> <digest> <salt> [<#opt> <opt>] */
static bool p_verity(struct args *a)
{
	return num(a, NULL) && dev(a) && dev(a) && num(a, NULL) && num(a, NULL) &&
	       num(a, NULL) && num(a, NULL) && any(a, NULL) && any(a, NULL) &&
	       any(a, NULL) && opt_group(a, verity_hook) && end(a);
}

/* <dev> <offset> <block size> */
static bool p_dust(struct args *a)
{
	return dev(a) && num(a, NULL) && num(a, NULL) && end(a);
}

/* <#stripes> <chunk size> <stripe #> <dev> <offset> */
static bool p_unstriped(struct args *a)
{
	return num(a, NULL) && num(a, NULL) && num(a, NULL) && dev(a) &&
	       num(a, NULL) && end(a);
}

/* <#paths> <region size> <#optional> <optional> [<dev> <offset>]{#paths} */
static bool p_switch(struct args *a)
{
	uint64_t n, i;

	if (!num(a, &n) || !num(a, NULL) || !group(a, NULL))
		return false;
	if (!n)
		return fail(a, "zero paths");
	if (n > a->argc)
		return fail(a, "too few arguments for the number of paths");
	for (i = 0; i < n; i++)
		if (!dev(a) || !num(a, NULL))
			return false;
	return end(a);
}

/*
 * <#features> <features> <#hw handler args> <hw handler args>
 * <#groups> <first group> then per group:
 *   <selector> <#selector args> <selector args> <#paths> <#path args>
 *   [<dev> <path args>]{#paths}
 */
static bool p_multipath(struct args *a)
{
	uint64_t ngroups, npaths, npargs, g, p, i;

	if (!group(a, NULL) || !group(a, NULL) || !num(a, &ngroups) ||
	    !num(a, NULL))
		return false;
	if (ngroups > a->argc)
		return fail(a, "too few arguments for the number of priority groups");
	for (g = 0; g < ngroups; g++) {
		if (!any(a, NULL) || !group(a, NULL) || !num(a, &npaths) ||
		    !num(a, &npargs))
			return false;
		if (npaths > a->argc || npargs > a->argc)
			return fail(a, "too few arguments for the announced paths");
		for (p = 0; p < npaths; p++) {
			if (!dev(a))
				return false;
			for (i = 0; i < npargs; i++)
				if (!any(a, NULL))
					return false;
		}
	}
	return end(a);
}

/* <dev> <log dev> */
static bool p_log_writes(struct args *a)
{
	return dev(a) && dev(a) && end(a);
}

/* <dev> <offset> [<emulated bs> [<underlying bs>]] */
static bool p_ebs(struct args *a)
{
	if (!dev(a) || !num(a, NULL))
		return false;
	if (more(a) && !num(a, NULL))
		return false;
	if (more(a) && !num(a, NULL))
		return false;
	return end(a);
}

/* <metadata dev> <destination dev> <source dev> <region size>
 * [<#features> <features> [<#core args> <core args>]] */
static bool p_clone(struct args *a)
{
	return dev(a) && dev(a) && dev(a) && num(a, NULL) &&
	       opt_group(a, NULL) && opt_group(a, NULL) && end(a);
}

/* ---- The table ---------------------------------------------------------- */

struct target_type {
	const char *name;
	/* DM_TARGET_PASSES_CRYPTO in stock Linux 6.12. */
	bool passes_6_12;
	/*
	 * The first version of the type that passes inline crypto on 6.12
	 * with our kernel-patches/ series: each of its DM_TARGET_PASSES_CRYPTO
	 * patches bumps the target's minor version, and that version is the
	 * marker userspace sees (DM_DEVICE_LIST_VERSIONS, `dmsetup targets`).
	 * { 0 }: the series does not make the type pass.
	 */
	unsigned int series_since[3];
	bool (*parse)(struct args *a);
};

static const struct target_type target_types[] = {
	{ "linear",		true,	{ 0 },		p_linear },
	{ "flakey",		true,	{ 0 },		p_flakey },
	{ "striped",		false,	{ 1, 7, 0 },	p_striped },
	{ "mirror",		false,	{ 0 },		p_mirror },
	{ "delay",		false,	{ 1, 5, 0 },	p_delay },
	{ "zero",		false,	{ 1, 3, 0 },	p_none },
	{ "error",		false,	{ 1, 8, 0 },	p_error },
	{ "crypt",		false,	{ 0 },		p_crypt },
	{ "snapshot",		false,	{ 0 },		p_snapshot },
	{ "snapshot-merge",	false,	{ 0 },		p_snapshot },
	{ "snapshot-origin",	false,	{ 0 },		p_one_dev },
	/* Upstream since 6.17 (2025); kernel-patches/dm-crypto/0017 backports it. */
	{ "thin-pool",		false,	{ 1, 24, 0 },	p_thin_pool },
	{ "thin",		false,	{ 1, 24, 0 },	p_thin },
	{ "raid",		false,	{ 1, 16, 0 },	p_raid },
	{ "cache",		false,	{ 0 },		p_cache },
	{ "writecache",		false,	{ 0 },		p_writecache },
	{ "era",		false,	{ 0 },		p_era },
	{ "integrity",		false,	{ 0 },		p_integrity },
	{ "verity",		false,	{ 0 },		p_verity },
	{ "dust",		false,	{ 1, 1, 0 },	p_dust },
	{ "unstriped",		false,	{ 1, 2, 0 },	p_unstriped },
	{ "switch",		false,	{ 1, 2, 0 },	p_switch },
	{ "multipath",		false,	{ 0 },		p_multipath },
	{ "log-writes",		false,	{ 0 },		p_log_writes },
	{ "ebs",		false,	{ 0 },		p_ebs },
	{ "clone",		false,	{ 0 },		p_clone },
};

static const struct target_type *type_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(target_types); i++)
		if (!strcmp(target_types[i].name, name))
			return &target_types[i];
	return NULL;
}

bool dmcaps_target_type_known(const char *type)
{
	return type && type_find(type);
}

/*
 * A patched kernel says itself which registered types pass crypto
 * (DM_CRYPTO_CAPS' target type list), which overrides the table below: it
 * may carry DM_TARGET_PASSES_CRYPTO patches we do not know of. A type it
 * does not list (its module not loaded yet) and a kernel without the ioctl
 * leave the answer to the table.
 */
static int kernel_reported_passes(struct dmcaps_ctx *ctx, const char *type,
				  enum dmcaps_passes *passes)
{
	if (!ctx)
		return -ENOTSUP;
	return dmcaps_kernel_type_passes(ctx, type, passes);
}

/* ---- The running kernel's target versions ------------------------------- */

struct dmcaps_tversion {
	char *name;
	unsigned int v[3];
};

void dmcaps_tversions_free(struct dmcaps_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->ntversions; i++)
		free(ctx->tversions[i].name);
	free(ctx->tversions);
	ctx->tversions = NULL;
	ctx->ntversions = 0;
}

/*
 * Parses `dmsetup targets` output: "NAME vX.Y.Z" per line, blanks between.
 * Lines that do not have this form are skipped (logged).
 */
static int tversions_parse(struct dmcaps_ctx *ctx, const char *text)
{
	const char *line = text, *nl;
	char name[128];
	unsigned int v[3];
	char extra;
	struct dmcaps_tversion *n;
	size_t len;
	char *buf;

	for (; *line; line = nl + !!*nl) {
		nl = strchrnul(line, '\n');
		len = (size_t)(nl - line);
		buf = strndup(line, len);
		if (!buf)
			return -ENOMEM;
		if (sscanf(buf, "%127s v%u.%u.%u %c", name, &v[0], &v[1], &v[2],
			   &extra) != 4) {
			if (strspn(buf, " \t") != len)
				log_verbose(ctx, "target version line not understood: %s", buf);
			free(buf);
			continue;
		}
		free(buf);
		n = realloc(ctx->tversions, (ctx->ntversions + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ctx->tversions = n;
		n = &ctx->tversions[ctx->ntversions];
		n->name = strdup(name);
		if (!n->name)
			return -ENOMEM;
		memcpy(n->v, v, sizeof(v));
		ctx->ntversions++;
	}
	return 0;
}

/*
 * Reads, once per context, the running kernel's target versions on a 6.12.y
 * kernel (release.c): from the kernel (root needed for
 * DM_DEVICE_LIST_VERSIONS) when the sysroot is "/", else from the fixture
 * file <sysroot>/dmcaps/targets (in `dmsetup targets` format). Anything
 * unreadable leaves no versions: the caller then trusts stock 6.12 only.
 */
static void tversions_read(struct dmcaps_ctx *ctx)
{
	char *path, *text = NULL;
	int err;

	if (ctx->tversions_read)
		return;
	ctx->tversions_read = true;

	ctx->series_kernel = dmcaps_kernel_is_6_12(ctx);
	if (!ctx->series_kernel)
		return;

	if (ctx->running_system) {
		err = dmcaps_dm_target_versions(ctx, &text);
	} else {
		path = dmcaps_root_path(ctx, "/dmcaps/targets");
		if (!path)
			return;
		err = dmcaps_read_small_file(path, 64 * 1024, &text);
		free(path);
	}
	if (err) {
		log_dbg(ctx, "target versions unknown: %s", strerror(-err));
		return;
	}
	if (tversions_parse(ctx, text))
		dmcaps_tversions_free(ctx);
	free(text);
}

static bool version_at_least(const unsigned int v[3], const unsigned int min[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (v[i] != min[i])
			return v[i] > min[i];
	return true;
}

/*
 * Whether the running kernel carries our series' DM_TARGET_PASSES_CRYPTO
 * patch for @tt: a 6.12.y kernel whose @tt has at least the version that
 * patch introduced. Only on 6.12.y: later kernels bump target versions for
 * their own reasons (upstream's striped and zero, say, need not mean "passes
 * crypto" at our numbers), so there only stock 6.12's answer, linear and
 * flakey, is trusted. The same holds, with less risk, for a 6.12.y stable
 * release that backports an unrelated version bump.
 */
static bool series_passes(struct dmcaps_ctx *ctx, const struct target_type *tt)
{
	size_t i;

	if (!ctx || !tt->series_since[0])
		return false;
	tversions_read(ctx);
	if (!ctx->series_kernel)
		return false;
	for (i = 0; i < ctx->ntversions; i++)
		if (!strcmp(ctx->tversions[i].name, tt->name))
			return version_at_least(ctx->tversions[i].v, tt->series_since);
	return false;
}

DMCAPS_EXPORT enum dmcaps_passes dmcaps_target_type_passes(struct dmcaps_ctx *ctx,
							   const char *type)
{
	const struct target_type *tt;
	enum dmcaps_passes passes;

	if (!type)
		return DMCAPS_PASSES_UNKNOWN_TYPE;
	if (!kernel_reported_passes(ctx, type, &passes))
		return passes;
	tt = type_find(type);
	if (!tt)
		return DMCAPS_PASSES_UNKNOWN_TYPE;
	if (tt->passes_6_12 || series_passes(ctx, tt))
		return DMCAPS_PASSES_YES;
	return DMCAPS_PASSES_NO;
}

/*
 * A patched kernel flags the types whose targets may opt out
 * (DM_CRYPTO_TARGET_PER_INSTANCE); without its answer, the types whose
 * parameters this library knows to opt out: only dm-raid.
 */
DMCAPS_EXPORT bool dmcaps_target_type_per_instance(struct dmcaps_ctx *ctx,
						   const char *type)
{
	bool per_instance;

	if (!type)
		return false;
	if (ctx && !dmcaps_kernel_type_per_instance(ctx, type, &per_instance))
		return per_instance;
	return !strcmp(type, "raid") &&
	       dmcaps_target_type_passes(ctx, type) == DMCAPS_PASSES_YES;
}

/*
 * A target of a passing type that does not pass with these parameters (the
 * kernel's crypto_passthrough_off, kernel-patches/dm-crypto/0020): only dm-raid.
 */
bool dmcaps_target_opts_out(const char *type, char **argv, size_t argc)
{
	return type && !strcmp(type, "raid") && raid_opts_out(argv, argc);
}

static int type_devs(const struct target_type *tt, char **argv, size_t argc,
		     const char ***devs, size_t *ndevs, const char **why)
{
	struct args a = { .argv = argv, .argc = argc };

	*devs = NULL;
	*ndevs = 0;
	*why = NULL;
	if (!tt)
		return -ENOENT;
	if (!tt->parse(&a) || a.why) {
		*why = a.why ?: "malformed parameters";
		free(a.devs);
		return strcmp(*why, "out of memory") ? -EINVAL : -ENOMEM;
	}
	*devs = a.devs;
	*ndevs = a.ndevs;
	return 0;
}

int dmcaps_target_type_devs(const char *type, char **argv, size_t argc,
			    const char ***devs, size_t *ndevs, const char **why)
{
	return type_devs(type_find(type), argv, argc, devs, ndevs, why);
}

/* ---- Target types met in tables, resolved once per context -------------- */

/*
 * A table of 10,000 lines names two or three types: each is looked up in
 * the type table above (a string compare per entry), in the kernel's type
 * list and in its version list once per context, not once per line, and a
 * line then costs one hash of its type name and the compare that confirms
 * the hit.
 */
struct dmcaps_ttype {
	const struct target_type *tt;	/* NULL: a type we do not know */
	enum dmcaps_passes passes;
	bool raid;
	char name[];
};

static bool ttype_match(const void *val, const void *key)
{
	return !strcmp(((const struct dmcaps_ttype *)val)->name, key);
}

const struct dmcaps_ttype *dmcaps_ttype_get(struct dmcaps_ctx *ctx,
					    const char *type)
{
	uint64_t h = dmcaps_hash_str(type);
	struct dmcaps_ttype *t;
	size_t len = strlen(type);

	t = dmcaps_index_get(&ctx->ttypes, h, ttype_match, type);
	if (t)
		return t;
	t = malloc(sizeof(*t) + len + 1);
	if (!t)
		return NULL;
	memcpy(t->name, type, len + 1);
	t->tt = type_find(type);
	t->passes = dmcaps_target_type_passes(ctx, type);
	t->raid = !strcmp(type, "raid");
	if (dmcaps_index_put(&ctx->ttypes, h, t)) {
		free(t);
		return NULL;
	}
	return t;
}

enum dmcaps_passes dmcaps_ttype_passes(const struct dmcaps_ttype *t)
{
	return t->passes;
}

bool dmcaps_ttype_known(const struct dmcaps_ttype *t)
{
	return t->tt;
}

int dmcaps_ttype_devs(const struct dmcaps_ttype *t, char **argv, size_t argc,
		      const char ***devs, size_t *ndevs, const char **why)
{
	return type_devs(t->tt, argv, argc, devs, ndevs, why);
}

bool dmcaps_ttype_opts_out(const struct dmcaps_ttype *t, char **argv,
			   size_t argc)
{
	return t->raid && raid_opts_out(argv, argc);
}

void dmcaps_targets_free_ctx(struct dmcaps_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->ttypes.cap; i++)
		free(ctx->ttypes.slots[i].val);
	dmcaps_index_free(&ctx->ttypes);
}
