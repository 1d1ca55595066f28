/* test_admission.c — AdmissionReview decode/decide/encode without a network:
 * errors, skips, /validate and /mutate answers, JSONPatch determinism and
 * idempotence, RFC 6901 escaping, base64, warning trimming. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/admission.h"
#include "pgadmit/base64.h"
#include "pgadmit/kube.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

static struct policy *pol;
static struct kube_cache *kc;

static int setup_suite(void)
{
	struct err err;
	pol = policy_new(NULL, &err);
	kc = kube_cache_new(NULL, "not running in a cluster", 4);
	return pol && kc ? 0 : 1;
}

static int teardown_suite(void)
{
	policy_free(pol);
	kube_cache_free(kc);
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static char *review(const char *uid, const char *op, const char *kind,
		    const char *group, const char *ns, const char *obj,
		    bool dry)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb,
		  "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		  "\"AdmissionReview\",\"request\":{\"uid\":\"%s\",\"kind\":"
		  "{\"group\":\"%s\",\"version\":\"v1\",\"kind\":\"%s\"},"
		  "\"namespace\":\"%s\",\"operation\":\"%s\",\"dryRun\":%s,"
		  "\"object\":%s}}",
		  uid, group, kind, ns, op, dry ? "true" : "false",
		  obj ? obj : "null");
	return sb_detach(&sb);
}

static json_t *run(enum admission_endpoint ep, const char *body,
		   struct admission_result *r)
{
	struct admission_env env = {pol, kc};
	CU_ASSERT_FATAL(admission_handle(&env, ep, body, strlen(body), r) == 0);
	json_error_t je;
	json_t *j = json_loadb(r->body, r->body_len, 0, &je);
	CU_ASSERT_PTR_NOT_NULL(j);
	return j;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static char *unb64(const char *s)
{
	size_t n = strlen(s);
	char *out = calloc(n + 1, 1), *o = out;
	for (size_t i = 0; i + 4 <= n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
		unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
			     (unsigned)v[2] << 6 | (unsigned)v[3];
		*o++ = (char)(x >> 16);
		if (s[i + 2] != '=')
			*o++ = (char)(x >> 8);
		if (s[i + 3] != '=')
			*o++ = (char)x;
	}
	return out;
}

static const char *resp_str(json_t *j, const char *key)
{
	return json_string_value(
		json_object_get(json_object_get(j, "response"), key));
}

#define POD_SECRET "hunter2-unit"
static const char *deploy_bad =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
	"\"name\":\"api\",\"namespace\":\"shop\"},\"spec\":{\"template\":{"
	"\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"shop/api:1\","
	"\"env\":[{\"name\":\"PGPASSWORD\",\"value\":\"" POD_SECRET "\"},"
	"{\"name\":\"DATABASE_URL\",\"value\":\"postgresql://app@db/app?"
	"sslmode=disable\"}]}]}}}}";

/* ---- building blocks ----------------------------------------------------- */

static void test_pointer_escape(void)
{
	const char *in[] = {"pgadmit.dev/findings", "a~b/c", "~1", "plain", ""};
	const char *want[] = {"pgadmit.dev~1findings", "a~0b~1c", "~01",
			      "plain", ""};
	for (int i = 0; i < 5; i++) {
		struct strbuf sb = STRBUF_INIT;
		admission_pointer_escape(&sb, in[i]);
		CU_ASSERT_STRING_EQUAL(sb_str(&sb), want[i]);
		sb_free(&sb);
	}
}

/* pgadmit/base64.h (the JSONPatch's encoding): RFC 4648 vectors, long
 * input across the appender's chunks, decoding and what it refuses. */
