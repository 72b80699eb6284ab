// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"

char *fx_root(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	assert_true(asprintf(&path, "%s/dmcaps-unit.XXXXXX", tmp ?: "/tmp") > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	/* Tests chmod files to 000; directories must stay traversable. */
	return remove(path);
}

void fx_rmrf(char *root)
{
	if (!root)
		return;
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

static void mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
}

void fx_write(const char *root, const char *rel, const char *content)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", root, rel) > 0);
	mkdir_p(path);
	f = fopen(path, "w");
	if (!f)
		fail_msg("create %s: %s", path, strerror(errno));
	fputs(content, f);
	fclose(f);
	free(path);
}

void fx_symlink(const char *root, const char *rel, const char *target)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", root, rel) > 0);
	mkdir_p(path);
	if (symlink(target, path) < 0)
		fail_msg("symlink %s: %s", path, strerror(errno));
	free(path);
}

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) > 0);
	va_end(ap);
	return s;
}

void fx_disk(const char *root, const char *kname, const char *devno)
{
	char *rel = fmt("sys/block/%s/dev", kname), *val = fmt("%s\n", devno);
	char *link = fmt("sys/class/block/%s", kname), *target = fmt("../../block/%s", kname);

	fx_write(root, rel, val);
	fx_symlink(root, link, target);
	free(rel); free(val); free(link); free(target);
}

void fx_crypto(const char *root, const char *kname, const char *dun_bits,
	       const char *keyslots, const char *const *modes)
{
	char *rel, *val;

	if (dun_bits) {
		rel = fmt("sys/block/%s/queue/crypto/max_dun_bits", kname);
		val = fmt("%s\n", dun_bits);
		fx_write(root, rel, val);
		free(rel); free(val);
	}
	if (keyslots) {
		rel = fmt("sys/block/%s/queue/crypto/num_keyslots", kname);
		val = fmt("%s\n", keyslots);
		fx_write(root, rel, val);
		free(rel); free(val);
	}
	/* The modes directory exists even when a test gives no mode. */
	rel = fmt("%s/sys/block/%s/queue/crypto/modes/", root, kname);
	mkdir_p(rel);
	free(rel);
	for (; modes && modes[0]; modes += 2) {
		rel = fmt("sys/block/%s/queue/crypto/modes/%s", kname, modes[0]);
		val = fmt("%s\n", modes[1]);
		fx_write(root, rel, val);
		free(rel); free(val);
	}
}

void fx_part(const char *root, const char *disk, const char *part,
	     const char *devno, const char *partno)
{
	char *rel = fmt("sys/block/%s/%s/dev", disk, part), *val = fmt("%s\n", devno);
	char *prel = fmt("sys/block/%s/%s/partition", disk, part);
	char *pval = fmt("%s\n", partno);
	char *link = fmt("sys/class/block/%s", part);
	char *target = fmt("../../block/%s/%s", disk, part);

	fx_write(root, rel, val);
	fx_write(root, prel, pval);
	fx_symlink(root, link, target);
	free(rel); free(val); free(prel); free(pval); free(link); free(target);
}

void fx_dm(const char *root, const char *kname, const char *devno,
	   const char *name, const char *uuid)
{
	char *rel, *val;

	fx_disk(root, kname, devno);
	rel = fmt("sys/block/%s/dm/name", kname);
	val = fmt("%s\n", name);
	fx_write(root, rel, val);
	free(rel); free(val);
	rel = fmt("sys/block/%s/dm/uuid", kname);
	val = fmt("%s\n", uuid ?: "");
	fx_write(root, rel, val);
	free(rel); free(val);
}

void fx_table(const char *root, const char *dmname, const char *kind,
	      const char *text)
{
	char *rel = fmt("dmcaps/tables/%s.%s", dmname, kind);

	fx_write(root, rel, text);
	free(rel);
}

void fx_log_fn(int level, const char *msg, void *usrptr)
{
	struct fx_log *log = usrptr;
	int n;

	if (getenv("DMCAPS_TEST_VERBOSE"))
		fprintf(stderr, "  log[%d]: %s\n", level, msg);
	assert_null(strchr(msg, '\n'));
	if (!log)
		return;
	if (!log->max_level_seen || level < log->max_level_seen)
		log->max_level_seen = level;
	n = snprintf(log->buf + log->len, sizeof(log->buf) - log->len, "%d:%s\n",
		     level, msg);
	if (n > 0 && (size_t)n < sizeof(log->buf) - log->len)
		log->len += n;
}

bool fx_log_has(const struct fx_log *log, const char *needle)
{
	return strstr(log->buf, needle) != NULL;
}

void fx_log_reset(struct fx_log *log)
{
	memset(log, 0, sizeof(*log));
}

struct dmcaps_ctx *fx_ctx(const char *root, struct fx_log *log)
{
	struct dmcaps_ctx *ctx = NULL;

	assert_int_equal(dmcaps_init(&ctx, root), 0);
	if (log)
		fx_log_reset(log);
	dmcaps_set_log_callback(ctx, fx_log_fn, log);
	return ctx;
}
