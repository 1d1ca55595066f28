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
	enum action action; /* from the policy, never OFF here */
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
extern const struct rule rule_pga105;
extern const struct rule rule_pga106;

/* The kinds that carry a Pod spec (podspec.h), and the Postgres cluster
 * resources (cluster.h) without the Pooler, as the rules' kind lists and
 * rule_podspec_kinds spell them. */
#define RULE_KINDS_PODSPEC                                                     \
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",         \
		"ReplicationController", "Job", "CronJob"
#define RULE_KINDS_CLUSTERS                                                    \
	"Cluster", "postgresql", "PostgresCluster", "PerconaPGCluster"

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

/* ---- PGA105 postgres-trust-auth (pga105_trust_auth.c) ----------------
 * For every place that holds pg_hba.conf lines: a ConfigMap's *hba.conf
 * value (here) and the operators' hba lists (the cluster-resource
 * branches). Lines are read by hba_next_line() and their address judged by
 * the probe's classification (pgadmit/hba.h), as PGA252 judges the live
 * server's rules. */

/* Is this one pg_hba.conf line (no newline needed; a continuation inside
 * is joined) a `trust` line for a non-local address? */
bool pga105_hba_line_is_trust(const char *line, size_t len);
/* Report every such line of text (a pg_hba.conf blob: a ConfigMap value,
 * an operator's conf string) at node/path, the message naming the line
 * number. 0 or -1 (OOM). */
int pga105_judge_hba_text(struct rule_ctx *c, const json_t *node,
			  const char *path, const char *text, size_t len);
/* The same for a JSON array of lines (CloudNativePG spec.postgresql.pg_hba,
 * Zalando spec.patroni.pg_hba, ...): one finding per trust line at
 * "<path>[i]"; non-string elements are skipped. 0 or -1. */
int pga105_judge_hba_list(struct rule_ctx *c, const json_t *arr,
			  const char *path);

/* ---- PGA106 postgres-monitoring-missing (pga106_monitoring_missing.c) --
 * The namespace part of the rule, for any workload whose pods carry
 * pod_labels (a JSON object of strings; NULL or {} matches only empty
 * selectors): when monitored_here (an exporter in its own spec, an
 * operator's monitoring switch) nothing is reported; else the oracle is
 * asked (webhook: FOUND / NOT_FOUND / UNKNOWN capped at warn) or, in a
 * bundle (check, audit), the candidate is deferred to
 * ns_evidence_resolve(); with neither, the finding is reported at once.
 * The finding points at node/path (metadata.name); what names the
 * workload kind in the message. Honours pgadmit.dev/monitoring on the
 * object. 0 or -1 (OOM). */
int pga106_judge(struct rule_ctx *c, const json_t *pod_labels,
		 bool monitored_here, const json_t *node, const char *path);
/* Is image (a full reference) a Postgres exporter: last path component
 * postgres_exporter, postgres-exporter, crunchy-postgres-exporter or one of
 * the policy's postgres.exporterImages? */
bool pga106_is_exporter_image(const struct policy *p, const char *image);

#endif