static void test_base64(void)
{
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *want[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
			      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		struct strbuf sb = STRBUF_INIT;
		base64_append(&sb, (const unsigned char *)in[i], strlen(in[i]));
		CU_ASSERT_STRING_EQUAL(sb_str(&sb), want[i]);
		sb_free(&sb);
		char *e = base64_encode((const unsigned char *)in[i],
					strlen(in[i]));
		CU_ASSERT_STRING_EQUAL(e, want[i]);
		free(e);
		if (i > 0) {
			size_t n = 99;
			unsigned char *d =
				base64_decode(want[i], strlen(want[i]), &n);
			CU_ASSERT_PTR_NOT_NULL_FATAL(d);
			CU_ASSERT_EQUAL(n, strlen(in[i]));
			CU_ASSERT(memcmp(d, in[i], n) == 0 && d[n] == 0);
			free(d);
		}
	}
	unsigned char big[3000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + 3);
	struct strbuf sb = STRBUF_INIT;
	base64_append(&sb, big, sizeof(big));
	char *e = base64_encode(big, sizeof(big));
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), e);
	size_t n;
	unsigned char *d = base64_decode(e, strlen(e), &n);
	CU_ASSERT_EQUAL_FATAL(n, sizeof(big));
	CU_ASSERT(memcmp(d, big, n) == 0);
	free(d);
	free(e);
	sb_free(&sb);
	const char *bad[] = {"",         "Zg=",  "Z===",
			     "Zm9v!A==", "=Zm9", "Zg==Zg==x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CU_ASSERT_PTR_NULL(base64_decode(bad[i], strlen(bad[i]), &n));
}

static void test_annotation_sorted_dedup(void)
{
	struct finding_list l;
	finding_list_init(&l);
	struct finding f = {0};
	f.rule = "PGA104";
	f.action = ACTION_WARN;
	f.path = "spec.b";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.rule = "PGA101";
	f.action = ACTION_DENY;
	f.path = "spec.z";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.rule = "PGA101";
	f.action = ACTION_DENY;
	f.path = "spec.a";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.rule = "PGA104";
	f.action = ACTION_WARN;
	f.path = "spec.b";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.rule = "PGA102";
	f.action = ACTION_OFF;
	f.path = "spec.c";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	f.rule = "PGA103";
	f.action = ACTION_INFO;
	f.path = "metadata.annotations";
	CU_ASSERT_EQUAL(finding_add(&l, &f), 0);
	struct strbuf sb = STRBUF_INIT;
	CU_ASSERT_EQUAL(admission_findings_annotation(&l, &sb), 0);
	CU_ASSERT_STRING_EQUAL(
		sb_str(&sb),
		"[{\"rule\":\"PGA101\",\"path\":\"spec.a\"},"
		"{\"rule\":\"PGA101\",\"path\":\"spec.z\"},"
		"{\"rule\":\"PGA103\",\"path\":\"metadata.annotations\"},"
		"{\"rule\":\"PGA104\",\"path\":\"spec.b\"}]");
	sb_free(&sb);
	finding_list_free(&l);
	finding_list_init(&l);
	CU_ASSERT_EQUAL(admission_findings_annotation(&l, &sb), 0);
	CU_ASSERT_EQUAL(sb.len, 0);
	sb_free(&sb);
}

static void test_warning_trim(void)
{
	struct strbuf sb = STRBUF_INIT;
	admission_warning_text(&sb, "short\twarning\n");
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), "short warning ");
	sb_free(&sb);
	char longs[400];
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = 0;
	admission_warning_text(&sb, longs);
	CU_ASSERT(sb.len <= ADMISSION_WARNING_MAX);
	CU_ASSERT(sb.len > 100);
	CU_ASSERT(strcmp(sb.buf + sb.len - 3, "\xe2\x80\xa6") == 0);
	sb_free(&sb);
	/* multibyte characters are never cut in half */
	struct strbuf in = STRBUF_INIT;
	for (int i = 0; i < 100; i++)
		sb_puts(&in, "\xc3\xa9"); /* é */
	admission_warning_text(&sb, sb_str(&in));
	CU_ASSERT(sb.len <= ADMISSION_WARNING_MAX);
	size_t body = sb.len - 3;
	CU_ASSERT(body % 2 == 0);
	for (size_t i = 0; i < body; i += 2)
		CU_ASSERT((unsigned char)sb.buf[i] == 0xc3);
	sb_free(&sb);
	sb_free(&in);
	/* exactly at the limit: untouched */
	char exact[ADMISSION_WARNING_MAX + 1];
	memset(exact, 'y', ADMISSION_WARNING_MAX);
	exact[ADMISSION_WARNING_MAX] = 0;
	admission_warning_text(&sb, exact);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), exact);
	sb_free(&sb);
}

