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

/* "dmcaps: " + message on stderr. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, only with --verbose / --debug. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "# " + message on stderr, only with --debug. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The library's log callback: errors and warnings always, verbose and debug
 * messages with --verbose and --debug. */
void library_log(int level, const char *msg, void *usrptr);
/* While set, the library's errors are shown as verbose messages: for calls
 * whose failure the tool reports itself in full ("SPEC: no such block
 * device"), so that it is not said twice. */
void library_log_demote_errors(bool demote);
/* Holds back the library's errors until library_log_release(): printed
 * when @print, shown as verbose messages otherwise (the tool then reports
 * the failure itself). Not nested. */
void library_log_hold(void);
void library_log_release(bool print);

#endif
