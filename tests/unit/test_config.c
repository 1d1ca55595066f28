/*
 * test_config.c — the settings engine (src/config/settings.c) on a small
 * table: flag > environment > default, empty environment = unset, ranges
 * and their messages, Ki/Mi/Gi, enums, env read elsewhere, argv errors,
 * --help / --help-table, and the rendered --help and docs rows.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/settings.h"
#include "unit.h"

struct conf {
	const char *name;
	unsigned n;
	long long big;
	long long bytes;
	int level;
	long long elsewhere;
};

static const char *const levels[] = {"low", "high", NULL};

#define F(x) offsetof(struct conf, x)
static const struct setting table[] = {
	{"name", "S", "TCFG_NAME", SET_STR, 0, "name", 0, 0, NULL, "dflt",
	 F(name), "(a name)", "`dflt`"},
	{"n", "N", "TCFG_N", SET_UINT, 0, "the n", 1, 10, NULL, "5", F(n),
	 "(1..10)", "5"},
	{"big", "N", NULL, SET_LL, 0, "--big", 0, 1LL << 40, NULL, NULL, F(big),
	 "(flag only)", "none"},
	{"bytes", "B", "TCFG_BYTES", SET_BYTES, 0, "bytes", 1024, 1LL << 30,
	 NULL, NULL, F(bytes), "(Ki, Mi, Gi)", "`1Mi`"},
	{NULL, NULL, "TCFG_LEVEL", SET_ENUM, 0, "TCFG_LEVEL", 0, 0, levels,
	 NULL, F(level), "low|high", "`low`"},
	{"elsewhere", "N", "TCFG_ELSEWHERE", SET_LL, SETF_ENV_ELSEWHERE,
	 "--elsewhere", 0, 100, NULL, NULL, F(elsewhere), "(env read elsewhere)",
	 "7"},
	{NULL, NULL, "TCFG_DOC", SET_DOC, 0, NULL, 0, 0, NULL, NULL, 0,
	 "documented only", "see there"},
};
#define N (sizeof(table) / sizeof(table[0]))

static void clear_env(void)
{
	unsetenv("TCFG_NAME");
	unsetenv("TCFG_N");
	unsetenv("TCFG_BYTES");
	unsetenv("TCFG_LEVEL");
	unsetenv("TCFG_ELSEWHERE");
}

/* parse argv (NULL-terminated, after the program name) and resolve */
static int run(const char *const *args, struct conf *c, struct err *e)
{
	char *argv[16] = {"prog"};
	int argc = 1;
	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	const char *vals[SETTINGS_MAX];
	memset(c, 0, sizeof(*c));
	err_clear(e);
	int rc = settings_parse_argv(table, N, argc, argv, vals, e);
	if (rc != SETTINGS_OK)
		return rc;
	return settings_resolve(table, N, vals, c, e);
}

