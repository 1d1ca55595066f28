/*
 * test_rules.c — the manifest rules PGA101–PGA104 and their engine.
 *
 * Data-driven part (like curl's tests): every file under
 * tests/fixtures/PGA10x/fires/ carries its expectations in header comments
 *     # expect: PGA102 spec.template.spec.containers[0].env[1].value line=17 [action=deny]
 *     # secret: s3cret            (must never appear in any finding field)
 * and the findings of the rules named there (and of the directory's rule)
 * must match them exactly: rule, path, line and action (default: the rule's
 * default action). Files under quiet/ must produce no finding of the
 * directory's rule. Adding a case is adding a file. Files are judged as one
 * bundle each, like `pgadmit check FILE` (Lists unwrapped, Compose files
 * judged per service, PGA103 resolved at the end against the file's
 * CronJobs).
 *
 * The rest builds objects in C: policy actions, skipped namespaces, the
 * backup oracle, the per-object cap, paths, the opt-out message.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/rules/cidr.h"
#include "pgadmit/manifest.h"
#include "pgadmit/podspec.h"
#include "pgadmit/policy.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

#define FX_ROOT "tests/fixtures"
#define MAX_EX 64
#define MAX_SECRETS 32

struct expect {
	char rule[8];
	char path[256];
	int line;
	enum action action;
	bool used;
};

struct fixture {
	struct expect ex[MAX_EX];
	size_t nex;
	char secrets[MAX_SECRETS][96];
	size_t nsec;
};

static int failures_detail;

static void parse_header(const char *buf, struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	const char *l = buf;
	while (l && *l) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char line[512];
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, l, len);
		line[len] = '\0';
		if (strncmp(line, "# expect:", 9) == 0 && fx->nex < MAX_EX) {
			struct expect *e = &fx->ex[fx->nex];
			char act[16] = "";
			char *tok = strtok(line + 9, " \t");
			if (tok)
				snprintf(e->rule, sizeof(e->rule), "%s", tok);
			if ((tok = strtok(NULL, " \t")))
				snprintf(e->path, sizeof(e->path), "%s", tok);
			e->line = -1;
			while ((tok = strtok(NULL, " \t"))) {
				if (strncmp(tok, "line=", 5) == 0)
					e->line = atoi(tok + 5);
				else if (strncmp(tok, "action=", 7) == 0)
					snprintf(act, sizeof(act), "%s",
						 tok + 7);
			}
			const struct rule_meta *m = rule_meta_by_code(e->rule);
			e->action = m ? m->def_action : ACTION_OFF;
			if (act[0])
				e->action = (enum action)action_parse(act, 1);
			fx->nex++;
		} else if (strncmp(line, "# secret:", 9) == 0 &&
			   fx->nsec < MAX_SECRETS) {
			const char *s = line + 9;
			while (*s == ' ')
				s++;
			snprintf(fx->secrets[fx->nsec++], 96, "%.90s", s);
		}
		l = nl ? nl + 1 : NULL;
	}
}

/* ---- a small bundle driver (what `check` does for one file) ---------- */

struct bundle {
	const struct policy *p;
	const char *file;
	struct finding_list out;
	struct finding_list deferred;
	struct backup_index *bi;
	struct ns_evidence *ev; /* PGA105/PGA106 */
	int rc;
};

static const char *sget(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void judge(struct bundle *b, const struct manifest_doc *doc,
		  const json_t *obj, const char *kind, const char *ns,
		  const char *name, const char *prefix)
{
	struct object_ref o = {obj,     kind,       ns,  name,
			       b->file, doc->index, doc, prefix};
	struct backup_oracle bundle = {.bundle = b->ev};
	if (rules_eval_object(b->p, &o, &bundle, &b->out, &b->deferred))
		b->rc = -1;
}

static void judge_k8s(struct bundle *b, const struct manifest_doc *doc,
		      const json_t *obj)
{
	const char *kind = sget(obj, "kind", NULL);
	if (!kind)
		return;
	if (strcmp(kind, "List") == 0) {
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(obj, "items"), i, it)
			judge_k8s(b, doc, it);
		return;
	}
	const char *ns = sget(obj, "metadata", "namespace");
	if (!policy_skips_namespace(b->p, ns) &&
	    backup_index_add_object(b->bi, ns, kind, obj))
		b->rc = -1;
	if (!policy_skips_namespace(b->p, ns) &&
	    ns_evidence_add(b->ev, b->p, ns, kind, obj))
		b->rc = -1;
	judge(b, doc, obj, kind, ns, sget(obj, "metadata", "name"), NULL);
}

static int on_doc(const struct manifest_doc *doc, void *arg)
{
	struct bundle *b = arg;
	const json_t *root = doc->root;
	if (!json_is_object(root))
		return 0;
	const json_t *svcs = json_object_get(root, "services");
	if (json_is_object(svcs) && !json_object_get(root, "kind")) {
		const char *name;
		json_t *svc;
		json_object_foreach((json_t *)svcs, name, svc) {
			char prefix[128];
			snprintf(prefix, sizeof(prefix), "services.%s", name);
			judge(b, doc, svc, "ComposeService", NULL, name,
			      prefix);
		}
		return 0;
	}
	judge_k8s(b, doc, root);
	return 0;
}

