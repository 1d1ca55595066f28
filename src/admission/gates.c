/*
 * gates.c — step 2 of admission_handle (review.c): a table of named gates,
 * run in order; the first that holds allows the review at once, without
 * judging it (DELETE/CONNECT, oldObject-only, the status subresource,
 * objects being deleted, kinds no rule reads or from another API group,
 * skipped namespaces, Pods and ReplicaSets of built-in controllers,
 * children of a Postgres operator's cluster).
 */
#include <jansson.h>
#include <string.h>

#include "pgadmit/cluster.h"
#include "pgadmit/jsonget.h"
#include "pgadmit/podspec.h"
#include "pgadmit/policy.h"
#include "pgadmit/rules.h"

#include "review_int.h"

/* Known kinds and the API group they must come from: a custom resource
 * that happens to be called "Service" is not judged as a Service. */
static const struct {
	const char *kind, *group;
} builtin_kinds[] = {
	{"Pod", ""},
	{"Service", ""},
	{"ConfigMap", ""},
	{"ReplicationController", ""},
	{"Deployment", "apps"},
	{"StatefulSet", "apps"},
	{"DaemonSet", "apps"},
	{"ReplicaSet", "apps"},
	{"Job", "batch"},
	{"CronJob", "batch"},
	/* Postgres cluster resources (pgadmit/cluster.h) */
	{"Cluster", "postgresql.cnpg.io"},
	{"Pooler", "postgresql.cnpg.io"},
	{"postgresql", "acid.zalan.do"},
	{"PostgresCluster", "postgres-operator.crunchydata.com"},
	{"PerconaPGCluster", "pgv2.percona.com"},
};

static bool kind_from_expected_group(const char *kind, const char *group)
{
	for (size_t i = 0; i < sizeof(builtin_kinds) / sizeof(builtin_kinds[0]);
	     i++)
		if (strcmp(kind, builtin_kinds[i].kind) == 0)
			return !group ||
			       strcmp(group, builtin_kinds[i].group) == 0;
	return true; /* unknown to us: rules_kind_relevant decides */
}

static bool gate_operation(const struct admission_env *env,
			   const struct admission_request *rq)
{
	(void)env;
	return rq->op && (strcmp(rq->op, "DELETE") == 0 ||
			  strcmp(rq->op, "CONNECT") == 0);
}

static bool gate_no_object(const struct admission_env *env,
			   const struct admission_request *rq)
{
	(void)env;
	return !rq->obj || !rq->kind; /* oldObject only, or nothing to name */
}

static bool gate_status(const struct admission_env *env,
			const struct admission_request *rq)
{
	(void)env;
	return rq->sub && strcmp(rq->sub, "status") == 0;
}

/* An object being deleted only loses finalizers from here on: refusing
 * that update would block the deletion forever. */
static bool gate_deleting(const struct admission_env *env,
			  const struct admission_request *rq)
{
	(void)env;
	return json_object_get(rq->meta, "deletionTimestamp") != NULL;
}

static bool gate_kind(const struct admission_env *env,
		      const struct admission_request *rq)
{
	(void)env;
	return !kind_from_expected_group(rq->kind, rq->group) ||
	       !rules_kind_relevant(rq->kind);
}

/* rules_eval_object() skips these namespaces too: that is its contract for
 * check and audit (asserted by test_rules "skip_namespace"); the gate is
 * here so that the webhook names the reason and never builds an oracle. */
static bool gate_namespace(const struct admission_env *env,
			   const struct admission_request *rq)
{
	return rq->ns && policy_skips_namespace(env->policy, rq->ns);
}

static bool gate_owned(const struct admission_env *env,
		       const struct admission_request *rq)
{
	(void)env;
	return (strcmp(rq->kind, "Pod") == 0 ||
		strcmp(rq->kind, "ReplicaSet") == 0) &&
	       podspec_owned_by_builtin(rq->obj);
}

/* Made by a Postgres operator for its cluster resource (rules.md
 * "Operator child"): never deny what an operator reconciles, it would retry
 * forever far from the person who can fix it; the problem is judged at the
 * cluster resource. The server logs these at info with the owner. */
static bool gate_operator_child(const struct admission_env *env,
				const struct admission_request *rq)
{
	(void)env;
	return cluster_child_owner(rq->kind, rq->obj, NULL, 0);
}

static const struct gate {
	enum admission_skip reason;
	bool (*holds)(const struct admission_env *env,
		      const struct admission_request *rq);
} gates[] = {
	{ADM_SKIP_OPERATION, gate_operation},
	{ADM_SKIP_NO_OBJECT, gate_no_object}, /* before any gate reading kind */
	{ADM_SKIP_STATUS, gate_status},
	{ADM_SKIP_DELETING, gate_deleting},
	{ADM_SKIP_KIND, gate_kind},
	{ADM_SKIP_NAMESPACE, gate_namespace},
	{ADM_SKIP_OWNED, gate_owned},
	{ADM_SKIP_OPERATOR_CHILD, gate_operator_child},
};

static const char *const skip_names[ADM_SKIP_COUNT] = {
	[ADM_SKIP_NONE] = "none",
	[ADM_SKIP_OPERATION] = "operation",
	[ADM_SKIP_NO_OBJECT] = "no-object",
	[ADM_SKIP_STATUS] = "status-subresource",
	[ADM_SKIP_DELETING] = "being-deleted",
	[ADM_SKIP_KIND] = "kind-not-judged",
	[ADM_SKIP_NAMESPACE] = "namespace-skipped",
	[ADM_SKIP_OWNED] = "owned-by-controller",
	[ADM_SKIP_OPERATOR_CHILD] = "operator-child",
};

const char *admission_skip_name(enum admission_skip s)
{
	return (unsigned)s < ADM_SKIP_COUNT ? skip_names[s] : "unknown";
}

enum admission_skip admission_gates(const struct admission_env *env,
				    const struct admission_request *rq)
{
	for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++)
		if (gates[i].holds(env, rq))
			return gates[i].reason;
	return ADM_SKIP_NONE;
}
