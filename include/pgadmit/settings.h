/*
 * settings.h — one table per subcommand describes its settings (flag,
 * environment variable, type, range, default, help); the same table drives
 * argv parsing, flag > environment > default resolution, --help and the
 * Markdown table in the docs. Modeled on pgbouncer's bouncer_params[] and
 * Redis's static_configs[]: adding a setting is adding a row.
 *
 * The engine is here (src/config/settings.c); each table lives beside its
 * subcommand (cmd/pgadmit/<name>_settings.c: serve, check, probe, audit),
 * since it points into that subcommand's configuration struct. Rows are
 * written with designated initializers (unset fields are zero).
 *
 * Ownership: tables are static; resolved strings point into argv or the
 * environment (never copied, never freed).
 */
#ifndef PGADMIT_SETTINGS_H
#define PGADMIT_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#include "pgadmit/err.h"

#define SETTINGS_MAX 32

enum setting_type {
	SET_STR,   /* const char *: the text as given */
	SET_UINT,  /* unsigned, decimal within [lo, hi] */
	SET_LL,    /* long long, decimal within [lo, hi] */
	SET_BYTES, /* long long, decimal with optional Ki/Mi/Gi, in [lo, hi] */
	SET_ENUM,  /* int: index into choices */
	SET_DOC,   /* read elsewhere; listed in --help and docs only */
	SET_BOOL,  /* bool: a flag without argument sets it; the variable
		    * takes 1|true|yes|on or 0|false|no|off */
	SET_LIST,  /* struct setting_list: each occurrence of the flag is
		    * appended (flag only, no default) */
	SET_FN,    /* parsed by the row's parse function (enums with their
		    * own parser, "I/N" shards, ...) */
};

/* Target of a SET_LIST row: the caller points v at an array of max
 * entries before parsing; n counts what was given. */
struct setting_list {
	const char **v;
	size_t n, max;
};

/* The environment variable is documented here but read by another module
 * (e.g. PGADMIT_MAX_BODY_BYTES by the policy): the table does not read it. */
#define SETF_ENV_ELSEWHERE 1u

struct setting {
	const char *flag;    /* long option without "--"; NULL = env only */
	const char *metavar; /* "ADDR:PORT", "N", ... */
	const char *env;     /* environment variable; NULL = flag only */
	enum setting_type type;
	unsigned flags;             /* SETF_* */
	const char *label;          /* subject of error messages */
	long long lo, hi;           /* SET_UINT, SET_LL, SET_BYTES */
	const char *const *choices; /* SET_ENUM, NULL-terminated */
	const char *def;         /* default as text, parsed like a value; NULL =
			      * the field keeps its zero/unset value */
	size_t off;              /* offset of the field in the target struct */
	const char *help;        /* --help text; '\n' continues the line */
	const char *doc_default; /* the docs table's default column */
	char shortopt;           /* 'f' for -f, or 0 */
	/* SET_FN: parse v into field; 0, or -1 with err. */
	int (*parse)(const char *v, void *field, struct err *err);
};

enum { SETTINGS_OK = 0, SETTINGS_HELP = 1, SETTINGS_HELP_TABLE = 2 };

/* Parse argv (getopt_long over the table's flags, plus -h/--help and
 * --help-table). vals[i] receives the text given for t[i] (or NULL);
 * SET_LIST rows are appended to their struct setting_list in base (may be
 * NULL without list rows). *argi, when argi is not NULL, gets the index
 * of the first positional argument (argc: none); with argi NULL a
 * positional argument is an error. Returns SETTINGS_OK, SETTINGS_HELP,
 * SETTINGS_HELP_TABLE, or -1 with err ("unknown option '...'", "--x needs
 * an argument", "too many --x (max N)", "unexpected argument '...'"). */
PGADMIT_MUST_CHECK
int settings_parse_argv(const struct setting *t, size_t n, int argc,
			char **argv, const char *vals[], void *base, int *argi,
			struct err *err);

/* flag > environment > default for every row, stored into base + off.
 * 0, or -1 with err naming the setting, the range and the value. */
PGADMIT_MUST_CHECK
int settings_resolve(const struct setting *t, size_t n,
		     const char *const vals[], void *base, struct err *err);

/* The option lines and the "Other environment" lines of --help. */
void settings_usage(FILE *out, const struct setting *t, size_t n);

/* The Markdown table (flag | environment | default) for the docs. */
void settings_doc_table(FILE *out, const struct setting *t, size_t n);

#endif
