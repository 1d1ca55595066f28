/*
 * x509.c — the CA and serving certificate of `pgadmit certgen` (certgen.h),
 * and the check that decides whether an existing pair can be kept.
 *
 * ECDSA P-256 for both keys: GnuTLS (the webhook's TLS stack) and every
 * Kubernetes API server accept it, signatures are cheap for the webhook's
 * handshakes, and keys are generated in microseconds (an RSA-2048 key can
 * take a second on a slow node in a hook Job).
 */
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/certgen.h"

#define SKEW_SECONDS 300 /* notBefore in the past: node clocks drift */

void certgen_pems_free(struct certgen_pems *p)
{
	if (!p)
		return;
	free(p->ca_crt);
	free(p->tls_crt);
	if (p->tls_key) {
		OPENSSL_cleanse(p->tls_key, strlen(p->tls_key));
		free(p->tls_key);
	}
	p->ca_crt = p->tls_crt = p->tls_key = NULL;
}

bool certgen_valid_label(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 63 || name[0] == '-' || name[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* The last OpenSSL error as text, for context after our own words. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r ? r : "unknown OpenSSL error";
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value,
		   struct err *err)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return err_set(err, "certificate extension %s=%s: %s",
			       OBJ_nid2sn(nid), value, ossl_reason());
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	if (!ok)
		return err_set(err, "adding extension %s: %s", OBJ_nid2sn(nid),
			       ossl_reason());
	return 0;
}

/* Version 3, random positive 159-bit serial, validity, subject CN. */
static X509 *new_cert(const char *cn, int days, EVP_PKEY *pub, struct err *err)
{
	X509 *x = X509_new();
	BIGNUM *bn = BN_new();
	X509_NAME *name = NULL;
	if (!x || !bn)
		goto fail;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -SKEW_SECONDS) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    !X509_set_pubkey(x, pub))
		goto fail;
	name = X509_NAME_new();
	if (!name ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)"pgadmit", -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name))
		goto fail;
	X509_NAME_free(name);
	BN_free(bn);
	return x;
fail:
	err_set(err, "building certificate %s: %s", cn, ossl_reason());
	X509_NAME_free(name);
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static char *bio_text(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	if (n <= 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s) {
		memcpy(s, data, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

static char *cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (b && PEM_write_bio_X509(b, x))
		s = bio_text(b);
	BIO_free(b);
	return s;
}

static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *s = NULL;
	if (!b)
		b = BIO_new(BIO_s_mem());
	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		s = bio_text(b);
	BIO_free(b);
	return s;
}

int certgen_generate(const char *service, const char *ns, int days,
		     struct certgen_pems *out, struct err *err)
{
	return certgen_generate_sans(service, ns, days, NULL, out, err);
}

int certgen_generate_sans(const char *service, const char *ns, int days,
			  const struct certgen_sans *extra,
			  struct certgen_pems *out, struct err *err)
{
	int rc = -1;
	EVP_PKEY *ca_key = NULL, *leaf_key = NULL;
	X509 *ca = NULL, *leaf = NULL;
	char cn[300];
	/* 4 service names + CERTGEN_EXTRA_SANS_MAX names of <= 257 chars */
	char san[1200 + CERTGEN_EXTRA_SANS_MAX * 260];

	memset(out, 0, sizeof(*out));
	if (!certgen_valid_label(service) || !certgen_valid_label(ns)) {
		err_set(err, "service and namespace must be DNS labels "
			     "(a-z, 0-9, '-', at most 63)");
		goto out;
	}
	if (days < 1 || days > CERTGEN_DAYS_MAX) {
		err_set(err, "days must be 1..%d", CERTGEN_DAYS_MAX);
		goto out;
	}
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!ca_key || !leaf_key) {
		err_set(err, "generating ECDSA P-256 keys: %s", ossl_reason());
		goto out;
	}

	/* The CA: self-signed, only for signing the serving certificate. */
	snprintf(cn, sizeof(cn), "pgadmit webhook CA %s.%s", service, ns);
	if (!(ca = new_cert(cn, days, ca_key, err)))
		goto out;
	if (!X509_set_issuer_name(ca, X509_get_subject_name(ca))) {
		err_set(err, "CA issuer: %s", ossl_reason());
		goto out;
	}
	if (add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE,pathlen:0",
		    err) ||
	    add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign",
		    err) ||
	    add_ext(ca, ca, NID_subject_key_identifier, "hash", err) ||
	    add_ext(ca, ca, NID_authority_key_identifier, "keyid:always", err))
		goto out;
	if (!X509_sign(ca, ca_key, EVP_sha256())) {
		err_set(err, "signing the CA: %s", ossl_reason());
		goto out;
	}

	/* The serving certificate for the Service's DNS names. */
	snprintf(cn, sizeof(cn), "%s.%s.svc", service, ns);
	snprintf(san, sizeof(san),
		 "DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local",
		 service, service, ns, service, ns, service, ns);
	for (int i = 0; extra && i < extra->n; i++) {
		size_t used = strlen(san);
		snprintf(san + used, sizeof(san) - used, ",%s", extra->san[i]);
	}
	if (!(leaf = new_cert(cn, days, leaf_key, err)))
		goto out;
	if (!X509_set_issuer_name(leaf, X509_get_subject_name(ca))) {
		err_set(err, "certificate issuer: %s", ossl_reason());
		goto out;
	}
	if (add_ext(leaf, ca, NID_basic_constraints, "critical,CA:FALSE",
		    err) ||
	    add_ext(leaf, ca, NID_key_usage, "critical,digitalSignature",
		    err) ||
	    add_ext(leaf, ca, NID_ext_key_usage, "serverAuth", err) ||
	    add_ext(leaf, ca, NID_subject_key_identifier, "hash", err) ||
	    add_ext(leaf, ca, NID_authority_key_identifier, "keyid:always",
		    err) ||
	    add_ext(leaf, ca, NID_subject_alt_name, san, err))
		goto out;
	if (!X509_sign(leaf, ca_key, EVP_sha256())) {
		err_set(err, "signing the serving certificate: %s",
			ossl_reason());
		goto out;
	}

	out->ca_crt = cert_pem(ca);
	out->tls_crt = cert_pem(leaf);
	out->tls_key = key_pem(leaf_key);
	if (!out->ca_crt || !out->tls_crt || !out->tls_key) {
		err_set(err, "encoding PEM: %s", ossl_reason());
		certgen_pems_free(out);
		goto out;
	}
	rc = 0;
