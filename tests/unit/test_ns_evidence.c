/*
 * test_ns_evidence.c — PGA105 and PGA106 beyond the fixtures: the
 * namespace evidence (label selectors, ServiceMonitor through Services,
 * namespaceSelector, ConfigMap keys with envFrom prefixes), bundle
 * resolution next to PGA103's deferred candidates, the webhook oracle's
 * answers (UNKNOWN never denies), the hba line judge the cluster-resource
 * branches call, and the policy's exporter list.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/rules/rule.h"
#include "pgadmit/policy.h"
#include "pgadmit/rules.h"
#include "unit.h"

static json_t *obj(const char *js)
{
	json_error_t je;
	json_t *j = json_loads(js, 0, &je);
	if (!j)
		fprintf(stderr, "bad test JSON: %s: %s\n", je.text, js);
	return j;
}

static void add(struct ns_evidence *ev, const struct policy *p, const char *ns,
		const char *js)
{
	json_t *j = obj(js);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(ns_evidence_add(ev, p, ns,
					json_string_value(
						json_object_get(j, "kind")),
					j),
			0);
	json_decref(j);
}

static enum backup_state mon(const struct ns_evidence *ev, const char *ns,
			     const char *labels)
{
	json_t *l = obj(labels);
	enum backup_state st = ns_evidence_monitoring(ev, ns, l);
	json_decref(l);
	return st;
}

#define PM(ns, sel)                                                             \
	"{\"apiVersion\":\"monitoring.coreos.com/v1\",\"kind\":\"PodMonitor\"," \
	"\"metadata\":{\"name\":\"m\",\"namespace\":\"" ns "\"},\"spec\":"      \
	"{\"selector\":" sel "}}"

static void test_selectors(void)
{
	struct ns_evidence *ev = ns_evidence_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(mon(ev, "a", "{\"app\":\"pg\"}"), BACKUP_NOT_FOUND);
	add(ev, NULL, "a", PM("a", "{\"matchLabels\":{\"app\":\"pg\"}}"));
	CU_ASSERT_EQUAL(mon(ev, "a", "{\"app\":\"pg\",\"x\":\"y\"}"),
			BACKUP_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "a", "{\"app\":\"web\"}"), BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "a", "{}"), BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "b", "{\"app\":\"pg\"}"), BACKUP_NOT_FOUND);
	/* expressions: all must hold; unknown operators select nothing */
	add(ev, NULL, "b",
	    PM("b",
	       "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
	       "\"In\",\"values\":[\"db\"]},{\"key\":\"old\",\"operator\":"
	       "\"DoesNotExist\"},{\"key\":\"app\",\"operator\":\"Exists\"},"
	       "{\"key\":\"env\",\"operator\":\"NotIn\",\"values\":"
	       "[\"dev\"]}]}"));
	CU_ASSERT_EQUAL(mon(ev, "b", "{\"tier\":\"db\",\"app\":\"x\"}"),
			BACKUP_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "b",
			    "{\"tier\":\"db\",\"app\":\"x\","
			    "\"env\":\"dev\"}"),
			BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "b",
			    "{\"tier\":\"db\",\"app\":\"x\","
			    "\"old\":\"1\"}"),
			BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "b", "{\"tier\":\"db\"}"), BACKUP_NOT_FOUND);
	add(ev, NULL, "c",
	    PM("c", "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":"
		    "\"Gt\",\"values\":[\"1\"]}]}"));
	CU_ASSERT_EQUAL(mon(ev, "c", "{\"a\":\"2\"}"), BACKUP_NOT_FOUND);
	/* an empty selector selects every pod of its namespace */
	add(ev, NULL, "d", PM("d", "{}"));
	CU_ASSERT_EQUAL(mon(ev, "d", "{}"), BACKUP_FOUND);
	/* a monitor without selector (invalid for the CRD) selects nothing */
	add(ev, NULL, "e",
	    "{\"apiVersion\":\"monitoring.coreos.com/v1\",\"kind\":"
	    "\"PodMonitor\",\"spec\":{}}");
	CU_ASSERT_EQUAL(mon(ev, "e", "{}"), BACKUP_NOT_FOUND);
	/* the group counts: a PodMonitor of another API is no monitor */
	add(ev, NULL, "f",
	    "{\"apiVersion\":\"example.com/v1\",\"kind\":\"PodMonitor\","
	    "\"spec\":{\"selector\":{}}}");
	CU_ASSERT_EQUAL(mon(ev, "f", "{}"), BACKUP_NOT_FOUND);
	CU_ASSERT_FALSE(ns_evidence_kind("example.com/v1", "PodMonitor"));
	CU_ASSERT(
		ns_evidence_kind("monitoring.coreos.com/v1", "ServiceMonitor"));
	CU_ASSERT(ns_evidence_kind("monitoring.googleapis.com/v1",
				   "PodMonitoring"));
	CU_ASSERT(ns_evidence_kind("v1", "ConfigMap"));
	CU_ASSERT_FALSE(ns_evidence_kind("v1", "Secret"));
	ns_evidence_free(ev);
	ns_evidence_free(NULL);
}

