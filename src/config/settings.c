/*
 * settings.c — the generic half of settings.h: argv parsing, resolution
 * (flag > environment > default), --help lines and the docs table, all
 * driven by a struct setting table.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/settings.h"

#define OPT_HELP 900
#define OPT_HELP_TABLE 901

/* The getopt_long short-option string: ':' first (missing arguments are
 * told apart), "h", then each row's short option. */
static void short_opts(const struct setting *t, size_t n, char *out,
		       size_t outlen)
{
	size_t k = 0;
	out[k++] = ':';
	out[k++] = 'h';
	for (size_t i = 0; i < n && k + 3 < outlen; i++) {
		if (!t[i].flag || !t[i].shortopt)
			continue;
		out[k++] = t[i].shortopt;
		if (t[i].type != SET_BOOL)
			out[k++] = ':';
	}
	out[k] = '\0';
}

/* The row of short option c, or n. */
static size_t row_of_short(const struct setting *t, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].flag && t[i].shortopt && t[i].shortopt == c)
			return i;
	return n;
}

static int take(const struct setting *s, const char *v, const char *vals[],
		size_t i, void *base, struct err *err)
{
	if (s->type == SET_BOOL) {
		vals[i] = "true";
		return 0;
	}
	if (s->type != SET_LIST) {
		vals[i] = v;
		return 0;
	}
	struct setting_list *l =
		base ? (struct setting_list *)((char *)base + s->off) : NULL;
	if (!l || l->n >= l->max)
		return err_set(err, "too many --%s (max %zu)", s->flag,
			       l ? l->max : 0);
	l->v[l->n++] = v;
	return 0;
}

int settings_parse_argv(const struct setting *t, size_t n, int argc,
			char **argv, const char *vals[], void *base, int *argi,
			struct err *err)
{
	struct option opts[SETTINGS_MAX + 3];
	char shorts[2 * SETTINGS_MAX + 3];
	size_t k = 0;
	if (n > SETTINGS_MAX)
		return err_set(err, "too many settings (%zu)", n);
	for (size_t i = 0; i < n; i++) {
		vals[i] = NULL;
		if (!t[i].flag)
			continue;
		opts[k++] = (struct option){t[i].flag,
					    t[i].type == SET_BOOL
						    ? no_argument
						    : required_argument,
					    NULL, (int)i + 1000};
	}
	opts[k++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	opts[k++] = (struct option){"help-table", no_argument, NULL,
				    OPT_HELP_TABLE};
	opts[k] = (struct option){NULL, 0, NULL, 0};
	short_opts(t, n, shorts, sizeof(shorts));
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		size_t row = n;
		if (c == 'h' || c == OPT_HELP)
			return SETTINGS_HELP;
		if (c == OPT_HELP_TABLE)
			return SETTINGS_HELP_TABLE;
		if (c == ':')
			return err_set(err, "%s needs an argument",
				       argv[optind - 1]);
		if (c == '?')
			return err_set(err, "unknown option '%s'",
				       argv[optind - 1]);
		if (c >= 1000 && (size_t)(c - 1000) < n)
			row = (size_t)(c - 1000);
		else
			row = row_of_short(t, n, c);
		if (row == n)
			return err_set(err, "unknown option '%s'",
				       argv[optind - 1]);
		if (take(&t[row], optarg, vals, row, base, err))
			return -1;
	}
	if (argi)
		*argi = optind;
	else if (optind < argc)
		return err_set(err, "unexpected argument '%s'", argv[optind]);
	return SETTINGS_OK;
}

static int parse_num(const char *what, const char *s, long long lo,
		     long long hi, long long *out, struct err *err)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return err_set(err,
			       "%s: expected a number between %lld and "
			       "%lld, got '%s'",
			       what, lo, hi, s);
	*out = v;
	return 0;
}

/* A byte count with an optional Ki, Mi or Gi suffix (Kubernetes style). */
static int parse_bytes(const char *what, const char *s, long long lo,
		       long long hi, long long *out, struct err *err)
{
	static const char *const sfx[] = {"Ki", "Mi", "Gi"};
	size_t n = strlen(s);
	int shift = 0;
	char num[32];
	for (int i = 0; i < 3; i++)
		if (n > 2 && strcmp(s + n - 2, sfx[i]) == 0)
			shift = 10 * (i + 1);
	if (shift) {
		if (n - 2 >= sizeof(num))
			return err_set(err, "%s: '%s' is too long", what, s);
		memcpy(num, s, n - 2);
		num[n - 2] = '\0';
		s = num;
	}
	long long v;
	if (parse_num(what, s, 1, hi >> shift, &v, err))
		return -1;
	v <<= shift;
	if (v < lo || v > hi)
		return err_set(err, "%s: expected %lld to %lld bytes, got %lld",
			       what, lo, hi, v);
	*out = v;
	return 0;
}

