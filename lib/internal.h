/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef _DMCAPS_INTERNAL_H
#define _DMCAPS_INTERNAL_H

#include <stdarg.h>
#include "libdmcaps.h"

#define DMCAPS_EXPORT __attribute__((visibility("default")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The objects libdmcaps.h declares opaque (issue 13.3): callers read them
 * through accessors (accessors.c), so that a field can be added or changed
 * without breaking the ABI. The library and its unit tests see inside.
 */
struct dmcaps_delta {
	enum dmcaps_delta_kind kind;
	const char *mode;	/* MODE, DATA_UNIT_SIZES; NULL for DUN_BYTES */
	uint32_t dus_mask;	/* the sizes @have has and @other lacks */
	unsigned int dun_have;	/* DUN_BYTES: @have's width ... */
	unsigned int dun_other;	/* ... and @other's, which is smaller */
};

struct dmcaps_diff {
	struct dmcaps_delta *deltas;
	size_t count;
};

/* dmcaps_set_diff() as a plain array of *count deltas to free() (NULL when
 * there is none), for the library's own callers. */
int dmcaps_set_diff_array(const struct dmcaps_set *have,
			  const struct dmcaps_set *other,
			  struct dmcaps_delta **deltas, size_t *count);

struct dmcaps_kernel_target {
	uint64_t start;		/* sectors */
	uint64_t length;
	const char *type;
	bool passes;		/* DM_TARGET_PASSES_CRYPTO */
	size_t first_dev;	/* its devices: [first_dev, first_dev + ndevs) */
	size_t ndevs;
};

struct dmcaps_kernel_dev {
	dev_t devno;
	size_t target;		/* index of the target using it */
	const struct dmcaps_set *caps;
};

/* The reason's strings are owned by its prediction, @dev by the context. */
struct dmcaps_reason {
	enum dmcaps_cause cause;
	size_t target_index;		/* the target it comes from, from 0 */
	const char *target_type;
	struct dmcaps_dev *dev;		/* DEVICE_* causes; NULL otherwise */
	struct dmcaps_delta delta;	/* DEVICE_LACKS, _FALLBACK: what */
};

struct dmcaps_change {
	bool gained;			/* false: lost */
	struct dmcaps_delta delta;	/* its mode points into the verdict */
	const struct dmcaps_reason *reason;	/* borrowed from the verdict */
};

struct dmcaps_load_state {
	bool created;		/* the device was created by this call */
	bool exists;		/* it exists now */
	bool live_table;	/* it has a live table now */
	bool inactive_table;	/* it has an inactive table now */
	bool suspended;		/* it is suspended now */
	bool resumed;		/* the new table is live */
	int failed_step;	/* 0, or DMCAPS_LOAD_STEP_* of the failure */
	int kernel_errno;	/* the ioctl's errno for that step */
};

/* How a key was set up for I/O (dmcaps_evict_key()'s arguments). */
struct dmcaps_key_config {
	const char *mode;
	unsigned int data_unit_size;
	unsigned int dun_bytes;
};

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

	/* A partition whose disk the sysfs layout did not reveal: the disk
	 * name was guessed from the partition's. */
	bool parent_guessed;

	/* kcaps.c: the live table's DM_CRYPTO_CAPS answer, asked once per
	 * context (shared: reference counted). */
	bool kcaps_live_read;
	int kcaps_live_err;
	struct dmcaps_kernel_caps *kcaps_live;
};

/* ---- index.c ------------------------------------------------------------ */

struct dmcaps_index_slot {
	uint64_t hash;
	void *val;		/* NULL: free slot */
};

struct dmcaps_index {
	struct dmcaps_index_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t count;
};

uint64_t dmcaps_hash_str(const char *s);
uint64_t dmcaps_hash_u64(uint64_t x);
/* Adds @val (not NULL) under @hash; duplicates are the caller's to avoid. */
int dmcaps_index_put(struct dmcaps_index *ix, uint64_t hash, void *val);
/* The first value under @hash for which @match(val, @key) holds. */
void *dmcaps_index_get(const struct dmcaps_index *ix, uint64_t hash,
		       bool (*match)(const void *val, const void *key),
		       const void *key);
