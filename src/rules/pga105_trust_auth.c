/*
 * pga105_trust_auth.c — PGA105 postgres-trust-auth.
 *
 *   .1 a Postgres server container (Kubernetes `containers`, Compose
 *      service) with a literal env POSTGRES_HOST_AUTH_METHOD=trust or
 *      ALLOW_EMPTY_PASSWORD=yes; also the same keys of a ConfigMap it loads
 *      with envFrom (bundle: deferred to ns_evidence_resolve; webhook: the
 *      oracle's configmap_trust; UNKNOWN is capped at warn);
 *   .2 a pg_hba.conf line with method trust for a non-local address in a
 *      ConfigMap value whose key ends in hba.conf (and, through
 *      pga105_judge_hba_list/_text, the operators' hba lists).
 * hba lines are parsed by hba_next_line() and classified by
 * probe_hba_classify(): the same code the probe runs on pg_hba_file_rules.
 */
#include "rule.h"

static const char *const kinds[] = {
	"Pod",	      "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
	"ReplicationController", "Job", "CronJob", "ConfigMap", "ComposeService",
	NULL};

bool pga105_hba_line_is_trust(const char *line, size_t len)
{
	(void)line;
	(void)len;
	return false; /* filled in next */
}

int pga105_judge_hba_text(struct rule_ctx *c, const json_t *node,
			  const char *path, const char *text, size_t len)
{
	(void)c, (void)node, (void)path, (void)text, (void)len;
	return 0;
}

int pga105_judge_hba_list(struct rule_ctx *c, const json_t *arr,
			  const char *path)
{
	(void)c, (void)arr, (void)path;
	return 0;
}

static int eval(struct rule_ctx *c)
{
	(void)c;
	return 0;
}

const struct rule rule_pga105 = {
	.id = R_PGA105,
	.kinds = kinds,
	.eval = eval,
};
