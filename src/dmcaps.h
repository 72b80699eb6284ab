/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmcaps - what the tool's pieces share: global options, the command
 * table entry, messages.
 */
#ifndef _DMCAPS_TOOL_H
#define _DMCAPS_TOOL_H

#include <popt.h>
#include <stdbool.h>

#include "libdmcaps.h"

/* Options every command accepts, before or after the command name. */
struct dmcaps_opts {
	int verbose;
	int debug;
	const char *sysroot;
};

extern struct dmcaps_opts opts;
extern struct poptOption common_options[];

/* One command: `dmcaps NAME [OPTION...] ARGS`. Adding a command is one
 * entry in dmcaps.c's command table. */
struct dmcaps_command {
	const char *name;
	const char *args;	/* "[DEVICE...]", for usage lines */
	const char *summary;	/* one line, for dmcaps --help */
	struct poptOption *options;	/* the command's own, or NULL */
	void (*help)(void);	/* extra text after the option list */
	/* Validates the options after parsing: 0 or an exit status. */
	int (*check_options)(void);
	/* Runs with the context set up; returns an exit status. */
	int (*run)(struct dmcaps_ctx *ctx, int argc, const char **argv);
};

extern const struct dmcaps_command show_command;
extern const struct dmcaps_command check_command;
extern const struct dmcaps_command load_command;
extern const struct dmcaps_command evict_command;
extern const struct dmcaps_command require_command;

/*
 * Messages, the tool's own and the library's, through one printer (see
 * dmcaps.c): each failure is said once, by whoever found it. The library
 * says what went wrong with a device, a table, the kernel; the tool says
 * only what the library cannot know (usage, output, what a command
 * concludes).
 */
/* "dmcaps: " + message on stderr. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "dmcaps: warning: " + message on stderr. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "dmcaps: " + message, only with --verbose / --debug. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "# " + message on stderr, only with --debug. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The library's log callback, the same printer: errors and warnings
 * always, verbose and debug messages with --verbose and --debug. */
void library_log(int level, const char *msg, void *usrptr);

#endif
