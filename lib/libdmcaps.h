/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmcaps - inline-encryption capabilities of block and device-mapper devices
 *
 * Inspect what a block device's inline-encryption hardware supports (through
 * blk-crypto, as sysfs and, on a patched kernel, the DM capability ioctl show
 * it), predict what a device-mapper table exposes on top of its devices, and
 * explain every capability that a table or a device removes.
 *
 * Conventions, as in libcryptsetup:
 *  - every call that can fail returns 0 or a negative errno;
 *  - the library never prints: messages go to the context's log callback,
 *    one line each, "SUBJECT: what is wrong" as a tool prints it, and each
 *    failure is logged once, by the call that found it;
 *  - objects are opaque; getters return borrowed pointers whose lifetime is
 *    that of the object they were taken from, unless said otherwise.
 *
 * Errors with a fixed meaning across the whole API:
 *  -EINVAL     malformed input from the caller (a capability string, a
 *              table line, a device specification)
 *  -ENODEV     the device does not exist
 *  -ENOTSUP    the running kernel has no device-mapper (DM calls only)
 *  -EACCES / -EPERM   not allowed (device-mapper needs root)
 *  -EBADMSG    the kernel said something the library cannot parse (a
 *              malformed sysfs value); the log names the file
 *  -ENODATA    the asked-for thing is absent (no inactive table, say)
 *  -EMEDIUMTYPE  not a device-mapper device where one is needed
 *  -ENOMEM     out of memory
 */
#ifndef _LIBDMCAPS_H
#define _LIBDMCAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * The context holds the sysroot, the log callback, and per-run caches: the
 * list of block devices, each device's capabilities and DM information are
 * read once per context, so a caller that walks a whole stack reads sysfs and
 * asks device-mapper once per device. Create a new context to see changes.
 */
struct dmcaps_ctx;

/*
 * @sysroot: NULL or "/" for the running system; otherwise a directory that
 * holds a snapshot of sys/ and dev/ (tests, inspecting another root).
 * Device-mapper is only asked when the sysroot is the running system.
 */
int dmcaps_init(struct dmcaps_ctx **ctx, const char *sysroot);
void dmcaps_free(struct dmcaps_ctx *ctx);
const char *dmcaps_get_sysroot(const struct dmcaps_ctx *ctx);

#define DMCAPS_LOG_ERROR	1
#define DMCAPS_LOG_WARNING	2
#define DMCAPS_LOG_VERBOSE	3
#define DMCAPS_LOG_DEBUG	4

/* @msg has no trailing newline. */
typedef void (*dmcaps_log_fn)(int level, const char *msg, void *usrptr);

/* Without a callback, messages are dropped. */
void dmcaps_set_log_callback(struct dmcaps_ctx *ctx, dmcaps_log_fn fn,
			     void *usrptr);

/* The library's version string, e.g. "0.1.0". */
const char *dmcaps_version(void);

/* ------------------------------------------------------------------------ */
/* Capability sets                                                          */
/* ------------------------------------------------------------------------ */

/*
 * A set of inline-encryption capabilities, as one blk_crypto_profile holds
 * them: for each mode, a bitmask of the supported data-unit sizes (bit n set
 * means 2^n bytes, as in sysfs queue/crypto/modes/<MODE>); the maximum DUN
 * width in bytes (0..32); and the number of keyslots (0 for a passthrough
 * profile, as device-mapper's; DMCAPS_KEYSLOTS_UNKNOWN when not known).
 *
 * Mode names are spelled as sysfs spells them ("AES-256-XTS",
 * "AES-128-CBC-ESSIV", "Adiantum", "SM4-XTS"); names the library does not
 * know are carried through unchanged, so a new kernel mode needs no release.
 *
 * A set is "empty" when no mode has any data-unit size: the device has no
 * inline crypto. The "unrestricted" set is the starting point of an
 * intersection (the kernel's "everything" before it looks at any device).
 */
struct dmcaps_set;

#define DMCAPS_MAX_DUN_BYTES	32
#define DMCAPS_KEYSLOTS_UNKNOWN	(-1)

int dmcaps_set_new(struct dmcaps_set **set);
int dmcaps_set_new_unrestricted(struct dmcaps_set **set);
int dmcaps_set_dup(const struct dmcaps_set *src, struct dmcaps_set **dst);
void dmcaps_set_free(struct dmcaps_set *set);

/* ORs @dus_mask into the mode's mask, adding the mode if needed. */
int dmcaps_set_add_mode(struct dmcaps_set *set, const char *mode,
			uint32_t dus_mask);
/* The mode's data-unit-size mask; 0 if the set lacks the mode. */
uint32_t dmcaps_set_get_mode(const struct dmcaps_set *set, const char *mode);
/* Modes with a non-zero mask, known modes first in kernel order, then
 * unknown ones by name. */
size_t dmcaps_set_mode_count(const struct dmcaps_set *set);
const char *dmcaps_set_mode_name(const struct dmcaps_set *set, size_t idx);

/* -EINVAL unless 0 <= @bytes <= DMCAPS_MAX_DUN_BYTES. */
int dmcaps_set_set_max_dun_bytes(struct dmcaps_set *set, unsigned int bytes);
unsigned int dmcaps_set_get_max_dun_bytes(const struct dmcaps_set *set);
int dmcaps_set_set_keyslots(struct dmcaps_set *set, int keyslots);
int dmcaps_set_get_keyslots(const struct dmcaps_set *set);

bool dmcaps_set_is_empty(const struct dmcaps_set *set);
bool dmcaps_set_is_unrestricted(const struct dmcaps_set *set);

