/*
 * support_redact.c — the redaction property (redact_prop.h).
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/admission.h"
#include "pgadmit/connstr.h"
#include "pgadmit/manifest.h"
#include "pgadmit/report.h"
#include "pgadmit/rules.h"
#define PGADMIT_TESTING 1 /* srv_log_review_line */
#include "pgadmit/server.h"
#include "pgadmit/strbuf.h"
#include "redact_prop.h"

struct bytes {
	const uint8_t *d;
	size_t n, i;
};

static unsigned take(struct bytes *b, unsigned mod)
{
	unsigned v = b->i < b->n ? b->d[b->i++] : 0;
	return mod ? v % mod : v;
}

/* What a password is made of between its markers. */
static const char *const seps[] = {
	"@",
	":",
	"/",
	"?",
	"&",
	"#",
	"%",
	"=",
	"'",
	"\"",
	"\\",
	" ",
	"+",
	";",
	",",
	"$",
	"(",
	")",
	"{",
	"}",
	"[",
	"]",
	"!",
	"*",
	"~",
	"-",
	".",
	"_",
	"%41",
	"%2F",
	"\xc3\xa9",
	"\xe2\x82\xac",
	"\xf0\x9f\x98\x80",
	"@@",
	"\t",
	"`",
	"<",
	">",
	"|",
	"${X}",
	"$(Y)",
	"--",
};
#define NSEPS (sizeof(seps) / sizeof(*seps))

struct out {
	char *p;
	size_t n, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->n + n + 1 > o->cap) {
		n = o->cap - o->n - 1; /* truncated: the check still holds */
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Percent-encode every byte of pw not in keep (alphanumerics always kept). */
static void pct(struct out *o, const char *pw, const char *keep)
{
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
		if (isalnum(*p) || (*p < 0x80 && strchr(keep, *p))) {
			put(o, (const char *)p, 1);
		} else {
			char e[4];
			snprintf(e, sizeof(e), "%%%02X", *p);
			put(o, e, 3);
		}
	}
}

static const char *pick(struct bytes *b, const char *const *v, size_t n)
{
	return v[take(b, (unsigned)n)];
}
#define PICK(b, v) pick(b, v, sizeof(v) / sizeof(*v))

static const char *const schemes[] = {
	"postgresql://",          "postgres://",        "postgresql+asyncpg://",
	"postgresql+psycopg2://", "jdbc:postgresql://", "POSTGRESQL://",
};
static const char *const hosts[] = {"db", "db.shop.svc", "[::1]", "h1:5433,h2",
				    "10.0.0.7"};
static const char *const ports[] = {"", ":5432", ":6432"};
static const char *const paths[] = {"", "/app", "/"};
static const char *const queries[] = {
	"",
	"?sslmode=require",
	"?application_name=x&sslmode=disable",
	"?connect_timeout=5",
};

/* userinfo: unreserved, sub-delims, ':' and '@' may stand raw */
#define KEEP_USERINFO "-._~!$&'()*+,;=:@"
/* a query value: no '&' '#' '+' '%' or blank */
#define KEEP_QUERY "-._~!$'()*,;:@/?="

static void form_uri_userinfo(struct bytes *b, struct out *o, const char *pw,
			      const char *keep)
{
	const char *user = take(b, 3) ? "app" : "";
	puts_(o, PICK(b, schemes));
	puts_(o, user);
	puts_(o, ":");
	pct(o, pw, keep);
	puts_(o, "@");
	const char *h = PICK(b, hosts);
	puts_(o, h);
	if (!strchr(h, ','))
		puts_(o, PICK(b, ports));
	const char *path = PICK(b, paths);
	puts_(o, path);
	const char *q = PICK(b, queries);
	if (*path || !*q || q[0] == '?')
		puts_(o, q);
}

static void form_uri_query(struct bytes *b, struct out *o, const char *pw,
			   const char *keep)
{
	static const char *const keys[] = {"password", "PASSWORD", "pass"};
	puts_(o, PICK(b, schemes));
	if (take(b, 2))
		puts_(o, "app@");
	puts_(o, PICK(b, hosts));
	puts_(o, "/app?");
	if (take(b, 2))
		puts_(o, "user=app&");
	puts_(o, PICK(b, keys));
	puts_(o, "=");
	pct(o, pw, keep);
	static const char *const post[] = {"", "&sslmode=disable", "&x=1",
					   "#frag"};
	puts_(o, PICK(b, post));
}

