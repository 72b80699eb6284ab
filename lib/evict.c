// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Key eviction through BLKCRYPTOEVICTKEY (kernel-patches/dm-crypto 0014-0016): the
 * kernel finds keyslots by the key's content, evicts the idle ones and, on
 * a DM device, forwards the request to every device below. This file
 * builds the request, wipes it, and reads the answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"
#include "kabi-blk-crypto.h"

#define EVICT_FAILURE_ENTRIES	DMCAPS_EVICT_FAILURE_ENTRIES

/* An errno from the kernel's answer, as a negative one; anything out of
 * errno's range (INT_MIN cannot even be negated) is a malformed answer. */
static int errno_of_reply(int32_t error)
{
	if (error >= 1 && error <= DMCAPS_ERRNO_MAX)
		return -error;
	if (error <= -1 && error >= -DMCAPS_ERRNO_MAX)
		return error;
	return -EBADMSG;
}

DMCAPS_EXPORT const char *dmcaps_evict_strerror(int error)
{
	error = errno_of_reply(error);
	switch (error) {
	case -ENOTTY:
		return "the kernel has no key-eviction interface "
		       "(BLKCRYPTOEVICTKEY, from the dmcaps kernel series)";
	case -EOPNOTSUPP:
		return "the device has no inline encryption for this mode, "
		       "data-unit size and DUN width";
	case -ENOENT:
		return "the kernel does not know this mode";
	case -EMSGSIZE:
		return "the key's size is not the mode's key size";
	case -EDOM:
		return "the data-unit size is not a power of two the kernel "
		       "accepts";
	case -ERANGE:
		return "the DUN width is 0 or wider than the mode's IV";
	case -ENAMETOOLONG:
		return "the mode's name is longer than any the kernel knows";
	case -ENOKEY:
		return "no such key in the keyrings the kernel searched";
	case -EKEYREJECTED:
		return "the key is neither a logon nor a user key";
	case -EKEYREVOKED:
		return "the key has been revoked";
	case -EKEYEXPIRED:
		return "the key has expired";
	case -EACCES:
		return "no permission to search for the key";
	case -EPERM:
		return "permission denied (CAP_SYS_ADMIN is needed)";
	case -EINVAL:
		/* The request was well formed (checked here): a kernel
		 * without the interface passes the unknown ioctl on to the
		 * driver, and some drivers (loop) answer EINVAL, not ENOTTY. */
		return "the kernel refused the request: it has no key-eviction "
		       "interface of this version (the device's driver "
		       "answered instead)";
	default:
		return strerror(-error);
	}
}

void dmcaps_evict_reply(const struct blk_crypto_evict_key_arg *arg,
			struct blk_crypto_evict_failure *entries,
			size_t nentries, struct dmcaps_evict_result *res)
{
	size_t i;

	res->evicted = arg->slots_evicted;
	res->busy = arg->slots_busy;
	res->devices = arg->devices_visited;
	res->failures = arg->nr_failures;
	/* The kernel counts every failure but writes at most the room we
	 * gave it (failures_len): never more entries than that. */
	res->nentries = arg->nr_failures < nentries ? arg->nr_failures :
						      nentries;
	if (res->nentries > ARRAY_SIZE(res->entries))
		res->nentries = ARRAY_SIZE(res->entries);
	for (i = 0; i < res->nentries; i++) {
		res->entries[i] = entries[i];
		res->entries[i].error = errno_of_reply(entries[i].error);
	}
}

/* Fills the kernel's request. The raw key is pointed to, not copied. */
int dmcaps_evict_arg_build(const struct dmcaps_key_config *cfg,
			   const struct dmcaps_key *key,
			   struct blk_crypto_evict_key_arg *arg,
			   struct blk_crypto_evict_failure *entries,
			   size_t nentries)
{
	memset(arg, 0, sizeof(*arg));
	if (!cfg || !cfg->mode || !key)
		return -EINVAL;
	if (strlen(cfg->mode) >= sizeof(arg->mode))
		return -ENAMETOOLONG;
	arg->version = BLK_CRYPTO_EVICT_KEY_VERSION;
	strcpy(arg->mode, cfg->mode);
	arg->data_unit_size = cfg->data_unit_size;
	arg->dun_bytes = cfg->dun_bytes;
	if (dmcaps_key_keyring_id(key)) {
		arg->flags = BLK_CRYPTO_EVICT_KEY_KEYRING;
		arg->key_id = dmcaps_key_keyring_id(key);
	} else {
		arg->key_ptr = (uintptr_t)dmcaps_key_bytes(key);
		arg->key_size = dmcaps_key_size(key);
	}
	arg->failures_ptr = (uintptr_t)entries;
	arg->failures_len = nentries;
	return 0;
}

