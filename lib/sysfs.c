// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading a queue's inline-encryption capabilities from sysfs
 * (block/blk-crypto-sysfs.c): queue/crypto/{max_dun_bits,num_keyslots} in
 * decimal and queue/crypto/modes/<MODE> as "0x%x" data-unit-size masks.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Longest value we accept: "0x" + 8 hex digits, decimal u32, plus slack
 * for leading zeros. Anything longer is malformed, not truncated. */
#define SYSFS_VALUE_MAX 64

static int read_value(struct dmcaps_ctx *ctx, const char *path, char **text)
{
	int err = dmcaps_read_small_file(path, SYSFS_VALUE_MAX, text);

	if (err == -EFBIG) {
		log_err(ctx, "malformed value in %s: too long", path);
		return -EBADMSG;
	}
	if (err == -ENOENT) {
		/* The kernel always creates these files with the directory. */
		log_err(ctx, "missing %s", path);
		return -EBADMSG;
	}
	if (err)
		log_err(ctx, "cannot read %s: %s", path, strerror(-err));
	return err;
}

static int read_u32_file(struct dmcaps_ctx *ctx, const char *dir,
			 const char *name, uint32_t *v)
{
	char *path, *text = NULL;
	int err;

	path = dmcaps_strdup_printf("%s/%s", dir, name);
	if (!path)
		return -ENOMEM;
	err = read_value(ctx, path, &text);
	if (!err && dmcaps_parse_u32(text, v)) {
		log_err(ctx, "malformed value \"%s\" in %s: expected a decimal "
			"number", text, path);
		err = -EBADMSG;
	}
	free(text);
	free(path);
	return err;
}

static int read_modes(struct dmcaps_ctx *ctx, const char *dir,
		      struct dmcaps_set *set)
{
	char *modes_dir, *path = NULL, *text = NULL;
	struct dirent *de;
	DIR *d;
	int err = 0;

	modes_dir = dmcaps_strdup_printf("%s/modes", dir);
	if (!modes_dir)
		return -ENOMEM;
	d = opendir(modes_dir);
	if (!d) {
		err = -errno;
		if (err == -ENOENT) {
			log_err(ctx, "missing %s", modes_dir);
			err = -EBADMSG;
		} else {
			log_err(ctx, "cannot read %s: %s", modes_dir, strerror(-err));
		}
		free(modes_dir);
		return err;
	}
	while (!err) {
		uint32_t mask;

		errno = 0;
		de = readdir(d);
		if (!de) {
			err = -errno;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		path = dmcaps_strdup_printf("%s/%s", modes_dir, de->d_name);
		if (!path) {
			err = -ENOMEM;
			break;
		}
		err = read_value(ctx, path, &text);
		if (!err && dmcaps_parse_hex_mask(text, &mask)) {
			log_err(ctx, "malformed value \"%s\" in %s: expected a "
				"32-bit hexadecimal mask (0x...)", text, path);
			err = -EBADMSG;
		}
		if (!err) {
			err = dmcaps_set_add_mode(set, de->d_name, mask);
			if (err == -EINVAL) {
				log_err(ctx, "unusable mode name in %s", path);
				err = -EBADMSG;
			}
		}
		free(text);
		text = NULL;
		free(path);
		path = NULL;
	}
	closedir(d);
	free(modes_dir);
	return err;
}

int dmcaps_sysfs_read_crypto_dir(struct dmcaps_ctx *ctx, const char *dir,
				 struct dmcaps_set **caps)
{
	struct dmcaps_set *set = NULL;
	uint32_t dun_bits, keyslots;
	DIR *d;
	int err;

	*caps = NULL;
	d = opendir(dir);
	if (!d) {
		err = -errno;
		/* No directory: the queue has no blk_crypto_profile. */
		if (err == -ENOENT)
			return 0;
		log_err(ctx, "cannot read %s: %s", dir, strerror(-err));
		return err;
	}
	closedir(d);

	err = dmcaps_set_new(&set);
	if (err)
		return err;

	err = read_u32_file(ctx, dir, "max_dun_bits", &dun_bits);
	if (err)
		goto out;
	if (dun_bits % 8 || dun_bits / 8 > DMCAPS_MAX_DUN_BYTES) {
		log_err(ctx, "malformed value %u in %s/max_dun_bits: expected a "
			"multiple of 8 up to %d", dun_bits, dir,
			DMCAPS_MAX_DUN_BYTES * 8);
		err = -EBADMSG;
		goto out;
	}
	dmcaps_set_set_max_dun_bytes(set, dun_bits / 8);

	err = read_u32_file(ctx, dir, "num_keyslots", &keyslots);
	if (err)
		goto out;
	if (keyslots > INT32_MAX) {
		log_err(ctx, "malformed value %u in %s/num_keyslots", keyslots, dir);
		err = -EBADMSG;
		goto out;
	}
	dmcaps_set_set_keyslots(set, keyslots);

	err = read_modes(ctx, dir, set);
	if (err)
		goto out;
	*caps = set;
	set = NULL;
out:
	dmcaps_set_free(set);
	return err;
}
