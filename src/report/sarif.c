/*
 * sarif.c — SARIF 2.1.0 for GitHub code scanning: one run, the manifest rules
 * as reportingDescriptors with help text, one result per finding with a
 * physical location (file, startLine). Opt-outs (info findings) are results
 * with an inSource suppression, so code scanning lists them as dismissed.
 */
#include <jansson.h>
#include <pthread.h>
#include <string.h>

#include "pgadmit/policy.h"
#include "writers.h"
#include "pgadmit/strbuf.h"

#define SARIF_SCHEMA                                                           \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"  \
	"sarif-schema-2.1.0.json"
#define FIRST_MANIFEST_RULE R_PGA101
#define LAST_MANIFEST_RULE R_PGA106

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
			      "text", sb_str(&text), "defaultConfiguration",
			      "level", level(m->def_action), "properties",
			      "tags", "security", "postgresql", "precision",
			      "high");
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

/* The descriptors depend on the catalog alone: rendered once per process
 * (the help text was most of a small report's cost) and shared by every
 * report after, read-only (jansson's reference counts are atomic). Kept
 * for the process's life. If that one rendering failed, each report
 * renders its own. */
static json_t *shared_rules;
static pthread_once_t shared_rules_once = PTHREAD_ONCE_INIT;

static void shared_rules_build(void)
{
	shared_rules = rules_json();
}

static json_t *rules_ref(void)
{
	pthread_once(&shared_rules_once, shared_rules_build);
	return shared_rules ? json_incref(shared_rules) : rules_json();
}

/* An honoured opt-out annotation ("PGA101 ignored by annotation: ..."),
 * listed as dismissed; other info findings (an annotation that was not
 * understood) stay open. */
static bool is_optout(const struct finding *f)
{
	return f->action == ACTION_INFO && f->message &&
	       strstr(f->message, " ignored by annotation: ");
}

/* {"artifactLocation":{"uri":...}}; the uri is a percent-encoded relative
 * URI reference (report_uri). New reference or NULL. */
static json_t *artifact_json(const char *file)
{
	struct strbuf uri = STRBUF_INIT;
	report_uri(&uri, file && *file ? file : "-");
	json_t *a = sb_ok(&uri) ? json_pack("{s:{s:s}}", "artifactLocation",
					    "uri", sb_str(&uri))
				: NULL;
	sb_free(&uri);
	return a;
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
	json_t *phys = artifact_json(f->file);
	json_t *region =
		json_pack("{s:i}", "startLine", f->line > 0 ? f->line : 1);
	json_t *res = NULL;
	if (!sb_ok(&text) || !sb_ok(&logical) || !region || !phys ||
	    json_object_set(phys, "region", region))
		goto out;
	res = json_pack(
		"{s:s, s:s, s:{s:s}, s:[{s:O, s:[{s:s, s:s}]}], s:{s:s}}",
		"ruleId", f->rule, "level", level(f->action), "message", "text",
		sb_str(&text), "locations", "physicalLocation", phys,
		"logicalLocations", "fullyQualifiedName", sb_str(&logical),
		"kind", "resource", "partialFingerprints", "pgadmitPath/v1",
		sb_str(&logical));
	/* ruleIndex only for rules of the driver's list */
	if (res && index >= 0 &&
	    json_object_set_new(res, "ruleIndex", json_integer(index))) {
		json_decref(res);
		res = NULL;
	}
	if (res && is_optout(f)) {
		json_t *sup = json_pack("[{s:s, s:s}]", "kind", "inSource",
					"justification",
					f->message ? f->message : "");
		if (!sup || json_object_set_new(res, "suppressions", sup)) {
			json_decref(res);
			res = NULL;
		}
	}
out:
	json_decref(phys);
	json_decref(region);
	sb_free(&text);
	sb_free(&logical);
	return res;
}

/* One toolExecutionNotification per input error (level error), and a
 * warning when findings came from an unnamed standard input. */
static json_t *notifications_json(const struct finding_list *l,
				  const struct report_errors *e)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < e->n; i++) {
		json_t *n = json_pack("{s:s, s:{s:s}}", "level", "error",
				      "message", "text", e->v[i].message);
		json_t *loc = *e->v[i].input && strcmp(e->v[i].input, "-")
				      ? artifact_json(e->v[i].input)
				      : NULL;
		if (n && loc &&
		    json_object_set_new(n, "locations",
					json_pack("[{s:O}]", "physicalLocation",
						  loc)))
			json_decref(n), n = NULL;
		json_decref(loc);
		if (json_array_append_new(arr, n))
			json_decref(arr), arr = NULL;
	}
	bool unnamed = false;
	for (size_t i = 0; i < l->n && !unnamed; i++)
		unnamed = l->v[i].file && strcmp(l->v[i].file, "-") == 0;
	if (arr && unnamed &&
	    json_array_append_new(
		    arr, json_pack("{s:s, s:{s:s}}", "level", "warning",
				   "message", "text",
				   "findings from standard input have no file "
				   "name (uri \"-\"): name it with "
				   "--stdin-name")))
		json_decref(arr), arr = NULL;
	return arr;
}

int report_sarif(FILE *out, const struct finding_list *l,
		 const struct report_summary *s, const struct report_errors *e)
{
	(void)s;
	int rc = -1;
	json_t *results = json_array(), *root = NULL;
	json_t *rules = rules_ref();
	json_t *notes = notifications_json(l, e);
	if (!results || !rules || !notes)
		goto out;
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(results, result_json(&l->v[i])))
			goto out;
	root = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:O}}, "
			 "s:[{s:b, s:O}], s:O, s:s}]}",
			 "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs",
			 "tool", "driver", "name", "pgadmit", "version",
			 PGADMIT_VERSION, "rules", rules, "invocations",
			 "executionSuccessful", e->n == 0,
			 "toolExecutionNotifications", notes, "results",
			 results, "columnKind", "unicodeCodePoints");
	rc = report_dump_json(out, root);
out:
	json_decref(root);
	json_decref(notes);
	json_decref(rules);
	json_decref(results);
	return rc;
}