DMCAPS_EXPORT int dmcaps_evict_key(struct dmcaps_ctx *ctx, struct dmcaps_dev *dev,
				   const struct dmcaps_key *key, const char *mode,
				   unsigned int data_unit_size,
				   unsigned int dun_bytes,
				   struct dmcaps_evict_result **result)
{
	const struct dmcaps_key_config config = {
		.mode = mode,
		.data_unit_size = data_unit_size,
		.dun_bytes = dun_bytes,
	}, *cfg = &config;
	struct blk_crypto_evict_key_arg arg;
	struct dmcaps_evict_result *res;
	const char *path;
	int fd, r;

	if (!ctx || !dev || !result)
		return -EINVAL;
	*result = NULL;
	if (!ctx->running_system) {
		log_err(ctx, "keys can only be evicted on the running system, "
			"not under sysroot %s", ctx->sysroot);
		return -ENOTSUP;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		log_err(ctx, "cannot evict the key: out of memory");
		return -ENOMEM;
	}
	r = dmcaps_evict_arg_build(cfg, key, &arg, res->entries,
				   EVICT_FAILURE_ENTRIES);
	if (r) {
		if (r == -ENAMETOOLONG)
			log_err(ctx, "mode \"%.*s...\" is too long: the kernel's "
				"mode names have at most %zu characters",
				(int)sizeof(arg.mode) - 1, cfg->mode,
				sizeof(arg.mode) - 1);
		else
			log_err(ctx, "cannot evict the key: %s", strerror(-r));
		free(res);
		return r;
	}

	path = dmcaps_dev_path(dev);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		log_err(ctx, "cannot open %s: %s", path, strerror(-r));
		goto out;
	}
	log_dbg(ctx, "BLKCRYPTOEVICTKEY on %s: %s, %u-byte data units, "
		"%u-byte DUNs, %s", path, arg.mode, arg.data_unit_size,
		arg.dun_bytes, arg.key_id ? "keyring key" : "raw key");
	r = ioctl(fd, BLKCRYPTOEVICTKEY, &arg) ? -errno : 0;
	close(fd);
	if (r) {
		log_err(ctx, "%s: cannot evict the key: %s",
			dmcaps_dev_dm_name(dev) ?: dmcaps_dev_kname(dev),
			dmcaps_evict_strerror(r));
		goto out;
	}
	dmcaps_evict_reply(&arg, res->entries, EVICT_FAILURE_ENTRIES, res);
out:
	/* The request held a pointer to the key only, but wipe it anyway:
	 * it is the one place a future ABI might copy bytes into. */
	explicit_bzero(&arg, sizeof(arg));
	if (r) {
		free(res);
		return r;
	}
	*result = res;
	return 0;
}

DMCAPS_EXPORT void dmcaps_evict_result_free(struct dmcaps_evict_result *result)
{
	free(result);
}

DMCAPS_EXPORT unsigned int dmcaps_evict_result_evicted(const struct dmcaps_evict_result *r)
{
	return r ? r->evicted : 0;
}

DMCAPS_EXPORT unsigned int dmcaps_evict_result_busy(const struct dmcaps_evict_result *r)
{
	return r ? r->busy : 0;
}

DMCAPS_EXPORT unsigned int dmcaps_evict_result_devices(const struct dmcaps_evict_result *r)
{
	return r ? r->devices : 0;
}

DMCAPS_EXPORT unsigned int dmcaps_evict_result_failures(const struct dmcaps_evict_result *r)
{
	return r ? r->failures : 0;
}

DMCAPS_EXPORT size_t dmcaps_evict_result_failure_entries(const struct dmcaps_evict_result *r)
{
	return r ? r->nentries : 0;
}

DMCAPS_EXPORT int dmcaps_evict_result_failure(const struct dmcaps_evict_result *r,
					      size_t idx, dev_t *devno, int *error)
{
	if (!r || idx >= r->nentries)
		return -EINVAL;
	if (devno)
		*devno = makedev(r->entries[idx].major, r->entries[idx].minor);
	if (error)
		*error = r->entries[idx].error;
	return 0;
}
