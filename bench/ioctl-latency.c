// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl-latency DMNAME [ITERATIONS]: the latency of DM_CRYPTO_CAPS against
 * DM_TABLE_STATUS (status, and with DM_STATUS_TABLE_FLAG as `dmsetup table`)
 * on the same device, raw ioctls on one open /dev/mapper/control, each with
 * a buffer sized beforehand so that no call is retried. Prints one line:
 *   targets=N caps_us=MEDIAN status_us=MEDIAN table_us=MEDIAN (medians, µs)
 * Built by bench/ioctl-vs-status.sh; uses the tree's one copy of the
 * DM_CRYPTO_CAPS ABI (lib/kabi-dm-crypto-caps.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "kabi-dm-crypto-caps.h"

static int ctl;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static struct dm_ioctl *prepare(const char *name, uint32_t size, uint32_t flags)
{
	struct dm_ioctl *dmi = calloc(1, size);

	if (!dmi) {
		perror("calloc");
		exit(1);
	}
	dmi->version[0] = DM_VERSION_MAJOR;
	dmi->data_size = size;
	dmi->data_start = sizeof(*dmi);
	dmi->flags = flags;
	snprintf(dmi->name, sizeof(dmi->name), "%s", name);
	return dmi;
}

/* One call; the template is copied in first since the kernel writes back. */
static void call(unsigned long req, struct dm_ioctl *buf,
		 const struct dm_ioctl *tmpl)
{
	memcpy(buf, tmpl, sizeof(*tmpl));
	if (ioctl(ctl, req, buf) < 0) {
		fprintf(stderr, "ioctl 0x%lx on %s: %s\n", req, tmpl->name,
			strerror(errno));
		exit(1);
	}
}

/* The buffer size at which @req answers in full, found by growing it. */
static uint32_t size_for(const char *name, unsigned long req, uint32_t flags)
{
	uint32_t size = 16384;
	struct dm_ioctl *t, *b;

	for (;;) {
		t = prepare(name, size, flags);
		b = prepare(name, size, flags);
		call(req, b, t);
		free(t);
		if (!(b->flags & DM_BUFFER_FULL_FLAG)) {
			free(b);
			return size;
		}
		free(b);
		size *= 2;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_us(const char *name, unsigned long req, uint32_t flags,
			int iters)
{
	uint32_t size = size_for(name, req, flags);
	struct dm_ioctl *t = prepare(name, size, flags);
	struct dm_ioctl *b = prepare(name, size, flags);
	double *lat = calloc(iters, sizeof(*lat)), t0, m;
	int i;

	if (!lat)
		exit(1);
	for (i = 0; i < 10; i++)	/* warm up */
		call(req, b, t);
	for (i = 0; i < iters; i++) {
		t0 = now_us();
		call(req, b, t);
		lat[i] = now_us() - t0;
	}
	qsort(lat, iters, sizeof(*lat), cmp_double);
	m = lat[iters / 2];
	free(lat);
	free(t);
	free(b);
	return m;
}

int main(int argc, char **argv)
{
	int iters = argc > 2 ? atoi(argv[2]) : 1000;
	struct dm_ioctl *t, *b;
	double caps, status, table;
	uint32_t size;

	if (argc < 2 || iters < 1) {
		fprintf(stderr, "usage: %s DMNAME [ITERATIONS]\n", argv[0]);
		return 2;
	}
	ctl = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		perror("/dev/mapper/control");
		return 1;
	}
	/* the target count, as the kernel sees it */
	size = size_for(argv[1], DM_TABLE_STATUS, 0);
	t = prepare(argv[1], size, 0);
	b = prepare(argv[1], size, 0);
	call(DM_TABLE_STATUS, b, t);

	caps = median_us(argv[1], DM_CRYPTO_CAPS, 0, iters);
	status = median_us(argv[1], DM_TABLE_STATUS, 0, iters);
	table = median_us(argv[1], DM_TABLE_STATUS, DM_STATUS_TABLE_FLAG, iters);
	printf("targets=%u caps_us=%.2f status_us=%.2f table_us=%.2f\n",
	       b->target_count, caps, status, table);
	free(t);
	free(b);
	close(ctl);
	return 0;
}
