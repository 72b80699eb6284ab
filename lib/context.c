// SPDX-License-Identifier: LGPL-2.1-or-later
#include "internal.h"

DMCAPS_EXPORT const char *dmcaps_version(void)
{
	return PACKAGE_VERSION;
}
