/* test_certgen.c — certgen.h: generation arguments, the reuse decision
 * behind --secret (name, chain, key, expiry window), file writing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgadmit/certgen.h"
#include "unit.h"

static struct certgen_pems a, b;

static int setup(void)
{
	struct err err;
	if (certgen_generate("pgadmit", "pgadmit", 365, &a, &err) ||
	    certgen_generate("other", "pgadmit", 365, &b, &err))
		return 1;
	return 0;
}

static int teardown(void)
{
	certgen_pems_free(&a);
	certgen_pems_free(&b);
	return 0;
}

static void test_labels(void)
{
	CU_ASSERT_TRUE(certgen_valid_label("pgadmit"));
	CU_ASSERT_TRUE(certgen_valid_label("a-1"));
	CU_ASSERT_TRUE(certgen_valid_label("x"));
	CU_ASSERT_FALSE(certgen_valid_label(""));
	CU_ASSERT_FALSE(certgen_valid_label(NULL));
	CU_ASSERT_FALSE(certgen_valid_label("-a"));
	CU_ASSERT_FALSE(certgen_valid_label("a-"));
	CU_ASSERT_FALSE(certgen_valid_label("A"));
	CU_ASSERT_FALSE(certgen_valid_label("a.b"));
	CU_ASSERT_FALSE(certgen_valid_label("a_b"));
	char long64[65];
	memset(long64, 'a', 64);
	long64[64] = '\0';
	CU_ASSERT_FALSE(certgen_valid_label(long64));
	long64[63] = '\0';
	CU_ASSERT_TRUE(certgen_valid_label(long64));
}

static void test_generate_args(void)
{
	struct certgen_pems p;
	struct err err;
	CU_ASSERT_EQUAL(certgen_generate("pgadmit", "ns", 0, &p, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "days must be 1..36500"));
	CU_ASSERT_PTR_NULL(p.tls_key);
	CU_ASSERT_EQUAL(certgen_generate("Bad", "ns", 1, &p, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "DNS labels"));
	CU_ASSERT_EQUAL(certgen_generate("svc", "ns", 36501, &p, &err), -1);
}

static void test_pem_shapes(void)
{
	CU_ASSERT_EQUAL(strncmp(a.ca_crt, "-----BEGIN CERTIFICATE-----\n", 28),
			0);
	CU_ASSERT_EQUAL(strncmp(a.tls_crt, "-----BEGIN CERTIFICATE-----\n", 28),
			0);
	/* PKCS#8, what GnuTLS and Kubernetes tooling read */
	CU_ASSERT_EQUAL(strncmp(a.tls_key, "-----BEGIN PRIVATE KEY-----\n", 28),
			0);
	/* one certificate each: the CA key is never in the output */
	CU_ASSERT_PTR_NULL(strstr(a.ca_crt + 10, "-----BEGIN"));
	CU_ASSERT_PTR_NULL(strstr(a.tls_crt + 10, "-----BEGIN"));
	CU_ASSERT_PTR_NULL(strstr(a.tls_key + 10, "-----BEGIN"));
}

/* Is p reusable for svc.pgadmit within days? And is the reason right? */
static bool reuse(const struct certgen_pems *p, const char *svc, int days,
		  const char *want_why)
{
	char why[200] = "";
	bool ok = certgen_reusable(p, svc, "pgadmit", days, why, sizeof(why));
	if (want_why)
		CU_ASSERT_PTR_NOT_NULL(strstr(why, want_why));
	return ok;
}