/* ---- errors ------------------------------------------------------------- */

static void expect_400(const char *body, const char *needle)
{
	struct admission_result r;
	json_t *j = run(ADMISSION_VALIDATE, body, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_EQUAL(r.decision, ADM_ERROR);
	const char *e = json_string_value(json_object_get(j, "error"));
	CU_ASSERT_PTR_NOT_NULL(e);
	if (e && !strstr(e, needle)) {
		fprintf(stderr, "error '%s' lacks '%s'\n", e, needle);
		CU_FAIL("error text");
	}
	json_decref(j);
	admission_result_free(&r);
}

static void test_errors(void)
{
	expect_400("{", "malformed JSON");
	expect_400("", "malformed JSON");
	expect_400("[1,2]", "not a JSON object");
	expect_400("{\"a\":1} trailing", "malformed JSON");
	expect_400("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}",
		   "kind must be");
	expect_400("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":"
		   "\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}",
		   "apiVersion");
	expect_400("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		   "\"AdmissionReview\"}",
		   "request is missing");
	expect_400("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		   "\"AdmissionReview\",\"request\":{\"operation\":\"CREATE\"}}",
		   "uid");
	expect_400("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		   "\"AdmissionReview\",\"request\":{\"uid\":\"\"}}",
		   "uid");
	/* duplicate keys could show us one object and the API server another */
	expect_400(
		"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		"\"AdmissionReview\",\"request\":{\"uid\":\"a\",\"uid\":\"b\"}}",
		"duplicate");
	expect_400(
		"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		"\"AdmissionReview\",\"request\":{\"uid\":\"a\",\"object\":7}}",
		"not a JSON object");
	/* deep nesting is an error, not a crash */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		sb_putc(&sb, '[');
	expect_400(sb_str(&sb), "malformed JSON");
	sb_free(&sb);
}

/* ---- skips -------------------------------------------------------------- */

static void expect_skip(const char *body, const char *uid)
{
	struct admission_result r;
	for (int ep = 0; ep < 2; ep++) {
		json_t *j = run((enum admission_endpoint)ep, body, &r);
		CU_ASSERT_EQUAL(r.status, 200);
		CU_ASSERT_EQUAL(r.decision, ADM_SKIP);
		CU_ASSERT_STRING_EQUAL(resp_str(j, "uid"), uid);
		CU_ASSERT(json_is_true(
			json_object_get(json_object_get(j, "response"),
					"allowed")));
		CU_ASSERT_PTR_NULL(resp_str(j, "patch"));
		json_decref(j);
		admission_result_free(&r);
	}
}

static void test_skips(void)
{
	char *b = review("del-1", "DELETE", "Deployment", "apps", "shop",
			 deploy_bad, false);
	expect_skip(b, "del-1");
	free(b);
	b = review("old-only", "UPDATE", "Deployment", "apps", "shop", NULL,
		   false);
	expect_skip(b, "old-only");
	free(b);
	b = review("secret-1", "CREATE", "Secret", "", "shop",
		   "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
		   "\"stringData\":{\"PGPASSWORD\":\"x\"}}",
		   false);
	expect_skip(b, "secret-1");
	free(b);
	/* a custom resource that happens to be called Service */
	b = review("crd-1", "CREATE", "Service", "serving.knative.dev", "shop",
		   "{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},\"spec\":"
		   "{\"type\":\"NodePort\",\"ports\":[{\"port\":5432}]}}",
		   false);
	expect_skip(b, "crd-1");
	free(b);
	/* a Pod made by a ReplicaSet: its Deployment was judged */
	const char *pod_rs =
		"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"api-1\",\"ownerReferences\":"
		"[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"api\","
		"\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"a\","
		"\"image\":\"x\",\"env\":[{\"name\":\"PGPASSWORD\",\"value\":\"s\"}]}]}}";
	b = review("pod-rs", "CREATE", "Pod", "", "shop", pod_rs, false);
	expect_skip(b, "pod-rs");
	free(b);
	/* an object being deleted: finalizer removal must go through */
	b = review(
		"deleting", "UPDATE", "Deployment", "apps", "shop",
		"{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"api\","
		"\"deletionTimestamp\":\"2026-11-24T10:00:00Z\",\"finalizers\":[]},"
		"\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
		"\"a\",\"image\":\"x\",\"env\":[{\"name\":\"PGPASSWORD\","
		"\"value\":\"s\"}]}]}}}}",
		false);
	expect_skip(b, "deleting");
	free(b);
	b = review("ns-skip", "CREATE", "Deployment", "apps", "kube-system",
		   deploy_bad, false);
	expect_skip(b, "ns-skip");
	free(b);
}

/* Each gate names itself (admission_result.skip, the log's "reason" and
 * the metrics label); the first that holds wins; judged means none. */
static void expect_reason(const char *body, enum admission_skip want,
			  const char *name)
{
	struct admission_result r;
	json_t *j = run(ADMISSION_VALIDATE, body, &r);
	CU_ASSERT_EQUAL(r.skip, want);
	CU_ASSERT_EQUAL(r.decision == ADM_SKIP, want != ADM_SKIP_NONE);
	CU_ASSERT_STRING_EQUAL(admission_skip_name(r.skip), name);
	json_decref(j);
	admission_result_free(&r);
}

static void test_skip_reasons(void)
{
	const char *svc =
		"{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},"
		"\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":"
		"5432}]}}";
	struct {
		const char *op, *kind, *group, *ns, *obj;
		enum admission_skip want;
		const char *name;
	} c[] = {
		{"DELETE", "Service", "", "shop", svc, ADM_SKIP_OPERATION,
		 "operation"},
		{"CONNECT", "Service", "", "shop", NULL, ADM_SKIP_OPERATION,
		 "operation"},
		{"UPDATE", "Service", "", "shop", NULL, ADM_SKIP_NO_OBJECT,
		 "no-object"},
		{"CREATE", "Secret", "", "shop",
		 "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}",
		 ADM_SKIP_KIND, "kind-not-judged"},
		{"CREATE", "Service", "serving.knative.dev", "shop", svc,
		 ADM_SKIP_KIND, "kind-not-judged"},
		{"CREATE", "Service", "", "kube-system", svc,
		 ADM_SKIP_NAMESPACE, "namespace-skipped"},
		{"UPDATE", "Service", "", "shop",
		 "{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\","
		 "\"deletionTimestamp\":\"2026-11-24T10:00:00Z\"}}",
		 ADM_SKIP_DELETING, "being-deleted"},
		{"CREATE", "Pod", "", "shop",
		 "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"ownerReferences\":"
		 "[{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"j\","
		 "\"controller\":true}]}}",
		 ADM_SKIP_OWNED, "owned-by-controller"},
		{"CREATE", "Service", "", "shop",
		 "{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\",\"labels\":"
		 "{\"cnpg.io/cluster\":\"pg\"}},\"spec\":{\"type\":\"NodePort\","
		 "\"ports\":[{\"port\":5432}]}}",
		 ADM_SKIP_OPERATOR_CHILD, "operator-child"},
		{"CREATE", "Cluster", "example.com", "shop",
		 "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Cluster\","
		 "\"metadata\":{\"name\":\"c\"}}",
		 ADM_SKIP_KIND, "kind-not-judged"},
		{"CREATE", "Service", "", "shop", svc, ADM_SKIP_NONE, "none"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *b = review("g", c[i].op, c[i].kind, c[i].group, c[i].ns,
				 c[i].obj, false);
		expect_reason(b, c[i].want, c[i].name);
		free(b);
	}
	/* the status subresource (review() has no subResource member) */
	const char *st =
		"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
		"\"request\":{\"uid\":\"st\",\"kind\":{\"group\":\"\",\"kind\":"
		"\"Service\"},\"operation\":\"UPDATE\",\"subResource\":\"status\","
		"\"object\":{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"}}}}";
	expect_reason(st, ADM_SKIP_STATUS, "status-subresource");
	/* first gate wins: a DELETE in a skipped namespace is "operation" */
	char *b =
		review("g", "DELETE", "Service", "", "kube-system", svc, false);
	expect_reason(b, ADM_SKIP_OPERATION, "operation");
	free(b);
	CU_ASSERT_STRING_EQUAL(admission_skip_name(ADM_SKIP_COUNT), "unknown");
	/* an operator child carries its owner for the info log line */
	struct admission_result r;
	b = review("oc", "CREATE", "Pod", "", "shop",
		   "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
		   "\"ownerReferences\":[{\"apiVersion\":\"acid.zalan.do/v1\","
		   "\"kind\":\"postgresql\",\"name\":\"acid\"}]}}",
		   false);
	json_t *j = run(ADMISSION_VALIDATE, b, &r);
	CU_ASSERT_EQUAL(r.skip, ADM_SKIP_OPERATOR_CHILD);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.owner);
	CU_ASSERT_STRING_EQUAL(r.owner, "acid.zalan.do/postgresql acid");
	json_decref(j);
	admission_result_free(&r);
	free(b);
	/* the cluster resource itself is judged */
	b = review(
		"cr", "CREATE", "Cluster", "postgresql.cnpg.io", "shop",
		"{\"apiVersion\":\"postgresql.cnpg.io/v1\",\"kind\":\"Cluster\","
		"\"metadata\":{\"name\":\"pg\"},\"spec\":{\"managed\":{"
		"\"services\":{\"additional\":[{\"serviceTemplate\":{\"spec\":"
		"{\"type\":\"NodePort\"}}}]}}}}",
		false);
	j = run(ADMISSION_VALIDATE, b, &r);
	CU_ASSERT_EQUAL(r.skip, ADM_SKIP_NONE);
	CU_ASSERT_EQUAL(r.decision, ADM_DENY);
	CU_ASSERT_PTR_NULL(r.owner);
	json_decref(j);
	admission_result_free(&r);
	free(b);
}

