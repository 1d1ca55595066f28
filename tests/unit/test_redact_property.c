/* test_redact_property.c — a fixed sample of fuzz_redact's property
 * (redact_prop.h): generated passwords from the full byte range that URLs
 * and DSNs allow, in every connection-string form and context, never shown
 * by the redactor (6,000 cases) nor by any output surface (600 cases:
 * check text/JSON/SARIF, /validate, /mutate with the decoded patch, the
 * log line). Plus the issue-10 strings as named cases. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"
#include "pgadmit/policy.h"
#include "redact_prop.h"
#include "unit.h"

static void fill(uint8_t *buf, size_t n, unsigned long long *x)
{
	for (size_t i = 0; i < n; i++) {
		*x = *x * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(*x >> 56);
	}
}

static void test_text_sample(void)
{
	unsigned long long x = 0x5eed0001ull;
	int fails = 0, forms[6] = {0};
	for (int it = 0; it < 6000; it++) {
		uint8_t bytes[48];
		struct redact_case c;
		fill(bytes, sizeof(bytes), &x);
		redact_case_make(bytes, sizeof(bytes), &c);
		forms[c.form]++;
		const char *why = redact_case_check_text(&c);
		if (why && fails++ < 8)
			fprintf(stderr, "\n  %s: %s", why, c.text);
	}
	CU_ASSERT_EQUAL(fails, 0);
	for (int f = 0; f < 6; f++)
		CU_ASSERT(forms[f] > 500); /* every form is exercised */
}

static void test_surface_sample(void)
{
	struct err e;
	struct policy *p = policy_new(NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	unsigned long long x = 0x5eed0002ull;
	int fails = 0;
	for (int it = 0; it < 600; it++) {
		uint8_t bytes[48];
		struct redact_case c;
		fill(bytes, sizeof(bytes), &x);
		redact_case_make(bytes, sizeof(bytes), &c);
		const char *why = redact_case_check_surfaces(&c, p);
		if (why && fails++ < 8)
			fprintf(stderr, "\n  %s: %s", why, c.text);
	}
	CU_ASSERT_EQUAL(fails, 0);
	policy_free(p);
}

/* The two leaks issue 10 reported, exactly. */
static void test_issue10_strings(void)
{
	struct {
		const char *in, *want, *ssl;
	} cases[] = {
		{"jdbc:postgresql://db:5432/app?user=app&password=abc@TOPSECRETTAIL&sslmode=disable",
		 "jdbc:postgresql://db:5432/app?user=app&password=****&sslmode=disable",
		 "sslmode=disable"},
		{"postgresql://db:5432/app?user=app&password=xy@LEAKME",
		 "postgresql://db:5432/app?user=app&password=****", ""},
		{"jdbc:postgresql://db:5432/app?password=xy@LEAKME&ssl=false",
		 "jdbc:postgresql://db:5432/app?password=****&ssl=false",
		 "ssl=false"},
		{"postgresql://u:p@ss@db:5432/app?password=q@r",
		 "postgresql://u:****@db:5432/app?password=****", ""},
		{"db:5432/app?sslmode=disable", "db:5432/app?sslmode=disable",
		 "sslmode=disable"},
		{"app:s3cret@db:5432/app", "app:****@db:5432/app", ""},
		{"PGPASSWORD='it'\\''s' psql", "PGPASSWORD='****' psql", ""},
		{"postgresql://u:pa/ss@db/app", "postgresql://u:****@db/app",
		 ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *r = connstr_redact(cases[i].in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		if (strcmp(r, cases[i].want) != 0)
			fprintf(stderr, "\n  redact(%s) = %s", cases[i].in, r);
		CU_ASSERT_STRING_EQUAL(r, cases[i].want);
		free(r);
		struct connstr_scan sc;
		connstr_scan(cases[i].in, &sc);
		CU_ASSERT_STRING_EQUAL(sc.ssl_setting, cases[i].ssl);
	}
}

/* docs/manifest-rules.md: the scheme-less form is judged on a Postgres port
 * or with query parameters; elsewhere its password is masked, not judged. */
static void test_schemeless_scope(void)
{
	struct connstr_scan sc;
	connstr_scan("admin:s3cret@registry:5000/v2", &sc);
	CU_ASSERT_FALSE(sc.has_password);
	char *r = connstr_redact("admin:s3cret@registry:5000/v2");
	CU_ASSERT_STRING_EQUAL(r, "admin:****@registry:5000/v2");
	free(r);
	connstr_scan("app:s3cret@db:6432/app", &sc);
	CU_ASSERT_TRUE(sc.has_password);
	connstr_scan("app:s3cret@db:7000/app?application_name=x", &sc);
	CU_ASSERT_TRUE(sc.has_password);
	connstr_scan("git@github.com:org/repo", &sc);
	CU_ASSERT_FALSE(sc.has_password);
}

static CU_TestInfo tests[] = {
	{"scheme-less: judged on a Postgres port or with parameters",
	 test_schemeless_scope},
	{"issue 10 strings", test_issue10_strings},
	{"redactor: 6,000 generated cases", test_text_sample},
	{"every surface: 600 generated cases", test_surface_sample},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"redact_property", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_redact_property", suites);
}
