// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crypto-stress: file writes with checksums on an fscrypt (inlinecrypt)
 * directory over a DM device, while other processes reload and resume the
 * device, suspend and resume it, ask DM_CRYPTO_CAPS about it, evict the
 * key the writes use (BLKCRYPTOEVICTKEY) and drop the caches. Run by
 * tests/vm/suites/stress.bats inside the test VM, which remounts the file
 * system afterwards and runs --verify.
 *
 *   crypto-stress --dir DIR --dm NAME --table FILE --table FILE
 *                 --key-file INLINE_KEY --blk DEV... --manifest FILE
 *                 [--rounds N] [--seed S] [--stall SECONDS]
 *   crypto-stress --verify --dir DIR --manifest FILE
 *
 * A round is one file written (whole, from a stream given by the seed and
 * the round, size 1..64 KiB plus a partial block; every 4th with fsync,
 * every 8th with O_DIRECT) and, every 5th round, an earlier file read back
 * and checked. The two tables must map the same data (the suite splits the
 * same mapping differently), so a reload never changes what a read sees.
 * Each kind of work is its own process with its own control descriptor,
 * so one stuck in the kernel cannot stop the watchdog. Every DM_CRYPTO_CAPS
 * answer must hold the mode the writes use (AES-256-XTS at 4096), in the
 * live table and queue and in a loaded inactive table. If a process makes
 * no progress for --stall seconds (default 60) the run fails, naming it,
 * after asking the kernel for its blocked tasks (sysrq w) and resuming the
 * device. Prints the operations done and their outcomes by errno.
 * Exit: 0 all well, 1 a check failed, 2 usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kabi-blk-crypto.h"
#include "kabi-dm-crypto-caps.h"
#include "ioctl-fuzz.h"		/* struct rng */

#define NFILES		200
#define MAX_FILE	(64 * 1024 + 4096)
#define MAX_BLK		8
#define MAX_TABLE	(256 * 1024)
#define DMI_SIZE	sizeof(struct dm_ioctl)

enum op {
	OP_WRITE, OP_READBACK, OP_LOAD, OP_RELOAD_RESUME, OP_SUSPEND,
	OP_RESUME, OP_CAPS_LIVE, OP_CAPS_INACTIVE, OP_CAPS_TYPES, OP_EVICT,
	OP_DROP_CACHES, NR_OPS
};

static const char *const op_name[NR_OPS] = {
	"write", "read-back", "table-load", "reload-resume", "suspend",
	"resume", "caps-live", "caps-inactive", "caps-types", "evict",
	"drop-caches",
};

enum worker { W_WRITER, W_RELOAD, W_SUSPEND, W_CAPS, W_EVICT, W_DROP, NR_WORKERS };

static const char *const worker_name[NR_WORKERS] = {
	"writer", "reloader", "suspender", "caps", "evicter", "dropper",
};

#define MAX_ERRNO	160

/* In shared memory: every process counts here. */
struct shared {
	volatile int stop;
	volatile int failed;
	uint64_t progress[NR_WORKERS];
	uint64_t ops[NR_OPS][MAX_ERRNO];
	uint64_t evicted, busy, evict_failures;
	char why[512];
};

