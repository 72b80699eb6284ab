/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef _DMCAPS_INTERNAL_H
#define _DMCAPS_INTERNAL_H

#include <stdarg.h>
#include "libdmcaps.h"

#define DMCAPS_EXPORT __attribute__((visibility("default")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- context.c ---------------------------------------------------------- */

struct dmcaps_dev {
	char *kname;		/* "sda1", "dm-0" */
	char *path;		/* "/dev/sda1" */
	dev_t devno;
	bool is_partition;
	char *parent;		/* disk kname for a partition, else NULL */
	char *dm_name;
	char *dm_uuid;

	/* Capabilities cache (dmcaps_dev_caps) */
	bool caps_read;
	int caps_err;
	struct dmcaps_set *caps;

	/* A DM device without queue/crypto: what its live table exposes
	 * (predict.c), read once; @predicting breaks cycles. */
	bool table_caps_read;
	bool predicting;
	struct dmcaps_set *table_caps;

	/* verdict.c: sysfs corrected by the live table (6.12 hides modes a
	 * DM device gains after registration), done once. */
	bool verdict_fixed;
	bool verdict_corrected;	/* and its cached caps were replaced */
};

struct dm_ioctl;
struct ktype;

struct dmcaps_ctx {
	char *sysroot;		/* "/" for the running system, no trailing '/' otherwise */
	bool running_system;
	dmcaps_log_fn log_fn;
	void *log_usrptr;

	/* Device list cache (device.c) */
	bool devs_read;
	struct dmcaps_dev **devs;
	size_t ndevs;

	/* The kernel's target versions (targets.c), read once */
	bool tversions_read;
	bool series_kernel;	/* 6.12.y: our series' version markers apply */
	struct dmcaps_tversion *tversions;
	size_t ntversions;

	/* DM_CRYPTO_CAPS (kcaps.c): probed once; the target type list */
	bool kcaps_probed;
	int kcaps_err;		/* 0: the kernel has it; -ENOTTY: it has not */
	struct ktype *ktypes;
	size_t nktypes;
	/* Unit tests: replaces the ioctl (NULL: the real one). */
	int (*kcaps_call)(struct dmcaps_ctx *ctx, struct dm_ioctl *dmi);
};

