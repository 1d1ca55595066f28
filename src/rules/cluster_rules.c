/*
 * cluster_rules.c — PGA101.6, PGA103 and PGA104.5 for Postgres cluster
 * resources, and the sites PGA102/PGA104 read inside them (cluster_int.h).
 *
 * PGA101.6: a service the resource asks its operator for that is reachable
 * from outside: CloudNativePG managed.services.additional[] and a Pooler's
 * serviceTemplate, Crunchy service/replicaService/proxy.pgBouncer.service,
 * Percona expose/exposeReplicas/proxy.pgBouncer.expose, all of type
 * NodePort, or LoadBalancer unless internal (PGA101.1's annotations and
 * private source ranges); Zalando enable*NodePort (always) and
 * enable*LoadBalancer judged with allowedSourceRanges (absent or empty: the
 * operator locks the balancer to 127.0.0.1/32, so quiet; loopback ranges
 * count as internal here for the same reason) and the service annotations.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "cluster_int.h"

#define HINT_EXPOSE                                                            \
	"keep the service ClusterIP, or use an internal load balancer with private source ranges"

/* ---- PGA101.6 ------------------------------------------------------ */

static int report_type(struct rule_ctx *c, const json_t *type, const char *path,
		       const char *what)
{
	char msg[RULE_MSG_MAX * 2];
	snprintf(msg, sizeof(msg),
		 "%s asks its operator for a %s service: PostgreSQL reachable from outside the cluster",
		 what, json_string_value(type));
	return rule_report(c, type, path, msg, HINT_EXPOSE);
}

/* A Service-like block: type at tpath inside blk, annotations and ranges
 * beside it (either may be NULL). */
static int judge_block(struct rule_ctx *c, const json_t *type,
		       const json_t *ann, const json_t *ranges,
		       const char *path, const char *what)
{
	const char *t = json_is_string(type) ? json_string_value(type) : NULL;
	if (!t)
		return 0;
	if (strcmp(t, "NodePort") == 0 || (strcmp(t, "LoadBalancer") == 0 &&
					   !pga101_lb_internal(ann, ranges)))
		return report_type(c, type, path, what);
	return 0;
}

static int cnpg_cluster(struct rule_ctx *c, const json_t *spec)
{
	const json_t *add =
		json_object_get(json_object_get(json_object_get(spec,
								"managed"),
						"services"),
				"additional");
	size_t i;
	const json_t *a;
	char path[128];
	json_array_foreach(add, i, a) {
		const json_t *st = json_object_get(a, "serviceTemplate");
		const json_t *ss = json_object_get(st, "spec");
		snprintf(path, sizeof(path),
			 "spec.managed.services.additional[%zu].serviceTemplate.spec.type",
			 i);
		if (judge_block(c, json_object_get(ss, "type"),
				json_object_get(json_object_get(st, "metadata"),
						"annotations"),
				json_object_get(ss, "loadBalancerSourceRanges"),
				path, "CloudNativePG Cluster"))
			return -1;
	}
	return 0;
}

static int cnpg_pooler(struct rule_ctx *c, const json_t *spec)
{
	const json_t *st = json_object_get(spec, "serviceTemplate");
	const json_t *ss = json_object_get(st, "spec");
	return judge_block(c, json_object_get(ss, "type"),
			   json_object_get(json_object_get(st, "metadata"),
					   "annotations"),
			   json_object_get(ss, "loadBalancerSourceRanges"),
			   "spec.serviceTemplate.spec.type",
			   "CloudNativePG Pooler");
}

/* Crunchy: {type, metadata.annotations}; Percona: {type, annotations,
 * loadBalancerSourceRanges}. */