/* The PGA103 CronJob note is handed to the caller, never made here: only
 * for a real (not dryRun) CREATE/UPDATE answered on /validate, not denied. */
static void test_cronjob_note_returned(void)
{
	const char *cj =
		"{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":"
		"{\"name\":\"pg-backup\",\"namespace\":\"shop\"},\"spec\":{"
		"\"schedule\":\"0 3 * * *\",\"jobTemplate\":{\"spec\":{\"template\":"
		"{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":"
		"\"postgres:16\",\"command\":[\"pg_dump\"]}]}}}}}}";
	struct {
		enum admission_endpoint ep;
		const char *op;
		bool dry, note;
	} c[] = {
		{ADMISSION_VALIDATE, "CREATE", false, true},
		{ADMISSION_VALIDATE, "UPDATE", false, true},
		{ADMISSION_VALIDATE, "CREATE", true, false},
		{ADMISSION_MUTATE, "CREATE", false, false},
		{ADMISSION_VALIDATE, "DELETE", false, false},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *b = review("cj", c[i].op, "CronJob", "batch", "shop", cj,
				 c[i].dry);
		struct admission_result r;
		json_t *j = run(c[i].ep, b, &r);
		CU_ASSERT_EQUAL(r.cronjob != NULL, c[i].note);
		if (r.cronjob)
			CU_ASSERT_STRING_EQUAL(
				json_string_value(json_object_get(
					json_object_get(r.cronjob, "metadata"),
					"name")),
				"pg-backup");
		json_decref(j);
		admission_result_free(&r);
		free(b);
	}
}

