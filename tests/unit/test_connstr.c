/* test_connstr.c — connection-string scanning, references, sslmode and the
 * redaction property (redacted text never contains the password). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"
#include "unit.h"

static bool pw(const char *s)
{
	struct connstr_scan sc;
	connstr_scan(s, &sc);
	return sc.has_password;
}

static bool ssl_off(const char *s)
{
	struct connstr_scan sc;
	connstr_scan(s, &sc);
	return sc.ssl_disabled;
}

static void test_passwords(void)
{
	const char *yes[] = {
		"postgresql://user:secret@db:5432/app",
		"postgres://user:secret@db/app",
		"postgresql+asyncpg://u:s3cr3t@db/app",
		"postgresql+psycopg2://u:s3cr3t@db/app?sslmode=require",
		"POSTGRESQL://u:x@h",
		"postgresql://db/app?user=u&password=hunter2",
		"postgresql://u@db/app?password=hunter2",
		"postgresql://u:p%40ss@[::1]:5432/app",
		"postgresql://u:pw@h1:5432,h2:5433,[fe80::1]:5434/app",
		"postgresql://u:p@ss@h/db",
		"postgresql://u:p?ss@h/db",
		"jdbc:postgresql://db:5432/app?user=u&password=hunter2",
		"jdbc:postgresql://db/app?password=x&ssl=true",
		"host=db user=app password=secret dbname=app",
		"host=db password = 'a b c' user=x",
		"password=secret",
		"psql postgresql://u:p@h/db -c 'select 1'",
		"sh -c \"pg_dump 'host=x password=y' > /backup/db.sql\"",
		"DATABASE_URL=postgresql://app:pw@db/app",
		"PGPASSWORD=topsecret psql -h db",
		"postgresql://u:$(PASS)x@h/db",
		"postgresql://u:pre${PASS}@h/db",
		/* a literal default ships in the text (rules.md "Shell
		 * reference") */
		"postgresql://u:${DB_PASSWORD:-changeme}@db/app",
		"PGPASSWORD=${PGPASSWORD:-hunter2} psql",
	};
	const char *no[] = {
		"",
		"postgresql://user@db/app",
		"postgresql://user:@db/app",
		"postgresql://db:5432/app",
		"postgresql://[::1]:5432/app?sslmode=require",
		"postgresql://u:$(DB_PASSWORD)@db/app",
		"postgresql://u:${DB_PASSWORD}@db/app",
		"postgresql://u:$DB_PASSWORD@db/app",
		"postgresql://u:${DB_PASSWORD:-}@db/app",
		"postgresql://db/app?password=",
		"postgresql://db/app?password=$(PW)",
		"jdbc:postgresql://db/app?user=u",
		"host=db user=app dbname=app",
		"host=db password= user=x",
		"host=db password=$(PGPASS)",
		"host=db password='${PGPASS}'",
		"mysql://u:secret@db/app",
		"http://u:secret@example/",
		"mypostgresql://u:secret@db/app",
		"the password is strong",
		"nopassword=abc",
		"PGPASSWORD=$(SECRET) psql",
		"echo postgres",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!pw(yes[i]))
			fprintf(stderr, "expected password: %s\n", yes[i]);
		CU_ASSERT_TRUE(pw(yes[i]));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
		if (pw(no[i]))
			fprintf(stderr, "unexpected password: %s\n", no[i]);
		CU_ASSERT_FALSE(pw(no[i]));
	}
	CU_ASSERT_FALSE(pw(NULL));
}

