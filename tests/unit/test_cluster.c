/*
 * test_cluster.c — Postgres cluster resources (pgadmit/cluster.h):
 * recognition by group and kind, operator children (owner references,
 * labels, the kinds a label is trusted on), the declared containers and
 * their paths, parameters and hba lists, declared backups (each operator's
 * switches, Zalando's disabling env) and monitoring, and the pod labels a
 * monitor must select. The rules on top are covered by the op-* fixtures.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "pgadmit/cluster.h"
#include "unit.h"

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fprintf(stderr, "bad test JSON: %s: %s\n", e.text, s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	return j;
}

static void test_kinds(void)
{
	CU_ASSERT_EQUAL(cluster_kind_of("postgresql.cnpg.io/v1", "Cluster"),
			CK_CNPG_CLUSTER);
	CU_ASSERT_EQUAL(cluster_kind_of("postgresql.cnpg.io/v1", "Pooler"),
			CK_CNPG_POOLER);
	CU_ASSERT_EQUAL(cluster_kind_of("postgresql.cnpg.io/v1",
					"ScheduledBackup"),
			CK_CNPG_SCHEDULED);
	CU_ASSERT_EQUAL(cluster_kind_of("acid.zalan.do/v1", "postgresql"),
			CK_ZALANDO);
	CU_ASSERT_EQUAL(
		cluster_kind_of("postgres-operator.crunchydata.com/v1beta1",
				"PostgresCluster"),
		CK_CRUNCHY);
	CU_ASSERT_EQUAL(cluster_kind_of("postgres-operator.crunchydata.com/v1",
					"PostgresCluster"),
			CK_CRUNCHY);
	CU_ASSERT_EQUAL(cluster_kind_of("pgv2.percona.com/v2",
					"PerconaPGCluster"),
			CK_PERCONA);
	/* the same kind in another group, the group as a prefix, no group */
	CU_ASSERT_EQUAL(cluster_kind_of("clickhouse.example.com/v1", "Cluster"),
			CK_NONE);
	CU_ASSERT_EQUAL(cluster_kind_of("postgresql.cnpg.io.evil/v1",
					"Cluster"),
			CK_NONE);
	CU_ASSERT_EQUAL(cluster_kind_of("cnpg.io/v1", "Cluster"), CK_NONE);
	CU_ASSERT_EQUAL(cluster_kind_of("v1", "Cluster"), CK_NONE);
	CU_ASSERT_EQUAL(cluster_kind_of("acid.zalan.do/v1", "Postgresql"),
			CK_NONE);
	CU_ASSERT_EQUAL(cluster_kind_of(NULL, "Cluster"), CK_NONE);
	CU_ASSERT_TRUE(cluster_is_database(CK_CNPG_CLUSTER));
	CU_ASSERT_TRUE(cluster_is_database(CK_PERCONA));
	CU_ASSERT_FALSE(cluster_is_database(CK_CNPG_POOLER));
	CU_ASSERT_FALSE(cluster_is_database(CK_CNPG_SCHEDULED));
	CU_ASSERT_FALSE(cluster_is_database(CK_NONE));
}

