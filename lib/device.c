// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Block devices: lookups by the specifications users write, the list from
 * <sysroot>/sys/class/block, and the per-device capability cache.
 *
 * Only what is asked is resolved: a lookup reads the attributes of the one
 * device it names (through /sys/dev/block/MAJ:MIN, /sys/class/block/KNAME,
 * or DM_DEV_STATUS for a DM name), not those of every block device of the
 * system, so that `dmcaps show DEV` or a boot-time check costs the same with
 * ten devices as with thousands. Every device met is kept for the life of
 * the context, indexed by number, kernel name and DM name, and so is every
 * specification resolved: a table naming the same device on 10,000 lines
 * stat()s it once. The whole list is read only for dmcaps_dev_list(); on
 * the running system its DM devices come from one DM_LIST_DEVICES ioctl
 * instead of two sysfs reads each (without the privilege for it, from sysfs).
 * A context is a snapshot: devices added later are found, devices already
 * met are not read again.
 *
 * A fixture sysroot has no device nodes, so paths are mapped to devices
 * through sysfs there: /dev/mapper/NAME is the DM device whose dm/name is
 * NAME and /dev/KNAME is KNAME, after following symlinks inside the sysroot
 * (tests/fixtures/README.md). On the running system a path is stat()ed.
 *
 * DM names: libdevmapper (in its default "auto" mangling mode) hands the
 * kernel names with characters outside [A-Za-z0-9#+-.:=@_] as \xNN, so the
 * kernel, sysfs and /dev/mapper know "my vol" as "my\x20vol". Like dmsetup
 * we show and match the unmangled name, and accept either spelling.
 */
#include <blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"

/* dm/name is at most DM_NAME_LEN (128); uuid DM_UUID_LEN (129). */
#define SYSFS_NAME_MAX 256

static void dev_free(struct dmcaps_dev *dev)
{
	if (!dev)
		return;
	free(dev->kname);
	free(dev->path);
	free(dev->parent);
	free(dev->dm_name);
	free(dev->dm_uuid);
	dmcaps_set_free(dev->caps);
	dmcaps_set_free(dev->table_caps);
	dmcaps_kernel_caps_free(dev->kcaps_live);
	free(dev);
}

static bool match_devno(const void *val, const void *key)
{
	return ((const struct dmcaps_dev *)val)->devno == *(const dev_t *)key;
}

static bool match_kname(const void *val, const void *key)
{
	return !strcmp(((const struct dmcaps_dev *)val)->kname, key);
}

static bool match_dm_name(const void *val, const void *key)
{
	const struct dmcaps_dev *dev = val;

	return dev->dm_name && !strcmp(dev->dm_name, key);
}

struct spec_memo {
	struct dmcaps_dev *dev;
	char spec[];
};

static bool match_spec(const void *val, const void *key)
{
	return !strcmp(((const struct spec_memo *)val)->spec, key);
}

void dmcaps_devs_free(struct dmcaps_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nknown; i++)
		dev_free(ctx->known[i]);
	free(ctx->known);
	ctx->known = NULL;
	ctx->nknown = 0;
	for (i = 0; i < ctx->specs.cap; i++)
		free(ctx->specs.slots[i].val);
	dmcaps_index_free(&ctx->specs);
	dmcaps_index_free(&ctx->by_devno);
	dmcaps_index_free(&ctx->by_kname);
	dmcaps_index_free(&ctx->by_dm_name);
	free(ctx->devs);
	ctx->devs = NULL;
	ctx->ndevs = 0;
	ctx->devs_read = false;
}

struct dmcaps_dev *dmcaps_dev_known(struct dmcaps_ctx *ctx, dev_t devno)
{
	return dmcaps_index_get(&ctx->by_devno, dmcaps_hash_u64(devno),
				match_devno, &devno);
}

/*
 * Makes @dev (just read) known to the context; *out is the context's device
 * of that number, @dev itself or one met before (then @dev is freed).
 * Consumes @dev in every case.
 */