/*
 * Text form, for tests, fixtures and --pairs output:
 *   "none"                                       the empty set
 *   "AES-256-XTS:0x1200,Adiantum:0x1000 dun=8"   modes, then DUN bytes
 *   "... dun=8 keyslots=0"                       keyslots when known
 *   "unrestricted"                               the unrestricted set
 * dmcaps_set_parse() accepts exactly what dmcaps_set_format() writes, in any
 * mode order, and returns -EINVAL (with a log message naming the token) for
 * anything else. The formatted string is malloc()ed; free() it.
 */
int dmcaps_set_parse(struct dmcaps_ctx *ctx, const char *text,
		     struct dmcaps_set **set);
int dmcaps_set_format(const struct dmcaps_set *set, char **text);

/*
 * The form people read: "AES-256-XTS(512,4096) Adiantum(4096)", with
 * DMCAPS_SUMMARY_DUN ", DUN 8 bytes" after it; "none" for the empty set or
 * NULL (no inline crypto). malloc()ed; free() it.
 */
#define DMCAPS_SUMMARY_DUN	(1u << 0)
int dmcaps_set_format_summary(const struct dmcaps_set *set, unsigned int flags,
			      char **text);

/* Data-unit-size mask as a list of sizes: 0x1200 -> "512,4096". */
int dmcaps_dus_mask_format(uint32_t dus_mask, char **text);

/* @dst := @dst ∩ @other, the kernel's rule for stacking (per mode AND of
 * the masks, minimum of the DUN widths). Keyslots become those of @dst. */
int dmcaps_set_intersect(struct dmcaps_set *dst, const struct dmcaps_set *other);

/* Same capabilities: the same modes with the same data-unit sizes and the
 * same DUN width (both empty counts as equal). Keyslots are not compared:
 * they are not a capability a table can lose. */
bool dmcaps_set_equal(const struct dmcaps_set *a, const struct dmcaps_set *b);

/* Whether @a supports everything @b supports: the kernel's condition for
 * accepting a table whose capabilities are @a over a live table's @b. */
bool dmcaps_set_is_superset(const struct dmcaps_set *a,
			    const struct dmcaps_set *b);

/* One capability that one set has and another lacks. */
enum dmcaps_delta_kind {
	DMCAPS_DELTA_MODE,		/* the whole mode (all its sizes) */
	DMCAPS_DELTA_DATA_UNIT_SIZES,	/* some data-unit sizes of a mode */
	DMCAPS_DELTA_DUN_BYTES,		/* DUN width */
};

struct dmcaps_delta;

enum dmcaps_delta_kind dmcaps_delta_kind(const struct dmcaps_delta *delta);
/* MODE, DATA_UNIT_SIZES: the mode; NULL for DUN_BYTES. */
const char *dmcaps_delta_mode(const struct dmcaps_delta *delta);
/* DATA_UNIT_SIZES, MODE: the sizes one set has and the other lacks. */
uint32_t dmcaps_delta_dus_mask(const struct dmcaps_delta *delta);
/* DUN_BYTES: the wider set's DUN width, and the other's, smaller one. */
unsigned int dmcaps_delta_dun_have(const struct dmcaps_delta *delta);
unsigned int dmcaps_delta_dun_other(const struct dmcaps_delta *delta);

/* The deltas between two sets. */
struct dmcaps_diff;

/*
 * Everything @have has that @other lacks, one delta per mode (whole mode or
 * some sizes) and one for the DUN width, in mode order. Free *diff with
 * dmcaps_diff_free(); its deltas' mode names point into @have, which must
 * outlive it.
 */
int dmcaps_set_diff(const struct dmcaps_set *have,
		    const struct dmcaps_set *other,
		    struct dmcaps_diff **diff);
size_t dmcaps_diff_count(const struct dmcaps_diff *diff);
const struct dmcaps_delta *dmcaps_diff_delta(const struct dmcaps_diff *diff,
					     size_t idx);
void dmcaps_diff_free(struct dmcaps_diff *diff);

/* "lacks Adiantum", "lacks AES-256-XTS data-unit sizes 512,1024",
 * "supports 4-byte DUNs, not 8". malloc()ed; free() it. */
int dmcaps_delta_format(const struct dmcaps_delta *delta, char **text);

/* ------------------------------------------------------------------------ */
/* Block devices                                                            */
/* ------------------------------------------------------------------------ */

/* A block device of the context's system. Owned by the context. */
struct dmcaps_dev;

/*
 * Finds a block device from a specification as users write them: a path
 * (/dev/sda, /dev/mapper/NAME, any symlink to a block device node), a DM
 * name, "MAJOR:MINOR", or a libblkid tag (UUID=, LABEL=, PARTUUID=,
 * PARTLABEL=). -ENODEV, with a message naming @spec, when nothing matches;
 * -ENOTBLK when @spec is a path that exists but is not a block device (a
 * regular file, /dev/mapper/control); -ENOTSUP when @spec is a
 * /dev/mapper/ or /dev/dm-N path and the running kernel has no
 * device-mapper.
 */
int dmcaps_dev_lookup(struct dmcaps_ctx *ctx, const char *spec,
		      struct dmcaps_dev **dev);
int dmcaps_dev_lookup_devno(struct dmcaps_ctx *ctx, dev_t devno,
			    struct dmcaps_dev **dev);

/* Every block device of the system (whole disks and partitions), read in
 * one pass over <sysroot>/sys/class/block and cached. */
