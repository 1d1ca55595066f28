/* test_probe.c — the probe's pure parts: pg_hba address classes and
 * coverage, listen_addresses, targets from files and sharding, target
 * names without passwords, certificate fields from DER, the JSON report. */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/probe.h"
#include "unit.h"

static void test_hba_classify(void)
{
	static const struct {
		const char *addr, *mask;
		enum hba_addr want;
	} cases[] = {
		{"all", NULL, HBA_ADDR_ALL},
		{"0.0.0.0", "0.0.0.0", HBA_ADDR_ALL},
		{"::", "::", HBA_ADDR_ALL},
		{"0.0.0.0/0", NULL, HBA_ADDR_ALL},
		{"127.0.0.1", "255.255.255.255", HBA_ADDR_LOCAL},
		{"127.0.0.0", "255.0.0.0", HBA_ADDR_LOCAL},
		{"127.0.0.0", "254.0.0.0", HBA_ADDR_NET}, /* 126/7 too */
		{"::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		 HBA_ADDR_LOCAL},
		{"::1", NULL, HBA_ADDR_LOCAL},
		{"::ffff:127.0.0.1", NULL, HBA_ADDR_LOCAL},
		{"samehost", NULL, HBA_ADDR_LOCAL},
		{"localhost", NULL, HBA_ADDR_LOCAL},
		{"samenet", NULL, HBA_ADDR_NET},
		{"10.0.0.0", "255.0.0.0", HBA_ADDR_NET},
		{"192.168.1.7", NULL, HBA_ADDR_NET},
		{"fd00::", "ff00::", HBA_ADDR_NET},
		{".example.com", NULL, HBA_ADDR_NET},
		{"db-1.internal", NULL, HBA_ADDR_NET},
		{"10.0.0.0", "255.0.255.0",
		 HBA_ADDR_INVALID}, /* not contiguous */
		{"10.0.0.0", "garbage", HBA_ADDR_INVALID},
		{"10.0.0.0/33", NULL, HBA_ADDR_INVALID},
		{"a b", NULL, HBA_ADDR_INVALID},
		{"", NULL, HBA_ADDR_INVALID},
		{NULL, NULL, HBA_ADDR_INVALID},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		enum hba_addr got =
			probe_hba_classify(cases[i].addr, cases[i].mask);
		if (got != cases[i].want)
			fprintf(stderr, "classify %s %s: %d, want %d\n",
				cases[i].addr ? cases[i].addr : "(null)",
				cases[i].mask ? cases[i].mask : "", got,
				cases[i].want);
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
	CU_ASSERT_EQUAL(probe_hba_prefix("10.0.0.0", "255.255.0.0"), 16);
	CU_ASSERT_EQUAL(probe_hba_prefix("fd00::", "ff00::"), 8);
	CU_ASSERT_EQUAL(probe_hba_prefix("all", NULL), -1);
}

static void test_hba_covers(void)
{
	CU_ASSERT_TRUE(probe_hba_covers("all", NULL, "10.1.2.3", NULL));
	CU_ASSERT_TRUE(probe_hba_covers("0.0.0.0", "0.0.0.0", "10.1.0.0",
					"255.255.0.0"));
	CU_ASSERT_FALSE(probe_hba_covers("0.0.0.0", "0.0.0.0", "::", "::"));
	CU_ASSERT_FALSE(probe_hba_covers("0.0.0.0", "0.0.0.0", "all", NULL));
	CU_ASSERT_TRUE(probe_hba_covers("10.0.0.0", "255.0.0.0", "10.9.0.0",
					"255.255.0.0"));
	CU_ASSERT_FALSE(probe_hba_covers("10.9.0.0", "255.255.0.0", "10.0.0.0",
					 "255.0.0.0"));
	CU_ASSERT_FALSE(probe_hba_covers("10.0.0.0", "255.0.0.0", "11.0.0.0",
					 "255.0.0.0"));
	CU_ASSERT_TRUE(probe_hba_covers("samenet", NULL, "samenet", NULL));
	CU_ASSERT_FALSE(probe_hba_covers("samenet", NULL, "10.0.0.1", NULL));
	CU_ASSERT_FALSE(probe_hba_covers(NULL, NULL, "10.0.0.1", NULL));
	CU_ASSERT_TRUE(probe_pgarray_is_all("{all}"));
	CU_ASSERT_FALSE(probe_pgarray_is_all("{app}"));
	CU_ASSERT_FALSE(probe_pgarray_is_all("{all,app}"));
	CU_ASSERT_FALSE(probe_pgarray_is_all("{\"\\\"all\\\"\"}"));
	CU_ASSERT_FALSE(probe_pgarray_is_all(NULL));
}

static void test_listen(void)
{
	CU_ASSERT_TRUE(probe_listen_is_open("*"));
	CU_ASSERT_TRUE(probe_listen_is_open("localhost, *"));
	CU_ASSERT_TRUE(probe_listen_is_open("0.0.0.0"));
	CU_ASSERT_TRUE(probe_listen_is_open("::"));
	CU_ASSERT_TRUE(probe_listen_is_open("203.0.113.9"));
	CU_ASSERT_TRUE(probe_listen_is_open("db.example.com"));
	CU_ASSERT_FALSE(probe_listen_is_open("localhost"));
	CU_ASSERT_FALSE(probe_listen_is_open("127.0.0.1,::1"));
	CU_ASSERT_FALSE(probe_listen_is_open("10.1.2.3"));
	CU_ASSERT_FALSE(probe_listen_is_open(" 192.168.0.4 , localhost"));
	CU_ASSERT_FALSE(probe_listen_is_open("fd12::4"));
	CU_ASSERT_FALSE(probe_listen_is_open(""));
	CU_ASSERT_FALSE(probe_listen_is_open(NULL));
}

static void test_targets_parse(void)
{
	static const char file[] = "# fleet\n"
				   "host=a dbname=x password=p1\n"
				   "\n"
				   "   postgresql://u:p2@b/y  \r\n"
				   "\t# indented comment\n"
				   "host=c";
	struct probe_targets t = {0};
	struct err e;
	err_clear(&e);
	CU_ASSERT_EQUAL(probe_targets_parse(&t, file, strlen(file), "f", &e),
			0);
	CU_ASSERT_EQUAL(t.n, 3);
	if (t.n == 3) {
		CU_ASSERT_STRING_EQUAL(t.dsn[0], "host=a dbname=x password=p1");
		CU_ASSERT_STRING_EQUAL(t.dsn[1], "postgresql://u:p2@b/y");
		CU_ASSERT_STRING_EQUAL(t.dsn[2], "host=c");
	}
	probe_targets_free(&t);

	static const char nul[] = "host=a\nhost=b\0x\n";
	CU_ASSERT_EQUAL(probe_targets_parse(&t, nul, sizeof(nul) - 1, "dsns",
					    &e),
			-1);
	CU_ASSERT_STRING_EQUAL(e.msg, "dsns: line 2: NUL byte");
	probe_targets_free(&t);

	size_t big = PROBE_MAX_DSN_LEN + 10;
	char *line = malloc(big + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	memset(line, 'a', big);
	line[big] = '\0';
	CU_ASSERT_EQUAL(probe_targets_parse(&t, line, big, "dsns", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "line 1: longer than"));
	probe_targets_free(&t);
	free(line);
}

static void test_shard(void)
{
	struct probe_targets t = {0};
	struct err e;
	static const char ten[] = "t0\nt1\nt2\nt3\nt4\nt5\nt6\nt7\nt8\nt9\n";
	CU_ASSERT_EQUAL(probe_targets_parse(&t, ten, strlen(ten), "f", &e), 0);
	probe_targets_shard(&t, 1, 3);
	CU_ASSERT_EQUAL(t.n, 3);
	CU_ASSERT_EQUAL(t.total, 10);
	if (t.n == 3) {
		CU_ASSERT_STRING_EQUAL(t.dsn[0], "t1");
		CU_ASSERT_STRING_EQUAL(t.dsn[1], "t4");
		CU_ASSERT_STRING_EQUAL(t.dsn[2], "t7");
	}
	probe_targets_free(&t);

	unsigned i = 9, n = 9;
	CU_ASSERT_EQUAL(probe_shard_parse("2/5", &i, &n), 0);
	CU_ASSERT_EQUAL(i, 2);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(probe_shard_parse("5/5", &i, &n), -1);
	CU_ASSERT_EQUAL(probe_shard_parse("0/0", &i, &n), -1);
	CU_ASSERT_EQUAL(probe_shard_parse("1", &i, &n), -1);
	CU_ASSERT_EQUAL(probe_shard_parse("-1/3", &i, &n), -1);
	CU_ASSERT_EQUAL(probe_shard_parse("1/x", &i, &n), -1);
	CU_ASSERT_EQUAL(probe_shard_parse("99999999999/3", &i, &n), -1);

	setenv("JOB_COMPLETION_INDEX", "2", 1);
	setenv("PGADMIT_PROBE_SHARDS", "4", 1);
	CU_ASSERT_EQUAL(probe_shard_from_env(&i, &n, &e), 0);
	CU_ASSERT_EQUAL(i, 2);
	CU_ASSERT_EQUAL(n, 4);
	setenv("JOB_COMPLETION_INDEX", "4", 1);
	CU_ASSERT_EQUAL(probe_shard_from_env(&i, &n, &e), -1);
	setenv("PGADMIT_PROBE_SHARDS", "zero", 1);
	CU_ASSERT_EQUAL(probe_shard_from_env(&i, &n, &e), -1);
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("PGADMIT_PROBE_SHARDS");
	CU_ASSERT_EQUAL(probe_shard_from_env(&i, &n, &e), 0);
	CU_ASSERT_EQUAL(i, 0);
	CU_ASSERT_EQUAL(n, 1);
}

static void name_is(const char *dsn, const char *want)
{
	char *got = probe_target_name(dsn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "name of %s: %s, want %s\n", dsn, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_target_name(void)
{
	unsetenv("PGHOST");
	unsetenv("PGHOSTADDR");
	unsetenv("PGPORT");
	unsetenv("PGDATABASE");
	unsetenv("PGUSER");
	name_is("host=db.shop port=6432 dbname=app password=hunter2",
		"db.shop:6432/app");
	name_is("postgresql://app:hunter2@10.0.0.5:5433/orders?sslmode=require",
		"10.0.0.5:5433/orders");
	name_is("hostaddr=10.1.1.1 user=u", "10.1.1.1:5432/u");
	setenv("PGHOST", "/var/run/postgresql", 1);
	setenv("PGDATABASE", "envdb", 1);
	name_is("", "/var/run/postgresql:5432/envdb");
	unsetenv("PGHOST");
	unsetenv("PGDATABASE");
	char *n = probe_target_name("postgresql://u:p%zzhunter2@h/d");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NULL(strstr(n, "hunter2"));
	CU_ASSERT_EQUAL(strncmp(n, "unparsed:", 9), 0);
	free(n);
	n = probe_target_name("host=a port=1 password hunter2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NULL(strstr(n, "hunter2"));
	free(n);
}

/* A certificate made here: EC P-256, CN=db.test, SANs, valid `days`. */
static unsigned char *make_cert(long days, bool self_signed, size_t *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	EVP_PKEY *ca = self_signed ? key : EVP_EC_gen("P-256");
	X509 *x = X509_new();
	unsigned char *der = NULL;
	if (!key || !ca || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 30);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * days + 3600);
	X509_NAME *sn = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(sn, "CN", MBSTRING_ASC,
				   (const unsigned char *)"db.test", -1, -1, 0);
	X509_NAME *in = X509_NAME_new();
	X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC,
				   (const unsigned char *)(self_signed
								   ? "db.test"
								   : "Test CA"),
				   -1, -1, 0);
	X509_set_issuer_name(x, in);
	X509_NAME_free(in);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx,
						  NID_subject_alt_name,
						  "DNS:db.test,IP:10.0.0.5");
	if (ext) {
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (!X509_sign(x, ca, EVP_sha256()))
		goto out;
	int n = i2d_X509(x, &der);
	*len = n > 0 ? (size_t)n : 0;
out:
	X509_free(x);
	if (ca != key)
		EVP_PKEY_free(ca);
	EVP_PKEY_free(key);
	return der;
}

static void test_cert_fields(void)
{
	size_t len = 0;
	unsigned char *der = make_cert(10, true, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	struct probe_tls t = {0};
	CU_ASSERT_EQUAL(probe_cert_from_der(der, len, &t), 0);
	CU_ASSERT_TRUE(t.has_cert);
	CU_ASSERT_STRING_EQUAL(t.subject, "CN=db.test");
	CU_ASSERT_STRING_EQUAL(t.issuer, "CN=db.test");
	CU_ASSERT_STRING_EQUAL(t.sans, "DNS:db.test, IP:10.0.0.5");
	CU_ASSERT_STRING_EQUAL(t.key_type, "EC");
	CU_ASSERT_EQUAL(t.key_bits, 256);
	CU_ASSERT_TRUE(t.self_signed);
	CU_ASSERT_FALSE(t.expired);
	CU_ASSERT_EQUAL(t.days_left, 10);
	CU_ASSERT_PTR_NOT_NULL(t.not_after);
	CU_ASSERT_EQUAL(t.not_after ? strlen(t.not_after) : 0, 20);
	probe_tls_release(&t);
	OPENSSL_free(der);

	der = make_cert(-3, false, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_EQUAL(probe_cert_from_der(der, len, &t), 0);
	CU_ASSERT_TRUE(t.expired);
	CU_ASSERT_FALSE(t.self_signed);
	CU_ASSERT_STRING_EQUAL(t.issuer, "CN=Test CA");
	CU_ASSERT_TRUE(t.days_left < 0);
	probe_tls_release(&t);
	/* truncated and garbage input */
	CU_ASSERT_EQUAL(probe_cert_from_der(der, len / 2, &t), -1);
	CU_ASSERT_EQUAL(probe_cert_from_der((const unsigned char *)"\x30\x03"
								   "abc",
					    5, &t),
			-1);
	CU_ASSERT_EQUAL(probe_cert_from_der(der, 0, &t), -1);
	probe_tls_release(&t);
	OPENSSL_free(der);
}

static void test_report_json(void)
{
	struct probe_result r[2];
	memset(r, 0, sizeof(r));
	struct probe_finding f[2] = {
		{"PGA211", "fk-missing-index", ACTION_WARN, false,
		 "public.orders", "foreign key",
		 "CREATE INDEX CONCURRENTLY ..."},
		{"PGA252", "hba-trust", ACTION_INFO, true, "pg_hba.conf",
		 "not readable", "GRANT ..."},
	};
	r[0].target = "db:5432/app";
	r[0].status = PROBE_OK;
	r[0].server_version = "15.18";
	r[0].server_major = 15;
	char *notes[] = {"PGA212 (index-unused) not judged: the index usage "
			 "statistics cover only the last 2 h 0 min"};
	r[0].notes = notes;
	r[0].nnotes = 1;
	r[0].tls_done = true;
	r[0].tls.in_use = true;
	r[0].tls.server_ssl = 1;
	r[0].tls.source = "session";
	r[0].tls.protocol = "TLSv1.3";
	r[0].tls.has_cert = true;
	r[0].tls.not_after = "2027-01-01T00:00:00Z";
	r[0].tls.days_left = 31;
	r[0].tls.subject = "CN=db";
	r[0].tls.issuer = "CN=\xff"; /* not UTF-8: still a JSON string */
	r[0].findings = f;
	r[0].nfindings = 2;
	r[0].queries = 8;
	r[1].target = "down:5432/x";
	r[1].status = PROBE_ERROR;
	r[1].error = "cannot connect: Connection refused";
	struct probe_summary s = {.shard_count = 1, .total_targets = 2};
	probe_summarize(r, 2, &s);
	CU_ASSERT_EQUAL(s.ok, 1);
	CU_ASSERT_EQUAL(s.error, 1);
	CU_ASSERT_EQUAL(s.counts[ACTION_WARN], 1);
	CU_ASSERT_EQUAL(s.unknown, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
	CU_ASSERT_EQUAL(probe_report_write(mem, PROBE_FMT_JSON, r, 2, &s,
					   false),
			0);
	fclose(mem);
	json_error_t je;
	json_t *root = json_loadb(buf, len, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(root, "version")),
			1);
	json_t *t0 = json_array_get(json_object_get(root, "targets"), 0);
	json_t *tls = json_object_get(t0, "tls");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "target")),
			       "db:5432/app");
	CU_ASSERT_TRUE(json_is_null(json_object_get(t0, "error")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t0, "server_major")),
			15);
	json_t *notes0 = json_object_get(t0, "notes");
	CU_ASSERT_EQUAL(json_array_size(notes0), 1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(json_string_value(json_array_get(notes0, 0)),
		       "not judged"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(tls, "in_use")));
	CU_ASSERT_EQUAL(json_integer_value(
				json_object_get(tls, "cert_days_left")),
			31);
	CU_ASSERT_STRING_EQUAL(json_string_value(
				       json_object_get(tls, "cert_issuer")),
			       "CN=?");
	json_t *f1 = json_array_get(json_object_get(t0, "findings"), 1);
	CU_ASSERT_TRUE(json_is_true(json_object_get(f1, "unknown")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f1, "action")),
			       "info");
	json_t *t1 = json_array_get(json_object_get(root, "targets"), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t1, "status")),
			       "error");
	CU_ASSERT_TRUE(json_is_null(json_object_get(t1, "tls")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(t1, "server_major")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(t1, "notes")), 0);
	json_t *sum = json_object_get(root, "summary");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "error")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "unknown")), 1);
	json_decref(root);
	free(buf);

	/* text: one line per finding, the error with its reason */
	buf = NULL;
	mem = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
	CU_ASSERT_EQUAL(probe_report_write(mem, PROBE_FMT_TEXT, r, 2, &s,
					   false),
			0);
	fclose(mem);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  warn PGA211 fk-missing-index  "
					   "public.orders\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  unknown PGA252 hba-trust"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    grant: GRANT ..."));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "db:5432/app: ok (PostgreSQL 15 "
					   "(15.18), 8 queries"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n  note: PGA212 (index-unused) "
					   "not judged: the index usage "
					   "statistics cover only the last 2 h "
					   "0 min\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "down:5432/x: error: cannot "
					   "connect: Connection refused"));
	free(buf);
	CU_ASSERT_EQUAL(probe_format_parse("json"), PROBE_FMT_JSON);
	CU_ASSERT_EQUAL(probe_format_parse("sarif"), -1);
}

