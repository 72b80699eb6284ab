// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The BLKCRYPTOEVICTKEY reply (dmcaps_evict_reply): the input is the
 * 128-byte request as the kernel hands it back, then failure records;
 * byte 0 is the room the request gave for them. Every result accessor and
 * the error wording of every record run on what was read.
 */
#include <string.h>

#include <stdlib.h>

#include "common.h"
#include "internal.h"
#include "kabi-blk-crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blk_crypto_evict_failure
		entries[DMCAPS_EVICT_FAILURE_ENTRIES] = { { 0 } };
	struct blk_crypto_evict_key_arg arg;
	struct dmcaps_evict_result res;
	size_t room, i;
	dev_t devno;
	int err;

	if (size < 1 + sizeof(arg))
		return 0;
	room = data[0] % (DMCAPS_EVICT_FAILURE_ENTRIES + 1);
	memcpy(&arg, data + 1, sizeof(arg));
	data += 1 + sizeof(arg);
	size -= 1 + sizeof(arg);
	memcpy(entries, data, size < sizeof(entries) ? size : sizeof(entries));
	memset(&res, 0xa5, sizeof(res));
	dmcaps_evict_reply(&arg, entries, room, &res);
	if (dmcaps_evict_result_failure_entries(&res) > room)
		abort();
	for (i = 0; i < dmcaps_evict_result_failure_entries(&res); i++) {
		if (dmcaps_evict_result_failure(&res, i, &devno, &err) ||
		    err >= 0 || err < -DMCAPS_ERRNO_MAX)
			abort();
		if (!*dmcaps_evict_strerror(err))
			abort();
	}
	dmcaps_evict_strerror((int)arg.nr_failures);
	return 0;
}
