// SPDX-License-Identifier: GPL-2.0-or-later
/* See common.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"
#include "internal.h"

static char *root;

static void mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			abort();
		*p = '/';
	}
}

void fz_write(const char *dir, const char *rel, const void *data, size_t len)
{
	char *path;
	int fd;

	if (asprintf(&path, "%s/%s", dir, rel) < 0)
		abort();
	mkdirs(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	free(path);
}

static void put(const char *rel, const char *text)
{
	fz_write(root, rel, text, strlen(text));
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

void fz_rmrf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void root_remove(void)
{
	fz_rmrf(root);
}

static void disk(const char *kname, const char *devno)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/class/block/%s/dev", kname);
	put(rel, devno);
	snprintf(rel, sizeof(rel), "dev/%s", kname);
	put(rel, "");
}

const char *fz_root(void)
{
	const char *tmp = getenv("TMPDIR");

	if (root)
		return root;
	if (asprintf(&root, "%s/dmcaps-fuzz.XXXXXX", tmp ?: "/tmp") < 0 ||
	    !mkdtemp(root))
		abort();
	atexit(root_remove);
	put("proc/sys/kernel/osrelease", "6.12.117\n");
	put("dmcaps/targets", "linear v1.4.0\nstriped v1.6.0\ncrypt v1.27.0\n");
	disk("sda", "8:0\n");
	put("sys/class/block/sda/queue/crypto/max_dun_bits", "64\n");
	put("sys/class/block/sda/queue/crypto/num_keyslots", "16\n");
	put("sys/class/block/sda/queue/crypto/modes/AES-256-XTS", "0x1200\n");
	disk("sdb", "8:16\n");
	put("sys/class/block/sdb/queue/crypto/max_dun_bits", "32\n");
	put("sys/class/block/sdb/queue/crypto/num_keyslots", "8\n");
	put("sys/class/block/sdb/queue/crypto/modes/Adiantum", "0x1000\n");
	disk("sdb1", "8:17\n");
	put("sys/class/block/sdb1/partition", "1\n");
	disk("dm-0", "253:0\n");
	put("sys/class/block/dm-0/dm/name", "vol\n");
	put("sys/class/block/dm-0/dm/uuid", "LVM-fuzz\n");
	put("sys/class/block/dm-0/slaves/sda", "");
	put("dmcaps/tables/vol.live", "0 2048 linear 8:0 0\n");
	return root;
}

struct dmcaps_ctx *fz_ctx(void)
{
	struct dmcaps_ctx *ctx;

	if (dmcaps_init(&ctx, fz_root()))
		abort();
	return ctx;
}

char *fz_str(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);

	if (!s)
		abort();
	return s;
}