/* Judge one file as a bundle; findings into *out (caller frees). */
static int run_file(const struct policy *p, const char *path,
		    struct finding_list *out, char **text)
{
	size_t len;
	char *buf = unit_read_file(path, &len);
	struct err err;
	struct bundle b = {.p = p, .file = path};
	finding_list_init(&b.out);
	finding_list_init(&b.deferred);
	b.bi = backup_index_new();
	b.ev = ns_evidence_new();
	if (!buf || !b.bi || !b.ev) {
		free(buf);
		backup_index_free(b.bi);
		ns_evidence_free(b.ev);
		return -1;
	}
	err_clear(&err);
	int rc = manifest_load_buffer(buf, len, path, NULL, on_doc, &b, &err);
	if (rc)
		fprintf(stderr, "%s: load failed: %s\n", path, err.msg);
	if (ns_evidence_resolve(b.ev, &b.deferred, &b.out) ||
	    backup_index_resolve(b.bi, &b.deferred, &b.out))
		rc = -1;
	backup_index_free(b.bi);
	ns_evidence_free(b.ev);
	*out = b.out;
	if (text)
		*text = buf;
	else
		free(buf);
	return rc ? rc : b.rc;
}

static bool in_rules(const char *rule, const char *dir_rule,
		     const struct fixture *fx)
{
	if (strcmp(rule, dir_rule) == 0)
		return true;
	for (size_t i = 0; i < fx->nex; i++)
		if (strcmp(fx->ex[i].rule, rule) == 0)
			return true;
	return false;
}

static void dump(const char *file, const char *why, const struct finding *f)
{
	fprintf(stderr, "  %s: %s: %s %s line=%d action=%s (%s)\n", file, why,
		f->rule, f->path, f->line, action_name(f->action), f->message);
	failures_detail++;
}

static bool secret_in(const struct finding *f, const char *s)
{
	const char *fields[] = {f->file, f->kind,    f->ns,  f->name,
				f->path, f->message, f->hint};
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (fields[i] && strstr(fields[i], s))
			return true;
	return false;
}

/* The sorted names in dir that want() accepts (hidden ones never). */
static size_t names(const char *dir,
		    bool (*want)(const char *dir, const char *name),
		    char ***out)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	*out = NULL;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !want(dir, de->d_name))
			continue;
		*out = realloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 0; i + 1 < n; i++) /* tiny insertion sort */
		for (size_t j = i + 1; j < n; j++)
			if (strcmp((*out)[j], (*out)[i]) < 0) {
				char *t = (*out)[i];
				(*out)[i] = (*out)[j];
				(*out)[j] = t;
			}
	return n;
}

static bool is_yaml(const char *dir, const char *name)
{
	(void)dir;
	const char *dot = strrchr(name, '.');
	return dot && strcmp(dot, ".yaml") == 0;
}

/* A rule's fixture folder: tests/fixtures/PGA<digits>/ (a new rule is a new
 * folder; nothing here lists the rules). */