int dmcaps_dev_list(struct dmcaps_ctx *ctx, struct dmcaps_dev ***devs,
		    size_t *count);

const char *dmcaps_dev_kname(const struct dmcaps_dev *dev);  /* "dm-0" */
const char *dmcaps_dev_path(const struct dmcaps_dev *dev);   /* "/dev/dm-0" */
dev_t dmcaps_dev_devno(const struct dmcaps_dev *dev);
bool dmcaps_dev_is_dm(const struct dmcaps_dev *dev);
/* Whether the device is a partition (sysfs "partition" attribute). */
bool dmcaps_dev_is_partition(const struct dmcaps_dev *dev);
/* The whole disk a partition belongs to (whose queue, and so whose
 * capabilities, it shares); @dev itself when it is not a partition.
 * -ENODEV when the disk is not found. */
int dmcaps_dev_disk(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		    struct dmcaps_dev **disk);
/* DM name and uuid (NULL when not a DM device or no uuid), unmangled as
 * dmsetup shows them ("my vol", where sysfs and /dev/mapper say
 * "my\x20vol"); lookups accept either spelling. */
const char *dmcaps_dev_dm_name(const struct dmcaps_dev *dev);
const char *dmcaps_dev_dm_uuid(const struct dmcaps_dev *dev);

/*
 * The capabilities the device's queue exposes now, from
 * <sysroot>/sys/block/<disk>/queue/crypto (a partition's are its disk's).
 * *caps is NULL when the directory is absent: no inline crypto. -EBADMSG
 * when a value there is malformed (the log names the file); -ENOSYS when
 * the directory is absent on a kernel older than 5.18, which shows no
 * capabilities in sysfs at all (they cannot be known). Cached; the set is
 * owned by the context.
 */
int dmcaps_dev_caps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		    const struct dmcaps_set **caps);

/*
 * Whether a DM device's tables are loaded with per-device blk-crypto-fallback
 * (<sysroot>/sys/block/<dm-N>/dm/crypto_fallback is 1): they then expose
 * what any underlying device supports, the devices that lack a
 * configuration encrypting it in software themselves. *on is false for a
 * device that is not a DM device, and on a kernel without the switch.
 * -EBADMSG for a value other than 0 or 1.
 */
int dmcaps_dev_crypto_fallback(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			       bool *on);

/* ------------------------------------------------------------------------ */
/* Device-mapper tables                                                     */
/* ------------------------------------------------------------------------ */

/* 0 if the running kernel has device-mapper, -ENOTSUP ("this kernel has
 * no device-mapper") otherwise, or with a sysroot other than "/". */
int dmcaps_dm_available(struct dmcaps_ctx *ctx);

/*
 * Whether targets of @type pass inline crypto through on the running kernel
 * (DM_TARGET_PASSES_CRYPTO). The one place in the library that knows it.
 */
enum dmcaps_passes {
	DMCAPS_PASSES_NO = 0,
	DMCAPS_PASSES_YES = 1,
	DMCAPS_PASSES_UNKNOWN_TYPE = 2,	/* type unknown: treated as NO */
};
enum dmcaps_passes dmcaps_target_type_passes(struct dmcaps_ctx *ctx,
					     const char *type);
/*
 * Whether targets of @type, a type that passes, may still not pass by their
 * parameters ("depends on the instance": raid, whose raid1 and raid10
 * without write-behind pass and other levels do not). A patched kernel says
 * so for every type it has registered; otherwise the library's own rules.
 * dmcaps_target_passes() gives the answer for one target.
 */
bool dmcaps_target_type_per_instance(struct dmcaps_ctx *ctx, const char *type);

enum dmcaps_table_kind {
	DMCAPS_TABLE_LIVE,
	DMCAPS_TABLE_INACTIVE,
};

struct dmcaps_table;	/* an ordered list of targets */
struct dmcaps_target;	/* one table line */

/*
 * Reads a DM device's live or inactive table through libdevmapper, and for
 * each target the devices it maps to (from its parameters for known target
 * types, from DM_TABLE_DEPS otherwise). -ENODATA when that table does not
 * exist; -ENOTSUP without device-mapper. Free with dmcaps_table_free().
 * With a sysroot other than "/" the tables are read from the files
 * <sysroot>/dmcaps/tables/<DM name>.live and .inactive (dmsetup table
 * format; see tests/fixtures/README.md); a missing file is -ENODATA.
 */
int dmcaps_table_read(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		      enum dmcaps_table_kind kind, struct dmcaps_table **table);

/*
 * Parses table text in dmsetup's format: one "START LENGTH TYPE PARAMS"
 * line per target, blank lines and '#' comments ignored. -EINVAL, with a
 * message naming the line number and the fault, for malformed lines (too
 * few fields, non-numeric or overflowing sectors, device arguments missing
 * for the target type). Devices are resolved with dmcaps_dev_lookup().
 */
int dmcaps_table_parse(struct dmcaps_ctx *ctx, const char *text,
		       struct dmcaps_table **table);
void dmcaps_table_free(struct dmcaps_table *table);

/*
 * Whether the prediction of @table follows per-device blk-crypto-fallback:
 * the table was read from, or is checked against, a DM device with
 * dmcaps_dev_crypto_fallback() set. A live table is assumed to have been
 * loaded with the device's current switch (the kernel keeps the value per
 * table but does not report it).
 */
bool dmcaps_table_crypto_fallback(const struct dmcaps_table *table);

size_t dmcaps_table_target_count(const struct dmcaps_table *table);
const struct dmcaps_target *dmcaps_table_target(const struct dmcaps_table *table,
						size_t idx);