static void test_children(void)
{
	char buf[128];
	json_t *o = parse("{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":"
			  "\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"x\"},"
			  "{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":"
			  "\"Cluster\",\"name\":\"pg-main\"}]}}");
	CU_ASSERT_TRUE(cluster_child_owner("Service", o, buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "postgresql.cnpg.io/Cluster pg-main");
	/* by owner: also the kinds where labels are not trusted */
	CU_ASSERT_TRUE(cluster_child_owner("Deployment", o, NULL, 0));
	CU_ASSERT_TRUE(cluster_child_owner("CronJob", o, NULL, 0));
	/* never the cluster resources themselves, nor unknown kinds */
	CU_ASSERT_FALSE(cluster_child_owner("Cluster", o, NULL, 0));
	CU_ASSERT_FALSE(cluster_child_owner("Ingress", o, NULL, 0));
	CU_ASSERT_FALSE(cluster_child_owner(NULL, o, NULL, 0));
	json_decref(o);

	/* an owner of another group with the same kind is not one */
	o = parse("{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":"
		  "\"example.com/v1\",\"kind\":\"Cluster\",\"name\":\"x\"}]}}");
	CU_ASSERT_FALSE(cluster_child_owner("Pod", o, NULL, 0));
	json_decref(o);
	/* a ScheduledBackup's Backup objects are not children of a cluster */
	o = parse("{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":"
		  "\"postgresql.cnpg.io/v1\",\"kind\":\"ScheduledBackup\","
		  "\"name\":\"x\"}]}}");
	CU_ASSERT_FALSE(cluster_child_owner("Job", o, NULL, 0));
	json_decref(o);

	o = parse("{\"metadata\":{\"labels\":{\"cnpg.io/cluster\":\"pg\"}}}");
	CU_ASSERT_TRUE(cluster_child_owner("Pod", o, buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "postgresql.cnpg.io/Cluster pg (by label)");
	CU_ASSERT_TRUE(cluster_child_owner("Secret", o, NULL, 0));
	/* a label alone on a workload kind is not trusted */
	CU_ASSERT_FALSE(cluster_child_owner("Deployment", o, NULL, 0));
	CU_ASSERT_FALSE(cluster_child_owner("Job", o, NULL, 0));
	json_decref(o);

	o = parse("{\"metadata\":{\"labels\":{\"cnpg.io/cluster\":\"\"}}}");
	CU_ASSERT_FALSE(cluster_child_owner("Pod", o, NULL, 0));
	json_decref(o);
	o = parse("{\"metadata\":{\"labels\":{\"cluster-name\":\"acid\","
		  "\"application\":\"spilo\"}}}");
	CU_ASSERT_TRUE(cluster_child_owner("StatefulSet", o, buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "acid.zalan.do/postgresql acid (by label)");
	json_decref(o);
	o = parse("{\"metadata\":{\"labels\":{\"cluster-name\":\"acid\"}}}");
	CU_ASSERT_FALSE(cluster_child_owner("StatefulSet", o, NULL, 0));
	json_decref(o);
	o = parse("{\"metadata\":{\"labels\":{"
		  "\"postgres-operator.crunchydata.com/cluster\":\"hippo\"}}}");
	CU_ASSERT_TRUE(cluster_child_owner("ConfigMap", o, buf, 20));
	CU_ASSERT_EQUAL(strlen(buf), 19); /* cut to the buffer */
	json_decref(o);
	/* wrong types never crash nor match */
	o = parse("{\"metadata\":{\"labels\":[1],\"ownerReferences\":{}}}");
	CU_ASSERT_FALSE(cluster_child_owner("Pod", o, NULL, 0));
	json_decref(o);
	o = parse(
		"{\"metadata\":{\"ownerReferences\":[1,{\"kind\":\"Cluster\"},"
		"{\"apiVersion\":7}]}}");
	CU_ASSERT_FALSE(cluster_child_owner("Pod", o, NULL, 0));
	json_decref(o);
}

struct seen {
	char paths[8][96];
	const char *images[8];
	int n;
};

static int collect(const struct podspec_container *pc, void *arg)
{
	struct seen *s = arg;
	if (s->n < 8) {
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", pc->path);
		s->images[s->n] = pc->image;
		s->n++;
	}
	return 0;
}

static void test_containers(void)
{
	struct seen s = {0};
	json_t *o = parse(
		"{\"apiVersion\":\"acid.zalan.do/v1\",\"kind\":\"postgresql\","
		"\"spec\":{\"sidecars\":[{\"name\":\"e\",\"image\":\"exp\"},1],"
		"\"initContainers\":[{\"name\":\"i\"}]}}");
	CU_ASSERT_EQUAL(cluster_foreach_container(o, collect, &s), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.paths[0], "spec");
	CU_ASSERT_STRING_EQUAL(s.images[0], "ghcr.io/zalando/spilo-17");
	CU_ASSERT_STRING_EQUAL(s.paths[1], "spec.sidecars[0]");
	CU_ASSERT_STRING_EQUAL(s.paths[2], "spec.initContainers[0]");
	json_decref(o);

	memset(&s, 0, sizeof(s));
	o = parse(
		"{\"apiVersion\":\"postgres-operator.crunchydata.com/v1\","
		"\"kind\":\"PostgresCluster\",\"spec\":{\"instances\":["
		"{\"name\":\"a\",\"sidecars\":{\"replicaCertCopy\":{}}},"
		"{\"containers\":[{\"name\":\"c\"}]}],\"proxy\":{\"pgBouncer\":"
		"{\"containers\":[{\"name\":\"p\"}]}}}}");
	cluster_foreach_container(o, collect, &s);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.paths[0], "spec.instances[1].containers[0]");
	CU_ASSERT_STRING_EQUAL(s.paths[1],
			       "spec.proxy.pgBouncer.containers[0]");
	json_decref(o);

	memset(&s, 0, sizeof(s));
	o = parse("{\"apiVersion\":\"pgv2.percona.com/v2\",\"kind\":"
		  "\"PerconaPGCluster\",\"spec\":{\"instances\":[{\"sidecars\":"
		  "[{\"name\":\"s\"}],\"containers\":{\"x\":1}}]}}");
	cluster_foreach_container(o, collect, &s);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.paths[0], "spec.instances[0].sidecars[0]");
	json_decref(o);

	memset(&s, 0, sizeof(s));
	o = parse(
		"{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":\"Pooler\","
		"\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
		"\"pgbouncer\"}]}}}}");
	cluster_foreach_container(o, collect, &s);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.paths[0], "spec.template.spec.containers[0]");
	json_decref(o);

	/* not a cluster resource: nothing */
	memset(&s, 0, sizeof(s));
	o = parse("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Cluster\","
		  "\"spec\":{\"sidecars\":[{}]}}");
	cluster_foreach_container(o, collect, &s);
	CU_ASSERT_EQUAL(s.n, 0);
	json_decref(o);
}

