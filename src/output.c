// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libsmartcols setup for dmcaps show: the column table, --output parsing
 * and the output formats.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dmcaps.h"
#include "output.h"

struct colinfo {
	const char *name;	/* as in --output and the header */
	double whint;		/* width hint, as lsblk's */
	int flags;		/* SCOLS_FL_* */
	int json_type;		/* SCOLS_JSON_* */
	const char *help;
};

static const struct colinfo infos[NCOLUMNS] = {
	[COL_NAME]	= { "NAME", 0.25, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES,
			    SCOLS_JSON_STRING,
			    "device name (DM name for DM devices), or target" },
	[COL_KNAME]	= { "KNAME", 0.1, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
			    "kernel name of the device (dm-0), empty for targets" },
	[COL_PKNAME]	= { "PKNAME", 0.1, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
			    "kernel name of the device above (the DM device a target belongs to or maps it)" },
	[COL_PATH]	= { "PATH", 0.1, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
			    "path of the device node" },
	[COL_TYPE]	= { "TYPE", 4, 0, SCOLS_JSON_STRING,
			    "disk, part, dm or target" },
	[COL_MAJMIN]	= { "MAJ:MIN", 6, 0, SCOLS_JSON_STRING,
			    "major:minor device number" },
	[COL_MODES]	= { "MODES", 0.3, 0, SCOLS_JSON_STRING,
			    "inline-encryption modes and data-unit sizes exposed now" },
	[COL_DUN]	= { "DUN", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "maximum DUN width in bytes" },
	[COL_SLOTS]	= { "SLOTS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
			    "keyslots (\"pass\": a DM device's passthrough)" },
	[COL_PREDICTED]	= { "PREDICTED", 0.3, 0, SCOLS_JSON_STRING,
			    "capabilities the DM live table should expose" },
	[COL_EXPOSED]	= { "EXPOSED", 0.3, 0, SCOLS_JSON_STRING,
			    "capabilities sysfs exposes now" },
	[COL_TARGET]	= { "TARGET", 6, 0, SCOLS_JSON_STRING,
			    "target type (target rows)" },
	[COL_START]	= { "START", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "first sector of the target" },
	[COL_LENGTH]	= { "LENGTH", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "length of the target in sectors" },
	[COL_PASSES]	= { "PASSES", 7, 0, SCOLS_JSON_STRING,
			    "target passes inline crypto: yes, no, unknown" },
	[COL_DROPS]	= { "DROPS", 5, 0, SCOLS_JSON_STRING,
			    "DM device: its live table drops capabilities its devices offer (yes, no)" },
	[COL_WHY]	= { "WHY", 0.4, SCOLS_FL_WRAP, SCOLS_JSON_ARRAY_STRING,
			    "why a DM device exposes less; MISMATCH if the kernel disagrees" },
	[COL_KERNEL]	= { "KERNEL", 0.3, 0, SCOLS_JSON_STRING,
			    "the kernel's own answer (DM_CRYPTO_CAPS): the table's capabilities, a target's passing" },
	[COL_CHANGES]	= { "CHANGES", 0.4, SCOLS_FL_WRAP, SCOLS_JSON_ARRAY_STRING,
			    "--inactive: what resuming the inactive table gains and loses, and why" },
};

static const enum out_column default_columns[] = {
	COL_NAME, COL_TYPE, COL_MAJMIN, COL_MODES, COL_DUN, COL_SLOTS,
	COL_PASSES, COL_WHY,
};

/* dmcaps show --inactive: the inactive table beside what is live. */
static const enum out_column inactive_columns[] = {
	COL_NAME, COL_TYPE, COL_MAJMIN, COL_MODES, COL_PREDICTED, COL_KERNEL,
	COL_PASSES, COL_CHANGES, COL_WHY,
};

/*
 * Wrapping cells (WHY, CHANGES): their lines are reasons, one per '\n'. A
 * line longer than the column is broken at its last space that fits,
 * never inside a word. A cell asks for its longest line.
 */
