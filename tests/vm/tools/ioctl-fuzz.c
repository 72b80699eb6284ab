// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl-fuzz: random and mutated DM_CRYPTO_CAPS and BLKCRYPTOEVICTKEY calls
 * against the running kernel, as root and as an unprivileged user, with the
 * outcomes counted by errno and every broken promise of the documented ABI
 * reported (see ioctl-fuzz-caps.c and ioctl-fuzz-evict.c for what is
 * checked). Run by tests/vm/suites/ioctl-fuzz.bats inside the test VM; the
 * kernel's own health (oops, warnings, lockdep) is judged by tests/vm/run.sh.
 *
 *   ioctl-fuzz --dm NAME... --blk DEV... [--key-file FILE...] [--key-id SERIAL...]
 *              [--seed S] [--calls N] [--first I] [--user UID] [--user-share PCT]
 *              [--evict-share PCT] [-v]
 *   ioctl-fuzz --probe --blk DEV
 *
 * Every call is a function of (seed, index) only: a failing call is replayed
 * alone with --seed S --first I --calls 1 -v (against the same devices), a
 * whole run with --seed S. Exit: 0 no anomaly, 1 anomalies, 2 usage or
 * setup error, 77 (--probe) the kernel lacks one of the ioctls.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kabi-blk-crypto.h"
#include "kabi-dm-crypto-caps.h"
#include "ioctl-fuzz.h"

/* the buffers of every call; 2 MiB: see BEYOND_ARENA in ioctl-fuzz-caps.c */
#define ARENA_SIZE	(2U << 20)

static const char *const mode_names[4] = {
	"AES-256-XTS", "AES-128-CBC-ESSIV", "Adiantum", "SM4-XTS",
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ioctl-fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A sysfs number of device @d's attribute @attr ("queue/crypto/..."); 0 if absent. */
static unsigned long sysfs_ulong(dev_t d, const char *attr, int base)
{
	char path[PATH_MAX], buf[64];
	unsigned long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", major(d),
		 minor(d), attr);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	if (fgets(buf, sizeof(buf), fp))
		v = strtoul(buf, NULL, base);
	fclose(fp);
	return v;
}

/* The disks at the bottom of @d's stack (sysfs slaves/), and their keyslots. */
static void add_leaves(struct fuzz_blk *b, dev_t d, unsigned int depth)
{
	char path[PATH_MAX], link[PATH_MAX + 300];
	unsigned int maj, min, i, n = 0;
	struct dirent **ents;
	int nr;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/slaves", major(d), minor(d));
	nr = depth < 16 ? scandir(path, &ents, NULL, alphasort) : -1;
	for (i = 0; nr > 0 && i < (unsigned int)nr; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(link, sizeof(link), "%s/%s/dev", path, ents[i]->d_name);
			FILE *fp = fopen(link, "re");

			if (fp && fscanf(fp, "%u:%u", &maj, &min) == 2) {
				add_leaves(b, makedev(maj, min), depth + 1);
				n++;
			}
			if (fp)
				fclose(fp);
		}
		free(ents[i]);
	}
	if (nr > 0)
		free(ents);
	if (n)
		return;
	for (i = 0; i < b->leaves; i++) {
		if (b->leaf[i] == d)
			return;		/* a disk reached twice is searched once */
	}
	if (b->leaves == FUZZ_MAX_DEVS)
		die("%s: more than %d disks below", b->path, FUZZ_MAX_DEVS);
	b->leaf[b->leaves++] = d;
	b->slots += (unsigned int)sysfs_ulong(d, "queue/crypto/num_keyslots", 10);
}

static void add_blk(struct fuzz *f, const char *path)
{
	struct fuzz_blk *b = &f->blk[f->nr_blk];
	char attr[64];
	struct stat st;
	unsigned int m;

	if (f->nr_blk == FUZZ_MAX_DEVS)
		die("too many --blk");
	b->path = path;
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0 || fstat(b->fd, &st) || !S_ISBLK(st.st_mode))
		die("%s: not an openable block device: %s", path, strerror(errno));
	add_leaves(b, st.st_rdev, 0);
	for (m = 0; m < 4; m++) {
		snprintf(attr, sizeof(attr), "queue/crypto/modes/%s", mode_names[m]);
		b->modes[m] = (uint32_t)sysfs_ulong(st.st_rdev, attr, 16);
	}
	b->max_dun_bytes = (uint32_t)sysfs_ulong(st.st_rdev, "queue/crypto/max_dun_bits", 10) / 8;
	f->nr_blk++;
}

