/*
 * audit_int.h — what the files of src/audit share.
 *   kinds.c         the kind table, the webhook's object skips, API refs
 *   audit.c         namespaces → kinds → pages → rule engine
 *   policyreport.c  findings → PolicyReport, written with GET + PUT/POST
 *   probe_reports.c the probe's findings → PolicyReports by Service
 */
#ifndef PGADMIT_AUDIT_INT_H
#define PGADMIT_AUDIT_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "pgadmit/audit.h"
#include "pgadmit/strbuf.h"

/* An object that was judged: what a PolicyReport result names. */
struct audit_ref {
	char *ref; /* "apps/v1/namespaces/shop/statefulsets/db" */
	const struct audit_kind *k;
	char *name, *uid;
};
struct audit_refs {
	struct audit_ref *v;
	size_t n, cap;
};
int audit_refs_add(struct audit_refs *rs, const char *ref,
		   const struct audit_kind *k, const char *name,
		   const char *uid);
const struct audit_ref *audit_refs_find(const struct audit_refs *rs,
					const char *ref);
void audit_refs_free(struct audit_refs *rs);

/* "group/version" or "version". */
void audit_api_version(struct strbuf *sb, const struct audit_kind *k);
/* The object's API reference (apiVersion/namespaces/NS/resource/name). */
void audit_api_ref(struct strbuf *sb, const struct audit_kind *k,
		   const char *ns, const char *name);
/* The collection path to LIST (ns NULL for cluster-scoped kinds). */
void audit_list_path(struct strbuf *sb, const struct audit_kind *k,
		     const char *ns);
/* What the webhook never judges: objects being deleted, Pods and
 * ReplicaSets whose controller is a built-in workload. */
bool audit_object_skipped(const struct audit_kind *k, const json_t *obj);

/* Is wgpolicyk8s.io/v1alpha2 served? 1 yes, 0 no, -1 error (err). */
int preport_crd_served(struct kube_client *c, int timeout_ms, struct err *err);
/* Replace the PolicyReport name ("pgadmit", "pgadmit-probe") of ns (ClusterPolicyReport when ns is
 * NULL) with findings l (objects in refs). When l is empty, an existing
 * report is cleared and none is created (*cleared set). 0 (*written: one
 * was created or replaced) or -1 with err. */
int preport_write(struct kube_client *c, const char *name, const char *ns,
		  const struct finding_list *l, const struct audit_refs *refs,
		  int timeout_ms, bool *written, bool *cleared,
		  struct err *err);
/* The report object (new reference, NULL on OOM); exposed for tests. */
json_t *preport_build(const char *name, const char *ns,
		      const struct finding_list *l,
		      const struct audit_refs *refs, long long now_s);

#endif
