/*
 * test_config.c — the settings engine (src/config/settings.c) on a small
 * table: flag > environment > default, empty environment = unset, ranges
 * and their messages, Ki/Mi/Gi, enums, env read elsewhere, argv errors,
 * --help / --help-table, and the rendered --help and docs rows.
 */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdio.h>
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
	{.flag = "name",
	 .metavar = "S",
	 .env = "TCFG_NAME",
	 .type = SET_STR,
	 .label = "name",
	 .def = "dflt",
	 .off = F(name),
	 .help = "(a name)",
	 .doc_default = "`dflt`"},
	{.flag = "n",
	 .metavar = "N",
	 .env = "TCFG_N",
	 .type = SET_UINT,
	 .label = "the n",
	 .lo = 1,
	 .hi = 10,
	 .def = "5",
	 .off = F(n),
	 .help = "(1..10)",
	 .doc_default = "5"},
	{.flag = "big",
	 .metavar = "N",
	 .type = SET_LL,
	 .label = "--big",
	 .lo = 0,
	 .hi = 1LL << 40,
	 .off = F(big),
	 .help = "(flag only)",
	 .doc_default = "none"},
	{.flag = "bytes",
	 .metavar = "B",
	 .env = "TCFG_BYTES",
	 .type = SET_BYTES,
	 .label = "bytes",
	 .lo = 1024,
	 .hi = 1LL << 30,
	 .off = F(bytes),
	 .help = "(Ki, Mi, Gi)",
	 .doc_default = "`1Mi`"},
	{.env = "TCFG_LEVEL",
	 .type = SET_ENUM,
	 .label = "TCFG_LEVEL",
	 .choices = levels,
	 .off = F(level),
	 .help = "low|high",
	 .doc_default = "`low`"},
	{.flag = "elsewhere",
	 .metavar = "N",
	 .env = "TCFG_ELSEWHERE",
	 .type = SET_LL,
	 .flags = SETF_ENV_ELSEWHERE,
	 .label = "--elsewhere",
	 .lo = 0,
	 .hi = 100,
	 .off = F(elsewhere),
	 .help = "(env read elsewhere)",
	 .doc_default = "7"},
	{.env = "TCFG_DOC",
	 .type = SET_DOC,
	 .help = "documented only",
	 .doc_default = "see there"},
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
	int rc = settings_parse_argv(table, N, argc, argv, vals, NULL, NULL, e);
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
	CU_ASSERT_EQUAL(c.bytes, 0);  /* no default: untouched */
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
	CU_ASSERT_STRING_EQUAL(e.msg, "unknown option '--nope'");
	const char *miss[] = {"--n", NULL};
	CU_ASSERT_EQUAL(run(miss, &c, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "--n needs an argument");
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

/* Flags without argument, repeatable flags with a short option, a row's
 * own parser, and positional arguments handed back. */
struct conf2 {
	bool on;
	struct setting_list files;
	int parity;
};

static int parse_parity(const char *v, void *field, struct err *err)
{
	if (strcmp(v, "odd") && strcmp(v, "even"))
		return err_set(err, "--parity: expected odd or even, got '%s'",
			       v);
	*(int *)field = strcmp(v, "odd") == 0;
	return 0;
}

static const struct setting table2[] = {
	{.flag = "on",
	 .env = "TCFG_ON",
	 .type = SET_BOOL,
	 .label = "TCFG_ON",
	 .off = offsetof(struct conf2, on),
	 .help = "(a switch)"},
	{.flag = "file",
	 .shortopt = 'f',
	 .metavar = "PATH",
	 .type = SET_LIST,
	 .label = "-f",
	 .off = offsetof(struct conf2, files),
	 .help = "(repeatable)"},
	{.flag = "parity",
	 .metavar = "P",
	 .type = SET_FN,
	 .label = "--parity",
	 .def = "even",
	 .off = offsetof(struct conf2, parity),
	 .parse = parse_parity,
	 .help = "(odd or even)"},
};
#define N2 (sizeof(table2) / sizeof(table2[0]))

static int run2(const char *const *args, struct conf2 *c, const char **v,
		int *argi, struct err *e)
{
	char *argv[16] = {"prog"};
	int argc = 1;
	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	const char *vals[SETTINGS_MAX];
	memset(c, 0, sizeof(*c));
	c->files = (struct setting_list){v, 0, 2};
	err_clear(e);
	int rc = settings_parse_argv(table2, N2, argc, argv, vals, c, argi, e);
	if (rc != SETTINGS_OK)
		return rc;
	return settings_resolve(table2, N2, vals, c, e);
}

static void test_kinds(void)
{
	struct conf2 c;
	struct err e;
	const char *v[2];
	int argi = 0;
	unsetenv("TCFG_ON");
	const char *none[] = {NULL};
	CU_ASSERT_EQUAL(run2(none, &c, v, &argi, &e), 0);
	CU_ASSERT_FALSE(c.on);
	CU_ASSERT_EQUAL(c.parity, 0);
	CU_ASSERT_EQUAL(c.files.n, 0);
	const char *all[] = {"-f",  "a", "--on", "--file=b", "--parity",
			     "odd", "x", "y",    NULL};
	CU_ASSERT_EQUAL(run2(all, &c, v, &argi, &e), 0);
	CU_ASSERT_TRUE(c.on);
	CU_ASSERT_EQUAL(c.parity, 1);
	CU_ASSERT_EQUAL_FATAL(c.files.n, 2);
	CU_ASSERT_STRING_EQUAL(v[0], "a");
	CU_ASSERT_STRING_EQUAL(v[1], "b");
	CU_ASSERT_EQUAL(argi, 7); /* "x" */
	const char *three[] = {"-f", "a", "-f", "b", "-f", "c", NULL};
	CU_ASSERT_EQUAL(run2(three, &c, v, &argi, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "too many --file (max 2)");
	const char *bad[] = {"--parity", "3", NULL};
	CU_ASSERT_EQUAL(run2(bad, &c, v, &argi, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "--parity: expected odd or even, got '3'");
	const char *miss[] = {"-f", NULL};
	CU_ASSERT_EQUAL(run2(miss, &c, v, &argi, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "-f needs an argument");
	setenv("TCFG_ON", "yes", 1);
	CU_ASSERT_EQUAL(run2(none, &c, v, &argi, &e), 0);
	CU_ASSERT_TRUE(c.on);
	setenv("TCFG_ON", "maybe", 1);
	CU_ASSERT_EQUAL(run2(none, &c, v, &argi, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "TCFG_ON: expected 1|true|yes|on or "
				      "0|false|no|off, got 'maybe'");
	unsetenv("TCFG_ON");
	char *u = NULL;
	size_t ul = 0;
	FILE *f = open_memstream(&u, &ul);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	settings_usage(f, table2, N2);
	settings_doc_table(f, table2, N2);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "  -f, --file PATH       "));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "| `--on` | `TCFG_ON` |"));
	free(u);
}

static void test_render(void)
{
	char *u = render(settings_usage);
	CU_ASSERT_PTR_NOT_NULL(strstr(u,
				      "  --name S                TCFG_NAME (a "
				      "name)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "\nOther environment:\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(u, "  TCFG_LEVEL              low|high\n"));
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
	{"switches, lists, short options, parsers, positionals", test_kinds},
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