static size_t wrap_chunksize(const struct libscols_column *cl __attribute__((unused)),
			     const char *data, void *userdata __attribute__((unused)))
{
	size_t max = 0, n;

	while (data && *data) {
		n = strcspn(data, "\n");
		if (n > max)
			max = n;
		data += n;
		if (*data)
			data++;
	}
	return max;
}

static char *wrap_nextchunk(const struct libscols_column *cl, char *data,
			    void *userdata __attribute__((unused)))
{
	size_t width = scols_column_get_width(cl), n, cut;
	char *sp;

	if (!data || !*data)
		return NULL;
	n = strcspn(data, "\n");
	if (width && n > width) {
		/* the last space within the width, else the first after it */
		for (cut = width; cut > 0 && data[cut] != ' '; cut--)
			;
		if (!cut) {
			sp = strchr(data + width, ' ');
			cut = sp && (size_t)(sp - data) < n ? (size_t)(sp - data) : n;
		}
		if (cut < n) {
			data[cut] = '\0';
			return data + cut + 1;
		}
	}
	if (!data[n])
		return NULL;
	data[n] = '\0';
	return data + n + 1;
}

static int column_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NCOLUMNS; i++)
		if (strlen(infos[i].name) == len &&
		    !strncasecmp(infos[i].name, name, len))
			return i;
	/* The --pairs spelling of MAJ:MIN is accepted too. */
	if (len == 7 && !strncasecmp(name, "MAJ_MIN", len))
		return COL_MAJMIN;
	return -1;
}

void out_default_columns(struct out *o)
{
	size_t i;

	o->nids = 0;
	for (i = 0; i < sizeof(default_columns) / sizeof(*default_columns); i++)
		o->ids[o->nids++] = default_columns[i];
}

void out_inactive_columns(struct out *o)
{
	size_t i;

	o->nids = 0;
	for (i = 0; i < sizeof(inactive_columns) / sizeof(*inactive_columns); i++)
		o->ids[o->nids++] = inactive_columns[i];
}

void out_all_columns(struct out *o)
{
	int i;

	for (i = 0; i < NCOLUMNS; i++)
		o->ids[i] = i;
	o->nids = NCOLUMNS;
}

static int add_column(struct out *o, int id)
{
	size_t i;

	for (i = 0; i < o->nids; i++)
		if (o->ids[i] == id)
			return 0;	/* listed twice: once is enough */
	o->ids[o->nids++] = id;
	return 0;
}

int out_parse_columns(struct out *o, const char *list)
{
	const char *p, *end;
	int id;

	if (*list == '+') {
		/* The command may have set its own defaults first. */
		if (!o->nids)
			out_default_columns(o);
		list++;
	} else
		o->nids = 0;

	for (p = list; ; p = end + 1) {
		end = strchrnul(p, ',');
		id = column_by_name(p, end - p);
		if (id < 0) {
			if (end == p)
				log_err("--output: empty column name in '%s'",
					list);
			else
				log_err("--output: %.*s: unknown column",
					(int)(end - p), p);
			return -EINVAL;
		}
		add_column(o, id);
		if (!*end)
			break;
	}
	return 0;
}

bool out_has(const struct out *o, enum out_column col)
{
	return o->cols[col] != NULL;
}

const char *out_line_sep(const struct out *o)
{
	return o->format == OUT_PAIRS || o->format == OUT_RAW ? "; " : "\n";
}

/* JSON keys are lowercase, as lsblk's; --pairs keys are the prefix and
 * the name, made shell variable names by libsmartcols' shellvar mode
 * (MAJ:MIN becomes MAJ_MIN); the tree header is the column name. */
static void column_header(const struct out *o, int id, char *buf, size_t sz)
{
	size_t i;

	if (o->format == OUT_PAIRS) {
		snprintf(buf, sz, "%s%s", o->prefix ? o->prefix : "",
			 infos[id].name);
		return;
	}
	snprintf(buf, sz, "%s", infos[id].name);
	for (i = 0; buf[i] && o->format == OUT_JSON; i++)
		buf[i] = tolower((unsigned char)buf[i]);
}

