/*
 * test_shellref.c — rules.md "Shell reference" as a table over the class.
 *
 * Every password word below is put into every context where a password
 * stands in a command line or a ConfigMap script (PGPASSWORD=, export,
 * env, a script line, after a here-string, a libpq string, a URI userinfo,
 * a Compose/env value on its own), and the scanner and redactor must agree
 * with the contract:
 *   - a reference (parameter expansion, command substitution, quoted or
 *     not, Compose escapes) is no password and nothing is masked;
 *   - a literal default (${PW:-<literal>} and the other value operators)
 *     is a password: the scan reports it and the redacted text keeps the
 *     reference around it but never the literal;
 *   - a plain literal is a password and is masked.
 * A word is tried in a context only when it can stand there unchanged
 * (no '"' inside a double-quoted libpq string, no blank or '/' in a URI).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"
#include "unit.h"

#define MARK "Zq7lit" /* the literal in the literal cases */

static const char *const refs[] = {
	"$PW",
	"\"$PW\"",
	"${PW}",
	"\"${PW}\"",
	"${PGPASSWORD:-$(< \"$PGPASSWORD_FILE\")}",
	"\"${PGPASSWORD:-$(< \"$PGPASSWORD_FILE\")}\"",
	"$(cat /run/secrets/pw)",
	"\"$(cat /run/secrets/pw)\"",
	"\"$(cat \"$PW_FILE\")\"",
	"`cat /run/secrets/pw`",
	"$(< /run/secrets/pw)",
	"$(cat <<< \"$SECRET\")",
	"${PW:+$PW}",
	"${PW-$OTHER}",
	"${PW:=$OTHER}",
	"${PW:?required}",
	"${PW?}",
	"${PW#prefix}",
	"${PW%%.*}",
	"${PW/a/b}",
	"${PW:0:8}",
	"${#PW}",
	"${!NAME}",
	"${PW:-}",
	"\"${PW:-\"\"}\"",
	"$1",
	"\"$@\"",
	"$PW$OTHER",
	"\"$PW\"\"$X\"",
	"$${PW}",
	"$$PW",
	"$(PW)",
	"$(cat '/x y')",
	"${PW:-$(cat '/run/secrets/pw')}",
	"\"${A:-${B:-$C}}\"",
};

/* %s is the literal MARK */
static const char *const defaults[] = {
	"${PW:-%s}",          "\"${PW:-%s}\"", "${PW-%s}",
	"${PW:=%s}",          "${PW=%s}",      "${PW:+%s}",
	"${PW+%s}",           "${PW:-\"%s\"}", "${PW:-'%s'}",
	"\"${A:-${B:-%s}}\"", "${PW:-x%s$Y}",  "${PW:-%s$(cat /f)}",
};

static const char *const literals[] = {
	"%s",      "\"%s\"", "'%s'", "\"$PW\"%s",    "%s$PW",
	"'$PW'%s", "$'%s'",  "\\%s", "\"${PW}-%s\"",
};

/* where a password word stands; %s is the word */
static const struct ctx {
	const char *fmt;
	bool no_dquote; /* inside "…": the word may not hold '"' */
	bool uri;       /* a URI userinfo: no blank, '/', '@', '?', '#' */
} ctxs[] = {
	{"PGPASSWORD=%s psql -h db -c 'select 1'", false, false},
	{"export PGPASSWORD=%s; pg_dumpall -h db --clean", false, false},
	{"env PGPASSWORD=%s pg_dump -h db app", false, false},
	{"#!/bin/sh\nset -e\nPGPASSWORD=%s psql -w -h 127.0.0.1 -c \"SELECT 1\"\n",
	 false, false},
	{"psql -h db <<< 'select 1'\nPGPASSWORD=%s pg_isready -h db", false,
	 false},
	{"sh -c 'PGPASSWORD=%s psql'", false, false},
	{"psql \"host=db user=app password=%s dbname=app\"", true, false},
	{"pg_dump 'host=db password=%s' > /backup/db.sql", false, false},
	{"psql postgresql://app:%s@db/app -c 'select 1'", false, true},
	{"DATABASE_URL=postgresql://app:%s@db:5432/app", false, true},
};

static bool fits(const struct ctx *c, const char *word)
{
	if (c->no_dquote && strchr(word, '"'))
		return false;
	/* libpq: a quoted value ends at its quote ('$PW'x is no value) */
	if (c->no_dquote && word[0] == '\'' && word[strlen(word) - 1] != '\'')
		return false;
	if (c->uri && strpbrk(word, " /@?#'\"`<>"))
		return false;
	/* inside '…' a word with its own single quote would close it */
	if (strstr(c->fmt, "'PGPASSWORD=%s") || strstr(c->fmt, "'host=db"))
		return !strchr(word, '\'');
	return true;
}

static int fails;

