/*
 * bundle.c — the caBundle across a certificate change (certgen.h).
 *
 * When certgen makes a new CA, the webhook pods still serve the old
 * certificate until their Secret volume is synced (up to a minute or so in
 * a cluster), and with failurePolicy Fail every covered write fails in that
 * window if the caBundle trusts only the new CA. So the bundle keeps the
 * CAs it already held, while they are unexpired, until the new certificate
 * is older than an overlap (cmd_certgen.c). Trusting an old certgen CA for
 * a few more minutes is harmless: its key was never written anywhere.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/certgen.h"
#include "pgadmit/strbuf.h"

#define SKEW_SECONDS 300 /* x509.c sets notBefore this far in the past */
#define MAX_CERTS 32

/* Parse up to max certificates from pem (garbage between them skipped). */
static int parse_all(const char *pem, X509 **out, int max)
{
	int n = 0;
	BIO *b = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	if (!b)
		return 0;
	X509 *x;
	while (n < max && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		out[n++] = x;
	BIO_free(b);
	ERR_clear_error();
	return n;
}

static bool unexpired_ca(X509 *x)
{
	return X509_check_ca(x) >= 1 &&
	       X509_cmp_time(X509_get0_notAfter(x), NULL) > 0;
}

char *certgen_bundle_merge(const char *current, const char *previous)
{
	X509 *cur[MAX_CERTS], *prev[MAX_CERTS];
	int nc = parse_all(current, cur, MAX_CERTS);
	int np = parse_all(previous, prev, MAX_CERTS);
	struct strbuf sb = STRBUF_INIT;
	bool oom = false;
	sb_puts(&sb, current ? current : "");
	for (int i = 0; i < np && !oom; i++) {
		bool dup = !unexpired_ca(prev[i]);
		for (int j = 0; j < nc && !dup; j++)
			dup = X509_cmp(prev[i], cur[j]) == 0;
		for (int j = 0; j < i && !dup; j++)
			dup = X509_cmp(prev[i], prev[j]) == 0;
		if (dup)
			continue;
		BIO *b = BIO_new(BIO_s_mem());
		char *data = NULL;
		long len = 0;
		if (!b || !PEM_write_bio_X509(b, prev[i]) ||
		    (len = BIO_get_mem_data(b, &data)) <= 0) {
			oom = true;
		} else {
			if (sb.len && sb.buf[sb.len - 1] != '\n')
				sb_putc(&sb, '\n');
			sb_append(&sb, data, (size_t)len);
		}
		BIO_free(b);
	}
	for (int i = 0; i < nc; i++)
		X509_free(cur[i]);
	for (int i = 0; i < np; i++)
		X509_free(prev[i]);
	ERR_clear_error();
	if (oom || !sb_ok(&sb)) {
		sb_free(&sb);
		return NULL;
	}
	if (sb.len == 0)
		return strdup("");
	return sb_detach(&sb);
}

long certgen_leaf_age(const struct certgen_pems *p)
{
	X509 *x[1];
	if (!p || parse_all(p->tls_crt, x, 1) != 1)
		return -1;
	int days = 0, secs = 0;
	long age = -1;
	/* now - notBefore, less the skew x509.c puts before the issue time */
	if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x[0]), NULL)) {
		age = (long)days * 86400 + secs - SKEW_SECONDS;
		if (age < 0)
			age = 0;
	}
	X509_free(x[0]);
	ERR_clear_error();
	return age;
}