uint64_t dmcaps_target_start(const struct dmcaps_target *t);
uint64_t dmcaps_target_length(const struct dmcaps_target *t);
const char *dmcaps_target_type(const struct dmcaps_target *t);
const char *dmcaps_target_params(const struct dmcaps_target *t);
enum dmcaps_passes dmcaps_target_passes(const struct dmcaps_target *t);
/* Underlying devices in parameter order, duplicates removed. */
size_t dmcaps_target_dev_count(const struct dmcaps_target *t);
struct dmcaps_dev *dmcaps_target_dev(const struct dmcaps_target *t,
				     size_t idx);

/* ------------------------------------------------------------------------ */
/* The kernel's own answer (DM_CRYPTO_CAPS)                                 */
/* ------------------------------------------------------------------------ */

/*
 * A kernel with the series (device-mapper interface 4.51) reports itself,
 * through the DM_CRYPTO_CAPS ioctl, what a DM device's live or inactive
 * table exposes or would expose, per target whether it passes inline
 * crypto, and what each device under it offers. Stock kernels have no such
 * ioctl: there only the prediction is available.
 *
 * 0 when the running kernel has the ioctl; -ENOTTY when it has not (found
 * out once per context, by probing; a kernel whose interface is older than
 * 4.51 is not probed, so that its log gets no "unknown command");
 * -ENOTSUP without device-mapper or with a sysroot other than "/";
 * -EACCES/-EPERM when this process may not ask (root needed). When it has
 * the ioctl, dmcaps_target_type_passes() takes the kernel's word for every
 * target type the kernel has registered.
 */
int dmcaps_kernel_caps_available(struct dmcaps_ctx *ctx);

struct dmcaps_kernel_caps;

/* One target of the table, as the kernel sees it. */
struct dmcaps_kernel_target;

uint64_t dmcaps_kernel_target_start(const struct dmcaps_kernel_target *kt);
uint64_t dmcaps_kernel_target_length(const struct dmcaps_kernel_target *kt);
const char *dmcaps_kernel_target_type(const struct dmcaps_kernel_target *kt);
/* DM_TARGET_PASSES_CRYPTO */
bool dmcaps_kernel_target_passes(const struct dmcaps_kernel_target *kt);
/* Its devices are dmcaps_kernel_caps_dev() [first, first + count). */
size_t dmcaps_kernel_target_first_dev(const struct dmcaps_kernel_target *kt);
size_t dmcaps_kernel_target_dev_count(const struct dmcaps_kernel_target *kt);

/* One device under a target, with what the kernel says it offers. */
struct dmcaps_kernel_dev;

dev_t dmcaps_kernel_dev_devno(const struct dmcaps_kernel_dev *kd);
/* The index of the target using it. */
size_t dmcaps_kernel_dev_target(const struct dmcaps_kernel_dev *kd);
/* The empty set when it has no inline crypto; never NULL. */
const struct dmcaps_set *dmcaps_kernel_dev_caps(const struct dmcaps_kernel_dev *kd);

/*
 * Asks the kernel about @dev's live or inactive table. -ENOTTY (and the
 * other errors of dmcaps_kernel_caps_available()) when it cannot be asked;
 * -ENODATA when the device has no such table; -ENODEV when it is gone;
 * -EMEDIUMTYPE when @dev is not a DM device; -EBADMSG for an answer the library
 * cannot parse. Free with dmcaps_kernel_caps_free().
 */
int dmcaps_kernel_caps_read(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			    enum dmcaps_table_kind kind,
			    struct dmcaps_kernel_caps **kcaps);
void dmcaps_kernel_caps_free(struct dmcaps_kernel_caps *kcaps);

/* What the table exposes (live) or would expose once resumed (inactive),
 * computed by the kernel from the devices as they are now; and what the
 * device's queue exposes now. Empty sets, never NULL. */
const struct dmcaps_set *dmcaps_kernel_caps_table(const struct dmcaps_kernel_caps *kcaps);
const struct dmcaps_set *dmcaps_kernel_caps_queue(const struct dmcaps_kernel_caps *kcaps);
size_t dmcaps_kernel_caps_target_count(const struct dmcaps_kernel_caps *kcaps);
const struct dmcaps_kernel_target *
dmcaps_kernel_caps_target(const struct dmcaps_kernel_caps *kcaps, size_t idx);
/* Devices in target order; a device used by two targets appears twice. */
size_t dmcaps_kernel_caps_dev_count(const struct dmcaps_kernel_caps *kcaps);
const struct dmcaps_kernel_dev *
dmcaps_kernel_caps_dev(const struct dmcaps_kernel_caps *kcaps, size_t idx);

/* ------------------------------------------------------------------------ */
/* Prediction, kernel and sysfs compared                                    */
/* ------------------------------------------------------------------------ */

/*
 * Three views of a DM device's capabilities can disagree: the library's
 * prediction from the table, the kernel's answer (DM_CRYPTO_CAPS) and
 * sysfs. Linux 6.12's sysfs is stale for DM devices by design, and that is
 * no mismatch: queue/crypto exists only if the device was registered with
 * capabilities (one that gains them at a later resume has none), and a
 * device that expands keeps only the modes/<MODE> files it had at
 * registration (their values follow). Anything else is a MISMATCH: a bug
 * in the library or in the kernel.
 */
enum dmcaps_finding {
	DMCAPS_FINDING_NONE = 0,	/* the views agree */
	DMCAPS_FINDING_SYSFS_STALE,	/* sysfs shows part of it, as 6.12 does */
	DMCAPS_FINDING_MISMATCH,	/* a real disagreement */
};

