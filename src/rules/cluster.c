/*
 * cluster.c — Postgres cluster resources: recognition, operator children
 * and the fields the rules read (cluster.h). Field names follow the CRDs
 * listed in docs/operators.md (CloudNativePG 1.30.0, Zalando 2.0.1,
 * Crunchy PGO 6.0.3 v1 and v1beta1, Percona 3.0.0 v2).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/cluster.h"
#include "pgadmit/jsonget.h"

#define G_CNPG "postgresql.cnpg.io"
#define G_ZALANDO "acid.zalan.do"
#define G_CRUNCHY "postgres-operator.crunchydata.com"
#define G_PERCONA "pgv2.percona.com"

/* The operators' default server images: only used to say "this
 * pseudo-container is the server" (walk_server). */
#define CNPG_DEFAULT_IMAGE "ghcr.io/cloudnative-pg/postgresql"
#define SPILO_DEFAULT_IMAGE "ghcr.io/zalando/spilo-17"

static const struct {
	const char *group, *kind;
	enum cluster_kind ck;
	const char *label;
} table[] = {
	{G_CNPG, "Cluster", CK_CNPG_CLUSTER, "CloudNativePG Cluster"},
	{G_CNPG, "Pooler", CK_CNPG_POOLER, "CloudNativePG Pooler"},
	{G_CNPG, "ScheduledBackup", CK_CNPG_SCHEDULED,
	 "CloudNativePG ScheduledBackup"},
	{G_ZALANDO, "postgresql", CK_ZALANDO, "Zalando postgresql"},
	{G_CRUNCHY, "PostgresCluster", CK_CRUNCHY, "Crunchy PostgresCluster"},
	{G_PERCONA, "PerconaPGCluster", CK_PERCONA, "Percona PerconaPGCluster"},
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

const char *const cluster_kind_names[] = {"Cluster",          "Pooler",
					  "postgresql",       "PostgresCluster",
					  "PerconaPGCluster", NULL};

enum cluster_kind cluster_kind_of(const char *api_version, const char *kind)
{
	if (!api_version || !kind)
		return CK_NONE;
	const char *slash = strchr(api_version, '/');
	if (!slash)
		return CK_NONE; /* core group: never an operator's */
	size_t glen = (size_t)(slash - api_version);
	for (size_t i = 0; i < NTABLE; i++)
		if (strlen(table[i].group) == glen &&
		    strncmp(api_version, table[i].group, glen) == 0 &&
		    strcmp(kind, table[i].kind) == 0)
			return table[i].ck;
	return CK_NONE;
}

enum cluster_kind cluster_kind_of_obj(const json_t *obj)
{
	return cluster_kind_of(json_get_str(obj, "apiVersion"),
			       json_get_str(obj, "kind"));
}

bool cluster_is_database(enum cluster_kind k)
{
	return k == CK_CNPG_CLUSTER || k == CK_ZALANDO || k == CK_CRUNCHY ||
	       k == CK_PERCONA;
}

const char *cluster_kind_label(enum cluster_kind k)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].ck == k)
			return table[i].label;
	return "resource";
}

/* ---- operator children --------------------------------------------- */

