/* test_manifest.c — the YAML/JSON loader: documents, K8s scalar typing,
 * lines, anchors and caps, errors. Fixtures: tests/fixtures/manifest/. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/manifest.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

#define FIX "tests/fixtures/manifest/"
#define MAX_DOCS 8
#define MAX_PATHS 8

/* Documents as delivered; lines of the nodes at `paths` (dotted, array
 * indexes as numbers) are read inside the callback, while the map lives. */
struct docs {
	const char *const *paths;
	json_t *root[MAX_DOCS];
	int index[MAX_DOCS];
	int doc_line[MAX_DOCS];
	int line[MAX_DOCS][MAX_PATHS];
	int n;
	int total;
	int last_probe_line;
};

static json_t *at(json_t *v, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	char *save = NULL;
	for (char *p = strtok_r(buf, ".", &save); p && v;
	     p = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, strtoul(p, NULL, 10))
				     : json_object_get(v, p);
	return v;
}

static int collect(const struct manifest_doc *d, void *arg)
{
	struct docs *c = arg;
	c->total++;
	json_t *probe = d->root ? json_object_get(d->root, "probe") : NULL;
	if (probe)
		c->last_probe_line = manifest_line(d, probe);
	if (c->n < MAX_DOCS) {
		for (int k = 0; c->paths && c->paths[k] && k < MAX_PATHS; k++)
			c->line[c->n][k] =
				d->root ? manifest_line(d, at(d->root,
							      c->paths[k]))
					: -1;
		c->root[c->n] = d->root ? json_incref(d->root) : NULL;
		c->index[c->n] = d->index;
		c->doc_line[c->n] = d->line;
		c->n++;
	}
	return 0;
}

static void docs_free(struct docs *c)
{
	for (int i = 0; i < c->n; i++)
		json_decref(c->root[i]);
	memset(c, 0, sizeof(*c));
}

static int load_n(const char *text, size_t len, struct docs *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	err_clear(e);
	return manifest_load_buffer(text, len, "t.yaml", NULL, collect, c, e);
}

static int load(const char *text, struct docs *c, struct err *e)
{
	return load_n(text, strlen(text), c, e);
}

