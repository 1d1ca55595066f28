/*
 * check_settings.c — the settings of `pgadmit check`, one row each (engine:
 * src/config/settings.c): parsing, --help and `pgadmit check --help-table`
 * (docs/check.md, checked by test_settings_docs.sh). Positional PATHs are
 * inputs like -f (cmd_check.c appends them).
 */
#include <stddef.h>
#include <string.h>

#include "cmd_settings.h"

#define F(field) offsetof(struct check_settings, field)

static int parse_name(const char *v, void *field, struct err *err)
{
	if (!*v)
		return err_set(err, "--stdin-name: expected a file name");
	*(const char **)field = v;
	return 0;
}

const struct setting check_settings_table[] = {
	{.flag = "file",
	 .shortopt = 'f',
	 .metavar = "PATH",
	 .type = SET_LIST,
	 .label = "-f",
	 .off = F(files),
	 .help = "input (repeatable; a bare PATH is the same)",
	 .doc_default = "standard input when not a terminal"},
	CMD_COMMON_ROWS(struct check_settings, cmd_parse_report_format, "FMT",
			"text (default), json or sarif"),
	{.flag = "stdin-name",
	 .metavar = "NAME",
	 .type = SET_FN,
	 .label = "--stdin-name",
	 .off = F(stdin_name),
	 .parse = parse_name,
	 .help = "the file name of standard input in\nreports",
	 .doc_default = "`-`"},
	{.flag = "source-root",
	 .metavar = "DIR",
	 .type = SET_STR,
	 .label = "--source-root",
	 .off = F(source_root),
	 .help = "prefix for the templates named by\nHelm's `# Source:` "
		 "comments (the chart's\nparent directory)",
	 .doc_default = "none"},
	{.env = "PGADMIT_RULE_<ID>",
	 .type = SET_DOC,
	 .help = "deny|warn|annotate|off (a rule's action)",
	 .doc_default = "see [policy.md](policy.md)"},
};

const size_t check_settings_count =
	sizeof(check_settings_table) / sizeof(check_settings_table[0]);
