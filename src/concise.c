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

/* The end of the field starting at @p ('\0', ',' or ';', unescaped) and
 * its length once unescaped; NULL for a '\' at the very end. */
static const char *field_end(const char *p, size_t *len)
{
	*len = 0;
	for (; *p && *p != ',' && *p != ';'; p++, (*len)++) {
		if (*p == '\\' && !*++p)
			return NULL;
	}
	return p;
}

/*
 * Unescaped fields of @text: split at unescaped ',' (and, to refuse it,
 * ';'). Two passes, each field allocated at its own length, so memory is
 * linear in the input (one field per character of "a,,,,..." included).
 */
static int split(const char *text, char ***fields, size_t *n, bool *several)
{
	const char *p, *e;
	size_t count = 0, len, i, k;
	char **f;

	*several = false;
	*n = 0;
	for (p = text; ; p = e + 1) {
		e = field_end(p, &len);
		if (!e)
			return -1;
		count++;
		if (*e == ';' && e[1]) {
			/* a trailing ';' ends the only device */
			*several = true;
			return -1;
		}
		if (*e != ',')
			break;
	}
	f = calloc(count, sizeof(*f));
	if (!f)
		return -1;
	for (p = text, i = 0; i < count; i++, p = e + 1) {
		e = field_end(p, &len);
		f[i] = malloc(len + 1);
		if (!f[i])
			goto bad;
		for (k = 0; p < e; p++)
			f[i][k++] = *p == '\\' ? *++p : *p;
		f[i][k] = '\0';
		*n = i + 1;
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
	char *p;
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
	/* Appended at the end, not strcat(): linear in the input. */
	for (i = 4, p = c->table; i < n; i++) {
		p = stpcpy(p, f[i]);
		*p++ = '\n';
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
