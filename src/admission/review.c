/*
 * review.c — AdmissionReview v1 decode, decision and encode (admission.h).
 *
 * The request body is parsed exactly once (jansson, duplicate keys
 * rejected: a review with two "object" or "uid" members could show one value
 * to us and another to the API server). The response is written by hand
 * into a strbuf; the reviewed object is never serialised again.
 *
 * admission_handle() is a pipeline of four steps, each a function below:
 * admission_decode (envelope) -> admission_gates (gates.c: named reasons to
 * allow at once) -> admission_eval (rules_eval_object) -> admission_encode.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/base64.h"
#include "pgadmit/cluster.h"
#include "pgadmit/jsonget.h"
#include "pgadmit/admission.h"
#include "pgadmit/kube.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"

#include "bigstr.h"
#include "review_int.h"

#define STATUS_MESSAGE_MAX 4000
#define AUDIT_VALUE_MAX 1000
#define MAX_WARNINGS 16

static const char *const endpoint_names[] = {"validate", "mutate"};
static const char *const decision_names[] = {"allow", "warn", "deny",
					     "patch", "skip", "error"};

const char *admission_endpoint_name(enum admission_endpoint ep)
{
	return (unsigned)ep < ADMISSION_ENDPOINT_COUNT ? endpoint_names[ep]
						       : "unknown";
}

const char *admission_decision_name(enum admission_decision d)
{
	return (unsigned)d < ADM_DECISION_COUNT ? decision_names[d] : "unknown";
}

void admission_result_free(struct admission_result *r)
{
	free(r->body);
	free(r->uid);
	free(r->kind);
	free(r->ns);
	free(r->name);
	free(r->operation);
	free(r->error);
	free(r->owner);
	json_decref(r->cronjob);
	finding_list_free(&r->findings);
	memset(r, 0, sizeof(*r));
}

static int dup_to(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

static int fail_400(struct admission_result *out, const char *why)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "{\"error\":\"");
	sb_json_escape(&sb, why);
	sb_puts(&sb, "\"}\n");
	out->body_len = sb.len;
	out->body = sb_detach(&sb);
	out->status = 400;
	out->decision = ADM_ERROR;
	if (!out->body || dup_to(&out->error, why))
		return -1;
	return 0;
}

/* The webhook's backup oracle: the Kubernetes cache, with the policy's
 * timeout and TTL. */
struct oracle_ctx {
	struct kube_cache *kube;
	const struct policy *p;
};

static enum backup_state oracle_lookup(void *arg, const char *ns,
				       const char *kind, const char *name,
				       char *why, size_t whylen)
{
	struct oracle_ctx *c = arg;
	if (!c->kube) {
		snprintf(why, whylen, "not running in a cluster");
		return BACKUP_UNKNOWN;
	}
	int ttl = c->p->webhook.cronjob_cache_ttl_s;
	int tmo = c->p->webhook.kube_timeout_ms;
	/* A CloudNativePG Cluster (the one database kind named "Cluster"):
	 * a ScheduledBackup naming it is a backup too (rules.md PGA103);
	 * found in either listing is found, none in both is none, else
	 * unknown (a warning, never a deny). */
	enum kube_lookup sb = KUBE_LOOKUP_NOT_FOUND;
	if (kind && strcmp(kind, "Cluster") == 0) {
		sb = kube_cache_scheduled_backup(c->kube, ns, name, ttl, tmo,
						 why, whylen);
		if (sb == KUBE_LOOKUP_FOUND)
			return BACKUP_FOUND;
	}
	char cwhy[160] = "";
	enum kube_lookup cj = kube_cache_lookup(c->kube, ns, name, ttl, tmo,
						cwhy, sizeof(cwhy));
	if (cj == KUBE_LOOKUP_FOUND)
		return BACKUP_FOUND;
	if (cj == KUBE_LOOKUP_UNKNOWN) {
		snprintf(why, whylen, "%s", cwhy);
		return BACKUP_UNKNOWN;
	}
	return sb == KUBE_LOOKUP_NOT_FOUND ? BACKUP_NOT_FOUND : BACKUP_UNKNOWN;
}