int out_init(struct out *o, enum out_format format, bool noheadings,
	     const char *prefix)
{
	bool tree = false;
	size_t i;

	o->format = format;
	o->noheadings = noheadings;
	o->prefix = prefix;
	memset(o->cols, 0, sizeof(o->cols));
	if (!o->nids)
		out_default_columns(o);

	o->tb = scols_new_table();
	if (!o->tb)
		return -ENOMEM;

	/* A tree needs the NAME column to draw it in; --list, --raw and
	 * --pairs are one line per node, flat, as lsblk's; PKNAME keeps
	 * the hierarchy there. */
	for (i = 0; i < o->nids; i++)
		if (o->ids[i] == COL_NAME)
			tree = format == OUT_TREE || format == OUT_JSON;

	switch (format) {
	case OUT_JSON:
		scols_table_enable_json(o->tb, 1);
		scols_table_set_name(o->tb, "dmcaps");
		break;
	case OUT_PAIRS:
		scols_table_enable_export(o->tb, 1);
		scols_table_enable_shellvar(o->tb, 1);
		break;
	case OUT_RAW:
		scols_table_enable_raw(o->tb, 1);
		break;
	case OUT_LIST:
	case OUT_TREE:
		/* The terminal's width is applied by out_print(), to the
		 * wrapping columns only. */
		scols_table_set_termforce(o->tb, SCOLS_TERMFORCE_NEVER);
		break;
	}
	scols_table_enable_noheadings(o->tb, noheadings);

	for (i = 0; i < o->nids; i++) {
		const struct colinfo *ci = &infos[o->ids[i]];
		struct libscols_column *cl;
		int flags = ci->flags;
		char header[96];

		if (!tree)
			flags &= ~SCOLS_FL_TREE;
		/* JSON keeps the wrap function: it makes WHY an array. */
		if (format == OUT_PAIRS || format == OUT_RAW)
			flags &= ~SCOLS_FL_WRAP;

		column_header(o, o->ids[i], header, sizeof(header));
		cl = scols_table_new_column(o->tb, header, ci->whint, flags);
		if (!cl)
			return -ENOMEM;
		if (format == OUT_JSON)
			scols_column_set_json_type(cl, ci->json_type);
		if (flags & SCOLS_FL_WRAP) {
			/* Multi-line cells: one line per newline, and on a
			 * terminal long lines broken at spaces (out_print()). */
			scols_column_set_wrapfunc(cl, wrap_chunksize,
						  wrap_nextchunk, NULL);
			scols_column_set_safechars(cl, "\n");
		}
		o->cols[o->ids[i]] = cl;
	}
	return 0;
}

void out_free(struct out *o)
{
	scols_unref_table(o->tb);
	o->tb = NULL;
}

struct libscols_line *out_new_line(struct out *o, struct libscols_line *parent)
{
	return scols_table_new_line(o->tb, parent);
}

/* The length of the valid UTF-8 sequence at @s, 0 if there is none
 * (overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned int cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Sized to what it holds: a whole tree's cells are alive together until
 * it is printed, and allocating four bytes per byte in, the worst case,
 * made them a quarter of show's heap.
 */
char *utf8_safe_dup(const char *s)
{
	const unsigned char *p;
	size_t n, k = 0;
	char *out;

	for (p = (const unsigned char *)s; *p; ) {
		n = utf8_seq(p);
		/* an invalid byte becomes "\xNN" */
		k += n ? n : 4;
		p += n ? n : 1;
	}
	out = malloc(k + 1);
	if (!out)
		return NULL;
	for (p = (const unsigned char *)s, k = 0; *p; ) {
		n = utf8_seq(p);
		if (n) {
			memcpy(out + k, p, n);
			k += n;
			p += n;
		} else {
			k += sprintf(out + k, "\\x%02x", *p++);
		}
	}
	out[k] = '\0';
	return out;
}

