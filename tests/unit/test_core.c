/* test_core.c — policy, actions, findings, strbuf, whole-file reads. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgadmit/action.h"
#include "pgadmit/file.h"
#include "pgadmit/finding.h"
#include "pgadmit/policy.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

static void test_defaults(void)
{
	struct err e;
	struct policy p;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	CU_ASSERT_EQUAL(p.actions[R_PGA101], ACTION_DENY);
	CU_ASSERT_EQUAL(p.actions[R_PGA102], ACTION_DENY);
	CU_ASSERT_EQUAL(p.actions[R_PGA103], ACTION_WARN);
	CU_ASSERT_EQUAL(p.actions[R_PGA104], ACTION_WARN);
	CU_ASSERT_EQUAL(p.actions[R_PGA232], ACTION_DENY);
	CU_ASSERT_EQUAL(p.actions[R_PGA253], ACTION_WARN);
	CU_ASSERT_TRUE(policy_is_pg_port_number(&p, 5432));
	CU_ASSERT_TRUE(policy_is_pg_port_number(&p, 6432));
	CU_ASSERT_FALSE(policy_is_pg_port_number(&p, 3306));
	CU_ASSERT_TRUE(policy_skips_namespace(&p, "kube-system"));
	CU_ASSERT_FALSE(policy_skips_namespace(&p, "default"));
	CU_ASSERT_FALSE(policy_skips_namespace(&p, NULL));
	policy_release(&p);
}

static void test_image_pattern(void)
{
	struct err e;
	struct policy p;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	const char *yes[] = {"postgres",
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
			     "POSTGRES:16"};
	const char *no[] = {"prometheuscommunity/postgres-exporter:v0.15",
			    "postgres_exporter",
			    "bitnami/pgbouncer:1",
			    "dpage/pgadmin4:8",
			    "nginx:1.25",
			    "registry.local:5000/app",
			    "",
			    "mypostgres"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		CU_ASSERT_TRUE(policy_is_pg_image(&p, yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		CU_ASSERT_FALSE(policy_is_pg_image(&p, no[i]));
	CU_ASSERT_TRUE(policy_is_pg_port_name(&p, "postgres"));
	CU_ASSERT_TRUE(policy_is_pg_port_name(&p, "TCP-PostgreSQL"));
	CU_ASSERT_TRUE(policy_is_pg_port_name(&p, "pgbouncer"));
	CU_ASSERT_TRUE(policy_is_pg_port_name(&p, "pg"));
	CU_ASSERT_FALSE(policy_is_pg_port_name(&p, "http"));
	CU_ASSERT_FALSE(policy_is_pg_port_name(&p, "postgres-metrics"));
	policy_release(&p);
}

static int load(struct policy *p, const char *text, struct err *e)
{
	err_clear(e);
	if (policy_init(p, e))
		return -2;
	return policy_load_buffer(p, text, strlen(text), "policy.yaml", e);
}

static void test_policy_file(void)
{
	struct err e;
	struct policy p;
	const char *good = "rules:\n"
			   "  PGA101: warn\n"
			   "  postgres-backup-missing: deny\n"
			   "  PGA104: off\n"
			   "  PGA102: {action: annotate}\n"
			   "postgres:\n"
			   "  ports: [5432, \"15432\"]\n"
			   "  imagePattern: '^(mypg)$'\n"
			   "namespaces:\n"
			   "  skip: [legacy]\n"
			   "probe:\n"
			   "  certExpiryDays: 14\n"
			   "  seqScanRatio: 2.5\n"
			   "webhook:\n"
			   "  maxBodyBytes: 1048576\n";
	CU_ASSERT_EQUAL_FATAL(load(&p, good, &e), 0);
	CU_ASSERT_EQUAL(p.actions[R_PGA101], ACTION_WARN);
	CU_ASSERT_EQUAL(p.actions[R_PGA103], ACTION_DENY);
	CU_ASSERT_EQUAL(p.actions[R_PGA104], ACTION_OFF);
	CU_ASSERT_EQUAL(p.actions[R_PGA102], ACTION_ANNOTATE);
	CU_ASSERT_TRUE(policy_is_pg_port_number(&p, 15432));
	CU_ASSERT_FALSE(policy_is_pg_port_number(&p, 6432));
	CU_ASSERT_TRUE(policy_is_pg_image(&p, "x/mypg:1"));
	CU_ASSERT_FALSE(policy_is_pg_image(&p, "postgres:16"));
	CU_ASSERT_TRUE(policy_skips_namespace(&p, "legacy"));
	CU_ASSERT_TRUE(policy_skips_namespace(&p, "kube-system"));
	CU_ASSERT_EQUAL(p.probe.cert_expiry_days, 14);
	CU_ASSERT_DOUBLE_EQUAL(p.probe.seq_scan_ratio, 2.5, 1e-9);
	CU_ASSERT_EQUAL(p.webhook.max_body_bytes, 1048576);
	policy_release(&p);

	struct {
		const char *text;
		const char *needle;
	} bad[] = {
		{"rules:\n  PGA101: maybe\n",
		 "rules.PGA101: expected deny|warn|annotate|off"},
		{"rules:\n  PGA999: deny\n", "rules.PGA999: unknown rule"},
		{"rulez: {}\n", "rulez: unknown key"},
		{"postgres:\n  ports: [70000]\n",
		 "postgres.ports: must be between 1 and 65535"},
		{"postgres:\n  imagePattern: '('\n", "postgres.imagePattern"},
		{"probe:\n  certExpiryDays: soon\n",
		 "probe.certExpiryDays: expected an integer"},
		{"probe:\n  nope: 1\n", "probe.nope: unknown key"},
		{"namespaces:\n  skip: legacy\n", "namespaces.skip"},
		{"- a\n- b\n", "expected a mapping at the top level"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = load(&p, bad[i].text, &e);
		CU_ASSERT_EQUAL(rc, -1);
		if (!strstr(e.msg, bad[i].needle))
			fprintf(stderr, "\n  policy error '%s' lacks '%s'\n",
				e.msg, bad[i].needle);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i].needle));
		policy_release(&p);
	}
}

static void test_policy_env(void)
{
	struct err e;
	setenv("PGADMIT_RULE_PGA101", "warn", 1);
	setenv("PGADMIT_POSTGRES_PORTS", "5433,6543", 1);
	setenv("PGADMIT_SKIP_NAMESPACES", "a,b", 1);
	struct policy *p = policy_new(NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->actions[R_PGA101], ACTION_WARN);
	CU_ASSERT_TRUE(policy_is_pg_port_number(p, 6543));
	CU_ASSERT_FALSE(policy_is_pg_port_number(p, 5432));
	CU_ASSERT_TRUE(policy_skips_namespace(p, "b"));
	CU_ASSERT_TRUE(policy_skips_namespace(p, "kube-system"));
	policy_free(p);
	setenv("PGADMIT_RULE_PGA101", "bogus", 1);
	p = policy_new(NULL, &e);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "PGADMIT_RULE_PGA101"));
	unsetenv("PGADMIT_RULE_PGA101");
	unsetenv("PGADMIT_POSTGRES_PORTS");
	unsetenv("PGADMIT_SKIP_NAMESPACES");
	/* probe timeouts and concurrency */
	setenv("PGADMIT_PROBE_LOCK_TIMEOUT_MS", "250", 1);
	setenv("PGADMIT_PROBE_CONCURRENCY", "9", 1);
	p = policy_new(NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->probe.lock_timeout_ms, 250);
	CU_ASSERT_EQUAL(p->probe.concurrency, 9);
	policy_free(p);
	setenv("PGADMIT_PROBE_LOCK_TIMEOUT_MS", "0", 1);
	p = policy_new(NULL, &e);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "PGADMIT_PROBE_LOCK_TIMEOUT_MS"));
	unsetenv("PGADMIT_PROBE_LOCK_TIMEOUT_MS");
	unsetenv("PGADMIT_PROBE_CONCURRENCY");
}