#define DMCAPS_NO_TARGET	((size_t)-1)

/* How sysfs's set (@sysfs; NULL: no queue/crypto) relates to what the
 * queue holds (@queue). */
enum dmcaps_finding dmcaps_sysfs_view(const struct dmcaps_set *sysfs,
				      const struct dmcaps_set *queue);

struct dmcaps_comparison;
struct dmcaps_prediction;

/*
 * Compares the views of DM device @dev's @kind table: the prediction
 * @pred of @table (NULL: none made), the kernel's answer @kc (NULL: not
 * available, a stock kernel) and sysfs, and the kernel's view of each
 * device below against its sysfs. With @kc the kernel's queue set judges
 * sysfs; without it, the live table's prediction does. Each finding is
 * logged: a MISMATCH as a warning, stale sysfs as a verbose message.
 * -EMEDIUMTYPE when @dev is not a DM device.
 */
int dmcaps_compare(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		   enum dmcaps_table_kind kind, const struct dmcaps_table *table,
		   const struct dmcaps_prediction *pred,
		   const struct dmcaps_kernel_caps *kc,
		   struct dmcaps_comparison **cmp);
/* The same, reading the table, predicting it and asking the kernel
 * itself (for helpers that hold nothing yet: udev, initramfs). */
int dmcaps_compare_device(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			  enum dmcaps_table_kind kind,
			  struct dmcaps_comparison **cmp);
void dmcaps_comparison_free(struct dmcaps_comparison *cmp);

/* Findings in order: sysfs of @dev, the kernel's table, its targets, the
 * devices below. Text without the device's name ("MISMATCH: ...",
 * "sysfs is stale: ..."). The device is @dev or one below it; the target
 * (from 0) is DMCAPS_NO_TARGET unless the finding is about one. */
size_t dmcaps_comparison_count(const struct dmcaps_comparison *cmp);
enum dmcaps_finding dmcaps_comparison_kind(const struct dmcaps_comparison *cmp,
					   size_t idx);
const char *dmcaps_comparison_text(const struct dmcaps_comparison *cmp,
				   size_t idx);
struct dmcaps_dev *dmcaps_comparison_dev(const struct dmcaps_comparison *cmp,
					 size_t idx);
size_t dmcaps_comparison_target(const struct dmcaps_comparison *cmp,
				size_t idx);
bool dmcaps_comparison_has_mismatch(const struct dmcaps_comparison *cmp);

/*
 * What @dev's queue exposes as best known, and where that comes from
 * (@source, may be NULL): "the kernel (DM_CRYPTO_CAPS)"; "the live table
 * (sysfs is stale)" when 6.12's sysfs shows only part of it; "sysfs".
 * NULL: no inline crypto.
 */
const struct dmcaps_set *dmcaps_comparison_exposed(const struct dmcaps_comparison *cmp,
						   const char **source);

/* ------------------------------------------------------------------------ */
/* Prediction and explanation                                               */
/* ------------------------------------------------------------------------ */

/* Why a table exposes less than "unrestricted". */
enum dmcaps_cause {
	DMCAPS_CAUSE_TARGET_NO_PASSTHROUGH,	/* target type does not opt in */
	DMCAPS_CAUSE_TARGET_UNKNOWN_TYPE,	/* unknown type, treated as not */
	DMCAPS_CAUSE_DEVICE_NO_CRYPTO,		/* device has no inline crypto */
	DMCAPS_CAUSE_DEVICE_LACKS,		/* device lacks @delta */
	DMCAPS_CAUSE_DEVICE_UNREADABLE,		/* its capabilities unreadable */
	/* crypto_fallback: the device lacks @delta, which the table exposes
	 * anyway; that device encrypts it in software. Not a loss. */
	DMCAPS_CAUSE_DEVICE_FALLBACK,
	/* Every target passes inline crypto but none maps to a device (zero,
	 * error): no hardware below, so nothing is exposed. The target is
	 * the table's first. */
	DMCAPS_CAUSE_NO_DEVICE,
};

/* Why a table exposes less; owned by its prediction (its device by the
 * context). */
struct dmcaps_reason;

enum dmcaps_cause dmcaps_reason_cause(const struct dmcaps_reason *reason);
/* The target it comes from, from 0, and its type. */
size_t dmcaps_reason_target(const struct dmcaps_reason *reason);
const char *dmcaps_reason_target_type(const struct dmcaps_reason *reason);
/* DEVICE_* causes: the device; NULL otherwise. */
struct dmcaps_dev *dmcaps_reason_dev(const struct dmcaps_reason *reason);
/* DEVICE_LACKS, DEVICE_FALLBACK: what the device lacks; NULL otherwise. */
const struct dmcaps_delta *dmcaps_reason_delta(const struct dmcaps_reason *reason);

struct dmcaps_prediction;

/*
 * Predicts the capabilities that @table exposes, by the kernel's rules
 * (drivers/md/dm-table.c:dm_table_construct_crypto_profile): start from
 * unrestricted; a target type that does not pass crypto clears everything;
 * otherwise intersect with each underlying device's exposed capabilities.
 * Every capability lost is explained by one reason: "device X lacks
 * Adiantum", "target 2 (crypt) does not pass inline crypto".
 *
 * "Lost" is measured against what the devices the kernel looks at offer
 * together (the union of their capabilities), not against "unrestricted":
 * a table over one device has no reasons. Each loss is attributed to the
 * first target or device, in table order, that removes it. An underlying
 * DM device without queue/crypto in sysfs is predicted through its live
 * table (Linux 6.12 hides capabilities a DM device gains after it is
 * registered), with a warning. A table without targets exposes nothing.
 */
