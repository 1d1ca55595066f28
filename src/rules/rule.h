/*
 * rule.h — the private interface between the rule engine and the rules.
 *
 * One rule per file (pga101_port_exposed.c, ...), each exporting a
 * `const struct rule rule_pga10x`. The engine (engine.c) owns policy,
 * namespace skips, opt-out annotations and per-object caps; a rule only
 * looks at the object and calls rule_report() for each hit. Paths given to
 * rule_report() are relative to the object (for Compose, to the service);
 * the engine adds the Compose prefix ("services.db.").
 */
#ifndef PGADMIT_RULES_RULE_H
#define PGADMIT_RULES_RULE_H

#include <jansson.h>
#include <stdbool.h>

#include "pgadmit/jsonget.h"
#include "pgadmit/policy.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"

#define RULE_MSG_MAX 120 /* one-line messages and hints are capped here */

struct rule_ctx {
	const struct policy *p;
	const struct object_ref *o;
	const struct rule_meta *meta;
	enum action action;            /* from the policy, never OFF here */
	const struct backup_oracle *oracle;
	struct finding_list *out;
	struct finding_list *deferred; /* may be NULL */
	size_t *nobj;                  /* findings kept for this object */
	bool oom;
};

struct rule {
	enum rule_id id;
	const char *const *kinds; /* NULL-terminated; "ComposeService" too */
	int (*eval)(struct rule_ctx *c); /* 0, or -1 on OOM */
};

extern const struct rule rule_pga101;
extern const struct rule rule_pga102;
extern const struct rule rule_pga103;
extern const struct rule rule_pga104;

/* Kinds that carry a Pod spec (podspec.h), NULL-terminated. */
extern const char *const rule_podspec_kinds[];

/* Report a hit at node (for the line) and path (relative). msg and hint are
 * one line each and must not hold a secret. 0 or -1 (OOM). */
int rule_report(struct rule_ctx *c, const json_t *node, const char *path,
		const char *msg, const char *hint);
/* The same with an explicit action, and to the deferred list when
 * to_deferred (PGA103). */
int rule_report_as(struct rule_ctx *c, enum action a, bool to_deferred,
		   const json_t *node, const char *path, const char *msg,
		   const char *hint);

/* Helpers shared by the rules. */
bool rule_is_compose(const struct rule_ctx *c);
/* obj[key] as a string: json_get_str (pgadmit/jsonget.h). */
/* A port given as an integer or a numeric string; -1 otherwise. */
long long rule_port_number(const json_t *v);
/* Append ".key" or `["key"]` (when key is not a plain identifier). */
void rule_path_key(struct strbuf *sb, const char *key);
/* A Postgres port per rules.md: number in the list, or a name / string
 * targetPort matching the port-name pattern. */
bool rule_is_pg_port_value(const struct policy *p, const json_t *v);
/* Trimmed value is non-empty. */
bool rule_reason_ok(const char *s);

/* Info findings for the object's pgadmit.dev/ annotations (Compose: labels)
 * that have no effect: a rule id or unknown slug in ignore-<slug>, a probe
 * rule, an empty pgadmit.dev/backup, an unknown key (annotations.c).
 * 0 or -1 (OOM). */
int rule_annotation_notes(struct rule_ctx *c);

#endif