/* rules.md "Operator child": a Pod a PostgreSQL operator made for its
 * cluster resource is judged at that resource and allowed here; a Pod owned
 * by any other custom resource is judged. */
static void test_pod_of_operator_is_judged(void)
{
	const char *fmt =
		"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"pg-1\",\"ownerReferences\":"
		"[{\"apiVersion\":\"%s\",\"kind\":\"%s\","
		"\"name\":\"pg\",\"controller\":true}]},\"spec\":{\"containers\":"
		"[{\"name\":\"a\",\"image\":\"x\",\"env\":[{\"name\":\"PGPASSWORD\","
		"\"value\":\"s3\"}]}]}}";
	const struct {
		const char *api, *kind;
		enum admission_decision want;
	} c[] = {
		{"acid.zalan.do/v1", "postgresql", ADM_SKIP},
		{"example.com/v1", "postgresql", ADM_DENY},
		{"apps.example.com/v1", "Widget", ADM_DENY},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char pod[512];
		snprintf(pod, sizeof(pod), fmt, c[i].api, c[i].kind);
		char *b = review("pod-op", "CREATE", "Pod", "", "shop", pod,
				 false);
		struct admission_result r;
		json_t *j = run(ADMISSION_VALIDATE, b, &r);
		CU_ASSERT_EQUAL(r.decision, c[i].want);
		json_decref(j);
		admission_result_free(&r);
		free(b);
	}
}

