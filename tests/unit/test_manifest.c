/* test_manifest.c — the YAML/JSON loader: documents, K8s scalar typing,
 * lines, anchors and caps, errors. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/manifest.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

#define MAX_DOCS 8

struct docs {
	json_t *root[MAX_DOCS];
	int line_of_probe[MAX_DOCS]; /* line of the node at "probe" key */
	int index[MAX_DOCS];
	int n;
	int total;
	int last_probe_line;
};

static int collect(const struct manifest_doc *d, void *arg)
{
	struct docs *c = arg;
	c->total++;
	json_t *probe = d->root ? json_object_get(d->root, "probe") : NULL;
	if (probe)
		c->last_probe_line = manifest_line(d, probe);
	if (c->n < MAX_DOCS) {
		c->root[c->n] = d->root ? json_incref(d->root) : NULL;
		c->line_of_probe[c->n] = c->last_probe_line;
		c->index[c->n] = d->index;
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

static int load(const char *text, struct docs *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	err_clear(e);
	return manifest_load_buffer(text, strlen(text), "t.yaml", NULL, collect,
				    c, e);
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
	CU_ASSERT_EQUAL(c.line_of_probe[0], 4);
	CU_ASSERT_PTR_NULL(c.root[1]); /* empty document */
	CU_ASSERT_EQUAL(c.index[2], 2);
	json_t *items = json_object_get(c.root[2], "items");
	CU_ASSERT_EQUAL(json_array_size(items), 1);
	docs_free(&c);

	/* line of a nested node via a one-document parse */
	const char *y2 = "a:\n  b:\n    - x\n    - name: y\n      value: z\n";
	struct manifest_linemap *lm = NULL;
	json_t *r = manifest_parse_one(y2, strlen(y2), "t", &lm, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	json_t *b = json_object_get(json_object_get(r, "a"), "b");
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, b), 3);
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, json_array_get(b, 0)), 3);
	json_t *v = json_object_get(json_array_get(b, 1), "value");
	CU_ASSERT_EQUAL(manifest_linemap_get(lm, v), 5);
	json_decref(r);
	manifest_linemap_free(lm);
}

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
	json_t *r = one("a: yes\nb: \"yes\"\nc: on\nd: Off\ne: n\nf: ~\ng:\n"
			"h: 5432\ni: \"5432\"\nj: 0755\nk: 0x1F\nl: 1_000\n"
			"m: -0b101\nnn: 1.5\no: .inf\np: 2024-01-01\nq: '0755'\n"
			"r: |\n  true\ns: !!str 12\nt: 0o17\nu: 18446744073709551615\n"
			"v: 089\nw: TRUE\nx: null\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "a")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "b")), "yes");
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "c")));
	CU_ASSERT_TRUE(json_is_false(json_object_get(r, "d")));
	CU_ASSERT_TRUE(json_is_false(json_object_get(r, "e")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "f")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "g")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "h")), 5432);
	CU_ASSERT_TRUE(json_is_string(json_object_get(r, "i")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "j")), 493);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "k")), 31);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "l")), 1000);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "m")), -5);
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "nn")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "o")), ".inf");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "p")),
			       "2024-01-01");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "q")), "0755");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "r")),
			       "true\n");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "s")), "12");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "t")), 15);
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "u")));
	CU_ASSERT_TRUE(json_is_real(json_object_get(r, "v")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "w")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "x")));
	json_decref(r);
}

