/*
 * test_settings.c — settings that must never be silently ignored (issue 11):
 * PGADMIT_RULE_* names and values, the policy's regex errors, pgadmit.dev/
 * annotations that are not honoured; and the report's plumbing for inputs:
 * SARIF URIs (report_uri) and Helm "# Source:" comments (source_scan).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/check/check_int.h"
#include "pgadmit/admission.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

static void clear_rule_env(void)
{
	unsetenv("PGADMIT_RULE_PGA13");
	unsetenv("PGADMIT_RULE_pga101");
	unsetenv("PGADMIT_RULE_PGA101");
	unsetenv("PGADMIT_RULE_postgres-port-exposed");
}

static int apply(const char *var, const char *val, struct policy *p,
		 struct err *e)
{
	clear_rule_env();
	CU_ASSERT_EQUAL_FATAL(policy_init(p, e), 0);
	if (var)
		setenv(var, val, 1);
	int rc = policy_apply_env(p, e);
	clear_rule_env();
	return rc;
}

static void test_rule_env(void)
{
	struct policy p;
	struct err e;
	/* an id pgadmit does not have: error naming the variable */
	CU_ASSERT_EQUAL(apply("PGADMIT_RULE_PGA13", "deny", &p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(e.msg, "PGADMIT_RULE_PGA13: unknown rule"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "PGA101"));
	policy_release(&p);
	/* a slug is not an environment name */
	CU_ASSERT_EQUAL(apply("PGADMIT_RULE_postgres-port-exposed", "off", &p,
			      &e),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown rule"));
	policy_release(&p);
	/* the id in lower case is the id, as in the policy file */
	CU_ASSERT_EQUAL(apply("PGADMIT_RULE_pga101", "off", &p, &e), 0);
	CU_ASSERT_EQUAL(p.actions[R_PGA101], ACTION_OFF);
	policy_release(&p);
	/* a bad value */
	CU_ASSERT_EQUAL(apply("PGADMIT_RULE_PGA101", "maybe", &p, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "PGADMIT_RULE_PGA101: expected "
				      "deny|warn|annotate|off, got 'maybe'");
	policy_release(&p);
	/* empty is unset */
	CU_ASSERT_EQUAL(apply("PGADMIT_RULE_PGA101", "", &p, &e), 0);
	CU_ASSERT_EQUAL(p.actions[R_PGA101], ACTION_DENY);
	policy_release(&p);
	/* two spellings that disagree */
	clear_rule_env();
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	setenv("PGADMIT_RULE_PGA101", "warn", 1);
	setenv("PGADMIT_RULE_pga101", "off", 1);
	CU_ASSERT_EQUAL(policy_apply_env(&p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "set twice"));
	clear_rule_env();
	policy_release(&p);
}

static void test_regex_error(void)
{
	struct policy p;
	struct err e;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	const char *y = "postgres:\n  imagePattern: \"(a\"\n";
	CU_ASSERT_EQUAL(policy_load_buffer(&p, y, strlen(y), "bad.yaml", &e),
			-1);
	/* the key once, then the library's reason */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg,
				      "bad.yaml:2: postgres.imagePattern: "
				      "invalid regular expression '(a': "));
	CU_ASSERT_PTR_NULL(
		strstr(strstr(e.msg, "imagePattern") + 1, "imagePattern"));
	CU_ASSERT(strlen(e.msg) > strlen("bad.yaml:2: postgres.imagePattern: "
					 "invalid regular expression '(a': "));
	const char *y2 = "postgres:\n  portNamePattern: \"[z\"\n";
	CU_ASSERT_EQUAL(policy_load_buffer(&p, y2, strlen(y2), "b.yaml", &e),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg,
				      "b.yaml:2: postgres.portNamePattern: "
				      "invalid regular expression '[z': "));
	policy_release(&p);
	setenv("PGADMIT_IMAGE_PATTERN", "a{", 1);
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	CU_ASSERT_EQUAL(policy_apply_env(&p, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "PGADMIT_IMAGE_PATTERN: invalid "
					     "regular expression 'a{': "));
	unsetenv("PGADMIT_IMAGE_PATTERN");
	policy_release(&p);
}

/* Judge one object given as JSON; Compose when prefix is set. */
static int eval(const struct policy *p, const char *js, const char *prefix,
		struct finding_list *out)
{
	json_error_t je;
	json_t *j = json_loads(js, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	const char *kind =
		prefix ? "ComposeService"
		       : json_string_value(json_object_get(j, "kind"));
	struct object_ref o = {.obj = j,
			       .kind = kind,
			       .name = "x",
			       .path_prefix = prefix};
	struct finding_list deferred;
	finding_list_init(&deferred);
	int rc = rules_eval_object(p, &o, NULL, out, &deferred);
	finding_list_free(&deferred);
	json_decref(j);
	return rc;
}

static const struct finding *find(const struct finding_list *l,
				  const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].path && strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	return NULL;
}

