// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include "libdmcaps.h"

int main(void)
{
	printf("dmcaps %s\n", dmcaps_version());
	return 0;
}
