/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixture sysroots for the unit tests, in the layout of
 * tests/fixtures/README.md, built in a temporary directory.
 */
#ifndef _DMCAPS_TEST_FIXTURE_H
#define _DMCAPS_TEST_FIXTURE_H

#include <stdbool.h>
#include "libdmcaps.h"

char *fx_root(void);
void fx_rmrf(char *root);	/* and free(root) */
void fx_write(const char *root, const char *rel, const char *content);
void fx_symlink(const char *root, const char *rel, const char *target);
void fx_disk(const char *root, const char *kname, const char *devno);
/* modes: NULL-terminated list of "MODE", "0xMASK" pairs. */
void fx_crypto(const char *root, const char *kname, const char *dun_bits,
	       const char *keyslots, const char *const *modes);
void fx_part(const char *root, const char *disk, const char *part,
	     const char *devno, const char *partno);
void fx_dm(const char *root, const char *kname, const char *devno,
	   const char *name, const char *uuid);
void fx_table(const char *root, const char *dmname, const char *kind,
	      const char *text);

/* Captures log messages of a context. */
struct fx_log {
	char buf[16384];
	size_t len;
	int max_level_seen;
};
void fx_log_fn(int level, const char *msg, void *usrptr);
bool fx_log_has(const struct fx_log *log, const char *needle);
void fx_log_reset(struct fx_log *log);

/* A context over @root with its log captured in @log. */
struct dmcaps_ctx *fx_ctx(const char *root, struct fx_log *log);

#endif