static void report(const char *what, const char *text, const char *red)
{
	if (fails++ < 20)
		fprintf(stderr, "\n  %s:\n    in:  %s\n    out: %s\n", what,
			text, red ? red : "(null)");
}

static void test_references(void)
{
	size_t tried = 0;
	for (size_t c = 0; c < sizeof(ctxs) / sizeof(*ctxs); c++)
		for (size_t r = 0; r < sizeof(refs) / sizeof(*refs); r++) {
			char text[512];
			if (!fits(&ctxs[c], refs[r]))
				continue;
			snprintf(text, sizeof(text), ctxs[c].fmt, refs[r]);
			struct connstr_scan sc;
			connstr_scan(text, &sc);
			char *red = connstr_redact(text);
			CU_ASSERT_PTR_NOT_NULL_FATAL(red);
			if (sc.has_password)
				report("reference judged a password", text,
				       red);
			if (strcmp(red, text) != 0)
				report("reference masked", text, red);
			CU_ASSERT_FALSE(sc.has_password);
			CU_ASSERT_STRING_EQUAL(red, text);
			free(red);
			tried++;
		}
	CU_ASSERT(tried >= 250);
	/* alone, as an env or Compose value */
	for (size_t r = 0; r < sizeof(refs) / sizeof(*refs); r++) {
		if (!connstr_is_reference(refs[r]))
			report("not a reference", refs[r], NULL);
		CU_ASSERT_TRUE(connstr_is_reference(refs[r]));
	}
}