static void form_jdbc_bare(struct bytes *b, struct out *o, const char *pw)
{
	puts_(o, "jdbc:postgresql:app?user=app&password=");
	pct(o, pw, KEEP_QUERY);
	if (take(b, 2))
		puts_(o, "&ssl=false");
}

static void form_libpq(struct bytes *b, struct out *o, const char *pw)
{
	static const char *const eqs[] = {"=", " = ", "= ", " ="};
	bool quote = *pw == '\0' || strpbrk(pw, " \t'\\") != NULL ||
		     take(b, 4) == 0;
	unsigned where = take(b, 3);
	if (where > 0)
		puts_(o, "host=db port=5432 ");
	puts_(o, "password");
	const char *eq = PICK(b, eqs);
	if (!quote && eq[strlen(eq) - 1] == ' ')
		eq = "="; /* a blank after '=' before an unquoted value is fine
			   * for libpq, but reads as an empty password when the
			   * value itself has an '=' */
	puts_(o, eq);
	if (quote) {
		puts_(o, "'");
		for (const char *p = pw; *p; p++) {
			if (*p == '\'' || *p == '\\')
				puts_(o, "\\");
			put(o, p, 1);
		}
		puts_(o, "'");
	} else {
		puts_(o, pw);
	}
	if (where < 2)
		puts_(o, " user=app dbname=app");
	if (take(b, 2))
		puts_(o, " sslmode=disable");
}

static void form_shell(struct bytes *b, struct out *o, const char *pw)
{
	unsigned how = take(b, 3);
	if (take(b, 2))
		puts_(o, "export ");
	puts_(o, "PGPASSWORD=");
	if (how == 0) {
		puts_(o, "'");
		for (const char *p = pw; *p; p++) {
			if (*p == '\'')
				puts_(o, "'\\''");
			else
				put(o, p, 1);
		}
		puts_(o, "'");
	} else if (how == 1) {
		puts_(o, "\"");
		for (const char *p = pw; *p; p++) {
			if (strchr("\"\\$`", *p))
				puts_(o, "\\");
			put(o, p, 1);
		}
		puts_(o, "\"");
	} else {
		for (const unsigned char *p = (const unsigned char *)pw; *p;
		     p++) {
			if (*p < 0x80 && !isalnum(*p))
				puts_(o, "\\");
			put(o, (const char *)p, 1);
		}
	}
	puts_(o, take(b, 2) ? " psql -h db -U app" : "; pg_dumpall -h db");
}

static void form_bare(struct bytes *b, struct out *o, const char *pw)
{
	puts_(o, "app:");
	pct(o, pw, KEEP_USERINFO);
	puts_(o, "@db:5432/app");
	if (take(b, 2))
		puts_(o, "?sslmode=disable");
}

