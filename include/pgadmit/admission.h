/*
 * admission.h — AdmissionReview v1 in, AdmissionReview out (the webhook's
 * decision logic, without any network).
 *
 * admission_handle() takes the raw request body and returns the response
 * body and HTTP status. It decodes the review once with jansson (duplicate
 * keys rejected), runs a table of named gates that allow a review at once
 * without judging it (enum admission_skip: DELETE/CONNECT, oldObject-only
 * requests, the status subresource, objects being deleted, kinds no rule
 * reads, skipped namespaces, Pods or ReplicaSets owned by a built-in
 * workload controller), runs the rule engine, and encodes:
 *   /validate  allowed, status.code 403 + status.message with the deny
 *              findings, warnings (< 120 bytes each), auditAnnotations;
 *   /mutate    allowed, a base64 JSONPatch setting the annotation
 *              pgadmit.dev/findings (compact JSON array of {rule,path},
 *              sorted, no timestamps; no patch when it is already there).
 * It never re-serialises the reviewed object. Pure: the same input and
 * policy give the same bytes, and nothing is written anywhere; the one side
 * effect a review implies (noting an admitted CronJob for PGA103) is handed
 * to the caller in admission_result.cronjob.
 *
 * Callers: src/server (one call per HTTP request, any thread), the unit
 * tests and the fuzzer.
 */
#ifndef PGADMIT_ADMISSION_H
#define PGADMIT_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/finding.h"
#include "pgadmit/policy.h"
#include "pgadmit/err.h"

struct kube_cache;
struct json_t; /* jansson's json_t, for admission_result.cronjob */

enum admission_endpoint {
	ADMISSION_VALIDATE,
	ADMISSION_MUTATE,
	ADMISSION_ENDPOINT_COUNT
};

/* What happened to one review (metrics label "decision"). */
enum admission_decision {
	ADM_ALLOW, /* judged, no finding that matters to this endpoint */
	ADM_WARN,  /* /validate: allowed with warnings */
	ADM_DENY,  /* /validate: refused */
	ADM_PATCH, /* /mutate: allowed with a patch */
	ADM_SKIP,  /* allowed at once without judging */
	ADM_ERROR, /* 4xx: not an AdmissionReview */
	ADM_DECISION_COUNT
};

/* Why a review was allowed at once (ADM_SKIP): the gate that held. Names
 * (admission_skip_name) are the "reason" of the debug log line and the
 * label of pgadmit_admission_skipped_total. */
enum admission_skip {
	ADM_SKIP_NONE,      /* judged */
	ADM_SKIP_OPERATION, /* DELETE or CONNECT */
	ADM_SKIP_NO_OBJECT, /* no request.object (or no kind to judge it by) */
	ADM_SKIP_STATUS,    /* the status subresource */
	ADM_SKIP_DELETING,  /* metadata.deletionTimestamp set */
	ADM_SKIP_KIND, /* a kind no rule reads, or from another API group */
	ADM_SKIP_NAMESPACE,      /* policy skipNamespaces */
	ADM_SKIP_OWNED,          /* Pod/ReplicaSet of a built-in controller */
	ADM_SKIP_OPERATOR_CHILD, /* made by a Postgres operator for a cluster
				  * resource: judged there (info log) */
	ADM_SKIP_COUNT
};

const char *admission_endpoint_name(enum admission_endpoint ep);
const char *admission_decision_name(enum admission_decision d);
const char *admission_skip_name(enum admission_skip s);

/* Read-only inputs shared by concurrent calls (all borrowed). */
struct admission_env {
	const struct policy *policy;
	/* PGA103: namespace CronJob views from the Kubernetes API. NULL means
	 * "not running in a cluster": PGA103 candidates become a warning that
	 * backups could not be verified. */
	struct kube_cache *kube;
};

struct admission_result {
	int status; /* HTTP status: 200, or 400 for a bad review */
	char *body; /* JSON response (owned; admission_result_free) */
	size_t body_len;
	enum admission_decision decision;
	enum admission_skip skip; /* with ADM_SKIP: the gate that held */
	bool dry_run;
	/* For logs (owned, may be NULL): request fields and the error text. */
	char *uid, *kind, *ns, *name, *operation, *error;
	/* ADM_SKIP_OPERATOR_CHILD: the owning cluster resource, e.g.
	 * "postgresql.cnpg.io/Cluster pg-main" (owned, else NULL). */
	char *owner;
	/* Findings kept for logs and metrics (owned). */
	struct finding_list findings;
	/* PGA103 side effect for the caller: a CronJob admitted for real
	 * (/validate, not denied, not dryRun, CREATE/UPDATE) that the server
	 * notes in its Kubernetes cache (kube_cache_note_cronjob) after the
	 * decision. A reference (owned, NULL when there is nothing to note). */
	struct json_t *cronjob;
};

/*
 * Handle one AdmissionReview. Always fills out (status, body) unless it
 * returns -1 (out of memory), in which case out holds nothing to send and
 * the caller answers 500. Caller frees out with admission_result_free().
 */
PGADMIT_MUST_CHECK
int admission_handle(const struct admission_env *env,
		     enum admission_endpoint ep, const char *body, size_t len,
		     struct admission_result *out);
void admission_result_free(struct admission_result *r);

/* --- building blocks, exported for tests -------------------------------- */

/* Append s escaped as an RFC 6901 JSON Pointer token (~ -> ~0, / -> ~1). */
struct strbuf;
void admission_pointer_escape(struct strbuf *sb, const char *s);
/* The pgadmit.dev/findings annotation value for a finding list: compact JSON
 * array of {"rule","path"} over all non-off findings, sorted by rule then
 * path, duplicates removed. "" (empty) when there is none. */
PGADMIT_MUST_CHECK
int admission_findings_annotation(const struct finding_list *l,
				  struct strbuf *out);
/* A warning line of at most ADMISSION_WARNING_MAX bytes (UTF-8 safe, "…"
 * when cut, control characters replaced by spaces). */
#define ADMISSION_WARNING_MAX 119
void admission_warning_text(struct strbuf *sb, const char *text);

#define ADMISSION_FINDINGS_ANNOTATION "pgadmit.dev/findings"

#endif
