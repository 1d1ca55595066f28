/* cmd_settings.h — the settings tables of the subcommands (one row a
 * setting: flag, variable, type, range, default, help, docs' default;
 * engine: pgadmit/settings.h) and the structs they fill: serve
 * (serve_settings.c), check, probe and audit (check_settings.c,
 * probe_settings.c, audit_settings.c). check, probe and audit share the
 * rows of struct cmd_common (CMD_COMMON_ROWS, cmd_common.c). */
#ifndef PGADMIT_CMD_SETTINGS_H
#define PGADMIT_CMD_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/server.h"
#include "pgadmit/settings.h"

struct serve_settings {
	struct srv_config srv;
	int log_level; /* enum srv_log_level, or -1 = leave as is */
};
extern const struct setting serve_settings_table[];
extern const size_t serve_settings_count;

/* --format, --policy, --fail-on, --no-color. */
struct cmd_common {
	int format;  /* enum report_format / enum probe_format */
	int fail_on; /* enum fail_on */
	bool no_color;
	const char *policy_path; /* --policy, else $PGADMIT_POLICY */
};
/* SET_FN parsers of the shared rows (cmd_common.c). */
int cmd_parse_report_format(const char *v, void *field, struct err *err);
int cmd_parse_probe_format(const char *v, void *field, struct err *err);
int cmd_parse_fail_on(const char *v, void *field, struct err *err);

/* The four shared rows for a struct T with a struct cmd_common member
 * named co; fmt_parse/fmt_help name the formats. */
#define CMD_COMMON_ROWS(T, fmt_parse, fmt_meta, fmt_help)                      \
	{.flag = "format",                                                     \
	 .metavar = fmt_meta,                                                  \
	 .type = SET_FN,                                                       \
	 .label = "--format",                                                  \
	 .def = "text",                                                        \
	 .off = offsetof(T, co.format),                                        \
	 .parse = fmt_parse,                                                   \
	 .help = fmt_help,                                                     \
	 .doc_default = "`text`"},                                             \
		{.flag = "policy",                                             \
		 .metavar = "FILE",                                            \
		 .env = "PGADMIT_POLICY",                                      \
		 .type = SET_STR,                                              \
		 .label = "--policy",                                          \
		 .off = offsetof(T, co.policy_path),                           \
		 .help = "(policy file; default built-in)",                    \
		 .doc_default = "built-in defaults + environment"},            \
		{.flag = "fail-on",                                            \
		 .metavar = "LEVEL",                                           \
		 .type = SET_FN,                                               \
		 .label = "--fail-on",                                         \
		 .def = "deny",                                                \
		 .off = offsetof(T, co.fail_on),                               \
		 .parse = cmd_parse_fail_on,                                   \
		 .help = "exit 1 on findings at or above LEVEL:\n"             \
			 "deny (default), warn or never",                      \
		 .doc_default = "`deny` (`warn`, `never`)"},                   \
	{                                                                      \
		.flag = "no-color", .env = "NO_COLOR", .type = SET_BOOL,       \
		.flags = SETF_ENV_ELSEWHERE, .label = "--no-color",            \
		.off = offsetof(T, co.no_color),                               \
		.help = "(never colour the text report)",                      \
		.doc_default = "colour on a terminal"                          \
	}

#define CMD_MAX_INPUTS 1024
struct check_settings {
	struct cmd_common co;
	struct setting_list files; /* -f and positional PATHs */
	const char *stdin_name, *source_root;
};
extern const struct setting check_settings_table[];
extern const size_t check_settings_count;

struct probe_settings {
	struct cmd_common co;
	unsigned concurrency;      /* 0: policy probe.concurrency */
	unsigned shard_i, shard_n; /* shard_n 0: from the environment */
	bool policy_reports;
};
extern const struct setting probe_settings_table[];
extern const size_t probe_settings_count;

#define CMD_MAX_NAMESPACES 256
struct audit_settings {
	struct cmd_common co;
	struct setting_list namespaces, exclude;
	const char *kubeconfig;
	unsigned timeout_ms; /* 0: 30000 */
	bool policy_reports, stats;
};
extern const struct setting audit_settings_table[];
extern const size_t audit_settings_count;

#endif
