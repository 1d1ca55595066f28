/*
 * sans.c — extra subjectAltNames of the serving certificate (certgen.h):
 * `pgadmit certgen --ip ADDR --dns NAME`, for a webhook the API server
 * reaches by URL (the chart's webhook.url mode, the e2e tests on loopback)
 * rather than through its in-cluster Service.
 */
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/certgen.h"

/* A lower-case DNS-1123 subdomain: labels of a-z0-9-, at most 253. */
static bool valid_dns(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 253)
		return false;
	const char *p = name;
	while (*p) {
		size_t len = strcspn(p, ".");
		char label[64];
		if (len == 0 || len > 63)
			return false;
		memcpy(label, p, len);
		label[len] = '\0';
		if (!certgen_valid_label(label))
			return false;
		p += len;
		if (*p == '.' && !*++p)
			return false; /* trailing dot */
	}
	return true;
}

int certgen_sans_add(struct certgen_sans *s, const char *kind,
		     const char *value, struct err *err)
{
	char norm[INET6_ADDRSTRLEN + 8];
	if (s->n >= CERTGEN_EXTRA_SANS_MAX)
		return err_set(err, "at most %d extra names",
			       CERTGEN_EXTRA_SANS_MAX);
	if (strcmp(kind, "IP") == 0) {
		unsigned char buf[sizeof(struct in6_addr)];
		char text[INET6_ADDRSTRLEN];
		int af = strchr(value, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, value, buf) != 1 ||
		    !inet_ntop(af, buf, text, sizeof(text)))
			return err_set(err,
				       "'%s': expected an IPv4 or IPv6 "
				       "address",
				       value);
		snprintf(norm, sizeof(norm), "IP:%s", text);
	} else if (strcmp(kind, "DNS") == 0) {
		if (!valid_dns(value))
			return err_set(err,
				       "'%s': expected a lower-case DNS "
				       "name (labels of a-z, 0-9, '-')",
				       value);
	} else {
		return err_set(err, "unknown name kind %s", kind);
	}
	char *copy = NULL;
	if (strcmp(kind, "IP") == 0)
		copy = strdup(norm);
	else if (asprintf(&copy, "DNS:%s", value) < 0)
		copy = NULL;
	if (!copy)
		return err_nomem(err);
	s->san[s->n++] = copy;
	return 0;
}

void certgen_sans_free(struct certgen_sans *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		free(s->san[i]);
	s->n = 0;
}

bool certgen_has_sans(const struct certgen_pems *p,
		      const struct certgen_sans *extra, char *why,
		      size_t whylen)
{
	if (!extra || extra->n == 0)
		return true;
	BIO *b = p->tls_crt ? BIO_new_mem_buf(p->tls_crt, -1) : NULL;
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	bool ok = x != NULL;
	if (!x)
		snprintf(why, whylen, "unreadable tls.crt");
	for (int i = 0; ok && i < extra->n; i++) {
		const char *s = extra->san[i];
		int got = strncmp(s, "IP:", 3) == 0
				  ? X509_check_ip_asc(x, s + 3, 0)
				  : X509_check_host(x, s + 4, 0, 0, NULL);
		if (got != 1) {
			snprintf(why, whylen, "tls.crt has no SAN %s", s);
			ok = false;
		}
	}
	ERR_clear_error();
	X509_free(x);
	BIO_free(b);
	return ok;
}