static void test_references(void)
{
	CU_ASSERT_TRUE(connstr_is_reference("$(VAR)"));
	CU_ASSERT_TRUE(connstr_is_reference("${VAR}"));
	CU_ASSERT_TRUE(connstr_is_reference("$VAR"));
	CU_ASSERT_FALSE(
		connstr_is_reference("${VAR:-x}")); /* literal default */
	CU_ASSERT_TRUE(connstr_is_reference("${VAR:-$(cat /f)}"));
	CU_ASSERT_TRUE(connstr_is_reference("${VAR:-}"));
	CU_ASSERT_TRUE(connstr_is_reference("${VAR:?required}"));
	CU_ASSERT_TRUE(connstr_is_reference("$(A)$(B)"));
	CU_ASSERT_FALSE(connstr_is_reference(""));
	CU_ASSERT_FALSE(connstr_is_reference(NULL));
	CU_ASSERT_FALSE(connstr_is_reference("$"));
	CU_ASSERT_FALSE(connstr_is_reference("$()"));
	CU_ASSERT_FALSE(connstr_is_reference("$(VAR"));
	CU_ASSERT_FALSE(connstr_is_reference("${VAR"));
	CU_ASSERT_FALSE(connstr_is_reference("x$(VAR)"));
	CU_ASSERT_FALSE(connstr_is_reference("$(VAR)x"));
	CU_ASSERT_FALSE(connstr_is_reference("$$(VAR)"));
	CU_ASSERT_FALSE(connstr_is_reference("$1abc"));
	CU_ASSERT_FALSE(connstr_is_reference("secret"));
}

static void test_sslmode(void)
{
	const char *yes[] = {
		"postgresql://u@db/app?sslmode=disable",
		"postgresql://db/app?application_name=x&sslmode=allow",
		"postgresql://db/app?sslmode=%64isable",
		"host=db sslmode=disable",
		"host=db sslmode='allow'",
		"psql \"host=db sslmode=disable\"",
		"jdbc:postgresql://db/app?ssl=false",
		"jdbc:postgresql://db/app?sslmode=disable",
		"postgresql+psycopg://u@db/app?sslmode=disable",
	};
	const char *no[] = {
		"postgresql://u@db/app?sslmode=require",
		"postgresql://u@db/app?sslmode=verify-full",
		"host=db sslmode=prefer",
		"host=db sslmode=verify-ca",
		"jdbc:postgresql://db/app?ssl=true",
		"postgresql://db/app?ssl=false", /* ssl= is JDBC only */
		"disable",
		"mysql://db/app?sslmode=disable",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!ssl_off(yes[i]))
			fprintf(stderr, "expected ssl off: %s\n", yes[i]);
		CU_ASSERT_TRUE(ssl_off(yes[i]));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
		if (ssl_off(no[i]))
			fprintf(stderr, "unexpected ssl off: %s\n", no[i]);
		CU_ASSERT_FALSE(ssl_off(no[i]));
	}
	struct connstr_scan sc;
	connstr_scan("jdbc:postgresql://db/app?ssl=false", &sc);
	CU_ASSERT_STRING_EQUAL(sc.ssl_setting, "ssl=false");
	connstr_scan("host=db sslmode=allow", &sc);
	CU_ASSERT_STRING_EQUAL(sc.ssl_setting, "sslmode=allow");
}

