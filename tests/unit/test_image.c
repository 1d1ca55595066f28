/*
 * test_image.c — rules.md "Postgres server image" as a table, both ways:
 * the built-in pattern, versioned and distribution-suffixed names, the
 * vendor list (built in, extended by the policy file and the
 * environment, its entries checked), the never-servers; and a figure:
 * nanoseconds per policy_is_pg_image call (printed, not asserted).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/policy.h"
#include "unit.h"

static const char *const servers[] = {
	/* the pattern */
	"postgres",
	"postgres:16",
	"docker.io/library/postgres:16.4",
	"docker.io/bitnami/postgresql:16.4.0-debian-12-r0",
	"postgis/postgis:16-3.4",
	"timescale/timescaledb-ha:pg16",
	"ghcr.io/zalando/spilo-15:3.0-p1",
	"registry.local:5000/postgres",
	"postgres@sha256:0123abcd",
	"crunchydata/crunchy-postgres-gis:x",
	"bitnami/postgresql-repmgr:15",
	"POSTGRES:16",
	/* a major version and a distribution suffix */
	"registry.redhat.io/rhel9/postgresql-16",
	"registry.redhat.io/rhel8/postgresql-15:1-50",
	"quay.io/sclorg/postgresql-15-c9s",
	"quay.io/sclorg/postgresql-16-c10s:latest",
	"example/postgresql-16-alpine",
	"example/postgres-15-alpine:3.19",
	"sourcegraph/postgresql-16-codeinsights:5.3.0",
	"sourcegraph/postgresql-12-alpine",
	"centos/postgresql-96-centos7",
	"example/postgres-9.6",
	"example/postgis-16-3.4",
	"example/timescaledb-ha-16",
	"example/crunchy-postgres-16",
	"example/postgresql-repmgr-14-debian",
	"Example/PostgreSQL-16-Alpine",
	"registry:5000/team/postgres-15@sha256:abc",
	/* known vendor server images */
	"goharbor/harbor-db:v2.10.0",
	"ghcr.io/cloudnative-pg/postgresql:16.2",
	"ghcr.io/cloudnative-pg/postgresql:16.2-bookworm",
	"registry.opensource.zalan.do/acid/spilo-16:3.2-p2",
	"ghcr.io/zalando/spilo-cdp-16:3.3",
	"example/patroni:3.2",
};

static const char *const not_servers[] = {
	"prometheuscommunity/postgres-exporter:v0.15",
	"postgres_exporter",
	"quay.io/prometheuscommunity/postgres-exporter",
	"bitnami/postgres-exporter:0.15.0",
	"bitnami/pgbouncer:1",
	"pgbouncer/pgbouncer",
	"dpage/pgadmin4:8",
	"postgresql-client",
	"alpine/postgresql-client:16",
	"nginx:1.25",
	"registry.local:5000/app",
	"",
	"mypostgres",
	"postgres-operator",
	"registry.opensource.zalan.do/acid/postgres-operator:v1.12.2",
	"percona/percona-postgresql-operator:2.3.1",
	"ghcr.io/cloudnative-pg/cloudnative-pg:1.23",
	"registry.developers.crunchydata.com/crunchydata/postgres-operator:ubi8-5.5.0",
	/* a role after the version */
	"example/postgresql-16-exporter",
	"example/postgres-15-client",
	"example/postgresql-16-backup",
	"example/postgres-16-operator",
	"example/postgresql-15-pgbouncer",
	"example/postgres-16-pgadmin",
	"example/spilo-exporter",
	"example/spilo-16-backup",
	/* not a version, not a listed base */
	"example/postgresql-ha",
	"example/postgres-alpine",
	"example/postgresqlx-16",
	"example/mysql-8",
	"example/-16",
	"example/postgresql-16x",
	"example/harbor-core",
	"example/postgresql/",
	"cloudnative-pg",
	"harbor-db-exporter",
	/* cloudnative-pg/postgresql is matched on two components */
	"other/pg/postgresql-like",
};

static void check_table(const struct policy *p)
{
	for (size_t i = 0; i < sizeof(servers) / sizeof(*servers); i++) {
		if (!policy_is_pg_image(p, servers[i]))
			fprintf(stderr, "\n  not a server: %s", servers[i]);
		CU_ASSERT_TRUE(policy_is_pg_image(p, servers[i]));
	}
	for (size_t i = 0; i < sizeof(not_servers) / sizeof(*not_servers);
	     i++) {
		if (policy_is_pg_image(p, not_servers[i]))
			fprintf(stderr, "\n  a server: %s", not_servers[i]);
		CU_ASSERT_FALSE(policy_is_pg_image(p, not_servers[i]));
	}
	CU_ASSERT_FALSE(policy_is_pg_image(p, NULL));
}