static int dev_register(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			struct dmcaps_dev **out)
{
	struct dmcaps_dev **known;
	int err;

	*out = dmcaps_dev_known(ctx, dev->devno);
	if (*out) {
		dev_free(dev);
		return 0;
	}
	/* Doubling at each power of two: amortized constant. */
	if (!(ctx->nknown & (ctx->nknown - 1))) {
		known = realloc(ctx->known, (ctx->nknown ? 2 * ctx->nknown : 16) *
				sizeof(*known));
		if (!known) {
			dev_free(dev);
			return -ENOMEM;
		}
		ctx->known = known;
	}
	known = ctx->known;
	/* Owned by the context from here on, even if indexing fails. */
	known[ctx->nknown++] = dev;
	err = dmcaps_index_put(&ctx->by_devno, dmcaps_hash_u64(dev->devno), dev);
	if (!err && !dmcaps_index_get(&ctx->by_kname, dmcaps_hash_str(dev->kname),
				      match_kname, dev->kname))
		err = dmcaps_index_put(&ctx->by_kname,
				       dmcaps_hash_str(dev->kname), dev);
	if (!err && dev->dm_name &&
	    !dmcaps_index_get(&ctx->by_dm_name, dmcaps_hash_str(dev->dm_name),
			      match_dm_name, dev->dm_name))
		err = dmcaps_index_put(&ctx->by_dm_name,
				       dmcaps_hash_str(dev->dm_name), dev);
	if (err)
		return err;
	*out = dev;
	return 0;
}

