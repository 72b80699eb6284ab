// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyscan: an LD_PRELOAD library for tests that a process left no copy of a
 * key in its heap. At exit it scans every heap mapping ([heap] and the
 * anonymous writable mappings malloc uses for arenas) for the text in
 * DMCAPS_KEYSCAN, freed chunks included: that is what a core dump, a swap
 * page or a later allocation would see. It prints one line to stderr:
 *   keyscan: N copies
 * and, with DMCAPS_KEYSCAN_OUT=FILE, writes N to FILE.
 *
 * The needle is kept XOR-masked so that the scanner holds no copy of its
 * own. Use a needle of at least 16 characters taken from the middle or end
 * of the key: glibc overwrites the first 16 bytes of a freed chunk.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MASK 0x5a
#define NEEDLE_MAX 512

static unsigned char needle[NEEDLE_MAX];	/* XOR MASK */
static size_t needle_len;

__attribute__((constructor)) static void keyscan_init(void)
{
	const char *k = getenv("DMCAPS_KEYSCAN");
	size_t i;

	if (!k || strlen(k) < 16 || strlen(k) > NEEDLE_MAX)
		return;
	needle_len = strlen(k);
	for (i = 0; i < needle_len; i++)
		needle[i] = (unsigned char)k[i] ^ MASK;
}

static size_t count_in(const unsigned char *p, size_t n)
{
	size_t hits = 0, i, j;

	for (i = 0; i + needle_len <= n; i++) {
		for (j = 0; j < needle_len; j++)
			if ((p[i + j] ^ MASK) != needle[j])
				break;
		if (j == needle_len)
			hits++;
	}
	return hits;
}

/* The heap mappings: [heap], and anonymous rw-p mappings (malloc's other
 * arenas and mmap()ed chunks). Stacks, files and the vDSO are not heap. */
static size_t scan_heap(void)
{
	char line[512], path[256], perms[8];
	unsigned long start, end;
	size_t hits = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end,
			   perms, path) < 3)
			continue;
		if (strncmp(perms, "rw", 2))
			continue;
		if (path[0] && strcmp(path, "[heap]"))
			continue;
		hits += count_in((const unsigned char *)start, end - start);
	}
	fclose(f);
	return hits;
}

__attribute__((destructor)) static void keyscan_fini(void)
{
	const char *out = getenv("DMCAPS_KEYSCAN_OUT");
	char buf[32];
	size_t hits;
	int fd, n;

	if (!needle_len)
		return;
	hits = scan_heap();
	n = snprintf(buf, sizeof(buf), "%zu\n", hits);
	fprintf(stderr, "keyscan: %zu copies\n", hits);
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (write(fd, buf, n) != n)
				perror("keyscan");
			close(fd);
		}
	}
}