static int load_file(const char *path, const char *const *paths, struct docs *c,
		     struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->paths = paths;
	err_clear(e);
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	int rc = manifest_load_file(f, path, NULL, collect, c, e);
	fclose(f);
	return rc;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *str(json_t *v, const char *path)
{
	return json_string_value(at(v, path));
}

static json_int_t num(json_t *v, const char *path)
{
	return json_integer_value(at(v, path));
}

/* ---- documents and lines ------------------------------------------------ */

static void test_bundle_fixture(void)
{
	static const char *const paths[] = {
		"spec.template.spec.containers.0.env.1.value", /* 0: line 22 */
		"spec.template.spec.containers.0.env.0.value", /* 1: line 20 */
		"spec.template.spec.containers.0.ports.0",     /* 2: line 17 */
		"metadata.labels.tier",                        /* 3: line 8 */
		"items.0.spec.ports.0.port",                   /* 4: line 36 */
		"items.1.data.port",                           /* 5: line 42 */
		"spec.template.spec.containers",               /* 6: line 14 */
		NULL,
	};
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL_FATAL(load_file(FIX "bundle.yaml", paths, &c, &e), 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 4);
	/* document 0: the Deployment */
	CU_ASSERT_EQUAL(c.index[0], 0);
	CU_ASSERT_EQUAL(c.doc_line[0], 2);
	CU_ASSERT_STRING_EQUAL(str(c.root[0], "kind"), "Deployment");
	CU_ASSERT_STRING_EQUAL(str(c.root[0], paths[1]), "yes");
	CU_ASSERT_TRUE(json_is_true(at(c.root[0], paths[0])));
	CU_ASSERT_EQUAL(c.line[0][0], 0); /* true is a shared singleton */
	CU_ASSERT_EQUAL(c.line[0][1], 20);
	CU_ASSERT_EQUAL(c.line[0][2], 17);
	CU_ASSERT_EQUAL(c.line[0][3], 8);
	CU_ASSERT_EQUAL(c.line[0][6], 14);
	CU_ASSERT_EQUAL(num(c.root[0], "spec.replicas"), 2);
	/* documents 1 and 2: empty, one of them comment-only */
	CU_ASSERT_PTR_NULL(c.root[1]);
	CU_ASSERT_PTR_NULL(c.root[2]);
	CU_ASSERT_EQUAL(c.index[2], 2);
	/* document 3: a List, loaded as is (the check layer unwraps it) */
	CU_ASSERT_EQUAL(c.index[3], 3);
	CU_ASSERT_EQUAL(c.doc_line[3], 26);
	CU_ASSERT_STRING_EQUAL(str(c.root[3], "kind"), "List");
	CU_ASSERT_EQUAL(json_array_size(at(c.root[3], "items")), 2);
	CU_ASSERT_EQUAL(num(c.root[3], paths[4]), 5432);
	CU_ASSERT_EQUAL(c.line[3][4], 36);
	CU_ASSERT_STRING_EQUAL(str(c.root[3], paths[5]), "5432");
	CU_ASSERT_EQUAL(c.line[3][5], 42);
	docs_free(&c);
}

static void test_stdin_pipe(void)
{
	/* A pipe, like stdin: no seeking, short reads. */
	struct docs c;
	struct err e;
	memset(&c, 0, sizeof(c));
	FILE *p = popen("cat " FIX "bundle.yaml", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(manifest_load_file(p, "-", NULL, collect, &c, &e), 0);
	pclose(p);
	CU_ASSERT_EQUAL(c.n, 4);
	CU_ASSERT_STRING_EQUAL(str(c.root[3], "items.0.kind"), "Service");
	docs_free(&c);
}

static void test_multidoc_and_lines(void)
{
	struct docs c;
	struct err e;
	const char *y = "# comment\n"
			"apiVersion: v1\n"
			"kind: ConfigMap\n"
			"probe: here\n"
			"---\n"
			"---\n"
			"kind: List\n"
			"items:\n"
			"  - kind: Service\n"
			"    probe:\n"
			"      - 1\n";
	CU_ASSERT_EQUAL_FATAL(load(y, &c, &e), 0);
	CU_ASSERT_EQUAL(c.n, 3);
	CU_ASSERT_PTR_NULL(c.root[1]); /* empty document */
	CU_ASSERT_EQUAL(c.index[2], 2);
	CU_ASSERT_EQUAL(c.doc_line[2], 6);
	json_t *items = json_object_get(c.root[2], "items");
	CU_ASSERT_EQUAL(json_array_size(items), 1);
	docs_free(&c);

	/* line of a nested node via a one-document parse */
	const char *y2 = "a:\n  b:\n    - x\n    - name: y\n      value: z\n";
	struct manifest_linemap *lm = NULL;
	json_t *r = manifest_parse_one(y2, strlen(y2), "t", &lm, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	json_t *b = at(r, "a.b");
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, at(r, "a")), 2);
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, b), 3);
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, json_array_get(b, 0)), 3);
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, json_array_get(b, 1)), 4);
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, at(r, "a.b.1.value")), 5);
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, r), 1);
	CU_ASSERT_EQUAL(manifest_linemap_get(NULL, r), 0);
	json_decref(r);
	manifest_linemap_free(lm);
}

