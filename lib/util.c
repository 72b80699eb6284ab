// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Small strict helpers shared by the parsers: the library reads values the
 * kernel and the user wrote, and must reject anything it does not fully
 * understand instead of guessing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>

#include "internal.h"

int dmcaps_read_small_file(const char *path, size_t max, char **text)
{
	/*
	 * A sysfs attribute is formatted whole by one show() call and
	 * handed out by the first read(): a read shorter than asked for is
	 * its end, and the read() that would return 0 is saved (a whole-
	 * system command reads thousands of them). Other files are read
	 * to end of file.
	 */
	bool sysfs = !strncmp(path, "/sys/", 5);
	char *buf;
	ssize_t r;
	size_t len = 0;
	int fd, err = 0;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	/* One byte more than allowed, to tell "exactly max" from "longer". */
	buf = malloc(max + 2);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		r = read(fd, buf + len, max + 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		len += r;
		if (len > max) {
			err = -EFBIG;
			break;
		}
		if (sysfs && len < max + 1)
			break;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	*text = buf;
	return 0;
}

int dmcaps_parse_u64(const char *s, uint64_t *v)
{
	uint64_t r = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = *s - '0';
		if (r > (UINT64_MAX - d) / 10)
			return -ERANGE;
		r = r * 10 + d;
	}
	*v = r;
	return 0;
}

int dmcaps_parse_u32(const char *s, uint32_t *v)
{
	uint64_t r;
	int err = dmcaps_parse_u64(s, &r);

	if (err)
		return err;
	if (r > UINT32_MAX)
		return -ERANGE;
	*v = r;
	return 0;
}

int dmcaps_parse_devno(const char *s, dev_t *devno)
{
	const char *colon;
	char major_s[16];
	uint32_t major, minor;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(major_s))
		return -EINVAL;
	memcpy(major_s, s, colon - s);
	major_s[colon - s] = '\0';
	if (dmcaps_parse_u32(major_s, &major) || dmcaps_parse_u32(colon + 1, &minor))
		return -EINVAL;
	/* Linux: 12-bit majors, 20-bit minors. */
	if (major > 0xfff || minor > 0xfffff)
		return -EINVAL;
	*devno = makedev(major, minor);
	return 0;
}

void dmcaps_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void dmcaps_wipe_free_str(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void *dmcaps_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap;
	void *n;

	if (need <= *cap)
		return arr;
	/* From what is needed, not from a guess: most tables have one
	 * target of one device, and whole-system commands keep a table
	 * per DM device (a first capacity of 8 was 448 of every 512
	 * bytes a one-target table took). Doubling keeps growth linear. */
	if (!ncap)
		ncap = need;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return NULL;
	n = realloc(arr, ncap * size);
	if (n)
		*cap = ncap;
	return n;
}

char *dmcaps_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

int dmcaps_split_args(const char *text, char ***argv_out, size_t *argc_out)
{
	size_t len = strlen(text), nmax = len / 2 + 1, argc = 0;
	char **argv, *out;
	const char *p = text;

	/* Pointer array followed by the argument strings (each at most as long
	 * as the input, plus NULs). */
	argv = malloc((nmax + 1) * sizeof(char *) + len + nmax + 1);
	if (!argv)
		return -ENOMEM;
	out = (char *)(argv + nmax + 1);

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		argv[argc++] = out;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			if (*p == '\\' && p[1])
				p++;
			*out++ = *p++;
		}
		*out++ = '\0';
	}
	argv[argc] = NULL;
	*argv_out = argv;
	*argc_out = argc;
	return 0;
}

void dmcaps_args_free(char **argv)
{
	size_t i;

	if (!argv)
		return;
	for (i = 0; argv[i]; i++)
		explicit_bzero(argv[i], strlen(argv[i]));
	free(argv);
}
