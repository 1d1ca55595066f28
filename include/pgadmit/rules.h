/*
 * rules.h — the manifest rule engine (PGA101–PGA106).
 *
 * One rule per file under src/rules/ (pga101_port_exposed.c, ...), all behind
 * struct rule. The engine applies the policy (actions, skipped namespaces)
 * and the per-object opt-out annotation pgadmit.dev/ignore-<slug>: "<reason>"
 * (reported as an info finding), then calls each rule that looks at the
 * object's kind. Callers: src/check (files, one bundle) and src/admission
 * (the webhook, one object at a time).
 *
 * PGA103 needs to know whether a namespace has a backup CronJob. The caller
 * says how with a backup oracle: the webhook asks the Kubernetes API (cached),
 * check defers the decision to the end of the bundle (backup_index).
 */
#ifndef PGADMIT_RULES_H
#define PGADMIT_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/finding.h"
#include "pgadmit/manifest.h"
#include "pgadmit/policy.h"
#include "pgadmit/err.h"

/* One object to judge. All pointers borrowed for the duration of the call. */
struct object_ref {
	const json_t *obj; /* the Kubernetes object, or a Compose service map */
	const char *kind;  /* "Deployment"...; "ComposeService" for Compose */
	const char *ns;    /* metadata.namespace or NULL */
	const char *name;  /* metadata.name (or the Compose service name) */
	const char *file;  /* NULL in the webhook */
	int document;
	const struct manifest_doc *doc; /* for source lines; may be NULL */
	/* Compose only: the JSON path prefix of the service
	 * ("services.db") and the file's top-level tree. */
	const char *path_prefix;
};

enum backup_state {
	BACKUP_FOUND,
	BACKUP_NOT_FOUND,
	BACKUP_UNKNOWN, /* could not ask (API down): warn "could not verify" */
	BACKUP_DEFER,   /* decide later (check: end of bundle) */
};

struct ns_evidence;

struct backup_oracle {
	/* Is there a backup for workload (kind, name) in namespace ns (NULL =
	 * no namespace)? why/whylen receive a short reason for UNKNOWN. */
	enum backup_state (*lookup)(void *arg, const char *ns, const char *kind,
				    const char *name, char *why, size_t whylen);
	void *arg;
	/* PGA105/PGA106, bundle mode (check, audit): the bundle's evidence;
	 * candidates go to deferred and ns_evidence_resolve() judges them at
	 * the end. NULL in the webhook. */
	struct ns_evidence *bundle;
	/* PGA106, webhook: is a workload whose pods carry pod_labels
	 * monitored in ns? FOUND, NOT_FOUND or UNKNOWN (why filled). */
	enum backup_state (*monitoring)(void *arg, const char *ns,
					const json_t *pod_labels, char *why,
					size_t whylen);
	/* PGA105, webhook: does ConfigMap cm of ns, loaded with envFrom and
	 * prefix (NULL: none), set POSTGRES_HOST_AUTH_METHOD=trust or
	 * ALLOW_EMPTY_PASSWORD=yes? FOUND with the variable's name in env,
	 * NOT_FOUND (no such key, or no such ConfigMap), UNKNOWN (why). */
	enum backup_state (*configmap_trust)(void *arg, const char *ns,
					     const char *cm, const char *prefix,
					     char *env, size_t envlen,
					     char *why, size_t whylen);
};

/*
 * Evaluate every enabled manifest rule on one object; findings are appended
 * to out. With oracle == NULL (or an oracle answering BACKUP_DEFER), PGA103
 * candidates are appended to deferred instead (a finding with everything
 * filled in), to be resolved with backup_index_resolve(). deferred may be NULL
 * when oracle is non-NULL. Returns 0, or -1 on OOM.
 */
PGADMIT_MUST_CHECK
int rules_eval_object(const struct policy *p, const struct object_ref *o,
		      const struct backup_oracle *oracle,
		      struct finding_list *out, struct finding_list *deferred);

/* Does any rule look at this kind? (webhook: allow others at once) */
bool rules_kind_relevant(const char *kind);

