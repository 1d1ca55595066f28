/*
 * audit.h — `pgadmit audit`: judge what is already in the cluster.
 *
 * Lists the namespaces, then, namespace by namespace, every kind the webhook
 * judges (audit_kinds: Pods, workloads, Services, ConfigMaps, CronJobs)
 * through the Kubernetes API with paging, and judges each namespace as one
 * bundle with the rule engine, as `pgadmit check` judges a bundle: PGA103
 * over that namespace's real CronJobs. Memory holds one page and one
 * namespace's objects' references at a time (plus the findings).
 *
 * Skips what the webhook skips: namespaces the policy skips, those given
 * with exclude (the chart's release namespace and webhook.excludeNamespaces),
 * namespaces labelled pgadmit.dev/ignore=true, objects being deleted, and
 * Pods/ReplicaSets whose controller is a built-in workload (judged through
 * that workload). Per-object opt-outs are info findings, as in check.
 *
 * With policy_reports, each namespace's findings are written as the
 * wgpolicyk8s.io/v1alpha2 PolicyReport "pgadmit" of that namespace
 * (policyreport.c), right after the namespace is judged; a namespace whose
 * report exists but has no finding any more gets it cleared.
 *
 * Findings carry the object's API reference in `file`
 * ("apps/v1/namespaces/shop/statefulsets/db") and line 0.
 */
#ifndef PGADMIT_AUDIT_H
#define PGADMIT_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "pgadmit/err.h"
#include "pgadmit/finding.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"

/* One kind audit lists. Operator kinds (issue 14) are added to the table
 * in src/audit/kinds.c; cluster-scoped ones (namespaced == false) are judged
 * as one more bundle and reported in a ClusterPolicyReport. */
struct audit_kind {
	const char *group;    /* "" for the core group */
	const char *version;  /* "v1" */
	const char *resource; /* "statefulsets" */
	const char *kind;     /* "StatefulSet" */
	bool namespaced;
	unsigned page_limit; /* items per LIST page */
};
extern const struct audit_kind audit_kinds[];
extern const size_t audit_nkinds;
/* A custom resource (its group has a dot: monitoring.coreos.com, the
 * operators' groups) may not be installed: a 404 on its listing means
 * "none of them", not a failed audit. */
bool audit_kind_optional(const struct audit_kind *k);

struct audit_options {
	const char *const *namespaces; /* only these (none: every namespace) */
	size_t nnamespaces;
	const char *const *exclude; /* skipped besides the policy's */
	size_t nexclude;
	bool policy_reports;
	int timeout_ms; /* per API request; 0: 30 s */
	FILE *log;      /* notes (CRD missing, ...); NULL: none */
};

struct audit_result {
	struct finding_list findings; /* sorted; audit_result_free() */
	/* files = namespaces judged, documents = objects listed, objects =
	 * objects judged (the check report's summary line). */
	struct report_summary summary;
	size_t namespaces_skipped;
	size_t reports_written; /* PolicyReports created or replaced */
	size_t reports_cleared; /* replaced with no result */
	size_t report_errors;   /* reports that could not be written */
	bool crd_missing;       /* PolicyReport CRD not served */
	unsigned long requests; /* API requests made */
};

/*
 * Audit the cluster c reads. Returns 0 (the result is complete; check
 * report_errors), or -1 with err when the API could not be read (RBAC
 * denied, the API went away mid-listing, ...): the result is then
 * incomplete and must not be reported as the cluster's state.
 */
PGADMIT_MUST_CHECK
int audit_run(struct kube_client *c, const struct policy *p,
	      const struct audit_options *o, struct audit_result *r,
	      struct err *err);
void audit_result_free(struct audit_result *r);

/*
 * `pgadmit probe --policy-reports`: the findings of probe results r[0..n-1]
 * as PolicyReports "pgadmit-probe" (probe_reports.c): into the namespace
 * of a target whose host names an existing Service (svc, svc.ns, svc.ns.svc,
 * svc.ns.svc.cluster.local; a bare svc is in the pod's own namespace), with
 * the Service as the resource; other targets into the ClusterPolicyReport
 * "pgadmit-probe". Targets that could not be probed keep their previous
 * report. *written counts reports created or replaced. 0, or -1 with err
 * (also when a report could not be written; the others still are). Without
 * the CRD: says so on log, returns 0.
 */
struct probe_result;
PGADMIT_MUST_CHECK
int audit_probe_reports(struct kube_client *c, const struct probe_result *r,
			size_t n, int timeout_ms, FILE *log, size_t *written,
			struct err *err);
/* host of "host:port/db" as a Service: 0 with svc and ns, -1 when the
 * host is no Service DNS name. (exposed for tests) */
/* `pgadmit audit` whole (cli.c): libcurl, the client from kubeconfig
 * (NULL: in-cluster, else $KUBECONFIG, else ~/.kube/config), audit_run,
 * with stats one line on o->log (namespaces, objects, API requests, wall
 * time, peak RSS; also after a failure), teardown. r is always
 * initialised (audit_result_free). 0, or -1 with err: ERR_UNAVAILABLE (no
 * configuration), the API's kinds, "cannot read the cluster (SOURCE): ..."
 * when the listing failed (nothing may be reported then). */
PGADMIT_MUST_CHECK
int audit_cluster(const char *kubeconfig, const struct policy *p,
		  const struct audit_options *o, bool stats,
		  struct audit_result *r, struct err *err);
/* `probe --policy-reports` (cli.c): the client from $PGADMIT_KUBECONFIG
 * (else as audit_cluster), audit_probe_reports with a 30 s timeout.
 * *written: reports written. 0, or -1 with err. */
PGADMIT_MUST_CHECK
int audit_probe_reports_env(const struct probe_result *r, size_t n, FILE *log,
			    size_t *written, struct err *err);
int audit_target_service(const char *target, const char *default_ns, char *svc,
			 size_t svclen, char *ns, size_t nslen);

#endif