static int parse_enum(const struct setting *s, const char *v, int *out,
		      struct err *err)
{
	char list[256] = "";
	size_t used = 0;
	for (int i = 0; s->choices[i]; i++) {
		if (strcmp(v, s->choices[i]) == 0) {
			*out = i;
			return 0;
		}
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? "|" : "", s->choices[i]);
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
	}
	return err_set(err, "%s: expected %s", s->label, list);
}

static int parse_bool(const char *what, const char *v, bool *out,
		      struct err *err)
{
	static const char *const yes[] = {"1", "true", "yes", "on"},
				 *const no[] = {"0", "false", "no", "off"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
			*out = strcmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return err_set(err,
		       "%s: expected 1|true|yes|on or 0|false|no|off, "
		       "got '%s'",
		       what, v);
}

/* The text that applies to s: flag, else non-empty environment, else the
 * default (NULL when none). */
static const char *pick(const struct setting *s, const char *flagval)
{
	if (flagval)
		return flagval;
	if (s->env && !(s->flags & SETF_ENV_ELSEWHERE)) {
		const char *e = getenv(s->env);
		if (e && *e)
			return e;
	}
	return s->def;
}

int settings_resolve(const struct setting *t, size_t n,
		     const char *const vals[], void *base, struct err *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct setting *s = &t[i];
		void *field = (char *)base + s->off;
		const char *v = pick(s, vals ? vals[i] : NULL);
		long long num = 0;
		int idx = 0;
		if (s->type == SET_DOC || s->type == SET_LIST)
			continue;
		if (s->type == SET_ENUM && !v) {
			*(int *)field = -1;
			continue;
		}
		if (!v)
			continue;
		switch (s->type) {
		case SET_STR: *(const char **)field = v; break;
		case SET_UINT:
		case SET_LL:
			if (parse_num(s->label, v, s->lo, s->hi, &num, err))
				return -1;
			if (s->type == SET_UINT)
				*(unsigned *)field = (unsigned)num;
			else
				*(long long *)field = num;
			break;
		case SET_BYTES:
			if (parse_bytes(s->label, v, s->lo, s->hi, &num, err))
				return -1;
			*(long long *)field = num;
			break;
		case SET_ENUM:
			if (parse_enum(s, v, &idx, err))
				return -1;
			*(int *)field = idx;
			break;
		case SET_BOOL:
			if (parse_bool(s->label, v, (bool *)field, err))
				return -1;
			break;
		case SET_FN:
			if (s->parse(v, field, err))
				return -1;
			break;
		case SET_DOC:
		case SET_LIST: break;
		}
	}
	return 0;
}

/* Print help text, indenting the lines after each '\n' to column col. */
static void put_help(FILE *out, const char *help, int col)
{
	for (const char *p = help; *p; p++) {
		fputc(*p, out);
		if (*p == '\n')
			fprintf(out, "%*s", col, "");
	}
	fputc('\n', out);
}

void settings_usage(FILE *out, const struct setting *t, size_t n)
{
	char head[64];
	bool other = false;
	for (size_t i = 0; i < n; i++) {
		if (!t[i].flag)
			continue;
		if (t[i].shortopt)
			snprintf(head, sizeof(head), "-%c, --%s %s",
				 t[i].shortopt, t[i].flag,
				 t[i].metavar ? t[i].metavar : "");
		else
			snprintf(head, sizeof(head), "--%s %s", t[i].flag,
				 t[i].metavar ? t[i].metavar : "");
		if (t[i].env)
			fprintf(out, "  %-22s  %s ", head, t[i].env);
		else
			fprintf(out, "  %-22s  ", head);
		put_help(out, t[i].help, 26);
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i].flag)
			continue;
		if (!other)
			fprintf(out, "\nOther environment:\n");
		other = true;
		fprintf(out, "  %-22s  ", t[i].env);
		put_help(out, t[i].help, 26);
	}
}

void settings_doc_table(FILE *out, const struct setting *t, size_t n)
{
	fprintf(out, "| flag | environment | default |\n|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		if (t[i].flag && t[i].metavar)
			fprintf(out, "| `--%s %s` ", t[i].flag, t[i].metavar);
		else if (t[i].flag)
			fprintf(out, "| `--%s` ", t[i].flag);
		else
			fprintf(out, "| ");
		if (t[i].env)
			fprintf(out, "| `%s` ", t[i].env);
		else
			fprintf(out, "| ");
		fprintf(out, "| %s |\n", t[i].doc_default);
	}
}
