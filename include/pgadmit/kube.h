/*
 * kube.h — the Kubernetes API as PGA103 needs it: which CronJobs a namespace
 * has, asked with the pod's service account and cached briefly.
 *
 * kube_client: in-cluster configuration (KUBERNETES_SERVICE_HOST/PORT, the
 * service-account token and ca.crt) and one call, listing a namespace's
 * CronJobs with libcurl (paged with limit/continue, body capped, timeouts).
 * The token file is re-read when it changes on disk and after a 401.
 * Test overrides: PGADMIT_KUBE_API_URL (base URL) and PGADMIT_KUBE_SA_DIR
 * (directory holding token and ca.crt).
 *
 * kube_cache: one view of CronJobs per namespace, fresh for the policy's
 * TTL, bounded in entries, safe for concurrent use; one fetch per namespace
 * at a time (others wait, bounded by the timeout). A failed fetch is
 * remembered for a few seconds so that an unreachable API does not slow down
 * every request. kube_cache_lookup() is the webhook's backup oracle: FOUND,
 * NOT_FOUND or UNKNOWN (enum kube_lookup) with a reason; it never blocks
 * longer than the timeout. This header uses no rule's types (the cache's
 * .c files fill PGA103's backup index; src/admission maps enum kube_lookup
 * to the rule's enum backup_state); CronJobs are handed out as JSON items.
 *
 * Generic calls (request.c) for `pgadmit audit` and PolicyReports: any
 * method with a JSON body, LIST with paging, typed errors (kube_rc) whose
 * message is the API's own Status message (it names a missing permission).
 * A client also comes from a kubeconfig (kubeconfig.c): CA file or data,
 * client certificate/key files or data, token or tokenFile.
 *
 * Callers: src/admission (lookup), src/server (note, after the decision;
 * life cycle), cmd (life cycle), src/audit (generic calls: audit and the
 * probe's PolicyReports), src/certgen (Secret and caBundle calls,
 * kube_request_ct). The one Kubernetes client of pgadmit; tokens and key
 * data are wiped with OPENSSL_cleanse.
 * Call curl_global_init() (kube_global_init()) before starting threads.
 */
#ifndef PGADMIT_KUBE_H
#define PGADMIT_KUBE_H

#include <jansson.h>
#include <stddef.h>

#include "pgadmit/err.h"

struct kube_client;
struct kube_cache;

/* curl_global_init once, before any thread starts. 0 or -1. */
PGADMIT_MUST_CHECK int kube_global_init(void);
void kube_global_cleanup(void);

/* From the environment (see above). Returns NULL with err when not running
 * in a cluster ("not running in a cluster") or when the configuration is
 * unusable. Caller frees. */
PGADMIT_MUST_CHECK
struct kube_client *kube_client_from_env(struct err *err);
void kube_client_free(struct kube_client *c);
const char *kube_client_url(const struct kube_client *c);

/* Called with each item of each page (borrowed; json_incref to keep).
 * Non-zero stops the listing (kube_list returns KUBE_STOPPED; the CronJob
 * calls below fail with "out of memory": their callbacks only allocate). */
typedef int (*kube_item_fn)(json_t *item, void *arg);

/* One page of a CronJobList (the JSON body the API answered): fn gets each
 * item, *cont the continue token (NULL on the last page; caller frees).
 * 0, or -1 with err (not a list; fn failed or no memory: ERR_NOMEM). */
PGADMIT_MUST_CHECK
int kube_parse_cronjob_page(const char *buf, size_t len, kube_item_fn fn,
			    void *arg, char **cont, struct err *err);
/* List the CronJobs of namespace ns, each item to fn. timeout_ms bounds
 * the whole call, every page included. Uses the client's connection when
 * no other call holds it, else a handle of its own (lookups of different
 * namespaces run in parallel). 0, or -1 with a short reason and kind in err
 * (no secret in it). */
PGADMIT_MUST_CHECK
int kube_list_cronjobs(struct kube_client *c, const char *ns, int timeout_ms,
		       kube_item_fn fn, void *arg, struct err *err);

/* ---- generic client (request.c, kubeconfig.c) ---- */

/* From a kubeconfig file (current context). NULL with err. */
PGADMIT_MUST_CHECK
struct kube_client *kube_client_from_kubeconfig(const char *path,
						struct err *err);