#define CM                                                                     \
	"{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","                \
	"\"annotations\":{%s}},\"data\":{\"a\":\"b\"}}"

static void test_annotations(void)
{
	struct policy p;
	struct err e;
	struct finding_list out;
	char js[1024];
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	snprintf(js, sizeof(js), CM,
		 "\"pgadmit.dev/ignore-PGA102\":\"vault\","
		 "\"pgadmit.dev/ignore-postgres-credentials-inlin\":\"x\","
		 "\"pgadmit.dev/ignore-ssl-off\":\"x\","
		 "\"pgadmit.dev/colour\":\"blue\","
		 "\"pgadmit.dev/findings\":\"[]\","
		 "\"pgadmit.dev/ignore-postgres-credentials-inline\":\"\","
		 "\"example.com/other\":\"\"");
	finding_list_init(&out);
	CU_ASSERT_EQUAL_FATAL(eval(&p, js, NULL, &out), 0);
	CU_ASSERT_EQUAL(out.n, 5);
	const struct finding *f =
		find(&out,
		     "metadata.annotations[\"pgadmit.dev/ignore-PGA102\"]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->action, ACTION_INFO);
	CU_ASSERT_STRING_EQUAL(f->rule, "PGA102");
	CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "not honoured: opt-outs name "
						  "the rule by its slug"));
	CU_ASSERT_STRING_EQUAL(f->hint, "rename it to pgadmit.dev/ignore-"
					"postgres-credentials-inline");
	f = find(&out, "metadata.annotations[\"pgadmit.dev/ignore-postgres-"
		       "credentials-inlin\"]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f->rule, "pgadmit");
	CU_ASSERT_STRING_EQUAL(f->slug, "annotation-not-understood");
	CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "no rule has the slug"));
	CU_ASSERT_STRING_EQUAL(f->hint, "did you mean pgadmit.dev/ignore-"
					"postgres-credentials-inline?");
	f = find(&out, "metadata.annotations[\"pgadmit.dev/ignore-ssl-off\"]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f->rule, "PGA201");
	CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "is a probe rule"));
	f = find(&out, "metadata.annotations[\"pgadmit.dev/colour\"]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "no such annotation"));
	f = find(&out, "metadata.annotations[\"pgadmit.dev/ignore-postgres-"
		       "credentials-inline\"]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f->rule, "PGA102");
	CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "the reason is empty"));
	CU_ASSERT_PTR_NULL(find(&out, "metadata.annotations[\"pgadmit.dev/"
				      "findings\"]"));
	finding_list_free(&out);

	/* an honoured opt-out adds no note */
	snprintf(js, sizeof(js), CM,
		 "\"pgadmit.dev/ignore-postgres-credentials-inline\":\"vault\"");
	finding_list_init(&out);
	CU_ASSERT_EQUAL_FATAL(eval(&p, js, NULL, &out), 0);
	CU_ASSERT_EQUAL(out.n, 1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out.v[0].message, "ignored by annotation"));
	finding_list_free(&out);

	/* Compose labels, list form */
	const char *svc = "{\"image\":\"redis\",\"labels\":["
			  "\"pgadmit.dev/ignore-pga101=exposed on purpose\"]}";
	finding_list_init(&out);
	CU_ASSERT_EQUAL_FATAL(eval(&p, svc, "services.db", &out), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_STRING_EQUAL(out.v[0].path, "services.db.labels[0]");
	CU_ASSERT_STRING_EQUAL(out.v[0].rule, "PGA101");
	finding_list_free(&out);
	policy_release(&p);
}

static void uri(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	report_uri(&sb, in);
	CU_ASSERT_STRING_EQUAL(sb_str(&sb), want);
	if (strcmp(sb_str(&sb), want))
		fprintf(stderr, "report_uri(%s) = %s, want %s\n", in,
			sb_str(&sb), want);
	sb_free(&sb);
}

static void test_uri(void)
{
	uri("my app#1.yaml", "my%20app%231.yaml");
	uri("./k8s/db.yaml", "k8s/db.yaml");
	uri("k8s/a:b?c%.yaml", "k8s/a%3Ab%3Fc%25.yaml");
	uri("../x/y.yaml", "../x/y.yaml");
	uri("caf\xc3\xa9.yaml", "caf%C3%A9.yaml");
	uri("/nonexistent-root/a b.yaml",
	    "file:///nonexistent-root/a%20b.yaml");
	char cwd[4096], abs[4200];
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	snprintf(abs, sizeof(abs), "%s/sub dir/x.yaml", cwd);
	uri(abs, "sub%20dir/x.yaml");
}