static enum backup_state from_kube(enum kube_lookup l)
{
	return l == KUBE_LOOKUP_FOUND       ? BACKUP_FOUND
	       : l == KUBE_LOOKUP_NOT_FOUND ? BACKUP_NOT_FOUND
					    : BACKUP_UNKNOWN;
}

/* PGA106: the namespace's monitors and exporters (kube_cache_monitoring). */
static enum backup_state oracle_monitoring(void *arg, const char *ns,
					   const json_t *pod_labels, char *why,
					   size_t whylen)
{
	struct oracle_ctx *c = arg;
	if (!c->kube) {
		snprintf(why, whylen, "not running in a cluster");
		return BACKUP_UNKNOWN;
	}
	return from_kube(
		kube_cache_monitoring(c->kube, c->p, ns, pod_labels,
				      c->p->webhook.cronjob_cache_ttl_s,
				      c->p->webhook.kube_timeout_ms, why,
				      whylen));
}

/* PGA105: a ConfigMap loaded with envFrom (kube_cache_configmap_trust). */
static enum backup_state oracle_configmap(void *arg, const char *ns,
					  const char *cm, const char *prefix,
					  char *env, size_t envlen, char *why,
					  size_t whylen)
{
	struct oracle_ctx *c = arg;
	if (!c->kube) {
		snprintf(why, whylen, "not running in a cluster");
		return BACKUP_UNKNOWN;
	}
	return from_kube(
		kube_cache_configmap_trust(c->kube, ns, cm, prefix,
					   c->p->webhook.cronjob_cache_ttl_s,
					   c->p->webhook.kube_timeout_ms, env,
					   envlen, why, whylen));
}

