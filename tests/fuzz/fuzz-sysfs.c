// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A sysfs queue/crypto directory (dmcaps_sysfs_read_crypto_dir): the
 * input is split at NUL bytes into max_dun_bits, num_keyslots, then mode
 * name and mask pairs, written as files into a fresh directory. A field
 * "-" leaves its file out; a mode name holding '/' is cut there.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <stdlib.h>

#include "common.h"
#include "internal.h"

/* The next NUL-separated field of @data; NULL at the end. */
static const char *field(const uint8_t **data, size_t *size, size_t *len)
{
	const uint8_t *s = *data, *nul;

	if (!*size)
		return NULL;
	nul = memchr(s, '\0', *size);
	*len = nul ? (size_t)(nul - s) : *size;
	*data += *len + (nul ? 1 : 0);
	*size -= *len + (nul ? 1 : 0);
	return (const char *)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmcaps_ctx *ctx;
	static char *dir;
	struct dmcaps_set *set = NULL;
	char name[64], rel[96];
	const char *f;
	size_t len, n;
	int i;

	if (!ctx) {
		ctx = fz_ctx();
		if (asprintf(&dir, "%s/crypto", fz_root()) < 0)
			abort();
	}
	fz_rmrf(dir);
	fz_write(dir, "modes/.keep", "", 0);
	unlink(strcat(strcpy(rel, dir), "/modes/.keep"));
	for (i = 0; (f = field(&data, &size, &len)); i++) {
		if (len == 1 && f[0] == '-')
			continue;
		if (i == 0) {
			fz_write(dir, "max_dun_bits", f, len);
		} else if (i == 1) {
			fz_write(dir, "num_keyslots", f, len);
		} else {
			n = memchr(f, '/', len) ?
			    (size_t)((const char *)memchr(f, '/', len) - f) : len;
			if (n >= sizeof(name) || !n ||
			    memchr(f, '\0', n) || (n <= 2 && f[0] == '.' &&
						       f[n - 1] == '.'))
				continue;
			memcpy(name, f, n);
			name[n] = '\0';
			snprintf(rel, sizeof(rel), "modes/%s", name);
			f = field(&data, &size, &len);
			if (!f)
				f = "", len = 0;
			fz_write(dir, rel, f, len);
		}
	}
	if (!dmcaps_sysfs_read_crypto_dir(ctx, dir, &set))
		dmcaps_set_free(set);
	return 0;
}