static void test_empty_documents(void)
{
	struct docs c;
	struct err e;
	/* No document at all still gives one empty document 0. */
	CU_ASSERT_EQUAL(load("", &c, &e), 0);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_PTR_NULL(c.root[0]);
	CU_ASSERT_EQUAL(c.doc_line[0], 1);
	docs_free(&c);
	CU_ASSERT_EQUAL(load_file(FIX "comments-only.yaml", NULL, &c, &e), 0);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_PTR_NULL(c.root[0]);
	docs_free(&c);
	CU_ASSERT_EQUAL(load("---\n---\n", &c, &e), 0);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_EQUAL(c.index[1], 1);
	docs_free(&c);
	/* a trailing --- opens one more (empty) document, as in YAML */
	CU_ASSERT_EQUAL(load("a: 1\n---\n", &c, &e), 0);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_PTR_NOT_NULL(c.root[0]);
	CU_ASSERT_PTR_NULL(c.root[1]);
	docs_free(&c);
	/* a document that is only null is empty too */
	CU_ASSERT_EQUAL(load("--- ~\n", &c, &e), 0);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_PTR_NULL(c.root[0]);
	docs_free(&c);

	json_t *r = manifest_parse_one("# only a comment\n", 17, "p", NULL, &e);
	CU_ASSERT_TRUE(json_is_null(r));
	json_decref(r);
	r = manifest_parse_one("", 0, "p", NULL, &e);
	CU_ASSERT_TRUE(json_is_null(r));
	json_decref(r);
	r = manifest_parse_one("a: 1\n---\nb: 2\n", 13, "p", NULL, &e);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "p: expected one document, found several");
}

/* ---- scalars ------------------------------------------------------------- */

static json_t *one(const char *text)
{
	struct err e;
	json_t *r = manifest_parse_one(text, strlen(text), "t", NULL, &e);
	if (!r)
		fprintf(stderr, "\n  parse failed: %s\n", e.msg);
	return r;
}

static void test_scalars(void)
{
	json_t *r = one(
		"a: yes\nb: \"yes\"\nc: on\nd: Off\ne: n\nf: ~\ng:\n"
		"h: 5432\ni: \"5432\"\nj: 0755\nk: 0x1F\nl: 1_000\n"
		"m: -0b101\nnn: 1.5\no: .inf\np: 2024-01-01\nq: '0755'\n"
		"r: |\n  true\ns: !!str 12\nt: 0o17\nu: 18446744073709551615\n"
		"v: 089\nw: TRUE\nx: null\nyy: Y\nz: >\n  on\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "a")));
	CU_ASSERT_STRING_EQUAL(str(r, "b"), "yes");
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "c")));
	CU_ASSERT_TRUE(json_is_false(json_object_get(r, "d")));
	CU_ASSERT_TRUE(json_is_false(json_object_get(r, "e")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "f")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "g")));
	CU_ASSERT_TRUE(json_is_integer(json_object_get(r, "h")));
	CU_ASSERT_EQUAL(num(r, "h"), 5432);
	CU_ASSERT_TRUE(json_is_string(json_object_get(r, "i")));
	CU_ASSERT_STRING_EQUAL(str(r, "i"), "5432");
	CU_ASSERT_EQUAL(num(r, "j"), 493);
	CU_ASSERT_EQUAL(num(r, "k"), 31);
	CU_ASSERT_EQUAL(num(r, "l"), 1000);
	CU_ASSERT_EQUAL(num(r, "m"), -5);
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "nn")));
	CU_ASSERT_STRING_EQUAL(str(r, "o"), ".inf");
	CU_ASSERT_STRING_EQUAL(str(r, "p"), "2024-01-01");
	CU_ASSERT_STRING_EQUAL(str(r, "q"), "0755");
	CU_ASSERT_STRING_EQUAL(str(r, "r"), "true\n");
	CU_ASSERT_STRING_EQUAL(str(r, "s"), "12");
	CU_ASSERT_EQUAL(num(r, "t"), 15);
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "u")));
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "v")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "w")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "x")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "yy")));
	CU_ASSERT_STRING_EQUAL(str(r, "z"), "on\n");
	json_decref(r);
}