static bool in(const char *s, const char *const *l)
{
	for (; s && *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static const char *const child_kinds[] = {"Service",   "StatefulSet", "Pod",
					  "ConfigMap", "Secret",      NULL};
static const char *const owned_kinds[] = {"Deployment", "ReplicaSet", "Job",
					  "CronJob", NULL};

static bool nonempty(const char *s)
{
	return s && *s;
}

bool cluster_child_owner(const char *kind, const json_t *obj, char *buf,
			 size_t n)
{
	bool by_label = in(kind, child_kinds);
	if (!by_label && !in(kind, owned_kinds))
		return false;
	const json_t *md = json_object_get(obj, "metadata");
	const json_t *refs = json_object_get(md, "ownerReferences");
	size_t i;
	const json_t *r;
	json_array_foreach(refs, i, r) {
		const char *api = json_get_str(r, "apiVersion");
		const char *k = json_get_str(r, "kind");
		enum cluster_kind ck = cluster_kind_of(api, k);
		if (ck == CK_NONE || ck == CK_CNPG_SCHEDULED)
			continue;
		if (buf && n) {
			const char *slash = strchr(api, '/');
			snprintf(buf, n, "%.*s/%s %s", (int)(slash - api), api,
				 k,
				 nonempty(json_get_str(r, "name"))
					 ? json_get_str(r, "name")
					 : "?");
		}
		return true;
	}
	if (!by_label)
		return false;
	const json_t *lb = json_object_get(md, "labels");
	const char *v, *what = NULL;
	if (nonempty(v = json_get_str(lb, "cnpg.io/cluster")))
		what = G_CNPG "/Cluster";
	else if (nonempty(v = json_get_str(
				  lb,
				  "postgres-operator.crunchydata.com/cluster")))
		what = G_CRUNCHY "/PostgresCluster";
	else if (nonempty(v = json_get_str(lb, "cluster-name")) &&
		 json_get_str(lb, "application") &&
		 strcmp(json_get_str(lb, "application"), "spilo") == 0)
		what = G_ZALANDO "/postgresql";
	if (!what)
		return false;
	if (buf && n)
		snprintf(buf, n, "%s %s (by label)", what, v);
	return true;
}

/* ---- containers ------------------------------------------------------ */

struct cwalk {
	podspec_fn fn;
	void *arg;
	int rc;
};

/* Each object entry of arr, as a container at "<prefix>[i]". */
static int walk_list(struct cwalk *w, const json_t *arr, const char *prefix,
		     enum podspec_list list)
{
	size_t i;
	const json_t *c;
	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, c) {
		if (!json_is_object(c))
			continue;
		struct podspec_container pc;
		pc.c = c;
		pc.list = list;
		pc.index = i;
		snprintf(pc.path, sizeof(pc.path), "%s[%zu]", prefix, i);
		pc.image = json_get_str(c, "image");
		pc.name = json_get_str(c, "name");
		if ((w->rc = w->fn(&pc, w->arg)))
			return w->rc;
	}
	return 0;
}

/* The server as a pseudo-container at "spec": its env is spec.env. It
 * is the server whatever image the resource names (a private registry's
 * copy need not match the policy's pattern), so it carries the operator's
 * default server image. */
static int walk_server(struct cwalk *w, const json_t *spec, const char *def)
{
	if (!json_is_object(spec))
		return 0;
	struct podspec_container pc;
	pc.c = spec;
	pc.list = PODSPEC_CONTAINERS;
	pc.index = 0;
	snprintf(pc.path, sizeof(pc.path), "spec");
	pc.image = def;
	pc.name = "postgres";
	return (w->rc = w->fn(&pc, w->arg));
}

/* instances[i].<key> lists (Crunchy containers, Percona sidecars). */
static int walk_instances(struct cwalk *w, const json_t *spec, const char *key)
{
	size_t i;
	const json_t *inst;
	char prefix[64];
	json_array_foreach(json_object_get(spec, "instances"), i, inst) {
		snprintf(prefix, sizeof(prefix), "spec.instances[%zu].%s", i,
			 key);
		if (walk_list(w, json_object_get(inst, key), prefix,
			      PODSPEC_CONTAINERS))
			return w->rc;
	}
	const json_t *pgb =
		json_object_get(json_object_get(json_object_get(spec, "proxy"),
						"pgBouncer"),
				key);
	snprintf(prefix, sizeof(prefix), "spec.proxy.pgBouncer.%s", key);
	return walk_list(w, pgb, prefix, PODSPEC_CONTAINERS);
}

int cluster_foreach_container(const json_t *obj, podspec_fn fn, void *arg)
{
	struct cwalk w = {fn, arg, 0};
	const json_t *spec = json_object_get(obj, "spec");
	switch (cluster_kind_of_obj(obj)) {
	case CK_CNPG_CLUSTER: return walk_server(&w, spec, CNPG_DEFAULT_IMAGE);
	case CK_CNPG_POOLER: {
		struct podspec ps =
			{json_object_get(json_object_get(spec, "template"),
					 "spec"),
			 "spec.template.spec"};
		return json_is_object(ps.spec) ? podspec_foreach(&ps, fn, arg)
					       : 0;
	}
	case CK_ZALANDO:
		if (walk_server(&w, spec, SPILO_DEFAULT_IMAGE) ||
		    walk_list(&w, json_object_get(spec, "sidecars"),
			      "spec.sidecars", PODSPEC_CONTAINERS) ||
		    walk_list(&w, json_object_get(spec, "initContainers"),
			      "spec.initContainers", PODSPEC_INIT))
			return w.rc;
		return 0;
	case CK_CRUNCHY:
		/* v1/v1beta1: instances[].containers is the list; sidecars
		 * an object of settings */
		return walk_instances(&w, spec, "containers");
	case CK_PERCONA:
		/* v2: instances[].sidecars is the list; containers an object */
		return walk_instances(&w, spec, "sidecars");
	default: return 0;
	}
}

/* ---- configuration ------------------------------------------------- */

static const json_t *at(const json_t *o, const char *dotted)
{
	char key[64];
	while (o && *dotted) {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, dotted, len);
		key[len] = '\0';
		o = json_object_get(o, key);
		dotted += len + (dot ? 1 : 0);
	}
	return o;
}

