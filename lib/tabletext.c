// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Table text as dmsetup load reads it (a file or standard input), layout
 * checks the kernel makes before anything else, and care for key material:
 * a dm-crypt table holds its key in its parameters, so buffers holding
 * table text are wiped and messages show parameters masked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define wipe dmcaps_wipe

DMCAPS_EXPORT void dmcaps_text_wipe_free(char *text)
{
	dmcaps_wipe_free_str(text);
}

DMCAPS_EXPORT int dmcaps_table_text_read(struct dmcaps_ctx *ctx, int fd,
					 const char *what, char **text)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *n;
	ssize_t r;

	if (!ctx || fd < 0 || !text)
		return -EINVAL;
	*text = NULL;
	what = what ?: "the table";
	for (;;) {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;

			if (ncap > (size_t)DMCAPS_TABLE_TEXT_MAX + 1)
				ncap = (size_t)DMCAPS_TABLE_TEXT_MAX + 1;
			if (len + 1 >= ncap) {
				log_err(ctx, "%s: a table larger than %u bytes is "
					"not one dmcaps reads", what,
					DMCAPS_TABLE_TEXT_MAX);
				wipe(buf, len);
				free(buf);
				return -EFBIG;
			}
			/* Not realloc(): it would leave a copy of the key
			 * behind in freed memory. */
			n = malloc(ncap);
			if (!n) {
				wipe(buf, len);
				free(buf);
				return -ENOMEM;
			}
			if (buf)
				memcpy(n, buf, len);
			wipe(buf, len);
			free(buf);
			buf = n;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			log_err(ctx, "cannot read %s: %s", what, strerror(e));
			wipe(buf, len);
			free(buf);
			return -e;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	if (!buf) {
		buf = calloc(1, 1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		log_err(ctx, "%s holds a NUL byte: not table text", what);
		wipe(buf, len);
		free(buf);
		return -EINVAL;
	}
	*text = buf;
	return 0;
}

DMCAPS_EXPORT int dmcaps_table_validate(struct dmcaps_ctx *ctx,
					const struct dmcaps_table *table)
{
	uint64_t next = 0;
	size_t i;

	if (!ctx || !table)
		return -EINVAL;
	if (!table->ntargets) {
		log_err(ctx, "the table has no targets");
		return -EINVAL;
	}
	for (i = 0; i < table->ntargets; i++) {
		const struct dmcaps_target *t = &table->targets[i];

		if (t->start != next) {
			log_err(ctx, "target %zu (%s) starts at sector %ju, not "
				"%ju where the %s: the kernel would reject "
				"the table (gap or overlap)", i + 1, t->type,
				(uintmax_t)t->start, (uintmax_t)next,
				i ? "previous one ends" : "table starts");
			return -EINVAL;
		}
		next = t->start + t->length;
	}
	return 0;
}

/* dmcaps_table_free() wipes too, now: kept for the ABI. */
DMCAPS_EXPORT void dmcaps_table_free_wipe(struct dmcaps_table *table)
{
	dmcaps_table_free(table);
}

DMCAPS_EXPORT int dmcaps_target_params_masked(const struct dmcaps_target *t,
					      char **text)
{
	const char *p, *k, *e;

	if (!t || !text)
		return -EINVAL;
	*text = NULL;
	p = t->params ?: "";
	if (strcmp(t->type, "crypt")) {
		*text = strdup(p);
		return *text ? 0 : -ENOMEM;
	}
	/* crypt: <cipher> <key> <iv_offset> <device> <offset> [...] */
	k = p + strspn(p, " \t");
	k += strcspn(k, " \t");
	k += strspn(k, " \t");
	if (!*k) {
		*text = strdup(p);
		return *text ? 0 : -ENOMEM;
	}
	e = k;
	while (*e && *e != ' ' && *e != '\t') {
		if (*e == '\\' && e[1])
			e++;
		e++;
	}
	*text = dmcaps_strdup_printf("%.*s<key>%s", (int)(k - p), p, e);
	return *text ? 0 : -ENOMEM;
}