/* kubeconfig if given; else in-cluster (KUBERNETES_SERVICE_HOST or
 * PGADMIT_KUBE_API_URL); else $KUBECONFIG (first file); else
 * ~/.kube/config. NULL with err. */
PGADMIT_MUST_CHECK
struct kube_client *kube_client_load(const char *kubeconfig, struct err *err);
/* "in-cluster service account" or the kubeconfig's path. */
const char *kube_client_source(const struct kube_client *c);
/* Requests made through kube_request/kube_list so far. */
unsigned long kube_client_requests(const struct kube_client *c);

/* What a call did, in HTTP terms: callers branch on these (404 absent,
 * 409 create-then-patch, 410 restart a listing, STOPPED by the callback),
 * so they stay beside err.kind, which every failing call also sets
 * (kube_status_kind for HTTP errors; TRANSPORT is ERR_TIMEOUT or
 * ERR_UNAVAILABLE; OOM is ERR_NOMEM; INVALID is ERR_INVALID). */
enum kube_rc {
	KUBE_OK = 0,
	KUBE_NOT_FOUND,    /* 404 */
	KUBE_FORBIDDEN,    /* 403: RBAC */
	KUBE_UNAUTHORIZED, /* 401 after a token re-read */
	KUBE_CONFLICT,     /* 409: resourceVersion changed, or exists */
	KUBE_GONE,         /* 410: continue token expired */
	KUBE_HTTP,         /* any other non-2xx */
	KUBE_TRANSPORT,    /* connect, TLS, timeout, connection broke */
	KUBE_INVALID,      /* answer too large or not the expected JSON */
	KUBE_OOM,
	KUBE_STOPPED, /* kube_list: the callback asked to stop */
};

/* The err kind of a non-2xx HTTP status: 401/403 DENIED, 404 NOTFOUND,
 * 409/410 CONFLICT, 408/504 TIMEOUT, 429/5xx UNAVAILABLE, else INVALID. */
enum err_kind kube_status_kind(long code);

#define KUBE_BODY_MAX (64u << 20)

struct kube_reply {
	long status; /* HTTP status, 0 on transport errors */
	char *body;  /* NUL-terminated; kube_reply_free() */
	size_t len;
};
void kube_reply_free(struct kube_reply *r);

/* method "GET"/"PUT"/"POST"/"DELETE"; path "/api/v1/namespaces" (query
 * allowed); body JSON or NULL. The reply is filled even on HTTP errors.
 * err says "METHOD PATH: HTTP 403: <the API's message>". */
PGADMIT_MUST_CHECK
enum kube_rc kube_request(struct kube_client *c, const char *method,
			  const char *path, const char *body, size_t blen,
			  int timeout_ms, struct kube_reply *r,
			  struct err *err);

/* kube_request with another Content-Type for the body (NULL:
 * application/json), e.g. "application/merge-patch+json" or
 * "application/json-patch+json" for PATCH. */
PGADMIT_MUST_CHECK
enum kube_rc kube_request_ct(struct kube_client *c, const char *method,
			     const char *path, const char *ctype,
			     const char *body, size_t blen, int timeout_ms,
			     struct kube_reply *r, struct err *err);

/* GET path page by page (limit, continue) until the last page. timeout_ms
 * bounds each page; body_max caps one page (0: KUBE_BODY_MAX). Anything but
 * KUBE_OK means the listing is incomplete. */
PGADMIT_MUST_CHECK
enum kube_rc kube_list(struct kube_client *c, const char *path, unsigned limit,
		       int timeout_ms, size_t body_max, kube_item_fn fn,
		       void *arg, struct err *err);

#define KUBE_CACHE_MAX_ENTRIES 1024
#define KUBE_CACHE_FAIL_TTL_MS 5000

/* client may be NULL (not in a cluster): lookups answer UNKNOWN with
 * unknown_why. Takes ownership of client. */
PGADMIT_MUST_CHECK
struct kube_cache *kube_cache_new(struct kube_client *client,
				  const char *unknown_why, size_t max_entries);
void kube_cache_free(struct kube_cache *kc);

/* What a lookup knows (neutral; src/admission maps it to PGA103's
 * enum backup_state). */
