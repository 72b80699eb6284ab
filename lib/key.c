// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Keys for eviction: raw bytes read from a file straight into locked
 * memory and wiped when freed, or a keyring key named by "TYPE:DESC" that
 * the kernel reads itself. No message ever holds key bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct dmcaps_key {
	int32_t keyring_id;	/* 0 for a raw key */
	size_t size;		/* raw key bytes in @bytes */
	bool locked;		/* @bytes is mlock()ed */
	unsigned char bytes[DMCAPS_KEY_MAX_SIZE];
};

static int key_alloc(struct dmcaps_ctx *ctx, struct dmcaps_key **key)
{
	struct dmcaps_key *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	/* Keep the bytes out of swap. Failing that (RLIMIT_MEMLOCK) is not
	 * fatal: cryptsetup goes on too, and the bytes are wiped anyway. */
	k->locked = !mlock(k, sizeof(*k));
	if (!k->locked)
		log_dbg(ctx, "cannot lock the key buffer in memory: %s",
			strerror(errno));
	*key = k;
	return 0;
}

DMCAPS_EXPORT void dmcaps_key_free(struct dmcaps_key *key)
{
	if (!key)
		return;
	explicit_bzero(key->bytes, sizeof(key->bytes));
	if (key->locked)
		munlock(key, sizeof(*key));
	free(key);
}

DMCAPS_EXPORT int32_t dmcaps_key_keyring_id(const struct dmcaps_key *key)
{
	return key ? key->keyring_id : 0;
}

const void *dmcaps_key_bytes(const struct dmcaps_key *key)
{
	return key && !key->keyring_id ? key->bytes : NULL;
}

DMCAPS_EXPORT size_t dmcaps_key_size(const struct dmcaps_key *key)
{
	return key ? key->size : 0;
}

/* Reads up to @max bytes of @fd into @buf; *len what was read. One more
 * byte than asked for tells a file that is too long. */
static int read_upto(int fd, unsigned char *buf, size_t max, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len < max) {
		r = read(fd, buf + *len, max - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		*len += r;
	}
	return 0;
}

DMCAPS_EXPORT int dmcaps_key_read_file(struct dmcaps_ctx *ctx, const char *path,
				       size_t size, struct dmcaps_key **key)
{
	const char *what;
	/* One byte beyond the largest size: a longer file is refused. */
	unsigned char extra[1];
	struct dmcaps_key *k = NULL;
	size_t len = 0, more = 0;
	int fd, r;

	if (!ctx || !path || !key || size > DMCAPS_KEY_MAX_SIZE)
		return -EINVAL;
	*key = NULL;
	what = strcmp(path, "-") ? path : "standard input";

	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			r = -errno;
			log_err(ctx, "cannot open key file %s: %s", path,
				strerror(-r));
			return r;
		}
	}

	r = key_alloc(ctx, &k);
	if (r)
		goto out;
	r = read_upto(fd, k->bytes, size ?: DMCAPS_KEY_MAX_SIZE, &len);
	if (!r && len == (size ?: DMCAPS_KEY_MAX_SIZE))
		r = read_upto(fd, extra, sizeof(extra), &more);
	explicit_bzero(extra, sizeof(extra));
	if (r) {
		log_err(ctx, "cannot read key file %s: %s", what, strerror(-r));
		goto out;
	}
	if (size && (len != size || more)) {
		log_err(ctx, "key file %s holds %s%zu bytes; the mode's key is "
			"%zu bytes", what, more ? "more than " : "", len, size);
		r = -EMSGSIZE;
	} else if (!size && (!len || more)) {
		log_err(ctx, "key file %s holds %s%zu bytes; a key has 1 to %d "
			"bytes", what, more ? "more than " : "", len,
			DMCAPS_KEY_MAX_SIZE);
		r = -EMSGSIZE;
	}
	k->size = len;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	if (r) {
		dmcaps_key_free(k);
		return r;
	}
	*key = k;
	return 0;
}

/* Only the key types whose payload is the raw key, as dm-crypt's ":logon:"
 * and ":user:" keys; the kernel refuses others with EKEYREJECTED too. */
static bool keyring_type_ok(const char *type)
{
	return !strcmp(type, "logon") || !strcmp(type, "user");
}

DMCAPS_EXPORT int dmcaps_key_from_keyring(struct dmcaps_ctx *ctx,
					  const char *type_desc,
					  struct dmcaps_key **key)
{
	struct dmcaps_key *k = NULL;
	const char *colon;
	key_serial_t id;
	char *type;
	int r;

	if (!ctx || !type_desc || !key)
		return -EINVAL;
	*key = NULL;
	colon = strchr(type_desc, ':');
	if (!colon || colon == type_desc || !colon[1]) {
		log_err(ctx, "key description \"%s\" is not TYPE:DESCRIPTION "
			"(for example logon:fscrypt:k1)", type_desc);
		return -EINVAL;
	}
	type = strndup(type_desc, colon - type_desc);
	if (!type)
		return -ENOMEM;
	if (!keyring_type_ok(type)) {
		log_err(ctx, "key type \"%s\" cannot be used: only logon and user "
			"keys hold a raw key", type);
		r = -EINVAL;
		goto out;
	}

	/* Search only (no callout): the thread, process and session keyrings,
	 * as the kernel's own lookup then does with the serial number. */
	id = request_key(type, colon + 1, NULL, 0);
	if (id < 0) {
		r = -errno;
		if (r == -ENOKEY || r == -ENOENT) {
			log_err(ctx, "no %s key \"%s\" in this process's keyrings",
				type, colon + 1);
			r = -ENOKEY;
		} else {
			log_err(ctx, "cannot find %s key \"%s\": %s", type,
				colon + 1, strerror(-r));
		}
		goto out;
	}
	r = key_alloc(ctx, &k);
	if (r)
		goto out;
	k->keyring_id = id;
	log_dbg(ctx, "key %s:%s is keyring key %d", type, colon + 1, id);
	*key = k;
out:
	free(type);
	return r;
}
