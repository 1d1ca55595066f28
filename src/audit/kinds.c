/*
 * kinds.c — the kinds `pgadmit audit` lists (the ones the webhook judges
 * today, src/admission/review.c builtin_kinds), their API paths and the
 * webhook's per-object skips. CronJobs come first so that a namespace's
 * backup index is complete before its workloads are judged (PGA103 is
 * resolved at the end of the namespace anyway).
 */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "pgadmit/jsonget.h"
#include "pgadmit/podspec.h"

const struct audit_kind audit_kinds[] = {
	{"batch", "v1", "cronjobs", "CronJob", true, 500},
	{"apps", "v1", "statefulsets", "StatefulSet", true, 500},
	{"apps", "v1", "deployments", "Deployment", true, 500},
	{"apps", "v1", "daemonsets", "DaemonSet", true, 500},
	{"apps", "v1", "replicasets", "ReplicaSet", true, 500},
	{"", "v1", "replicationcontrollers", "ReplicationController", true,
	 500},
	{"batch", "v1", "jobs", "Job", true, 500},
	{"", "v1", "pods", "Pod", true, 500},
	{"", "v1", "services", "Service", true, 500},
	/* ConfigMaps can be large (1 MiB each): small pages. */
	{"", "v1", "configmaps", "ConfigMap", true, 50},
	/* Postgres cluster resources (pgadmit/cluster.h, docs/operators.md);
	 * a CRD that is not installed answers 404 and is skipped. The
	 * ScheduledBackups are PGA103 evidence for the Cluster they name.
	 * Crunchy: v1beta1, served by PGO 5.x and 6.x alike. */
	{"postgresql.cnpg.io", "v1", "scheduledbackups", "ScheduledBackup",
	 true, 500},
	{"postgresql.cnpg.io", "v1", "clusters", "Cluster", true, 100},
	{"postgresql.cnpg.io", "v1", "poolers", "Pooler", true, 100},
	{"acid.zalan.do", "v1", "postgresqls", "postgresql", true, 100},
	{"postgres-operator.crunchydata.com", "v1beta1", "postgresclusters",
	 "PostgresCluster", true, 100},
	{"pgv2.percona.com", "v2", "perconapgclusters", "PerconaPGCluster",
	 true, 100},
	/* PGA106 evidence: monitors (judged by no rule themselves; absent
	 * CRDs are skipped). */
	{"monitoring.coreos.com", "v1", "podmonitors", "PodMonitor", true, 500},
	{"monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor",
	 true, 500},
	{"monitoring.googleapis.com", "v1", "podmonitorings", "PodMonitoring",
	 true, 500},
};
const size_t audit_nkinds = sizeof(audit_kinds) / sizeof(audit_kinds[0]);

bool audit_kind_optional(const struct audit_kind *k)
{
	return strchr(k->group, '.') != NULL;
}

void audit_api_version(struct strbuf *sb, const struct audit_kind *k)
{
	if (*k->group)
		sb_printf(sb, "%s/%s", k->group, k->version);
	else
		sb_puts(sb, k->version);
}

void audit_api_ref(struct strbuf *sb, const struct audit_kind *k,
		   const char *ns, const char *name)
{
	audit_api_version(sb, k);
	if (ns)
		sb_printf(sb, "/namespaces/%s", ns);
	sb_printf(sb, "/%s/%s", k->resource, name ? name : "");
}

void audit_list_path(struct strbuf *sb, const struct audit_kind *k,
		     const char *ns)
{
	sb_puts(sb, *k->group ? "/apis/" : "/api/");
	audit_api_version(sb, k);
	if (ns)
		sb_printf(sb, "/namespaces/%s", ns);
	sb_printf(sb, "/%s", k->resource);
}

bool audit_object_skipped(const struct audit_kind *k, const json_t *obj)
{
	if (json_object_get(json_object_get(obj, "metadata"),
			    "deletionTimestamp"))
		return true;
	if (*k->group == '\0' && strcmp(k->kind, "Pod") == 0)
		return podspec_owned_by_builtin(obj);
	if (strcmp(k->group, "apps") == 0 && strcmp(k->kind, "ReplicaSet") == 0)
		return podspec_owned_by_builtin(obj);
	return false;
}

int audit_refs_add(struct audit_refs *rs, const char *ref,
		   const struct audit_kind *k, const char *name,
		   const char *uid)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct audit_ref *v = realloc(rs->v, cap * sizeof(*v));
		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	struct audit_ref *r = &rs->v[rs->n];
	r->k = k;
	r->ref = strdup(ref);
	r->name = strdup(name ? name : "");
	r->uid = strdup(uid ? uid : "");
	if (!r->ref || !r->name || !r->uid) {
		free(r->ref);
		free(r->name);
		free(r->uid);
		return -1;
	}
	rs->n++;
	return 0;
}

const struct audit_ref *audit_refs_find(const struct audit_refs *rs,
					const char *ref)
{
	/* Findings are few; a namespace's objects are not: linear is fine
	 * for the former times the latter up to a few thousand. */
	for (size_t i = rs->n; i-- > 0;)
		if (strcmp(rs->v[i].ref, ref) == 0)
			return &rs->v[i];
	return NULL;
}

void audit_refs_free(struct audit_refs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].ref);
		free(rs->v[i].name);
		free(rs->v[i].uid);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}