/* Reads <class_dir>/<name>/<file>; *text NULL when absent. */
static int read_attr(const char *class_dir, const char *name, const char *file,
		     char **text)
{
	char *path = dmcaps_strdup_printf("%s/%s/%s", class_dir, name, file);
	int err;

	if (!path)
		return -ENOMEM;
	err = dmcaps_read_small_file(path, SYSFS_NAME_MAX, text);
	free(path);
	if (err == -ENOENT || err == -ENOTDIR) {
		*text = NULL;
		return 0;
	}
	return err;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* libdm's dm_unmangle_name(): "\xNN" -> the byte NN, in place. */
static void dm_unmangle(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && hexval(s[2]) >= 0 &&
		    hexval(s[3]) >= 0 && (hexval(s[2]) || hexval(s[3]))) {
			*o++ = hexval(s[2]) << 4 | hexval(s[3]);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* The disk a partition belongs to: on sysfs the directory holding it. */
static char *partition_parent(const char *class_dir, const char *name)
{
	char *link, *real, *slash, *parent = NULL;

	link = dmcaps_strdup_printf("%s/%s", class_dir, name);
	if (!link)
		return NULL;
	real = realpath(link, NULL);
	free(link);
	if (!real)
		return NULL;
	slash = strrchr(real, '/');
	if (slash && slash != real) {
		*slash = '\0';
		slash = strrchr(real, '/');
		if (slash && slash[1])
			parent = strdup(slash + 1);
	}
	free(real);
	return parent;
}

/* For fixtures made of plain directories: "sda1" -> "sda",
 * "nvme0n1p2" -> "nvme0n1", "mmcblk0p1" -> "mmcblk0". */
static char *partition_parent_guess(const char *name)
{
	size_t len = strlen(name);

	while (len && isdigit((unsigned char)name[len - 1]))
		len--;
	if (len >= 2 && name[len - 1] == 'p' && isdigit((unsigned char)name[len - 2]))
		len--;
	return len ? strndup(name, len) : NULL;
}

/*
 * Reads the device @name of @class_dir. @dm_listed: the DM devices are
 * known already (DM_LIST_DEVICES), so a device not named dm-N is none and
 * has no dm/ directory to look for.
 */
/* Whether @class_dir has a device @name (a disk sysfs placed a
 * partition under). */
static bool parent_exists(const char *class_dir, const char *name)
{
	char *path = dmcaps_strdup_printf("%s/%s/dev", class_dir, name);
	bool r = path && !access(path, F_OK);

	free(path);
	return r;
}

static int dev_read(struct dmcaps_ctx *ctx, const char *class_dir,
		    const char *name, bool dm_listed, struct dmcaps_dev **out)
{
	struct dmcaps_dev *dev;
	char *text = NULL, *p;
	int err;

	*out = NULL;
	err = read_attr(class_dir, name, "dev", &text);
	if (err || !text) {
		log_dbg(ctx, "skipping %s/%s: no readable dev attribute",
			class_dir, name);
		return err == -ENOMEM ? err : 0;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		free(text);
		return -ENOMEM;
	}
	if (dmcaps_parse_devno(text, &dev->devno)) {
		log_dbg(ctx, "skipping %s/%s: malformed dev \"%s\"",
			class_dir, name, text);
		free(text);
		dev_free(dev);
		return 0;
	}
	free(text);

	dev->kname = strdup(name);
	/* sysfs spells '/' in device names as '!' (cciss!c0d0). */
	dev->path = dmcaps_strdup_printf("/dev/%s", name);
	if (!dev->kname || !dev->path)
		goto enomem;
	for (p = dev->path + 5; *p; p++)
		if (*p == '!')
			*p = '/';

	err = read_attr(class_dir, name, "partition", &text);
	if (err == -ENOMEM)
		goto enomem;
	if (!err && text) {
		dev->is_partition = true;
		dev->parent = partition_parent(class_dir, name);
		if (!dev->parent || !parent_exists(class_dir, dev->parent)) {
			free(dev->parent);
			dev->parent = partition_parent_guess(name);
			dev->parent_guessed = true;
			log_dbg(ctx, "partition %s: parent disk guessed as %s",
				name, dev->parent ?: "(none)");
		}
	}
	free(text);
	text = NULL;

	if (dm_listed)
		goto done;
	err = read_attr(class_dir, name, "dm/name", &dev->dm_name);
	if (err == -ENOMEM)
		goto enomem;
	if (dev->dm_name) {
		dm_unmangle(dev->dm_name);
		err = read_attr(class_dir, name, "dm/uuid", &dev->dm_uuid);
		if (err == -ENOMEM)
			goto enomem;
		if (dev->dm_uuid)
			dm_unmangle(dev->dm_uuid);
		if (dev->dm_uuid && !*dev->dm_uuid) {
			free(dev->dm_uuid);
			dev->dm_uuid = NULL;
		}
	}
done:
	*out = dev;
	return 0;
enomem:
	dev_free(dev);
	return -ENOMEM;
}

/* A DM device as the kernel's DM list names it: kernel name dm-MINOR
 * (drivers/md/dm.c), no sysfs read needed. */
static int dm_dev_new(dev_t devno, const char *name, const char *uuid,
		      struct dmcaps_dev **out)
{
	struct dmcaps_dev *dev = calloc(1, sizeof(*dev));

	*out = NULL;
	if (!dev)
		return -ENOMEM;
	dev->devno = devno;
	dev->kname = dmcaps_strdup_printf("dm-%u", minor(devno));
	dev->path = dmcaps_strdup_printf("/dev/dm-%u", minor(devno));
	dev->dm_name = strdup(name);
	dev->dm_uuid = uuid ? strdup(uuid) : NULL;
	if (!dev->kname || !dev->path || !dev->dm_name || (uuid && !dev->dm_uuid)) {
		dev_free(dev);
		return -ENOMEM;
	}
	dm_unmangle(dev->dm_name);
	if (dev->dm_uuid)
		dm_unmangle(dev->dm_uuid);
	*out = dev;
	return 0;
}

static int dm_entry_register(struct dmcaps_ctx *ctx, dev_t devno,
			     const char *name, const char *uuid, void *arg)
{
	struct dmcaps_dev *dev, **found = arg;
	int err;

	err = dm_dev_new(devno, name, uuid, &dev);
	if (!err)
		err = dev_register(ctx, dev, &dev);
	if (!err && found)
		*found = dev;
	return err;
}

static int kname_cmp(const void *a, const void *b)
{
	const struct dmcaps_dev *da = *(struct dmcaps_dev *const *)a;
	const struct dmcaps_dev *db = *(struct dmcaps_dev *const *)b;

	return strverscmp(da->kname, db->kname);
}

/* dm-N with N a decimal number: the only kernel names DM devices have. */
static bool is_dm_kname(const char *name)
{
	if (strncmp(name, "dm-", 3) || !name[3])
		return false;
	for (name += 3; *name; name++)
		if (!isdigit((unsigned char)*name))
			return false;
	return true;
}

static int devs_load(struct dmcaps_ctx *ctx)
{
	struct dmcaps_dev **devs = NULL, **n, *dev;
	size_t ndevs = 0, cap = 0;
	bool dm_listed = false;
	struct dirent *de;
	char *class_dir;
	DIR *d;
	int err = 0;

	if (ctx->devs_read)
		return 0;
	class_dir = dmcaps_root_path(ctx, "/sys/class/block");
	if (!class_dir)
		return -ENOMEM;
	d = opendir(class_dir);
	if (!d) {
		err = -errno;
		log_err(ctx, "cannot list block devices in %s: %s", class_dir,
			strerror(-err));
		free(class_dir);
		return err;
	}
	/* Every DM device, its name and uuid, in one ioctl (root only). */
	if (ctx->running_system && dmcaps_dm_present(ctx)) {
		err = dmcaps_dm_list(ctx, dm_entry_register, NULL);
		if (err == -ENOMEM)
			goto out;
		dm_listed = !err;
		if (err)
			log_dbg(ctx, "DM devices from sysfs: DM_LIST_DEVICES: %s",
				strerror(-err));
		err = 0;
	}
	/* One pass: every attribute the library needs is read here. */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		dev = NULL;
		if (dm_listed && is_dm_kname(de->d_name))
			dev = dmcaps_index_get(&ctx->by_kname,
					       dmcaps_hash_str(de->d_name),
					       match_kname, de->d_name);
		if (!dev) {
			/* A dm-N created since the list: read it all. */
			err = dev_read(ctx, class_dir, de->d_name,
				       dm_listed && !is_dm_kname(de->d_name), &dev);
			if (err)
				break;
			if (!dev)
				continue;
			err = dev_register(ctx, dev, &dev);
			if (err)
				break;
		}
		if (ndevs == cap) {
			cap = cap ? 2 * cap : 64;
			n = realloc(devs, cap * sizeof(*devs));
			if (!n) {
				err = -ENOMEM;
				break;
			}
			devs = n;
		}
		devs[ndevs++] = dev;
	}
out:
	closedir(d);
	free(class_dir);
	if (err) {
		free(devs);
		return err;
	}
	if (ndevs)
		qsort(devs, ndevs, sizeof(*devs), kname_cmp);
	ctx->devs = devs;
	ctx->ndevs = ndevs;
	ctx->devs_read = true;
	return 0;
}

/* Whether <sysroot>/sys/dev/block leads from numbers to devices (always on
 * a running system; fixture trees may hold only sys/block). */
static bool have_sys_dev_block(struct dmcaps_ctx *ctx)
{
	char *dir;
	struct stat st;

	if (!ctx->sys_dev_block) {
		dir = dmcaps_root_path(ctx, "/sys/dev/block");
		ctx->sys_dev_block = dir && !stat(dir, &st) &&
				     S_ISDIR(st.st_mode) ? 1 : -1;
		free(dir);
	}
	return ctx->sys_dev_block > 0;
}

/* The device @kname of <sysroot>/sys/class/block, read and registered. */
static int read_kname(struct dmcaps_ctx *ctx, const char *kname,
		      struct dmcaps_dev **out)
{
	struct dmcaps_dev *dev;
	char *class_dir;
	int err;

	*out = NULL;
	if (!*kname || strchr(kname, '/') || !strcmp(kname, ".") ||
	    !strcmp(kname, ".."))
		return 0;
	class_dir = dmcaps_root_path(ctx, "/sys/class/block");
	if (!class_dir)
		return -ENOMEM;
	err = dev_read(ctx, class_dir, kname, false, &dev);
	free(class_dir);
	if (err || !dev)
		return err;
	return dev_register(ctx, dev, out);
}

struct dmcaps_dev *dmcaps_dev_find_kname(struct dmcaps_ctx *ctx, const char *kname)
{
	struct dmcaps_dev *dev;

	dev = dmcaps_index_get(&ctx->by_kname, dmcaps_hash_str(kname),
			       match_kname, kname);
	if (dev || ctx->devs_read)
		return dev;
	if (read_kname(ctx, kname, &dev))
		return NULL;
	return dev;
}

/* Characters libdevmapper's "auto" mangling leaves as they are. */
static bool dm_name_plain(const char *name)
{
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) &&
		    !strchr("#+-.:=@_", *name))
			return false;
	return true;
}