/* Frees the slots, not the values. */
void dmcaps_index_free(struct dmcaps_index *ix);

struct dm_ioctl;
struct ktype;

struct dmcaps_ctx {
	char *sysroot;		/* "/" for the running system, no trailing '/' otherwise */
	bool running_system;
	dmcaps_log_fn log_fn;
	void *log_usrptr;

	/*
	 * Devices (device.c): every device met so far, owned here and indexed
	 * by number, kernel name and DM name, resolved one by one as they are
	 * asked for; the whole list only when asked for (dmcaps_dev_list()).
	 */
	struct dmcaps_dev **known;
	size_t nknown;
	struct dmcaps_index by_devno, by_kname, by_dm_name;
	struct dmcaps_index specs;	/* resolved specifications */
	int sys_dev_block;		/* <sysroot>/sys/dev/block: 0 unknown,
					   1 present, -1 absent (fixtures) */
	bool devs_read;
	struct dmcaps_dev **devs;	/* the list, in kernel-name order */
	size_t ndevs;

	/* device-mapper (control.c): asked once per context */
	int dm_state;			/* 0 unknown, 1 present, -ENOTSUP */
	int control_fd;			/* -1: not open (yet) */
	int control_err;		/* why it could not be opened */
	bool perm_said;			/* "needs root" said (dm.c), once */
	bool nodm_said;			/* "no device-mapper" said, once */

	/* The kernel's release (release.c), read once */
	bool release_read;
	char *release;			/* NULL: unknown */
	unsigned int release_v[2];	/* major, minor */

	/* The kernel's target versions (targets.c), read once */
	bool tversions_read;
	bool series_kernel;	/* 6.12.y: our series' version markers apply */
	struct dmcaps_tversion *tversions;
	size_t ntversions;

	/* Target types met in tables (targets.c): name -> description */
	struct dmcaps_index ttypes;

	/* DM_CRYPTO_CAPS (kcaps.c): probed once; the target type list */
	bool kcaps_probed;
	int kcaps_err;		/* 0: the kernel has it; -ENOTTY: it has not */
	struct ktype *ktypes;
	size_t nktypes;
	/* Unit tests: replaces the ioctl (NULL: the real one). */
	int (*kcaps_call)(struct dmcaps_ctx *ctx, struct dm_ioctl *dmi);
	/* Tests: the largest answer accepted (0: KCAPS_MAX_SIZE), so that a
	 * fuzzer's retries do not allocate 256 MiB each. */
	size_t kcaps_max_size;
	/* Unit tests: replaces DM_VERSION (NULL: the real one, or with
	 * kcaps_call set, the series' interface version). */
	int (*kversion_call)(struct dmcaps_ctx *ctx, uint32_t version[3]);
};

/* The longest message the log callback gets, in bytes. */
#define DMCAPS_LOG_MAX	1024
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

/* The largest errno Linux returns (include/linux/err.h MAX_ERRNO). */
#define DMCAPS_ERRNO_MAX	4095

/* Reads a small text file (at most @max bytes), NUL-terminated, with one
 * trailing newline removed. -errno; -EFBIG when longer than @max. */
int dmcaps_read_small_file(const char *path, size_t max, char **text);

/* release.c: the running kernel's release and what it implies */
int dmcaps_release_parse(const char *text, unsigned int v[2]);
const char *dmcaps_kernel_release(struct dmcaps_ctx *ctx, unsigned int v[2]);
bool dmcaps_kernel_is_6_12(struct dmcaps_ctx *ctx);
bool dmcaps_kernel_lacks_sysfs_crypto(struct dmcaps_ctx *ctx);
/* Strict decimal / "MAJ:MIN" parsers: whole string, no sign, no blanks. */
int dmcaps_parse_u64(const char *s, uint64_t *v);
int dmcaps_parse_u32(const char *s, uint32_t *v);
int dmcaps_parse_devno(const char *s, dev_t *devno);
/*
 * Room for @need elements of @size bytes in @arr, which has room for *cap:
 * grows geometrically, so that appending n elements one at a time costs
 * O(n) copies (a 100,000-line table under ASan or valgrind). Returns the
 * array, perhaps moved, with *cap updated; NULL on overflow or ENOMEM,
 * @arr then untouched.
 */