out:
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key); /* the CA key is never written anywhere */
	return rc;
}

static X509 *parse_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return x;
}

bool certgen_reusable(const struct certgen_pems *p, const char *service,
		      const char *ns, int renew_days, char *why, size_t whylen)
{
	bool ok = false;
	X509 *ca = NULL, *leaf = NULL;
	EVP_PKEY *key = NULL, *ca_pub = NULL;
	BIO *b = NULL;
	char host[300];
	time_t horizon = time(NULL) + (time_t)renew_days * 86400;

	if (!p->ca_crt || !p->tls_crt || !p->tls_key) {
		snprintf(why, whylen, "ca.crt, tls.crt or tls.key missing");
		goto out;
	}
	ca = parse_cert(p->ca_crt);
	leaf = parse_cert(p->tls_crt);
	b = BIO_new_mem_buf(p->tls_key, -1);
	key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	if (!ca || !leaf || !key) {
		snprintf(why, whylen, "unreadable PEM");
		goto out;
	}
	ca_pub = X509_get_pubkey(ca);
	if (!ca_pub || X509_verify(leaf, ca_pub) != 1) {
		snprintf(why, whylen, "tls.crt is not signed by ca.crt");
		goto out;
	}
	if (X509_check_private_key(leaf, key) != 1) {
		snprintf(why, whylen, "tls.key does not match tls.crt");
		goto out;
	}
	snprintf(host, sizeof(host), "%s.%s.svc", service, ns);
	if (X509_check_host(leaf, host, 0, 0, NULL) != 1) {
		snprintf(why, whylen, "tls.crt is not valid for %s", host);
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(leaf), &horizon) <= 0 ||
	    X509_cmp_time(X509_get0_notAfter(ca), &horizon) <= 0) {
		snprintf(why, whylen, "expires within %d days", renew_days);
		goto out;
	}
	ok = true;
out:
	ERR_clear_error();
	EVP_PKEY_free(ca_pub);
	EVP_PKEY_free(key);
	BIO_free(b);
	X509_free(leaf);
	X509_free(ca);
	return ok;
}