static void test_service_monitors(void)
{
	struct ns_evidence *ev = ns_evidence_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	add(ev, NULL, "a",
	    "{\"apiVersion\":\"monitoring.coreos.com/v1\",\"kind\":"
	    "\"ServiceMonitor\",\"spec\":{\"selector\":{\"matchLabels\":"
	    "{\"scrape\":\"yes\"}}}}");
	/* no Service yet: nothing */
	CU_ASSERT_EQUAL(mon(ev, "a", "{\"app\":\"pg\"}"), BACKUP_NOT_FOUND);
	/* a Service the monitor selects, whose selector is not the pods' */
	add(ev, NULL, "a",
	    "{\"kind\":\"Service\",\"metadata\":{\"labels\":{\"scrape\":"
	    "\"yes\"}},\"spec\":{\"selector\":{\"app\":\"pg\",\"role\":"
	    "\"primary\"}}}");
	CU_ASSERT_EQUAL(mon(ev, "a", "{\"app\":\"pg\"}"), BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "a", "{\"app\":\"pg\",\"role\":\"primary\"}"),
			BACKUP_FOUND);
	/* a Service without selector selects no pods */
	add(ev, NULL, "b",
	    "{\"apiVersion\":\"monitoring.coreos.com/v1\",\"kind\":"
	    "\"ServiceMonitor\",\"spec\":{\"selector\":{}}}");
	add(ev, NULL, "b",
	    "{\"kind\":\"Service\",\"metadata\":{\"labels\":{}},\"spec\":{}}");
	CU_ASSERT_EQUAL(mon(ev, "b", "{}"), BACKUP_NOT_FOUND);
	/* a Service of another namespace does not count */
	add(ev, NULL, "c",
	    "{\"kind\":\"Service\",\"spec\":{\"selector\":{\"app\":\"pg\"}}}");
	CU_ASSERT_EQUAL(mon(ev, "b", "{\"app\":\"pg\"}"), BACKUP_NOT_FOUND);
	/* namespaceSelector: any, matchNames */
	add(ev, NULL, "mon",
	    "{\"apiVersion\":\"monitoring.coreos.com/v1\",\"kind\":"
	    "\"PodMonitor\",\"spec\":{\"namespaceSelector\":{\"matchNames\":"
	    "[\"x\",\"y\"]},\"selector\":{\"matchLabels\":{\"app\":\"pg\"}}}}");
	CU_ASSERT_EQUAL(mon(ev, "y", "{\"app\":\"pg\"}"), BACKUP_FOUND);
	CU_ASSERT_EQUAL(mon(ev, "mon", "{\"app\":\"pg\"}"), BACKUP_NOT_FOUND);
	add(ev, NULL, "mon",
	    "{\"apiVersion\":\"monitoring.coreos.com/v1\",\"kind\":"
	    "\"PodMonitor\",\"spec\":{\"namespaceSelector\":{\"any\":true},"
	    "\"selector\":{\"matchLabels\":{\"app\":\"db\"}}}}");
	CU_ASSERT_EQUAL(mon(ev, "zz", "{\"app\":\"db\"}"), BACKUP_FOUND);
	/* GKE PodMonitoring: own namespace */
	add(ev, NULL, "g",
	    "{\"apiVersion\":\"monitoring.googleapis.com/v1\",\"kind\":"
	    "\"PodMonitoring\",\"spec\":{\"selector\":{\"matchLabels\":"
	    "{\"app\":\"pg\"}}}}");
	CU_ASSERT_EQUAL(mon(ev, "g", "{\"app\":\"pg\"}"), BACKUP_FOUND);
	ns_evidence_free(ev);
}