static bool is_rule_dir(const char *dir, const char *name)
{
	char path[256];
	struct stat st;
	if (strncmp(name, "PGA", 3) || !name[3] ||
	    strspn(name + 3, "0123456789") != strlen(name + 3))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* kind: "fires" or "quiet". Returns the number of files checked. */
static size_t run_fixtures(const char *kind)
{
	struct err e;
	struct policy p;
	size_t files = 0;
	char **fx_rules;
	size_t nrules = names(FX_ROOT, is_rule_dir, &fx_rules);
	CU_ASSERT(nrules >= 4); /* PGA101..PGA104 at least */
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	for (size_t r = 0; r < nrules; r++) {
		char dir[128];
		char **nm;
		snprintf(dir, sizeof(dir), FX_ROOT "/%s/%s", fx_rules[r], kind);
		size_t n = names(dir, is_yaml, &nm);
		CU_ASSERT(n > 0);
		for (size_t i = 0; i < n; i++) {
			char path[256];
			char *text = NULL;
			struct fixture fx;
			struct finding_list out;
			snprintf(path, sizeof(path), "%s/%s", dir, nm[i]);
			int rc = run_file(&p, path, &out, &text);
			CU_ASSERT_EQUAL(rc, 0);
			files++;
			parse_header(text ? text : "", &fx);
			/* a declared secret must really be in the body, or the
			 * no-leak check below proves nothing */
			for (size_t k = 0; k < fx.nsec; k++) {
				size_t hits = 0;
				for (const char *q = text;
				     q && (q = strstr(q, fx.secrets[k])); q++)
					hits++;
				CU_ASSERT(hits >= 2); /* header line + body */
			}
			free(text);
			if (strcmp(kind, "fires") == 0) {
				if (fx.nex == 0)
					fprintf(stderr,
						"  %s: no expectation\n", path);
				CU_ASSERT(fx.nex > 0);
			}
			for (size_t k = 0; k < out.n; k++) {
				const struct finding *f = &out.v[k];
				for (size_t s = 0; s < fx.nsec; s++) {
					if (secret_in(f, fx.secrets[s]))
						dump(path, "SECRET LEAKED", f);
					CU_ASSERT_FALSE(
						secret_in(f, fx.secrets[s]));
				}
				if (!in_rules(f->rule, fx_rules[r], &fx))
					continue;
				bool ok = false;
				for (size_t x = 0; x < fx.nex && !ok; x++) {
					struct expect *ex = &fx.ex[x];
					if (ex->used ||
					    strcmp(ex->rule, f->rule) ||
					    strcmp(ex->path, f->path) ||
					    ex->line != f->line ||
					    ex->action != f->action)
						continue;
					ex->used = ok = true;
				}
				if (!ok)
					dump(path, "unexpected finding", f);
				CU_ASSERT_TRUE(ok);
			}
			for (size_t x = 0; x < fx.nex; x++) {
				if (!fx.ex[x].used) {
					fprintf(stderr,
						"  %s: missing %s %s line=%d action=%s\n",
						path, fx.ex[x].rule,
						fx.ex[x].path, fx.ex[x].line,
						action_name(fx.ex[x].action));
					failures_detail++;
				}
				CU_ASSERT_TRUE(fx.ex[x].used);
			}
			finding_list_free(&out);
			free(nm[i]);
		}
		free(nm);
		free(fx_rules[r]);
	}
	free(fx_rules);
	policy_release(&p);
	return files;
}

static void test_fixtures_fire(void)
{
	CU_ASSERT(run_fixtures("fires") >= 35);
}

static void test_fixtures_quiet(void)
{
	CU_ASSERT(run_fixtures("quiet") >= 20);
}

/* ---- engine tests on objects built in C ------------------------------ */

static json_t *obj(const char *js)
{
	json_error_t je;
	json_t *j = json_loads(js, 0, &je);
	if (!j)
		fprintf(stderr, "bad test JSON: %s: %s\n", je.text, js);
	return j;
}

static int eval_full(const struct policy *p, const char *js, const char *prefix,
		     const struct backup_oracle *oracle,
		     struct finding_list *out, struct finding_list *deferred)
{
	json_t *j = obj(js);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	const char *kind = prefix ? "ComposeService" : sget(j, "kind", NULL);
	const char *name = prefix ? "db" : sget(j, "metadata", "name");
	struct object_ref o = {j,    kind,  sget(j, "metadata", "namespace"),
			       name, NULL,  0,
			       NULL, prefix};
	int rc = rules_eval_object(p, &o, oracle, out, deferred);
	json_decref(j);
	return rc;
}

static int eval(const struct policy *p, const char *js,
		struct finding_list *out)
{
	return eval_full(p, js, NULL, NULL, out, NULL);
}

#define NODEPORT_SVC                                                           \
	"{\"kind\":\"Service\",\"metadata\":{\"name\":\"db\",\"namespace\":"   \
	"\"%s\",\"annotations\":{%s}},\"spec\":{\"type\":\"NodePort\","        \
	"\"ports\":[{\"port\":5432}]}}"

static void nodeport(char *buf, size_t n, const char *ns, const char *ann)
{
	snprintf(buf, n, NODEPORT_SVC, ns, ann);
}

static void test_policy_actions(void)
{
	struct err e;
	struct policy p;
	struct finding_list out;
	char js[512];
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	nodeport(js, sizeof(js), "prod", "");
	const enum action acts[] = {ACTION_DENY, ACTION_WARN, ACTION_ANNOTATE};
	for (size_t i = 0; i < 3; i++) {
		p.actions[R_PGA101] = acts[i];
		finding_list_init(&out);
		CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
		CU_ASSERT_EQUAL_FATAL(out.n, 1);
		CU_ASSERT_EQUAL(out.v[0].action, acts[i]);
		CU_ASSERT_STRING_EQUAL(out.v[0].rule, "PGA101");
		CU_ASSERT_STRING_EQUAL(out.v[0].slug, "postgres-port-exposed");
		CU_ASSERT_STRING_EQUAL(out.v[0].path, "spec.ports[0].port");
		CU_ASSERT_STRING_EQUAL(out.v[0].kind, "Service");
		CU_ASSERT_STRING_EQUAL(out.v[0].ns, "prod");
		CU_ASSERT_STRING_EQUAL(out.v[0].name, "db");
		CU_ASSERT_EQUAL(out.v[0].line, 0); /* webhook: no source */
		CU_ASSERT_PTR_NULL(out.v[0].file);
		CU_ASSERT_PTR_NULL(strchr(out.v[0].message, '\n'));
		CU_ASSERT(strlen(out.v[0].message) <= 120);
		CU_ASSERT(strlen(out.v[0].hint) <= 120);
		CU_ASSERT(strlen(out.v[0].hint) > 0);
		finding_list_free(&out);
	}
	/* off: nothing, not even the opt-out info */
	p.actions[R_PGA101] = ACTION_OFF;
	nodeport(js, sizeof(js), "prod",
		 "\"pgadmit.dev/ignore-postgres-port-exposed\":\"why not\"");
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	finding_list_free(&out);
	policy_release(&p);

	/* the same through a policy file (id and slug keys) */
	const char *pol = "{\"rules\":{\"PGA101\":\"warn\","
			  "\"postgres-credentials-inline\":\"off\"}}";
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	CU_ASSERT_EQUAL_FATAL(policy_load_buffer(&p, pol, strlen(pol),
						 "policy.json", &e),
			      0);
	nodeport(js, sizeof(js), "prod", "");
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_WARN);
	finding_list_free(&out);
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p,
			     "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"},"
			     "\"spec\":{\"containers\":[{\"name\":\"a\","
			     "\"env\":[{\"name\":\"PGPASSWORD\",\"value\":"
			     "\"hunter2\"}]}]}}",
			     &out),
			0);
	CU_ASSERT_EQUAL(out.n, 0);
	finding_list_free(&out);
	policy_release(&p);
}