static void test_json_input(void)
{
	json_t *r = one("{\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":5432,"
			"\"name\":\"pg\"}],\"x\":true,\"y\":null,\"z\":\"on\"}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	json_t *spec = json_object_get(r, "spec");
	json_t *port = json_object_get(json_array_get(json_object_get(spec, "ports"), 0), "port");
	CU_ASSERT_EQUAL(json_integer_value(port), 5432);
	CU_ASSERT_TRUE(json_is_true(json_object_get(spec, "x")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(spec, "z")), "on");
	json_decref(r);
	r = one("{\n\t\"a\": [1,\n\t\t2]\n}\n");
	CU_ASSERT_PTR_NOT_NULL(r);
	json_decref(r);
}

static void test_anchors_and_merge(void)
{
	json_t *r = one("base: &b {image: postgres:16, port: 5432}\n"
			"one: *b\n"
			"two:\n  <<: *b\n  port: 6432\n"
			"three:\n  <<: [{a: 1}, {a: 2, c: 3}]\n"
			"s: &s hello\nt: *s\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	json_t *o = json_object_get(r, "one");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "image")),
			       "postgres:16");
	json_t *two = json_object_get(r, "two");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(two, "port")), 6432);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(two, "image")),
			       "postgres:16");
	CU_ASSERT_PTR_NULL(json_object_get(two, "<<"));
	json_t *three = json_object_get(r, "three");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(three, "a")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(three, "c")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "t")), "hello");
	json_decref(r);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void test_alias_bomb(void)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
	for (char c = 'b'; c <= 'i'; c++)
		sb_printf(&sb, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n",
			  c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1,
			  c - 1, c - 1);
	struct docs c;
	struct err e;
	double t0 = now();
	int rc = load(sb_str(&sb), &c, &e);
	double dt = now() - t0;
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "too many alias expansions"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.yaml: document 0: line "));
	CU_ASSERT_TRUE(dt < 1.0); /* generous: it takes well under 1 ms */
	CU_ASSERT_EQUAL(c.n, 0);
	docs_free(&c);
	sb_free(&sb);
}

static void test_depth_and_errors(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		sb_putc(&sb, '[');
	struct docs c;
	struct err e;
	CU_ASSERT_EQUAL(load(sb_str(&sb), &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nesting deeper than 256"));
	docs_free(&c);
	sb_free(&sb);

	CU_ASSERT_EQUAL(load("a: 1\n---\nb: [1, 2\nc: 3\n", &c, &e), -1);
	CU_ASSERT_EQUAL(c.n, 1); /* the first document was delivered */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.yaml: document 1: line "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "column "));
	docs_free(&c);

	CU_ASSERT_EQUAL(load("a: 1\na: 2\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "line 2, column 4: duplicate key \"a\""));
	docs_free(&c);

	CU_ASSERT_EQUAL(load("a: *nope\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown anchor"));
	docs_free(&c);

	CU_ASSERT_EQUAL(load("? [a]\n: 1\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mapping keys must be scalars"));
	docs_free(&c);

	const char garbage[] = "\x89PNG\r\n\x1a\n\x00\x00\xff\xfe binary";
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(manifest_load_buffer(garbage, sizeof(garbage) - 1, "g",
					     NULL, collect, &c, &e),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "g: document 0"));
	docs_free(&c);

	/* more than one document where one is expected */
	json_t *r = manifest_parse_one("a: 1\n---\nb: 2\n", 13, "p", NULL, &e);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "expected one document"));
	r = manifest_parse_one("# only a comment\n", 17, "p", NULL, &e);
	CU_ASSERT_TRUE(json_is_null(r));
	json_decref(r);
}

static void test_big_stream(void)
{
	/* ~10 MB of documents; the last one's probe line must be exact. */
	struct strbuf sb = STRBUF_INIT;
	int docs = 0;
	while (sb.len < 10u << 20) {
		sb_printf(&sb, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			       "  name: cm-%d\ndata:\n  k: \"%0200d\"\n"
			       "probe: %d\n---\n",
			  docs, docs, docs);
		docs++;
	}
	struct docs c;
	struct err e;
	memset(&c, 0, sizeof(c));
	int rc = manifest_load_buffer(sb.buf, sb.len, "big", NULL, collect, &c, &e);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(c.total, docs + 1); /* the trailing --- opens one more */
	CU_ASSERT_EQUAL(c.last_probe_line, 8 * (docs - 1) + 7);
	docs_free(&c);
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
	{"multi-document, List, empty docs, lines", test_multidoc_and_lines},
	{"YAML 1.1 scalars as Kubernetes reads them", test_scalars},
	{"JSON input", test_json_input},
	{"anchors, aliases and merge keys", test_anchors_and_merge},
	{"alias bomb refused fast", test_alias_bomb},
	{"depth cap and error messages", test_depth_and_errors},
	{"10 MB stream", test_big_stream},
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
