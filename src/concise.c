// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmsetup's concise format, one device: the parser behind check --concise
 * and load --concise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "concise.h"
#include "dmcaps.h"
#include "exitcodes.h"

/* Unescaped fields of @text: split at unescaped ',' (and, to refuse it,
 * ';'). */
static int split(const char *text, char ***fields, size_t *n, bool *several)
{
	size_t len = strlen(text), i, k = 0;
	char **f = NULL, **nf, *cur;

	*several = false;
	*n = 0;
	cur = calloc(1, len + 1);
	if (!cur)
		return -1;
	for (i = 0; ; i++) {
		char c = text[i];

		if (c == '\\') {
			if (!text[i + 1]) {
				free(cur);
				goto bad;
			}
			cur[k++] = text[++i];
			continue;
		}
		if (c == ';') {
			/* a trailing ';' ends the only device */
			if (text[i + 1]) {
				*several = true;
				free(cur);
				goto bad;
			}
			c = '\0';
		}
		if (c == ',' || c == '\0') {
			cur[k] = '\0';
			nf = realloc(f, (*n + 1) * sizeof(*f));
			if (!nf) {
				free(cur);
				goto bad;
			}
			f = nf;
			f[(*n)++] = cur;
			if (!c)
				break;
			cur = calloc(1, len + 1);
			if (!cur)
				goto bad;
			k = 0;
			continue;
		}
		cur[k++] = c;
	}
	*fields = f;
	return 0;
bad:
	while (*n)
		dmcaps_text_wipe_free(f[--(*n)]);
	free(f);
	return -1;
}

int concise_parse(const char *text, struct concise *c)
{
	char **f = NULL;
	size_t n = 0, i, len = 0;
	bool several;
	int r = EXIT_DMCAPS_USAGE;

	memset(c, 0, sizeof(*c));
	if (split(text, &f, &n, &several)) {
		log_err("--concise: %s", several ?
			"one device at a time (this text has several, separated by ';')" :
			"a '\\' at the end, or out of memory");
		return EXIT_DMCAPS_USAGE;
	}
	if (n < 5) {
		log_err("--concise: expected name,uuid,minor,flags,table[,table]...; "
			"got %zu field%s", n, n == 1 ? "" : "s");
		goto out;
	}
	if (!*f[0]) {
		log_err("--concise: the device name is empty");
		goto out;
	}
	if (*f[3] && strcmp(f[3], "ro") && strcmp(f[3], "rw")) {
		log_err("--concise: flags '%s': expected ro or rw", f[3]);
		goto out;
	}
	for (i = 4; i < n; i++)
		len += strlen(f[i]) + 1;
	c->table = calloc(1, len + 1);
	if (!c->table) {
		log_err("--concise: %s", cause_from_errno(-ENOMEM));
		r = EXIT_DMCAPS_NOMEM;
		goto out;
	}
	for (i = 4; i < n; i++) {
		strcat(c->table, f[i]);
		strcat(c->table, "\n");
	}
	c->name = f[0];
	c->uuid = f[1];
	c->minor = f[2];
	c->flags = f[3];
	f[0] = f[1] = f[2] = f[3] = NULL;
	r = 0;
out:
	for (i = 0; i < n; i++)
		if (f[i])
			dmcaps_text_wipe_free(f[i]);
	free(f);
	return r;
}

void concise_free(struct concise *c)
{
	free(c->name);
	free(c->uuid);
	free(c->minor);
	free(c->flags);
	if (c->table)
		dmcaps_text_wipe_free(c->table);
	memset(c, 0, sizeof(*c));
}