/* A DM device by name: its number (from its node) and uuid (from sysfs). */
static void add_dm(struct fuzz *f, const char *name)
{
	struct fuzz_dm *d = &f->dm[f->nr_dm];
	char path[PATH_MAX];
	struct stat st;
	FILE *fp;

	if (f->nr_dm == FUZZ_MAX_DEVS)
		die("too many --dm");
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(path, sizeof(path), "/dev/mapper/%s", name);
	/* a device without a table has no disk yet: asked by name only */
	if (stat(path, &st) || !S_ISBLK(st.st_mode)) {
		f->nr_dm++;
		return;
	}
	/* huge_encode_dev(), as dm_ioctl.dev wants it */
	d->dev = (minor(st.st_rdev) & 0xff) | (major(st.st_rdev) << 8) |
		((uint64_t)(minor(st.st_rdev) & ~0xffU) << 12);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/uuid",
		 major(st.st_rdev), minor(st.st_rdev));
	fp = fopen(path, "re");
	if (fp) {
		if (fgets(d->uuid, sizeof(d->uuid), fp))
			d->uuid[strcspn(d->uuid, "\n")] = '\0';
		fclose(fp);
	}
	f->nr_dm++;
}

static void add_key_file(struct fuzz *f, const char *path)
{
	struct fuzz_key *k = &f->key[f->nr_keys];
	ssize_t n;
	int fd;

	if (f->nr_keys == FUZZ_MAX_KEYS)
		die("too many --key-file");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	n = read(fd, k->raw, sizeof(k->raw));
	close(fd);
	if (n != 64)
		die("%s: not a 64-byte AES-256-XTS key", path);
	k->size = (unsigned int)n;
	f->nr_keys++;
}

static uint64_t parse_u64(const char *opt, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		die("%s: not a number: %s", opt, s);
	return v;
}

/* --probe: are both ioctls there? The suite skips, saying why, if not. */
static int probe(struct fuzz *f)
{
	struct blk_crypto_evict_key_arg a = { .version = 0 };
	struct {
		struct dm_ioctl io;
		uint8_t data[4096];
	} q = { .io = { .version = { DM_VERSION_MAJOR, 0, 0 } } };

	q.io.data_size = sizeof(q);
	q.io.data_start = sizeof(q.io);
	if (ioctl(f->ctl_fd, DM_CRYPTO_CAPS, &q) && errno == ENOTTY) {
		printf("no DM_CRYPTO_CAPS in this kernel (ENOTTY)\n");
		return 77;
	}
	/* version 0 is refused with EINVAL by a kernel that knows the ioctl */
	if (f->nr_blk && ioctl(f->blk[0].fd, BLKCRYPTOEVICTKEY, &a) && errno == ENOTTY) {
		printf("no BLKCRYPTOEVICTKEY in this kernel (ENOTTY)\n");
		return 77;
	}
	printf("DM_CRYPTO_CAPS %#lx and BLKCRYPTOEVICTKEY %#lx present\n",
	       (unsigned long)DM_CRYPTO_CAPS, (unsigned long)BLKCRYPTOEVICTKEY);
	return 0;
}

/* Lose root and every capability, keeping the descriptors opened as root. */
static void drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		die("cannot become uid %u: %s", uid, strerror(errno));
	if (geteuid() == 0)
		die("still root after dropping to uid %u", uid);
}

struct plan {
	uint64_t first, calls;
	unsigned int user_share, evict_share;
	bool have_user;
};

/* Who makes call @index and which ioctl it is: the first draws of its stream. */
static void run_calls(struct fuzz *f, const struct plan *p, enum fuzz_who who)
{
	uint64_t i;
	struct rng r;

	for (i = p->first; i < p->first + p->calls; i++) {
		bool user, evict;

		rng_init(&r, f->seed, i);
		user = p->have_user && rng_pct(&r, p->user_share);
		evict = rng_pct(&r, p->evict_share);
		if (user != (who == FUZZ_USER))
			continue;
		if (evict)
			fuzz_evict_call(f, &r, i, who);
		else
			fuzz_caps_call(f, &r, i, who);
		if (f->verbose)
			fflush(stdout);
	}
}

static const char *outcome_name(unsigned int o)
{
	static char buf[32];
	const char *n;

	switch (o) {
	case OUT_OK:
		return "OK";
	case OUT_OK_FULL:
		return "OK(buffer-full)";
	case OUT_OK_EVICTED:
		return "OK(evicted)";
	case OUT_OK_FAILURES:
		return "OK(failures)";
	}
	n = strerrorname_np((int)o);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno-%u", o);
	return buf;
}