/* @name unmangled or mangled ("my vol" or "my\x20vol"). */
struct dmcaps_dev *dmcaps_dev_find_dm_name(struct dmcaps_ctx *ctx, const char *name)
{
	struct dmcaps_dev *found = NULL;
	char *plain;
	int err;

	plain = strdup(name);
	if (!plain)
		return NULL;
	dm_unmangle(plain);
	found = dmcaps_index_get(&ctx->by_dm_name, dmcaps_hash_str(plain),
				 match_dm_name, plain);
	if (found || ctx->devs_read)
		goto out;
	/*
	 * A name libdm leaves unmangled is the kernel's name of the device:
	 * one DM_DEV_STATUS answers (a hash lookup in the kernel). Another
	 * spelling, or no privilege for the ioctl: compare with every
	 * device's unmangled name, from the list.
	 */
	err = -ENOTSUP;
	if (ctx->running_system && dm_name_plain(name)) {
		err = dmcaps_dm_by_name(ctx, name, dm_entry_register, &found);
		if (err == -ENODEV)
			goto out;
	}
	if (err && !found && !devs_load(ctx))
		found = dmcaps_index_get(&ctx->by_dm_name, dmcaps_hash_str(plain),
					 match_dm_name, plain);
out:
	free(plain);
	return found;
}

