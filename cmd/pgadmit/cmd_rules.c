/* cmd_rules.c — `pgadmit rules`: every rule of the catalog (catalog.h) with
 * its id, slug, scope, default action and one line, as text, JSON or the
 * markdown index of docs/rules/. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cmd_catalog.h"
#include "pgadmit/catalog.h"

void usage_rules(FILE *out)
{
	fprintf(out,
		"usage: pgadmit rules [--format text|json|markdown]\n"
		"\n"
		"List every rule: id, slug, scope (webhook = pgadmit serve, "
		"check = pgadmit check,\n"
		"audit = pgadmit audit, probe = pgadmit probe), default action "
		"and what is wrong.\n"
		"`pgadmit explain RULE` shows one rule in full.\n"
		"\n"
		"  --format text|json|markdown   output format (default text)\n"
		"\n"
		"Exit 0 ok, 2 usage.\n");
}

int cmd_catalog_format(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "text") == 0)
		return CATALOG_FMT_TEXT;
	if (strcmp(s, "json") == 0)
		return CATALOG_FMT_JSON;
	if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
		return CATALOG_FMT_MARKDOWN;
	return -1;
}

int cmd_catalog_emit(struct strbuf *sb)
{
	int rc = 0;
	if (!sb_ok(sb)) {
		fprintf(stderr, "pgadmit: out of memory\n");
		rc = 1;
	} else if (fputs(sb_str(sb), stdout) == EOF || fflush(stdout)) {
		perror("pgadmit: stdout");
		rc = 1;
	}
	sb_free(sb);
	return rc;
}

int cmd_catalog_emit_json(json_t *v)
{
	int rc = 0;
	if (!v || json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
		fprintf(stderr, "pgadmit: cannot write JSON\n");
		rc = 1;
	} else if (fputc('\n', stdout) == EOF || fflush(stdout)) {
		perror("pgadmit: stdout");
		rc = 1;
	}
	json_decref(v);
	return rc;
}

int cmd_rules(int argc, char **argv)
{
	int fmt = CATALOG_FMT_TEXT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage_rules(stdout);
			return 0;
		}
		if (strncmp(a, "--format=", 9) == 0)
			v = a + 9;
		else if (strcmp(a, "--format") == 0) {
			if (i + 1 >= argc)
				return cmd_usage_error("rules", usage_rules,
						       "%s needs a value", a);
			v = argv[++i];
		} else
			return cmd_usage_error("rules", usage_rules,
					       "unexpected argument '%s'", a);
		fmt = cmd_catalog_format(v);
		if (fmt < 0)
			return cmd_usage_error(
				"rules", usage_rules,
				"--format: expected text|json|markdown, got '%s'",
				v);
	}
	if (fmt == CATALOG_FMT_JSON)
		return cmd_catalog_emit_json(rule_catalog_json(0));
	struct strbuf sb = STRBUF_INIT;
	rule_index_render(fmt == CATALOG_FMT_MARKDOWN ? RULE_DOC_MARKDOWN
						      : RULE_DOC_TEXT,
			  &sb);
	return cmd_catalog_emit(&sb);
}