static void test_policy_ports(void)
{
	struct err e;
	struct policy p;
	struct finding_list out;
	char js[512];
	const char *pol = "{\"postgres\":{\"ports\":[15432]}}";
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	CU_ASSERT_EQUAL_FATAL(policy_load_buffer(&p, pol, strlen(pol),
						 "policy.json", &e),
			      0);
	nodeport(js, sizeof(js), "prod", ""); /* port 5432: not configured */
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	finding_list_free(&out);
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p,
			     "{\"kind\":\"Service\",\"metadata\":{\"name\":"
			     "\"db\"},\"spec\":{\"type\":\"NodePort\","
			     "\"ports\":[{\"port\":\"15432\"}]}}",
			     &out),
			0);
	CU_ASSERT_EQUAL(out.n, 1);
	finding_list_free(&out);
	policy_release(&p);
}

static void test_skip_namespace(void)
{
	struct err e;
	struct policy p;
	struct finding_list out;
	char js[512];
	const char *pol = "{\"namespaces\":{\"skip\":[\"legacy\"]}}";
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	CU_ASSERT_EQUAL_FATAL(policy_load_buffer(&p, pol, strlen(pol),
						 "policy.json", &e),
			      0);
	const char *skipped[] = {"legacy", "kube-system"};
	for (int i = 0; i < 2; i++) {
		if (!policy_skips_namespace(&p, skipped[i]))
			continue; /* policy semantics are the lead's; the
				     engine test is that skipped means none */
		nodeport(js, sizeof(js), skipped[i], "");
		finding_list_init(&out);
		CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
		CU_ASSERT_EQUAL(out.n, 0);
		finding_list_free(&out);
	}
	CU_ASSERT_TRUE(policy_skips_namespace(&p, "legacy"));
	nodeport(js, sizeof(js), "legacy2", "");
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL(out.n, 1);
	finding_list_free(&out);
	policy_release(&p);
}

static void test_optout(void)
{
	struct err e;
	struct policy p;
	struct finding_list out;
	char js[1024];
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	/* a long reason with a newline: one line, capped at 120 */
	nodeport(js, sizeof(js), "prod",
		 "\"pgadmit.dev/ignore-postgres-port-exposed\":\"line one\\n"
		 "line two and a very long explanation that goes on and on "
		 "for much longer than any finding message is allowed to be "
		 "in one line\"");
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_INFO);
	CU_ASSERT_STRING_EQUAL(out.v[0].path,
			       "metadata.annotations[\"pgadmit.dev/ignore-"
			       "postgres-port-exposed\"]");
	CU_ASSERT_PTR_NOT_NULL(strstr(out.v[0].message, "ignored"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.v[0].message, "line one line two"));
	CU_ASSERT_PTR_NULL(strchr(out.v[0].message, '\n'));
	CU_ASSERT(strlen(out.v[0].message) <= 120);
	finding_list_free(&out);
	/* an opt-out for another rule does not silence this one */
	nodeport(js, sizeof(js), "prod",
		 "\"pgadmit.dev/ignore-postgres-ssl-disabled\":\"x\"");
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_DENY);
	finding_list_free(&out);
	/* non-string (empty) reason is not honoured, and an info says so */
	nodeport(js, sizeof(js), "prod",
		 "\"pgadmit.dev/ignore-postgres-port-exposed\":null");
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p, js, &out), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 2);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_INFO);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out.v[0].message, "not honoured: the reason is empty"));
	CU_ASSERT_EQUAL(out.v[1].action, ACTION_DENY);
	finding_list_free(&out);
	policy_release(&p);
}

struct fake_oracle {
	enum backup_state st;
	int calls;
	char ns[32], name[32];
};