static size_t add(struct cluster_field *out, size_t n, size_t max,
		  const json_t *obj, const char *path)
{
	const json_t *v = at(obj, path);
	if (v && n < max) {
		out[n].v = v;
		out[n].path = path;
		n++;
	}
	return n;
}

size_t cluster_parameters(const json_t *obj, struct cluster_field *out,
			  size_t max)
{
	size_t n = 0;
	switch (cluster_kind_of_obj(obj)) {
	case CK_CNPG_CLUSTER:
	case CK_ZALANDO:
		return add(out, n, max, obj, "spec.postgresql.parameters");
	case CK_CRUNCHY:
	case CK_PERCONA:
		n = add(out, n, max, obj,
			"spec.patroni.dynamicConfiguration.postgresql.parameters");
		return add(out, n, max, obj, "spec.config.parameters");
	default: return 0;
	}
}

size_t cluster_hba_lists(const json_t *obj, struct cluster_field *out,
			 size_t max)
{
	size_t n = 0;
	switch (cluster_kind_of_obj(obj)) {
	case CK_CNPG_CLUSTER:
		return add(out, n, max, obj, "spec.postgresql.pg_hba");
	case CK_ZALANDO: return add(out, n, max, obj, "spec.patroni.pg_hba");
	case CK_CRUNCHY:
	case CK_PERCONA:
		n = add(out, n, max, obj,
			"spec.patroni.dynamicConfiguration.postgresql.pg_hba");
		return add(out, n, max, obj, "spec.authentication.rules");
	default: return 0;
	}
}

/* ---- backups and monitoring ---------------------------------------- */

static bool is_object_nonempty(const json_t *v)
{
	return json_is_object(v) && json_object_size(v) > 0;
}

static bool cnpg_backup(const json_t *spec)
{
	const json_t *b = json_object_get(spec, "backup");
	if (is_object_nonempty(json_object_get(b, "barmanObjectStore")) ||
	    is_object_nonempty(json_object_get(b, "volumeSnapshot")))
		return true;
	size_t i;
	const json_t *pl;
	json_array_foreach(json_object_get(spec, "plugins"), i, pl) {
		const char *name = json_get_str(pl, "name");
		const json_t *en = json_object_get(pl, "enabled");
		if (json_is_false(en))
			continue;
		if (json_is_true(json_object_get(pl, "isWALArchiver")) ||
		    (name && (strcasestr(name, "barman") ||
			      strcasestr(name, "backup"))))
			return true;
	}
	return false;
}