static void test_reusable(void)
{
	CU_ASSERT_TRUE(reuse(&a, "pgadmit", 30, NULL));
	CU_ASSERT_TRUE(reuse(&a, "pgadmit", 360, NULL));
	/* 365 days minus the 5-minute backdating: within a 365-day window */
	CU_ASSERT_FALSE(reuse(&a, "pgadmit", 365, "expires within 365 days"));
	CU_ASSERT_FALSE(reuse(&a, "other", 30,
			      "tls.crt is not valid for other.pgadmit.svc"));
	CU_ASSERT_FALSE(reuse(&a, "pgadmit-x", 30, "not valid for"));
	/* namespace matters too */
	char why[200];
	CU_ASSERT_FALSE(certgen_reusable(&a, "pgadmit", "elsewhere", 30, why,
					 sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "pgadmit.elsewhere.svc"));

	struct certgen_pems mix = {a.ca_crt, a.tls_crt, b.tls_key};
	CU_ASSERT_FALSE(
		reuse(&mix, "pgadmit", 30, "tls.key does not match tls.crt"));
	struct certgen_pems wrongca = {b.ca_crt, a.tls_crt, a.tls_key};
	CU_ASSERT_FALSE(reuse(&wrongca, "pgadmit", 30,
			      "tls.crt is not signed by ca.crt"));
	struct certgen_pems garbage = {"x", "y", "z"};
	CU_ASSERT_FALSE(reuse(&garbage, "pgadmit", 30, "unreadable PEM"));
	struct certgen_pems missing = {a.ca_crt, NULL, a.tls_key};
	CU_ASSERT_FALSE(reuse(&missing, "pgadmit", 30, "missing"));
}

static void test_write_files(void)
{
	char dir[] = "/tmp/pgadmit-certgen-unit.XXXXXX";
	char path[256];
	struct stat st;
	struct err err;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(certgen_write_files(dir, &a, false, &err), 0);
	snprintf(path, sizeof(path), "%s/tls.key", dir);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0022, 0); /* nobody else writes it */
	CU_ASSERT_EQUAL(certgen_write_files(dir, &b, false, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exists; not overwriting"));
	CU_ASSERT_EQUAL(certgen_write_files(dir, &b, true, &err), 0);
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/tls.crt", dir);
	char *got = unit_read_file(path, &n);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got)
		CU_ASSERT_STRING_EQUAL(got, b.tls_crt);
	free(got);
	const char *names[] = {"ca.crt", "tls.crt", "tls.key"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	CU_ASSERT_EQUAL(certgen_write_files("/proc/version/x", &a, false, &err),
			-1);
}

/* --ip/--dns: validation, normalization, the SANs in the certificate and
 * the reuse check that wants them. */
static void test_extra_sans(void)
{
	struct certgen_sans s = {0};
	struct certgen_pems p = {0};
	struct err err;
	char why[200] = "";
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "IP", "127.0.0.1", &err), 0);
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "IP", "0:0::1", &err), 0);
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "DNS", "webhook.example", &err),
			0);
	CU_ASSERT_EQUAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.san[1], "IP:::1");
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "IP", "300.1.1.1", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "IPv4 or IPv6"));
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "IP", "localhost", &err), -1);
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "DNS", "Upper.case", &err), -1);
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "DNS", "a..b", &err), -1);
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "DNS", "trailing.", &err), -1);
	CU_ASSERT_EQUAL(s.n, 3);
	CU_ASSERT_EQUAL(certgen_generate_sans("pgadmit", "pgadmit", 30, &s, &p,
					      &err),
			0);
	CU_ASSERT_TRUE(certgen_has_sans(&p, &s, why, sizeof(why)));
	CU_ASSERT_TRUE(certgen_reusable(&p, "pgadmit", "pgadmit", 1, why,
					sizeof(why)));
	/* a pair made without them does not satisfy a request for them */
	CU_ASSERT_FALSE(certgen_has_sans(&a, &s, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "IP:127.0.0.1"));
	CU_ASSERT_TRUE(certgen_has_sans(&a, NULL, why, sizeof(why)));
	certgen_pems_free(&p);
	for (int i = s.n; i < CERTGEN_EXTRA_SANS_MAX; i++)
		CU_ASSERT_EQUAL(certgen_sans_add(&s, "DNS", "x", &err), 0);
	CU_ASSERT_EQUAL(certgen_sans_add(&s, "DNS", "x", &err), -1);
	certgen_sans_free(&s);
	CU_ASSERT_EQUAL(s.n, 0);
}

