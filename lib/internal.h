/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef _DMCAPS_INTERNAL_H
#define _DMCAPS_INTERNAL_H

#include "libdmcaps.h"

#define DMCAPS_EXPORT __attribute__((visibility("default")))

#endif