/*
 * Backup evidence of a namespace set (PGA103), built from CronJob objects.
 * Used by check (the bundle's CronJobs) and by the webhook's Kubernetes
 * cache (one index per namespace). Memory is per CronJob a few strings.
 */
struct backup_index;
PGADMIT_MUST_CHECK
struct backup_index *backup_index_new(void);
void backup_index_free(struct backup_index *bi);
/* Record what a CronJob says (backup tool in image/command/args, label or
 * annotation pgadmit.dev/backup-for). ns NULL = no namespace. 0 or -1. */
PGADMIT_MUST_CHECK
int backup_index_add_cronjob(struct backup_index *bi, const char *ns,
			     const json_t *cronjob);
/* The same for any object: a CronJob as above, a CloudNativePG
 * ScheduledBackup (not suspended) as evidence for the Cluster its
 * spec.cluster.name names; other objects are ignored. 0 or -1. */
PGADMIT_MUST_CHECK
int backup_index_add_object(struct backup_index *bi, const char *ns,
			    const char *kind, const json_t *obj);
enum backup_state backup_index_lookup(const struct backup_index *bi,
				      const char *ns, const char *name);
/* Move every deferred PGA103 finding without backup evidence to out; drop
 * the others. deferred is emptied. 0 or -1. */
PGADMIT_MUST_CHECK
int backup_index_resolve(const struct backup_index *bi,
			 struct finding_list *deferred,
			 struct finding_list *out);

/*
 * Namespace evidence for PGA105 and PGA106 (ns_evidence.c), built from the
 * objects of a bundle (check), a namespace (audit) or the webhook's
 * listings (src/kube): ConfigMaps' trust keys (envFrom), Deployments and
 * StatefulSets running an exporter, Services (selector and labels),
 * PodMonitors, ServiceMonitors (monitoring.coreos.com) and GKE
 * PodMonitorings (monitoring.googleapis.com), as a few strings and label
 * maps each. Not thread-safe: the webhook's cache locks around it.
 */
PGADMIT_MUST_CHECK
struct ns_evidence *ns_evidence_new(void);
void ns_evidence_free(struct ns_evidence *ev);
/* Does this kind (and apiVersion) carry evidence? */
bool ns_evidence_kind(const char *api_version, const char *kind);
/* Record what obj (of kind, in namespace ns; NULL = no namespace) says;
 * other kinds are ignored. 0 or -1 (OOM). */
PGADMIT_MUST_CHECK
int ns_evidence_add(struct ns_evidence *ev, const struct policy *p,
		    const char *ns, const char *kind, const json_t *obj);
/* Is something in ns monitoring pods carrying pod_labels? FOUND or
 * NOT_FOUND. */
enum backup_state ns_evidence_monitoring(const struct ns_evidence *ev,
					 const char *ns,
					 const json_t *pod_labels);
/* ConfigMap cm in ns, loaded with prefix (NULL: none): FOUND when it sets
 * POSTGRES_HOST_AUTH_METHOD=trust or ALLOW_EMPTY_PASSWORD=yes (the
 * variable's name into env), else NOT_FOUND. */
enum backup_state ns_evidence_configmap_trust(const struct ns_evidence *ev,
					      const char *ns, const char *cm,
					      const char *prefix, char *env,
					      size_t envlen);
/* Judge the PGA105/PGA106 candidates of deferred (in the order they were
 * deferred with ev as the bundle) against ev: those still without
 * evidence move to out, the others are dropped; PGA103's stay in
 * deferred for backup_index_resolve(). Call it first. 0 or -1. */
PGADMIT_MUST_CHECK
int ns_evidence_resolve(struct ns_evidence *ev, struct finding_list *deferred,
			struct finding_list *out);
/* For the rules (pga105/pga106): remember the criterion of the candidate
 * just deferred. pod_labels is copied. 0 or -1. */
PGADMIT_MUST_CHECK
int ns_evidence_defer_monitoring(struct ns_evidence *ev, const char *ns,
				 const json_t *pod_labels);
PGADMIT_MUST_CHECK
int ns_evidence_defer_configmap(struct ns_evidence *ev, const char *ns,
				const char *cm, const char *prefix);

#endif
