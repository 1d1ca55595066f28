/*
 * tls.c — read the server's TLS certificate with OpenSSL.
 *
 * When the probe's libpq session is encrypted, the peer certificate comes
 * from it (PQsslStruct). When it is not, a separate TCP connection to the
 * same address sends the PostgreSQL SSLRequest (8 bytes: length 8, code
 * 80877103); a server answering 'S' gets an OpenSSL handshake (no
 * verification: this inspects, libpq's sslmode verifies), one answering 'N'
 * has SSL off. The raw connection is closed right after the handshake; the
 * server logs it as an incomplete startup. Unix-domain sockets never carry
 * TLS and are not inspected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "pgadmit/strbuf.h"
#include "probe_int.h"

static char *name_str(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return NULL;
	char *r = NULL;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		char *p;
		long len = BIO_get_mem_data(b, &p);
		r = strndup(len > 0 ? p : "", len > 0 ? (size_t)len : 0);
	}
	BIO_free(b);
	return r;
}

static void put_sep(struct strbuf *sb)
{
	if (sb->len)
		sb_puts(sb, ", ");
}

/* SAN entries as "DNS:a, IP:10.0.0.1"; at most 32 kept. */
static char *sans_str(X509 *cert)
{
	GENERAL_NAMES *gens =
		X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (!gens)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	int n = sk_GENERAL_NAME_num(gens);
	for (int i = 0; i < n && i < 32; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS || g->type == GEN_EMAIL ||
		    g->type == GEN_URI) {
			const ASN1_IA5STRING *s = g->d.ia5;
			put_sep(&sb);
			sb_puts(&sb, g->type == GEN_DNS     ? "DNS:"
				     : g->type == GEN_EMAIL ? "email:"
							    : "URI:");
			for (int k = 0; k < s->length && k < 256; k++) {
				unsigned char ch = s->data[k];
				sb_putc(&sb, ch < 0x20 || ch >= 0x7f
						     ? '?'
						     : (char)ch);
			}
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *ip = g->d.ip;
			char buf[INET6_ADDRSTRLEN];
			int af = ip->length == 4    ? AF_INET
				 : ip->length == 16 ? AF_INET6
						    : 0;
			put_sep(&sb);
			if (af && inet_ntop(af, ip->data, buf, sizeof(buf)))
				sb_printf(&sb, "IP:%s", buf);
			else
				sb_puts(&sb, "IP:?");
		}
	}
	GENERAL_NAMES_free(gens);
	return sb.len ? sb_detach(&sb) : (sb_free(&sb), NULL);
}

static const char *key_type(const EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA: return "RSA";
	case EVP_PKEY_RSA_PSS: return "RSA-PSS";
	case EVP_PKEY_EC: return "EC";
	case EVP_PKEY_ED25519: return "ED25519";
	case EVP_PKEY_ED448: return "ED448";
	case EVP_PKEY_DSA: return "DSA";
	default: return "unknown";
	}
}

/* Fill the certificate fields of t from cert. 0 or -1 (OOM/bad time). */
static int cert_fields(X509 *cert, struct probe_tls *t)
{
	t->has_cert = true;
	t->subject = name_str(X509_get_subject_name(cert));
	t->issuer = name_str(X509_get_issuer_name(cert));
	t->sans = sans_str(cert);
	EVP_PKEY *k = X509_get0_pubkey(cert);
	t->key_type = strdup(k ? key_type(k) : "unknown");
	t->key_bits = k ? EVP_PKEY_get_bits(k) : 0;
	t->self_signed = X509_self_signed(cert, 1) == 1;
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	struct tm tm;
	int days = 0, secs = 0;
	if (!na || !ASN1_TIME_to_tm(na, &tm) ||
	    !ASN1_TIME_diff(&days, &secs, NULL, na)) {
		t->note = strdup("the certificate's notAfter does not parse");
		return t->subject && t->issuer && t->key_type ? 0 : -1;
	}
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	t->not_after = strdup(buf);
	t->days_left = days;
	t->expired = days < 0 || secs < 0;
	/* seconds left, for "within N days" without rounding */
	t->secs_left = (long long)days * 86400 + secs;
	if (!t->subject || !t->issuer || !t->key_type || !t->not_after)
		return -1;
	return 0;
}

int probe_cert_from_der(const unsigned char *der, size_t len,
			struct probe_tls *t)
{
	const unsigned char *p = der;
	if (len > 1u << 20)
		return -1;
	X509 *cert = d2i_X509(NULL, &p, (long)len);
	if (!cert) {
		ERR_clear_error();
		return -1;
	}
	int rc = cert_fields(cert, t);
	X509_free(cert);
	ERR_clear_error();
	return rc;
}

/* Connect to host:port within timeout_ms; a blocking fd with send/receive
 * timeouts set, or -1 with why filled. */