static void test_exporters(void)
{
	struct err e;
	struct policy p;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	CU_ASSERT(pga106_is_exporter_image(&p, "postgres_exporter"));
	CU_ASSERT(pga106_is_exporter_image(
		&p, "quay.io/prometheuscommunity/postgres-exporter:v0.15.0"));
	CU_ASSERT(pga106_is_exporter_image(
		&p, "registry.developers.crunchydata.com/crunchydata/"
		    "crunchy-postgres-exporter:ubi8-5.5.1-0@sha256:0123"));
	CU_ASSERT_FALSE(pga106_is_exporter_image(&p, "postgres:16"));
	CU_ASSERT_FALSE(pga106_is_exporter_image(&p, "my-pg-metrics:1"));
	CU_ASSERT_FALSE(pga106_is_exporter_image(&p, NULL));
	const char *pol = "postgres:\n  exporterImages: [my-pg-metrics, "
			  "Sql_Exporter]\n";
	CU_ASSERT_EQUAL_FATAL(policy_load_buffer(&p, pol, strlen(pol), "t", &e),
			      0);
	CU_ASSERT(
		pga106_is_exporter_image(&p, "reg:5000/team/my-pg-metrics:1"));
	CU_ASSERT(pga106_is_exporter_image(&p, "sql_exporter"));
	CU_ASSERT_FALSE(pga106_is_exporter_image(&p, "my-pg-metrics-x"));
	/* in a namespace: an exporter Deployment counts, a Job does not */
	struct ns_evidence *ev = ns_evidence_new();
	add(ev, &p, "a",
	    "{\"kind\":\"Job\",\"spec\":{\"template\":{\"spec\":"
	    "{\"containers\":[{\"image\":\"postgres_exporter\"}]}}}}");
	CU_ASSERT_EQUAL(mon(ev, "a", "{}"), BACKUP_NOT_FOUND);
	add(ev, &p, "a",
	    "{\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":"
	    "{\"containers\":[{\"image\":\"my-pg-metrics:2\"}]}}}}");
	CU_ASSERT_EQUAL(mon(ev, "a", "{}"), BACKUP_FOUND);
	CU_ASSERT_EQUAL(mon(ev, NULL, "{}"), BACKUP_NOT_FOUND);
	ns_evidence_free(ev);
	/* bad lists name the key */
	const char *bad[] = {"postgres:\n  exporterImages: x\n",
			     "postgres:\n  exporterImages: [a/b]\n",
			     "postgres:\n  exporterImages: [\"a:1\"]\n",
			     "postgres:\n  exporterImages: [\"\"]\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CU_ASSERT_NOT_EQUAL(policy_load_buffer(&p, bad[i],
						       strlen(bad[i]), "t", &e),
				    0);
		CU_ASSERT_PTR_NOT_NULL(
			strstr(e.msg, "postgres.exporterImages"));
	}
	policy_release(&p);
}

static void test_configmaps(void)
{
	struct ns_evidence *ev = ns_evidence_new();
	char var[32];
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	add(ev, NULL, "a",
	    "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"env\"},\"data\":"
	    "{\"ALLOW_EMPTY_PASSWORD\":\"true\",\"HOST_AUTH_METHOD\":\"trust\","
	    "\"AUTH_METHOD\":\"Trust\"}}");
	add(ev, NULL, "a",
	    "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"safe\"},\"data\":"
	    "{\"ALLOW_EMPTY_PASSWORD\":\"no\",\"POSTGRES_HOST_AUTH_METHOD\":"
	    "\"md5\"}}");
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "a", "env", NULL, var,
						    sizeof(var)),
			BACKUP_FOUND);
	CU_ASSERT_STRING_EQUAL(var, "ALLOW_EMPTY_PASSWORD");
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "a", "env", "POSTGRES_",
						    var, sizeof(var)),
			BACKUP_FOUND);
	CU_ASSERT_STRING_EQUAL(var, "POSTGRES_HOST_AUTH_METHOD");
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "a", "env",
						    "POSTGRES_HOST_", var,
						    sizeof(var)),
			BACKUP_FOUND);
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "a", "env", "X_", var,
						    sizeof(var)),
			BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "a", "safe", NULL, var,
						    sizeof(var)),
			BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "b", "env", NULL, var,
						    sizeof(var)),
			BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(ns_evidence_configmap_trust(ev, "a", "none", NULL, var,
						    sizeof(var)),
			BACKUP_NOT_FOUND);
	ns_evidence_free(ev);
}

