/*
 * pga106_monitoring_missing.c — PGA106 postgres-monitoring-missing.
 *
 * A Postgres workload (as PGA103: StatefulSet, Deployment, DaemonSet,
 * ReplicaSet, or a Pod without ownerReferences, with a `containers` entry
 * running a Postgres server image) fires when nothing exports its metrics:
 * no exporter container in its own Pod spec, and in its namespace no
 * exporter Deployment/StatefulSet, no PodMonitor/ServiceMonitor/GKE
 * PodMonitoring selecting its pods (ns_evidence.c). pgadmit.dev/monitoring:
 * "<non-empty reason>" suppresses it.
 */
#include "rule.h"

static const char *const kinds[] = {"StatefulSet", "Deployment", "DaemonSet",
				    "ReplicaSet", "Pod", NULL};

bool pga106_is_exporter_image(const struct policy *p, const char *image)
{
	(void)p, (void)image;
	return false;
}

int pga106_judge(struct rule_ctx *c, const json_t *pod_labels,
		 bool monitored_here, const json_t *node, const char *path)
{
	(void)c, (void)pod_labels, (void)monitored_here, (void)node,
		(void)path;
	return 0;
}

static int eval(struct rule_ctx *c)
{
	(void)c;
	return 0;
}

const struct rule rule_pga106 = {
	.id = R_PGA106,
	.kinds = kinds,
	.eval = eval,
};
