/* cmd_explain.c — `pgadmit explain RULE`: one rule of the catalog in full
 * (what fires it, what does not, the fix, the opt-out), by id or slug in any
 * case; `--all` for every rule; `--write-docs DIR` writes the pages of
 * docs/rules/ (README.md and one <ID>.md per rule), as `make docs-rules`
 * does. An unknown rule is a usage error that suggests close names. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "cmd_catalog.h"
#include "pgadmit/catalog.h"
#include "pgadmit/err.h"

#define MAX_SUGGEST 3

void usage_explain(FILE *out)
{
	fprintf(out,
		"usage: pgadmit explain [--format text|json|markdown] RULE...\n"
		"       pgadmit explain [--format ...] --all\n"
		"       pgadmit explain --write-docs DIR\n"
		"\n"
		"Explain a rule: its scope and default action, what fires it, "
		"what does not,\n"
		"the fix and how to opt out. RULE is an id (PGA101) or a slug\n"
		"(postgres-port-exposed), in any case. `pgadmit rules` lists "
		"them all.\n"
		"\n"
		"  --format text|json|markdown   output format (default text)\n"
		"  --all                         every rule\n"
		"  --write-docs DIR              write DIR/README.md and "
		"DIR/<ID>.md for every\n"
		"                                rule (the generated "
		"docs/rules/)\n"
		"\n"
		"Exit 0 ok, 1 write error, 2 usage or unknown rule.\n");
}

/* "unknown rule 'X'; did you mean ...?" on stderr. The finding about a
 * pgadmit.dev/ annotation that names no rule (rule "pgadmit", slug
 * "annotation-not-understood") is not a rule: say what it is instead. */
static int unknown_rule(const char *name)
{
	if (strcasecmp(name, "annotation-not-understood") == 0 ||
	    strcasecmp(name, "pgadmit") == 0) {
		fprintf(stderr,
			"pgadmit explain: '%s' is not a rule: such an info "
			"finding reports a pgadmit.dev/ annotation that was not "
			"honoured\n(an unknown key or slug); its message says "
			"why and its fix what to write instead.\n",
			name);
		return EXIT_USAGE;
	}
	const struct rule_meta *s[MAX_SUGGEST];
	size_t n = catalog_suggest(name, s, MAX_SUGGEST);
	fprintf(stderr, "pgadmit explain: unknown rule '%s'", name);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%s (%s)", i == 0 ? "; did you mean " : ", ",
			s[i]->code, s[i]->slug);
	fprintf(stderr, "%s\n`pgadmit rules` lists every rule.\n",
		n ? "?" : ".");
	return EXIT_USAGE;
}

static int write_docs(const char *dir)
{
	struct err err;
	err_clear(&err);
	if (rule_docs_write(dir, &err) == 0)
		return 0;
	fprintf(stderr, "pgadmit explain: %s\n", err.msg);
	return 1;
}

static int explain(const struct rule_meta **rules, size_t n, int fmt)
{
	if (fmt == CATALOG_FMT_JSON) {
		json_t *all = rule_catalog_json(1), *out = json_array();
		json_t *arr = all ? json_object_get(all, "rules") : NULL;
		for (size_t i = 0; out && arr && i < n; i++)
			if (json_array_append(out,
					      json_array_get(arr,
							     rules[i]->id))) {
				json_decref(out);
				out = NULL;
			}
		json_t *doc = NULL;
		if (out && arr)
			doc = json_pack("{s:i, s:o}", "version", 1, "rules",
					out);
		else
			json_decref(out);
		json_decref(all);
		return cmd_catalog_emit_json(doc);
	}
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(&sb,
				fmt == CATALOG_FMT_MARKDOWN ? "\n" : "\n\n");
		rule_doc_render(rules[i],
				fmt == CATALOG_FMT_MARKDOWN ? RULE_DOC_MARKDOWN
							    : RULE_DOC_TEXT,
				&sb);
	}
	return cmd_catalog_emit(&sb);
}

int cmd_explain(int argc, char **argv)
{
	int fmt = CATALOG_FMT_TEXT, all = 0;
	const char *docs_dir = NULL;
	const struct rule_meta *rules[R_COUNT];
	size_t n = 0;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage_explain(stdout);
			return 0;
		}
		if (strcmp(a, "--all") == 0) {
			all = 1;
			continue;
		}
		if (strcmp(a, "--format") == 0 ||
		    strcmp(a, "--write-docs") == 0) {
			if (i + 1 >= argc)
				return cmd_usage_error("explain", usage_explain,
						       "%s needs a value", a);
			v = argv[++i];
		} else if (strncmp(a, "--format=", 9) == 0) {
			v = a + 9;
			a = "--format";
		} else
			return cmd_usage_error("explain", usage_explain,
					       "unknown option '%s'", a);
		if (strcmp(a, "--write-docs") == 0) {
			docs_dir = v;
			continue;
		}
		fmt = cmd_catalog_format(v);
		if (fmt < 0)
			return cmd_usage_error(
				"explain", usage_explain,
				"--format: expected text|json|markdown, got '%s'",
				v);
	}
	int has_names = i < argc;
	if (docs_dir) {
		if (all || has_names)
			return cmd_usage_error(
				"explain", usage_explain,
				"%s takes no rule names and no --all",
				"--write-docs");
		return write_docs(docs_dir);
	}
	if (all && has_names)
		return cmd_usage_error("explain", usage_explain,
				       "%s or rule names, not both", "--all");
	if (!all && !has_names)
		return cmd_usage_error("explain", usage_explain, "%s",
				       "which rule? (pgadmit rules lists "
				       "them)");
	if (all) {
		for (int r = 0; r < R_COUNT; r++)
			rules[n++] = &rule_catalog[r];
	} else {
		for (; i < argc; i++) {
			const struct rule_meta *m = catalog_find(argv[i]);
			if (!m)
				return unknown_rule(argv[i]);
			if (n == R_COUNT)
				return cmd_usage_error("explain", usage_explain,
						       "%s", "too many rules");
			rules[n++] = m;
		}
	}
	return explain(rules, n, fmt);
}
