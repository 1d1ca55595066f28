/* test_audit.c — the parts of `pgadmit audit` that need no API server:
 * kubeconfig loading (files relative to the kubeconfig, base64 data,
 * token/tokenFile, what is refused), the PolicyReport a finding list
 * becomes (result, severity, category, resources, properties, summary),
 * API references and the webhook's object skips. The API round trips are
 * in tests/e2e/audit.sh (real kube-apiserver). */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/audit/audit_int.h"
#include "pgadmit/kube.h"
#include "unit.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pgadmit-audit-unit.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	put("ca.crt", "ca\n");
	put("tok", "file-token\n");
	return kube_global_init();
}

static int teardown(void)
{
	const char *files[] = {"ca.crt", "tok", "kc"};
	char p[160];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	kube_global_cleanup();
	return 0;
}

static struct kube_client *load(const char *text, struct err *err)
{
	char p[160];
	put("kc", text);
	snprintf(p, sizeof(p), "%s/kc", dir);
	err_clear(err);
	return kube_client_from_kubeconfig(p, err);
}

#define HEAD                                                                   \
	"apiVersion: v1\nkind: Config\ncurrent-context: c\n"                   \
	"contexts: [{name: c, context: {cluster: k, user: u}}]\n"

static void test_kubeconfig(void)
{
	struct err err;
	/* relative CA file, token file */
	struct kube_client *c = load(
		HEAD
		"clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443/', "
		"certificate-authority: ca.crt}}]\n"
		"users: [{name: u, user: {tokenFile: tok}}]\n",
		&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(kube_client_url(c), "https://127.0.0.1:6443");
	CU_ASSERT_PTR_NOT_NULL(strstr(kube_client_source(c), "/kc"));
	kube_client_free(c);
	/* base64 data (Y2E= is "ca") and a token */
	c = load(HEAD
		 "clusters: [{name: k, cluster: {server: 'https://h:1', "
		 "certificate-authority-data: Y2E=}}]\n"
		 "users: [{name: u, user: {token: abc, client-key-data: a2V5}}]\n",
		 &err);
	CU_ASSERT_PTR_NOT_NULL(c);
	kube_client_free(c);
	/* refused, each with a message naming the problem */
	c = load(HEAD
		 "clusters: [{name: k, cluster: {server: 'http://h:1'}}]\n",
		 &err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "https://"));
	c = load(HEAD "clusters: [{name: k, cluster: {server: 'https://h:1', "
		      "insecure-skip-tls-verify: true}}]\n",
		 &err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "insecure-skip-tls-verify"));
	c = load(HEAD "clusters: [{name: k, cluster: {server: 'https://h:1', "
		      "certificate-authority-data: '!!'}}]\n",
		 &err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "base64"));
	c = load(HEAD
		 "clusters: [{name: k, cluster: {server: 'https://h:1'}}]\n"
		 "users: [{name: u, user: {exec: {command: aws}}}]\n",
		 &err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exec"));
	c = load(HEAD "clusters: [{name: k, cluster: {server: 'https://h:1', "
		      "certificate-authority: nope.crt}}]\n",
		 &err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nope.crt"));
	c = load("apiVersion: v1\nkind: Config\ncurrent-context: gone\n", &err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'gone' not found"));
	c = load("- a list\n", &err);
	CU_ASSERT_PTR_NULL(c);
}

static const struct audit_kind *kind(const char *k)
{
	for (size_t i = 0; i < audit_nkinds; i++)
		if (strcmp(audit_kinds[i].kind, k) == 0)
			return &audit_kinds[i];
	return NULL;
}

static void test_refs_and_skips(void)
{
	struct strbuf sb = STRBUF_INIT;
	audit_api_ref(&sb, kind("StatefulSet"), "shop", "db");
	CU_ASSERT_STRING_EQUAL(sb_str(&sb),
			       "apps/v1/namespaces/shop/statefulsets/db");
	sb_reset(&sb);
	audit_api_ref(&sb, kind("Service"), "shop", "pg");
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "v1/namespaces/shop/services/pg");
	sb_reset(&sb);
	audit_list_path(&sb, kind("ConfigMap"), "shop");
	CU_ASSERT_STRING_EQUAL(sb_str(&sb),
			       "/api/v1/namespaces/shop/configmaps");
	sb_free(&sb);
	CU_ASSERT_STRING_EQUAL(audit_kinds[0].kind, "CronJob"); /* first */
	json_t *owned = json_pack("{s:{s:[{s:s,s:s,s:b}]}}", "metadata",
				  "ownerReferences", "apiVersion", "apps/v1",
				  "kind", "ReplicaSet", "controller", 1);
	json_t *op = json_pack("{s:{s:[{s:s,s:s,s:b}]}}", "metadata",
			       "ownerReferences", "apiVersion",
			       "postgresql.cnpg.io/v1", "kind", "Cluster",
			       "controller", 1);
	json_t *dying = json_pack("{s:{s:s}}", "metadata", "deletionTimestamp",
				  "2026-01-01T00:00:00Z");
	CU_ASSERT_TRUE(audit_object_skipped(kind("Pod"), owned));
	CU_ASSERT_FALSE(audit_object_skipped(kind("Pod"), op));
	CU_ASSERT_FALSE(audit_object_skipped(kind("Deployment"), owned));
	CU_ASSERT_TRUE(audit_object_skipped(kind("Service"), dying));
	json_decref(owned);
	json_decref(op);
	json_decref(dying);
}

static void add(struct finding_list *l, const char *rule, const char *slug,
		enum action a, const char *file, const char *msg)
{
	struct finding f = {.rule = rule,
			    .slug = slug,
			    .action = a,
			    .file = (char *)file,
			    .kind = "StatefulSet",
			    .ns = "shop",
			    .name = "db",
			    .path = "spec.x",
			    .message = (char *)msg,
			    .hint = "do y"};
	CU_ASSERT_EQUAL(finding_add(l, &f), 0);
}

static void test_report_shape(void)
{
	struct finding_list l;
	finding_list_init(&l);
	const char *ref = "apps/v1/namespaces/shop/statefulsets/db";
	add(&l, "PGA102", "postgres-credentials-inline", ACTION_DENY, ref,
	    "m1");
	add(&l, "PGA103", "postgres-backup-missing", ACTION_WARN, ref, "m2");
	add(&l, "PGA101", "postgres-port-exposed", ACTION_INFO, ref,
	    "PGA101 ignored by annotation: lab");
	add(&l, "PGA104", "postgres-ssl-disabled", ACTION_ANNOTATE, "other",
	    "m4");
	struct audit_refs refs = {0};
	CU_ASSERT_EQUAL(audit_refs_add(&refs, ref, kind("StatefulSet"), "db",
				       "uid-1"),
			0);
	json_t *r = preport_build("pgadmit", "shop", &l, &refs, 1700000000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	char *s = json_dumps(json_object_get(r, "summary"),
			     JSON_SORT_KEYS | JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(
		s, "{\"error\":0,\"fail\":1,\"pass\":0,\"skip\":1,\"warn\":2}");
	free(s);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "kind")),
			       "PolicyReport");
	const json_t *md = json_object_get(r, "metadata");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(md, "name")),
			       "pgadmit");
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(md, "namespace")),
			       "shop");
	const json_t *res = json_object_get(r, "results");
	CU_ASSERT_EQUAL(json_array_size(res), 4);
	const json_t *r0 = json_array_get(res, 0);
	s = json_dumps(r0, JSON_SORT_KEYS | JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(
		s,
		"{\"category\":\"Secrets\",\"message\":\"m1\",\"policy\":"
		"\"postgres-credentials-inline\",\"properties\":{\"fix\":"
		"\"do y\",\"path\":\"spec.x\"},\"resources\":[{\"apiVersion\":"
		"\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"db\","
		"\"namespace\":\"shop\",\"uid\":\"uid-1\"}],\"result\":\"fail\","
		"\"rule\":\"PGA102\",\"scored\":true,\"severity\":\"high\","
		"\"source\":\"pgadmit\",\"timestamp\":{\"nanos\":0,\"seconds\":"
		"1700000000}}");
	free(s);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(json_array_get(res, 2),
						       "result")),
			       "skip");
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(json_array_get(res, 3),
						       "severity")),
			       "low");
	/* unknown ref: no uid, no apiVersion, still kind/name */
	CU_ASSERT_PTR_NULL(json_object_get(
		json_array_get(json_object_get(json_array_get(res, 3),
					       "resources"),
			       0),
		"uid"));
	json_decref(r);
	/* cluster scope and the empty (cleared) report */
	struct finding_list none;
	finding_list_init(&none);
	r = preport_build("pgadmit-probe", NULL, &none, &refs, 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "kind")),
			       "ClusterPolicyReport");
	CU_ASSERT_PTR_NULL(
		json_object_get(json_object_get(r, "metadata"), "namespace"));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "results")), 0);
	json_decref(r);
	audit_refs_free(&refs);
	finding_list_free(&l);
}