void dmcaps_log(struct dmcaps_ctx *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dmcaps_vlog(struct dmcaps_ctx *ctx, int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_err(ctx, ...)	dmcaps_log(ctx, DMCAPS_LOG_ERROR, __VA_ARGS__)
#define log_warn(ctx, ...)	dmcaps_log(ctx, DMCAPS_LOG_WARNING, __VA_ARGS__)
#define log_verbose(ctx, ...)	dmcaps_log(ctx, DMCAPS_LOG_VERBOSE, __VA_ARGS__)
#define log_dbg(ctx, ...)	dmcaps_log(ctx, DMCAPS_LOG_DEBUG, __VA_ARGS__)

/* malloc()ed "<sysroot><path>"; @path starts with '/'. NULL on ENOMEM. */
char *dmcaps_root_path(const struct dmcaps_ctx *ctx, const char *path);

/* ---- util.c ------------------------------------------------------------- */

/* Reads a small text file (at most @max bytes), NUL-terminated, with one
 * trailing newline removed. -errno; -EFBIG when longer than @max. */
int dmcaps_read_small_file(const char *path, size_t max, char **text);
/* Strict decimal / "MAJ:MIN" parsers: whole string, no sign, no blanks. */
int dmcaps_parse_u64(const char *s, uint64_t *v);
int dmcaps_parse_u32(const char *s, uint32_t *v);
int dmcaps_parse_devno(const char *s, dev_t *devno);
/* asprintf() that returns NULL on failure. */
char *dmcaps_strdup_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Splits @text at blanks the way the kernel's dm_split_args() does ('\'
 * escapes the next character). *argv and its strings in one allocation:
 * free(*argv). */
int dmcaps_split_args(const char *text, char ***argv, size_t *argc);

/* ---- caps.c ------------------------------------------------------------- */

#define DMCAPS_NUM_KNOWN_MODES 4
extern const char *const dmcaps_known_modes[DMCAPS_NUM_KNOWN_MODES];
/* Strict "0x..." (1..32 bits) as sysfs and our text form write masks. */
int dmcaps_parse_hex_mask(const char *s, uint32_t *mask);
bool dmcaps_set_identical(const struct dmcaps_set *a, const struct dmcaps_set *b);
/* @dst := @dst ∪ @other (per mode OR, maximum DUN). */
int dmcaps_set_union(struct dmcaps_set *dst, const struct dmcaps_set *other);

/* ---- sysfs.c ------------------------------------------------------------ */

/* Reads <dir> (a queue/crypto directory). *caps NULL when absent. */
int dmcaps_sysfs_read_crypto_dir(struct dmcaps_ctx *ctx, const char *dir,
				 struct dmcaps_set **caps);

/* ---- device.c ----------------------------------------------------------- */

void dmcaps_devs_free(struct dmcaps_ctx *ctx);
struct dmcaps_dev *dmcaps_dev_find_kname(struct dmcaps_ctx *ctx, const char *kname);
struct dmcaps_dev *dmcaps_dev_find_dm_name(struct dmcaps_ctx *ctx, const char *name);

/* ---- targets.c ---------------------------------------------------------- */

/*
 * Whether a target of @type with these parameters (which
 * dmcaps_target_type_devs() accepted) stays out of inline crypto although
 * its type passes, e.g. dm-raid levels other than 1 and 10.
 */
bool dmcaps_target_opts_out(const char *type, char **argv, size_t argc);

/*
 * Extracts the device arguments of a target's parameters. Returns 0 with
 * *devs (pointers into @argv, deduplicated by string) for a known type;
 * -EINVAL with *why set to a static/constant description of the fault;
 * -ENOENT for an unknown type (no devices known from the parameters).
 * *devs is malloc()ed (may be NULL when *ndevs is 0). The devices are those
 * the target's iterate_devices names, which DM intersects: a thin-pool's or
 * raid set's metadata devices and a raid journal are left out.
 */
int dmcaps_target_type_devs(const char *type, char **argv, size_t argc,
			    const char ***devs, size_t *ndevs, const char **why);
bool dmcaps_target_type_known(const char *type);
void dmcaps_tversions_free(struct dmcaps_ctx *ctx);

/* ---- dm.c --------------------------------------------------------------- */

/* The kernel's target types and versions (DM_DEVICE_LIST_VERSIONS) as
 * malloc()ed text in `dmsetup targets` format. Running system only. */
/*
 * libdevmapper sessions (dm.c): libdm's messages go to @ctx's log between
 * enter and leave (debug messages never: they may echo keys); the errno of
 * a failed task; whether this process may use /dev/mapper/control.
 */
struct dm_task;
void dmcaps_dm_enter(struct dmcaps_ctx *ctx);
void dmcaps_dm_leave(void);
int dmcaps_dm_task_errno(struct dm_task *dmt, int saved);
int dmcaps_dm_control_access(struct dmcaps_ctx *ctx);
int dmcaps_dm_target_versions(struct dmcaps_ctx *ctx, char **text);

/* ---- kcaps.c ------------------------------------------------------------ */

/* Whether the running kernel's DM_CRYPTO_CAPS says @type passes inline
 * crypto: 0 and *passes; -ENOENT when the type is not registered; the
 * error of dmcaps_kernel_caps_available() when there is no kernel answer. */
int dmcaps_kernel_type_passes(struct dmcaps_ctx *ctx, const char *type,
			      enum dmcaps_passes *passes);
void dmcaps_kcaps_free_ctx(struct dmcaps_ctx *ctx);

/* ---- table.c ------------------------------------------------------------ */

struct dmcaps_target {
	uint64_t start;
	uint64_t length;
	char *type;
	char *params;
	enum dmcaps_passes passes;
	struct dmcaps_dev **devs;
	size_t ndevs;
};

struct dmcaps_table {
	struct dmcaps_target *targets;
	size_t ntargets;
	/* The DM device the table is (or would be) loaded into, and whether
	 * it has crypto_fallback set: the table then exposes the union of its
	 * devices' capabilities and of what @dev exposes already. */
	struct dmcaps_dev *dev;
	bool crypto_fallback;
};

/* Sets @table's device and its crypto_fallback switch (read from sysfs). */
int dmcaps_table_bind_dev(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
			  struct dmcaps_dev *dev);

int dmcaps_table_new(struct dmcaps_table **table);
/* Appends a target: parses @params per @type; for unknown types the
 * devices are @extra_devs (DM_TABLE_DEPS), if given. @line numbers the
 * log messages (0: none). */
int dmcaps_table_add_target(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
			    unsigned int line, uint64_t start, uint64_t length,
			    const char *type, const char *params,
			    struct dmcaps_dev **extra_devs, size_t nextra);

/* ---- key.c, evict.c ---------------------------------------------------- */

/* A raw key's bytes (dmcaps_key_size() of them); NULL for a keyring key. */
const void *dmcaps_key_bytes(const struct dmcaps_key *key);

struct blk_crypto_evict_key_arg;
struct blk_crypto_evict_failure;
/* The kernel request for @cfg and @key, with room for @nentries failures
 * at @entries. -EINVAL when @cfg's mode does not fit the request. */
int dmcaps_evict_arg_build(const struct dmcaps_key_config *cfg,
			   const struct dmcaps_key *key,
			   struct blk_crypto_evict_key_arg *arg,
			   struct blk_crypto_evict_failure *entries,
			   size_t nentries);

#endif
