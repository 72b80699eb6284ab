// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmcaps - inline-encryption capabilities of block and device-mapper devices
 *
 * main(), global options and command dispatch. Each command lives in its
 * own cmd-*.c file and is one entry in the command table below.
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <popt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "dmcaps.h"
#include "exitcodes.h"
#include "options.h"

struct dmcaps_opts opts;

static int opt_help;
static int opt_version;

static const struct dmcaps_command *commands[] = {
	&show_command,
	&check_command,
	&load_command,
	&evict_command,
	&require_command,
	NULL,
};

struct poptOption common_options[] = {
	{ "verbose", 'v', POPT_ARG_NONE, &opts.verbose, 0,
	  "Print more messages, and every reason in WHY", NULL },
	{ "debug", '\0', POPT_ARG_NONE, &opts.debug, 0,
	  "Print debugging messages (implies --verbose)", NULL },
	{ "sysroot", '\0', POPT_ARG_STRING, &opts.sysroot, 0,
	  "Read sys/ and dev/ under DIR instead of the running system", "DIR" },
	POPT_TABLEEND
};

static struct poptOption help_options[] = {
	{ "help", 'h', POPT_ARG_NONE, &opt_help, 0,
	  "Show this help and exit", NULL },
	{ NULL, '?', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &opt_help, 0,
	  "Show this help and exit", NULL },
	POPT_TABLEEND
};

static struct poptOption global_options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, common_options, 0,
	  "Common options:", NULL },
	{ "version", 'V', POPT_ARG_NONE, &opt_version, 0,
	  "Show the version and exit", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, help_options, 0, NULL, NULL },
	POPT_TABLEEND
};

/* Messages quote input (table lines, arguments): a 5 MB target type must
 * not come back as a 5 MB message. */
#define MSG_MAX 1024

/*
 * The one printer of messages, the tool's and the library's alike (the
 * library's arrive through library_log()), so that every line has the same
 * form: "dmcaps: " (errors, verbose), "dmcaps: warning: ", or "# " (debug).
 * Device names come from sysfs and may hold anything but '/': control
 * characters are written as '?', so that no message, debug ones included,
 * can drive the terminal.
 */
static void emit(int level, const char *msg)
{
	const char *prefix;
	size_t len, i;

	switch (level) {
	case DMCAPS_LOG_ERROR:
		prefix = "dmcaps: ";
		break;
	case DMCAPS_LOG_WARNING:
		prefix = "dmcaps: warning: ";
		break;
	case DMCAPS_LOG_VERBOSE:
		if (!opts.verbose && !opts.debug)
			return;
		prefix = "dmcaps: ";
		break;
	case DMCAPS_LOG_DEBUG:
	default:
		if (!opts.debug)
			return;
		prefix = "# ";
		break;
	}
	len = strlen(msg);
	fputs(prefix, stderr);
	for (i = 0; i < len && i < MSG_MAX; i++)
		fputc(iscntrl((unsigned char)msg[i]) ? '?' : msg[i], stderr);
	if (len > MSG_MAX)
		fprintf(stderr, "... (%zu more bytes)", len - MSG_MAX);
	fputc('\n', stderr);
}