static void test_majors(void)
{
	CU_ASSERT_EQUAL(probe_major_from_num(130023), 13);
	CU_ASSERT_EQUAL(probe_major_from_num(150018), 15);
	CU_ASSERT_EQUAL(probe_major_from_num(180004), 18);
	CU_ASSERT_EQUAL(probe_major_from_num(100000), 10);
	CU_ASSERT_EQUAL(probe_major_from_num(90624), 96);
	CU_ASSERT_EQUAL(probe_major_from_num(0), 0);
	CU_ASSERT_EQUAL(probe_major_from_num(-150018), 0);
	CU_ASSERT_EQUAL(probe_major_from_num(1500), 0);
	bool oom = true;
	for (int m = PROBE_MAJOR_MIN; m <= PROBE_MAJOR_MAX; m++) {
		CU_ASSERT_PTR_NULL(probe_major_note(m, &oom));
		CU_ASSERT_FALSE(oom);
	}
	char *n = probe_major_note(12, &oom);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL(strstr(n, "PostgreSQL 12 is outside the majors "
					 "pgadmit is tested against (13 to "
					 "18): probed anyway"));
	free(n);
	n = probe_major_note(19, &oom);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL(strstr(n, "PostgreSQL 19 is outside"));
	free(n);
	n = probe_major_note(96, &oom);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL(strstr(n, "PostgreSQL 9.6 is outside"));
	free(n);
	n = probe_major_note(0, &oom);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL(strstr(n, "major version is unknown"));
	free(n);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"hba address classes", test_hba_classify},
		{"hba coverage and arrays", test_hba_covers},
		{"listen_addresses", test_listen},
		{"targets from a file", test_targets_parse},
		{"sharding", test_shard},
		{"target names", test_target_name},
		{"certificate fields", test_cert_fields},
		{"report", test_report_json},
		{"server majors", test_majors},
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"probe", NULL, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	return unit_run("test_probe", suites);
}