int dmcaps_predict(struct dmcaps_ctx *ctx, const struct dmcaps_table *table,
		   struct dmcaps_prediction **pred);
void dmcaps_prediction_free(struct dmcaps_prediction *pred);

/* The predicted set; empty (never NULL) when the table exposes nothing,
 * with keyslots 0 (passthrough) otherwise. */
const struct dmcaps_set *dmcaps_prediction_caps(const struct dmcaps_prediction *pred);
/* false when an underlying device's capabilities could not be read (a
 * DMCAPS_CAUSE_DEVICE_UNREADABLE reason): the set is then no answer, only
 * what is left if that device had none. */
bool dmcaps_prediction_certain(const struct dmcaps_prediction *pred);
size_t dmcaps_prediction_reason_count(const struct dmcaps_prediction *pred);
const struct dmcaps_reason *dmcaps_prediction_reason(const struct dmcaps_prediction *pred,
						     size_t idx);

/* One line of plain English; malloc()ed, free() it. */
int dmcaps_reason_format(const struct dmcaps_reason *reason, char **text);

/* ------------------------------------------------------------------------ */
/* Table text                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Reads table text the way `dmsetup load` does: everything from @fd (a
 * file, or standard input) up to end of file. @what names the source in
 * messages ("standard input", a path). -EFBIG beyond DMCAPS_TABLE_TEXT_MAX
 * bytes; -EINVAL when it holds a NUL byte. The text may hold key material
 * (dm-crypt keys): every intermediate buffer is wiped, and the caller frees
 * *text with dmcaps_text_wipe_free().
 */
#define DMCAPS_TABLE_TEXT_MAX	(64u * 1024 * 1024)
int dmcaps_table_text_read(struct dmcaps_ctx *ctx, int fd, const char *what,
			   char **text);
/* Overwrites @text (up to its NUL) with zeros, then frees it. */
void dmcaps_text_wipe_free(char *text);

/*
 * Checks what the kernel checks of a table's layout before anything else
 * (dm_table_add_target): the first target starts at sector 0 and each one
 * starts where the previous one ends; at least one target. -EINVAL with a
 * message naming the target (numbered from 1, as lines of a table without
 * comments are).
 */
int dmcaps_table_validate(struct dmcaps_ctx *ctx, const struct dmcaps_table *table);

/* Like dmcaps_table_free(), after wiping every target's parameters (a
 * dm-crypt key is one of them). */
void dmcaps_table_free_wipe(struct dmcaps_table *table);

/*
 * A target's parameters as they may be shown: a dm-crypt target's key
 * (its second parameter) replaced by "<key>", other types unchanged.
 * malloc()ed; free() it.
 */
int dmcaps_target_params_masked(const struct dmcaps_target *t, char **text);

/* ------------------------------------------------------------------------ */
/* Verdict: what a table swap does to a device's capabilities               */
/* ------------------------------------------------------------------------ */

/*
 * The kernel accepts a new table only if its capabilities are a superset of
 * those the device's queue exposes now
 * (drivers/md/dm-table.c:dm_table_construct_crypto_profile,
 * blk_crypto_has_capabilities(new, queue)); otherwise DM_TABLE_LOAD fails
 * with EINVAL.
 */
enum dmcaps_verdict_kind {
	DMCAPS_VERDICT_KEEPS = 0,	/* same capabilities: accepted */
	DMCAPS_VERDICT_EXPANDS,		/* a strict superset: accepted */
	DMCAPS_VERDICT_SHRINKS,		/* loses something: rejected */
	DMCAPS_VERDICT_CANNOT_TELL,	/* the device's set is not known */
};

/* One capability the swap loses or gains, and why; owned by its verdict. */
struct dmcaps_change;

/* false: lost. */
bool dmcaps_change_gained(const struct dmcaps_change *change);
/* What: for a loss, what the device has now and the new table lacks; for
 * a gain, the reverse. */
const struct dmcaps_delta *dmcaps_change_delta(const struct dmcaps_change *change);
/*
 * Why: for a loss, the new table's reason that removes it (a target or a
 * device of the new table); for a gain, the live table's reason that kept
 * it out (NULL when the device has no live table or the live table's
 * devices simply do not offer it). NULL for a loss when no device of the
 * new table offers it at all.
 */
const struct dmcaps_reason *dmcaps_change_reason(const struct dmcaps_change *change);

struct dmcaps_verdict;

/*
 * Predicts what loading @table into DM device @device would do:
 * dmcaps_predict() of @table against the capabilities the device's queue
 * has now. @device is a specification as dmcaps_dev_lookup() takes it, or
 * the name of a DM device that does not exist yet (its first table: any
 * set is accepted; "/dev/mapper/NAME" is accepted too).
 *
 * The queue's capabilities are the kernel's truth, which Linux 6.12's sysfs
 * may not show: no queue/crypto for a DM device that gained capabilities
 * after it was registered, no mode file for a mode gained later. The
 * queue holds at least what sysfs shows and at most what its live table
 * exposes now (a table is checked when it is loaded, against the devices
 * below as they were then). When the live table maps only to devices that
 * are not DM devices (hardware, whose capabilities do not change), its
 * prediction is the queue's set, and sysfs is corrected by it. Otherwise,
 * a verdict that differs between the two bounds is CANNOT_TELL, and so is
 * one whose device's live table cannot be read (sysfs alone is a lower
 * bound); dmcaps_verdict_why_unknown() says why. On a kernel with
 * DM_CRYPTO_CAPS the queue's set is the kernel's own answer, exact (source
 * "the kernel (DM_CRYPTO_CAPS)"). A table that does not
 * cover even the lower bound SHRINKS for sure. Underlying DM devices of
 * @table are corrected the same way before the prediction. A table whose
 * targets all pass inline crypto and reach no device (zero and error, on
 * kernels where they pass) KEEPS the device's set, as those kernels do.
 *
 * -ENODEV when @device names a block device that does not exist and is
 * not a possible DM name; -EMEDIUMTYPE when it is a block device that is
 * not a DM device. Touches nothing.
 */
