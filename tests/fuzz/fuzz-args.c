// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where device names are stored in a target's arguments: the split into
 * arguments (dmcaps_split_args, its pointer array and strings in one
 * allocation), every known target type's argument layout
 * (dmcaps_target_type_devs, dmcaps_target_opts_out), and each device name
 * found resolved as a device specification (path, DM name, UUID=, LABEL=,
 * MAJ:MIN) against the fixture sysroot. The first byte picks the type.
 */
#include <stdlib.h>

#include "common.h"
#include "internal.h"

static const char *const types[] = {
	"linear", "flakey", "striped", "mirror", "delay", "zero", "crypt",
	"snapshot", "snapshot-origin", "thin-pool", "thin", "raid", "cache",
	"writecache", "era", "integrity", "verity", "dust", "unstriped",
	"switch", "multipath", "log-writes", "ebs", "clone", "error", "unknown",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmcaps_ctx *ctx;
	const char **devs = NULL, *why;
	const char *type;
	struct dmcaps_dev *dev;
	char *text, **argv = NULL;
	size_t argc, ndevs, i;

	if (size < 1)
		return 0;
	if (!ctx)
		ctx = fz_ctx();
	type = types[data[0] % ARRAY_SIZE(types)];
	text = fz_str(data + 1, size - 1);
	if (!dmcaps_split_args(text, &argv, &argc)) {
		if (argv[argc])
			abort();	/* the array is NULL-terminated */
		if (!dmcaps_target_type_devs(type, argv, argc, &devs, &ndevs,
					     &why)) {
			dmcaps_target_opts_out(type, argv, argc);
			for (i = 0; i < ndevs; i++)
				dmcaps_dev_lookup(ctx, devs[i], &dev);
			free(devs);
		}
		dmcaps_args_free(argv);
	}
	/* the whole text as one device specification too */
	dmcaps_dev_lookup(ctx, text, &dev);
	free(text);
	return 0;
}