struct dmcaps_dev *dmcaps_dev_find_devno(struct dmcaps_ctx *ctx, dev_t devno)
{
	struct dmcaps_dev *dev = dmcaps_dev_known(ctx, devno);
	char *rel, *link, *real, *kname, target[PATH_MAX];
	ssize_t len;

	if (dev || ctx->devs_read)
		return dev;
	if (!have_sys_dev_block(ctx)) {
		if (devs_load(ctx))
			return NULL;
		return dmcaps_dev_known(ctx, devno);
	}
	rel = dmcaps_strdup_printf("/sys/dev/block/%u:%u", major(devno),
				   minor(devno));
	link = rel ? dmcaps_root_path(ctx, rel) : NULL;
	free(rel);
	if (!link)
		return NULL;
	/* The link's last component is the kernel name
	 * (../../devices/.../block/sda/sda1): one readlink() where
	 * realpath() reads every component of the path. A fixture may
	 * hold a directory there, or a link to one: then realpath(). */
	real = NULL;
	len = readlink(link, target, sizeof(target) - 1);
	if (len > 0) {
		target[len] = '\0';
		kname = strrchr(target, '/');
		kname = kname ? kname + 1 : target;
	} else {
		real = realpath(link, NULL);
		kname = real ? strrchr(real, '/') : NULL;
		if (kname)
			kname++;
	}
	free(link);
	if (kname && *kname && read_kname(ctx, kname, &dev))
		dev = NULL;
	free(real);
	/* A kernel name reused by another device meanwhile is not it. */
	return dev && dev->devno == devno ? dev : NULL;
}

DMCAPS_EXPORT int dmcaps_dev_list(struct dmcaps_ctx *ctx,
				  struct dmcaps_dev ***devs, size_t *count)
{
	int err;

	if (!ctx || !devs || !count)
		return -EINVAL;
	err = devs_load(ctx);
	if (err)
		return err;
	*devs = ctx->devs;
	*count = ctx->ndevs;
	return 0;
}

DMCAPS_EXPORT int dmcaps_dev_lookup_devno(struct dmcaps_ctx *ctx, dev_t devno,
					  struct dmcaps_dev **dev)
{
	if (!ctx || !dev)
		return -EINVAL;
	*dev = dmcaps_dev_find_devno(ctx, devno);
	if (!*dev) {
		log_err(ctx, "%u:%u: no such block device", major(devno),
			minor(devno));
		return -ENODEV;
	}
	return 0;
}

/* Lexically normalizes an absolute path: "/dev/disk/../sda" -> "/dev/sda". */
static char *path_normalize(const char *path)
{
	char *out = malloc(strlen(path) + 2), *o = out;
	const char *p = path;

	if (!out)
		return NULL;
	*o = '\0';
	while (*p) {
		const char *e;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		len = e - p;
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');

			o = slash ? slash : out;
			*o = '\0';
		} else {
			*o++ = '/';
			memcpy(o, p, len);
			o += len;
			*o = '\0';
		}
		p = e;
	}
	if (o == out) {
		out[0] = '/';
		out[1] = '\0';
	}
	return out;
}

/* Maps a path inside a sysroot (no device nodes) to a device. */
static int lookup_path_sysroot(struct dmcaps_ctx *ctx, const char *spec,
			       struct dmcaps_dev **dev)
{
	char *path, *full = NULL, *next;
	char target[PATH_MAX];
	struct stat st;
	int hops, err = -ENODEV;
	ssize_t len;

	*dev = NULL;
	path = path_normalize(spec);
	if (!path)
		return -ENOMEM;
	/* Follow symlinks inside the sysroot (dev/disk/by-uuid/... -> ../../sda1). */
	for (hops = 0; hops < 40; hops++) {
		full = dmcaps_root_path(ctx, path);
		if (!full) {
			err = -ENOMEM;
			goto out;
		}
		if (lstat(full, &st) < 0)
			break;
		if (S_ISBLK(st.st_mode)) {
			*dev = dmcaps_dev_find_devno(ctx, st.st_rdev);
			goto out;
		}
		if (!S_ISLNK(st.st_mode)) {
			/* It exists, and is something else than a device. */
			err = -ENOTBLK;
			break;
		}
		len = readlink(full, target, sizeof(target) - 1);
		if (len < 0)
			break;
		target[len] = '\0';
		if (target[0] == '/') {
			next = path_normalize(target);
		} else {
			char *slash = strrchr(path, '/'), *joined;

			*slash = '\0';
			joined = dmcaps_strdup_printf("%s/%s", path, target);
			next = joined ? path_normalize(joined) : NULL;
			free(joined);
		}
		if (!next) {
			err = -ENOMEM;
			goto out;
		}
		free(path);
		path = next;
		free(full);
		full = NULL;
	}