static enum backup_state fake_lookup(void *arg, const char *ns,
				     const char *kind, const char *name,
				     char *why, size_t whylen)
{
	struct fake_oracle *f = arg;
	(void)kind;
	f->calls++;
	snprintf(f->ns, sizeof(f->ns), "%s", ns ? ns : "");
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	if (f->st == BACKUP_UNKNOWN)
		snprintf(why, whylen, "Kubernetes API timed out");
	return f->st;
}

#define PG_STS                                                                 \
	"{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"pg\","             \
	"\"namespace\":\"data\"},\"spec\":{\"template\":{\"spec\":"            \
	"{\"containers\":[{\"name\":\"pg\",\"image\":\"postgres:16\"}]}}}}"

static void test_oracle(void)
{
	struct err e;
	struct policy p;
	struct finding_list out, def;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	p.actions[R_PGA106] = ACTION_OFF; /* PGA103's oracle alone here
					   * (PGA106: test_ns_evidence) */
	struct fake_oracle f = {.st = BACKUP_FOUND};
	struct backup_oracle o = {.lookup = fake_lookup, .arg = &f};

	finding_list_init(&out);
	finding_list_init(&def);
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, &o, &out, &def), 0);
	CU_ASSERT_EQUAL(out.n + def.n, 0);
	CU_ASSERT_EQUAL(f.calls, 1);
	CU_ASSERT_STRING_EQUAL(f.ns, "data");
	CU_ASSERT_STRING_EQUAL(f.name, "pg");

	f.st = BACKUP_NOT_FOUND;
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, &o, &out, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_WARN);
	CU_ASSERT_STRING_EQUAL(out.v[0].path, "metadata.name");
	finding_list_free(&out);

	/* UNKNOWN never denies, and says why */
	p.actions[R_PGA103] = ACTION_DENY;
	f.st = BACKUP_UNKNOWN;
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, &o, &out, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_WARN);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out.v[0].message, "could not be verified"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.v[0].message, "timed out"));
	finding_list_free(&out);
	p.actions[R_PGA103] = ACTION_ANNOTATE;
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, &o, &out, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_EQUAL(out.v[0].action, ACTION_ANNOTATE);
	finding_list_free(&out);
	p.actions[R_PGA103] = ACTION_WARN;

	/* DEFER and no oracle: to deferred */
	f.st = BACKUP_DEFER;
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, &o, &out, &def), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	CU_ASSERT_EQUAL(def.n, 1);
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, NULL, &out, &def), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	CU_ASSERT_EQUAL_FATAL(def.n, 2);
	CU_ASSERT_STRING_EQUAL(def.v[1].ns, "data");
	CU_ASSERT_STRING_EQUAL(def.v[1].name, "pg");

	/* resolve: a backup-for CronJob in "data" clears both */
	struct backup_index *bi = backup_index_new();
	json_t *cj = obj("{\"kind\":\"CronJob\",\"metadata\":{\"labels\":"
			 "{\"pgadmit.dev/backup-for\":\"pg\"}}}");
	CU_ASSERT_EQUAL(backup_index_add_cronjob(bi, "data", cj), 0);
	json_decref(cj);
	CU_ASSERT_EQUAL(backup_index_resolve(bi, &def, &out), 0);
	CU_ASSERT_EQUAL(def.n, 0);
	CU_ASSERT_EQUAL(out.n, 0);
	/* without evidence they move to out */
	CU_ASSERT_EQUAL(eval_full(&p, PG_STS, NULL, NULL, &out, &def), 0);
	backup_index_free(bi);
	bi = backup_index_new();
	CU_ASSERT_EQUAL(backup_index_resolve(bi, &def, &out), 0);
	CU_ASSERT_EQUAL(out.n, 1);
	backup_index_free(bi);
	finding_list_free(&out);
	finding_list_free(&def);
	policy_release(&p);
}

static void test_backup_index(void)
{
	struct backup_index *bi = backup_index_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(bi);
	CU_ASSERT_EQUAL(backup_index_lookup(bi, NULL, "pg"), BACKUP_NOT_FOUND);
	json_t *tool =
		obj("{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{\"spec\":"
		    "{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\","
		    "\"image\":\"alpine\",\"args\":[\"pg_dumpall\"]}]}}}}}}");
	json_t *fake = obj(
		"{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{\"spec\":"
		"{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\","
		"\"image\":\"me/pg_dumper\",\"command\":[\"my-pg_dump\"]}]}}}}}}");
	json_t *probackup = obj(
		"{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{\"spec\":"
		"{\"template\":{\"spec\":{\"initContainers\":[{\"name\":\"b\","
		"\"image\":\"postgrespro/pg_probackup:2\"}]}}}}}}");
	CU_ASSERT_EQUAL(backup_index_add_cronjob(bi, "", tool), 0);
	CU_ASSERT_EQUAL(backup_index_add_cronjob(bi, "x", fake), 0);
	CU_ASSERT_EQUAL(backup_index_add_cronjob(bi, "y", probackup), 0);
	/* NULL and "" are the same bucket */
	CU_ASSERT_EQUAL(backup_index_lookup(bi, NULL, "pg"), BACKUP_FOUND);
	CU_ASSERT_EQUAL(backup_index_lookup(bi, "", "any"), BACKUP_FOUND);
	CU_ASSERT_EQUAL(backup_index_lookup(bi, "x", "pg"), BACKUP_NOT_FOUND);
	CU_ASSERT_EQUAL(backup_index_lookup(bi, "y", "pg"), BACKUP_FOUND);
	CU_ASSERT_EQUAL(backup_index_lookup(bi, "z", "pg"), BACKUP_NOT_FOUND);
	json_decref(tool);
	json_decref(fake);
	json_decref(probackup);
	backup_index_free(bi);
	backup_index_free(NULL);
}