void redact_case_make(const uint8_t *data, size_t size, struct redact_case *c)
{
	struct bytes b = {data, size, 0};
	char pw[256];
	size_t pn = 0;
	memset(c, 0, sizeof(*c));
	c->nmarkers = 1 + take(&b, RP_MARKERS);
	for (size_t m = 0; m < c->nmarkers; m++) {
		c->marker[m][0] = 'Z';
		c->marker[m][1] = 'q';
		c->marker[m][2] = (char)('0' + m);
		c->marker[m][3] = (char)('a' + take(&b, 26));
		c->marker[m][4] = '\0';
		size_t ml = strlen(c->marker[m]);
		memcpy(pw + pn, c->marker[m], ml);
		pn += ml;
		if (m + 1 == c->nmarkers)
			break;
		unsigned k = take(&b, 4);
		for (unsigned s = 0; s < k; s++) {
			const char *sep = seps[take(&b, NSEPS)];
			size_t sl = strlen(sep);
			memcpy(pw + pn, sep, sl);
			pn += sl;
		}
	}
	pw[pn] = '\0';

	char body[900];
	struct out o = {body, 0, sizeof(body)};
	body[0] = '\0';
	c->form = (int)take(&b, 6);
	switch (c->form) {
	case 0: form_uri_userinfo(&b, &o, pw, KEEP_USERINFO); break;
	case 1: form_uri_query(&b, &o, pw, KEEP_QUERY); break;
	case 2: form_jdbc_bare(&b, &o, pw); break;
	case 3: form_libpq(&b, &o, pw); break;
	case 4: form_shell(&b, &o, pw); break;
	default: form_bare(&b, &o, pw); break;
	}
	c->judged = 1;

	/* the context it stands in */
	struct out t = {c->text, 0, sizeof(c->text)};
	unsigned ctx = take(&b, 5);
	bool uri = c->form <= 2 || c->form == 5;
	if (ctx == 1 || (!uri && ctx >= 2)) {
		puts_(&t, c->form == 4 ? "set -e; " : "run ");
		puts_(&t, body);
		puts_(&t, " --verbose");
	} else if (ctx == 2) {
		puts_(&t, "DATABASE_URL=");
		puts_(&t, body);
	} else if (ctx == 3 && !strchr(body, '"')) {
		puts_(&t, "psql \"");
		puts_(&t, body);
		puts_(&t, "\" -c 'select 1'");
	} else if (ctx == 4 && !strchr(body, '\'')) {
		puts_(&t, "url: '");
		puts_(&t, body);
		puts_(&t, "'");
	} else {
		puts_(&t, body);
	}
}

static const char *find_marker(const struct redact_case *c, const char *s,
			       size_t n)
{
	for (size_t m = 0; m < c->nmarkers; m++)
		if (memmem(s, n, c->marker[m], strlen(c->marker[m])))
			return c->marker[m];
	return NULL;
}

const char *redact_case_check_text(const struct redact_case *c)
{
	struct connstr_scan sc;
	connstr_scan(c->text, &sc);
	if (c->judged && !sc.has_password)
		return "scan: password not seen";
	char *r = connstr_redact(c->text);
	if (!r)
		return NULL; /* OOM is not the property */
	const char *leak = find_marker(c, r, strlen(r));
	free(r);
	if (leak)
		return "connstr_redact: password shown";
	r = connstr_redact_quote(c->text, 48);
	if (r) {
		leak = find_marker(c, r, strlen(r));
		free(r);
		if (leak)
			return "connstr_redact_quote: password shown";
	}
	return NULL;
}

/* ---- every surface -------------------------------------------------------- */

struct judge_run {
	const struct policy *p;
	struct finding_list out, deferred;
};

static int on_doc(const struct manifest_doc *d, void *arg)
{
	struct judge_run *r = arg;
	const json_t *items = json_object_get(d->root, "items");
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		const char *kind =
			json_string_value(json_object_get(it, "kind"));
		const json_t *md = json_object_get(it, "metadata");
		const char *ns =
			json_string_value(json_object_get(md, "namespace"));
		const char *name =
			json_string_value(json_object_get(md, "name"));
		struct object_ref ref = {it,          kind,     ns, name,
					 "prop.yaml", d->index, d,  NULL};
		if (rules_eval_object(r->p, &ref, NULL, &r->out, &r->deferred))
			return -1;
	}
	return 0;
}

static json_t *objects(const char *text)
{
	return json_pack(
		"[{s:s, s:s, s:{s:s, s:s}, s:{s:s}},"
		" {s:s, s:s, s:{s:s, s:s}, s:{s:{s:{s:[{s:s, s:s, s:[{s:s, s:s}],"
		" s:[s, s, s]}]}}}}]",
		"apiVersion", "v1", "kind", "ConfigMap", "metadata", "name",
		"cfg", "namespace", "shop", "data", "DATABASE_URL", text,
		"apiVersion", "apps/v1", "kind", "Deployment", "metadata",
		"name", "api", "namespace", "shop", "spec", "template", "spec",
		"containers", "name", "api", "image", "shop/api:1", "env",
		"name", "DB_URL", "value", text, "args", "sh", "-c", text);
}