int dmcaps_verdict_new(struct dmcaps_ctx *ctx, const char *device,
		       const struct dmcaps_table *table,
		       struct dmcaps_verdict **verdict);
void dmcaps_verdict_free(struct dmcaps_verdict *verdict);

enum dmcaps_verdict_kind dmcaps_verdict_kind(const struct dmcaps_verdict *v);
/* "keeps", "expands", "shrinks", "cannot tell". */
const char *dmcaps_verdict_kind_name(enum dmcaps_verdict_kind kind);
/* Whether the device exists (false: the table would be its first). */
bool dmcaps_verdict_device_exists(const struct dmcaps_verdict *v);
/* The device (NULL when it does not exist yet). */
struct dmcaps_dev *dmcaps_verdict_device(const struct dmcaps_verdict *v);
/* What the device's queue exposes now, as best known (empty, never NULL,
 * for a new device or none), and what the new table would expose. */
const struct dmcaps_set *dmcaps_verdict_old_caps(const struct dmcaps_verdict *v);
const struct dmcaps_set *dmcaps_verdict_new_caps(const struct dmcaps_verdict *v);
/* The new table's prediction, with all its reasons. */
const struct dmcaps_prediction *dmcaps_verdict_prediction(const struct dmcaps_verdict *v);
/* Losses first, then gains, in mode order. */
size_t dmcaps_verdict_change_count(const struct dmcaps_verdict *v);
const struct dmcaps_change *dmcaps_verdict_change(const struct dmcaps_verdict *v,
						  size_t idx);
/* CANNOT_TELL: why, one sentence; NULL otherwise. */
const char *dmcaps_verdict_why_unknown(const struct dmcaps_verdict *v);
/* Where the device's set came from: "sysfs", "sysfs and the live table",
 * "the live table", "no device yet", ... */
const char *dmcaps_verdict_old_source(const struct dmcaps_verdict *v);

/* The capability alone: "Adiantum(4096)", "AES-256-XTS data-unit sizes
 * 512", "8-byte DUNs (new table: 4)" (a gain: "(now: 4)"). malloc()ed. */
int dmcaps_change_format_what(const struct dmcaps_change *c, char **text);
/* The cause: "target 2 (crypt) does not pass inline crypto", "device
 * emmc0 lacks Adiantum (target 1, linear)", "no device of the new table
 * offers it"; a gain's: "live table: " and the live table's reason, or
 * "the device does not expose it now". malloc()ed. */
int dmcaps_change_format_cause(const struct dmcaps_change *c, char **text);

/* ------------------------------------------------------------------------ */
/* Loading tables                                                           */
/* ------------------------------------------------------------------------ */

#define DMCAPS_LOAD_CREATE	(1u << 0)	/* create the device first */
#define DMCAPS_LOAD_RESUME	(1u << 1)	/* make the table live */

/* Where a load left the device, for messages after a failure. */
struct dmcaps_load_state;

#define DMCAPS_LOAD_STATE_CREATED	 (1u << 0) /* created by this call */
#define DMCAPS_LOAD_STATE_EXISTS	 (1u << 1) /* the device exists now */
#define DMCAPS_LOAD_STATE_LIVE_TABLE	 (1u << 2) /* it has a live table */
#define DMCAPS_LOAD_STATE_INACTIVE_TABLE (1u << 3) /* and an inactive one */
#define DMCAPS_LOAD_STATE_SUSPENDED	 (1u << 4) /* it is suspended now */
#define DMCAPS_LOAD_STATE_RESUMED	 (1u << 5) /* the new table is live */
unsigned int dmcaps_load_state_flags(const struct dmcaps_load_state *state);

#define DMCAPS_LOAD_STEP_CREATE	1
#define DMCAPS_LOAD_STEP_LOAD	2
#define DMCAPS_LOAD_STEP_RESUME	3
/* 0, or the DMCAPS_LOAD_STEP_* that failed, and its ioctl's errno. */
int dmcaps_load_state_failed_step(const struct dmcaps_load_state *state);
int dmcaps_load_state_errno(const struct dmcaps_load_state *state);
void dmcaps_load_state_free(struct dmcaps_load_state *state);

/*
 * Loads @table into DM device @name through libdevmapper, like `dmsetup
 * load` (or `dmsetup create --notable` first with DMCAPS_LOAD_CREATE, and
 * `dmsetup resume` after with DMCAPS_LOAD_RESUME). @name is a DM name or
 * /dev/mapper/NAME. Nothing is left half-done: when the load fails, a
 * device this call created is removed; when resume fails, an inactive
 * table left behind is cleared (DM_DEVICE_CLEAR) and a device left
 * suspended is resumed with its old table. With @state, *state says
 * where the device is afterwards, success or not (NULL only when memory
 * ran out); free it with dmcaps_load_state_free(). Honours DM_DISABLE_UDEV as dmsetup does
 * (and works without udev). The kernel's own message for a failed step is
 * read from /dev/kmsg when readable and logged as an error.
 * Returns 0 or the failed ioctl's -errno (-EINVAL: the kernel rejected
 * the table; -EEXIST: DMCAPS_LOAD_CREATE and the device exists; -ENODEV:
 * no such device without DMCAPS_LOAD_CREATE).
 */