void *dmcaps_grow(void *arr, size_t *cap, size_t need, size_t size);
/*
 * Key material: a dm-crypt table holds its key in its parameters, so every
 * buffer that held table text, parameters or arguments split from them is
 * wiped before it is freed (explicit_bzero, not optimised away).
 */
void dmcaps_wipe(void *p, size_t n);
/* Wipes the string (to its NUL) and frees it; NULL is fine. */
void dmcaps_wipe_free_str(char *s);
/* asprintf() that returns NULL on failure. */
char *dmcaps_strdup_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Splits @text at blanks the way the kernel's dm_split_args() does ('\'
 * escapes the next character). *argv and its strings in one allocation:
 * dmcaps_args_free(). */
int dmcaps_split_args(const char *text, char ***argv, size_t *argc);
/* Wipes the argument strings (they may hold a key) and frees @argv. */
void dmcaps_args_free(char **argv);

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

/* ---- control.c ---------------------------------------------------------- */

/*
 * /dev/mapper/control, opened at the first raw DM ioctl of a context and
 * kept open until dmcaps_free(): -ENOTSUP without device-mapper (or on
 * another sysroot), -EACCES/-EPERM without privilege, each remembered.
 */
int dmcaps_control_fd(struct dmcaps_ctx *ctx);
void dmcaps_control_close(struct dmcaps_ctx *ctx);
/* Whether this kernel has device-mapper, looked at once (no message). */
bool dmcaps_dm_present(struct dmcaps_ctx *ctx);

/* One DM device as DM_LIST_DEVICES / DM_DEV_STATUS name it; @name and
 * @uuid (NULL: none) as the kernel holds them (mangled). */
typedef int (*dmcaps_dm_entry_fn)(struct dmcaps_ctx *ctx, dev_t devno,
				  const char *name, const char *uuid, void *arg);
/* Every DM device, in one DM_LIST_DEVICES ioctl. */
int dmcaps_dm_list(struct dmcaps_ctx *ctx, dmcaps_dm_entry_fn fn, void *arg);
/* The DM device whose kernel name is @name (DM_DEV_STATUS): -ENODEV when
 * there is none. */
int dmcaps_dm_by_name(struct dmcaps_ctx *ctx, const char *name,
		      dmcaps_dm_entry_fn fn, void *arg);

/* ---- device.c ----------------------------------------------------------- */

void dmcaps_devs_free(struct dmcaps_ctx *ctx);
struct dmcaps_dev *dmcaps_dev_find_kname(struct dmcaps_ctx *ctx, const char *kname);
struct dmcaps_dev *dmcaps_dev_find_dm_name(struct dmcaps_ctx *ctx, const char *name);
/* A device already known to the context by number (no I/O), or NULL. */
struct dmcaps_dev *dmcaps_dev_known(struct dmcaps_ctx *ctx, dev_t devno);
/* The device of number @devno, read if not known yet; NULL (no message)
 * when there is none. */
struct dmcaps_dev *dmcaps_dev_find_devno(struct dmcaps_ctx *ctx, dev_t devno);
/* dmcaps_dev_lookup() without a message, for callers that say themselves
 * what the failure means. */
int dmcaps_dev_resolve(struct dmcaps_ctx *ctx, const char *spec,
		       struct dmcaps_dev **dev);
void dmcaps_dev_lookup_failed(struct dmcaps_ctx *ctx, const char *spec, int err);

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

/* A target type as tables name it, resolved once per context (the calls
 * above, answered from that record); NULL only when out of memory. */
struct dmcaps_ttype;
const struct dmcaps_ttype *dmcaps_ttype_get(struct dmcaps_ctx *ctx,
					    const char *type);
enum dmcaps_passes dmcaps_ttype_passes(const struct dmcaps_ttype *t);
bool dmcaps_ttype_known(const struct dmcaps_ttype *t);
int dmcaps_ttype_devs(const struct dmcaps_ttype *t, char **argv, size_t argc,
		      const char ***devs, size_t *ndevs, const char **why);
bool dmcaps_ttype_opts_out(const struct dmcaps_ttype *t, char **argv,
			   size_t argc);