static void test_fields(void)
{
	struct cluster_field f[4];
	json_t *o = parse(
		"{\"apiVersion\":\"pgv2.percona.com/v2\",\"kind\":"
		"\"PerconaPGCluster\",\"spec\":{\"patroni\":{\"dynamicConfiguration\":"
		"{\"postgresql\":{\"parameters\":{},\"pg_hba\":[]}}},"
		"\"config\":{\"parameters\":{}},\"authentication\":{\"rules\":[]}}}");
	CU_ASSERT_EQUAL_FATAL(cluster_parameters(o, f, 4), 2);
	CU_ASSERT_STRING_EQUAL(
		f[0].path,
		"spec.patroni.dynamicConfiguration.postgresql.parameters");
	CU_ASSERT_STRING_EQUAL(f[1].path, "spec.config.parameters");
	CU_ASSERT_EQUAL(cluster_parameters(o, f, 1), 1); /* capped */
	CU_ASSERT_EQUAL_FATAL(cluster_hba_lists(o, f, 4), 2);
	CU_ASSERT_STRING_EQUAL(f[1].path, "spec.authentication.rules");
	json_decref(o);
	o = parse(
		"{\"apiVersion\":\"acid.zalan.do/v1\",\"kind\":\"postgresql\","
		"\"spec\":{\"patroni\":{\"pg_hba\":[]}}}");
	CU_ASSERT_EQUAL_FATAL(cluster_hba_lists(o, f, 4), 1);
	CU_ASSERT_STRING_EQUAL(f[0].path, "spec.patroni.pg_hba");
	CU_ASSERT_EQUAL(cluster_parameters(o, f, 4), 0);
	json_decref(o);
}

static bool declares(const char *js)
{
	json_t *o = parse(js);
	bool b = cluster_declares_backup(o, NULL, NULL, 0);
	json_decref(o);
	return b;
}

#define CNPG "{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":\"Cluster\","
#define PGO                                                                    \
	"{\"apiVersion\":\"postgres-operator.crunchydata.com/v1\",\"kind\":\"PostgresCluster\","