static bool pgo_backup(const json_t *spec, bool percona)
{
	const json_t *b = json_object_get(spec, "backups");
	if (percona && json_is_false(json_object_get(b, "enabled")))
		return false;
	const json_t *repos =
		json_object_get(json_object_get(b, "pgbackrest"), "repos");
	if (json_is_array(repos) && json_array_size(repos) > 0)
		return true;
	/* Crunchy: snapshots requires volumeSnapshotClassName (CRD);
	 * Percona: volume snapshots are on when className is set */
	const json_t *snap =
		json_object_get(b, percona ? "volumeSnapshots" : "snapshots");
	const char *cls =
		json_get_str(snap,
			     percona ? "className" : "volumeSnapshotClassName");
	return cls && *cls;
}

/* Zalando: an env entry emptying the WAL bucket disables archiving. */
static bool zalando_backup(const json_t *spec, const json_t **node, char *path,
			   size_t plen)
{
	static const char *const off[] = {"WAL_S3_BUCKET", "WAL_GS_BUCKET",
					  "AZURE_STORAGE_ACCOUNT", NULL};
	if (json_is_true(json_object_get(spec, "enableLogicalBackup")))
		return true;
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(spec, "env"), i, e) {
		const char *name = json_get_str(e, "name");
		const json_t *v = json_object_get(e, "value");
		if (!name || !in(name, off) || json_object_get(e, "valueFrom"))
			continue;
		if (v && !(json_is_string(v) && !*json_string_value(v)))
			continue; /* a bucket is named */
		if (node)
			*node = v ? v : e;
		if (path && plen)
			snprintf(path, plen,
				 v ? "spec.env[%zu].value" : "spec.env[%zu]",
				 i);
		return false;
	}
	return true;
}

bool cluster_declares_backup(const json_t *obj, const json_t **node, char *path,
			     size_t plen)
{
	const json_t *spec = json_object_get(obj, "spec");
	if (node)
		*node = NULL;
	switch (cluster_kind_of_obj(obj)) {
	case CK_CNPG_CLUSTER: return cnpg_backup(spec);
	case CK_CRUNCHY: return pgo_backup(spec, false);
	case CK_PERCONA: return pgo_backup(spec, true);
	case CK_ZALANDO: return zalando_backup(spec, node, path, plen);
	default: return false;
	}
}

bool cluster_declares_monitoring(const json_t *obj,
				 bool (*is_exporter)(const char *image,
						     void *arg),
				 void *arg)
{
	const json_t *spec = json_object_get(obj, "spec");
	size_t i;
	const json_t *c;
	switch (cluster_kind_of_obj(obj)) {
	case CK_CNPG_CLUSTER:
		return json_is_true(at(spec, "monitoring.enablePodMonitor"));
	case CK_CRUNCHY:
		return json_is_object(
			at(spec, "monitoring.pgmonitor.exporter"));
	case CK_PERCONA: return json_is_true(at(spec, "pmm.enabled"));
	case CK_ZALANDO:
		json_array_foreach(json_object_get(spec, "sidecars"), i, c) {
			const char *img = json_get_str(c, "image");
			if (img && is_exporter && is_exporter(img, arg))
				return true;
		}
		return false;
	default: return false;
	}
}

json_t *cluster_pod_labels(const json_t *obj)
{
	const char *name =
		json_get_str(json_object_get(obj, "metadata"), "name");
	enum cluster_kind k = cluster_kind_of_obj(obj);
	if (!name || !cluster_is_database(k))
		return NULL;
	json_t *l = json_object();
	if (!l)
		return NULL;
	int rc = 0;
	switch (k) {
	case CK_CNPG_CLUSTER:
		rc = json_object_set_new(l, "cnpg.io/cluster",
					 json_string(name));
		break;
	case CK_ZALANDO:
		rc = json_object_set_new(l, "cluster-name",
					 json_string(name)) ||
		     json_object_set_new(l, "application",
					 json_string("spilo"));
		break;
	default:
		rc = json_object_set_new(
			l, "postgres-operator.crunchydata.com/cluster",
			json_string(name));
		break;
	}
	if (rc) {
		json_decref(l);
		return NULL;
	}
	return l;
}