/* ---- validate ------------------------------------------------------------ */

static void test_validate_deny(void)
{
	char *b = review("v-1", "CREATE", "Deployment", "apps", "shop",
			 deploy_bad, false);
	struct admission_result r;
	json_t *j = run(ADMISSION_VALIDATE, b, &r);
	json_t *resp = json_object_get(j, "response");
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(r.decision, ADM_DENY);
	CU_ASSERT_STRING_EQUAL(resp_str(j, "uid"), "v-1");
	CU_ASSERT(json_is_false(json_object_get(resp, "allowed")));
	json_t *st = json_object_get(resp, "status");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(st, "code")), 403);
	const char *msg = json_string_value(json_object_get(st, "message"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "PGA102"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(msg, "spec.template.spec.containers[0].env[0].value"));
	/* the warn finding goes to warnings, not to the message */
	CU_ASSERT_PTR_NULL(strstr(msg, "PGA104"));
	json_t *w = json_object_get(resp, "warnings");
	CU_ASSERT(json_array_size(w) >= 1);
	bool saw104 = false;
	size_t i;
	json_t *it;
	json_array_foreach(w, i, it) {
		CU_ASSERT(strlen(json_string_value(it)) < 120);
		saw104 |= strncmp(json_string_value(it), "PGA104", 6) == 0;
	}
	CU_ASSERT(saw104);
	json_t *aa = json_object_get(resp, "auditAnnotations");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(aa, "PGA102"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(aa, "PGA104"));
	/* never the secret */
	CU_ASSERT_PTR_NULL(strstr(r.body, POD_SECRET));
	json_decref(j);
	admission_result_free(&r);
	free(b);
}

static void test_validate_allow_clean(void)
{
	const char *cm =
		"{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
		"\"data\":{\"HOST\":\"db\"}}";
	char *b = review("c-1", "CREATE", "ConfigMap", "", "shop", cm, false);
	struct admission_result r;
	json_t *j = run(ADMISSION_VALIDATE, b, &r);
	CU_ASSERT_EQUAL(r.decision, ADM_ALLOW);
	json_t *resp = json_object_get(j, "response");
	CU_ASSERT(json_is_true(json_object_get(resp, "allowed")));
	CU_ASSERT_PTR_NULL(json_object_get(resp, "warnings"));
	CU_ASSERT_PTR_NULL(json_object_get(resp, "status"));
	json_decref(j);
	admission_result_free(&r);
	free(b);
	/* and /mutate: no finding, no patch */
	b = review("c-2", "CREATE", "ConfigMap", "", "shop", cm, false);
	j = run(ADMISSION_MUTATE, b, &r);
	CU_ASSERT_EQUAL(r.decision, ADM_ALLOW);
	CU_ASSERT_PTR_NULL(resp_str(j, "patch"));
	json_decref(j);
	admission_result_free(&r);
	free(b);
}

