/*
 * cluster_auth.c — PGA105 and PGA106 for Postgres cluster resources
 * (cluster_int.h); the rules themselves are pga105_trust_auth.c and
 * pga106_monitoring_missing.c.
 *
 * PGA105.2: the resource's hba lists go through the probe's hba parser
 * (pga105_judge_hba_list): CloudNativePG spec.postgresql.pg_hba, Zalando
 * spec.patroni.pg_hba, Crunchy/Percona
 * spec.patroni.dynamicConfiguration.postgresql.pg_hba, and
 * spec.authentication.rules, whose entries are either {hba: "<line>"} or
 * structured {connection, method, databases, users}: the operator writes a
 * structured rule for all addresses ("<connection> <dbs> <users> all
 * <method>"), so method trust on a non-local connection fires.
 * PGA106: a database resource (not a Pooler) is monitored when it says so
 * itself (cluster_declares_monitoring), else the namespace is asked with
 * the labels the operator puts on its pods (cluster_pod_labels), so a
 * PodMonitor selecting cnpg.io/cluster: <name> counts.
 */
#include <stdio.h>
#include <string.h>

#include "cluster_int.h"

/* Crunchy/Percona spec.authentication.rules[]. */
static int auth_rules(struct rule_ctx *c, const json_t *arr, const char *path)
{
	size_t i;
	const json_t *r;
	char p[128], line[160];
	json_array_foreach(arr, i, r) {
		const json_t *hba = json_object_get(r, "hba");
		if (json_is_string(hba)) {
			snprintf(p, sizeof(p), "%s[%zu].hba", path, i);
			if (pga105_judge_hba_text(c, hba, p,
						  json_string_value(hba),
						  json_string_length(hba)))
				return -1;
			continue;
		}
		const char *conn = json_get_str(r, "connection");
		const char *method = json_get_str(r, "method");
		if (!conn || !method || strchr(conn, ' ') ||
		    strchr(method, ' '))
			continue;
		/* databases/users do not change the address: all */
		snprintf(line, sizeof(line), "%.40s all all all %.40s", conn,
			 method);
		if (!pga105_hba_line_is_trust(line, strlen(line)))
			continue;
		snprintf(p, sizeof(p), "%s[%zu].method", path, i);
		if (pga105_judge_hba_text(c, json_object_get(r, "method"), p,
					  line, strlen(line)))
			return -1;
	}
	return 0;
}

int cluster_pga105(struct rule_ctx *c)
{
	struct cluster_field f[4];
	size_t n = cluster_hba_lists(c->o->obj, f, 4);
	for (size_t i = 0; i < n; i++) {
		int rc = strstr(f[i].path, "authentication.rules")
				 ? auth_rules(c, f[i].v, f[i].path)
				 : pga105_judge_hba_list(c, f[i].v, f[i].path);
		if (rc)
			return -1;
	}
	return 0;
}

static bool exporter(const char *image, void *arg)
{
	return pga106_is_exporter_image(arg, image);
}

int cluster_pga106(struct rule_ctx *c)
{
	const json_t *obj = c->o->obj;
	if (!cluster_is_database(cluster_kind_of_obj(obj)))
		return 0;
	bool here = cluster_declares_monitoring(obj, exporter, (void *)c->p);
	const json_t *name =
		json_object_get(json_object_get(obj, "metadata"), "name");
	json_t *labels = json_is_string(name) ? cluster_pod_labels(obj) : NULL;
	if (json_is_string(name) && !labels) {
		c->oom = true;
		return -1;
	}
	int rc = pga106_judge(c, labels, here, name, "metadata.name");
	json_decref(labels);
	return rc;
}