	if (!strncmp(path, "/dev/mapper/", 12) && !strchr(path + 12, '/')) {
		*dev = dmcaps_dev_find_dm_name(ctx, path + 12);
	} else if (!strncmp(path, "/dev/", 5) && path[5]) {
		char *kname = strdup(path + 5), *p;

		if (!kname) {
			err = -ENOMEM;
			goto out;
		}
		for (p = kname; *p; p++)
			if (*p == '/')
				*p = '!';
		*dev = dmcaps_dev_find_kname(ctx, kname);
		free(kname);
	}
out:
	free(full);
	free(path);
	if (*dev)
		return 0;
	return err;
}

static int lookup_path(struct dmcaps_ctx *ctx, const char *spec,
		       struct dmcaps_dev **dev)
{
	struct stat st;

	*dev = NULL;
	if (!ctx->running_system)
		return lookup_path_sysroot(ctx, spec, dev);
	if (stat(spec, &st) == 0) {
		if (!S_ISBLK(st.st_mode))
			return -ENOTBLK;
		*dev = dmcaps_dev_find_devno(ctx, st.st_rdev);
		return *dev ? 0 : -ENODEV;
	}
	/* No node (e.g. DM_DISABLE_UDEV without dmsetup mknodes): the sysfs
	 * mapping still knows /dev/mapper/NAME and /dev/KNAME. */
	return lookup_path_sysroot(ctx, spec, dev);
}

static const char *const tag_dirs[][2] = {
	{ "UUID=", "by-uuid" },
	{ "LABEL=", "by-label" },
	{ "PARTUUID=", "by-partuuid" },
	{ "PARTLABEL=", "by-partlabel" },
};

/* udev's encoding of by-label names (unsafe bytes as \xNN), which libblkid
 * shares with udev: blkid_encode_string(). */
static char *udev_encode(const char *s)
{
	size_t len = strlen(s) * 4 + 1;
	char *out = malloc(len);

	if (out && blkid_encode_string(s, out, len) < 0) {
		free(out);
		out = NULL;
	}
	return out;
}

static int lookup_tag(struct dmcaps_ctx *ctx, const char *spec, size_t t,
		      struct dmcaps_dev **dev)
{
	char *value, *encoded, *path;
	size_t len;
	int err;

	*dev = NULL;
	if (ctx->running_system) {
		blkid_cache cache = NULL;
		char *devname;

		devname = blkid_evaluate_tag(spec, NULL, &cache);
		blkid_put_cache(cache);
		if (!devname)
			return -ENODEV;
		log_dbg(ctx, "%s is %s", spec, devname);
		err = lookup_path(ctx, devname, dev);
		free(devname);
		return err;
	}

	/* A sysroot has no blkid cache to trust: use its udev symlinks. */
	value = strdup(spec + strlen(tag_dirs[t][0]));
	if (!value)
		return -ENOMEM;
	len = strlen(value);
	if (len >= 2 && (value[0] == '"' || value[0] == '\'') &&
	    value[len - 1] == value[0]) {
		memmove(value, value + 1, len - 2);
		value[len - 2] = '\0';
	}
	err = -ENODEV;
	if (*value && !strchr(value, '/')) {
		path = dmcaps_strdup_printf("/dev/disk/%s/%s", tag_dirs[t][1], value);
		if (!path) {
			err = -ENOMEM;
			goto out;
		}
		err = lookup_path_sysroot(ctx, path, dev);
		free(path);
		if (err == -ENODEV) {
			encoded = udev_encode(value);
			path = encoded ? dmcaps_strdup_printf("/dev/disk/%s/%s",
							     tag_dirs[t][1], encoded) : NULL;
			free(encoded);
			if (!path) {
				err = -ENOMEM;
				goto out;
			}
			err = lookup_path_sysroot(ctx, path, dev);
			free(path);
		}
	}
out:
	free(value);
	return err;
}

static int spec_remember(struct dmcaps_ctx *ctx, const char *spec,
			 struct dmcaps_dev *dev)
{
	size_t len = strlen(spec);
	struct spec_memo *m = malloc(sizeof(*m) + len + 1);
	int err;