#define PERC                                                                   \
	"{\"apiVersion\":\"pgv2.percona.com/v2\",\"kind\":\"PerconaPGCluster\","
#define ZAL "{\"apiVersion\":\"acid.zalan.do/v1\",\"kind\":\"postgresql\","

static void test_backups(void)
{
	CU_ASSERT_FALSE(declares(CNPG "\"spec\":{}}"));
	CU_ASSERT_FALSE(declares(
		CNPG "\"spec\":{\"backup\":{\"retentionPolicy\":\"30d\"}}}"));
	CU_ASSERT_FALSE(declares(
		CNPG "\"spec\":{\"backup\":{\"barmanObjectStore\":{}}}}"));
	CU_ASSERT_TRUE(declares(
		CNPG
		"\"spec\":{\"backup\":{\"barmanObjectStore\":{\"destinationPath\":\"s3://b\"}}}}"));
	CU_ASSERT_TRUE(declares(
		CNPG
		"\"spec\":{\"backup\":{\"volumeSnapshot\":{\"className\":\"c\"}}}}"));
	CU_ASSERT_TRUE(declares(
		CNPG
		"\"spec\":{\"plugins\":[{\"name\":\"x.example\",\"isWALArchiver\":true}]}}"));
	CU_ASSERT_TRUE(declares(
		CNPG
		"\"spec\":{\"plugins\":[{\"name\":\"barman-cloud.cloudnative-pg.io\"}]}}"));
	CU_ASSERT_FALSE(declares(
		CNPG
		"\"spec\":{\"plugins\":[{\"name\":\"barman-cloud.cloudnative-pg.io\",\"enabled\":false}]}}"));
	CU_ASSERT_FALSE(declares(
		CNPG
		"\"spec\":{\"plugins\":[{\"name\":\"cnpg-i-hello-world\"}]}}"));

	CU_ASSERT_FALSE(declares(PGO "\"spec\":{}}"));
	CU_ASSERT_FALSE(declares(
		PGO "\"spec\":{\"backups\":{\"pgbackrest\":{\"repos\":[]}}}}"));
	CU_ASSERT_TRUE(declares(
		PGO
		"\"spec\":{\"backups\":{\"pgbackrest\":{\"repos\":[{\"name\":\"repo1\"}]}}}}"));
	CU_ASSERT_TRUE(declares(
		PGO
		"\"spec\":{\"backups\":{\"snapshots\":{\"volumeSnapshotClassName\":\"c\"}}}}"));
	CU_ASSERT_FALSE(
		declares(PGO "\"spec\":{\"backups\":{\"snapshots\":{}}}}"));

	CU_ASSERT_TRUE(declares(
		PERC
		"\"spec\":{\"backups\":{\"pgbackrest\":{\"repos\":[{\"name\":\"repo1\"}]}}}}"));
	CU_ASSERT_FALSE(declares(
		PERC
		"\"spec\":{\"backups\":{\"enabled\":false,\"pgbackrest\":{\"repos\":[{\"name\":\"repo1\"}]}}}}"));
	CU_ASSERT_TRUE(declares(
		PERC
		"\"spec\":{\"backups\":{\"volumeSnapshots\":{\"className\":\"c\"}}}}"));
	CU_ASSERT_FALSE(declares(
		PERC
		"\"spec\":{\"backups\":{\"snapshots\":{\"volumeSnapshotClassName\":\"c\"}}}}"));

	/* Zalando: operator-wide unless its env empties a bucket */
	CU_ASSERT_TRUE(declares(ZAL "\"spec\":{}}"));
	CU_ASSERT_TRUE(declares(
		ZAL
		"\"spec\":{\"env\":[{\"name\":\"WAL_S3_BUCKET\",\"value\":\"b\"}]}}"));
	CU_ASSERT_TRUE(declares(
		ZAL
		"\"spec\":{\"env\":[{\"name\":\"WAL_S3_BUCKET\",\"valueFrom\":{}}]}}"));
	CU_ASSERT_TRUE(declares(
		ZAL
		"\"spec\":{\"enableLogicalBackup\":true,\"env\":[{\"name\":\"WAL_GS_BUCKET\",\"value\":\"\"}]}}"));
	json_t *o = parse(
		ZAL "\"spec\":{\"env\":[{\"name\":\"TZ\",\"value\":\"UTC\"},"
		    "{\"name\":\"AZURE_STORAGE_ACCOUNT\",\"value\":\"\"}]}}");
	const json_t *node = NULL;
	char path[64] = "";
	CU_ASSERT_FALSE(cluster_declares_backup(o, &node, path, sizeof(path)));
	CU_ASSERT_STRING_EQUAL(path, "spec.env[1].value");
	CU_ASSERT_PTR_EQUAL(
		node,
		json_object_get(
			json_array_get(json_object_get(json_object_get(o,
								       "spec"),
						       "env"),
				       1),
			"value"));
	json_decref(o);
	/* not a database */
	CU_ASSERT_FALSE(declares(
		"{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":\"Pooler\",\"spec\":{}}"));
}

