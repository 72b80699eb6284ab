/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _DMCAPS_DEVTYPE_H
#define _DMCAPS_DEVTYPE_H

#include <stdbool.h>

#include "libdmcaps.h"

/* "dm", "part" or "disk", for the TYPE column. */
const char *dev_type(struct dmcaps_ctx *ctx, const struct dmcaps_dev *dev);
bool dev_is_partition(struct dmcaps_ctx *ctx, const struct dmcaps_dev *dev);

#endif
