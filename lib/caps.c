// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Capability sets and their algebra, following block/blk-crypto-profile.c:
 * intersection (blk_crypto_intersect_capabilities) and the superset check
 * (blk_crypto_has_capabilities) that DM uses to refuse shrinking tables.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* In the kernel's enum blk_crypto_mode_num order, spelled as sysfs does. */
const char *const dmcaps_known_modes[DMCAPS_NUM_KNOWN_MODES] = {
	"AES-256-XTS",
	"AES-128-CBC-ESSIV",
	"Adiantum",
	"SM4-XTS",
};

/* Key size in bytes of each known mode, in the same order (the kernel's
 * blk_crypto_modes[].keysize). */
static const unsigned int known_mode_key_sizes[DMCAPS_NUM_KNOWN_MODES] = {
	64, 16, 32, 32,
};

/* A mode a newer kernel knows and we do not: carried through by name. */
struct extra_mode {
	char *name;
	uint32_t mask;	/* never 0: modes without sizes are dropped */
};

struct dmcaps_set {
	/*
	 * "Everything", the identity of intersection. Known masks are then all
	 * ones and the DUN width is the maximum, and any unknown mode counts as
	 * fully supported too (get_mode, superset, intersect honour that).
	 */
	bool unrestricted;
	uint32_t known[DMCAPS_NUM_KNOWN_MODES];
	struct extra_mode *extra;	/* sorted by name */
	size_t nextra;
	unsigned int dun_bytes;
	int keyslots;
};

static int known_index(const char *mode)
{
	size_t i;

	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++)
		if (!strcmp(dmcaps_known_modes[i], mode))
			return i;
	return -1;
}

DMCAPS_EXPORT int dmcaps_mode_key_size(const char *mode)
{
	int i;

	if (!mode)
		return -EINVAL;
	i = known_index(mode);
	return i < 0 ? -ENOENT : (int)known_mode_key_sizes[i];
}

static struct extra_mode *extra_find(const struct dmcaps_set *set,
				     const char *mode, size_t *pos)
{
	size_t lo = 0, hi = set->nextra;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set->extra[mid].name, mode);

		if (!c) {
			if (pos)
				*pos = mid;
			return &set->extra[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return NULL;
}

static void extra_remove(struct dmcaps_set *set, size_t pos)
{
	free(set->extra[pos].name);
	memmove(&set->extra[pos], &set->extra[pos + 1],
		(set->nextra - pos - 1) * sizeof(*set->extra));
	set->nextra--;
}

static void set_clear_modes(struct dmcaps_set *set)
{
	size_t i;

	for (i = 0; i < set->nextra; i++)
		free(set->extra[i].name);
	free(set->extra);
	set->extra = NULL;
	set->nextra = 0;
	memset(set->known, 0, sizeof(set->known));
}

DMCAPS_EXPORT int dmcaps_set_new(struct dmcaps_set **set)
{
	struct dmcaps_set *s;

	if (!set)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->keyslots = DMCAPS_KEYSLOTS_UNKNOWN;
	*set = s;
	return 0;
}

DMCAPS_EXPORT int dmcaps_set_new_unrestricted(struct dmcaps_set **set)
{
	int err = dmcaps_set_new(set);
	size_t i;

	if (err)
		return err;
	(*set)->unrestricted = true;
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++)
		(*set)->known[i] = UINT32_MAX;
	(*set)->dun_bytes = DMCAPS_MAX_DUN_BYTES;
	return 0;
}

DMCAPS_EXPORT void dmcaps_set_free(struct dmcaps_set *set)
{
	if (!set)
		return;
	set_clear_modes(set);
	free(set);
}