static int pgo(struct rule_ctx *c, const json_t *spec, bool percona)
{
	static const char *const crunchy[] = {"spec.service",
					      "spec.replicaService",
					      "spec.proxy.pgBouncer.service"};
	static const char *const perc[] = {"spec.expose", "spec.exposeReplicas",
					   "spec.proxy.pgBouncer.expose"};
	const char *const *paths = percona ? perc : crunchy;
	char path[96];
	for (int i = 0; i < 3; i++) {
		/* walk "spec.a.b.c" from the object's spec */
		const char *rest = paths[i] + 5;
		const json_t *b = spec;
		char key[32];
		while (b && *rest) {
			const char *dot = strchr(rest, '.');
			size_t len = dot ? (size_t)(dot - rest) : strlen(rest);
			snprintf(key, sizeof(key), "%.*s", (int)len, rest);
			b = json_object_get(b, key);
			rest += len + (dot ? 1 : 0);
		}
		if (!json_is_object(b))
			continue;
		const json_t *ann =
			percona ? json_object_get(b, "annotations")
				: json_object_get(json_object_get(b,
								  "metadata"),
						  "annotations");
		snprintf(path, sizeof(path), "%s.type", paths[i]);
		if (judge_block(c, json_object_get(b, "type"), ann,
				percona ? json_object_get(
						  b, "loadBalancerSourceRanges")
					: NULL,
				path,
				percona ? "Percona PerconaPGCluster"
					: "Crunchy PostgresCluster"))
			return -1;
	}
	return 0;
}

static bool loopback(const char *s)
{
	uint32_t net;
	int len;
	if (cidr_parse4(s, &net, &len))
		return (net >> 24) == 127 && len >= 8;
	return strcmp(s, "::1/128") == 0 || strcmp(s, "::1") == 0;
}

/* Zalando allowedSourceRanges: absent/empty (operator: 127.0.0.1/32) or
 * every entry private or loopback. */
static bool zalando_ranges_closed(const json_t *ranges)
{
	size_t i;
	const json_t *r;
	if (!json_is_array(ranges) || json_array_size(ranges) == 0)
		return true;
	json_array_foreach(ranges, i, r) {
		const char *s = json_string_value(r);
		if (!s || !(cidr_is_internal(s) || loopback(s)))
			return false;
	}
	return true;
}

static int zalando(struct rule_ctx *c, const json_t *spec)
{
	static const struct {
		const char *flag, *ann;
		bool nodeport;
	} f[] = {
		{"enableMasterNodePort", NULL, true},
		{"enableReplicaNodePort", NULL, true},
		{"enableMasterPoolerNodePort", NULL, true},
		{"enableReplicaPoolerNodePort", NULL, true},
		{"enableMasterLoadBalancer", "masterServiceAnnotations", false},
		{"enableReplicaLoadBalancer", "replicaServiceAnnotations",
		 false},
		{"enableMasterPoolerLoadBalancer", NULL, false},
		{"enableReplicaPoolerLoadBalancer", NULL, false},
	};
	bool closed = zalando_ranges_closed(
		json_object_get(spec, "allowedSourceRanges"));
	char path[96], msg[RULE_MSG_MAX * 2];
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!json_is_true(json_object_get(spec, f[i].flag)))
			continue;
		if (!f[i].nodeport &&
		    (closed ||
		     pga101_lb_internal(json_object_get(spec,
							"serviceAnnotations"),
					NULL) ||
		     (f[i].ann &&
		      pga101_lb_internal(json_object_get(spec, f[i].ann),
					 NULL))))
			continue;
		snprintf(path, sizeof(path), "spec.%s", f[i].flag);
		snprintf(msg, sizeof(msg),
			 "Zalando postgresql sets %s: PostgreSQL reachable from outside the cluster%s",
			 f[i].flag,
			 f[i].nodeport ? "" : " (allowedSourceRanges open)");
		/* true is a singleton without a line: point at spec */
		if (rule_report(
			    c, spec, path, msg,
			    f[i].nodeport
				    ? "remove it and reach PostgreSQL through the ClusterIP service"
				    : "restrict allowedSourceRanges to private ranges, or disable the load balancer"))
			return -1;
	}
	return 0;
}

int cluster_pga101(struct rule_ctx *c)
{
	const json_t *spec = json_object_get(c->o->obj, "spec");
	if (!json_is_object(spec))
		return 0;
	switch (cluster_kind_of_obj(c->o->obj)) {
	case CK_CNPG_CLUSTER: return cnpg_cluster(c, spec);
	case CK_CNPG_POOLER: return cnpg_pooler(c, spec);
	case CK_ZALANDO: return zalando(c, spec);
	case CK_CRUNCHY: return pgo(c, spec, false);
	case CK_PERCONA: return pgo(c, spec, true);
	default: return 0;
	}
}