enum kube_lookup {
	KUBE_LOOKUP_UNKNOWN,   /* the API could not be asked or failed */
	KUBE_LOOKUP_FOUND,     /* a CronJob names the workload */
	KUBE_LOOKUP_NOT_FOUND, /* listed, and none does */
};

/* Is there backup evidence for workload name in ns? ttl_s: cache TTL;
 * timeout_ms: API timeout. why gets a reason for UNKNOWN. */
enum kube_lookup kube_cache_lookup(struct kube_cache *kc, const char *ns,
				   const char *name, int ttl_s, int timeout_ms,
				   char *why, size_t whylen);
/* A CronJob just admitted (not dryRun): count it in ns's view. Called by
 * the server after the decision (admission_result.cronjob), never from
 * src/admission, whose decision stays pure. */
void kube_cache_note_cronjob(struct kube_cache *kc, const char *ns,
			     const json_t *cronjob);

/* Counters for /metrics. */
struct kube_stats {
	unsigned long long fetch_ok, fetch_fail, hits;
};
void kube_cache_stats(struct kube_cache *kc, struct kube_stats *st);

/* ---- PGA105/PGA106 namespace evidence (nscache.c) ---------------- */
struct policy;
/* PGA106: is a workload whose pods carry pod_labels (a JSON object) in ns
 * monitored — an exporter Deployment/StatefulSet (p's exporter images), a
 * PodMonitor or GKE PodMonitoring selecting the labels, a ServiceMonitor
 * selecting a Service that selects them? The namespace's deployments,
 * statefulsets, services, podmonitors, servicemonitors and podmonitorings
 * are listed once per ttl_s (a monitoring CRD that is not installed counts
 * as none); same waiting, timeout and failure memory as kube_cache_lookup.
 * why gets a reason for UNKNOWN. */
enum kube_lookup kube_cache_monitoring(struct kube_cache *kc,
				       const struct policy *p, const char *ns,
				       const json_t *pod_labels, int ttl_s,
				       int timeout_ms, char *why,
				       size_t whylen);
/* PGA103 for a CloudNativePG Cluster: does a ScheduledBackup of ns that
 * is not suspended name cluster in spec.cluster.name? The namespace's
 * postgresql.cnpg.io/v1 scheduledbackups are listed once per ttl_s (the
 * CRD not installed, 404, counts as none); same waiting, timeout and
 * failure memory as kube_cache_lookup. why gets a reason for UNKNOWN. */
enum kube_lookup kube_cache_scheduled_backup(struct kube_cache *kc,
					     const char *ns,
					     const char *cluster, int ttl_s,
					     int timeout_ms, char *why,
					     size_t whylen);
/* PGA105: ConfigMap cm of ns (one GET, remembered ttl_s), loaded with
 * envFrom and prefix (NULL none): FOUND when it sets
 * POSTGRES_HOST_AUTH_METHOD=trust or ALLOW_EMPTY_PASSWORD=yes (the
 * variable into env); NOT_FOUND when it does not or does not exist;
 * UNKNOWN with why. */
enum kube_lookup kube_cache_configmap_trust(struct kube_cache *kc,
					    const char *ns, const char *cm,
					    const char *prefix, int ttl_s,
					    int timeout_ms, char *env,
					    size_t envlen, char *why,
					    size_t whylen);

/* Counters of the namespace evidence cache for /metrics, per evidence:
 * hits (answered from a cached listing or GET), misses (the API was
 * asked), errors (of those, the ones that failed). */
enum kube_ns_evidence {
	KUBE_NS_MONITORING,        /* PGA106 listings */
	KUBE_NS_SCHEDULED_BACKUPS, /* PGA103 ScheduledBackup listings */
	KUBE_NS_CONFIGMAPS,        /* PGA105 ConfigMap GETs */
	KUBE_NS_EVIDENCE_N
};
struct kube_ns_stats {
	unsigned long long hits[KUBE_NS_EVIDENCE_N];
	unsigned long long misses[KUBE_NS_EVIDENCE_N];
	unsigned long long errors[KUBE_NS_EVIDENCE_N];
};
/* kc NULL: all zero. */
void kube_ns_cache_stats(struct kube_cache *kc, struct kube_ns_stats *st);
/* "monitoring", "scheduledbackups", "configmaps" (the metrics' label). */
const char *kube_ns_evidence_name(enum kube_ns_evidence e);

#endif