static int set_copy(struct dmcaps_set *dst, const struct dmcaps_set *src)
{
	struct extra_mode *extra = NULL;
	size_t i;

	if (src->nextra) {
		extra = calloc(src->nextra, sizeof(*extra));
		if (!extra)
			return -ENOMEM;
		for (i = 0; i < src->nextra; i++) {
			extra[i].mask = src->extra[i].mask;
			extra[i].name = strdup(src->extra[i].name);
			if (!extra[i].name) {
				while (i--)
					free(extra[i].name);
				free(extra);
				return -ENOMEM;
			}
		}
	}
	set_clear_modes(dst);
	memcpy(dst->known, src->known, sizeof(dst->known));
	dst->extra = extra;
	dst->nextra = src->nextra;
	dst->unrestricted = src->unrestricted;
	dst->dun_bytes = src->dun_bytes;
	dst->keyslots = src->keyslots;
	return 0;
}

DMCAPS_EXPORT int dmcaps_set_dup(const struct dmcaps_set *src,
				 struct dmcaps_set **dst)
{
	int err;

	if (!src || !dst)
		return -EINVAL;
	err = dmcaps_set_new(dst);
	if (err)
		return err;
	err = set_copy(*dst, src);
	if (err) {
		dmcaps_set_free(*dst);
		*dst = NULL;
	}
	return err;
}

static bool mode_name_valid(const char *mode)
{
	const unsigned char *p = (const unsigned char *)mode;

	/* Whatever fits in a sysfs file name and our text form. */
	if (!*p || strlen(mode) > 64)
		return false;
	for (; *p; p++)
		if (!isgraph(*p) || *p == ':' || *p == ',' || *p == '/' || *p == '=')
			return false;
	return true;
}

DMCAPS_EXPORT int dmcaps_set_add_mode(struct dmcaps_set *set, const char *mode,
				      uint32_t dus_mask)
{
	struct extra_mode *e, *n;
	size_t pos;
	int idx;

	if (!set || !mode || !mode_name_valid(mode))
		return -EINVAL;
	idx = known_index(mode);
	if (idx >= 0) {
		set->known[idx] |= dus_mask;
		return 0;
	}
	if (set->unrestricted || !dus_mask)
		return 0;
	e = extra_find(set, mode, &pos);
	if (e) {
		e->mask |= dus_mask;
		return 0;
	}
	n = realloc(set->extra, (set->nextra + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	set->extra = n;
	memmove(&n[pos + 1], &n[pos], (set->nextra - pos) * sizeof(*n));
	n[pos].name = strdup(mode);
	if (!n[pos].name) {
		memmove(&n[pos], &n[pos + 1], (set->nextra - pos) * sizeof(*n));
		return -ENOMEM;
	}
	n[pos].mask = dus_mask;
	set->nextra++;
	return 0;
}

DMCAPS_EXPORT uint32_t dmcaps_set_get_mode(const struct dmcaps_set *set,
					   const char *mode)
{
	const struct extra_mode *e;
	int idx;

	if (!set || !mode)
		return 0;
	idx = known_index(mode);
	if (idx >= 0)
		return set->known[idx];
	if (set->unrestricted)
		return UINT32_MAX;
	e = extra_find(set, mode, NULL);
	return e ? e->mask : 0;
}

DMCAPS_EXPORT size_t dmcaps_set_mode_count(const struct dmcaps_set *set)
{
	size_t i, n = 0;

	if (!set)
		return 0;
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++)
		if (set->known[i])
			n++;
	return n + set->nextra;
}

DMCAPS_EXPORT const char *dmcaps_set_mode_name(const struct dmcaps_set *set,
					       size_t idx)
{
	size_t i;

	if (!set)
		return NULL;
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++) {
		if (!set->known[i])
			continue;
		if (!idx--)
			return dmcaps_known_modes[i];
	}
	return idx < set->nextra ? set->extra[idx].name : NULL;
}

DMCAPS_EXPORT int dmcaps_set_set_max_dun_bytes(struct dmcaps_set *set,
					       unsigned int bytes)
{
	if (!set || bytes > DMCAPS_MAX_DUN_BYTES)
		return -EINVAL;
	set->dun_bytes = bytes;
	return 0;
}

DMCAPS_EXPORT unsigned int dmcaps_set_get_max_dun_bytes(const struct dmcaps_set *set)
{
	return set ? set->dun_bytes : 0;
}