/* The caBundle across a CA change: previous CAs kept once, leaves and
 * garbage dropped; the new certificate's age. */
static void test_bundle_merge(void)
{
	char *m = certgen_bundle_merge(a.ca_crt, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m, a.ca_crt);
	free(m);
	m = certgen_bundle_merge(a.ca_crt, a.ca_crt);
	CU_ASSERT_STRING_EQUAL(m, a.ca_crt); /* already there: not twice */
	free(m);
	char prev[8192];
	snprintf(prev, sizeof(prev), "junk\n%s%s%s%s", b.ca_crt, b.tls_crt,
		 b.ca_crt,
		 "-----BEGIN CERTIFICATE-----\nold\n-----END CERTIFICATE-----\n");
	m = certgen_bundle_merge(a.ca_crt, prev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	size_t na = strlen(a.ca_crt);
	CU_ASSERT_EQUAL(strncmp(m, a.ca_crt, na), 0); /* current first */
	CU_ASSERT_STRING_EQUAL(m + na,
			       b.ca_crt); /* then b's CA once; no leaf */
	free(m);
	long age = certgen_leaf_age(&a);
	CU_ASSERT_TRUE(age >= 0 && age < 600);
	struct certgen_pems none = {0};
	CU_ASSERT_EQUAL(certgen_leaf_age(&none), -1);
}

/* certgen_run's error kinds, without an API server: existing files are a
 * conflict (nothing generated); --secret outside a cluster is unavailable
 * with src/kube's message; files alone succeed. */
static void test_run_kinds(void)
{
	char dir[] = "/tmp/pgadmit-certgen-run.XXXXXX";
	char path[256];
	struct err err = {0};
	struct certgen_sans none = {.n = 0};
	struct certgen_opts o = {.service = "pgadmit",
				 .ns = "pgadmit",
				 .days = 2,
				 .renew_days = 1,
				 .sans = &none};
	FILE *out = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	o.out_dir = dir;
	CU_ASSERT_EQUAL(certgen_run(&o, out, &err), 0);
	CU_ASSERT_EQUAL(certgen_run(&o, out, &err), -1);
	CU_ASSERT_EQUAL(err.kind, ERR_CONFLICT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exists; not overwriting"));
	const char *names[] = {"ca.crt", "tls.crt", "tls.key"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	char *url = getenv("PGADMIT_KUBE_API_URL"),
	     *host = getenv("KUBERNETES_SERVICE_HOST");
	url = url ? strdup(url) : NULL;
	host = host ? strdup(host) : NULL;
	unsetenv("PGADMIT_KUBE_API_URL");
	unsetenv("KUBERNETES_SERVICE_HOST");
	o.out_dir = NULL;
	o.secret = "pgadmit-tls";
	CU_ASSERT_EQUAL(certgen_run(&o, out, &err), -1);
	CU_ASSERT_EQUAL(err.kind, ERR_UNAVAILABLE);
	CU_ASSERT_STRING_EQUAL(err.msg, "Kubernetes API: not running in a "
					"cluster: KUBERNETES_SERVICE_HOST is "
					"not set");
	if (url)
		setenv("PGADMIT_KUBE_API_URL", url, 1);
	if (host)
		setenv("KUBERNETES_SERVICE_HOST", host, 1);
	free(url);
	free(host);
	fclose(out);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"DNS labels", test_labels},
		{"generate: bad arguments", test_generate_args},
		{"PEM shapes (PKCS#8 key, one block each)", test_pem_shapes},
		{"reuse decision: name, chain, key, expiry", test_reusable},
		{"write files: modes, refusal, force", test_write_files},
		{"extra SANs (--ip, --dns)", test_extra_sans},
		{"caBundle merge across a CA change", test_bundle_merge},
		{"certgen_run: error kinds", test_run_kinds},
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"certgen", setup, teardown, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	return unit_run("test_certgen", suites);
}