int dmcaps_load(struct dmcaps_ctx *ctx, const char *name,
		const struct dmcaps_table *table, unsigned int flags,
		struct dmcaps_load_state **state);

/* ------------------------------------------------------------------------ */
/* Keys and key eviction                                                    */
/* ------------------------------------------------------------------------ */

/* The key size in bytes of a mode dmcaps knows ("AES-256-XTS": 64);
 * -ENOENT for a mode it does not know (a newer kernel's: the kernel then
 * checks the size), -EINVAL for NULL. */
int dmcaps_mode_key_size(const char *mode);

/*
 * A key to evict: raw bytes held in locked memory and wiped when freed, or
 * a kernel keyring key that the kernel reads itself, so that its bytes
 * never pass through this process. Key material never appears in a log
 * message.
 */
struct dmcaps_key;

/* The largest raw key a mode may have (the kernel's BLK_CRYPTO_MAX_KEY_SIZE). */
#define DMCAPS_KEY_MAX_SIZE	64

/*
 * Reads a raw key from the file @path ("-": standard input). With @size > 0
 * the file must hold exactly @size bytes: -EMSGSIZE otherwise, with a
 * message giving both sizes. With @size 0 (a mode dmcaps does not know)
 * it may hold 1..DMCAPS_KEY_MAX_SIZE bytes. The bytes are read straight
 * into locked memory.
 */
int dmcaps_key_read_file(struct dmcaps_ctx *ctx, const char *path, size_t size,
			 struct dmcaps_key **key);

/*
 * Finds a key in the caller's keyrings (as request_key(2) searches them)
 * from "TYPE:DESCRIPTION", TYPE "logon" or "user" (a logon description has
 * a prefix of its own: "logon:fscrypt:k1"). -EINVAL for another form or
 * type, -ENOKEY (with a message) when no such key is found.
 */
int dmcaps_key_from_keyring(struct dmcaps_ctx *ctx, const char *type_desc,
			    struct dmcaps_key **key);
void dmcaps_key_free(struct dmcaps_key *key);
/* A keyring key's serial number; 0 for a raw key. */
int32_t dmcaps_key_keyring_id(const struct dmcaps_key *key);
/* A raw key's size; 0 for a keyring key. */
size_t dmcaps_key_size(const struct dmcaps_key *key);

struct dmcaps_evict_result;

/*
 * Evicts every inline-encryption keyslot programmed with @key on block
 * device @dev for the configuration the key was set up with for I/O: its
 * @mode (as sysfs spells it), @data_unit_size and @dun_bytes (DUN width),
 * in bytes; a keyslot matches only when all three and the key's bytes are
 * the same. through the kernel's BLKCRYPTOEVICTKEY (a kernel
 * with the dmcaps series). On a DM device the kernel forwards the request
 * to every device below its live table, through stacked DM. Keyslots in
 * use by I/O are left programmed and counted as busy. A key found nowhere
 * is success with nothing evicted. Needs CAP_SYS_ADMIN.
 *
 * Returns 0 and a result, or the kernel's -errno after a message naming
 * @dev and the cause (dmcaps_evict_strerror()): -ENOTTY when the kernel
 * lacks the interface (-EINVAL too: such a kernel hands the unknown ioctl
 * to the driver, and some drivers answer EINVAL); -EOPNOTSUPP when the device has no inline crypto
 * for that configuration; -ENOENT, -EMSGSIZE, -EDOM, -ERANGE for a mode, key size,
 * data-unit size or DUN width the kernel refuses; -ENOKEY, -EKEYREJECTED,
 * -EKEYREVOKED, -EKEYEXPIRED, -EACCES for a keyring key it cannot use;
 * -EPERM without CAP_SYS_ADMIN. -ENOTSUP with a sysroot other than "/".
 */
int dmcaps_evict_key(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
		     const struct dmcaps_key *key, const char *mode,
		     unsigned int data_unit_size, unsigned int dun_bytes,
		     struct dmcaps_evict_result **result);
void dmcaps_evict_result_free(struct dmcaps_evict_result *result);

unsigned int dmcaps_evict_result_evicted(const struct dmcaps_evict_result *r);
unsigned int dmcaps_evict_result_busy(const struct dmcaps_evict_result *r);
/* Devices whose keyslots were searched (DM devices are passed through,
 * not counted). */
unsigned int dmcaps_evict_result_devices(const struct dmcaps_evict_result *r);
/* Devices where eviction failed; the first ones with their device number
 * and -errno (the kernel reports at most a fixed number of them: the
 * count may exceed the entries available, whose number is returned by
 * dmcaps_evict_result_failure_entries()). */
unsigned int dmcaps_evict_result_failures(const struct dmcaps_evict_result *r);
size_t dmcaps_evict_result_failure_entries(const struct dmcaps_evict_result *r);
int dmcaps_evict_result_failure(const struct dmcaps_evict_result *r, size_t idx,
				dev_t *devno, int *error);

/* What an error of dmcaps_evict_key() means, in the words of the kernel
 * interface ("the kernel does not know this mode"); strerror() for others. */
const char *dmcaps_evict_strerror(int error);

#ifdef __cplusplus
}
#endif

#endif /* _LIBDMCAPS_H */