static void print_table(const struct fuzz_stats *st, double secs)
{
	static const char *const io_name[] = { "DM_CRYPTO_CAPS", "BLKCRYPTOEVICTKEY" };
	static const char *const who_name[] = { "root", "user" };
	uint64_t total = 0;
	unsigned int io, who, o;

	printf("%-18s %-5s %-18s %9s\n", "ioctl", "who", "outcome", "calls");
	for (io = 0; io < FUZZ_NR_IOCTLS; io++) {
		for (who = 0; who < FUZZ_NR_WHO; who++) {
			total += st->calls[io][who];
			for (o = 0; o < FUZZ_NR_OUT; o++) {
				if (st->out[io][who][o])
					printf("%-18s %-5s %-18s %9" PRIu64 "\n",
					       io_name[io], who_name[who],
					       outcome_name(o), st->out[io][who][o]);
			}
		}
	}
	printf("calls %" PRIu64 " (DM_CRYPTO_CAPS %" PRIu64 "+%" PRIu64
	       ", BLKCRYPTOEVICTKEY %" PRIu64 "+%" PRIu64 " as root+user) in %.1f s: %.0f calls/s\n",
	       total, st->calls[FUZZ_CAPS][FUZZ_ROOT], st->calls[FUZZ_CAPS][FUZZ_USER],
	       st->calls[FUZZ_EVICT][FUZZ_ROOT], st->calls[FUZZ_EVICT][FUZZ_USER],
	       secs, secs > 0 ? (double)total / secs : 0.0);
	printf("slots evicted %" PRIu64 ", busy %" PRIu64 ", failures reported %" PRIu64 "\n",
	       st->slots_evicted, st->slots_busy, st->failures);
	printf("anomalies %" PRIu64 "\n", st->anomalies);
	for (o = 0; o < st->anomalies && o < FUZZ_MAX_ANOMALIES; o++)
		printf("anomaly %s\n", st->anomaly[o]);
}

static void usage(void)
{
	fputs("usage: ioctl-fuzz --dm NAME... --blk DEV... [--key-file FILE...] [--key-id SERIAL...]\n"
	      "                  [--seed S] [--calls N] [--first I] [--user UID] [--user-share PCT]\n"
	      "                  [--evict-share PCT] [-v]\n"
	      "       ioctl-fuzz --probe [--blk DEV]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dm", required_argument, NULL, 'd' },
		{ "blk", required_argument, NULL, 'b' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "key-id", required_argument, NULL, 'K' },
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'u' },
		{ "user-share", required_argument, NULL, 'U' },
		{ "evict-share", required_argument, NULL, 'e' },
		{ "probe", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct plan plan = { .calls = 100000, .user_share = 20, .evict_share = 50 };
	struct fuzz f = { .ctl_fd = -1 };
	struct timespec t0, t1;
	bool do_probe = false, seeded = false;
	uid_t user = 0;
	pid_t child = -1;
	int c, status;
	double secs;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'd': add_dm(&f, optarg); break;
		case 'b': add_blk(&f, optarg); break;
		case 'k': add_key_file(&f, optarg); break;
		case 'K':
			if (f.nr_key_ids == FUZZ_MAX_KEYS)
				die("too many --key-id");
			f.key_id[f.nr_key_ids++] = (int32_t)parse_u64("--key-id", optarg);
			break;
		case 's': f.seed = parse_u64("--seed", optarg); seeded = true; break;
		case 'n': plan.calls = parse_u64("--calls", optarg); break;
		case 'f': plan.first = parse_u64("--first", optarg); break;
		case 'u':
			user = (uid_t)parse_u64("--user", optarg);
			plan.have_user = true;
			break;
		case 'U': plan.user_share = (unsigned int)parse_u64("--user-share", optarg); break;
		case 'e': plan.evict_share = (unsigned int)parse_u64("--evict-share", optarg); break;
		case 'p': do_probe = true; break;
		case 'v': f.verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	f.ctl_fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (f.ctl_fd < 0)
		die("/dev/mapper/control: %s", strerror(errno));
	if (do_probe)
		return probe(&f);
	if (!f.nr_dm || !f.nr_blk)
		die("give at least one --dm and one --blk");
	if (plan.have_user && user == 0)
		die("--user wants a uid other than 0");
	if (!seeded && getrandom(&f.seed, sizeof(f.seed), 0) != sizeof(f.seed))
		die("getrandom: %s", strerror(errno));
	f.st = mmap(NULL, sizeof(*f.st), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f.st == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(f.st, 0, sizeof(*f.st));
	if (arena_init(&f.arena, ARENA_SIZE))
		die("cannot map the arena");

	printf("ioctl-fuzz: seed %" PRIu64 " calls %" PRIu64 " from %" PRIu64
	       " (replay: --seed %" PRIu64 "), %u DM devices, %u block devices, %u keys, %u key ids",
	       f.seed, plan.calls, plan.first, f.seed, f.nr_dm, f.nr_blk,
	       f.nr_keys, f.nr_key_ids);
	if (plan.have_user)
		printf(", %u%% as uid %u", plan.user_share, user);
	printf("\n");
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (plan.have_user) {
		/* the unprivileged calls run alongside the root ones */
		child = fork();
		if (child < 0)
			die("fork: %s", strerror(errno));
		if (child == 0) {
			drop_to(user);
			run_calls(&f, &plan, FUZZ_USER);
			fflush(stdout);
			_exit(0);
		}
	}
	run_calls(&f, &plan, FUZZ_ROOT);
	if (child > 0) {
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			fuzz_anomaly(&f, plan.first, "the unprivileged child failed (status %#x)",
				     status);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_table(f.st, secs);
	return f.st->anomalies ? 1 : 0;
}
