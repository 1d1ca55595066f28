/* test_kube.c — in-cluster configuration and the CronJob cache without a
 * Kubernetes API: URLs (IPv6 brackets), overrides, errors, an unreachable
 * API answering UNKNOWN quickly and being remembered. The API round trips
 * are in tests/integration/test_serve_kube.sh (replay server). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/kube/kube_int.h"
#include "pgadmit/kube.h"
#include "unit.h"

static char dir[64];

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pgadmit-kube-unit.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	char p[128];
	snprintf(p, sizeof(p), "%s/ca.crt", dir);
	FILE *f = fopen(p, "w");
	if (!f)
		return 1;
	fputs("not really a CA\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/token", dir);
	f = fopen(p, "w");
	if (!f)
		return 1;
	fputs("tok\n", f);
	fclose(f);
	return kube_global_init();
}

static int teardown(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/ca.crt", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/token", dir);
	unlink(p);
	rmdir(dir);
	kube_global_cleanup();
	return 0;
}

static void clear_env(void)
{
	unsetenv("PGADMIT_KUBE_API_URL");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	setenv("PGADMIT_KUBE_SA_DIR", dir, 1);
}

static void test_not_in_cluster(void)
{
	struct err err;
	clear_env();
	err_clear(&err);
	CU_ASSERT_PTR_NULL(kube_client_from_env(&err));
	CU_ASSERT_STRING_EQUAL(err.msg, "not running in a cluster");
}

static void test_urls(void)
{
	struct err err;
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	struct kube_client *c = kube_client_from_env(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(kube_client_url(c), "https://10.96.0.1:443");
	kube_client_free(c);

	setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
	c = kube_client_from_env(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(kube_client_url(c),
			       "https://[fd00:10:96::1]:6443");
	kube_client_free(c);

	setenv("PGADMIT_KUBE_API_URL", "https://127.0.0.1:9443//", 1);
	c = kube_client_from_env(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(kube_client_url(c), "https://127.0.0.1:9443");
	kube_client_free(c);

	setenv("PGADMIT_KUBE_API_URL", "http://127.0.0.1:8080", 1);
	err_clear(&err);
	CU_ASSERT_PTR_NULL(kube_client_from_env(&err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "https://"));
}

static void test_missing_ca(void)
{
	struct err err;
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("PGADMIT_KUBE_SA_DIR", "/nonexistent-sa", 1);
	err_clear(&err);
	CU_ASSERT_PTR_NULL(kube_client_from_env(&err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent-sa/ca.crt"));
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* The service account token is read whole (trailing newline and spaces
 * dropped), re-read when the file changes, and refused, not truncated,
 * past TOKEN_MAX: a cut token would only be rejected by the API server. */
static void test_token_file(void)
{
	struct err err;
	char p[128];
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	struct kube_client *c = kube_client_from_env(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	char *t = kube_token_get(c, false, &err);
	CU_ASSERT_STRING_EQUAL(t, "tok");
	kube_secret_free(t);

	snprintf(p, sizeof(p), "%s/token", dir);
	write_file(p, "rotated-token \r\n", 16);
	t = kube_token_get(c, true, &err);
	CU_ASSERT_STRING_EQUAL(t, "rotated-token");
	kube_secret_free(t);

	char *big = malloc(TOKEN_MAX + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'a', TOKEN_MAX + 1);
	write_file(p, big, TOKEN_MAX + 1);
	err_clear(&err);
	t = kube_token_get(c, true, &err);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "larger than"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/token"));
	write_file(p, big, TOKEN_MAX); /* exactly the limit: whole */
	t = kube_token_get(c, true, &err);
	CU_ASSERT_PTR_NOT_NULL(t);
	CU_ASSERT_EQUAL(t ? strlen(t) : 0, TOKEN_MAX);
	kube_secret_free(t);
	free(big);

	err_clear(&err);
	CU_ASSERT_PTR_NULL(kube_token_read("/nonexistent-sa/token", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent-sa/token"));
	write_file(p, "tok\n", 4);
	kube_client_free(c);
}

static int count_item(json_t *item, void *arg)
{
	(void)item;
	++*(int *)arg;
	return 0;
}

static void test_invalid_namespace(void)
{
	int n = 0;
	struct err err;
	clear_env();
	setenv("PGADMIT_KUBE_API_URL", "https://127.0.0.1:1", 1);
	struct kube_client *c = kube_client_from_env(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const char *bad[] = {
		"",
		"Shop",
		"a/b",
		"../x",
		"a?b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		CU_ASSERT_EQUAL(kube_list_cronjobs(c, bad[i], 500, count_item,
						   &n, &err),
				-1);
		CU_ASSERT_STRING_EQUAL(err.msg, "invalid namespace name");
		CU_ASSERT_EQUAL(err.kind, ERR_INVALID);
	}
	CU_ASSERT_EQUAL(n, 0);
	kube_client_free(c);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_unreachable_remembered(void)
{
	struct err err;
	clear_env();
	/* nothing listens on port 1 */
	setenv("PGADMIT_KUBE_API_URL", "https://127.0.0.1:1", 1);
	struct kube_client *c = kube_client_from_env(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct kube_cache *kc = kube_cache_new(c, NULL, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(kc);
	char why[256] = "";
	double t0 = now_s();
	CU_ASSERT_EQUAL(kube_cache_lookup(kc, "shop", "pg", 30, 1000, why,
					  sizeof(why)),
			KUBE_LOOKUP_UNKNOWN);
	CU_ASSERT(now_s() - t0 < 2.0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "Kubernetes API"));
	why[0] = 0;
	CU_ASSERT_EQUAL(kube_cache_lookup(kc, "shop", "pg", 30, 1000, why,
					  sizeof(why)),
			KUBE_LOOKUP_UNKNOWN);
	CU_ASSERT(why[0] != 0);
	struct kube_stats st;
	kube_cache_stats(kc, &st);
	CU_ASSERT_EQUAL(st.fetch_fail,
			1); /* the second answer was remembered */
	/* more namespaces than entries: evicted, never unbounded */
	kube_cache_lookup(kc, "a", "pg", 30, 500, why, sizeof(why));
	kube_cache_lookup(kc, "b", "pg", 30, 500, why, sizeof(why));
	kube_cache_lookup(kc, "c", "pg", 30, 500, why, sizeof(why));
	kube_cache_stats(kc, &st);
	CU_ASSERT_EQUAL(st.fetch_fail, 4);
	CU_ASSERT_EQUAL(kube_cache_lookup(kc, "", "pg", 30, 500, why,
					  sizeof(why)),
			KUBE_LOOKUP_UNKNOWN);
	kube_cache_free(kc);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"not in a cluster", test_not_in_cluster},
		{"API URLs (IPv6 brackets, override)", test_urls},
		{"missing ca.crt", test_missing_ca},
		{"token file: trimmed, re-read, refused past the limit",
		 test_token_file},
		{"invalid namespace never reaches the URL",
		 test_invalid_namespace},
		{"unreachable API: UNKNOWN, remembered, bounded",
		 test_unreachable_remembered},
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"kube", setup, teardown, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	return unit_run("test_kube", suites);
}