static void test_actions(void)
{
	CU_ASSERT_EQUAL(action_parse("deny", 0), ACTION_DENY);
	CU_ASSERT_EQUAL(action_parse("info", 0), -1);
	CU_ASSERT_EQUAL(action_parse("info", 1), ACTION_INFO);
	CU_ASSERT_EQUAL(action_parse("DENY", 0), -1);
	CU_ASSERT_TRUE(action_fails(ACTION_DENY, FAIL_ON_DENY));
	CU_ASSERT_FALSE(action_fails(ACTION_WARN, FAIL_ON_DENY));
	CU_ASSERT_TRUE(action_fails(ACTION_WARN, FAIL_ON_WARN));
	CU_ASSERT_FALSE(action_fails(ACTION_ANNOTATE, FAIL_ON_WARN));
	CU_ASSERT_FALSE(action_fails(ACTION_DENY, FAIL_ON_NEVER));
	CU_ASSERT_STRING_EQUAL(rule_meta_by_code("hba-trust")->code, "PGA252");
	CU_ASSERT_PTR_NULL(rule_meta_by_code("nope"));
}

static void test_findings(void)
{
	struct finding_list l;
	finding_list_init(&l);
	struct finding f = {.rule = "PGA102",
			    .slug = "x",
			    .file = "b.yaml",
			    .line = 3,
			    .path = "p",
			    .message = "m"};
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.file = "a.yaml";
	f.line = 9;
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.line = 2;
	f.rule = "PGA101";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	finding_list_sort(&l);
	CU_ASSERT_STRING_EQUAL(l.v[0].file, "a.yaml");
	CU_ASSERT_EQUAL(l.v[0].line, 2);
	CU_ASSERT_EQUAL(l.v[1].line, 9);
	CU_ASSERT_STRING_EQUAL(l.v[2].file, "b.yaml");
	CU_ASSERT_PTR_NULL(l.v[0].ns);
	finding_list_free(&l);
	CU_ASSERT_EQUAL(l.n, 0);
}

