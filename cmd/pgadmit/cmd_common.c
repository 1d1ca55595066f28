/*
 * cmd_common.c — what the subcommands share: argv through a settings table
 * (--help, --help-table, the usage error), the parsers of the shared rows
 * (--format, --fail-on), the colour decision and the --fail-on verdict.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "pgadmit/probe.h"
#include "pgadmit/report.h"

int cmd_settings(const char *name, void (*usage)(FILE *out),
		 const struct setting *t, size_t n, int argc, char **argv,
		 void *base, int *argi)
{
	const char *vals[SETTINGS_MAX];
	struct err err;
	err_clear(&err);
	switch (settings_parse_argv(t, n, argc, argv, vals, base, argi, &err)) {
	case SETTINGS_OK: break;
	case SETTINGS_HELP: usage(stdout); return 0;
	case SETTINGS_HELP_TABLE: settings_doc_table(stdout, t, n); return 0;
	default: return cmd_usage_error(name, usage, "%s", err.msg);
	}
	if (settings_resolve(t, n, vals, base, &err))
		return cmd_usage_error(name, usage, "%s", err.msg);
	return CMD_GO_ON;
}

int cmd_parse_report_format(const char *v, void *field, struct err *err)
{
	int f = report_format_parse(v);
	if (f < 0)
		return err_set(err,
			       "--format: expected text, json or sarif, "
			       "got '%s'",
			       v);
	*(int *)field = f;
	return 0;
}

int cmd_parse_probe_format(const char *v, void *field, struct err *err)
{
	int f = probe_format_parse(v);
	if (f < 0)
		return err_set(err, "--format: expected text or json, got '%s'",
			       v);
	*(int *)field = f;
	return 0;
}

int cmd_parse_fail_on(const char *v, void *field, struct err *err)
{
	int f = fail_on_parse(v);
	if (f < 0)
		return err_set(err,
			       "--fail-on: expected deny, warn or never, "
			       "got '%s'",
			       v);
	*(int *)field = f;
	return 0;
}

bool cmd_color(const struct cmd_common *co, int text_format)
{
	const char *nc = getenv("NO_COLOR");
	return !co->no_color && co->format == text_format &&
	       isatty(STDOUT_FILENO) && !(nc && *nc);
}

int cmd_verdict(const size_t counts[ACTION_DENY + 1], int fail_on)
{
	for (int a = ACTION_OFF; a <= ACTION_DENY; a++)
		if (counts[a] && action_fails((enum action)a, fail_on))
			return EXIT_FINDINGS;
	return 0;
}