/* fmt holds MARK (via %s); ctx puts the word in context. */
static void literal_case(const char *ctxfmt, const char *wordfmt, bool keep_ref)
{
	char word[128], text[512];
	snprintf(word, sizeof(word), wordfmt, MARK);
	snprintf(text, sizeof(text), ctxfmt, word);
	struct connstr_scan sc;
	connstr_scan(text, &sc);
	char *red = connstr_redact(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(red);
	if (!sc.has_password)
		report("literal not judged", text, red);
	if (strstr(red, MARK))
		report("literal not masked", text, red);
	CU_ASSERT_TRUE(sc.has_password);
	CU_ASSERT_PTR_NULL(strstr(red, MARK));
	if (keep_ref) {
		/* only the default is masked: "${PW:-" stays readable */
		const char *dollar = strchr(word, '$');
		const char *op = strstr(word, MARK);
		while (op > dollar && !strchr("-=+", op[-1]))
			op--;
		char head[64];
		snprintf(head, sizeof(head), "%.*s", (int)(op - dollar),
			 dollar);
		if (!strstr(red, head))
			report("reference around the default lost", text, red);
		CU_ASSERT_PTR_NOT_NULL(strstr(red, head));
	}
	free(red);
}

static void test_literal_defaults(void)
{
	size_t tried = 0;
	for (size_t c = 0; c < sizeof(ctxs) / sizeof(*ctxs); c++)
		for (size_t d = 0; d < sizeof(defaults) / sizeof(*defaults);
		     d++) {
			char word[128];
			snprintf(word, sizeof(word), defaults[d], MARK);
			if (!fits(&ctxs[c], word))
				continue;
			literal_case(ctxs[c].fmt, defaults[d], true);
			tried++;
		}
	CU_ASSERT(tried >= 60);
	for (size_t d = 0; d < sizeof(defaults) / sizeof(*defaults); d++) {
		char word[128];
		snprintf(word, sizeof(word), defaults[d], MARK);
		CU_ASSERT_FALSE(connstr_is_reference(word));
		CU_ASSERT_TRUE(connstr_is_literal_default(word));
	}
	for (size_t r = 0; r < sizeof(refs) / sizeof(*refs); r++)
		CU_ASSERT_FALSE(connstr_is_literal_default(refs[r]));
	for (size_t l = 0; l < sizeof(literals) / sizeof(*literals); l++) {
		char word[128];
		snprintf(word, sizeof(word), literals[l], MARK);
		CU_ASSERT_FALSE(connstr_is_literal_default(word));
	}
	CU_ASSERT_FALSE(connstr_is_literal_default(NULL));
}

static void test_literals(void)
{
	size_t tried = 0;
	for (size_t c = 0; c < sizeof(ctxs) / sizeof(*ctxs); c++)
		for (size_t l = 0; l < sizeof(literals) / sizeof(*literals);
		     l++) {
			char word[128];
			snprintf(word, sizeof(word), literals[l], MARK);
			if (!fits(&ctxs[c], word))
				continue;
			literal_case(ctxs[c].fmt, literals[l], false);
			tried++;
		}
	CU_ASSERT(tried >= 50);
}

/* The two false denials of issue 14, as the charts ship them. */
static void test_issue_cases(void)
{
	const char *quiet[] = {
		"PGPASSWORD=\"${PGPASSWORD:-$(< \"$PGPASSWORD_FILE\")}\" "
		"pg_dumpall --clean --if-exists --load-via-pg-catalog "
		"--quote-all-identifiers --no-password "
		"--file=\"${PGDUMP_DIR}/pg_dumpall-$(date '+%Y-%m-%d-%H-%M').pgdump\"",
		"#!/bin/bash\nset -o errexit\n"
		"PGPASSWORD=\"$POSTGRESQL_PASSWORD\" psql -w -U \"$POSTGRESQL_USERNAME\" "
		"-d \"$POSTGRESQL_DATABASE\" -h 127.0.0.1 -p \"$POSTGRESQL_PORT_NUMBER\" "
		"-c \"SELECT 1\"\n",
	};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(*quiet); i++) {
		struct connstr_scan sc;
		connstr_scan(quiet[i], &sc);
		CU_ASSERT_FALSE(sc.has_password);
		char *red = connstr_redact(quiet[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(red);
		CU_ASSERT_STRING_EQUAL(red, quiet[i]);
		free(red);
	}
	/* the literal default fires and only it is masked */
	const char *in =
		"PGPASSWORD=\"${PGPASSWORD:-hunter2}\" pg_dumpall -h db";
	struct connstr_scan sc;
	connstr_scan(in, &sc);
	CU_ASSERT_TRUE(sc.has_password);
	char *red = connstr_redact(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(red);
	CU_ASSERT_STRING_EQUAL(
		red, "PGPASSWORD=\"${PGPASSWORD:-****}\" pg_dumpall -h db");
	free(red);
}

/* Text that a reader could get lost in: unclosed groups are literal (and
 * masked), deep nesting is bounded, a later password is still found. */
static void test_edges(void)
{
	static const struct {
		const char *in, *out;
		bool pw;
	} cases[] = {
		{"PGPASSWORD=$(cat /x psql postgresql://u:pw1@h/db",
		 "PGPASSWORD=****(cat /x psql postgresql://u:****@h/db", true},
		{"PGPASSWORD=${X psql", "PGPASSWORD=**** psql", true},
		{"PGPASSWORD=$(echo postgresql://u:pw2@h/db) x",
		 "PGPASSWORD=$(echo postgresql://u:****@h/db) x", true},
		{"PGPASSWORD=$() x", "PGPASSWORD=****() x", true},
		{"PGPASSWORD=\"\" psql", "PGPASSWORD=\"\" psql", false},
		{"PGPASSWORD= psql", "PGPASSWORD= psql", false},
		{"sh -c \"PGPASSWORD=\\\"\\$PW\\\" psql\"",
		 "sh -c \"PGPASSWORD=\\\"\\$PW\\\" psql\"", false},
		{"password=$(cat /run/secrets/pw) user=x",
		 "password=$(cat /run/secrets/pw) user=x", false},
		{"PGPASSWORD=${A:-a}${B:-b} x",
		 "PGPASSWORD=${A:-****}${B:-****} x", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct connstr_scan sc;
		connstr_scan(cases[i].in, &sc);
		char *red = connstr_redact(cases[i].in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(red);
		if (strcmp(red, cases[i].out) || sc.has_password != cases[i].pw)
			report("edge", cases[i].in, red);
		CU_ASSERT_STRING_EQUAL(red, cases[i].out);
		CU_ASSERT_EQUAL(sc.has_password, cases[i].pw);
		free(red);
	}
	/* nesting deeper than the bound: the word counts as literal */
	char deep[2048] = "PGPASSWORD=";
	for (int d = 0; d < 40; d++)
		strcat(deep, "${A:-");
	strcat(deep, "$X");
	for (int d = 0; d < 40; d++)
		strcat(deep, "}");
	strcat(deep, " psql");
	struct connstr_scan sc;
	connstr_scan(deep, &sc);
	CU_ASSERT_TRUE(sc.has_password);
	/* many unclosed openers stay linear (SHELL_GROUP_MAX bounds each) */
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (size_t k = 0; k < n; k++)
		big[k] = "PGPASSWORD=$( "[k % 14];
	big[n] = '\0';
	char *red = connstr_redact(big);
	CU_ASSERT_PTR_NOT_NULL(red);
	free(red);
	for (size_t k = 0; k < n; k++) /* and unclosed backticks */
		big[k] = "password=` PGPASSWORD=` "[k % 25];
	red = connstr_redact(big);
	CU_ASSERT_PTR_NOT_NULL(red);
	free(red);
	free(big);
}

static CU_TestInfo tests[] = {
	{"references are no passwords", test_references},
	{"literal defaults are passwords, masked alone", test_literal_defaults},
	{"literals are passwords", test_literals},
	{"issue 14 cases", test_issue_cases},
	{"edges", test_edges},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"shellref", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_shellref", suites);
}