static void test_strbuf(void)
{
	struct strbuf sb = STRBUF_INIT;
	sb_json_escape(&sb, "a\"b\\c\nd\x01");
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "a\\\"b\\\\c\\nd\\u0001");
	sb_reset(&sb);
	for (int i = 0; i < 1000; i++)
		sb_printf(&sb, "%04d", i);
	CU_ASSERT_EQUAL(sb.len, 4000);
	char *s = sb_detach(&sb);
	CU_ASSERT_EQUAL(strncmp(s + 3996, "0999", 4), 0);
	free(s);
	CU_ASSERT_PTR_NULL(sb.buf);
}

/* A file of n bytes 'x' in a temporary directory; its path in path. */
static int write_n(char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		fputc('x', f);
	return fclose(f);
}

static void test_file_read(void)
{
	char dir[] = "/tmp/pgadmit-file-XXXXXX", path[64];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	struct err e = {0};
	size_t len = 99;
	const size_t sizes[] = {0, 1, 4095, 4096, 4097, 10000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		CU_ASSERT_EQUAL_FATAL(write_n(path, sizes[i]), 0);
		char *b = file_read(path, 10000, &len, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_EQUAL(len, sizes[i]);
		CU_ASSERT_EQUAL(b[len], '\0');
		CU_ASSERT_EQUAL(strspn(b, "x"), sizes[i]);
		free(b);
	}
	/* one byte past the limit: refused, with the limit named */
	CU_ASSERT_EQUAL_FATAL(write_n(path, 10001), 0);
	CU_ASSERT_PTR_NULL(file_read(path, 10000, &len, &e));
	CU_ASSERT_EQUAL(e.kind, ERR_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "larger than 10000 bytes"));
	/* a pipe says nothing of its size: read growing, limit kept */
	int fds[2];
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	char buf[6000];
	memset(buf, 'y', sizeof(buf));
	CU_ASSERT_EQUAL(write(fds[1], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	char *b = file_read(path, 5999, &len, &e);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "larger than 5999 bytes"));
	free(b);
	close(fds[0]);
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	CU_ASSERT_EQUAL(write(fds[1], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	b = file_read(path, 6000, &len, &e);
	CU_ASSERT_PTR_NOT_NULL(b);
	CU_ASSERT_EQUAL(len, 6000);
	free(b);
	close(fds[0]);
	/* missing: the errno's kind */
	snprintf(path, sizeof(path), "%s/missing", dir);
	CU_ASSERT_PTR_NULL(file_read(path, 10, &len, &e));
	CU_ASSERT_EQUAL(e.kind, ERR_NOTFOUND);
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
}

static CU_TestInfo core_tests[] = {
	{"policy defaults", test_defaults},
	{"image and port-name matching", test_image_pattern},
	{"policy file and its errors", test_policy_file},
	{"environment overrides", test_policy_env},
	{"actions and fail-on", test_actions},
	{"finding list", test_findings},
	{"strbuf", test_strbuf},
	{"file_read: sized by fstat, pipes, limits", test_file_read},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"core", NULL, NULL, NULL, NULL, core_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_core", suites);
}
