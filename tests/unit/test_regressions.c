/* test_regressions.c — inputs found by the fuzzers (tests/fuzz/regressions)
 * replayed through the same entry points, plus the exact properties that
 * failed, so `make test` (and `make asan`) keep them fixed. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"
#include "unit.h"

#define REG_DIR "tests/fuzz/regressions/connstr"

static void test_connstr_replay(void)
{
	DIR *d = opendir(REG_DIR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", REG_DIR, de->d_name);
		size_t len;
		char *buf = unit_read_file(path, &len);
		CU_ASSERT_PTR_NOT_NULL(buf);
		if (!buf)
			continue;
		struct connstr_scan sc;
		connstr_scan(buf, &sc);
		free(connstr_redact(buf));
		free(connstr_redact_quote(buf, 80));
		free(buf);
		n++;
	}
	closedir(d);
	CU_ASSERT_TRUE(n >= 1);
}

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

static CU_TestInfo tests[] = {
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