int cell_set(struct libscols_line *ln, size_t col, const char *data)
{
	char *safe;

	if (!data || !ln)
		return 0;
	safe = utf8_safe_dup(data);
	if (!safe || scols_line_refer_data(ln, col, safe)) {
		free(safe);
		return -ENOMEM;
	}
	return 0;
}

int out_set(struct out *o, struct libscols_line *ln, enum out_column col,
	    const char *data)
{
	char *safe;

	if (!o->cols[col] || !data || !ln)
		return 0;
	safe = utf8_safe_dup(data);
	if (!safe || scols_line_refer_column_data(ln, o->cols[col], safe)) {
		free(safe);
		return -ENOMEM;
	}
	return 0;
}

/* The terminal's width in columns; 0 when standard output is none. */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *env;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	env = getenv("COLUMNS");
	return env ? strtoul(env, NULL, 10) : 0;
}

/* The width of the table without its wrapping columns (WHY, CHANGES), as
 * libsmartcols lays it out. */
static size_t width_without_wrapped(struct out *o)
{
	char *text = NULL;
	size_t i, w = 0, n = 0;

	for (i = 0; i < o->nids; i++)
		if (infos[o->ids[i]].flags & SCOLS_FL_WRAP)
			scols_column_set_flags(o->cols[o->ids[i]],
				scols_column_get_flags(o->cols[o->ids[i]]) |
				SCOLS_FL_HIDDEN);
	if (!scols_print_table_to_string(o->tb, &text))
		for (i = 0; i < o->nids; i++)
			if (!(infos[o->ids[i]].flags & SCOLS_FL_WRAP)) {
				w += scols_column_get_width(o->cols[o->ids[i]]);
				n++;
			}
	free(text);
	for (i = 0; i < o->nids; i++)
		if (infos[o->ids[i]].flags & SCOLS_FL_WRAP)
			scols_column_set_flags(o->cols[o->ids[i]],
				scols_column_get_flags(o->cols[o->ids[i]]) &
				~SCOLS_FL_HIDDEN);
	return w + n;	/* a space after each */
}

/*
 * The tree on a terminal fits its width as lsblk's does, but only by
 * wrapping WHY and CHANGES at spaces: the other columns are short, and a
 * tree, a MAJ:MIN or a mode list squeezed by libsmartcols' reduction
 * would no longer read. When the other columns leave less than
 * WRAP_MIN_WIDTH, nothing is squeezed: long lines go to the terminal as
 * to a pipe.
 */
#define WRAP_MIN_WIDTH	30

int out_print(struct out *o)
{
	size_t term, used, i;

	if ((o->format == OUT_TREE || o->format == OUT_LIST) &&
	    (term = terminal_width())) {
		used = width_without_wrapped(o);
		if (used && term > used && term - used >= WRAP_MIN_WIDTH) {
			for (i = 0; i < o->nids; i++)
				if (infos[o->ids[i]].flags & SCOLS_FL_WRAP)
					scols_column_set_flags(o->cols[o->ids[i]],
						scols_column_get_flags(o->cols[o->ids[i]]) |
						SCOLS_FL_NOEXTREMES);
			scols_table_set_termwidth(o->tb, term);
			scols_table_set_termforce(o->tb, SCOLS_TERMFORCE_ALWAYS);
		}
	}
	return scols_print_table(o->tb) ? -EIO : 0;
}

void out_print_column_help(FILE *f)
{
	int i;

	size_t j;

	for (i = 0; i < NCOLUMNS; i++)
		fprintf(f, "  %-10s %s\n", infos[i].name, infos[i].help);
	fputs("\nDefault: ", f);
	for (j = 0; j < sizeof(default_columns) / sizeof(*default_columns); j++)
		fprintf(f, "%s%s", j ? "," : "", infos[default_columns[j]].name);
	fputs(".\n", f);
}