/* ---- PGA103 -------------------------------------------------------- */

static const char *backup_msg(enum cluster_kind k, const json_t *spec)
{
	switch (k) {
	case CK_CNPG_CLUSTER:
		return "CloudNativePG Cluster declares no backup (spec.backup, a backup plugin) and no ScheduledBackup or CronJob backs it up";
	case CK_PERCONA:
		if (json_is_false(
			    json_object_get(json_object_get(spec, "backups"),
					    "enabled")))
			return "Percona PerconaPGCluster sets spec.backups.enabled: false and no backup CronJob is found";
		/* fall through */
	case CK_CRUNCHY:
		return "no pgBackRest repository (spec.backups.pgbackrest.repos) or snapshots, and no backup CronJob";
	case CK_ZALANDO:
		return "Zalando postgresql disables WAL archiving in spec.env and no backup CronJob is found";
	default: return "PostgreSQL cluster resource has no backup";
	}
}

static const char *backup_hint(enum cluster_kind k)
{
	switch (k) {
	case CK_CNPG_CLUSTER:
		return "configure spec.backup or a backup plugin, with a ScheduledBackup; or annotate pgadmit.dev/backup: \"<reason>\"";
	case CK_ZALANDO:
		return "name a WAL bucket (or drop the empty variable), or set enableLogicalBackup: true";
	default:
		return "add a repo under spec.backups.pgbackrest.repos, or annotate pgadmit.dev/backup: \"<reason>\"";
	}
}

int cluster_pga103(struct rule_ctx *c)
{
	const json_t *obj = c->o->obj;
	enum cluster_kind k = cluster_kind_of_obj(obj);
	if (!cluster_is_database(k))
		return 0;
	const json_t *md = json_object_get(obj, "metadata");
	if (rule_reason_ok(json_get_str(json_object_get(md, "annotations"),
					BACKUP_ANN)))
		return 0; /* backups handled elsewhere */
	const json_t *node = NULL;
	char path[64] = "metadata.name";
	if (cluster_declares_backup(obj, &node, path, sizeof(path)))
		return 0;
	if (!node) {
		node = json_object_get(md, "name");
		snprintf(path, sizeof(path), "metadata.name");
	}
	return pga103_verdict(
		c, node, path,
		"no backup declared; the namespace could not be checked",
		backup_msg(k, json_object_get(obj, "spec")), backup_hint(k));
}

/* ---- PGA104.5 and the declared containers --------------------------- */

static bool off_value(const json_t *v)
{
	static const char *const offs[] = {"off", "false", "no", "0"};
	if (json_is_false(v))
		return true;
	if (json_is_integer(v))
		return json_integer_value(v) == 0;
	const char *s = json_string_value(v);
	for (int i = 0; s && i < 4; i++)
		if (strcasecmp(s, offs[i]) == 0)
			return true;
	return false;
}

int cluster_pga104(struct rule_ctx *c, podspec_fn server_container)
{
	struct cluster_field f[4];
	size_t n = cluster_parameters(c->o->obj, f, 4);
	char path[128];
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(f[i].v, "ssl");
		if (!v || !off_value(v))
			continue;
		snprintf(path, sizeof(path), "%s.ssl", f[i].path);
		if (rule_report(
			    c, json_is_string(v) ? v : f[i].v, path,
			    "the cluster resource sets ssl: off: PostgreSQL accepts plain-text connections",
			    "remove ssl from the parameters (the operators enable SSL by default)"))
			return -1;
	}
	return cluster_foreach_container(c->o->obj, server_container, c) ? -1
									 : 0;
}

struct swalk {
	struct rule_ctx *c;
	site_fn fn;
	int rc;
};

static int site_container(const struct podspec_container *pc, void *arg)
{
	struct swalk *w = arg;
	return (w->rc = sites_container(w->c, w->fn, pc)) ? 1 : 0;
}

int cluster_sites(struct rule_ctx *c, site_fn fn)
{
	struct swalk w = {c, fn, 0};
	cluster_foreach_container(c->o->obj, site_container, &w);
	return w.rc;
}