static struct shared *sh;
static uint64_t seed = 1;
static unsigned int stall_s = 60;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "crypto-stress: FAIL: %s\n", msg);
	if (!__atomic_exchange_n(&sh->failed, 1, __ATOMIC_SEQ_CST))
		snprintf(sh->why, sizeof(sh->why), "%s", msg);
	sh->stop = 1;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("crypto-stress: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void count(enum op op, int err)
{
	__atomic_fetch_add(&sh->ops[op][err < MAX_ERRNO ? err : MAX_ERRNO - 1], 1,
			   __ATOMIC_RELAXED);
}

static void progress(enum worker w)
{
	__atomic_fetch_add(&sh->progress[w], 1, __ATOMIC_RELAXED);
}

static void pause_ms(struct rng *r, unsigned int max_ms)
{
	struct timespec ts = { 0, (long)rng_below(r, max_ms + 1) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ files -- */

struct file_state {
	uint64_t round;		/* the round that wrote it last; 0: never */
	uint32_t size;
	uint64_t hash;
};

static uint64_t fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static int read_all(const char *path, uint8_t *buf, size_t max, size_t *len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	*len = 0;
	while ((n = read(fd, buf + *len, max - *len)) > 0)
		*len += (size_t)n;
	if (n < 0) {
		int e = errno;

		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

static int write_file(const char *path, const uint8_t *buf, uint32_t size,
		      bool direct, bool do_fsync)
{
	int fd, e = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		  (direct ? O_DIRECT : 0), 0600);
	if (fd < 0)
		return errno;
	n = write(fd, buf, size);
	if (n < 0)
		e = errno;
	else if ((uint32_t)n != size)
		e = EIO;
	if (!e && do_fsync && fsync(fd))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	return e;
}

static void writer(const char *dir, uint64_t rounds, const char *manifest)
{
	static struct file_state files[NFILES];
	char path[PATH_MAX];
	uint8_t *buf, *rbuf;
	uint64_t i;
	size_t got;
	FILE *mf;
	int e;

	if (posix_memalign((void **)&buf, 4096, MAX_FILE) ||
	    posix_memalign((void **)&rbuf, 4096, MAX_FILE))
		die("out of memory");
	for (i = 1; i <= rounds && !sh->stop; i++) {
		struct rng r;
		unsigned int fi;
		uint32_t size;
		bool direct;

		rng_init(&r, seed, i);
		fi = rng_below(&r, NFILES);
		direct = i % 8 == 0;
		size = 4096 * (1 + rng_below(&r, 16));
		if (!direct)
			size += rng_below(&r, 4096);
		rng_fill(&r, buf, size);
		memcpy(buf, &i, sizeof(i));	/* the round, for a reader of a dump */
		snprintf(path, sizeof(path), "%s/f%03u", dir, fi);
		e = write_file(path, buf, size, direct, i % 4 == 0);
		count(OP_WRITE, e);
		if (e) {
			fail("round %" PRIu64 ": writing %s (%u bytes%s): %s", i, path,
			     size, direct ? ", O_DIRECT" : "", strerror(e));
			break;
		}
		files[fi] = (struct file_state){ i, size, fnv1a(buf, size) };

		if (i % 5 == 0) {	/* read an earlier file back now */
			fi = rng_below(&r, NFILES);
			if (files[fi].round) {
				snprintf(path, sizeof(path), "%s/f%03u", dir, fi);
				e = read_all(path, rbuf, MAX_FILE, &got);
				count(OP_READBACK, e);
				if (e)
					fail("round %" PRIu64 ": reading %s back: %s", i,
					     path, strerror(e));
				else if (got != files[fi].size ||
					 fnv1a(rbuf, got) != files[fi].hash)
					fail("round %" PRIu64 ": %s reads back %zu bytes, hash %016" PRIx64
					     ", written in round %" PRIu64 " as %u bytes, hash %016" PRIx64,
					     i, path, got, fnv1a(rbuf, got), files[fi].round,
					     files[fi].size, files[fi].hash);
			}
		}
		progress(W_WRITER);
	}
	if (!sh->failed)
		sync();
	mf = fopen(manifest, "we");
	if (!mf)
		die("%s: %s", manifest, strerror(errno));
	for (i = 0; i < NFILES; i++) {
		if (files[i].round)
			fprintf(mf, "f%03u %u %016" PRIx64 " %" PRIu64 "\n",
				(unsigned int)i, files[i].size, files[i].hash,
				files[i].round);
	}
	if (fclose(mf))
		die("%s: %s", manifest, strerror(errno));
	free(buf);
	free(rbuf);
}

static int verify(const char *dir, const char *manifest)
{
	char path[PATH_MAX], name[32];
	unsigned int size, n = 0, bad = 0;
	uint64_t hash, round;
	uint8_t *buf;
	size_t got;
	FILE *mf;
	int e;

	buf = malloc(MAX_FILE);
	mf = fopen(manifest, "re");
	if (!buf || !mf)
		die("%s: %s", manifest, strerror(errno));
	while (fscanf(mf, "%31s %u %" SCNx64 " %" SCNu64, name, &size, &hash,
		      &round) == 4) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		e = read_all(path, buf, MAX_FILE, &got);
		n++;
		if (e || got != size || fnv1a(buf, got) != hash) {
			bad++;
			fprintf(stderr, "crypto-stress: %s (round %" PRIu64 "): %s, %zu bytes, hash %016" PRIx64 "; written %u bytes, hash %016" PRIx64 "\n",
				path, round, e ? strerror(e) : "read", e ? 0 : got,
				e ? 0 : fnv1a(buf, got), size, hash);
		}
	}
	fclose(mf);
	free(buf);
	printf("verified %u files: %u bad\n", n, bad);
	return n && !bad ? 0 : 1;
}

/* ------------------------------------------------------ DM requests -- */

struct table {
	char *text;		/* as dmsetup prints it, one target a line */
};

static void dm_init(struct dm_ioctl *io, size_t size, const char *name)
{
	memset(io, 0, size);
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = (uint32_t)size;
	io->data_start = DMI_SIZE;
	snprintf(io->name, sizeof(io->name), "%s", name);
}

static int dm_call(int fd, unsigned long cmd, struct dm_ioctl *io)
{
	return ioctl(fd, cmd, io) ? errno : 0;
}

/* DM_TABLE_LOAD of a dmsetup-style table, built the way libdevmapper does. */
static int dm_load(int fd, const char *name, const struct table *t, uint8_t *buf)
{
	struct dm_ioctl *io = (void *)buf;
	size_t off = DMI_SIZE;
	char *copy, *line, *save = NULL;
	unsigned int n = 0;

	dm_init(io, MAX_TABLE, name);
	copy = strdup(t->text);
	if (!copy)
		return ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct dm_target_spec *sp = (void *)(buf + off);
		unsigned long long start, len;
		char type[DM_MAX_TYPE_NAME];
		int used = 0;
		size_t plen;

		if (sscanf(line, "%llu %llu %15s %n", &start, &len, type, &used) < 3)
			continue;
		plen = strlen(line + used) + 1;
		if (off + sizeof(*sp) + plen + 8 > MAX_TABLE) {
			free(copy);
			return E2BIG;
		}
		memset(sp, 0, sizeof(*sp));
		sp->sector_start = start;
		sp->length = len;
		snprintf(sp->target_type, sizeof(sp->target_type), "%s", type);
		memcpy(sp + 1, line + used, plen);
		sp->next = (uint32_t)((sizeof(*sp) + plen + 7) & ~7UL);
		off += sp->next;
		n++;
	}
	free(copy);
	io->target_count = n;
	io->data_size = (uint32_t)off;
	return dm_call(fd, DM_TABLE_LOAD, io);
}

static int dm_suspend(int fd, const char *name, bool suspend)
{
	struct dm_ioctl io;

	dm_init(&io, sizeof(io), name);
	if (suspend)
		io.flags = DM_SUSPEND_FLAG;
	return dm_call(fd, DM_DEV_SUSPEND, &io);
}

/*
 * Does set @which (table_set or queue_set) of a DM_CRYPTO_CAPS answer in
 * @buf hold @mode at data unit size @dus? The writes use AES-256-XTS at
 * 4096 on every table the reloader swaps in: an answer without it, at any
 * moment of a reload, suspend or eviction, is wrong. The answer's layout
 * is the fuzzer's to check (ioctl-fuzz); here only what is read is
 * bounded.
 */
static bool caps_has(const uint8_t *buf, bool queue, const char *mode, uint32_t dus)
{
	const struct dm_ioctl *io = (const void *)buf;
	const uint8_t *a = buf + io->data_start;
	const struct dm_crypto_caps *h = (const void *)a;
	uint32_t len = io->data_size - io->data_start, set, m;
	const struct dm_crypto_caps_set *s;
	uint64_t end;

	set = queue ? h->queue_set : h->table_set;
	if (set >= h->num_sets)
		return false;
	for (m = 0; m < h->num_modes; m++) {
		end = h->modes_offset + (uint64_t)(m + 1) * h->mode_size;
		if (end > len)
			return false;
		if (!strncmp((const char *)a + end - h->mode_size, mode,
			     DM_CRYPTO_MODE_NAME_LEN))
			break;
	}
	end = h->sets_offset + (uint64_t)(set + 1) * h->set_size;
	if (m == h->num_modes || end > len ||
	    h->set_size < sizeof(*s) + 4 * (m + 1))
		return false;
	s = (const void *)(a + end - h->set_size);
	return s->flags & DM_CRYPTO_SET_PRESENT && s->data_unit_sizes[m] & dus;
}

static int dm_caps(int fd, const char *name, bool inactive, uint8_t *buf, size_t size)
{
	struct dm_ioctl *io = (void *)buf;
	int e;

	dm_init(io, size, name ? name : "");
	if (inactive)
		io->flags = DM_QUERY_INACTIVE_TABLE_FLAG;
	e = dm_call(fd, DM_CRYPTO_CAPS, io);
	if (!e && (io->flags & DM_BUFFER_FULL_FLAG ||
		   io->data_size < DMI_SIZE + sizeof(struct dm_crypto_caps)))
		return EOVERFLOW;	/* a 64 KiB buffer holds any answer here */
	return e;
}

/* --------------------------------------------------------- workers -- */

struct config {
	const char *dir, *dm, *manifest;
	struct table table[2];
	uint8_t key[64];
	const char *blk[MAX_BLK];
	unsigned int nr_blk;
	uint64_t rounds;
};

static int open_ctl(void)
{
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("/dev/mapper/control: %s", strerror(errno));
	return fd;
}

/* reload (the other table each time) and resume */
static void reloader(const struct config *c, struct rng *r)
{
	uint8_t *buf = malloc(MAX_TABLE);
	int fd = open_ctl(), e;
	unsigned int k = 0;

	if (!buf)
		die("out of memory");
	while (!sh->stop) {
		e = dm_load(fd, c->dm, &c->table[++k % 2], buf);
		count(OP_LOAD, e);
		if (e) {
			fail("loading table %u into %s: %s", k % 2, c->dm, strerror(e));
			break;
		}
		e = dm_suspend(fd, c->dm, false);
		count(OP_RELOAD_RESUME, e);
		/*
		 * EINVAL: the suspender resumed the device between DM's own
		 * suspend and the table swap (do_resume() checks
		 * dm_suspended_md() without md->suspend_lock). Stock DM does
		 * not serialize suspend and resume from two processes (LVM
		 * locks around them); the loaded table is dropped, the
		 * device keeps the old one. Counted, not a failure.
		 */
		if (e && e != EINVAL) {
			fail("resuming %s with a new table: %s", c->dm, strerror(e));
			break;
		}
		progress(W_RELOAD);
		pause_ms(r, 20);
	}
	free(buf);
}

static void suspender(const struct config *c, struct rng *r)
{
	int fd = open_ctl(), e;

	while (!sh->stop) {
		e = dm_suspend(fd, c->dm, true);
		count(OP_SUSPEND, e);
		/*
		 * EINVAL: suspended meanwhile by the reloader's resume, which
		 * suspends first (do_suspend() checks dm_suspended_md()
		 * outside md->suspend_lock, dm_suspend() again inside it).
		 * The resume below still runs: nothing stays suspended.
		 */
		if (e && e != EINVAL) {
			fail("suspending %s: %s", c->dm, strerror(e));
			break;
		}
		pause_ms(r, 5);
		e = dm_suspend(fd, c->dm, false);
		count(OP_RESUME, e);
		/* EINVAL: resumed meanwhile by the reloader (dm_resume() of a
		 * device that is not suspended), the same race */
		if (e && e != EINVAL) {
			fail("resuming %s: %s", c->dm, strerror(e));
			break;
		}
		progress(W_SUSPEND);
		pause_ms(r, 20);
	}
}

static void caps(const struct config *c, struct rng *r)
{
	static uint8_t buf[65536];
	int fd = open_ctl(), e;

	while (!sh->stop) {
		e = dm_caps(fd, c->dm, false, buf, sizeof(buf));
		count(OP_CAPS_LIVE, e);
		if (e)
			fail("DM_CRYPTO_CAPS of %s: %s", c->dm, strerror(e));
		else if (!caps_has(buf, false, "AES-256-XTS", 4096) ||
			 !caps_has(buf, true, "AES-256-XTS", 4096))
			fail("DM_CRYPTO_CAPS of %s: the live table or queue without AES-256-XTS at 4096",
			     c->dm);
		/* the reloader's table, or none between resume and load */
		e = dm_caps(fd, c->dm, true, buf, sizeof(buf));
		count(OP_CAPS_INACTIVE, e);
		if (e && e != EINVAL)
			fail("DM_CRYPTO_CAPS of %s's inactive table: %s", c->dm, strerror(e));
		else if (!e && !caps_has(buf, false, "AES-256-XTS", 4096))
			fail("DM_CRYPTO_CAPS of %s's inactive table: no AES-256-XTS at 4096",
			     c->dm);
		e = dm_caps(fd, NULL, false, buf, sizeof(buf));
		count(OP_CAPS_TYPES, e);
		if (e)
			fail("DM_CRYPTO_CAPS target types: %s", strerror(e));
		progress(W_CAPS);
		pause_ms(r, 5);
	}
}

/* evict the writes' key from the DM device or one of the devices below */
static void evicter(const struct config *c, struct rng *r)
{
	int fd[MAX_BLK], e;
	unsigned int i;

	for (i = 0; i < c->nr_blk; i++) {
		fd[i] = open(c->blk[i], O_RDONLY | O_CLOEXEC);
		if (fd[i] < 0)
			die("%s: %s", c->blk[i], strerror(errno));
	}
	while (!sh->stop) {
		struct blk_crypto_evict_key_arg a = {
			.version = BLK_CRYPTO_EVICT_KEY_VERSION,
			.mode = "AES-256-XTS",
			.data_unit_size = 4096,
			.dun_bytes = 8,
			.key_ptr = (uint64_t)(uintptr_t)c->key,
			.key_size = 64,
		};

		i = rng_pct(r, 50) ? 0 : rng_below(r, c->nr_blk);
		e = ioctl(fd[i], BLKCRYPTOEVICTKEY, &a) ? errno : 0;
		count(OP_EVICT, e);
		if (e) {
			fail("evicting the key from %s: %s", c->blk[i], strerror(e));
			break;
		}
		sh->evicted += a.slots_evicted;
		sh->busy += a.slots_busy;
		sh->evict_failures += a.nr_failures;
		if (a.nr_failures)
			fail("evicting the key from %s: %u devices failed", c->blk[i],
			     a.nr_failures);
		progress(W_EVICT);
		pause_ms(r, 10);
	}
}

static void dropper(const struct config *c, struct rng *r)
{
	int fd, e;

	/* 4 first: no "drop_caches: 3" line in the kernel log each time */
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "4\n", 2) != 2)
		fail("drop_caches: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	while (!sh->stop) {
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		e = fd < 0 ? errno : write(fd, "3\n", 2) == 2 ? 0 : errno;
		if (fd >= 0)
			close(fd);
		count(OP_DROP_CACHES, e);
		if (e) {
			fail("drop_caches: %s", strerror(e));
			break;
		}
		progress(W_DROP);
		pause_ms(r, 50);
	}
}