static void test_defaults(void)
{
	struct err e;
	struct policy p;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	check_table(&p);
	policy_release(&p);
}

static int load(struct policy *p, const char *text, struct err *e)
{
	err_clear(e);
	if (policy_init(p, e))
		return -2;
	return policy_load_buffer(p, text, strlen(text), "policy.yaml", e);
}

static void test_policy_list(void)
{
	struct err e;
	struct policy p;
	const char *good =
		"postgres:\n"
		"  serverImages: [acme/pg-vault, ACME-DB-*, yugabyte]\n";
	CU_ASSERT_EQUAL_FATAL(load(&p, good, &e), 0);
	check_table(&p); /* the built-in list is still there */
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "registry:5000/acme/pg-vault:2"));
	CU_ASSERT_FALSE(policy_is_pg_image(&p, "other/pg-vault:2"));
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "acme-db-16:1"));
	CU_ASSERT_FALSE(policy_is_pg_image(&p, "acme-db-exporter:1"));
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "yugabytedb/yugabyte:2.20"));
	policy_release(&p);

	/* versioned names follow a custom pattern too */
	CU_ASSERT_EQUAL_FATAL(load(&p, "postgres:\n  imagePattern: '^mypg$'\n",
				   &e),
			      0);
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "mypg-16-alpine"));
	CU_ASSERT_FALSE(policy_is_pg_image(&p, "postgresql-16"));
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "goharbor/harbor-db:v2"));
	policy_release(&p);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"postgres:\n  serverImages: harbor-db\n",
		 "policy.yaml:2: postgres.serverImages: expected a list of image names"},
		{"postgres:\n  serverImages: [1]\n",
		 "policy.yaml:2: postgres.serverImages: expected a list of image names"},
		{"postgres:\n  serverImages: ['x:1']\n",
		 "policy.yaml:2: postgres.serverImages: server image 'x:1': expected a name or path/name without tag or digest, '*' only at the end"},
		{"postgres:\n  serverImages: ['']\n",
		 "policy.yaml:2: postgres.serverImages: server image '': expected 1 to 128 characters"},
		{"postgres:\n  serverImages: ['a*b']\n",
		 "policy.yaml:2: postgres.serverImages: server image 'a*b': expected a name or path/name without tag or digest, '*' only at the end"},
		{"postgres:\n  serverImages: ['/a']\n",
		 "policy.yaml:2: postgres.serverImages: server image '/a': expected a name or path/name without tag or digest, '*' only at the end"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CU_ASSERT_EQUAL(load(&p, bad[i].text, &e), -1);
		if (strcmp(e.msg, bad[i].msg))
			fprintf(stderr, "\n  got: %s\n  want: %s", e.msg,
				bad[i].msg);
		CU_ASSERT_STRING_EQUAL(e.msg, bad[i].msg);
		policy_release(&p);
	}
}

static void test_env(void)
{
	struct err e;
	struct policy p;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	setenv("PGADMIT_SERVER_IMAGES", "acme/pg-vault, yugabyte", 1);
	CU_ASSERT_EQUAL(policy_apply_env(&p, &e), 0);
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "acme/pg-vault:2"));
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "yugabyte"));
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "goharbor/harbor-db:v2"));
	policy_release(&p);
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	setenv("PGADMIT_SERVER_IMAGES", "ok,bad:tag", 1);
	CU_ASSERT_EQUAL(policy_apply_env(&p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(e.msg, "PGADMIT_SERVER_IMAGES: server image 'bad:tag'"));
	unsetenv("PGADMIT_SERVER_IMAGES");
	policy_release(&p);
}

static void test_speed(void)
{
	struct err e;
	struct policy p;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	size_t n = sizeof(servers) / sizeof(*servers) +
		   sizeof(not_servers) / sizeof(*not_servers);
	struct timespec a, b;
	int hits = 0, rounds = 2000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < sizeof(servers) / sizeof(*servers); i++)
			hits += policy_is_pg_image(&p, servers[i]);
		for (size_t i = 0;
		     i < sizeof(not_servers) / sizeof(*not_servers); i++)
			hits += policy_is_pg_image(&p, not_servers[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
		     (double)(b.tv_nsec - a.tv_nsec)) /
		    ((double)rounds * (double)n);
	printf("\n  policy_is_pg_image: %.0f ns per call (%zu images x %d)\n",
	       ns, n, rounds);
	CU_ASSERT_EQUAL(hits,
			rounds * (int)(sizeof(servers) / sizeof(*servers)));
	policy_release(&p);
}

static CU_TestInfo tests[] = {
	{"built-in: servers and not", test_defaults},
	{"policy list extends, entries checked", test_policy_list},
	{"PGADMIT_SERVER_IMAGES", test_env},
	{"speed (figure)", test_speed},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"image", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_image", suites);
}