static void test_target_service(void)
{
	char svc[64], ns[64];
	const char *yes[][3] = {
		{"db:5432/app", "db", "own"},
		{"db.shop:5432/app", "db", "shop"},
		{"db.shop.svc:5432/app", "db", "shop"},
		{"db.shop.svc.cluster.local:5432/app", "db", "shop"},
	};
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(audit_target_service(yes[i][0], "own", svc,
						     sizeof(svc), ns,
						     sizeof(ns)),
				0);
		CU_ASSERT_STRING_EQUAL(svc, yes[i][1]);
		CU_ASSERT_STRING_EQUAL(ns, yes[i][2]);
	}
	const char *no[] = {"db.example.com:5432/app",
			    "10.0.0.1:5432/app",
			    "[::1]:5432/x",
			    ":5432/x",
			    "Db_1:5432/x",
			    "a.b.svc.c.d.e:1/x"};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CU_ASSERT_EQUAL(audit_target_service(no[i], "own", svc,
						     sizeof(svc), ns,
						     sizeof(ns)),
				-1);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"kubeconfig: files, data, tokens, refusals", test_kubeconfig},
		{"API references, list paths, object skips",
		 test_refs_and_skips},
		{"PolicyReport shape", test_report_shape},
		{"probe targets as Services", test_target_service},
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"audit", setup, teardown, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	return unit_run("test_audit", suites);
}