/* --------------------------------------------------------- driver -- */

static void read_table(struct table *t, const char *path)
{
	static char buf[MAX_TABLE];
	size_t n;
	FILE *fp = fopen(path, "re");

	if (!fp)
		die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	t->text = strdup(buf);
	if (!t->text || !n)
		die("%s: empty table", path);
}

static void sysrq_blocked_tasks(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "w", 1) != 1)
			fprintf(stderr, "crypto-stress: sysrq w: %s\n", strerror(errno));
		close(fd);
	}
}

static void print_table(double secs, uint64_t rounds)
{
	unsigned int op, e;

	printf("%-14s %-10s %9s\n", "operation", "outcome", "count");
	for (op = 0; op < NR_OPS; op++) {
		for (e = 0; e < MAX_ERRNO; e++) {
			if (sh->ops[op][e])
				printf("%-14s %-10s %9" PRIu64 "\n", op_name[op],
				       e ? strerrorname_np((int)e) : "OK", sh->ops[op][e]);
		}
	}
	printf("rounds %" PRIu64 " of %" PRIu64 " in %.1f s: %.1f rounds/s\n",
	       sh->progress[W_WRITER], rounds, secs,
	       secs > 0 ? (double)sh->progress[W_WRITER] / secs : 0.0);
	printf("reloads %" PRIu64 ", suspends %" PRIu64 ", caps rounds %" PRIu64
	       ", evictions %" PRIu64 " (slots evicted %" PRIu64 ", busy %" PRIu64
	       "), cache drops %" PRIu64 "\n",
	       sh->progress[W_RELOAD], sh->progress[W_SUSPEND], sh->progress[W_CAPS],
	       sh->progress[W_EVICT], sh->evicted, sh->busy, sh->progress[W_DROP]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "dm", required_argument, NULL, 'm' },
		{ "table", required_argument, NULL, 't' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "blk", required_argument, NULL, 'b' },
		{ "manifest", required_argument, NULL, 'M' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "stall", required_argument, NULL, 'S' },
		{ "verify", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct config c = { .rounds = 1000 };
	pid_t pid[NR_WORKERS] = { 0 };
	uint64_t last[NR_WORKERS] = { 0 };
	time_t seen[NR_WORKERS];
	struct timespec t0, t1;
	unsigned int nr_tables = 0, w;
	bool do_verify = false;
	int ch, fd, status;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': c.dir = optarg; break;
		case 'm': c.dm = optarg; break;
		case 't':
			if (nr_tables == 2)
				die("two --table, no more");
			read_table(&c.table[nr_tables++], optarg);
			break;
		case 'k':
			fd = open(optarg, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || read(fd, c.key, sizeof(c.key)) != sizeof(c.key))
				die("%s: not a 64-byte key", optarg);
			close(fd);
			break;
		case 'b':
			if (c.nr_blk == MAX_BLK)
				die("too many --blk");
			c.blk[c.nr_blk++] = optarg;
			break;
		case 'M': c.manifest = optarg; break;
		case 'r': c.rounds = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'S': stall_s = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'V': do_verify = true; break;
		default: die("see the comment at the top of crypto-stress.c");
		}
	}
	if (!c.dir || !c.manifest)
		die("--dir and --manifest are needed");
	if (do_verify)
		return verify(c.dir, c.manifest);
	if (!c.dm || nr_tables != 2 || !c.nr_blk)
		die("--dm, two --table and a --blk (the DM device first) are needed");

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	printf("crypto-stress: seed %" PRIu64 ", %" PRIu64 " rounds on %s over %s\n",
	       seed, c.rounds, c.dir, c.dm);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (w = 0; w < NR_WORKERS; w++) {
		struct rng r;

		rng_init(&r, seed, 1000000 + w);
		pid[w] = fork();
		if (pid[w] < 0)
			die("fork: %s", strerror(errno));
		if (pid[w])
			continue;
		switch (w) {
		case W_WRITER: writer(c.dir, c.rounds, c.manifest); break;
		case W_RELOAD: reloader(&c, &r); break;
		case W_SUSPEND: suspender(&c, &r); break;
		case W_CAPS: caps(&c, &r); break;
		case W_EVICT: evicter(&c, &r); break;
		case W_DROP: dropper(&c, &r); break;
		}
		/* the writer's end stops the others */
		if (w == W_WRITER)
			sh->stop = 1;
		_exit(0);
	}

	/* the watchdog: everyone must keep making progress */
	for (w = 0; w < NR_WORKERS; w++)
		seen[w] = time(NULL);
	while (!sh->stop) {
		sleep(1);
		for (w = 0; w < NR_WORKERS && !sh->stop; w++) {
			if (sh->progress[w] != last[w]) {
				last[w] = sh->progress[w];
				seen[w] = time(NULL);
			} else if (time(NULL) - seen[w] > stall_s) {
				sysrq_blocked_tasks();
				fail("%s (pid %d) made no progress for %u s: hung (blocked tasks are in the kernel log)",
				     worker_name[w], pid[w], stall_s);
			}
		}
	}
	/* a process still stuck after the others stopped is a hang too */
	for (w = 0; w < NR_WORKERS; w++) {
		time_t end = time(NULL) + stall_s;

		while (waitpid(pid[w], &status, WNOHANG) == 0) {
			if (time(NULL) > end) {
				sysrq_blocked_tasks();
				fail("%s (pid %d) did not stop within %u s", worker_name[w],
				     pid[w], stall_s);
				kill(pid[w], SIGKILL);
				break;
			}
			usleep(100000);
		}
	}
	if (sh->failed) {
		/* never leave the device suspended behind a failed run */
		fd = open_ctl();
		dm_suspend(fd, c.dm, false);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_table((double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, c.rounds);
	if (sh->failed)
		printf("FAILED: %s\n", sh->why);
	else if (sh->progress[W_WRITER] != c.rounds)
		printf("FAILED: %" PRIu64 " of %" PRIu64 " rounds\n",
		       sh->progress[W_WRITER], c.rounds);
	return sh->failed || sh->progress[W_WRITER] != c.rounds;
}
