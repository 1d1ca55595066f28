/*
 * test_err.c — errors with a kind (src/base/err.c): the kind each setter
 * gives, err_prefix keeping it, err_clear, truncation of long messages,
 * errno values to kinds; and
 * the kinds src/kube gives HTTP statuses (kube_status_kind), which certgen
 * and audit callers branch on.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <string.h>

#include "pgadmit/err.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"
#include "unit.h"

static void test_setters(void)
{
	struct err e = {0};
	CU_ASSERT_EQUAL(e.kind, ERR_NONE);
	CU_ASSERT_EQUAL(err_set(&e, "bad %s", "x"), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "bad x");
	CU_ASSERT_EQUAL(e.kind, ERR_INVALID);
	CU_ASSERT_EQUAL(err_nomem(&e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "out of memory");
	CU_ASSERT_EQUAL(e.kind, ERR_NOMEM);
	CU_ASSERT_EQUAL(err_setk(&e, ERR_TIMEOUT, "no answer in %d ms", 5), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "no answer in 5 ms");
	CU_ASSERT_EQUAL(e.kind, ERR_TIMEOUT);
	CU_ASSERT_EQUAL(err_prefix(&e, "%s: ", "API"), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "API: no answer in 5 ms");
	CU_ASSERT_EQUAL(e.kind, ERR_TIMEOUT); /* context keeps the kind */
	CU_ASSERT_EQUAL(err_kind_set(&e, ERR_IO), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "API: no answer in 5 ms");
	CU_ASSERT_EQUAL(e.kind, ERR_IO);
	err_clear(&e);
	CU_ASSERT_STRING_EQUAL(e.msg, "");
	CU_ASSERT_EQUAL(e.kind, ERR_NONE);
	/* NULL is allowed everywhere */
	CU_ASSERT_EQUAL(err_set(NULL, "x"), -1);
	CU_ASSERT_EQUAL(err_setk(NULL, ERR_IO, "x"), -1);
	CU_ASSERT_EQUAL(err_nomem(NULL), -1);
	CU_ASSERT_EQUAL(err_prefix(NULL, "x"), -1);
	CU_ASSERT_EQUAL(err_kind_set(NULL, ERR_IO), -1);
	err_clear(NULL);
}

static void test_long(void)
{
	struct err e;
	char big[2 * ERR_MSG_MAX];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_setk(&e, ERR_DENIED, "%s", big);
	CU_ASSERT_EQUAL(strlen(e.msg), ERR_MSG_MAX - 1);
	CU_ASSERT_EQUAL(e.kind, ERR_DENIED);
	err_prefix(&e, "ctx: ");
	CU_ASSERT_EQUAL(strlen(e.msg), ERR_MSG_MAX - 1);
	CU_ASSERT_EQUAL(strncmp(e.msg, "ctx: aaa", 8), 0);
	CU_ASSERT_EQUAL(e.kind, ERR_DENIED);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_NONE), "none");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_INVALID), "invalid");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_NOMEM), "out of memory");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_IO), "i/o");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_UNAVAILABLE), "unavailable");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_TIMEOUT), "timeout");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_NOTFOUND), "not found");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_DENIED), "denied");
	CU_ASSERT_STRING_EQUAL(err_kind_name(ERR_CONFLICT), "conflict");
}

static void test_http_kinds(void)
{
	static const struct {
		long code;
		enum err_kind kind;
	} cases[] = {
		{400, ERR_INVALID},     {401, ERR_DENIED},
		{403, ERR_DENIED},      {404, ERR_NOTFOUND},
		{408, ERR_TIMEOUT},     {409, ERR_CONFLICT},
		{410, ERR_CONFLICT},    {413, ERR_INVALID},
		{422, ERR_INVALID},     {429, ERR_UNAVAILABLE},
		{500, ERR_UNAVAILABLE}, {503, ERR_UNAVAILABLE},
		{504, ERR_TIMEOUT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(kube_status_kind(cases[i].code), cases[i].kind);
}

static void test_errno_kinds(void)
{
	CU_ASSERT_EQUAL(err_kind_errno(ENOENT), ERR_NOTFOUND);
	CU_ASSERT_EQUAL(err_kind_errno(ENOTDIR), ERR_NOTFOUND);
	CU_ASSERT_EQUAL(err_kind_errno(EACCES), ERR_DENIED);
	CU_ASSERT_EQUAL(err_kind_errno(EPERM), ERR_DENIED);
	CU_ASSERT_EQUAL(err_kind_errno(EROFS), ERR_DENIED);
	CU_ASSERT_EQUAL(err_kind_errno(EEXIST), ERR_CONFLICT);
	CU_ASSERT_EQUAL(err_kind_errno(ENOMEM), ERR_NOMEM);
	CU_ASSERT_EQUAL(err_kind_errno(EIO), ERR_IO);
	CU_ASSERT_EQUAL(err_kind_errno(ENOSPC), ERR_IO);
	/* a caller sees it: a policy file that is not there */
	struct err e = {0};
	CU_ASSERT_PTR_NULL(policy_new("/nonexistent/policy.yaml", &e));
	CU_ASSERT_EQUAL(e.kind, ERR_NOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/policy.yaml"));
}

static CU_TestInfo tests[] = {
	{"each setter's kind, prefix keeps it, clear", test_setters},
	{"long messages are cut, kind kept", test_long},
	{"kind names", test_names},
	{"HTTP statuses to kinds (src/kube)", test_http_kinds},
	{"errno to kinds", test_errno_kinds},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"err", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_err", suites);
}