DMCAPS_EXPORT int dmcaps_set_set_keyslots(struct dmcaps_set *set, int keyslots)
{
	if (!set || keyslots < DMCAPS_KEYSLOTS_UNKNOWN)
		return -EINVAL;
	set->keyslots = keyslots;
	return 0;
}

DMCAPS_EXPORT int dmcaps_set_get_keyslots(const struct dmcaps_set *set)
{
	return set ? set->keyslots : DMCAPS_KEYSLOTS_UNKNOWN;
}

DMCAPS_EXPORT bool dmcaps_set_is_empty(const struct dmcaps_set *set)
{
	return !set || dmcaps_set_mode_count(set) == 0;
}

DMCAPS_EXPORT bool dmcaps_set_is_unrestricted(const struct dmcaps_set *set)
{
	return set && set->unrestricted;
}

/* Identical, keyslots included: for tests and caches. */
bool dmcaps_set_identical(const struct dmcaps_set *a, const struct dmcaps_set *b)
{
	return dmcaps_set_equal(a, b) &&
	       dmcaps_set_get_keyslots(a) == dmcaps_set_get_keyslots(b);
}

DMCAPS_EXPORT bool dmcaps_set_equal(const struct dmcaps_set *a,
				    const struct dmcaps_set *b)
{
	size_t i;

	if (dmcaps_set_is_empty(a) || dmcaps_set_is_empty(b))
		return dmcaps_set_is_empty(a) && dmcaps_set_is_empty(b);
	if (a->unrestricted != b->unrestricted || a->dun_bytes != b->dun_bytes ||
	    a->nextra != b->nextra || memcmp(a->known, b->known, sizeof(a->known)))
		return false;
	for (i = 0; i < a->nextra; i++)
		if (strcmp(a->extra[i].name, b->extra[i].name) ||
		    a->extra[i].mask != b->extra[i].mask)
			return false;
	return true;
}

/* ---- Algebra ------------------------------------------------------------ */

DMCAPS_EXPORT int dmcaps_set_intersect(struct dmcaps_set *dst,
				       const struct dmcaps_set *other)
{
	size_t i;
	int keyslots, err;

	if (!dst || !other)
		return -EINVAL;
	if (other->unrestricted)
		return 0;
	if (dst->unrestricted) {
		keyslots = dst->keyslots;
		err = set_copy(dst, other);
		dst->keyslots = keyslots;
		return err;
	}
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++)
		dst->known[i] &= other->known[i];
	/* A mode absent in either set is absent from the intersection. */
	for (i = dst->nextra; i-- > 0;) {
		dst->extra[i].mask &= dmcaps_set_get_mode(other, dst->extra[i].name);
		if (!dst->extra[i].mask)
			extra_remove(dst, i);
	}
	if (other->dun_bytes < dst->dun_bytes)
		dst->dun_bytes = other->dun_bytes;
	return 0;
}

int dmcaps_set_union(struct dmcaps_set *dst, const struct dmcaps_set *other)
{
	size_t i;
	int err;

	if (!dst || !other)
		return -EINVAL;
	if (dst->unrestricted)
		return 0;
	if (other->unrestricted) {
		int keyslots = dst->keyslots;

		err = set_copy(dst, other);
		dst->keyslots = keyslots;
		return err;
	}
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++)
		dst->known[i] |= other->known[i];
	for (i = 0; i < other->nextra; i++) {
		err = dmcaps_set_add_mode(dst, other->extra[i].name,
					  other->extra[i].mask);
		if (err)
			return err;
	}
	if (other->dun_bytes > dst->dun_bytes)
		dst->dun_bytes = other->dun_bytes;
	return 0;
}

