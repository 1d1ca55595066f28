/*
 * cluster.h — Postgres cluster resources of the PostgreSQL operators
 * (rules.md "Postgres cluster resource", "Operator child").
 *
 * Recognises by API group and kind (a custom resource that merely shares a
 * kind name, e.g. another vendor's `Cluster`, is not one):
 *   CloudNativePG postgresql.cnpg.io/v1  Cluster, Pooler, ScheduledBackup
 *   Zalando       acid.zalan.do/v1       postgresql
 *   Crunchy PGO   postgres-operator.crunchydata.com (v1beta1, v1)
 *                                         PostgresCluster
 *   Percona       pgv2.percona.com/v2    PerconaPGCluster
 * and reads the fields the manifest rules need, with the CRD versions they
 * were checked against in docs/operators.md. Only locates and classifies;
 * the rules (src/rules/pga10x_*.c, cluster_rules.c) judge. Every json_t
 * returned is borrowed from the object passed in.
 */
#ifndef PGADMIT_CLUSTER_H
#define PGADMIT_CLUSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/podspec.h"

enum cluster_kind {
	CK_NONE,
	CK_CNPG_CLUSTER,   /* postgresql.cnpg.io Cluster */
	CK_CNPG_POOLER,    /* postgresql.cnpg.io Pooler */
	CK_CNPG_SCHEDULED, /* postgresql.cnpg.io ScheduledBackup */
	CK_ZALANDO,        /* acid.zalan.do postgresql */
	CK_CRUNCHY, /* postgres-operator.crunchydata.com PostgresCluster */
	CK_PERCONA, /* pgv2.percona.com PerconaPGCluster */
};

/* The kind of (apiVersion, kind); CK_NONE for anything else. */
enum cluster_kind cluster_kind_of(const char *api_version, const char *kind);
/* The same from the object's own apiVersion and kind. */
enum cluster_kind cluster_kind_of_obj(const json_t *obj);
/* A "Postgres cluster resource" that is a database (a Postgres workload for
 * PGA103/PGA106): Cluster, postgresql, PostgresCluster, PerconaPGCluster. */
bool cluster_is_database(enum cluster_kind k);
/* "CloudNativePG Cluster", "Zalando postgresql", ... (static). */
const char *cluster_kind_label(enum cluster_kind k);
/* The kind names the rules dispatch on, NULL-terminated. */
extern const char *const cluster_kind_names[];

/*
 * Operator child (rules.md): an ownerReference to a cluster kind, or the
 * operator's own cluster label (cnpg.io/cluster; cluster-name with
 * application: spilo; postgres-operator.crunchydata.com/cluster). Applies
 * to Service, StatefulSet, Pod, ConfigMap and Secret (both ways) and to
 * Deployment, ReplicaSet, Job and CronJob through an ownerReference only
 * (poolers, backup jobs: a label alone on those is not trusted). When it is
 * one and buf is non-NULL, buf receives the owner as
 * "postgresql.cnpg.io/Cluster pg-main" (cut to n bytes).
 */
bool cluster_child_owner(const char *kind, const json_t *obj, char *buf,
			 size_t n);

/* ---- fields -------------------------------------------------------- */

/* Containers declared inside a cluster resource, given like Pod spec
 * containers (list PODSPEC_CONTAINERS, path e.g.
 * "spec.instances[0].containers[1]"): Zalando spec.sidecars and
 * spec.initContainers; Crunchy spec.instances[].containers and
 * spec.proxy.pgBouncer.containers; Percona spec.instances[].sidecars and
 * spec.proxy.pgBouncer.sidecars; a CloudNativePG Pooler's
 * spec.template.spec containers. Also, for CloudNativePG Cluster and
 * Zalando, the server itself as a pseudo-container at path "spec" (its
 * `env` is spec.env; its image is the operator's default server image
 * whatever spec.imageName / spec.dockerImage say, so that it always counts
 * as the server). fn as in podspec_foreach. */
int cluster_foreach_container(const json_t *obj, podspec_fn fn, void *arg);

/* One parameters map of the server configuration and its path:
 * CloudNativePG/Zalando spec.postgresql.parameters; Crunchy/Percona
 * spec.patroni.dynamicConfiguration.postgresql.parameters and
 * spec.config.parameters. Returns the count found (at most max). */
struct cluster_field {
	const json_t *v;
	const char *path; /* static */
};
size_t cluster_parameters(const json_t *obj, struct cluster_field *out,
			  size_t max);
/* The pg_hba lists (arrays of strings, or of {hba: ...} objects for
 * Crunchy/Percona spec.authentication.rules): CloudNativePG
 * spec.postgresql.pg_hba; Zalando spec.patroni.pg_hba; Crunchy/Percona
 * spec.patroni.dynamicConfiguration.postgresql.pg_hba and
 * spec.authentication.rules. Returns the count found. */
size_t cluster_hba_lists(const json_t *obj, struct cluster_field *out,
			 size_t max);

/* Does the resource declare its own backups (PGA103)? CloudNativePG
 * spec.backup.barmanObjectStore / spec.backup.volumeSnapshot, or a backup
 * plugin in spec.plugins (isWALArchiver: true, or a name naming barman or
 * backup); Crunchy spec.backups.pgbackrest.repos non-empty or
 * spec.backups.snapshots; Percona the same, spec.backups.volumeSnapshots
 * for snapshots, and never when spec.backups.enabled is false; Zalando
 * (backups are configured operator-wide): true unless spec.env disables WAL
 * archiving (WAL_S3_BUCKET, WAL_GS_BUCKET or AZURE_STORAGE_ACCOUNT set to
 * "") and spec.enableLogicalBackup is not true. When false for a Zalando
 * resource, *node and path (plen bytes) name the disabling env value;
 * otherwise *node is NULL. */
bool cluster_declares_backup(const json_t *obj, const json_t **node, char *path,
			     size_t plen);

/* Monitoring declared by the resource itself (PGA106): CloudNativePG
 * spec.monitoring.enablePodMonitor: true; Crunchy
 * spec.monitoring.pgmonitor (an object); Percona spec.pmm.enabled: true;
 * Zalando a sidecar whose image is an exporter (is_exporter decides). */
bool cluster_declares_monitoring(const json_t *obj,
				 bool (*is_exporter)(const char *image,
						     void *arg),
				 void *arg);

/* The labels of the cluster's pods a PodMonitor/ServiceMonitor selector
 * must match: CloudNativePG cnpg.io/cluster: <name>; Zalando
 * cluster-name: <name>, application: spilo; Crunchy/Percona
 * postgres-operator.crunchydata.com/cluster: <name>. A new object (owned),
 * NULL for other kinds or on OOM. */
json_t *cluster_pod_labels(const json_t *obj);

#endif