static void expect_redact(const char *in, const char *want)
{
	char *r = connstr_redact(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	if (strcmp(r, want) != 0)
		fprintf(stderr, "redact(%s) = %s, want %s\n", in, r, want);
	CU_ASSERT_STRING_EQUAL(r, want);
	free(r);
}

static void test_redact_exact(void)
{
	expect_redact("postgresql://user:secret@db:5432/app",
		      "postgresql://user:****@db:5432/app");
	expect_redact("postgresql://db/app?user=u&password=hunter2&x=1",
		      "postgresql://db/app?user=u&password=****&x=1");
	expect_redact("jdbc:postgresql://db/app?password=hunter2",
		      "jdbc:postgresql://db/app?password=****");
	expect_redact("host=db password='a b' user=x",
		      "host=db password='****' user=x");
	expect_redact("sh -c \"pg_dump 'host=x password=y'\"",
		      "sh -c \"pg_dump 'host=x password=****'\"");
	expect_redact("postgresql://u:${PW}@db/app",
		      "postgresql://u:${PW}@db/app");
	expect_redact("postgresql://u:@db/app", "postgresql://u:@db/app");
	expect_redact("no secrets here", "no secrets here");
	expect_redact("", "");
	expect_redact("PGPASSWORD=abc psql", "PGPASSWORD=**** psql");
	expect_redact("a postgresql://u:p1@h b postgres://v:p2@h",
		      "a postgresql://u:****@h b postgres://v:****@h");
	char *q = connstr_redact_quote("postgresql://user:secret@db:5432/"
				       "a-very-long-database-name-indeed",
				       30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(strlen(q), 30);
	CU_ASSERT_PTR_NULL(strstr(q, "secret"));
	CU_ASSERT_PTR_NOT_NULL(strstr(q, "..."));
	free(q);
	q = connstr_redact_quote("a\nb postgresql://u:s@h", 100);
	CU_ASSERT_STRING_EQUAL(q, "a b postgresql://u:****@h");
	free(q);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Property: for many shapes × many passwords, the redacted text does not
 * contain the password and the scan reports it. */
static void test_redact_property(void)
{
	const char *shapes[] = {
		"postgresql://app:%s@db:5432/app",
		"postgres://app:%s@db/app?sslmode=require",
		"postgresql+asyncpg://app:%s@[::1]:5432/app",
		"postgresql://app:%s@h1,h2:5433/app",
		"postgresql://db/app?user=app&password=%s",
		"postgresql://db/app?password=%s&sslmode=disable",
		"jdbc:postgresql://db:5432/app?user=app&password=%s",
		"host=db user=app password=%s dbname=app",
		"host=db password='%s'",
		"psql postgresql://u:%s@h/db -c 'select 1'",
		"sh -c \"pg_dump 'host=x password=%s' > /b\"",
		"[\"psql\", \"postgresql://u:%s@h/db\"]",
		"export DATABASE_URL=postgresql://u:%s@h/db; run",
		"PGPASSWORD=%s pg_dump -h db",
		"url: 'postgresql://u:%s@h/db'",
	};
	const char *pws[] = {
		"secret",
		"s3cr3t-P4ss",
		"p%40ss%21word",
		"Tr0ub4dor&3",
		"a.b_c~d",
		"0123456789",
		"pässwörd",
		"x",
		"p@ss@word",
		"pa:ss",
		"CorrectHorseBatteryStaple",
	};
	char in[512];
	for (size_t s = 0; s < sizeof(shapes) / sizeof(*shapes); s++) {
		for (size_t p = 0; p < sizeof(pws) / sizeof(*pws); p++) {
			const char *pwd = pws[p];
			/* & cannot be literal inside a URI query/kv shape we
			 * don't know to be quoted; ':' and '@' only where the
			 * grammar allows them */
			if (strchr(pwd, '&') && strstr(shapes[s], "?"))
				continue;
			if ((strchr(pwd, ':') || strchr(pwd, '@')) &&
			    strstr(shapes[s], "password=%s&"))
				continue;
			snprintf(in, sizeof(in), shapes[s], pwd);
			char *r = connstr_redact(in);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r);
			/* the password may occur in the template itself
			 * ("x" in "export"): count beyond those */
			char tmpl[512];
			snprintf(tmpl, sizeof(tmpl), shapes[s], "");
			bool leak = count(r, pwd) > count(tmpl, pwd);
			if (leak || !pw(in))
				fprintf(stderr, "shape %zu pw %s: %s -> %s\n",
					s, pwd, in, r);
			CU_ASSERT_FALSE(leak);
			CU_ASSERT_TRUE(pw(in));
			CU_ASSERT_PTR_NOT_NULL(strstr(r, "****"));
			free(r);
		}
	}
}

/* The same property over generated passwords (fixed seed: reproducible). */
static void test_redact_random(void)
{
	const char *shapes[] = {
		"postgresql://app:%s@db:5432/app",
		"postgresql+psycopg://app:%s@[2001:db8::1]:5432,h2/app",
		"postgresql://db/app?password=%s",
		"jdbc:postgresql://db/app?user=u&password=%s&ssl=true",
		"host=db password=%s user=u",
		"host=db password='%s' user=u",
		"sh -c \"psql 'postgresql://u:%s@h/db'\"",
	};
	const char cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789-._~!*+,;";
	unsigned long long x = 0x9E3779B97F4A7C15ull;
	int leaks = 0, misses = 0;
	for (int it = 0; it < 3000; it++) {
		char pwd[40], in[256];
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = 6 + (x >> 60); /* 6..21: long enough to be unique */
		for (size_t k = 0; k < n; k++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			if ((x >> 59) == 0 && k + 3 <= n) { /* %XX escape */
				snprintf(pwd + k, 4, "%%%02X",
					 (unsigned)((x >> 40) & 0xff));
				k += 2;
				continue;
			}
			pwd[k] = cs[(x >> 33) % (sizeof(cs) - 1)];
		}
		pwd[n] = '\0';
		/* a trailing ';' would be read as shell syntax, not password */
		if (pwd[n - 1] == ';')
			pwd[n - 1] = 'z';
		const char *shape =
			shapes[it % (sizeof(shapes) / sizeof(*shapes))];
		snprintf(in, sizeof(in), shape, pwd);
		char *r = connstr_redact(in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		if (strstr(r, pwd)) {
			if (leaks++ < 5)
				fprintf(stderr, "leak: %s -> %s\n", in, r);
		}
		if (!pw(in) && misses++ < 5)
			fprintf(stderr, "miss: %s\n", in);
		free(r);
	}
	CU_ASSERT_EQUAL(leaks, 0);
	CU_ASSERT_EQUAL(misses, 0);
}

/* Arbitrary bytes built from the interesting tokens: no crash, no
 * over-read (run under ASan), and redaction only ever shortens or keeps
 * text made of masks. */
static void test_garbage(void)
{
	const char *tok[] = {"postgresql://",
			     "jdbc:postgresql://",
			     "postgres",
			     "+x://",
			     ":",
			     "@",
			     "?",
			     "&",
			     "=",
			     "password",
			     "sslmode",
			     "'",
			     "\"",
			     "\\",
			     " ",
			     "$(",
			     "${",
			     ")",
			     "}",
			     "$",
			     "%",
			     "%4",
			     "[",
			     "]",
			     "/",
			     "#",
			     "a",
			     "\t",
			     "PGPASSWORD",
			     "-c",
			     "ssl=off"};
	unsigned long long x = 42;
	for (int it = 0; it < 20000; it++) {
		char in[160];
		size_t len = 0;
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		int n = (int)(x >> 60) + 1;
		for (int k = 0; k < n; k++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			const char *t =
				tok[(x >> 33) % (sizeof(tok) / sizeof(*tok))];
			size_t tl = strlen(t);
			if (len + tl >= sizeof(in))
				break;
			memcpy(in + len, t, tl);
			len += tl;
		}
		in[len] = '\0';
		struct connstr_scan sc;
		connstr_scan(in, &sc);
		char *r = connstr_redact(in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT(strlen(r) <= len + 4 * 64);
		free(r);
		r = connstr_redact_quote(in, 20);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT(strlen(r) <= 20);
		free(r);
	}
}

static void test_many_passwords(void)
{
	/* More passwords than the walker keeps ranges for: still no leak. */
	char *in = malloc(100 * 40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	in[0] = '\0';
	for (int i = 0; i < 100; i++) {
		char part[40];
		snprintf(part, sizeof(part), "password=pw%03dx ", i);
		strcat(in, part);
	}
	char *r = connstr_redact(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(strstr(r, "pw0"));
	free(r);
	free(in);
}

static CU_TestInfo tests[] = {
	{"passwords", test_passwords},
	{"references", test_references},
	{"sslmode", test_sslmode},
	{"redact_exact", test_redact_exact},
	{"redact_property", test_redact_property},
	{"redact_random", test_redact_random},
	{"garbage", test_garbage},
	{"many_passwords", test_many_passwords},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"connstr", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_connstr", suites);
}