static void put_response_head(struct strbuf *sb, const char *uid, bool allowed)
{
	sb_puts(sb, "{\"apiVersion\":\"admission.k8s.io/v1\","
		    "\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"");
	sb_json_escape(sb, uid);
	sb_puts(sb, allowed ? "\",\"allowed\":true" : "\",\"allowed\":false");
}

static int finish(struct strbuf *sb, struct admission_result *out)
{
	sb_puts(sb, "}}\n");
	out->body_len = sb->len;
	out->body = sb_detach(sb);
	out->status = 200;
	return out->body ? 0 : -1;
}

static void encode_validate(struct strbuf *sb, const struct admission_result *r,
			    const char *uid)
{
	const struct finding_list *l = &r->findings;
	size_t ndeny = 0, nwarn = 0;
	for (size_t i = 0; i < l->n; i++) {
		ndeny += l->v[i].action == ACTION_DENY;
		nwarn += l->v[i].action == ACTION_WARN;
	}
	put_response_head(sb, uid, ndeny == 0);
	if (ndeny) {
		struct strbuf m = STRBUF_INIT;
		sb_printf(&m, "pgadmit denied %s %s%s%s: ",
			  r->kind ? r->kind : "object", r->ns ? r->ns : "",
			  r->ns ? "/" : "", r->name ? r->name : "");
		size_t shown = 0;
		for (size_t i = 0; i < l->n; i++) {
			const struct finding *f = &l->v[i];
			if (f->action != ACTION_DENY)
				continue;
			if (m.len > STATUS_MESSAGE_MAX) {
				sb_printf(&m, " (and %zu more)", ndeny - shown);
				break;
			}
			sb_printf(&m, "%s[%s %s] %s: %s", shown ? "; " : "",
				  f->rule, f->slug ? f->slug : "",
				  f->path ? f->path : "",
				  f->message ? f->message : "");
			if (f->hint && *f->hint)
				sb_printf(&m, " Fix: %s", f->hint);
			shown++;
		}
		sb_puts(sb,
			",\"status\":{\"code\":403,\"reason\":\"Forbidden\","
			"\"message\":\"");
		sb_json_escape(sb, sb_str(&m));
		sb_puts(sb, "\"}");
		sb_free(&m);
	}
	if (nwarn) {
		sb_puts(sb, ",\"warnings\":[");
		/* At most MAX_WARNINGS lines: past that, the last one says how
		 * many were left out, so a capped list never looks complete. */
		size_t k = 0, shown_max = nwarn > MAX_WARNINGS
						  ? MAX_WARNINGS - 1
						  : MAX_WARNINGS;
		for (size_t i = 0; i < l->n && k < shown_max; i++) {
			const struct finding *f = &l->v[i];
			if (f->action != ACTION_WARN)
				continue;
			struct strbuf line = STRBUF_INIT, w = STRBUF_INIT;
			sb_printf(&line, "%s %s: %s", f->rule,
				  f->path ? f->path : "",
				  f->message ? f->message : "");
			admission_warning_text(&w, sb_str(&line));
			sb_puts(sb, k++ ? ",\"" : "\"");
			sb_json_escape(sb, sb_str(&w));
			sb_putc(sb, '"');
			sb_free(&line);
			sb_free(&w);
		}
		if (nwarn > k)
			sb_printf(sb,
				  ",\"+%zu more warnings (all findings: "
				  "audit annotations, or pgadmit check)\"",
				  nwarn - k);
		sb_putc(sb, ']');
	}
	/*
	 * Audit annotation keys: the API server stores them as
	 * "<webhook name>/<key>" and rejects keys that are not a qualified
	 * name, so the key is the bare rule id ("PGA101") and the webhook's
	 * name (e.g. validate.pgadmit.dev) supplies the prefix.
	 */
	if (l->n) {
		sb_puts(sb, ",\"auditAnnotations\":{");
		size_t i = 0, groups = 0;
		while (i < l->n) {
			size_t j = i, more = 0;
			struct strbuf v = STRBUF_INIT;
			for (; j < l->n &&
			       strcmp(l->v[j].rule, l->v[i].rule) == 0;
			     j++) {
				if (v.len > AUDIT_VALUE_MAX) {
					more++; /* capped: counted below */
					continue;
				}
				sb_printf(&v, "%s%s %s", j > i ? "; " : "",
					  action_name(l->v[j].action),
					  l->v[j].path ? l->v[j].path : "");
			}
			if (more)
				sb_printf(&v, "; +%zu more", more);
			sb_puts(sb, groups++ ? ",\"" : "\"");
			sb_json_escape(sb, l->v[i].rule);
			sb_puts(sb, "\":\"");
			sb_json_escape(sb, sb_str(&v));
			sb_putc(sb, '"');
			sb_free(&v);
			i = j;
		}
		sb_putc(sb, '}');
	}
}

/* Returns the decision. The annotation lives under metadata.annotations. */
static int encode_mutate(struct strbuf *sb, const struct admission_result *r,
			 const char *uid, const json_t *obj,
			 enum admission_decision *dec)
{
	struct strbuf val = STRBUF_INIT, patch = STRBUF_INIT;
	int rc = -1;
	if (admission_findings_annotation(&r->findings, &val))
		goto out;
	const json_t *meta = json_object_get(obj, "metadata");
	const json_t *ann = json_object_get(meta, "annotations");
	const char *cur = json_get_str(ann, ADMISSION_FINDINGS_ANNOTATION);
	put_response_head(sb, uid, true);
	*dec = ADM_ALLOW;
	if (val.len == 0) {
		/* No finding. A stale annotation from an earlier version of
		 * the object would claim findings that were fixed: drop it. */
		if (cur) {
			sb_puts(&patch,
				"[{\"op\":\"remove\",\"path\":\"/metadata/"
				"annotations/");
			admission_pointer_escape(&patch,
						 ADMISSION_FINDINGS_ANNOTATION);
			sb_puts(&patch, "\"}]");
		}
	} else if (cur && strcmp(cur, sb_str(&val)) == 0) {
		/* already there: idempotent, no patch */
	} else if (json_is_object(ann)) {
		sb_puts(&patch,
			"[{\"op\":\"add\",\"path\":\"/metadata/annotations/");
		admission_pointer_escape(&patch, ADMISSION_FINDINGS_ANNOTATION);
		sb_puts(&patch, "\",\"value\":\"");
		sb_json_escape(&patch, sb_str(&val));
		sb_puts(&patch, "\"}]");
	} else {
		/* "add" of the whole map: creates annotations (or replaces a
		 * null value). metadata itself is always present on a real
		 * object; create it too if not. */
		if (json_is_object(meta))
			sb_puts(&patch, "[{\"op\":\"add\",\"path\":\"/metadata/"
					"annotations\",\"value\":{\"");
		else
			sb_puts(&patch,
				"[{\"op\":\"add\",\"path\":\"/metadata\","
				"\"value\":{\"annotations\":{\"");
		sb_json_escape(&patch, ADMISSION_FINDINGS_ANNOTATION);
		sb_puts(&patch, "\":\"");
		sb_json_escape(&patch, sb_str(&val));
		sb_puts(&patch, json_is_object(meta) ? "\"}}]" : "\"}}}]");
	}
	if (patch.len) {
		sb_puts(sb, ",\"patchType\":\"JSONPatch\",\"patch\":\"");
		base64_append(sb, (const unsigned char *)patch.buf, patch.len);
		sb_putc(sb, '"');
		*dec = ADM_PATCH;
	}
	rc = sb_ok(&patch) && sb_ok(&val) ? 0 : -1;
out:
	sb_free(&val);
	sb_free(&patch);
	return rc;
}

/* ---- the pipeline: decode -> gates -> evaluate -> encode ---------------- */

/* "apps/v1" -> "apps"; "v1" -> "". Writes into buf. */
static const char *group_of(const char *api_version, char *buf, size_t n)
{
	if (!api_version)
		return NULL;
	const char *slash = strchr(api_version, '/');
	size_t len = slash ? (size_t)(slash - api_version) : 0;
	if (len >= n)
		len = n - 1;
	memcpy(buf, api_version, len);
	buf[len] = '\0';
	return buf;
}

/* Step 1: parse and check the envelope. 0 decoded; 1 refused (out holds the
 * 400 answer); -1 out of memory. */
static int admission_decode(const char *body, size_t len,
			    struct admission_request *rq,
			    struct admission_result *out)
{
	json_error_t jerr;
	bool nomem = false;
	json_t *root =
		bigstr_parse(body, len, JSON_REJECT_DUPLICATES, &jerr, &nomem);
	if (nomem)
		return -1;
	rq->root = root;
	if (!root) {
		char why[300];
		snprintf(why, sizeof(why),
			 "malformed JSON at line %d, column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return fail_400(out, why) ? -1 : 1;
	}
	const char *why = NULL;
	const char *api = json_get_str(root, "apiVersion"),
		   *kind = json_get_str(root, "kind");
	const json_t *req = json_object_get(root, "request");
	const char *uid = json_get_str(req, "uid");
	const json_t *obj = json_object_get(req, "object");
	if (!json_is_object(root))
		why = "not an AdmissionReview: the body is not a JSON object";
	else if (!kind || strcmp(kind, "AdmissionReview") != 0)
		why = "not an AdmissionReview: kind must be \"AdmissionReview\"";
	else if (!api || strcmp(api, "admission.k8s.io/v1") != 0)
		why = "unsupported apiVersion: expected \"admission.k8s.io/v1\" "
		      "(set admissionReviewVersions: [v1])";
	else if (!json_is_object(req))
		why = "not an AdmissionReview: request is missing";
	else if (!uid || !*uid)
		why = "request.uid is missing";
	else if (obj && !json_is_object(obj) && !json_is_null(obj))
		why = "request.object is not a JSON object";
	if (why)
		return fail_400(out, why) ? -1 : 1;

	rq->uid = uid;
	rq->obj = json_is_null(obj) ? NULL : obj;
	const json_t *rkind = json_object_get(req, "kind");
	rq->kind = json_get_str(rkind, "kind");
	rq->group = json_get_str(rkind, "group");
	if (!rq->kind && rq->obj) {
		rq->kind = json_get_str(rq->obj, "kind");
		rq->group = group_of(json_get_str(rq->obj, "apiVersion"),
				     rq->gb, sizeof(rq->gb));
	}
	rq->meta = json_object_get(rq->obj, "metadata");
	rq->ns = json_get_str(req, "namespace");
	if (!rq->ns || !*rq->ns)
		rq->ns = json_get_str(rq->meta, "namespace");
	rq->name = json_get_str(rq->meta, "name");
	if (!rq->name || !*rq->name)
		rq->name = json_get_str(rq->meta, "generateName");
	if (!rq->name || !*rq->name)
		rq->name = json_get_str(req, "name");
	rq->op = json_get_str(req, "operation");
	rq->sub = json_get_str(req, "subResource");
	rq->dry_run = json_is_true(json_object_get(req, "dryRun"));
	out->dry_run = rq->dry_run;
	if (dup_to(&out->uid, rq->uid) || dup_to(&out->kind, rq->kind) ||
	    dup_to(&out->ns, rq->ns) || dup_to(&out->name, rq->name) ||
	    dup_to(&out->operation, rq->op))
		return -1;
	return 0;
}

/* Step 3: the rules, with the Kubernetes cache as backup oracle. The
 * engine emits no finding for a rule that is off, and the oracle never
 * defers: deferred is empty and dropped. */
static int admission_eval(const struct admission_env *env,
			  const struct admission_request *rq,
			  struct admission_result *out)
{
	struct finding_list deferred;
	finding_list_init(&deferred);
	struct oracle_ctx octx = {env->kube, env->policy};
	struct backup_oracle oracle = {.lookup = oracle_lookup,
				       .arg = &octx,
				       .monitoring = oracle_monitoring,
				       .configmap_trust = oracle_configmap};
	struct object_ref o = {
		.obj = rq->obj,
		.kind = rq->kind,
		.ns = rq->ns,
		.name = rq->name,
		.file = NULL,
		.document = 0,
		.doc = NULL,
		.path_prefix = NULL,
	};
	int rc = rules_eval_object(env->policy, &o, &oracle, &out->findings,
				   &deferred);
	finding_list_free(&deferred);
	finding_list_sort(&out->findings); /* by rule, then path */
	return rc;
}

/* PGA103: a CronJob admitted for real counts as evidence for its namespace
 * from now on. Only the last word (/validate, allowed), never for dryRun.
 * The server notes it (admission_result.cronjob); this module stays pure. */
static void admission_mark_note(const struct admission_request *rq,
				struct admission_result *out)
{
	if (out->decision != ADM_DENY && !out->dry_run &&
	    strcmp(rq->kind, "CronJob") == 0 &&
	    (!rq->op || strcmp(rq->op, "CREATE") == 0 ||
	     strcmp(rq->op, "UPDATE") == 0))
		out->cronjob = json_incref((json_t *)rq->obj);
}

/* Step 4: the answer. */
static int admission_encode(enum admission_endpoint ep,
			    const struct admission_request *rq,
			    struct strbuf *sb, struct admission_result *out)
{
	if (out->decision == ADM_SKIP) {
		put_response_head(sb, rq->uid, true);
	} else if (ep == ADMISSION_MUTATE) {
		if (encode_mutate(sb, out, rq->uid, rq->obj, &out->decision))
			return -1;
	} else {
		encode_validate(sb, out, rq->uid);
		size_t counts[5] = {0};
		finding_list_count(&out->findings, counts);
		out->decision = counts[ACTION_DENY]   ? ADM_DENY
				: counts[ACTION_WARN] ? ADM_WARN
						      : ADM_ALLOW;
		admission_mark_note(rq, out);
	}
	return finish(sb, out);
}

int admission_handle(const struct admission_env *env,
		     enum admission_endpoint ep, const char *body, size_t len,
		     struct admission_result *out)
{
	struct admission_request rq;
	struct strbuf sb = STRBUF_INIT;
	memset(&rq, 0, sizeof(rq));
	memset(out, 0, sizeof(*out));
	finding_list_init(&out->findings);

	int rc = admission_decode(body, len, &rq, out);
	if (rc == 0) {
		out->skip = admission_gates(env, &rq);
		if (out->skip != ADM_SKIP_NONE)
			out->decision = ADM_SKIP;
		else if (admission_eval(env, &rq, out))
			rc = -1;
		if (out->skip == ADM_SKIP_OPERATOR_CHILD) {
			/* for the info log line: who judges it */
			char owner[256];
			cluster_child_owner(rq.kind, rq.obj, owner,
					    sizeof(owner));
			if (dup_to(&out->owner, owner))
				rc = -1;
		}
		if (rc == 0)
			rc = admission_encode(ep, &rq, &sb, out);
	} else if (rc > 0) {
		rc = 0; /* the 400 answer is in out */
	}
	sb_free(&sb);
	json_decref(rq.root);
	return rc;
}