#define PG_STS                                                                 \
	"{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"pg\","             \
	"\"namespace\":\"data\"},\"spec\":{\"template\":{\"metadata\":"        \
	"{\"labels\":{\"app\":\"pg\"}},\"spec\":{\"containers\":[{\"name\":"   \
	"\"pg\",\"image\":\"postgres:16\",\"envFrom\":[{\"configMapRef\":"     \
	"{\"name\":\"env\"}}]}]}}}}"

struct fake {
	enum backup_state mon, cm;
	int mon_calls, cm_calls;
	char labels[64];
};

static enum backup_state f_mon(void *arg, const char *ns, const json_t *labels,
			       char *why, size_t wl)
{
	struct fake *f = arg;
	(void)ns;
	f->mon_calls++;
	char *s = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(f->labels, sizeof(f->labels), "%s", s ? s : "");
	free(s);
	snprintf(why, wl, "API down");
	return f->mon;
}

static enum backup_state f_cm(void *arg, const char *ns, const char *cm,
			      const char *prefix, char *env, size_t el,
			      char *why, size_t wl)
{
	struct fake *f = arg;
	(void)ns, (void)cm, (void)prefix;
	f->cm_calls++;
	snprintf(env, el, "ALLOW_EMPTY_PASSWORD");
	snprintf(why, wl, "HTTP 403");
	return f->cm;
}

/* Findings of rule into out (cleared first). */
static size_t run(const struct policy *p, const struct backup_oracle *o,
		  const char *js, const char *rule, struct finding_list *out,
		  struct finding_list *def)
{
	finding_list_free(out);
	json_t *j = obj(js);
	struct object_ref ref = {j, "StatefulSet", "data", "pg", NULL,
				 0, NULL,          NULL};
	CU_ASSERT_EQUAL(rules_eval_object(p, &ref, o, out, def), 0);
	json_decref(j);
	size_t n = 0;
	for (size_t i = 0; i < out->n; i++)
		n += strcmp(out->v[i].rule, rule) == 0;
	return n;
}

static const struct finding *first(const struct finding_list *l,
				   const char *rule)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].rule, rule) == 0)
			return &l->v[i];
	return NULL;
}

static void test_webhook_oracle(void)
{
	struct err e;
	struct policy p;
	struct finding_list out, def;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	finding_list_init(&out);
	finding_list_init(&def);
	struct fake f = {.mon = BACKUP_FOUND, .cm = BACKUP_NOT_FOUND};
	struct backup_oracle o = {.arg = &f,
				  .monitoring = f_mon,
				  .configmap_trust = f_cm};
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA106", &out, &def), 0);
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA105", &out, &def), 0);
	CU_ASSERT_STRING_EQUAL(f.labels, "{\"app\":\"pg\"}");
	f.mon = BACKUP_NOT_FOUND;
	f.cm = BACKUP_FOUND;
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA106", &out, &def), 1);
	CU_ASSERT_EQUAL(first(&out, "PGA106")->action, ACTION_WARN);
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA105", &out, &def), 1);
	const struct finding *x = first(&out, "PGA105");
	CU_ASSERT_EQUAL(x->action, ACTION_DENY);
	CU_ASSERT_STRING_EQUAL(x->path,
			       "spec.template.spec.containers[0].envFrom[0]");
	CU_ASSERT_PTR_NOT_NULL(strstr(x->message, "ALLOW_EMPTY_PASSWORD=yes"));
	/* UNKNOWN never denies and says why */
	p.actions[R_PGA106] = ACTION_DENY;
	f.mon = f.cm = BACKUP_UNKNOWN;
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA106", &out, &def), 1);
	x = first(&out, "PGA106");
	CU_ASSERT_EQUAL(x->action, ACTION_WARN);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(x->message, "could not be verified: API down"));
	x = first(&out, "PGA105");
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->action, ACTION_WARN);
	CU_ASSERT_PTR_NOT_NULL(strstr(x->message, "HTTP 403"));
	/* the opt-out annotation: not asked at all */
	int calls = f.mon_calls;
	const char *ann =
		"{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"pg\","
		"\"annotations\":{\"pgadmit.dev/monitoring\":\"pgwatch\"}},"
		"\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":"
		"\"postgres:16\"}]}}}}";
	CU_ASSERT_EQUAL(run(&p, &o, ann, "PGA106", &out, &def), 0);
	CU_ASSERT_EQUAL(f.mon_calls, calls);
	CU_ASSERT_EQUAL(run(&p, &o, ann, "pgadmit", &out, &def), 0);
	/* no oracle at all: a lone workload is reported; the envFrom
	 * ConfigMap cannot be read and is not */
	p.actions[R_PGA106] = ACTION_WARN;
	finding_list_free(&def);
	CU_ASSERT_EQUAL(run(&p, NULL, PG_STS, "PGA106", &out, &def), 1);
	CU_ASSERT_EQUAL(run(&p, NULL, PG_STS, "PGA105", &out, &def), 0);
	CU_ASSERT_EQUAL_FATAL(def.n, 2); /* PGA103's candidates only */
	CU_ASSERT_STRING_EQUAL(def.v[0].rule, "PGA103");
	CU_ASSERT_STRING_EQUAL(def.v[1].rule, "PGA103");
	finding_list_free(&out);
	finding_list_free(&def);
	policy_release(&p);
}