static void test_cap(void)
{
	struct err e;
	struct policy p;
	struct finding_list out;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	json_t *env = json_array();
	for (int i = 0; i < 100; i++)
		json_array_append_new(env,
				      json_pack("{s:s,s:s}", "name",
						"PGPASSWORD", "value", "pw"));
	json_t *o = json_pack("{s:s,s:{s:s},s:{s:[{s:s,s:o}]}}", "kind", "Pod",
			      "metadata", "name", "p", "spec", "containers",
			      "name", "c", "env", env);
	struct object_ref ref = {o, "Pod", NULL, "p", NULL, 0, NULL, NULL};
	finding_list_init(&out);
	CU_ASSERT_EQUAL(rules_eval_object(&p, &ref, NULL, &out, NULL), 0);
	CU_ASSERT_EQUAL(out.n, FINDING_MAX_PER_OBJECT);
	CU_ASSERT_EQUAL(out.dropped, 100 - FINDING_MAX_PER_OBJECT);
	finding_list_free(&out);
	json_decref(o);
	policy_release(&p);
}

static void test_kinds(void)
{
	const char *yes[] = {"Service",
			     "Pod",
			     "Deployment",
			     "StatefulSet",
			     "DaemonSet",
			     "ReplicaSet",
			     "ReplicationController",
			     "Job",
			     "CronJob",
			     "ConfigMap",
			     "ComposeService"};
	const char *no[] = {"Secret", "Namespace", "Ingress", "", "service"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		CU_ASSERT_TRUE(rules_kind_relevant(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		CU_ASSERT_FALSE(rules_kind_relevant(no[i]));
	CU_ASSERT_FALSE(rules_kind_relevant(NULL));
}

static void test_paths_and_messages(void)
{
	struct err e;
	struct policy p;
	struct finding_list out;
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	/* ConfigMap keys that are not identifiers are bracketed; the message
	 * quotes the redacted connection string */
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval(&p,
			     "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
			     "\"c\"},\"data\":{\"db.url\":\"postgresql://u:"
			     "Hunter2xyz@db/app\"}}",
			     &out),
			0);
	CU_ASSERT_EQUAL_FATAL(out.n, 1);
	CU_ASSERT_STRING_EQUAL(out.v[0].path, "data[\"db.url\"]");
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out.v[0].message, "postgresql://u:****@"));
	CU_ASSERT_PTR_NULL(strstr(out.v[0].message, "Hunter2xyz"));
	finding_list_free(&out);
	/* Compose: the engine adds the service prefix */
	finding_list_init(&out);
	CU_ASSERT_EQUAL(eval_full(&p,
				  "{\"image\":\"postgres:16\",\"environment\":"
				  "{\"POSTGRES_PASSWORD\":\"x\"},\"ports\":"
				  "[\"5432:5432\"]}",
				  "services.db", NULL, &out, NULL),
			0);
	CU_ASSERT_EQUAL_FATAL(out.n, 2);
	CU_ASSERT_STRING_EQUAL(out.v[0].path, "services.db.ports[0]");
	CU_ASSERT_STRING_EQUAL(out.v[0].kind, "ComposeService");
	CU_ASSERT_STRING_EQUAL(out.v[1].path,
			       "services.db.environment.POSTGRES_PASSWORD");
	CU_ASSERT_PTR_NULL(out.v[1].ns);
	finding_list_free(&out);
	/* not an object / no kind: nothing, no crash */
	json_t *arr = json_array();
	struct object_ref o = {arr, "Pod", NULL, NULL, NULL, 0, NULL, NULL};
	finding_list_init(&out);
	CU_ASSERT_EQUAL(rules_eval_object(&p, &o, NULL, &out, NULL), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	json_decref(arr);
	policy_release(&p);
}

static void test_cidr(void)
{
	const char *in[] = {"10.0.0.0/8",     "10.255.0.0/16",
			    "172.16.0.0/12",  "172.31.255.255/32",
			    "192.168.0.0/16", "100.64.0.0/10",
			    "100.127.1.0/24", "10.1.2.3",
			    "fd12:3456::/48", "fc00::/7"};
	const char *out[] = {"0.0.0.0/0",      "::/0",
			     "10.0.0.0/7",     "172.32.0.0/16",
			     "192.169.0.0/16", "100.128.0.0/10",
			     "8.8.8.8/32",     "fc00::/6",
			     "2001:db8::/32",  "10.0.0.0/33",
			     "garbage",        "",
			     "10.0.0.0/",      "10.0.0/8"};
	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
		CU_ASSERT_TRUE(cidr_is_internal(in[i]));
	for (size_t i = 0; i < sizeof(out) / sizeof(*out); i++)
		CU_ASSERT_FALSE(cidr_is_internal(out[i]));
	uint32_t net;
	int len;
	CU_ASSERT_TRUE(cidr_parse4("10.1.2.3/8", &net, &len));
	CU_ASSERT_EQUAL(net, 0x0a000000u);
	CU_ASSERT_EQUAL(len, 8);
}

/* Objects with every field of the wrong type: no crash, no finding. */
static void test_wrong_types(void)
{
	struct err e;
	struct policy p;
	struct finding_list out, def;
	const char *objs[] = {
		"{\"kind\":\"Service\",\"spec\":\"x\"}",
		"{\"kind\":\"Service\",\"spec\":{\"type\":1,\"ports\":"
		"[1,\"a\",null,{\"port\":[]},{\"port\":-5432},{\"port\":"
		"99999999999}],\"externalIPs\":{}}}",
		"{\"kind\":\"Service\",\"spec\":{\"type\":\"LoadBalancer\","
		"\"loadBalancerSourceRanges\":[1,null],\"ports\":[{\"port\":"
		"\"5432x\",\"targetPort\":{},\"name\":7}]}}",
		"{\"kind\":\"Pod\",\"spec\":{\"hostNetwork\":\"true\","
		"\"containers\":[1,null,{\"image\":5,\"ports\":[{\"hostPort\":"
		"\"\"}],\"env\":[1,{\"name\":1,\"value\":\"x\"},{\"name\":"
		"\"PGPASSWORD\"},{\"name\":\"PGPASSWORD\",\"value\":null}],"
		"\"command\":{},\"args\":[1,null,[]]}],\"initContainers\":"
		"\"x\"}}",
		"{\"kind\":\"Deployment\",\"spec\":{\"template\":[]}}",
		"{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{\"spec\":"
		"{\"template\":{\"spec\":{\"containers\":{}}}}}}}",
		"{\"kind\":\"StatefulSet\",\"metadata\":[],\"spec\":"
		"{\"template\":{\"spec\":{\"containers\":[{\"image\":"
		"\"postgres\"}]}}}}",
		"{\"kind\":\"Pod\",\"metadata\":{\"ownerReferences\":\"x\","
		"\"annotations\":[]}}",
		"{\"kind\":\"ConfigMap\",\"data\":[\"password=x\"]}",
		"{\"kind\":\"ConfigMap\",\"data\":{\"a\":null,\"b\":{}}}",
	};
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	/* PGA106 without an oracle reports a lone workload at once */
	p.actions[R_PGA106] = ACTION_OFF;
	for (size_t i = 0; i < sizeof(objs) / sizeof(*objs); i++) {
		finding_list_init(&out);
		finding_list_init(&def);
		CU_ASSERT_EQUAL(eval_full(&p, objs[i], NULL, NULL, &out, &def),
				0);
		/* the StatefulSet with a postgres image is a real candidate */
		CU_ASSERT_EQUAL(out.n, 0);
		finding_list_free(&out);
		finding_list_free(&def);
	}
	const char *compose[] = {
		"{\"ports\":\"5432:5432\",\"environment\":\"A=b\"}",
		"{\"ports\":[null,[],{},{\"target\":\"x\"},\"::::\","
		"\"[::1\",\"[::1]5432\",\"a:b:c:d\",\"5432-\",\"-5432\","
		"\"99999:5432x\",\"\"],\"environment\":[1,null,\"=x\"],"
		"\"command\":[1,{}],\"labels\":[1],\"network_mode\":1}",
	};
	for (size_t i = 0; i < sizeof(compose) / sizeof(*compose); i++) {
		finding_list_init(&out);
		CU_ASSERT_EQUAL(eval_full(&p, compose[i], "services.db", NULL,
					  &out, NULL),
				0);
		CU_ASSERT_EQUAL(out.n, 0);
		finding_list_free(&out);
	}
	policy_release(&p);
}

static void test_compose_ports(void)
{
	struct err e;
	struct policy p;
	const struct {
		const char *port;
		bool fires;
	} cases[] = {
		{"\"5432:5432\"", true},
		{"\"15432:5432\"", true},
		{"\"5432:8080\"", true},
		{"\"5432\"", true},
		{"5432", true},
		{"\"5430-5439:5430-5439\"", true},
		{"\"0.0.0.0:5432:5432\"", true},
		{"\"[::]:5432:5432\"", true},
		{"\":::5432:5432\"", true},
		{"\"6432:6432/tcp\"", true},
		{"{\"target\":5432}", true},
		{"{\"target\":80,\"published\":\"5432\"}", true},
		{"{\"target\":5432,\"host_ip\":\"::\"}", true},
		{"\"127.0.0.1:5432:5432\"", false},
		{"\"127.0.0.1::5432\"", false},
		{"\"[::1]:5432:5432\"", false},
		{"\"::1:5432:5432\"", false},
		{"\"10.0.0.5:5432:5432\"", false},
		{"\"8080:80\"", false},
		{"\"5432:5432/udp\"", false},
		{"{\"target\":5432,\"host_ip\":\"127.0.0.1\"}", false},
		{"{\"target\":5432,\"protocol\":\"udp\"}", false},
		{"{\"target\":80,\"published\":8080}", false},
	};
	CU_ASSERT_EQUAL_FATAL(policy_init(&p, &e), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char js[256];
		struct finding_list out;
		snprintf(js, sizeof(js), "{\"image\":\"x\",\"ports\":[%s]}",
			 cases[i].port);
		finding_list_init(&out);
		CU_ASSERT_EQUAL(eval_full(&p, js, "services.db", NULL, &out,
					  NULL),
				0);
		if ((out.n == 1) != cases[i].fires)
			fprintf(stderr, "compose port %s: %zu findings\n",
				cases[i].port, out.n);
		CU_ASSERT_EQUAL(out.n, cases[i].fires ? 1 : 0);
		finding_list_free(&out);
	}
	policy_release(&p);
}

static int collect(const struct podspec_container *pc, void *arg)
{
	struct strbuf *sb = arg;
	sb_printf(sb, "%s=%s;", pc->path, pc->image ? pc->image : "-");
	return 0;
}

static void test_podspec(void)
{
	const char *tmpl = "{\"spec\":{\"template\":{\"spec\":{"
			   "\"containers\":[{\"image\":\"a\"},7],"
			   "\"initContainers\":[{\"image\":\"b\"}],"
			   "\"ephemeralContainers\":[{}]}}}}";
	const char *kinds[] = {"Deployment",
			       "StatefulSet",
			       "DaemonSet",
			       "ReplicaSet",
			       "ReplicationController",
			       "Job"};
	json_t *j = obj(tmpl);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		struct podspec ps;
		struct strbuf sb = STRBUF_INIT;
		CU_ASSERT_TRUE(podspec_kind(kinds[i]));
		CU_ASSERT_TRUE_FATAL(podspec_locate(kinds[i], j, &ps));
		CU_ASSERT_STRING_EQUAL(ps.path, "spec.template.spec");
		podspec_foreach(&ps, collect, &sb);
		CU_ASSERT_STRING_EQUAL(
			sb_str(&sb),
			"spec.template.spec.containers[0]=a;"
			"spec.template.spec.initContainers[0]=b;"
			"spec.template.spec.ephemeralContainers[0]=-;");
		sb_free(&sb);
	}
	struct podspec ps;
	/* as a Pod, the same object's spec has no containers */
	struct strbuf none = STRBUF_INIT;
	CU_ASSERT_TRUE(podspec_locate("Pod", j, &ps));
	podspec_foreach(&ps, collect, &none);
	CU_ASSERT_EQUAL(none.len, 0);
	sb_free(&none);
	CU_ASSERT_FALSE(podspec_locate("Service", j, &ps));
	CU_ASSERT_FALSE(podspec_locate(NULL, j, &ps));
	CU_ASSERT_FALSE(podspec_kind("Secret"));
	json_decref(j);
	j = obj("{\"spec\":{\"containers\":[]}}");
	CU_ASSERT_TRUE(podspec_locate("Pod", j, &ps));
	CU_ASSERT_STRING_EQUAL(ps.path, "spec");
	json_decref(j);
	j = obj("{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":"
		"{\"spec\":{}}}}}}");
	CU_ASSERT_TRUE(podspec_locate("CronJob", j, &ps));
	CU_ASSERT_STRING_EQUAL(ps.path, "spec.jobTemplate.spec.template.spec");
	json_decref(j);
}

static CU_TestInfo fixture_tests[] = {
	{"fixtures_fire", test_fixtures_fire},
	{"fixtures_quiet", test_fixtures_quiet},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo engine_tests[] = {
	{"policy_actions", test_policy_actions},
	{"policy_ports", test_policy_ports},
	{"skip_namespace", test_skip_namespace},
	{"optout", test_optout},
	{"oracle", test_oracle},
	{"backup_index", test_backup_index},
	{"cap", test_cap},
	{"kinds", test_kinds},
	{"paths_and_messages", test_paths_and_messages},
	{"cidr", test_cidr},
	{"podspec", test_podspec},
	{"wrong_types", test_wrong_types},
	{"compose_ports", test_compose_ports},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"fixtures", NULL, NULL, NULL, NULL, fixture_tests},
	{"engine", NULL, NULL, NULL, NULL, engine_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("test_rules", suites);
	if (failures_detail)
		fprintf(stderr, "test_rules: %d fixture mismatches (above)\n",
			failures_detail);
	return rc;
}