	if (!m)
		return -ENOMEM;
	m->dev = dev;
	memcpy(m->spec, spec, len + 1);
	err = dmcaps_index_put(&ctx->specs, dmcaps_hash_str(spec), m);
	if (err)
		free(m);
	return err;
}

/* dmcaps_dev_lookup() without its message: for callers that say in their
 * own words what a missing device means (a table's device, a device's
 * first table). */
int dmcaps_dev_resolve(struct dmcaps_ctx *ctx, const char *spec,
		       struct dmcaps_dev **dev)
{
	struct spec_memo *m;
	dev_t devno;
	size_t t;
	int err = 0;

	*dev = NULL;
	if (!spec || !*spec)
		return -EINVAL;
	/* Resolved before in this context: no stat, no sysfs, no ioctl. */
	m = dmcaps_index_get(&ctx->specs, dmcaps_hash_str(spec), match_spec, spec);
	if (m) {
		*dev = m->dev;
		return 0;
	}

	for (t = 0; t < ARRAY_SIZE(tag_dirs); t++)
		if (!strncmp(spec, tag_dirs[t][0], strlen(tag_dirs[t][0])))
			break;
	if (t < ARRAY_SIZE(tag_dirs))
		err = lookup_tag(ctx, spec, t, dev);
	else if (!dmcaps_parse_devno(spec, &devno))
		*dev = dmcaps_dev_find_devno(ctx, devno);
	else if (spec[0] == '/')
		err = lookup_path(ctx, spec, dev);
	else {
		/* A DM name first (what dmsetup users type), then a kernel name. */
		*dev = dmcaps_dev_find_dm_name(ctx, spec);
		if (!*dev)
			*dev = dmcaps_dev_find_kname(ctx, spec);
	}
	if (err && err != -ENODEV)
		return err;
	if (!*dev) {
		/* A device-mapper path asked of a kernel without DM: that is
		 * the cause, not a missing device. */
		if (ctx->running_system &&
		    (!strncmp(spec, "/dev/mapper/", 12) ||
		     !strncmp(spec, "/dev/dm-", 8)) && !dmcaps_dm_present(ctx))
			return -ENOTSUP;
		return -ENODEV;
	}
	return spec_remember(ctx, spec, *dev);
}

/* What a failed dmcaps_dev_resolve() of @spec means, said once. */
void dmcaps_dev_lookup_failed(struct dmcaps_ctx *ctx, const char *spec, int err)
{
	switch (err) {
	case -EINVAL:
		log_err(ctx, "\"%s\": not a device specification",
			spec ? spec : "");
		break;
	case -ENODEV:
		log_err(ctx, "%s: no such block device", spec);
		break;
	case -ENOTBLK:
		log_err(ctx, "%s: not a block device", spec);
		break;
	case -ENOTSUP:
		log_err(ctx, "%s: this kernel has no device-mapper", spec);
		break;
	default:
		log_err(ctx, "%s: %s", spec, strerror(-err));
		break;
	}
}

DMCAPS_EXPORT int dmcaps_dev_lookup(struct dmcaps_ctx *ctx, const char *spec,
				    struct dmcaps_dev **dev)
{
	int err;

	if (!ctx || !dev)
		return -EINVAL;
	err = dmcaps_dev_resolve(ctx, spec, dev);
	if (err)
		dmcaps_dev_lookup_failed(ctx, spec, err);
	return err;
}

DMCAPS_EXPORT const char *dmcaps_dev_kname(const struct dmcaps_dev *dev)
{
	return dev ? dev->kname : NULL;
}

DMCAPS_EXPORT const char *dmcaps_dev_path(const struct dmcaps_dev *dev)
{
	return dev ? dev->path : NULL;
}

DMCAPS_EXPORT dev_t dmcaps_dev_devno(const struct dmcaps_dev *dev)
{
	return dev ? dev->devno : 0;
}

DMCAPS_EXPORT bool dmcaps_dev_is_dm(const struct dmcaps_dev *dev)
{
	return dev && dev->dm_name;
}

DMCAPS_EXPORT bool dmcaps_dev_is_partition(const struct dmcaps_dev *dev)
{
	return dev && dev->is_partition;
}

/* The disk of partition @dev: the one sysfs shows it under, else one
 * whose name the partition's suggests (fixtures of plain directories). */
/* The disk of partition @dev (dev_read() found or guessed its name). */
static struct dmcaps_dev *partition_disk(struct dmcaps_ctx *ctx,
					 struct dmcaps_dev *dev)
{
	return dev->parent ? dmcaps_dev_find_kname(ctx, dev->parent) : NULL;
}