static void test_precedence(void)
{
	struct conf c;
	struct err e;
	clear_env();
	const char *none[] = {NULL};
	CU_ASSERT_EQUAL(run(none, &c, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "dflt");
	CU_ASSERT_EQUAL(c.n, 5);
	CU_ASSERT_EQUAL(c.bytes, 0); /* no default: untouched */
	CU_ASSERT_EQUAL(c.level, -1); /* enum unset */
	setenv("TCFG_NAME", "env", 1);
	setenv("TCFG_N", "7", 1);
	CU_ASSERT_EQUAL(run(none, &c, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "env");
	CU_ASSERT_EQUAL(c.n, 7);
	const char *flags[] = {"--name", "flag", "--n", "9", NULL};
	CU_ASSERT_EQUAL(run(flags, &c, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "flag");
	CU_ASSERT_EQUAL(c.n, 9);
	/* an empty variable is unset; an empty flag is a value */
	setenv("TCFG_NAME", "", 1);
	CU_ASSERT_EQUAL(run(none, &c, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "dflt");
	const char *empty[] = {"--name", "", NULL};
	CU_ASSERT_EQUAL(run(empty, &c, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "");
	/* a variable read elsewhere is not read here */
	setenv("TCFG_ELSEWHERE", "3", 1);
	CU_ASSERT_EQUAL(run(none, &c, &e), 0);
	CU_ASSERT_EQUAL(c.elsewhere, 0);
	const char *el[] = {"--elsewhere", "4", NULL};
	CU_ASSERT_EQUAL(run(el, &c, &e), 0);
	CU_ASSERT_EQUAL(c.elsewhere, 4);
	clear_env();
}

static void test_values(void)
{
	struct conf c;
	struct err e;
	clear_env();
	const char *lo[] = {"--n", "0", NULL};
	CU_ASSERT_EQUAL(run(lo, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "the n: expected a number between 1 and "
				      "10, got '0'");
	const char *junk[] = {"--n", "3x", NULL};
	CU_ASSERT_EQUAL(run(junk, &c, &e), -1);
	const char *empty[] = {"--n", "", NULL};
	CU_ASSERT_EQUAL(run(empty, &c, &e), -1);
	setenv("TCFG_N", "11", 1);
	const char *none[] = {NULL};
	CU_ASSERT_EQUAL(run(none, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "the n: expected a number between 1 and "
				      "10, got '11'");
	clear_env();
	const char *big[] = {"--big", "1099511627776", NULL};
	CU_ASSERT_EQUAL(run(big, &c, &e), 0);
	CU_ASSERT_EQUAL(c.big, 1LL << 40);
	const char *mi[] = {"--bytes", "3Mi", NULL};
	CU_ASSERT_EQUAL(run(mi, &c, &e), 0);
	CU_ASSERT_EQUAL(c.bytes, 3LL << 20);
	const char *ki[] = {"--bytes", "1Ki", NULL};
	CU_ASSERT_EQUAL(run(ki, &c, &e), 0);
	CU_ASSERT_EQUAL(c.bytes, 1024);
	const char *small[] = {"--bytes", "1000", NULL};
	CU_ASSERT_EQUAL(run(small, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "bytes: expected 1024 to 1073741824 "
				      "bytes, got 1000");
	const char *gi[] = {"--bytes", "2Gi", NULL};
	CU_ASSERT_EQUAL(run(gi, &c, &e), -1);
	setenv("TCFG_LEVEL", "high", 1);
	CU_ASSERT_EQUAL(run(none, &c, &e), 0);
	CU_ASSERT_EQUAL(c.level, 1);
	setenv("TCFG_LEVEL", "mid", 1);
	CU_ASSERT_EQUAL(run(none, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "TCFG_LEVEL: expected low|high");
	clear_env();
}

static void test_argv(void)
{
	struct conf c;
	struct err e;
	const char *unk[] = {"--nope", NULL};
	CU_ASSERT_EQUAL(run(unk, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "unknown or incomplete option '--nope'");
	const char *miss[] = {"--n", NULL};
	CU_ASSERT_EQUAL(run(miss, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "unknown or incomplete option '--n'");
	const char *extra[] = {"stray", NULL};
	CU_ASSERT_EQUAL(run(extra, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "unexpected argument 'stray'");
	const char *h[] = {"-h", NULL};
	CU_ASSERT_EQUAL(run(h, &c, &e), SETTINGS_HELP);
	const char *help[] = {"--n", "3", "--help", NULL};
	CU_ASSERT_EQUAL(run(help, &c, &e), SETTINGS_HELP);
	const char *tab[] = {"--help-table", NULL};
	CU_ASSERT_EQUAL(run(tab, &c, &e), SETTINGS_HELP_TABLE);
}

static char *render(void (*fn)(FILE *, const struct setting *, size_t))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fn(f, table, N);
	fclose(f);
	return buf;
}

static void test_render(void)
{
	char *u = render(settings_usage);
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "  --name S                TCFG_NAME (a "
					 "name)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "\nOther environment:\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "  TCFG_LEVEL              low|high\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "TCFG_DOC"));
	free(u);
	char *d = render(settings_doc_table);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "| flag | environment | default |\n"
					 "|---|---|---|\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "| `--n N` | `TCFG_N` | 5 |\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "| | `TCFG_DOC` | see there |\n"));
	/* a flag without a variable has an empty environment column */
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "| `--big N` | | none |\n"));
	free(d);
}

static CU_TestInfo tests[] = {
	{"flag > environment > default", test_precedence},
	{"numbers, bytes, enums and their messages", test_values},
	{"argv errors and help", test_argv},
	{"--help lines and the docs table", test_render},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"config", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_config", suites);
}
