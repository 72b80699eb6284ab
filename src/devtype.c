// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TYPE of a device node.
 *
 * TODO: libdmcaps knows which devices are partitions (it needs it to find a
 * partition's disk) but does not export it yet. Until it has a getter such
 * as dmcaps_dev_is_partition(), this reads the one sysfs attribute that
 * says so, <sysroot>/sys/class/block/<kname>/partition, the same file the
 * library and util-linux use.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devtype.h"

bool dev_is_partition(struct dmcaps_ctx *ctx, const struct dmcaps_dev *dev)
{
	const char *root = dmcaps_get_sysroot(ctx);
	char path[4096];

	if (!root || !strcmp(root, "/"))
		root = "";
	snprintf(path, sizeof(path), "%s/sys/class/block/%s/partition", root,
		 dmcaps_dev_kname(dev));
	return access(path, F_OK) == 0;
}

const char *dev_type(struct dmcaps_ctx *ctx, const struct dmcaps_dev *dev)
{
	if (dmcaps_dev_is_dm(dev))
		return "dm";
	return dev_is_partition(ctx, dev) ? "part" : "disk";
}