static void test_numbers_and_tags(void)
{
	json_t *r = one("a: 9223372036854775807\nb: -9223372036854775808\n"
			"c: 9223372036854775808\nd: -9223372036854775809\n"
			"e: 1e400\nf: -.inf\ng: .NaN\nh: +12\ni: .5\nj: 0x_1F\n"
			"k: 2001-12-14t21:59:43.10-05:00\nl: 1:20\n"
			"m: !!int \"12\"\nnn: !!bool \"yes\"\no: !!float 3\n"
			"p: !!null \"\"\nq: \"\"\nr: !!str yes\ns: 0\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(num(r, "a"), INT64_MAX);
	CU_ASSERT_EQUAL(num(r, "b"), INT64_MIN);
	/* out of int64 range: a JSON real, as go-yaml falls back to float */
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "c")));
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "d")));
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(r, "c")),
			       9223372036854775808.0, 1);
	CU_ASSERT_STRING_EQUAL(str(r, "e"), "1e400"); /* not a finite float */
	CU_ASSERT_STRING_EQUAL(str(r, "f"), "-.inf");
	CU_ASSERT_STRING_EQUAL(str(r, "g"), ".NaN");
	CU_ASSERT_EQUAL(num(r, "h"), 12);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(r, "i")), 0.5,
			       1e-12);
	CU_ASSERT_EQUAL(num(r, "j"), 31);
	CU_ASSERT_STRING_EQUAL(str(r, "k"), "2001-12-14t21:59:43.10-05:00");
	CU_ASSERT_STRING_EQUAL(str(r, "l"), "1:20");
	CU_ASSERT_EQUAL(num(r, "m"), 12);
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "nn")));
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "o")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "p")));
	CU_ASSERT_STRING_EQUAL(str(r, "q"), "");
	CU_ASSERT_STRING_EQUAL(str(r, "r"), "yes");
	CU_ASSERT_TRUE(json_is_integer(json_object_get(r, "s")));
	json_decref(r);

	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL(load("a: 1\nport: !!int abc\n", &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 0: line 2, column 7: "
				      "value is not a valid !!int");
	docs_free(&c);
}