DMCAPS_EXPORT int dmcaps_dev_disk(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
				  struct dmcaps_dev **disk)
{
	if (!ctx || !dev || !disk)
		return -EINVAL;
	*disk = dev;
	if (!dev->is_partition)
		return 0;
	*disk = partition_disk(ctx, dev);
	if (!*disk) {
		log_err(ctx, "the disk of partition %s not found", dev->kname);
		return -ENODEV;
	}
	return 0;
}

DMCAPS_EXPORT const char *dmcaps_dev_dm_name(const struct dmcaps_dev *dev)
{
	return dev ? dev->dm_name : NULL;
}

DMCAPS_EXPORT const char *dmcaps_dev_dm_uuid(const struct dmcaps_dev *dev)
{
	return dev ? dev->dm_uuid : NULL;
}

DMCAPS_EXPORT int dmcaps_dev_crypto_fallback(struct dmcaps_ctx *ctx,
					     struct dmcaps_dev *dev, bool *on)
{
	char *rel, *path, *text = NULL;
	int err;

	if (!ctx || !dev || !on)
		return -EINVAL;
	*on = false;
	if (!dev->dm_name)
		return 0;
	rel = dmcaps_strdup_printf("/sys/block/%s/dm/crypto_fallback", dev->kname);
	path = rel ? dmcaps_root_path(ctx, rel) : NULL;
	free(rel);
	if (!path)
		return -ENOMEM;
	err = dmcaps_read_small_file(path, 16, &text);
	if (err == -ENOENT) {
		/* A kernel without per-device fallback. */
		err = 0;
	} else if (err) {
		log_err(ctx, "cannot read %s: %s", path, strerror(-err));
	} else if (!strcmp(text, "0") || !strcmp(text, "1")) {
		*on = text[0] == '1';
	} else {
		log_err(ctx, "%s: \"%s\" is neither 0 nor 1", path, text);
		err = -EBADMSG;
	}
	free(text);
	free(path);
	return err;
}

static int dev_read_caps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
			 struct dmcaps_set **caps)
{
	char *rel, *dir;
	struct stat st;
	int err;

	rel = dmcaps_strdup_printf("/sys/block/%s", dev->kname);
	if (!rel)
		return -ENOMEM;
	dir = dmcaps_root_path(ctx, rel);
	free(rel);
	if (!dir)
		return -ENOMEM;
	/* Fixtures may hold only sys/class/block; both lead to the disk
	 * (a running system always has sys/block: no stat() for it). */
	if (!ctx->running_system && stat(dir, &st) < 0 && errno == ENOENT) {
		free(dir);
		rel = dmcaps_strdup_printf("/sys/class/block/%s", dev->kname);
		dir = rel ? dmcaps_root_path(ctx, rel) : NULL;
		free(rel);
		if (!dir)
			return -ENOMEM;
	}
	rel = dmcaps_strdup_printf("%s/queue/crypto", dir);
	free(dir);
	if (!rel)
		return -ENOMEM;
	err = dmcaps_sysfs_read_crypto_dir(ctx, rel, caps);
	free(rel);
	/* Before 5.18 no directory means nothing: the kernel shows none. */
	if (!err && !*caps && dmcaps_kernel_lacks_sysfs_crypto(ctx)) {
		log_verbose(ctx, "%s: Linux %s shows no inline-encryption "
			    "capabilities in sysfs (queue/crypto is new in 5.18): "
			    "they cannot be known", dev->kname,
			    dmcaps_kernel_release(ctx, NULL));
		return -ENOSYS;
	}
	return err;
}

DMCAPS_EXPORT int dmcaps_dev_caps(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
				  const struct dmcaps_set **caps)
{
	struct dmcaps_dev *parent;

	if (!ctx || !dev || !caps)
		return -EINVAL;
	*caps = NULL;
	/* A partition shares its disk's request queue. */
	if (dev->is_partition) {
		parent = partition_disk(ctx, dev);
		if (parent && parent != dev)
			return dmcaps_dev_caps(ctx, parent, caps);
	}
	if (!dev->caps_read && dev->dm_name &&
	    !dmcaps_kcaps_fill_caps(ctx, dev)) {
		dev->caps_read = true;
		dev->caps_err = 0;
	}
	if (!dev->caps_read) {
		dev->caps_err = dev_read_caps(ctx, dev, &dev->caps);
		/* Keep ENOMEM retryable; anything else is the device's state. */
		dev->caps_read = dev->caps_err != -ENOMEM;
	}
	*caps = dev->caps;
	return dev->caps_err;
}