DMCAPS_EXPORT bool dmcaps_set_is_superset(const struct dmcaps_set *a,
					  const struct dmcaps_set *b)
{
	size_t i;

	/* blk_crypto_has_capabilities(): a missing (empty) profile is a
	 * subset of everything, and nothing but an empty profile is a subset
	 * of a missing one. */
	if (dmcaps_set_is_empty(b))
		return true;
	if (dmcaps_set_is_empty(a))
		return false;
	if (a->unrestricted)
		return true;
	if (b->unrestricted)
		return false;
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++)
		if (b->known[i] & ~a->known[i])
			return false;
	for (i = 0; i < b->nextra; i++)
		if (b->extra[i].mask & ~dmcaps_set_get_mode(a, b->extra[i].name))
			return false;
	return a->dun_bytes >= b->dun_bytes;
}

static int delta_push(struct dmcaps_delta **deltas, size_t *count,
		      const struct dmcaps_delta *d)
{
	struct dmcaps_delta *n = realloc(*deltas, (*count + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	n[(*count)++] = *d;
	*deltas = n;
	return 0;
}

static int diff_mode(const char *mode, uint32_t have, uint32_t other,
		     struct dmcaps_delta **deltas, size_t *count)
{
	struct dmcaps_delta d = { .mode = mode };

	if (!(have & ~other))
		return 0;
	d.kind = other ? DMCAPS_DELTA_DATA_UNIT_SIZES : DMCAPS_DELTA_MODE;
	d.dus_mask = have & ~other;
	return delta_push(deltas, count, &d);
}

int dmcaps_set_diff_array(const struct dmcaps_set *have,
			  const struct dmcaps_set *other,
			  struct dmcaps_delta **deltas, size_t *count)
{
	struct dmcaps_delta *out = NULL;
	size_t i, n = 0;
	int err = 0;

	if (!have || !other || !deltas || !count)
		return -EINVAL;
	*deltas = NULL;
	*count = 0;
	for (i = 0; i < DMCAPS_NUM_KNOWN_MODES && !err; i++)
		err = diff_mode(dmcaps_known_modes[i], have->known[i],
				other->known[i], &out, &n);
	for (i = 0; i < have->nextra && !err; i++)
		err = diff_mode(have->extra[i].name, have->extra[i].mask,
				dmcaps_set_get_mode(other, have->extra[i].name),
				&out, &n);
	/* A DUN width only matters while some mode is left to use it. */
	if (!err && have->dun_bytes > other->dun_bytes && !dmcaps_set_is_empty(have) &&
	    !dmcaps_set_is_empty(other)) {
		struct dmcaps_delta d = {
			.kind = DMCAPS_DELTA_DUN_BYTES,
			.dun_have = have->dun_bytes,
			.dun_other = other->dun_bytes,
		};

		err = delta_push(&out, &n, &d);
	}
	if (err) {
		free(out);
		return err;
	}
	*deltas = out;
	*count = n;
	return 0;
}

/* ---- Text form ---------------------------------------------------------- */

DMCAPS_EXPORT int dmcaps_dus_mask_format(uint32_t dus_mask, char **text)
{
	/* 32 sizes of at most 10 digits, commas, NUL. */
	char buf[32 * 11 + 1], *p = buf;
	unsigned int bit;

	if (!text)
		return -EINVAL;
	buf[0] = '\0';
	for (bit = 0; bit < 32; bit++) {
		if (!(dus_mask & (UINT32_C(1) << bit)))
			continue;
		p += sprintf(p, "%s%lu", p == buf ? "" : ",", 1UL << bit);
	}
	*text = strdup(buf);
	return *text ? 0 : -ENOMEM;
}

/* A growing string for the formatters: dmcaps show formats a few sets per
 * device, and a stdio memory stream for each cost more than the text. */
struct sbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *buf;
	int n;

	if (sb->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL,
		      sb->buf ? sb->cap - sb->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return;
	}
	if (sb->buf && sb->len + n < sb->cap) {
		sb->len += n;
		return;
	}
	cap = sb->cap ? sb->cap : 64;
	while (cap <= sb->len + n)
		cap *= 2;
	buf = realloc(sb->buf, cap);
	if (!buf) {
		sb->failed = true;
		return;
	}
	sb->buf = buf;
	sb->cap = cap;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += n;
}

DMCAPS_EXPORT int dmcaps_set_format_summary(const struct dmcaps_set *set,
					    unsigned int flags, char **text)
{
	struct sbuf sb = { 0 };
	char *sizes;
	size_t i;
	int r = 0;

	if (!text)
		return -EINVAL;
	*text = NULL;
	if (!set || dmcaps_set_is_empty(set))
		return (*text = strdup("none")) ? 0 : -ENOMEM;
	for (i = 0; i < dmcaps_set_mode_count(set); i++) {
		const char *mode = dmcaps_set_mode_name(set, i);

		r = dmcaps_dus_mask_format(dmcaps_set_get_mode(set, mode),
					   &sizes);
		if (r < 0)
			break;
		sb_printf(&sb, "%s%s(%s)", i ? " " : "", mode, sizes);
		free(sizes);
	}
	if (!r && (flags & DMCAPS_SUMMARY_DUN))
		sb_printf(&sb, ", DUN %u bytes", dmcaps_set_get_max_dun_bytes(set));
	if (!r && sb.failed)
		r = -ENOMEM;
	if (r < 0) {
		free(sb.buf);
		return r;
	}
	*text = sb.buf ? sb.buf : strdup("");
	return *text ? 0 : -ENOMEM;
}

DMCAPS_EXPORT int dmcaps_set_format(const struct dmcaps_set *set, char **text)
{
	struct sbuf sb = { 0 };
	size_t i;

	if (!set || !text)
		return -EINVAL;
	*text = NULL;
	if (set->unrestricted) {
		sb_printf(&sb, "unrestricted");
	} else if (dmcaps_set_is_empty(set)) {
		sb_printf(&sb, "none");
	} else {
		const char *sep = "";

		for (i = 0; i < DMCAPS_NUM_KNOWN_MODES; i++) {
			if (!set->known[i])
				continue;
			sb_printf(&sb, "%s%s:0x%x", sep, dmcaps_known_modes[i],
				  set->known[i]);
			sep = ",";
		}
		for (i = 0; i < set->nextra; i++) {
			sb_printf(&sb, "%s%s:0x%x", sep, set->extra[i].name,
				  set->extra[i].mask);
			sep = ",";
		}
		sb_printf(&sb, " dun=%u", set->dun_bytes);
	}
	if (set->keyslots != DMCAPS_KEYSLOTS_UNKNOWN)
		sb_printf(&sb, " keyslots=%d", set->keyslots);
	if (sb.failed) {
		free(sb.buf);
		return -ENOMEM;
	}
	*text = sb.buf;
	return 0;
}

/* "0x" followed by 1..8 significant hex digits (leading zeros allowed). */
static int parse_hex_mask(const char *s, uint32_t *mask)
{
	uint64_t v = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return -EINVAL;
	for (s += 2; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		v = (v << 4) | d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*mask = v;
	return 0;
}

int dmcaps_parse_hex_mask(const char *s, uint32_t *mask)
{
	return parse_hex_mask(s, mask);
}

static int parse_modes(struct dmcaps_ctx *ctx, struct dmcaps_set *set, char *list)
{
	char *save = NULL, *tok;

	if (!*list || list[strlen(list) - 1] == ',' || list[0] == ',') {
		log_err(ctx, "invalid mode list \"%s\" in capability set", list);
		return -EINVAL;
	}
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		uint32_t mask;
		int err;

		if (!colon) {
			log_err(ctx, "invalid capability \"%s\": expected MODE:0xMASK", tok);
			return -EINVAL;
		}
		*colon = '\0';
		if (!mode_name_valid(tok)) {
			log_err(ctx, "invalid mode name \"%s\" in capability set", tok);
			return -EINVAL;
		}
		if (parse_hex_mask(colon + 1, &mask) || !mask) {
			log_err(ctx, "invalid data-unit-size mask \"%s\" for mode %s "
				"(expected 0x1..0xffffffff)", colon + 1, tok);
			return -EINVAL;
		}
		if (dmcaps_set_get_mode(set, tok)) {
			log_err(ctx, "mode %s given twice in capability set", tok);
			return -EINVAL;
		}
		err = dmcaps_set_add_mode(set, tok, mask);
		if (err)
			return err;
	}
	return 0;
}

static int parse_option(struct dmcaps_ctx *ctx, struct dmcaps_set *set,
			const char *tok, bool *seen_dun, bool *seen_keyslots)
{
	uint32_t v;

	if (!strncmp(tok, "dun=", 4) && !*seen_dun && !set->unrestricted) {
		if (dmcaps_parse_u32(tok + 4, &v) || v > DMCAPS_MAX_DUN_BYTES) {
			log_err(ctx, "invalid DUN width \"%s\" in capability set "
				"(0..%d bytes)", tok, DMCAPS_MAX_DUN_BYTES);
			return -EINVAL;
		}
		set->dun_bytes = v;
		*seen_dun = true;
		return 0;
	}
	if (!strncmp(tok, "keyslots=", 9) && !*seen_keyslots) {
		if (dmcaps_parse_u32(tok + 9, &v) || v > INT32_MAX) {
			log_err(ctx, "invalid keyslot count \"%s\" in capability set", tok);
			return -EINVAL;
		}
		set->keyslots = v;
		*seen_keyslots = true;
		return 0;
	}
	log_err(ctx, "unexpected token \"%s\" in capability set", tok);
	return -EINVAL;
}

DMCAPS_EXPORT int dmcaps_set_parse(struct dmcaps_ctx *ctx, const char *text,
				   struct dmcaps_set **set)
{
	bool seen_dun = false, seen_keyslots = false;
	struct dmcaps_set *s = NULL;
	char *copy, *save = NULL, *tok;
	int err;

	if (!set)
		return -EINVAL;
	*set = NULL;
	if (!text) {
		log_err(ctx, "no capability set given");
		return -EINVAL;
	}
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;

	tok = strtok_r(copy, " ", &save);
	if (!tok) {
		log_err(ctx, "empty capability set (write \"none\" for no capabilities)");
		err = -EINVAL;
		goto out;
	}
	if (!strcmp(tok, "unrestricted"))
		err = dmcaps_set_new_unrestricted(&s);
	else
		err = dmcaps_set_new(&s);
	if (err)
		goto out;
	if (!strcmp(tok, "none")) {
		/* The empty set has no meaningful DUN width; accept none. */
		seen_dun = true;
	} else if (!s->unrestricted) {
		err = parse_modes(ctx, s, tok);
		if (err)
			goto out;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		err = parse_option(ctx, s, tok, &seen_dun, &seen_keyslots);
		if (err)
			goto out;
	}
	if (!seen_dun && !s->unrestricted) {
		log_err(ctx, "capability set \"%s\" lacks dun=BYTES", text);
		err = -EINVAL;
		goto out;
	}
	*set = s;
	s = NULL;
out:
	dmcaps_set_free(s);
	free(copy);
	return err;
}

DMCAPS_EXPORT int dmcaps_delta_format(const struct dmcaps_delta *delta, char **text)
{
	char *sizes = NULL;
	int err;

	if (!delta || !text)
		return -EINVAL;
	*text = NULL;
	switch (delta->kind) {
	case DMCAPS_DELTA_MODE:
		*text = dmcaps_strdup_printf("lacks %s", delta->mode ?: "?");
		break;
	case DMCAPS_DELTA_DATA_UNIT_SIZES:
		err = dmcaps_dus_mask_format(delta->dus_mask, &sizes);
		if (err)
			return err;
		*text = dmcaps_strdup_printf("lacks %s data-unit sizes %s",
					     delta->mode ?: "?", sizes);
		free(sizes);
		break;
	case DMCAPS_DELTA_DUN_BYTES:
		*text = dmcaps_strdup_printf("supports %u-byte DUNs, not %u",
					     delta->dun_other, delta->dun_have);
		break;
	default:
		return -EINVAL;
	}
	return *text ? 0 : -ENOMEM;
}