/* ---- mutate -------------------------------------------------------------- */

static json_t *patch_of(json_t *j)
{
	const char *p = resp_str(j, "patch");
	if (!p)
		return NULL;
	CU_ASSERT_STRING_EQUAL(resp_str(j, "patchType"), "JSONPatch");
	char *raw = unb64(p);
	json_error_t je;
	json_t *ops = json_loads(raw, 0, &je);
	free(raw);
	CU_ASSERT_PTR_NOT_NULL(ops);
	return ops;
}

static void test_mutate_patch(void)
{
	char *b = review("m-1", "CREATE", "Deployment", "apps", "shop",
			 deploy_bad, false);
	struct admission_result r1, r2;
	json_t *j1 = run(ADMISSION_MUTATE, b, &r1);
	json_t *j2 = run(ADMISSION_MUTATE, b, &r2);
	/* deterministic: same input, same bytes */
	CU_ASSERT_EQUAL(r1.body_len, r2.body_len);
	CU_ASSERT(memcmp(r1.body, r2.body, r1.body_len) == 0);
	CU_ASSERT_EQUAL(r1.decision, ADM_PATCH);
	CU_ASSERT(json_is_true(
		json_object_get(json_object_get(j1, "response"), "allowed")));
	json_t *ops = patch_of(j1);
	CU_ASSERT_EQUAL_FATAL(json_array_size(ops), 1);
	json_t *op = json_array_get(ops, 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(op, "op")),
			       "add");
	/* no annotations yet: the whole map is created */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(op, "path")),
			       "/metadata/annotations");
	const char *val = json_string_value(
		json_object_get(json_object_get(op, "value"),
				ADMISSION_FINDINGS_ANNOTATION));
	CU_ASSERT_PTR_NOT_NULL_FATAL(val);
	json_error_t je;
	json_t *arr = json_loads(val, 0, &je);
	CU_ASSERT(json_is_array(arr));
	CU_ASSERT(json_array_size(arr) >= 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(json_array_get(arr, 0),
						       "rule")),
			       "PGA102");
	CU_ASSERT_PTR_NULL(strchr(val, ' ')); /* compact */
	CU_ASSERT_PTR_NULL(strstr(r1.body, POD_SECRET));

	/* The object as patched: the same review again gives no patch. */
	struct strbuf obj = STRBUF_INIT;
	json_t *o = json_loads(deploy_bad, 0, &je);
	json_object_set_new(json_object_get(o, "metadata"), "annotations",
			    json_pack("{s:s, s:s}",
				      ADMISSION_FINDINGS_ANNOTATION, val,
				      "team", "shop"));
	char *os = json_dumps(o, JSON_COMPACT);
	char *b2 = review("m-2", "UPDATE", "Deployment", "apps", "shop", os,
			  false);
	struct admission_result r3;
	json_t *j3 = run(ADMISSION_MUTATE, b2, &r3);
	CU_ASSERT_EQUAL(r3.decision, ADM_ALLOW);
	CU_ASSERT_PTR_NULL(resp_str(j3, "patch"));
	json_decref(j3);
	admission_result_free(&r3);
	free(b2);
	free(os);

	/* Annotations present with a stale value: set the one key, with
	 * the "/" in its name escaped as ~1. */
	json_object_set_new(json_object_get(json_object_get(o, "metadata"),
					    "annotations"),
			    ADMISSION_FINDINGS_ANNOTATION, json_string("[]"));
	os = json_dumps(o, JSON_COMPACT);
	b2 = review("m-3", "UPDATE", "Deployment", "apps", "shop", os, false);
	j3 = run(ADMISSION_MUTATE, b2, &r3);
	json_t *ops3 = patch_of(j3);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(json_array_get(ops3, 0),
						       "path")),
			       "/metadata/annotations/pgadmit.dev~1findings");
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(json_array_get(ops3, 0),
						       "value")),
			       val);
	json_decref(ops3);
	json_decref(j3);
	admission_result_free(&r3);
	free(b2);
	free(os);
	json_decref(o);
	sb_free(&obj);

	json_decref(arr);
	json_decref(ops);
	json_decref(j1);
	json_decref(j2);
	admission_result_free(&r1);
	admission_result_free(&r2);
	free(b);
}