static void vlog(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vlog(int level, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		emit(DMCAPS_LOG_ERROR, "out of memory");
		return;
	}
	emit(level, msg);
	free(msg);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(DMCAPS_LOG_ERROR, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(DMCAPS_LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(DMCAPS_LOG_VERBOSE, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(DMCAPS_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void library_log(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	emit(level, msg);
}

static void global_help(poptContext pc)
{
	const struct dmcaps_command **c;

	poptPrintHelp(pc, stdout, 0);
	fputs("\nCommands:\n", stdout);
	for (c = commands; *c; c++)
		printf("  %-6s %-22s %s\n", (*c)->name, (*c)->args,
		       (*c)->summary);
	fputs("\nRun 'dmcaps COMMAND --help' for the options of a command.\n",
	      stdout);
	exit_status_help(stdout);
	fputs("\nSee dmcaps(8). Report bugs to <" PACKAGE_BUGREPORT ">.\n", stdout);
}

/* @cmd: the command whose options were parsed, NULL for global ones. */
static int usage_error(poptContext pc, int r, const struct dmcaps_command *cmd)
{
	char name[64];

	/* By name only: "--key=<128 hex digits>" must not be echoed. */
	log_err("%s: %s", opt_bad_name(pc, name, sizeof(name)),
		poptStrerror(r));
	fprintf(stderr, "Try 'dmcaps %s%s--help' for more information.\n",
		cmd ? cmd->name : "", cmd ? " " : "");
	return EXIT_DMCAPS_USAGE;
}

/* --sysroot as an absolute path, the form the library takes; a sysroot
 * that is not a directory is a bad argument. */
static int resolve_sysroot(void)
{
	struct stat st;
	char *abs;

	abs = realpath(opts.sysroot, NULL);
	if (!abs || stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_err("--sysroot %s: %s", opts.sysroot,
			abs ? strerror(ENOTDIR) : strerror(errno));
		free(abs);
		return EXIT_DMCAPS_USAGE;
	}
	opt_string_replace(&opts.sysroot, abs);	/* frees popt's copy */
	return 0;
}

static const struct dmcaps_command *find_command(const char *name)
{
	const struct dmcaps_command **c;

	for (c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

static int run_command(const struct dmcaps_command *cmd, int argc,
		       const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cmd->options, 0,
		  "Options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, common_options, 0,
		  "Common options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, help_options, 0,
		  NULL, NULL },
		POPT_TABLEEND
	};
	struct poptOption *t = cmd->options ? table : table + 1;
	struct dmcaps_ctx *ctx = NULL;
	const char **args;
	char usage[128];
	int r, nargs = 0;
	poptContext pc;

	opt_strings_track(t);
	pc = poptGetContext(argv[0], argc, argv, t, 0);
	snprintf(usage, sizeof(usage), "[OPTION...] %s", cmd->args);
	poptSetOtherOptionHelp(pc, usage);

	while ((r = poptGetNextOpt(pc)) > 0)
		if (r == OPT_STRING_STORED)
			opt_strings_stored();
	if (r < -1) {
		r = usage_error(pc, r, cmd);
		goto out;
	}

	if (opt_help) {
		poptPrintHelp(pc, stdout, 0);
		if (cmd->help)
			cmd->help();
		exit_status_help(stdout);
		r = EXIT_DMCAPS_OK;
		goto out;
	}

	if (cmd->check_options && (r = cmd->check_options()))
		goto out;

	args = poptGetArgs(pc);
	while (args && args[nargs])
		nargs++;

	if (opts.sysroot && (r = resolve_sysroot()))
		goto out;

	r = dmcaps_init(&ctx, opts.sysroot);
	if (r < 0) {
		log_err("%s: cannot initialise: %s",
			opts.sysroot ? opts.sysroot : "/", cause_from_errno(r));
		r = exit_code_from_errno(r);
		goto out;
	}
	dmcaps_set_log_callback(ctx, library_log, NULL);
	log_debug("dmcaps %s, libdmcaps %s, sysroot %s, command %s",
		  PACKAGE_VERSION, dmcaps_version(),
		  opts.sysroot ? opts.sysroot : "/", cmd->name);

	r = cmd->run(ctx, nargs, args);
	dmcaps_free(ctx);
out:
	opt_args_wipe(pc);
	poptFreeContext(pc);
	return r;
}

/*
 * A dmcaps process may hold a dm-crypt key (a table's parameters) or a key
 * to evict: a crash must not write it to a core file, nor may another
 * process of the same user read it through ptrace or /proc/PID/mem.
 * PR_SET_DUMPABLE 0 covers core_pattern pipes too, which RLIMIT_CORE does
 * not bind.
 */
static void no_core_dumps(void)
{
	const struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0)
		log_debug("cannot disable core dumps: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		log_debug("cannot make the process non-dumpable: %s",
			  strerror(errno));
}

/*
 * As coreutils' close_stdout(): output that could not be written is an
 * error (show > /dev/full), whatever the command did, and is said.
 */
static int close_stdout(int r)
{
	bool failed = ferror(stdout);
	int e;

	errno = 0;
	if (fclose(stdout) != 0)
		failed = true;
	e = errno;
	if (!failed)
		return r;
	if (e && e != EBADF)
		log_err("write error on standard output: %s", strerror(e));
	else
		log_err("write error on standard output");
	return EXIT_DMCAPS_FAILURE;
}

int main(int argc, const char **argv)
{
	const struct dmcaps_command *cmd;
	const char **rest;
	char name[64];
	int r, nrest = 0;
	poptContext pc;

	/* libsmartcols draws the tree with UTF-8 line art in UTF-8 locales. */
	setlocale(LC_ALL, "");

	/* Global options stop at the first argument, the command name: the
	 * rest is parsed again with the command's own table. */
	no_core_dumps();

	opt_strings_track(global_options);
	pc = poptGetContext("dmcaps", argc, argv, global_options,
			    POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(pc, "[OPTION...] COMMAND [ARG...]");

	while ((r = poptGetNextOpt(pc)) > 0)
		if (r == OPT_STRING_STORED)
			opt_strings_stored();
	if (r < -1) {
		r = usage_error(pc, r, NULL);
		goto out;
	}

	if (opt_version) {
		printf("dmcaps %s (libdmcaps %s)\n", PACKAGE_VERSION,
		       dmcaps_version());
		r = EXIT_DMCAPS_OK;
		goto out;
	}

	rest = poptGetArgs(pc);
	while (rest && rest[nrest])
		nrest++;

	if (!nrest) {
		if (opt_help) {
			global_help(pc);
			r = EXIT_DMCAPS_OK;
		} else {
			log_err("no command given");
			fputs("Try 'dmcaps --help' for more information.\n",
			      stderr);
			r = EXIT_DMCAPS_USAGE;
		}
		goto out;
	}

	cmd = find_command(rest[0]);
	if (!cmd) {
		log_err("%.64s%s: unknown command", rest[0],
			strlen(rest[0]) > 64 ? "..." : "");
		fputs("Try 'dmcaps --help' for more information.\n", stderr);
		r = EXIT_DMCAPS_USAGE;
		goto out;
	}

	/* argv[0] of the command's parse names it in its usage line. */
	snprintf(name, sizeof(name), "dmcaps %s", cmd->name);
	{
		const char *cargv[nrest + 1];

		cargv[0] = name;
		memcpy(cargv + 1, rest + 1, (nrest - 1) * sizeof(*rest));
		cargv[nrest] = NULL;
		r = run_command(cmd, nrest, cargv);
	}
out:
	opt_args_wipe(pc);
	poptFreeContext(pc);
	opt_strings_free();
	return close_stdout(r);
}