static void test_source_scan(void)
{
	const char text[] = "---\n"
			    "# Source: app/templates/svc.yaml\n"
			    "apiVersion: v1\n"
			    "kind: Service\n"
			    "---\n"
			    "apiVersion: v1\n"
			    "---\n"
			    "# Source: app/templates/cm.yaml\r\n"
			    "kind: ConfigMap";
	FILE *raw = fmemopen((void *)text, sizeof(text) - 1, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
	struct source_scan sc;
	FILE *in = source_scan_open(&sc, raw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	char buf[7];
	while (fread(buf, 1, sizeof(buf), in) > 0) /* small reads: lines span */
		;
	fclose(in);
	fclose(raw);
	CU_ASSERT_EQUAL(sc.nsource, 2);
	int rel = 0;
	const char *t = source_scan_lookup(&sc, 4, &rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t, "app/templates/svc.yaml");
	CU_ASSERT_EQUAL(rel, 2);
	/* a document without a Source comment is not attributed */
	CU_ASSERT_PTR_NULL(source_scan_lookup(&sc, 6, &rel));
	CU_ASSERT_PTR_NULL(source_scan_lookup(&sc, 1, &rel));
	t = source_scan_lookup(&sc, 9, &rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t, "app/templates/cm.yaml"); /* no '\r' */
	CU_ASSERT_EQUAL(rel, 1);
	source_scan_release(&sc);
}

/* A ConfigMap with n DSNs that disable SSL (PGA104 warn each); long key
 * names fill the audit annotation's value before the findings run out. */
static json_t *review_n(const struct policy *p, int n,
			struct admission_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb,
		"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		"\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":"
		"{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"},"
		"\"namespace\":\"app\",\"operation\":\"CREATE\",\"object\":"
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
		"{\"name\":\"c\",\"namespace\":\"app\"},\"data\":{");
	for (int i = 0; i < n; i++)
		sb_printf(&sb,
			  "%s\"DATABASE_URL_OF_A_SERVICE_WITH_A_RATHER_LONG_"
			  "NAME_%02d\":\"postgresql://app@db/app?sslmode="
			  "disable\"",
			  i ? "," : "", i);
	sb_puts(&sb, "}}}}");
	CU_ASSERT_FATAL(sb_ok(&sb));
	struct admission_env env = {p, NULL};
	CU_ASSERT_FATAL(admission_handle(&env, ADMISSION_VALIDATE, sb_str(&sb),
					 sb.len, r) == 0);
	sb_free(&sb);
	json_error_t je;
	json_t *j = json_loadb(r->body, r->body_len, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	return j;
}

static void test_capped_lists(void)
{
	struct policy p;
	struct err e;
	struct admission_result r;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	/* 40 warnings: 15 shown, then "+25 more" as the 16th line */
	json_t *j = review_n(&p, 40, &r);
	const json_t *resp = json_object_get(j, "response");
	const json_t *w = json_object_get(resp, "warnings");
	CU_ASSERT_EQUAL_FATAL(json_array_size(w), 16);
	const char *last = json_string_value(json_array_get(w, 15));
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	CU_ASSERT_EQUAL(strncmp(last, "+25 more warnings", 17), 0);
	CU_ASSERT(strlen(last) < 120);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(json_string_value(json_array_get(w, 0)), "PGA104"));
	/* the audit value is capped and says how many it left out */
	const char *audit = json_string_value(
		json_object_get(json_object_get(resp, "auditAnnotations"),
				"PGA104"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(audit);
	const char *more = strstr(audit, "; +");
	CU_ASSERT_PTR_NOT_NULL_FATAL(more);
	int listed = 0, n = 0;
	for (const char *q = audit; (q = strstr(q, "warn ")); q++)
		listed++;
	CU_ASSERT_EQUAL(sscanf(more, "; +%d more", &n), 1);
	CU_ASSERT_EQUAL(listed + n, 40);
	CU_ASSERT(listed < 40);
	json_decref(j);
	admission_result_free(&r);
	/* exactly 16: all shown, no "more" line */
	j = review_n(&p, 16, &r);
	w = json_object_get(json_object_get(j, "response"), "warnings");
	CU_ASSERT_EQUAL(json_array_size(w), 16);
	CU_ASSERT_PTR_NULL(
		strstr(json_string_value(json_array_get(w, 15)), "more"));
	json_decref(j);
	admission_result_free(&r);
	policy_release(&p);
}

static CU_TestInfo tests[] = {
	{"PGADMIT_RULE_* names and values", test_rule_env},
	{"regex errors: key once, library's reason", test_regex_error},
	{"pgadmit.dev/ annotations not honoured", test_annotations},
	{"SARIF uris", test_uri},
	{"Helm # Source comments", test_source_scan},
	{"webhook warnings and audit values say +N more", test_capped_lists},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"settings", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_settings", suites);
}