static const char *check_surface(const struct redact_case *c,
				 const struct policy *p, json_t *objs)
{
	json_t *list = json_pack("{s:s, s:s, s:O}", "apiVersion", "v1", "kind",
				 "List", "items", objs);
	char *doc = list ? json_dumps(list, JSON_COMPACT) : NULL;
	json_decref(list);
	if (!doc)
		return NULL;
	struct judge_run r = {.p = p};
	struct err e;
	finding_list_init(&r.out);
	finding_list_init(&r.deferred);
	const char *fail = NULL;
	if (manifest_load_buffer(doc, strlen(doc), "prop.yaml", NULL, on_doc,
				 &r, &e))
		fail = "check: the objects did not load";
	free(doc);
	finding_list_sort(&r.out);
	if (!fail && c->judged && r.out.n == 0)
		fail = "check: no finding";
	struct report_summary sum = {1, 1, 2};
	for (int fmt = REPORT_TEXT; !fail && fmt <= REPORT_SARIF; fmt++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f)
			break;
		int wrc = report_write(f, (enum report_format)fmt, &r.out, &sum,
				       false);
		fclose(f);
		if (wrc)
			fail = "check: report not written";
		else if (find_marker(c, buf, len))
			fail = fmt == REPORT_TEXT ? "check text: password shown"
			       : fmt == REPORT_JSON
				       ? "check json: password shown"
				       : "check sarif: password shown";
		free(buf);
	}
	finding_list_free(&r.out);
	finding_list_free(&r.deferred);
	return fail;
}

static size_t b64_decode(const char *in, unsigned char *out, size_t cap)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;
	for (; *in && *in != '='; in++) {
		const char *q = strchr(tbl, *in);
		if (!q)
			continue;
		acc = (acc << 6) | (unsigned)(q - tbl);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < cap)
				out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n;
}

static const char *webhook_surface(const struct redact_case *c,
				   const struct policy *p, const json_t *obj)
{
	json_t *rev = json_pack(
		"{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:O}}",
		"apiVersion", "admission.k8s.io/v1", "kind", "AdmissionReview",
		"request", "uid", "u-1", "kind", "group", "", "version", "v1",
		"kind", json_string_value(json_object_get(obj, "kind")),
		"namespace", "shop", "operation", "CREATE", "object", obj);
	char *body = rev ? json_dumps(rev, JSON_COMPACT) : NULL;
	json_decref(rev);
	if (!body)
		return NULL;
	const char *fail = NULL;
	struct admission_env env = {p, NULL};
	for (int ep = ADMISSION_VALIDATE; !fail && ep <= ADMISSION_MUTATE;
	     ep++) {
		struct admission_result r;
		if (admission_handle(&env, (enum admission_endpoint)ep, body,
				     strlen(body), &r) != 0)
			continue;
		if (find_marker(c, r.body, r.body_len))
			fail = "webhook answer: password shown";
		json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
		if (!j && !fail)
			fail = "webhook answer: not JSON";
		const char *patch = json_string_value(
			json_object_get(json_object_get(j, "response"),
					"patch"));
		if (patch && !fail) {
			unsigned char dec[8192];
			size_t n = b64_decode(patch, dec, sizeof(dec));
			if (find_marker(c, (const char *)dec, n))
				fail = "webhook patch: password shown";
		}
		json_decref(j);
		struct strbuf line = STRBUF_INIT;
		srv_log_review_line(&line, SRV_INFO, "validate", &r, 1.0);
		if (!fail && find_marker(c, sb_str(&line), line.len))
			fail = "log line: password shown";
		if (!fail && sb_ok(&line)) {
			json_t *lj = json_loadb(line.buf, line.len, 0, NULL);
			if (!lj)
				fail = "log line: not JSON";
			json_decref(lj);
		}
		sb_free(&line);
		admission_result_free(&r);
	}
	free(body);
	return fail;
}

const char *redact_case_check_surfaces(const struct redact_case *c,
				       const struct policy *p)
{
	json_t *objs = objects(c->text);
	if (!objs)
		return NULL;
	const char *fail = check_surface(c, p, objs);
	for (size_t i = 0; !fail && i < json_array_size(objs); i++)
		fail = webhook_surface(c, p, json_array_get(objs, i));
	json_decref(objs);
	return fail;
}