static void test_keys(void)
{
	/* sigs.k8s.io/yaml writes bool and int keys as JSON text */
	json_t *r = one("yes: 1\nn: 2\n0x10: 3\n\"on\": 4\n~: 5\n1.5: 6\n"
			"'0755': 7\n0755: 8\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(num(r, "true"), 1);
	CU_ASSERT_EQUAL(num(r, "false"), 2);
	CU_ASSERT_EQUAL(num(r, "16"), 3);
	CU_ASSERT_EQUAL(num(r, "on"), 4);
	CU_ASSERT_EQUAL(num(r, "~"), 5);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "1.5")), 6);
	CU_ASSERT_EQUAL(num(r, "0755"), 7);
	CU_ASSERT_EQUAL(num(r, "493"), 8);
	CU_ASSERT_EQUAL(json_object_size(r), 8);
	json_decref(r);

	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL(load("a: 1\nb: 2\na: 3\n", &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 0: line 3, column 4: "
				      "duplicate key \"a\"");
	docs_free(&c);
	/* yes and true are the same key once typed */
	CU_ASSERT_EQUAL(load("yes: 1\ntrue: 2\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "duplicate key \"true\""));
	docs_free(&c);
	CU_ASSERT_EQUAL(load("? [a]\n: 1\n", &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 0: line 1, column 3: "
				      "mapping keys must be scalars");
	docs_free(&c);
}

/* The reader's position across its 64 KB stage: long ASCII runs (taken 8
 * bytes at a time), CRLF and LF breaks, a multi-byte character, then a
 * control character whose line and column must be exact. */
static void test_reader_position(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 3000; i++) {
		if (i == 2500)
			sb_printf(&sb, "key%05d: \xc3\xa9%020d\x01\n", i, 0);
		else
			sb_printf(&sb, "key%05d: %040d%s", i, i,
				  i % 2 ? "\r\n" : "\n");
	}
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL(load(sb_str(&sb), &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "t.yaml: document 0: line 2501, column 32: "
			       "control character U+0001 is not allowed");
	docs_free(&c);
	sb_free(&sb);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json_input(void)
{
	static const char *const paths[] = {"spec.ports.0.nodePort", "spec",
					    "metadata.annotations.x", NULL};
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL_FATAL(load_file(FIX "service.json", paths, &c, &e), 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	json_t *r = c.root[0];
	CU_ASSERT_EQUAL(num(r, "spec.ports.0.port"), 5432);
	CU_ASSERT_EQUAL(num(r, paths[0]), 30432);
	CU_ASSERT_STRING_EQUAL(str(r, paths[2]), "on"); /* quoted: a string */
	CU_ASSERT_TRUE(json_is_false(at(r, "spec.publishNotReadyAddresses")));
	CU_ASSERT_TRUE(json_is_null(at(r, "spec.externalName")));
	CU_ASSERT_EQUAL(c.line[0][0], 7);
	CU_ASSERT_EQUAL(c.line[0][1], 5);
	CU_ASSERT_EQUAL(c.line[0][2], 4);
	docs_free(&c);

	r = one("{\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":5432,"
		"\"name\":\"pg\"}],\"x\":true,\"y\":null,\"z\":1.5e3}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(num(r, "spec.ports.0.port"), 5432);
	CU_ASSERT_TRUE(json_is_true(at(r, "spec.x")));
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(at(r, "spec.z")), 1500, 1e-9);
	json_decref(r);
	r = one("[{\"a\":1},\n\t{\"b\":[]}]");
	CU_ASSERT_TRUE(json_is_array(r));
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
}

/* ---- anchors ------------------------------------------------------------ */

static void test_anchors_and_merge(void)
{
	static const char *const paths[] = {"primary.image", "defaults.image",
					    "primary.port", "primary", NULL};
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL_FATAL(load_file(FIX "anchors.yaml", paths, &c, &e), 0);
	json_t *r = c.root[0];
	CU_ASSERT_STRING_EQUAL(str(r, "primary.image"), "postgres:16");
	CU_ASSERT_EQUAL(num(r, "primary.port"), 6432); /* explicit key wins */
	CU_ASSERT_PTR_NULL(at(r, "primary.<<"));
	CU_ASSERT_EQUAL(num(r, "replica.port"), 7432); /* earlier source wins */
	CU_ASSERT_STRING_EQUAL(str(r, "replica.role"), "replica");
	CU_ASSERT_STRING_EQUAL(str(r, "replica.image"), "postgres:16");
	CU_ASSERT_STRING_EQUAL(str(r, "merged-inline.role"), "inline");
	/* an anchored merge source stays alive for later aliases */
	CU_ASSERT_STRING_EQUAL(str(r, "again.role"), "inline");
	CU_ASSERT_EQUAL(num(r, "list-merged.a"), 1);
	CU_ASSERT_EQUAL(num(r, "list-merged.b"), 2);
	CU_ASSERT_EQUAL(num(r, "first-again.a"), 1);
	/* an anchor on a key */
	CU_ASSERT_STRING_EQUAL(str(r, "name"), "pg");
	CU_ASSERT_STRING_EQUAL(str(r, "name-again"), "name");
	CU_ASSERT_STRING_EQUAL(str(r, "limits.cpu"), "100m");
	/* shared nodes have the lines of the anchored text */
	CU_ASSERT_EQUAL(c.line[0][0], 2);
	CU_ASSERT_EQUAL(c.line[0][1], 2);
	CU_ASSERT_EQUAL(c.line[0][2], 7);
	CU_ASSERT_EQUAL(c.line[0][3], 6);
	docs_free(&c);

	r = one("s: &s hello\nt: *s\n*s : key-from-alias\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(str(r, "t"), "hello");
	CU_ASSERT_STRING_EQUAL(str(r, "hello"), "key-from-alias");
	json_decref(r);

	CU_ASSERT_EQUAL(load("a: *nope\n", &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 0: line 1, column 4: "
				      "unknown anchor \"nope\"");
	docs_free(&c);
	/* anchors do not cross documents */
	CU_ASSERT_EQUAL(load("a: &x 1\n---\nb: *x\n", &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 1: line 3, column 4: "
				      "unknown anchor \"x\"");
	CU_ASSERT_EQUAL(c.n, 1);
	docs_free(&c);
	CU_ASSERT_EQUAL(load("a:\n  <<: 5\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "line 2, column 7: merge key << "
					     "needs a mapping"));
	docs_free(&c);
}

static void test_alias_bomb(void)
{
	struct docs c;
	struct err e;
	double t0 = now();
	int rc = load_file(FIX "alias-bomb.yaml", NULL, &c, &e);
	double dt = now() - t0;
	CU_ASSERT_EQUAL(rc, -1);
	/* b..e expand to 74,718 nodes; the first *e under f passes 100,000 */
	CU_ASSERT_STRING_EQUAL(e.msg,
			       FIX "alias-bomb.yaml: document 0: line 6, "
				   "column 8: too many alias expansions "
				   "(limit 100000 nodes)");
	CU_ASSERT_TRUE(dt < 2.0); /* generous: it takes well under 1 ms */
	CU_ASSERT_EQUAL(c.n, 0);
	docs_free(&c);

	/* the same bomb with 9 levels of 9 aliases built in memory, and a
	 * tighter cap of total nodes */
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
	for (char ch = 'b'; ch <= 'j'; ch++)
		sb_printf(&sb,
			  "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", ch,
			  ch, ch - 1, ch - 1, ch - 1, ch - 1, ch - 1, ch - 1,
			  ch - 1, ch - 1, ch - 1);
	struct manifest_limits lim;
	manifest_limits_default(&lim);
	lim.max_nodes = 500;
	memset(&c, 0, sizeof(c));
	t0 = now();
	rc = manifest_load_buffer(sb_str(&sb), sb.len, "m", &lim, collect, &c,
				  &e);
	CU_ASSERT_TRUE(now() - t0 < 2.0);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "line 3, column "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ": too many nodes (limit 500)"));
	docs_free(&c);
	sb_free(&sb);
}

/* ---- caps and errors ---------------------------------------------------- */

static void test_depth_and_limits(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 100000; i++)
		sb_putc(&sb, '[');
	struct docs c;
	struct err e;
	double t0 = now();
	CU_ASSERT_EQUAL(load(sb_str(&sb), &c, &e), -1);
	CU_ASSERT_TRUE(now() - t0 < 2.0);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 0: line 1, column 257: "
				      "nesting deeper than 256 levels");
	docs_free(&c);
	sb_reset(&sb);
	for (int i = 0; i < 300; i++)
		sb_printf(&sb, "%*sk:\n", i * 2, "");
	CU_ASSERT_EQUAL(load(sb_str(&sb), &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "t.yaml: document 0: line 257, column 513: "
			       "nesting deeper than 256 levels");
	docs_free(&c);
	sb_free(&sb);

	struct manifest_limits lim;
	manifest_limits_default(&lim);
	CU_ASSERT_EQUAL(lim.max_nodes, 1000000);
	CU_ASSERT_EQUAL(lim.max_depth, 256);
	CU_ASSERT_EQUAL(lim.max_alias_nodes, 100000);
	CU_ASSERT_EQUAL(lim.max_scalar, 8u << 20);
	lim.max_scalar = 4;
	lim.max_depth = 2;
	const char *y = "a: abcd\nb: abcde\n";
	CU_ASSERT_EQUAL(manifest_load_buffer(y, strlen(y), "s", &lim, NULL,
					     NULL, &e),
			-1);
	CU_ASSERT_STRING_EQUAL(e.msg, "s: document 0: line 2, column 4: scalar "
				      "larger than 4 bytes");
	y = "a: [1]\nb: [[1]]\n";
	CU_ASSERT_EQUAL(manifest_load_buffer(y, strlen(y), "s", &lim, NULL,
					     NULL, &e),
			-1);
	CU_ASSERT_STRING_EQUAL(e.msg, "s: document 0: line 2, column 5: "
				      "nesting deeper than 2 levels");
}

static void test_invalid_yaml(void)
{
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL(load_file(FIX "invalid.yaml", NULL, &c, &e), -1);
	CU_ASSERT_EQUAL(c.n, 1); /* the first document was delivered */
	CU_ASSERT_STRING_EQUAL(str(c.root[0], "metadata.name"), "ok");
	CU_ASSERT_STRING_EQUAL(e.msg, FIX
			       "invalid.yaml: document 1: line 9, column 3: "
			       "did not find expected ',' or ']' (while "
			       "parsing a flow sequence at line 8, column 10)");
	docs_free(&c);

	CU_ASSERT_EQUAL(load("a: 1\n---\nkind: x\n  bad: indent\n", &c, &e),
			-1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 1: line 4, column 6: "
				      "mapping values are not allowed in this "
				      "context");
	docs_free(&c);
	/* a tab where YAML wants indentation */
	CU_ASSERT_EQUAL(load("a:\n\t- b\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.yaml: document 0: line 2, "
					     "column 1: found character that "
					     "cannot start any token"));
	docs_free(&c);
}

static void test_binary_input(void)
{
	struct docs c;
	struct err e;
	static const char png[] = "\x89PNG\r\n\x1a\n\x00\x00\xff\xfe binary";
	CU_ASSERT_EQUAL(load_n(png, sizeof(png) - 1, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 0: line 1, column 1: "
				      "invalid UTF-8 byte 0x89");
	CU_ASSERT_EQUAL(c.n, 0);
	docs_free(&c);

	/* a NUL byte in document 1: document 0 is delivered, the cut
	 * document 1 is not */
	static const char nul[] = "a: 1\n---\nb: 2\nc: x\0y\n";
	CU_ASSERT_EQUAL(load_n(nul, sizeof(nul) - 1, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml: document 1: line 4, column 5: "
				      "NUL byte is not allowed");
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_EQUAL(num(c.root[0], "a"), 1);
	docs_free(&c);

	static const char *const bad[][2] = {
		{"a: \"x\xc3\x28\"\n",
		 "line 1, column 6: invalid UTF-8 byte 0x28"},
		{"a: 1\nb: \xc0\xaf\n",
		 "line 2, column 4: overlong UTF-8 sequence"},
		{"a: \xed\xa0\x80\n",
		 "line 1, column 4: invalid Unicode code point in UTF-8"},
		{"a: 1\nb: \x1b[0m\n",
		 "line 2, column 4: control character U+001B is not allowed"},
		{"a: \xc2\x9b\n",
		 "line 1, column 4: control character U+009B is not allowed"},
		{"a: \xe2\x82",
		 "line 1, column 4: incomplete UTF-8 sequence at the end"},
		{"a: caf\xc3\xa9 \xff\n",
		 "line 1, column 9: invalid UTF-8 byte 0xFF"},
		{"a: 1\r\nb: 2\r\nc: \x01\r\n",
		 "line 3, column 4: control character U+0001 is not allowed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(load(bad[i][0], &c, &e), -1);
		CU_ASSERT_EQUAL(c.n, 0);
		if (!strstr(e.msg, bad[i][1]))
			fprintf(stderr, "\n  case %zu: %s\n", i, e.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i][1]));
		docs_free(&c);
	}

	/* random bytes never crash and always give a message */
	srand(42);
	char buf[4096];
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)(rand() & 0xff);
		CU_ASSERT_EQUAL(load_n(buf, sizeof(buf), &c, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.yaml: document "));
		docs_free(&c);
	}

	/* UTF-8 BOM is skipped; UTF-16 (BOM) is left to libyaml */
	json_t *r = one("\xef\xbb\xbf"
			"a: 1\n");
	CU_ASSERT_EQUAL(num(r, "a"), 1);
	json_decref(r);
	static const char u16[] = "\xff\xfe"
				  "a\0:\0 \0"
				  "1\0\n\0";
	r = manifest_parse_one(u16, sizeof(u16) - 1, "u16", NULL, &e);
	CU_ASSERT_EQUAL(num(r, "a"), 1);
	json_decref(r);
}

static void test_error_past_read_chunk(void)
{
	/* The reader works in 64 KiB stages: a character split by a stage
	 * boundary is fine, and a bad byte far into the file is placed
	 * exactly. */
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "a: 1\n---\nb: \"");
	while (sb.len < 65535)
		sb_putc(&sb, 'x');
	sb_puts(&sb, "\xe2\x82\xac\"\n"); /* € across offset 65536 */
	sb_puts(&sb, "c: ok\n---\nd: [1,\n  2, \x07]\n");
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL(load_n(sb.buf, sb.len, &c, &e), -1);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_EQUAL(json_string_length(at(c.root[1], "b")), 65535 - 13 + 3);
	CU_ASSERT_STRING_EQUAL(str(c.root[1], "c"), "ok");
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "t.yaml: document 2: line 7, column 6: "
			       "control character U+0007 is not allowed");
	docs_free(&c);

	/* the same through a FILE */
	FILE *f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(sb.buf, 1, sb.len, f);
	rewind(f);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(manifest_load_file(f, "t.yaml", NULL, collect, &c, &e),
			-1);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "t.yaml: document 2: line 7, column 6: "
			       "control character U+0007 is not allowed");
	docs_free(&c);
	fclose(f);
	sb_free(&sb);
}

/* ---- size --------------------------------------------------------------- */

static void big_stream(struct strbuf *sb, int *docs)
{
	*docs = 0;
	while (sb->len < 10u << 20) {
		sb_printf(sb,
			  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			  "  name: cm-%d\ndata:\n  k: \"%0200d\"\n"
			  "probe: %d\n---\n",
			  *docs, *docs, *docs);
		(*docs)++;
	}
}

static void test_big_stream(void)
{
	/* ~10 MB of documents; the last one's probe line must be exact. */
	struct strbuf sb = STRBUF_INIT;
	int docs;
	big_stream(&sb, &docs);
	struct docs c;
	struct err e;
	memset(&c, 0, sizeof(c));
	int rc = manifest_load_buffer(sb.buf, sb.len, "big", NULL, collect, &c,
				      &e);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(c.total,
			docs + 1); /* the trailing --- opens one more */
	CU_ASSERT_EQUAL(c.last_probe_line, 8 * (docs - 1) + 7);
	docs_free(&c);

	FILE *f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(sb.buf, 1, sb.len, f);
	rewind(f);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(manifest_load_file(f, "big", NULL, collect, &c, &e), 0);
	CU_ASSERT_EQUAL(c.total, docs + 1);
	CU_ASSERT_EQUAL(c.last_probe_line, 8 * (docs - 1) + 7);
	docs_free(&c);
	fclose(f);
	sb_free(&sb);
}

static int stop_at_two(const struct manifest_doc *d, void *arg)
{
	(void)arg;
	return d->index == 1 ? 7 : 0;
}

static void test_callback_stop(void)
{
	struct err e;
	const char *y = "a: 1\n---\nb: 2\n---\nc: 3\n";
	CU_ASSERT_EQUAL(manifest_load_buffer(y, strlen(y), "s", NULL,
					     stop_at_two, NULL, &e),
			7);
}

static CU_TestInfo tests[] = {
	{"bundle fixture: documents, List, empties, lines",
	 test_bundle_fixture},
	{"input from a pipe (stdin)", test_stdin_pipe},
	{"multi-document, List, empty docs, lines", test_multidoc_and_lines},
	{"empty documents and inputs", test_empty_documents},
	{"YAML 1.1 scalars as Kubernetes reads them", test_scalars},
	{"numbers out of range, tags, timestamps", test_numbers_and_tags},
	{"mapping keys: typed, duplicates, complex", test_keys},
	{"JSON input", test_json_input},
	{"anchors, aliases and merge keys", test_anchors_and_merge},
	{"alias bomb refused fast", test_alias_bomb},
	{"depth and size caps", test_depth_and_limits},
	{"invalid YAML: document, line, column", test_invalid_yaml},
	{"binary, NUL, bad UTF-8, control characters", test_binary_input},
	{"reader position across the stage", test_reader_position},
	{"bad byte past the first 64 KiB", test_error_past_read_chunk},
	{"10 MB stream, buffer and file", test_big_stream},
	{"callback stops the stream", test_callback_stop},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"manifest", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_manifest", suites);
}
