/*
 * cmd.h — the subcommands of the pgadmit binary. Each cmd_<name>.c parses its
 * own argv, calls src/, and maps errors to exit codes (0 ok, 1 findings at or
 * above --fail-on, 2 usage or input error). Only cmd/ may exit().
 */
#ifndef PGADMIT_CMD_H
#define PGADMIT_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pgadmit/action.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
/* serve: a fatal error while running (after a clean start); certgen: any
 * failure of certgen_run, whatever its err.kind. src/ never returns exit
 * codes: it returns -1 (or an outcome) with a struct err whose kind says
 * what failed, and each cmd_<name>.c maps that to one of these. */
#define EXIT_FAILURE_RUNTIME 1

int cmd_check(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_certgen(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* "pgadmit NAME: <fmt with arg>", then the usage on stderr; EXIT_USAGE. */
int cmd_usage_error(const char *name, void (*usage)(FILE *out),
		    const char *fmt, const char *arg);

void usage_check(FILE *out);
void usage_serve(FILE *out);
void usage_probe(FILE *out);
void usage_certgen(FILE *out);
void usage_rules(FILE *out);
void usage_explain(FILE *out);
void usage_audit(FILE *out);

/* ---- cmd_common.c: what check, probe and audit share ------------------ */
struct cmd_opts {
	const char *name;              /* "check" */
	void (*usage)(FILE *out);
	int (*format_parse)(const char *s); /* -1 if unknown */
	const char *formats;           /* "text, json or sarif" (messages) */
	int text_format;               /* the only colourable format */
	int format;
	int fail_on;                   /* enum fail_on */
	bool color;
	const char *policy_path;       /* --policy, else $PGADMIT_POLICY */
};
/* getopt_long entries for the shared options (codes F p x C h). */
#define CMD_OPTS_LONG                                              \
	{"format", required_argument, NULL, 'F'},                  \
	{"policy", required_argument, NULL, 'p'},                  \
	{"fail-on", required_argument, NULL, 'x'},                 \
	{"no-color", no_argument, NULL, 'C'},                      \
	{"help", no_argument, NULL, 'h'}
enum { CMD_OPT_TAKEN = -1, CMD_OPT_NOT_MINE = -2 };
void cmd_opts_init(struct cmd_opts *o, const char *name,
		   void (*usage)(FILE *out), int (*format_parse)(const char *s),
		   const char *formats, int text_format);
/* One getopt_long result c (optarg arg): CMD_OPT_TAKEN, CMD_OPT_NOT_MINE,
 * or the exit code to return now (0 after --help, EXIT_USAGE with the
 * message and usage on stderr). '?' is an unknown option, ':' a missing
 * argument (optstring starting with ':'). */
int cmd_opts_take(struct cmd_opts *o, int c, char **argv, const char *arg);
/* Colour only for the text format on a terminal without NO_COLOR. */
void cmd_opts_color(struct cmd_opts *o);
/* EXIT_FINDINGS when any action counted (counts[enum action]) reaches
 * --fail-on, else 0. */
int cmd_verdict(const size_t counts[ACTION_DENY + 1], int fail_on);

/* probe --policy-reports (cmd_audit.c): 0, or EXIT_USAGE with the reason on
 * stderr. */
struct probe_result;
int cmd_probe_policy_reports(const struct probe_result *r, size_t n);

#endif
