/* test_regressions.c — inputs found by the fuzzers (tests/fuzz/regressions)
 * replayed through the same entry points, plus the exact properties that
 * failed, so `make test` (and `make asan`) keep them fixed. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/admission.h"
#include "pgadmit/connstr.h"
#include "pgadmit/hba.h"
#include "pgadmit/policy.h"
#define PGADMIT_TESTING 1 /* srv_log_review_line */
#include "pgadmit/server.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

/* Found by fuzz_connstr: a URI that follows `sslmode=` (libpq allows
 * spaces around '=') was taken as the sslmode value and not redacted. */
static void test_sslmode_value_hides_uri(void)
{
	const char *cases[] = {
		"host=db sslmode= postgresql://app:pw123456@db/app",
		"( sslmode= postgresql://app:sslmode@db/app",
		"sslmode = postgres://app:hunter2x@db:5432/app?x=1",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *r = connstr_redact(cases[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		if (!strstr(r, "app:****@"))
			fprintf(stderr, "\n  not redacted: %s\n", r);
		CU_ASSERT_PTR_NOT_NULL(strstr(r, "app:****@"));
		free(r);
	}
	/* a real sslmode is still read */
	struct connstr_scan sc;
	connstr_scan("host=db sslmode = disable password=x", &sc);
	CU_ASSERT_TRUE(sc.ssl_disabled);
	CU_ASSERT_TRUE(sc.has_password);
}

/* Each file of a regressions directory, through fn; returns the count. */
static int replay(const char *dir, void (*fn)(const char *buf, size_t len))
{
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		size_t len;
		char *buf = unit_read_file(path, &len);
		CU_ASSERT_PTR_NOT_NULL(buf);
		if (!buf)
			continue;
		fn(buf, len);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void connstr_one(const char *buf, size_t len)
{
	(void)len;
	struct connstr_scan sc;
	connstr_scan(buf, &sc);
	free(connstr_redact(buf));
	free(connstr_redact_quote(buf, 80));
}

static void test_connstr_replay(void)
{
	CU_ASSERT_TRUE(replay("tests/fuzz/regressions/connstr", connstr_one) >=
		       1);
}

static const struct policy *default_policy;

/* The answer and the log line must be valid JSON (jansson also refuses
 * invalid UTF-8): found by fuzz_admission, a 400 quoting jansson's
 * message cut inside a UTF-8 sequence. */
static void admission_one(const char *buf, size_t len)
{
	struct admission_env env = {default_policy, NULL};
	for (int ep = ADMISSION_VALIDATE; ep <= ADMISSION_MUTATE; ep++) {
		struct admission_result r;
		if (admission_handle(&env, (enum admission_endpoint)ep, buf,
				     len, &r) != 0)
			continue;
		json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
		CU_ASSERT_PTR_NOT_NULL(j);
		json_decref(j);
		struct strbuf line = STRBUF_INIT;
		srv_log_review_line(&line, SRV_INFO, "validate", &r, 1.0);
		j = json_loadb(line.buf, line.len, 0, NULL);
		CU_ASSERT_PTR_NOT_NULL(j);
		json_decref(j);
		sb_free(&line);
		admission_result_free(&r);
	}
}

static void test_admission_replay(void)
{
	struct err e;
	struct policy *p = policy_new(NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	default_policy = p;
	CU_ASSERT_TRUE(
		replay("tests/fuzz/regressions/admission", admission_one) >= 1);
	policy_free(p);
}

static void hba_one(const char *buf, size_t len)
{
	size_t pos = 0;
	struct hba_line l;
	while (hba_next_line(buf, len, &pos, &l))
		CU_ASSERT_TRUE(pos <= len);
}

static void test_hba_replay(void)
{
	CU_ASSERT_TRUE(replay("tests/fuzz/regressions/hba", hba_one) >= 1);
}

static CU_TestInfo tests[] = {
	{"admission fuzz inputs replay (valid UTF-8 JSON)",
	 test_admission_replay},
	{"hba fuzz inputs replay", test_hba_replay},
	{"connstr fuzz inputs replay", test_connstr_replay},
	{"URI after sslmode= is redacted", test_sslmode_value_hides_uri},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"regressions", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_regressions", suites);
}
