/*
 * sarif.c — SARIF 2.1.0 for GitHub code scanning: one run, the manifest rules
 * as reportingDescriptors with help text, one result per finding with a
 * physical location (file, startLine). Opt-outs (info findings) are results
 * with an inSource suppression, so code scanning lists them as dismissed.
 */
#include <jansson.h>
#include <string.h>

#include "pgadmit/policy.h"
#include "writers.h"
#include "pgadmit/strbuf.h"

#define SARIF_SCHEMA                                                           \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"  \
	"sarif-schema-2.1.0.json"
#define FIRST_MANIFEST_RULE R_PGA101
#define LAST_MANIFEST_RULE R_PGA104

static const char *level(enum action a)
{
	switch (a) {
	case ACTION_DENY: return "error";
	case ACTION_WARN: return "warning";
	default: return "note";
	}
}

/* Rule metadata and help come from the rule catalog, rendered as
 * `pgadmit explain` and docs/rules/ render them (rule_doc.c). */
static json_t *rule_descriptor(const struct rule_meta *m)
{
	struct strbuf text = STRBUF_INIT;
	rule_doc_render(m, RULE_DOC_TEXT, &text);
	json_t *r = NULL;
	if (sb_ok(&text))
		r = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, "
			      "s:{s:s}, s:{s:[s,s], s:s}}",
			      "id", m->code, "name", m->slug,
			      "shortDescription", "text", m->title,
			      "fullDescription", "text", m->summary, "help",
			      "text", sb_str(&text),
			      "defaultConfiguration", "level",
			      level(m->def_action), "properties", "tags",
			      "security", "postgresql", "precision", "high");
	sb_free(&text);
	return r;
}

static json_t *rules_json(void)
{
	json_t *rules = json_array();
	for (int i = FIRST_MANIFEST_RULE; rules && i <= LAST_MANIFEST_RULE;
	     i++) {
		if (json_array_append_new(rules,
					  rule_descriptor(&rule_catalog[i]))) {
			json_decref(rules);
			return NULL;
		}
	}
	return rules;
}

static json_t *result_json(const struct finding *f)
{
	const struct rule_meta *m = rule_meta_by_code(f->rule);
	int index = m ? (int)m->id - FIRST_MANIFEST_RULE : -1;
	struct strbuf text = STRBUF_INIT, logical = STRBUF_INIT;
	sb_puts(&text, f->message ? f->message : "");
	if (f->hint && *f->hint)
		sb_printf(&text, " Fix: %s", f->hint);
	sb_printf(&logical, "%s/%s%s%s", f->kind ? f->kind : "",
		  f->ns ? f->ns : "", f->ns ? "/" : "", f->name ? f->name : "");
	if (f->path)
		sb_printf(&logical, ":%s", f->path);
	json_t *region = json_pack("{s:i}", "startLine",
				   f->line > 0 ? f->line : 1);
	json_t *res = NULL;
	if (!sb_ok(&text) || !sb_ok(&logical) || !region)
		goto out;
	res = json_pack(
		"{s:s, s:i, s:s, s:{s:s}, s:[{s:{s:{s:s}, s:O}, s:[{s:s, s:s}]}], "
		"s:{s:s}}",
		"ruleId", f->rule, "ruleIndex", index, "level",
		level(f->action), "message", "text", sb_str(&text),
		"locations", "physicalLocation", "artifactLocation", "uri",
		f->file ? f->file : "-", "region", region, "logicalLocations",
		"fullyQualifiedName", sb_str(&logical), "kind", "resource",
		"partialFingerprints", "pgadmitPath/v1", sb_str(&logical));
	if (res && f->action == ACTION_INFO) {
		json_t *sup = json_pack("[{s:s, s:s}]", "kind", "inSource",
					"justification",
					f->message ? f->message : "");
		if (!sup || json_object_set_new(res, "suppressions", sup)) {
			json_decref(res);
			res = NULL;
		}
	}
out:
	json_decref(region);
	sb_free(&text);
	sb_free(&logical);
	return res;
}

int report_sarif(FILE *out, const struct finding_list *l,
		 const struct report_summary *s)
{
	(void)s;
	int rc = -1;
	json_t *results = json_array(), *root = NULL;
	json_t *rules = rules_json();
	if (!results || !rules)
		goto out;
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(results, result_json(&l->v[i])))
			goto out;
	root = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:O}}, s:O, s:s}]}",
			 "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs",
			 "tool", "driver", "name", "pgadmit", "version",
			 PGADMIT_VERSION, "rules", rules, "results", results,
			 "columnKind", "unicodeCodePoints");
	rc = report_dump_json(out, root);
out:
	json_decref(root);
	json_decref(rules);
	json_decref(results);
	return rc;
}