static void test_bundle_resolve(void)
{
	struct err e;
	struct policy p;
	struct finding_list out, def;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	finding_list_init(&out);
	finding_list_init(&def);
	struct ns_evidence *ev = ns_evidence_new();
	struct backup_oracle o = {.bundle = ev};
	/* the candidates wait for the end of the bundle */
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA106", &out, &def), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	CU_ASSERT_EQUAL(def.n, 3); /* PGA103, PGA105, PGA106 */
	add(ev, &p, "data",
	    "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"env\"},"
	    "\"data\":{\"POSTGRES_HOST_AUTH_METHOD\":\"trust\"}}");
	add(ev, &p, "data", PM("data", "{\"matchLabels\":{\"app\":\"pg\"}}"));
	CU_ASSERT_EQUAL(ns_evidence_resolve(ev, &def, &out), 0);
	CU_ASSERT_EQUAL_FATAL(def.n, 1);
	CU_ASSERT_STRING_EQUAL(def.v[0].rule, "PGA103");
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_STRING_EQUAL(out.v[0].rule, "PGA105");
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out.v[0].message, "POSTGRES_HOST_AUTH_METHOD=trust"));
	/* a second round: nothing left over from the first */
	finding_list_free(&def);
	CU_ASSERT_EQUAL(run(&p, &o, PG_STS, "PGA106", &out, &def), 0);
	struct ns_evidence *empty = ns_evidence_new();
	o.bundle = empty;
	CU_ASSERT_EQUAL(ns_evidence_resolve(ev, &def, &out), 0);
	CU_ASSERT_EQUAL(out.n, 1); /* PGA105 again; PGA106 monitored */
	ns_evidence_free(empty);
	ns_evidence_free(ev);
	finding_list_free(&out);
	finding_list_free(&def);
	policy_release(&p);
}

static void test_hba_lines(void)
{
	struct {
		const char *line;
		bool trust;
	} cases[] = {
		{"host all all 0.0.0.0/0 trust", true},
		{"hostssl all all ::/0 trust", true},
		{"host all all 10.0.0.0 255.0.0.0 trust", true},
		{"host all all all trust", true},
		{"host all all samenet trust", true},
		{"host all all .example.com trust", true},
		{"host all all \"all\" trust", true},
		{"  host all all 0.0.0.0/0 TRUST # comment", true},
		{"host all all 0.0.0.0/0 \\\n trust", true},
		{"local all all trust", false},
		{"host all all 127.0.0.1/32 trust", false},
		{"host all all 127.0.0.1 255.255.255.255 trust", false},
		{"host all all ::1/128 trust", false},
		{"host all all samehost trust", false},
		{"host all all localhost trust", false},
		{"host all all 0.0.0.0/0 scram-sha-256", false},
		{"host all all 0.0.0.0/0 reject", false},
		{"# host all all 0.0.0.0/0 trust", false},
		{"host all all 999.0.0.0/8 trust", false}, /* does not parse */
		{"include_dir conf.d", false},
		{"", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		bool got = pga105_hba_line_is_trust(cases[i].line,
						    strlen(cases[i].line));
		if (got != cases[i].trust)
			fprintf(stderr, "  hba: %s: got %d\n", cases[i].line,
				got);
		CU_ASSERT_EQUAL(got, cases[i].trust);
	}
	CU_ASSERT_FALSE(pga105_hba_line_is_trust(NULL, 0));
}

static CU_TestInfo tests[] = {
	{"selectors", test_selectors},
	{"service_monitors", test_service_monitors},
	{"exporters", test_exporters},
	{"configmaps", test_configmaps},
	{"webhook_oracle", test_webhook_oracle},
	{"bundle_resolve", test_bundle_resolve},
	{"hba_lines", test_hba_lines},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"ns_evidence", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_ns_evidence", suites);
}
