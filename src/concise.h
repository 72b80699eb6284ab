/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmsetup's concise table format (dmsetup create --concise, dmsetup table
 * --concise): "name,uuid,minor,flags,table[,table]...", devices separated
 * by ';', '\' escaping ',', ';' and '\' inside fields.
 */
#ifndef _DMCAPS_CONCISE_H
#define _DMCAPS_CONCISE_H

struct concise {
	char *name;
	char *uuid;	/* "" when not given */
	char *minor;	/* "" when not given */
	char *flags;	/* "", "ro" or "rw" */
	char *table;	/* the table lines, '\n'-separated */
};

/*
 * Parses @text, which must describe exactly one device. 0, or an exit
 * status after a message (several devices, too few fields, an empty name,
 * flags other than ro/rw, a trailing '\'). The table may hold dm-crypt
 * keys: concise_free() wipes it.
 */
int concise_parse(const char *text, struct concise *c);
void concise_free(struct concise *c);

#endif
