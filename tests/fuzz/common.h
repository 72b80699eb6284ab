/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the libFuzzer targets share: a small fixture sysroot (two disks
 * with inline crypto, a partition, a DM device) so that device lookups in
 * parsed input can succeed, and a context over it that logs nowhere.
 */
#ifndef _DMCAPS_FUZZ_COMMON_H
#define _DMCAPS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "libdmcaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sysroot, made once per process (removed at exit). */
const char *fz_root(void);
/* A fresh context over fz_root(); aborts if none can be made. */
struct dmcaps_ctx *fz_ctx(void);
/* Writes @len bytes to <@dir>/<@rel>, making directories; aborts on error. */
void fz_write(const char *dir, const char *rel, const void *data, size_t len);
/* Removes a directory tree. */
void fz_rmrf(const char *dir);
/* @data as a NUL-terminated malloc()ed string (stops at the first NUL). */
char *fz_str(const uint8_t *data, size_t size);

#endif
