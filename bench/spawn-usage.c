// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spawn-usage COMMAND [ARG...]: runs COMMAND with its output to /dev/null
 * and prints one line, "wall_us=N cpu_us=N maxrss_kib=N status=N", from
 * wait4(). bench/scale-guest.py runs every command through it rather than
 * from Python: a child's ru_maxrss includes the memory of the process it
 * was forked from, up to its exec (exec_mmap() records the old mm's high
 * water mark), so a child of the Python interpreter never reports less
 * than Python's own ~12 MB. This program is a few hundred KiB.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("wall_us=%lld cpu_us=%lld maxrss_kib=%ld status=%d\n",
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000000LL +
			   (t1.tv_nsec - t0.tv_nsec) / 1000),
	       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
			   ru.ru_utime.tv_usec + ru.ru_stime.tv_usec,
	       ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
