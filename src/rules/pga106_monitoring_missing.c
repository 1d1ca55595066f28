/*
 * pga106_monitoring_missing.c — PGA106 postgres-monitoring-missing.
 *
 * A Postgres workload (as PGA103: StatefulSet, Deployment, DaemonSet,
 * ReplicaSet, or a Pod without ownerReferences, with a `containers` entry
 * running a Postgres server image) fires when nothing exports its metrics:
 * no exporter container in its own Pod spec (containers, or an init
 * container: native sidecars), and in its namespace no exporter
 * Deployment/StatefulSet and no PodMonitor, ServiceMonitor (through a
 * Service) or GKE PodMonitoring selecting its pod labels (ns_evidence.c).
 * pgadmit.dev/monitoring: "<non-empty reason>" suppresses it.
 *
 * Where the namespace's evidence comes from is the caller's: a bundle
 * (check, audit: the candidate is deferred to ns_evidence_resolve), the
 * webhook's oracle (FOUND / NOT_FOUND / UNKNOWN, the last capped at warn),
 * or nothing (a lone object: reported at once).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/podspec.h"
#include "cluster_int.h"
#include "rule.h"

#define MONITORING_ANN "pgadmit.dev/monitoring"
#define HINT                                                                   \
	"add a postgres_exporter sidecar or a PodMonitor selecting its pods, or annotate pgadmit.dev/monitoring: \"<reason>\""

static const char *const kinds[] = {"StatefulSet", "Deployment",
				    "DaemonSet",   "ReplicaSet",
				    "Pod",         RULE_KINDS_CLUSTERS,
				    NULL};

static const char *const exporters[] = {"postgres_exporter",
					"postgres-exporter",
					"crunchy-postgres-exporter", NULL};

bool pga106_is_exporter_image(const struct policy *p, const char *image)
{
	if (!image || !*image)
		return false;
	size_t len = strcspn(image, "@");
	const char *last = image;
	for (size_t i = 0; i < len; i++)
		if (image[i] == '/')
			last = image + i + 1;
	size_t n = strcspn(last, ":@");
	for (int i = 0; exporters[i]; i++)
		if (strlen(exporters[i]) == n &&
		    strncasecmp(exporters[i], last, n) == 0)
			return true;
	return policy_is_listed_exporter(p, image);
}

int pga106_judge(struct rule_ctx *c, const json_t *pod_labels,
		 bool monitored_here, const json_t *node, const char *path)
{
	const json_t *md = json_object_get(c->o->obj, "metadata");
	if (monitored_here ||
	    rule_reason_ok(json_get_str(json_object_get(md, "annotations"),
					MONITORING_ANN)))
		return 0;
	const struct backup_oracle *o = c->oracle;
	char msg[RULE_MSG_MAX * 2], why[96] = "";
	snprintf(msg, sizeof(msg),
		 "PostgreSQL %s: no exporter or monitor for its metrics",
		 c->o->kind);
	if (o && o->bundle) {
		size_t before = c->deferred ? c->deferred->n : 0;
		if (rule_report_as(c, c->action, true, node, path, msg, HINT))
			return -1;
		if (c->deferred && c->deferred->n > before &&
		    ns_evidence_defer_monitoring(o->bundle, c->o->ns,
						 pod_labels)) {
			c->oom = true;
			return -1;
		}
		return 0;
	}
	if (!o || !o->monitoring)
		return rule_report(c, node, path, msg, HINT);
	switch (o->monitoring(o->arg, c->o->ns, pod_labels, why, sizeof(why))) {
	case BACKUP_FOUND: return 0;
	case BACKUP_UNKNOWN:
		snprintf(msg, sizeof(msg),
			 "monitoring of this PostgreSQL workload could not be "
			 "verified: %s",
			 why[0] ? why : "lookup failed");
		return rule_report_as(c,
				      c->action > ACTION_WARN ? ACTION_WARN
							      : c->action,
				      false, node, path, msg, HINT);
	default: return rule_report(c, node, path, msg, HINT);
	}
}

struct scan {
	const struct policy *p;
	bool server, exporter;
};

static int scan_container(const struct podspec_container *pc, void *arg)
{
	struct scan *s = arg;
	if (pc->list == PODSPEC_CONTAINERS &&
	    policy_is_pg_image(s->p, pc->image))
		s->server = true;
	if (pc->list != PODSPEC_EPHEMERAL &&
	    pga106_is_exporter_image(s->p, pc->image))
		s->exporter = true;
	return 0;
}

static int eval(struct rule_ctx *c)
{
	const json_t *obj = c->o->obj;
	const json_t *md = json_object_get(obj, "metadata");
	const json_t *labels;
	if (cluster_kind_of_obj(obj) != CK_NONE)
		return cluster_pga106(c); /* cluster_auth.c */
	if (strcmp(c->o->kind, "Pod") == 0) {
		const json_t *owners = json_object_get(md, "ownerReferences");
		if (json_is_array(owners) && json_array_size(owners) > 0)
			return 0; /* managed: judged through its controller */
		labels = json_object_get(md, "labels");
	} else {
		labels = json_object_get(
			json_object_get(json_object_get(json_object_get(obj,
									"spec"),
							"template"),
					"metadata"),
			"labels");
	}
	struct podspec ps;
	struct scan s = {.p = c->p};
	if (!podspec_locate(c->o->kind, obj, &ps))
		return 0;
	podspec_foreach(&ps, scan_container, &s);
	if (!s.server)
		return 0;
	return pga106_judge(c, labels, s.exporter, json_object_get(md, "name"),
			    "metadata.name");
}

const struct rule rule_pga106 = {
	.id = R_PGA106,
	.kinds = kinds,
	.eval = eval,
};