static void test_mutate_removes_stale(void)
{
	const char *cm =
		"{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
		"\"annotations\":{\"pgadmit.dev/findings\":"
		"\"[{\\\"rule\\\":\\\"PGA102\\\",\\\"path\\\":\\\"data.X\\\"}]\"}},"
		"\"data\":{\"HOST\":\"db\"}}";
	char *b = review("s-1", "UPDATE", "ConfigMap", "", "shop", cm, false);
	struct admission_result r;
	json_t *j = run(ADMISSION_MUTATE, b, &r);
	json_t *ops = patch_of(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(json_array_get(ops, 0),
						       "op")),
			       "remove");
	json_decref(ops);
	json_decref(j);
	admission_result_free(&r);
	free(b);
}

static void test_dry_run_same_answer(void)
{
	char *a = review("d-1", "CREATE", "Deployment", "apps", "shop",
			 deploy_bad, false);
	char *b = review("d-1", "CREATE", "Deployment", "apps", "shop",
			 deploy_bad, true);
	struct admission_result ra, rb;
	json_t *ja = run(ADMISSION_VALIDATE, a, &ra);
	json_t *jb = run(ADMISSION_VALIDATE, b, &rb);
	CU_ASSERT(rb.dry_run);
	CU_ASSERT_EQUAL(ra.body_len, rb.body_len);
	CU_ASSERT(memcmp(ra.body, rb.body, ra.body_len) == 0);
	json_decref(ja);
	json_decref(jb);
	admission_result_free(&ra);
	admission_result_free(&rb);
	free(a);
	free(b);
}

static void test_kube_not_in_cluster(void)
{
	char why[128] = "";
	CU_ASSERT_EQUAL(kube_cache_lookup(kc, "shop", "pg", 30, 100, why,
					  sizeof(why)),
			KUBE_LOOKUP_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(why, "not running in a cluster");
}

int main(void)
{
	static CU_TestInfo blocks[] = {
		{"pointer escape (RFC 6901)", test_pointer_escape},
		{"base64", test_base64},
		{"annotation sorted, deduplicated, no off",
		 test_annotation_sorted_dedup},
		{"warning trimmed under 120 bytes", test_warning_trim},
		CU_TEST_INFO_NULL,
	};
	static CU_TestInfo reviews[] = {
		{"400 errors", test_errors},
		{"allowed at once", test_skips},
		{"pod of an operator is judged",
		 test_pod_of_operator_is_judged},
		{"each gate names its reason", test_skip_reasons},
		{"CronJob note handed to the caller",
		 test_cronjob_note_returned},
		{"validate deny/warn/audit", test_validate_deny},
		{"validate allow clean", test_validate_allow_clean},
		{"mutate patch deterministic, idempotent, escaped",
		 test_mutate_patch},
		{"mutate removes stale annotation", test_mutate_removes_stale},
		{"dryRun answered the same", test_dry_run_same_answer},
		{"kube oracle outside a cluster", test_kube_not_in_cluster},
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"admission blocks", NULL, NULL, NULL, NULL, blocks},
		{"admission reviews", setup_suite, teardown_suite, NULL, NULL,
		 reviews},
		CU_SUITE_INFO_NULL,
	};
	return unit_run("test_admission", suites);
}
