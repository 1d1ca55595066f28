/*
 * test_bigstr.c — large strings read outside jansson: jsonesc (src/base)
 * accepts exactly the string contents jansson accepts, with the same
 * value; bigstr (src/admission) gives the same tree as json_loadb for any
 * body, or fails where it fails, leaves keys and refused strings to
 * jansson, and cannot be fooled by a look-alike placeholder; a review
 * whose ConfigMap value is 8 KiB of control characters around a password
 * URL is still denied, without the password in the answer.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/admission/bigstr.h"
#include "pgadmit/admission.h"
#include "pgadmit/jsonesc.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

/* Pieces of string content, valid and not (jansson decides which). */
static const char *const atoms[] = {
	"a",
	"plain text ",
	"\\u0001",
	"\\u001f",
	"\\u003c",
	"\\u007f",
	"\\u00e9",
	"\\u20ac",
	"\\uFFFF",
	"\\ud83d\\ude00",
	"\\uD83D\\uDE00",
	"\\ud83d",
	"\\ude00",
	"\\ud83d\\u0041",
	"\\u0000",
	"\\u12",
	"\\uzzzz",
	"\\x",
	"\\\\",
	"\\\"",
	"\\/",
	"\\b\\f\\n\\r\\t",
	"\xc3\xa9",
	"\xe2\x82\xac",
	"\xf0\x9f\x98\x80",
	"\xff",
	"\xc0\x80",
	"\xed\xa0\x80",
	"\xf4\x90\x80\x80",
	"\xc3",
	"\x01",
	"\x1f",
	"\x7f",
};
#define NATOMS (sizeof(atoms) / sizeof(*atoms))

static size_t random_content(char *buf, size_t cap, int pieces)
{
	size_t len = 0;
	for (int k = 0; k < pieces; k++) {
		const char *a = atoms[rand() % NATOMS];
		size_t l = strlen(a);
		if (len + l >= cap)
			break;
		memcpy(buf + len, a, l);
		len += l;
	}
	buf[len] = '\0';
	return len;
}

/* jsonesc_measure and jansson agree on acceptance; decoded values equal. */
static int agrees(const char *content, size_t n)
{
	char quoted[600];
	snprintf(quoted, sizeof(quoted), "\"%.*s\"", (int)n, content);
	json_error_t e;
	json_t *j = json_loadb(quoted, n + 2, JSON_DECODE_ANY, &e);
	size_t dlen = 0;
	bool ok = jsonesc_measure(content, n, &dlen);
	int same = (j != NULL) == ok;
	if (same && ok) {
		char *out = malloc(dlen + 1);
		if (!out) {
			json_decref(j);
			return 0;
		}
		jsonesc_decode(content, n, out);
		same = dlen == json_string_length(j) &&
		       memcmp(out, json_string_value(j), dlen) == 0;
		free(out);
	}
	if (!same)
		fprintf(stderr, "\n  jsonesc and jansson differ on: %s\n",
			quoted);
	json_decref(j);
	return same;
}

static void test_jsonesc_atoms(void)
{
	for (size_t i = 0; i < NATOMS; i++)
		CU_ASSERT_TRUE(agrees(atoms[i], strlen(atoms[i])));
	CU_ASSERT_TRUE(agrees("", 0));
	srand(7);
	int failures = 0;
	char buf[512];
	for (int round = 0; round < 5000; round++) {
		size_t n = random_content(buf, sizeof(buf), 1 + rand() % 8);
		failures += !agrees(buf, n);
	}
	CU_ASSERT_EQUAL(failures, 0);
}

/* The same tree through bigstr (every value string of min_token bytes or
 * more taken out) as through json_loadb, or both fail. */
static int same_tree(const char *body, size_t n, size_t min_token,
		     size_t *taken)
{
	json_error_t e1, e2;
	json_t *x = json_loadb(body, n, JSON_REJECT_DUPLICATES, &e1);
	struct bigstr b;
	if (bigstr_scan(&b, body, n, 0, min_token)) {
		json_decref(x);
		return 0;
	}
	*taken = b.n;
	json_t *y = b.n ? bigstr_load(&b, JSON_REJECT_DUPLICATES, &e2)
			: json_loadb(body, n, JSON_REJECT_DUPLICATES, &e2);
	bigstr_free(&b);
	int ok = (!x && !y) || (x && y && json_equal(x, y));
	if (!ok)
		fprintf(stderr, "\n  bigstr differs (min %zu): %.*s\n",
			min_token, (int)(n < 300 ? n : 300), body);
	json_decref(x);
	json_decref(y);
	return ok;
}