static bool is_exp(const char *image, void *arg)
{
	(void)arg;
	return strstr(image, "exporter") != NULL;
}

static bool monitored(const char *js)
{
	json_t *o = parse(js);
	bool b = cluster_declares_monitoring(o, is_exp, NULL);
	json_decref(o);
	return b;
}

static void test_monitoring(void)
{
	CU_ASSERT_TRUE(monitored(
		CNPG "\"spec\":{\"monitoring\":{\"enablePodMonitor\":true}}}"));
	CU_ASSERT_FALSE(monitored(
		CNPG
		"\"spec\":{\"monitoring\":{\"enablePodMonitor\":\"true\"}}}"));
	CU_ASSERT_FALSE(monitored(CNPG "\"spec\":{}}"));
	CU_ASSERT_TRUE(monitored(
		PGO
		"\"spec\":{\"monitoring\":{\"pgmonitor\":{\"exporter\":{}}}}}"));
	CU_ASSERT_FALSE(
		monitored(PGO "\"spec\":{\"monitoring\":{\"pgmonitor\":{}}}}"));
	CU_ASSERT_TRUE(
		monitored(PERC "\"spec\":{\"pmm\":{\"enabled\":true}}}"));
	CU_ASSERT_FALSE(
		monitored(PERC "\"spec\":{\"pmm\":{\"enabled\":false}}}"));
	CU_ASSERT_TRUE(monitored(
		ZAL
		"\"spec\":{\"sidecars\":[{\"image\":\"postgres-exporter:1\"}]}}"));
	CU_ASSERT_FALSE(monitored(
		ZAL "\"spec\":{\"sidecars\":[{\"image\":\"telegraf\"}]}}"));

	json_t *o = parse(CNPG "\"metadata\":{\"name\":\"pg\"}}");
	json_t *l = cluster_pod_labels(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(l, "cnpg.io/cluster")),
			       "pg");
	json_decref(l);
	json_decref(o);
	o = parse(ZAL "\"metadata\":{\"name\":\"acid\"}}");
	l = cluster_pod_labels(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(json_object_size(l), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(l, "application")),
			       "spilo");
	json_decref(l);
	json_decref(o);
	o = parse(PERC "\"metadata\":{\"name\":\"c1\"}}");
	l = cluster_pod_labels(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_object_get(
			l, "postgres-operator.crunchydata.com/cluster")),
		"c1");
	json_decref(l);
	json_decref(o);
	o = parse(CNPG "\"metadata\":{}}");
	CU_ASSERT_PTR_NULL(cluster_pod_labels(o));
	json_decref(o);
}

static CU_TestInfo tests[] = {
	{"kinds by group and kind", test_kinds},
	{"operator children", test_children},
	{"declared containers and paths", test_containers},
	{"parameters and hba lists", test_fields},
	{"declared backups", test_backups},
	{"monitoring and pod labels", test_monitoring},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"cluster", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_cluster", suites);
}