void dmcaps_targets_free_ctx(struct dmcaps_ctx *ctx);

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
int dmcaps_kernel_type_per_instance(struct dmcaps_ctx *ctx, const char *type,
				    bool *per_instance);
int dmcaps_kernel_type_passes(struct dmcaps_ctx *ctx, const char *type,
			      enum dmcaps_passes *passes);
void dmcaps_kcaps_free_ctx(struct dmcaps_ctx *ctx);
/* @dev's capabilities (and those of the devices below it) from its live
 * table's DM_CRYPTO_CAPS answer; an error: read sysfs instead. */
int dmcaps_kcaps_fill_caps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev);
/* Whether the table the answer describes was loaded with crypto_fallback:
 * 0 or 1, or -1 when the kernel does not say (answer version 1). */
int dmcaps_kcaps_table_fallback(const struct dmcaps_kernel_caps *kc);

/* ---- kcaps-reply.c ------------------------------------------------------ */

struct dm_crypto_caps;
/*
 * The answer in a DM_CRYPTO_CAPS parameter block of @bufsize bytes (the
 * size we allocated, whatever the block says), every offset, size, count
 * and index checked; @types: the target type query's answer is expected.
 * NULL with *why (a constant) when malformed.
 */
const struct dm_crypto_caps *dmcaps_kcaps_reply(const struct dm_ioctl *dmi,
						size_t bufsize, bool types,
						const char **why);
/* After DM_BUFFER_FULL_FLAG: the size of the next buffer (*next); -E2BIG
 * beyond @max, -EBADMSG for a malformed block (*why set either way). */
int dmcaps_kcaps_reply_next_size(const struct dm_ioctl *dmi, size_t bufsize,
				 size_t max, size_t *next, const char **why);

/* ---- table.c ------------------------------------------------------------ */

struct dmcaps_target {
	uint64_t start;
	uint64_t length;
	char *type;
	char *params;
	enum dmcaps_passes passes;
	struct dmcaps_dev **devs;
	size_t ndevs, devs_cap;
};

struct dmcaps_table {
	struct dmcaps_target *targets;
	size_t ntargets, cap;
	/* The DM device the table is (or would be) loaded into, and whether
	 * it has crypto_fallback set: the table then exposes the union of its
	 * devices' capabilities and of what @dev exposes already. */
	struct dmcaps_dev *dev;
	bool crypto_fallback;
};

/* Sets @table's device and its crypto_fallback switch (read from sysfs):
 * what a table loaded now would do. */
int dmcaps_table_bind_dev(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
			  struct dmcaps_dev *dev);
/* The same for @dev's live table as the kernel holds it: its own mode,
 * from DM_CRYPTO_CAPS where the kernel reports it, else from sysfs. */
int dmcaps_table_bind_live(struct dmcaps_ctx *ctx, struct dmcaps_table *table,
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

#include "kabi-blk-crypto.h"
/* The kernel request for @cfg and @key, with room for @nentries failures
 * at @entries. -EINVAL when @cfg's mode does not fit the request. */
int dmcaps_evict_arg_build(const struct dmcaps_key_config *cfg,
			   const struct dmcaps_key *key,
			   struct blk_crypto_evict_key_arg *arg,
			   struct blk_crypto_evict_failure *entries,
			   size_t nentries);
/*
 * Reads the kernel's answer in @arg and the @nentries failure records it
 * was given room for into @res: counts as they are, at most @nentries
 * records, every record's error a negative errno (-EBADMSG for a value
 * out of errno's range). @entries may be @res's own.
 */
/* Failures the kernel reports by device; more are only counted. */
#define DMCAPS_EVICT_FAILURE_ENTRIES	64
struct dmcaps_evict_result {
	unsigned int evicted;
	unsigned int busy;
	unsigned int devices;
	unsigned int failures;
	size_t nentries;
	struct blk_crypto_evict_failure entries[DMCAPS_EVICT_FAILURE_ENTRIES];
};
void dmcaps_evict_reply(const struct blk_crypto_evict_key_arg *arg,
			struct blk_crypto_evict_failure *entries,
			size_t nentries, struct dmcaps_evict_result *res);

#endif
