/*
 * cmd.h — the subcommands of the pgadmit binary. Each cmd_<name>.c parses its
 * own argv, calls src/, and maps errors to exit codes (0 ok, 1 findings at or
 * above --fail-on, 2 usage or input error). Only cmd/ may exit().
 */
#ifndef PGADMIT_CMD_H
#define PGADMIT_CMD_H

#include <stddef.h>
#include <stdio.h>

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
/* serve: a fatal error while running (after a clean start). */
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

/* probe --policy-reports (cmd_audit.c): 0, or EXIT_USAGE with the reason on
 * stderr. */
struct probe_result;
int cmd_probe_policy_reports(const struct probe_result *r, size_t n);

#endif
