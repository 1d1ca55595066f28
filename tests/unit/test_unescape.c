/*
 * test_unescape.c — srv_unescape_ascii (src/server/unescape.c): the body
 * it rewrites parses to the same JSON value as the original, or fails
 * where the original fails; small bodies are untouched; the 15 MB worst
 * review shrinks to its characters.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/server/unescape.h"
#include "unit.h"

/* pad to past UNESCAPE_MIN_BODY with a trailing blank run (valid JSON) */
static char *padded(const char *json, size_t *n)
{
	size_t len = strlen(json), total = len + UNESCAPE_MIN_BODY;
	char *b = malloc(total + 1);
	if (!b)
		return NULL;
	memcpy(b, json, len);
	memset(b + len, ' ', total - len);
	b[total] = '\0';
	*n = total;
	return b;
}

/* Parse original and rewritten; both fail, or both equal. */
static int same_parse(const char *json, size_t *newlen)
{
	size_t n;
	char *a = padded(json, &n), *b = padded(json, &n);
	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	size_t m = srv_unescape_ascii(b, n);
	*newlen = m;
	json_error_t e1, e2;
	json_t *x = json_loadb(a, n, JSON_REJECT_DUPLICATES, &e1);
	json_t *y = json_loadb(b, m, JSON_REJECT_DUPLICATES, &e2);
	int ok = (!x && !y) || (x && y && json_equal(x, y));
	if (!ok)
		fprintf(stderr, "\n  differs: %s\n", json);
	json_decref(x);
	json_decref(y);
	free(a);
	free(b);
	return ok;
}

static void test_cases(void)
{
	static const struct {
		const char *json;
		long shrink; /* bytes saved; -1: not checked */
	} cases[] = {
		{"{\"a\":\"\\u003c\\u003e\\u0026\"}", 15},
		{"{\"\\u003c\":1,\"<\":2}", -1}, /* duplicate both ways */
		{"{\"a\":\"\\\\u003c\"}", 0},    /* escaped backslash */
		{"{\"a\":\"\\\\\\u003c\"}", 5},  /* \\ then \u003c */
		{"{\"a\":\"\\u0022\\u005c\\u005C\"}", 0}, /* quote, backslash */
		{"{\"a\":\"\\u001f\\u0000\\u007f\"}", 0}, /* controls, DEL */
		{"{\"a\":\"\\u00e9\\ud83d\\ude00\"}", 0}, /* not ASCII */
		{"{\"a\":\"\\u003C\\u004A\"}", 10},       /* upper-case hex */
		{"{\"a\":\"\\u003\"}", 0},                /* short escape */
		{"{\"a\":\"\\u003g\"}", 0},               /* not hex */
		{"{\"a\":\"\\\"\\u003c\\\"\"}", 5},       /* \" around it */
		{"[\"\\u0041\",\"x\\u0042y\",\"\\/\\n\"]", 10},
		{"{\"a\":\"unterminated \\u003c",
		 -1},                   /* malformed either way */
		{"{\"a\":\\u003c}", 0}, /* outside a string */
		{"{\"a\":\"\\", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t m = 0, n = strlen(cases[i].json) + UNESCAPE_MIN_BODY;
		CU_ASSERT_TRUE(same_parse(cases[i].json, &m));
		if (cases[i].shrink >= 0)
			CU_ASSERT_EQUAL(n - m, (size_t)cases[i].shrink);
	}
}

static void test_small_untouched(void)
{
	char b[] = "{\"a\":\"\\u003c\"}";
	CU_ASSERT_EQUAL(srv_unescape_ascii(b, strlen(b)), strlen(b));
	CU_ASSERT_STRING_EQUAL(b, "{\"a\":\"\\u003c\"}");
}

/* Random documents of strings made of plain bytes, UTF-8, and every kind
 * of escape, as keys and values, nested: the same value after rewriting. */
static void test_random(void)
{
	static const char *const atoms[] = {
		"a",         "<",
		" ",         "\\u003c",
		"\\u003E",   "\\u0026",
		"\\u0020",   "\\u007e",
		"\\u007f",   "\\u001f",
		"\\u0022",   "\\u005c",
		"\\u00e9",   "\\ud83d\\ude00",
		"\\ud83d",   "\\\\",
		"\\\"",      "\\/",
		"\\n",       "\\t",
		"\\\\u003c", "\xc3\xa9",
		"\\u0000",   "\\x",
	};
	size_t na = sizeof(atoms) / sizeof(*atoms);
	srand(16);
	int failures = 0;
	char doc[4096];
	for (int round = 0; round < 3000; round++) {
		size_t len = 0;
		doc[len++] = '{';
		int members = 1 + rand() % 4;
		for (int m = 0; m < members; m++) {
			len += (size_t)snprintf(doc + len, sizeof(doc) - len,
						"%s\"k%d", m ? "," : "", m);
			for (int k = rand() % 3; k > 0; k--)
				len += (size_t)snprintf(doc + len,
							sizeof(doc) - len, "%s",
							atoms[rand() % na]);
			len += (size_t)snprintf(doc + len, sizeof(doc) - len,
						"\":[\"");
			for (int k = rand() % 12; k > 0; k--)
				len += (size_t)snprintf(doc + len,
							sizeof(doc) - len, "%s",
							atoms[rand() % na]);
			len += (size_t)snprintf(doc + len, sizeof(doc) - len,
						"\",{\"x\":\"%s\"}]",
						atoms[rand() % na]);
		}
		doc[len++] = '}';
		doc[len] = '\0';
		size_t m;
		if (!same_parse(doc, &m))
			failures++;
	}
	CU_ASSERT_EQUAL(failures, 0);
}

/* The worst review's shape: 1 MiB of '<' as \u003c becomes 1 MiB. */
static void test_worst_shape(void)
{
	size_t chars = 1 << 20, n = chars * 6 + 16;
	char *b = malloc(n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	size_t len = 0;
	memcpy(b, "{\"v\":\"", 6);
	len = 6;
	for (size_t i = 0; i < chars; i++, len += 6)
		memcpy(b + len, "\\u003c", 6);
	memcpy(b + len, "\"}", 2);
	len += 2;
	size_t m = srv_unescape_ascii(b, len);
	CU_ASSERT_EQUAL(m, chars + 8);
	json_error_t e;
	json_t *v = json_loadb(b, m, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	const char *s = json_string_value(json_object_get(v, "v"));
	CU_ASSERT_TRUE(s && strlen(s) == chars && s[0] == '<' &&
		       s[chars - 1] == '<');
	json_decref(v);
	free(b);
}

static CU_TestInfo tests[] = {
	{"cases: same value, expected shrink", test_cases},
	{"bodies under the bound are untouched", test_small_untouched},
	{"random documents: same value", test_random},
	{"1 MiB of \\u003c becomes 1 MiB of <", test_worst_shape},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"unescape", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_unescape", suites);
}