static int tcp_connect(const char *host, const char *port, int timeout_ms,
		       char *why, size_t whylen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int g = getaddrinfo(host, port, &hints, &ai);
	if (g) {
		snprintf(why, whylen, "cannot resolve %s: %s", host,
			 gai_strerror(g));
		return -1;
	}
	int fd = -1;
	snprintf(why, whylen, "cannot connect to %s:%s", host, port);
	for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family,
			    a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		int rc = connect(fd, a->ai_addr, a->ai_addrlen);
		if (rc < 0 && errno == EINPROGRESS) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			int err = 0;
			socklen_t elen = sizeof(err);
			if (poll(&pfd, 1, timeout_ms) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) ==
				    0 &&
			    err == 0)
				rc = 0;
			else if (err)
				errno = err;
			else
				errno = ETIMEDOUT;
		}
		if (rc < 0) {
			char eb[128]; /* GNU strerror_r: thread-safe */
			snprintf(why, whylen, "cannot connect to %s:%s: %s",
				 host, port, strerror_r(errno, eb, sizeof(eb)));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return -1;
	int fl = fcntl(fd, F_GETFL);
	struct timeval tv = {.tv_sec = timeout_ms / 1000,
			     .tv_usec = (timeout_ms % 1000) * 1000};
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		char eb[128];
		snprintf(why, whylen, "socket setup: %s",
			 strerror_r(errno, eb, sizeof(eb)));
		close(fd);
		return -1;
	}
	return fd;
}

static void set_note(struct probe_tls *t, const char *s)
{
	if (!t->note)
		t->note = strdup(s);
}

/* The raw SSLRequest path. */
static void inspect_raw(struct probe_ctx *c, struct probe_tls *t)
{
	const char *host = PQhostaddr(c->conn);
	if (!host || !*host)
		host = PQhost(c->conn);
	const char *port = PQport(c->conn);
	if (!host || !*host || !port || !*port) {
		set_note(t, "no TCP address to inspect");
		return;
	}
	char why[256];
	int timeout_ms = c->p->probe.connect_timeout_s * 1000;
	int fd = tcp_connect(host, port, timeout_ms, why, sizeof(why));
	if (fd < 0) {
		set_note(t, why);
		return;
	}
	static const unsigned char sslrequest[8] = {0,    0,    0,    8,
						    0x04, 0xd2, 0x16, 0x2f};
	unsigned char answer = 0;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	if (send(fd, sslrequest, sizeof(sslrequest), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(sslrequest) ||
	    recv(fd, &answer, 1, 0) != 1) {
		set_note(t, "no answer to SSLRequest");
		goto out;
	}
	if (answer == 'N') {
		t->server_ssl = 0;
		set_note(t, "the server answered SSLRequest with 'N': SSL is "
			    "off");
		goto out;
	}
	if (answer != 'S') {
		set_note(t, "unexpected answer to SSLRequest");
		goto out;
	}
	t->server_ssl = 1;
	t->source = "sslrequest";
	ctx = SSL_CTX_new(TLS_client_method());
	ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl || !SSL_set_fd(ssl, fd)) {
		set_note(t, "OpenSSL setup failed");
		goto out;
	}
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	struct in6_addr a6;
	const char *name = PQhost(c->conn);
	if (name && *name && name[0] != '/' &&
	    inet_pton(AF_INET, name, &a6) != 1 &&
	    inet_pton(AF_INET6, name, &a6) != 1)
		SSL_set_tlsext_host_name(ssl, name);
	if (SSL_connect(ssl) != 1) {
		unsigned long e = ERR_peek_last_error();
		char buf[160];
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(why, sizeof(why), "TLS handshake failed: %s",
			 e ? buf : "connection closed");
		set_note(t, why);
		goto out;
	}
	t->protocol = strdup(SSL_get_version(ssl));
	t->cipher = strdup(SSL_get_cipher_name(ssl));
	X509 *cert = SSL_get0_peer_certificate(ssl);
	if (!cert)
		set_note(t, "the server sent no certificate");
	else if (cert_fields(cert, t))
		set_note(t, "cannot read the certificate");
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	close(fd);
}

void probe_tls_inspect(struct probe_ctx *c)
{
	struct probe_tls *t = &c->r->tls;
	t->server_ssl = -1;
	if (c->is_socket) {
		set_note(t, "Unix-domain socket: TLS does not apply");
		return;
	}
	if (!PQsslInUse(c->conn)) {
		inspect_raw(c, t);
		return;
	}
	t->in_use = true;
	t->server_ssl = 1;
	t->source = "session";
	SSL *ssl = PQsslStruct(c->conn, "OpenSSL");
	const char *proto = PQsslAttribute(c->conn, "protocol");
	const char *cipher = PQsslAttribute(c->conn, "cipher");
	t->protocol = strdup(proto ? proto : "unknown");
	t->cipher = strdup(cipher ? cipher : "unknown");
	X509 *cert = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
	if (!cert)
		set_note(t, "no peer certificate on the session");
	else if (cert_fields(cert, t))
		set_note(t, "cannot read the certificate");
	ERR_clear_error();
}