static void test_random_documents(void)
{
	srand(16);
	int failures = 0;
	size_t taken_total = 0;
	char doc[8192], s[600];
	for (int round = 0; round < 4000; round++) {
		struct strbuf sb = STRBUF_INIT;
		sb_putc(&sb, rand() % 8 ? '{' : '[');
		bool obj = sb_str(&sb)[0] == '{';
		int members = 1 + rand() % 4;
		for (int m = 0; m < members; m++) {
			if (m)
				sb_putc(&sb, ',');
			if (obj) {
				random_content(s, 64, rand() % 3);
				/* keys are never taken: some repeat */
				sb_printf(&sb, "\"k%d%s\" : ", rand() % 5, s);
			}
			random_content(s, sizeof(s), rand() % 24);
			sb_printf(&sb, "[\"%s\", {\"x\" :\"%s\"}, 1, null]", s,
				  rand() % 2 ? s : "v");
		}
		sb_putc(&sb, obj ? '}' : ']');
		if (rand() % 50 == 0) /* a truncated body */
			sb.len -= (size_t)rand() % sb.len;
		size_t n = sb.len < sizeof(doc) ? sb.len : sizeof(doc) - 1;
		memcpy(doc, sb_str(&sb), n);
		sb_free(&sb);
		size_t taken = 0;
		failures +=
			!same_tree(doc, n, 1 + (size_t)(rand() % 12), &taken);
		taken_total += taken;
	}
	CU_ASSERT_EQUAL(failures, 0);
	CU_ASSERT_TRUE(taken_total > 1000); /* the path was exercised */
}

/* {"k":"<value>", "<key>":1} with value and key of the given sizes. */
static char *doc_with(size_t value_bytes, size_t key_bytes, size_t *n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "{\"k\":\"");
	for (size_t i = 0; i < value_bytes / 6; i++)
		sb_puts(&sb, "\\u0001");
	sb_puts(&sb, "\",\"");
	for (size_t i = 0; i < key_bytes; i++)
		sb_putc(&sb, 'q');
	sb_puts(&sb, "\":1}");
	*n = sb.len;
	return sb_detach(&sb);
}

static void test_what_is_taken(void)
{
	size_t n, taken;
	char *d = doc_with(6 * 1024, 10, &n);
	CU_ASSERT_TRUE(same_tree(d, n, BIGSTR_MIN_TOKEN, &taken));
	CU_ASSERT_EQUAL(taken, 1);
	free(d);
	/* a long key stays jansson's */
	d = doc_with(6, 8 * 1024, &n);
	CU_ASSERT_TRUE(same_tree(d, n, BIGSTR_MIN_TOKEN, &taken));
	CU_ASSERT_EQUAL(taken, 0);
	free(d);
	/* a string jansson refuses stays jansson's, and so does its error */
	d = doc_with(6 * 1024, 10, &n);
	d[66] = '\x01'; /* a raw control character for an escape */
	struct bigstr b;
	CU_ASSERT_EQUAL(bigstr_scan(&b, d, n, 0, BIGSTR_MIN_TOKEN), 0);
	CU_ASSERT_EQUAL(b.n, 0);
	bigstr_free(&b);
	json_error_t e;
	CU_ASSERT_PTR_NULL(json_loadb(d, n, 0, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "control character"));
	free(d);
	/* under the body bound: nothing taken */
	d = doc_with(6 * 1024, 10, &n);
	CU_ASSERT_EQUAL(bigstr_scan(&b, d, n, BIGSTR_MIN_BODY, 16), 0);
	CU_ASSERT_EQUAL(b.n, 0);
	bigstr_free(&b);
	free(d);
}

/* A value that looks like a placeholder (wrong nonce) is kept as it is,
 * next to a real one. */
static void test_lookalike(void)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "[\"\\u0001pgadmit:0000000000000000:00000000\",\"");
	for (int i = 0; i < 2000; i++)
		sb_puts(&sb, "ab");
	sb_puts(&sb, "\"]");
	size_t taken;
	CU_ASSERT_TRUE(same_tree(sb_str(&sb), sb.len, 1000, &taken));
	CU_ASSERT_EQUAL(taken, 1);
	sb_free(&sb);
}

/* The password behind 8 KiB of control characters in a ConfigMap value. */
static void test_review_secret(void)
{
	struct err err;
	struct policy *p = policy_new(NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb,
		"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
		"\"AdmissionReview\",\"request\":{\"uid\":\"u1\",\"kind\":"
		"{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"},"
		"\"namespace\":\"shop\",\"operation\":\"CREATE\",\"object\":"
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
		"{\"name\":\"app\",\"namespace\":\"shop\"},\"data\":{\"url\":\"");
	for (int i = 0; i < 8192; i++)
		sb_puts(&sb, "\\u0001");
	sb_puts(&sb, "\\npostgresql://app:hunter2@db:5432/app\\n\"}}}}");
	while (sb.len < BIGSTR_MIN_BODY + 10)
		sb_putc(&sb, ' ');
	CU_ASSERT_FATAL(sb_ok(&sb));
	struct admission_env env = {p, NULL};
	struct admission_result r;
	CU_ASSERT_EQUAL_FATAL(admission_handle(&env, ADMISSION_VALIDATE,
					       sb_str(&sb), sb.len, &r),
			      0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(r.decision, ADM_DENY);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "PGA102"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "hunter2"));
	admission_result_free(&r);
	sb_free(&sb);
	policy_free(p);
}

static CU_TestInfo tests[] = {
	{"jsonesc accepts and decodes as jansson does", test_jsonesc_atoms},
	{"random documents: the same tree or the same failure",
	 test_random_documents},
	{"values taken; keys, refused strings and small bodies left",
	 test_what_is_taken},
	{"a look-alike placeholder is a plain value", test_lookalike},
	{"a password behind 8 KiB of control characters is found",
	 test_review_secret},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"bigstr", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_bigstr", suites);
}
