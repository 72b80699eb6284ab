// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsing and testing the requirements of dmcaps require.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmcaps.h"
#include "requirement.h"

/* Mode names longer than this are not names (sysfs file names are short). */
#define REQ_TOKEN_MAX	128

/* The modes the library knows are those of its unrestricted set: no second
 * list here. Matched without regard to case (a kernel command line is
 * typed by hand); the result is the sysfs spelling, or NULL. */
static const char *known_mode(const char *name, char **known_list)
{
	struct dmcaps_set *all;
	const char *found = NULL;
	size_t i, len = 0;
	FILE *f = NULL;

	if (dmcaps_set_new_unrestricted(&all) < 0)
		return NULL;
	if (known_list)
		f = open_memstream(known_list, &len);
	for (i = 0; i < dmcaps_set_mode_count(all); i++) {
		const char *m = dmcaps_set_mode_name(all, i);

		if (!strcasecmp(m, name))
			found = m;
		if (f)
			fprintf(f, "%s%s", i ? ", " : "", m);
	}
	if (f)
		fclose(f);
	/* The names are static in the library (its known-mode table);
	 * copied before the set goes to be safe anyway. */
	found = found ? strdup(found) : NULL;
	dmcaps_set_free(all);
	return found;
}

/* A decimal number without sign, spaces or trailing junk. */
static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
}

/* "\"tok\"" with control characters shown as '?', for messages: the
 * token may come from a kernel command line or a file. */
static void quoted(char *buf, size_t sz, const char *tok)
{
	size_t i;

	snprintf(buf, sz, "\"%.*s%s\"", REQ_TOKEN_MAX, tok,
		 strlen(tok) > REQ_TOKEN_MAX ? "..." : "");
	for (i = 0; buf[i]; i++)
		if (iscntrl((unsigned char)buf[i]))
			buf[i] = '?';
}

static int parse_one(struct requirement *req, char *tok, const char *what)
{
	char *mode = tok, *dus, *dun, *known = NULL, q[REQ_TOKEN_MAX + 8];
	unsigned long v;
	const char *canon;

	quoted(q, sizeof(q), tok);
	dus = strchr(tok, ':');
	if (!dus) {
		log_err("%s: %s: not a requirement: expected "
			"MODE:DATA_UNIT_SIZE[:DUN_BYTES], e.g. AES-256-XTS:4096:8",
			what, q);
		return -EINVAL;
	}
	*dus++ = '\0';
	dun = strchr(dus, ':');
	if (dun)
		*dun++ = '\0';

	canon = known_mode(mode, &known);
	if (!canon) {
		log_err("%s: %s: unknown mode \"%s\" (dmcaps knows %s)", what,
			q, *mode ? mode : "", known ? known : "?");
		free(known);
		return -EINVAL;
	}
	free(known);
	req->mode = (char *)canon;

	/* Sizes are powers of two; blk-crypto's smallest is 512 bytes and
	 * a capability mask has 32 bits. */
	if (parse_uint(dus, 1ul << 31, &v) || v < 512 || (v & (v - 1))) {
		log_err("%s: %s: data-unit size \"%s\" is not a power of two "
			"from 512 to 2147483648 bytes", what, q, dus);
		return -EINVAL;
	}
	req->dus = v;

	req->dun = 0;
	if (dun) {
		if (parse_uint(dun, DMCAPS_MAX_DUN_BYTES, &v) || !v) {
			log_err("%s: %s: DUN width \"%s\" is not a number of "
				"bytes from 1 to %d", what, q, dun,
				DMCAPS_MAX_DUN_BYTES);
			return -EINVAL;
		}
		req->dun = v;
	}

	if ((dun && asprintf(&req->text, "%s:%u:%u", req->mode, req->dus,
			     req->dun) < 0) ||
	    (!dun && asprintf(&req->text, "%s:%u", req->mode, req->dus) < 0)) {
		req->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int parse_list(struct requirements *rq, const char *text,
		      const char *what, bool allow_empty)
{
	static const char sep[] = ", \t\n\r";
	char *copy, *tok, *save = NULL;
	int r = 0, found = 0;

	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, sep, &save); tok;
	     tok = strtok_r(NULL, sep, &save)) {
		struct requirement *v;

		v = reallocarray(rq->v, rq->n + 1, sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		rq->v = v;
		memset(&v[rq->n], 0, sizeof(*v));
		r = parse_one(&v[rq->n], tok, what);
		if (r < 0) {
			free(v[rq->n].mode);
			break;
		}
		rq->n++;
		found++;
	}
	if (!r && !found && !allow_empty) {
		/* An empty argument (dmcaps.require= with nothing after it)
		 * is a malformed requirement, not "no requirement". */
		log_err("%s: empty requirement", what);
		r = -EINVAL;
	}
	free(copy);
	return r;
}

int requirements_parse(struct requirements *rq, const char *text,
		       const char *what)
{
	return parse_list(rq, text, what, false);
}

int requirements_read_file(struct requirements *rq, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL, where[PATH_MAX + 32], *hash;
	size_t sz = 0, lineno = 0, before = rq->n;
	int r = 0;

	if (!f) {
		r = -errno;
		log_err("%s: %s", path, strerror(errno));
		return r;
	}
	while (getline(&line, &sz, f) >= 0) {
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		r = parse_list(rq, line, where, true);
		if (r < 0)
			break;
	}
	if (!r && ferror(f)) {
		r = -EIO;
		log_err("%s: %s", path, strerror(EIO));
	}
	if (!r && rq->n == before) {
		log_err("%s: no requirement in the file", path);
		r = -EINVAL;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return r;
}

void requirements_free(struct requirements *rq)
{
	size_t i;

	for (i = 0; i < rq->n; i++) {
		free(rq->v[i].mode);
		free(rq->v[i].text);
	}
	free(rq->v);
	rq->v = NULL;
	rq->n = 0;
}

bool requirement_met(const struct requirement *req,
		     const struct dmcaps_set *caps)
{
	return caps && (dmcaps_set_get_mode(caps, req->mode) & req->dus) &&
	       dmcaps_set_get_max_dun_bytes(caps) >= req->dun;
}

char *requirement_lack(const struct requirement *req,
		       const struct dmcaps_set *caps)
{
	uint32_t mask = caps ? dmcaps_set_get_mode(caps, req->mode) : 0;
	char *text = NULL;
	int r;

	if (requirement_met(req, caps))
		return NULL;
	if (!caps || dmcaps_set_is_empty(caps))
		r = asprintf(&text, "has no inline crypto");
	else if (!mask)
		r = asprintf(&text, "lacks %s", req->mode);
	else if (!(mask & req->dus))
		r = asprintf(&text, "lacks %s data-unit size %u", req->mode,
			     req->dus);
	else
		r = asprintf(&text, "supports %u-byte DUNs, not %u",
			     dmcaps_set_get_max_dun_bytes(caps), req->dun);
	return r < 0 ? NULL : text;
}
