// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl-latency DMNAME [ITERATIONS]: the latency of DM_CRYPTO_CAPS against
 * DM_TABLE_STATUS (status, and with DM_STATUS_TABLE_FLAG as `dmsetup table`)
 * on the same device, raw ioctls on one open /dev/mapper/control. Each call
 * gets a buffer of exactly the size of its answer, learned beforehand: the
 * kernel copies the whole buffer in, so a buffer grown by doubling would
 * time the slack, not the command. The three calls are interleaved, in an
 * order that rotates every round, so that a noisy machine slows each of
 * them alike. Prints one line:
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

/* The size of @req's complete answer: grown until it fits, then what the
 * kernel says it used (data_size), rounded up to the 8 bytes it aligns to,
 * and as much more as it needs to say it is complete. */
static uint32_t size_for(const char *name, unsigned long req, uint32_t flags)
{
	uint32_t size = 16384, used;
	struct dm_ioctl *t, *b;
	int full;

	for (;;) {
		t = prepare(name, size, flags);
		b = prepare(name, size, flags);
		call(req, b, t);
		free(t);
		if (!(b->flags & DM_BUFFER_FULL_FLAG))
			break;
		free(b);
		size *= 2;
	}
	used = (b->data_size + 7) & ~7U;
	free(b);
	/* The answer must fit: the timed calls are never retried. Status
	 * wants a byte of room past its last string, so step up to it. */
	for (; used < size; used += 8) {
		t = prepare(name, used, flags);
		b = prepare(name, used, flags);
		call(req, b, t);
		free(t);
		full = b->flags & DM_BUFFER_FULL_FLAG;
		free(b);
		if (!full)
			return used;
	}
	return size;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct probe {
	unsigned long req;
	uint32_t flags;
	struct dm_ioctl *tmpl, *buf;
	double *lat;
};

static void probe_init(struct probe *p, const char *name, unsigned long req,
		       uint32_t flags, int iters)
{
	uint32_t size = size_for(name, req, flags);

	p->req = req;
	p->flags = flags;
	p->tmpl = prepare(name, size, flags);
	p->buf = prepare(name, size, flags);
	p->lat = calloc(iters, sizeof(*p->lat));
	if (!p->lat)
		exit(1);
}

static double probe_median(struct probe *p, int iters)
{
	double m;

	qsort(p->lat, iters, sizeof(*p->lat), cmp_double);
	m = p->lat[iters / 2];
	free(p->lat);
	free(p->tmpl);
	free(p->buf);
	return m;
}

int main(int argc, char **argv)
{
	int iters = argc > 2 ? atoi(argv[2]) : 1000;
	struct dm_ioctl *t, *b;
	struct probe p[3];
	double caps, status, table, t0;
	uint32_t size;
	int i, j;

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

	probe_init(&p[0], argv[1], DM_CRYPTO_CAPS, 0, iters);
	probe_init(&p[1], argv[1], DM_TABLE_STATUS, 0, iters);
	probe_init(&p[2], argv[1], DM_TABLE_STATUS, DM_STATUS_TABLE_FLAG, iters);
	for (i = 0; i < 10; i++)	/* warm up */
		for (j = 0; j < 3; j++)
			call(p[j].req, p[j].buf, p[j].tmpl);
	for (i = 0; i < iters; i++) {
		for (j = 0; j < 3; j++) {
			struct probe *q = &p[(i + j) % 3];

			t0 = now_us();
			call(q->req, q->buf, q->tmpl);
			q->lat[i] = now_us() - t0;
		}
	}
	caps = probe_median(&p[0], iters);
	status = probe_median(&p[1], iters);
	table = probe_median(&p[2], iters);
	printf("targets=%u caps_us=%.2f status_us=%.2f table_us=%.2f\n",
	       b->target_count, caps, status, table);
	free(t);
	free(b);
	close(ctl);
	return 0;
}
