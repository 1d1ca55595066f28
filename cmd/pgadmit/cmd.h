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

#include "cmd_settings.h"
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
int cmd_usage_error(const char *name, void (*usage)(FILE *out), const char *fmt,
		    const char *arg);

void usage_check(FILE *out);
void usage_serve(FILE *out);
void usage_probe(FILE *out);
void usage_certgen(FILE *out);
void usage_rules(FILE *out);
void usage_explain(FILE *out);
void usage_audit(FILE *out);

/* ---- cmd_common.c: what the subcommands share ----------------------- */
enum { CMD_GO_ON = -1 };
/* argv through table t (cmd_settings.h) into base: flag > environment >
 * default. CMD_GO_ON, or the exit code to return now: 0 after --help or
 * --help-table, EXIT_USAGE with "pgadmit NAME: <why>" and the usage on
 * stderr. argi as settings_parse_argv (NULL: no
 * positional arguments). */
int cmd_settings(const char *name, void (*usage)(FILE *out),
		 const struct setting *t, size_t n, int argc, char **argv,
		 void *base, int *argi);
/* Colour only for the text format on a terminal, without --no-color or
 * NO_COLOR. */
bool cmd_color(const struct cmd_common *co, int text_format);
/* EXIT_FINDINGS when any action counted (counts[enum action]) reaches
 * --fail-on, else 0. */
int cmd_verdict(const size_t counts[ACTION_DENY + 1], int fail_on);

#endif
