/*
 * server_int.h — interfaces between the files of src/server (not public:
 * include/pgadmit/server.h holds what cmd/ calls).
 *
 * Dependencies run one way: server.c calls daemon.c, policy_ref.c, log.c,
 * tls.c and metrics.c; daemon.c and policy_ref.c call log.c (daemon.c also
 * tls.c, policy_ref.c also metrics.c), never server.c; tls.c and metrics.c
 * never call each other (certificate events are pushed by server.c into
 * metrics: srv_metrics_cert_loaded/_reload). daemon.c and policy_ref.c
 * have their own small headers (daemon.h, policy_ref.h).
 */
#ifndef PGADMIT_SERVER_INT_H
#define PGADMIT_SERVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "pgadmit/admission.h"
#include "pgadmit/err.h"
#include "pgadmit/server.h"

struct strbuf;
struct kube_cache;

/* ---- listen.c ------------------------------------------------------------ */
/* Parse "ADDR:PORT", ":PORT" (all interfaces), "[v6]:PORT". 0 or -1. */
int srv_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     bool *any, struct err *err);

/* ---- log.c --------------------------------------------------------------- */
bool srv_log_enabled(enum srv_log_level l);
/* One JSON object per line: {"time","level","msg", then key/value pairs}.
 * Variadic pairs: const char *key, const char *value (NULL value = null),
 * terminated by a NULL key. Values are escaped; never pass secrets. */
void srv_log(enum srv_log_level l, const char *msg, ...);
/* The per-request line (admission decision): info, warn for a bad request,
 * debug for a review allowed at once (with the gate's "reason"). */
void srv_log_review(const char *endpoint, const struct admission_result *r,
		    double duration_ms);
#ifndef PGADMIT_TESTING
/* Also declared, for tests, in pgadmit/server.h. */
void srv_log_review_line(struct strbuf *sb, enum srv_log_level l,
			 const char *endpoint, const struct admission_result *r,
			 double duration_ms);
#endif

/* ---- tls.c --------------------------------------------------------------- */
/* Load the certificate and key (first load at start). 0 or -1 with err. */
int srv_tls_load(const char *cert_path, const char *key_path, struct err *err);
/* Reload when either file changed on disk (stat identity); keeps the old
 * pair when the new one is bad. Returns 1 reloaded, 0 unchanged, -1 bad. */
int srv_tls_maybe_reload(struct err *err);
/* The gnutls_certificate_retrieve_function3 for MHD (void * to keep gnutls
 * types out of this header). */
void *srv_tls_callback(void);
bool srv_tls_ready(void);
long long srv_tls_not_after(void); /* unix seconds, 0 when none */
void srv_tls_cleanup(void);

/* ---- metrics.c ----------------------------------------------------------- */
void srv_metrics_request(enum admission_endpoint ep,
			 const struct admission_result *r, double seconds);
void srv_metrics_policy_reload(bool ok);
/* Certificate events, pushed by server.c: the first load, then each reload
 * attempt (ok or not) with the expiry of the certificate now served. */
void srv_metrics_cert_loaded(long long not_after);
void srv_metrics_cert_reload(bool ok, long long not_after);
void srv_metrics_render(struct strbuf *sb, struct kube_cache *kc);

#endif
