// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer entry point for libdmcaps' parsers. The first input byte picks
 * the parser, the rest is its text:
 *   0  dmcaps_set_parse() (and format/parse round trip)
 *   1  dmcaps_table_parse() (devices resolve against an empty sysroot)
 *   2  dmcaps_split_args() + per-target-type argument parsing
 *
 * Not part of `make check`. Build and run, from a build directory:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -include config.h \
 *     -I../lib ../tests/unit/fuzz_parsers.c ../lib/[a-z]*.c \
 *     $(pkg-config --cflags --libs devmapper blkid) -o fuzz_parsers
 *   ./fuzz_parsers -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
	"linear", "flakey", "striped", "mirror", "delay", "zero", "crypt",
	"snapshot", "snapshot-origin", "thin-pool", "thin", "raid", "cache",
	"writecache", "era", "integrity", "verity", "dust", "unstriped",
	"switch", "multipath", "log-writes", "ebs", "clone", "unknown",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmcaps_ctx *ctx;
	struct dmcaps_set *set = NULL, *again = NULL;
	struct dmcaps_table *table = NULL;
	const char **devs = NULL, *why;
	char *text, *out = NULL, **argv = NULL;
	size_t argc, ndevs, i;

	if (!ctx && dmcaps_init(&ctx, "/nonexistent-dmcaps-fuzz-root"))
		return 0;
	if (size < 1)
		return 0;
	text = strndup((const char *)data + 1, size - 1);
	if (!text)
		return 0;

	switch (data[0] % 3) {
	case 0:
		if (!dmcaps_set_parse(ctx, text, &set)) {
			if (dmcaps_set_format(set, &out) ||
			    dmcaps_set_parse(ctx, out, &again) ||
			    !dmcaps_set_identical(set, again))
				abort();
		}
		break;
	case 1:
		if (!dmcaps_table_parse(ctx, text, &table))
			dmcaps_table_target_count(table);
		break;
	case 2:
		if (dmcaps_split_args(text, &argv, &argc))
			break;
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			if (!dmcaps_target_type_devs(types[i], argv, argc, &devs,
						     &ndevs, &why))
				free(devs);
		}
		break;
	}
	free(argv);
	dmcaps_table_free(table);
	dmcaps_set_free(set);
	dmcaps_set_free(again);
	free(out);
	free(text);
	return 0;
}
