/*
 * pga103_backup_missing.c — PGA103 postgres-backup-missing.
 *
 * A Postgres workload (StatefulSet, Deployment, DaemonSet, ReplicaSet, or a
 * Pod without ownerReferences, with a `containers` entry running a Postgres
 * server image; init and ephemeral containers do not make a workload a
 * server: apps often wait for their database with a postgres image) fires
 * when no backup is known for its namespace. pgadmit.dev/backup:
 * "<non-empty reason>" on the workload suppresses it.
 *
 * The answer comes from the caller's oracle: FOUND → nothing; NOT_FOUND →
 * a finding at the policy's action; UNKNOWN → a finding capped at warn
 * (never deny) saying why backups could not be verified; DEFER or no oracle
 * → the finding goes to `deferred` for backup_index_resolve(). The finding
 * points at metadata.name. Postgres cluster resources: cluster_rules.c.
 */
#include <stdio.h>
#include <string.h>

#include "pgadmit/podspec.h"
#include "cluster_int.h"
#include "rule.h"

#define HINT                                                                   \
	"add a CronJob running pg_dump/pgbackrest/wal-g, or annotate pgadmit.dev/backup: \"<reason>\""

static const char *const kinds[] = {"StatefulSet", "Deployment",
				    "DaemonSet",   "ReplicaSet",
				    "Pod",         RULE_KINDS_CLUSTERS,
				    NULL};

static int server_container(const struct podspec_container *pc, void *arg)
{
	const struct policy *p = arg;
	return pc->list == PODSPEC_CONTAINERS &&
	       policy_is_pg_image(p, pc->image);
}

static int eval(struct rule_ctx *c)
{
	const json_t *obj = c->o->obj;
	const json_t *md = json_object_get(obj, "metadata");
	struct podspec ps;
	if (cluster_kind_of_obj(obj) != CK_NONE)
		return cluster_pga103(c);
	if (strcmp(c->o->kind, "Pod") == 0) {
		const json_t *owners = json_object_get(md, "ownerReferences");
		if (json_is_array(owners) && json_array_size(owners) > 0)
			return 0; /* managed: judged through its controller */
	}
	if (!podspec_locate(c->o->kind, obj, &ps) ||
	    !podspec_foreach(&ps, server_container, (void *)c->p))
		return 0;
	if (rule_reason_ok(json_get_str(json_object_get(md, "annotations"),
					BACKUP_ANN)))
		return 0; /* backups handled elsewhere */
	char msg[RULE_MSG_MAX * 2];
	snprintf(msg, sizeof(msg),
		 "PostgreSQL %s has no backup CronJob in its namespace",
		 c->o->kind);
	return pga103_verdict(
		c, json_object_get(md, "name"), "metadata.name",
		"backups of this PostgreSQL workload could not be verified",
		msg, HINT);
}

int pga103_verdict(struct rule_ctx *c, const json_t *node, const char *path,
		   const char *unknown_lead, const char *missing_msg,
		   const char *hint)
{
	enum backup_state st = BACKUP_DEFER;
	char why[96] = "";
	if (c->oracle && c->oracle->lookup)
		st = c->oracle->lookup(c->oracle->arg, c->o->ns, c->o->kind,
				       c->o->name, why, sizeof(why));
	if (st == BACKUP_FOUND)
		return 0;
	if (st == BACKUP_UNKNOWN) {
		/* short: an AdmissionReview warning line is 119 bytes and the
		 * reason is what the user needs */
		char msg[RULE_MSG_MAX * 2];
		snprintf(msg, sizeof(msg), "%s: %s", unknown_lead,
			 why[0] ? why : "backup lookup failed");
		return rule_report_as(c,
				      c->action > ACTION_WARN ? ACTION_WARN
							      : c->action,
				      false, node, path, msg, hint);
	}
	return rule_report_as(c, c->action, st != BACKUP_NOT_FOUND, node, path,
			      missing_msg, hint);
}

const struct rule rule_pga103 = {
	.id = R_PGA103,
	.kinds = kinds,
	.eval = eval,
};
