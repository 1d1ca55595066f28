/* test_hba_text.c — pg_hba.conf lines from text (hba.h): fields, quotes,
 * comments, separate netmasks, continuations, includes, bad lines. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "pgadmit/hba.h"
#include "pgadmit/probe.h"
#include "unit.h"

static void test_lines(void)
{
	const char *t =
		"# TYPE DATABASE USER ADDRESS METHOD\n"
		"\n"
		"local   all  postgres                 peer\n"
		"host    all  all  0.0.0.0/0           trust   # wide open\n"
		"hostssl app  \"app user\" 10.0.0.0 255.0.0.0 scram-sha-256\n"
		"host    all  all  \"all\"  md5\n"
		"host    db1,db2 all \\\n"
		"        ::1/128 trust\n"
		"include_if_exists extra.conf\n"
		"hostx   all  all  0.0.0.0/0 trust\n"
		"host    all\n";
	size_t pos = 0, len = strlen(t);
	struct hba_line l;
	enum hba_type want[] = {HBA_NONE, HBA_NONE, HBA_LOCAL, HBA_HOST,
				HBA_HOST, HBA_HOST, HBA_HOST,  HBA_INCLUDE,
				HBA_BAD,  HBA_BAD};
	size_t n = 0;
	while (hba_next_line(t, len, &pos, &l)) {
		CU_ASSERT_FATAL(n < sizeof(want) / sizeof(*want));
		CU_ASSERT_EQUAL(l.type, want[n]);
		if (n == 2)
			CU_ASSERT_STRING_EQUAL(l.method, "peer");
		if (n == 3) {
			CU_ASSERT_STRING_EQUAL(l.address, "0.0.0.0/0");
			CU_ASSERT_STRING_EQUAL(l.method, "trust");
			CU_ASSERT_EQUAL(probe_hba_classify(l.address, NULL),
					HBA_ADDR_ALL);
		}
		if (n == 4) {
			CU_ASSERT_STRING_EQUAL(l.user, "app user");
			CU_ASSERT_STRING_EQUAL(l.address, "10.0.0.0");
			CU_ASSERT_STRING_EQUAL(l.netmask, "255.0.0.0");
			CU_ASSERT_STRING_EQUAL(l.method, "scram-sha-256");
			CU_ASSERT_EQUAL(probe_hba_classify(l.address,
							   l.netmask),
					HBA_ADDR_NET);
		}
		if (n == 5) {
			CU_ASSERT_TRUE(l.address_quoted);
			CU_ASSERT_STRING_EQUAL(l.method, "md5");
		}
		if (n == 6) {
			CU_ASSERT_STRING_EQUAL(l.database, "db1,db2");
			CU_ASSERT_STRING_EQUAL(l.address, "::1/128");
			CU_ASSERT_STRING_EQUAL(l.method, "trust");
			CU_ASSERT_EQUAL(probe_hba_classify(l.address, NULL),
					HBA_ADDR_LOCAL);
		}
		n++;
	}
	CU_ASSERT_EQUAL(n, sizeof(want) / sizeof(*want));
}

/* Found by fuzz_hba: a backslash as the very last byte read one past the
 * end (tests/fuzz/regressions/hba/backslash-at-end). */
static void test_backslash_at_end(void)
{
	static const char t[] = {'h', 'o', 's', 't', ' ', '\\'};
	size_t pos = 0;
	struct hba_line l;
	CU_ASSERT_TRUE(hba_next_line(t, sizeof(t), &pos, &l));
	CU_ASSERT_EQUAL(l.type, HBA_BAD);
	CU_ASSERT_EQUAL(pos, sizeof(t));
	CU_ASSERT_FALSE(hba_next_line(t, sizeof(t), &pos, &l));
}

static CU_TestInfo tests[] = {
	{"lines", test_lines},
	{"backslash at the end of the text", test_backslash_at_end},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"hba_text", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_hba_text", suites);
}
