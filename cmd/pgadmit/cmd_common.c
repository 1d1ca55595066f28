/*
 * cmd_common.c — what `check`, `probe` and `audit` share: the options
 * --format, --policy, --fail-on, --no-color, --help (with their messages),
 * the colour decision, and the --fail-on verdict.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"

void cmd_opts_init(struct cmd_opts *o, const char *name,
		   void (*usage)(FILE *out), int (*format_parse)(const char *s),
		   const char *formats, int text_format)
{
	*o = (struct cmd_opts){
		.name = name,
		.usage = usage,
		.format_parse = format_parse,
		.formats = formats,
		.text_format = text_format,
		.format = text_format,
		.fail_on = FAIL_ON_DENY,
		.color = true,
	};
	o->policy_path = getenv("PGADMIT_POLICY");
	if (o->policy_path && !*o->policy_path)
		o->policy_path = NULL;
}

int cmd_opts_take(struct cmd_opts *o, int c, char **argv, const char *arg)
{
	char msg[96];
	switch (c) {
	case 'F':
		o->format = o->format_parse(arg);
		if (o->format < 0) {
			snprintf(msg, sizeof(msg), "--format: expected %s, got "
						   "'%%s'",
				 o->formats);
			return cmd_usage_error(o->name, o->usage, msg, arg);
		}
		return CMD_OPT_TAKEN;
	case 'p':
		o->policy_path = arg;
		return CMD_OPT_TAKEN;
	case 'x':
		o->fail_on = fail_on_parse(arg);
		if (o->fail_on < 0)
			return cmd_usage_error(o->name, o->usage,
					       "--fail-on: expected deny, warn "
					       "or never, got '%s'",
					       arg);
		return CMD_OPT_TAKEN;
	case 'C':
		o->color = false;
		return CMD_OPT_TAKEN;
	case 'h':
		o->usage(stdout);
		return 0;
	case ':':
		return cmd_usage_error(o->name, o->usage, "%s needs an argument",
				       argv[optind - 1]);
	case '?':
		return cmd_usage_error(o->name, o->usage, "unknown option '%s'",
				       argv[optind - 1]);
	default:
		return CMD_OPT_NOT_MINE;
	}
}

void cmd_opts_color(struct cmd_opts *o)
{
	const char *nc = getenv("NO_COLOR");
	if (o->format != o->text_format || !isatty(STDOUT_FILENO) ||
	    (nc && *nc))
		o->color = false;
}

int cmd_verdict(const size_t counts[ACTION_DENY + 1], int fail_on)
{
	for (int a = ACTION_OFF; a <= ACTION_DENY; a++)
		if (counts[a] && action_fails((enum action)a, fail_on))
			return EXIT_FINDINGS;
	return 0;
}
