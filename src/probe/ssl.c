/*
 * ssl.c — PGA201 ssl-off, PGA203 ssl-weak-protocol, PGA204
 * ssl-cert-expiring, PGA205 ssl-not-used.
 *
 * Reads the facts row (ssl, ssl_min_protocol_version) and what tls.c found
 * in the handshake. PGA203 is judged only when SSL is on (with SSL off,
 * PGA201 says all there is to say). PGA204 is a deny when the certificate
 * has already expired, whatever the configured action, unless it is off.
 * PGA205 does not apply to Unix-domain sockets (nothing leaves the host).
 */
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

static int weak_protocol(const char *v)
{
	return v && (strcmp(v, "TLSv1") == 0 || strcmp(v, "TLSv1.1") == 0);
}

bool probe_ssl_off(const struct probe_ctx *c)
{
	const char *ssl = probe_fact(c, "ssl");
	return (ssl && strcmp(ssl, "off") == 0) || c->r->tls.server_ssl == 0;
}

int probe_check_ssl(struct probe_ctx *c)
{
	const struct probe_tls *t = &c->r->tls;
	bool ssl_off = probe_ssl_off(c);
	int rc = 0;

	/* PGA201 */
	if (ssl_off)
		rc = probe_add(c, R_PGA201, -1, "server",
			       "ssl is off: every connection to this server "
			       "travels in clear text, passwords and data "
			       "included",
			       "set ssl = on with ssl_cert_file/ssl_key_file "
			       "(e.g. a cert-manager Certificate mounted into "
			       "the pod) and reload");
	if (rc)
		return rc;

	/* PGA203 */
	const char *minp = probe_fact(c, "ssl_min_protocol_version");
	if (!ssl_off && weak_protocol(minp)) {
		char *m = probe_fmt("ssl_min_protocol_version is %s: clients "
				    "may negotiate deprecated TLS versions "
				    "(RFC 8996)",
				    minp);
		rc = probe_add_msg(c, R_PGA203, -1, "server", m,
				   "ALTER SYSTEM SET ssl_min_protocol_version "
				   "= 'TLSv1.2'; SELECT pg_reload_conf();");
		if (rc)
			return rc;
	}

	/* PGA204 */
	enum action a204 = probe_action(c, R_PGA204);
	long long limit = (long long)c->p->probe.cert_expiry_days * 86400;
	if (a204 != ACTION_OFF && t->has_cert && t->not_after &&
	    (t->expired || t->secs_left < limit)) {
		char *m;
		if (t->expired)
			m = probe_fmt("the server certificate expired on %s "
				      "(subject %s, issuer %s%s)",
				      t->not_after, t->subject, t->issuer,
				      t->self_signed ? ", self-signed" : "");
		else
			m = probe_fmt("the server certificate expires on %s, "
				      "in %ld day%s (subject %s, issuer %s%s; "
				      "threshold %d days)",
				      t->not_after, t->days_left,
				      t->days_left == 1 ? "" : "s", t->subject,
				      t->issuer,
				      t->self_signed ? ", self-signed" : "",
				      c->p->probe.cert_expiry_days);
		rc = probe_add_msg(c, R_PGA204, t->expired ? ACTION_DENY : -1,
				   "server", m,
				   "renew the certificate (cert-manager: check "
				   "the Certificate's status) and SELECT "
				   "pg_reload_conf();");
		if (rc)
			return rc;
	}

	/* PGA205 */
	if (!t->in_use && !c->is_socket) {
		rc = probe_add(c, R_PGA205, -1, "session",
			       ssl_off ? "the probe's own session is not "
					 "encrypted (the server has SSL off)"
				       : "the probe's own session is not "
					 "encrypted although the server offers "
					 "SSL",
			       "use sslmode=verify-full and sslrootcert=<the "
			       "server's CA> in the probe's connection string, "
			       "and for every client");
	}
	return rc;
}
