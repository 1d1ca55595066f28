/*
 * server.h — the admission webhook's HTTPS server (pgadmit serve).
 *
 * libmicrohttpd with GnuTLS (TLS 1.2/1.3 only, AEAD suites), an epoll
 * thread pool, body cap while reading, a global memory budget for bodies
 * (connections wait, suspended, when it is spent), routes /validate /mutate /healthz /readyz /metrics,
 * certificate hot reload, policy reload on SIGHUP, graceful drain on
 * SIGTERM/SIGINT, JSON-lines logs on stderr. The admission decision itself
 * lives in src/admission; this module is glue, TLS and operations.
 *
 * Pieces (one concern per file): server.c (routes, requests, life cycle),
 * daemon.c (libmicrohttpd daemons: start, drain, stop; private header
 * daemon.h), policy_ref.c (the current policy, reference counted, and its
 * reload; private header policy_ref.h), tls.c (certificate slot and
 * reload), budget.c (memory budget for request bodies with backpressure;
 * private header budget.h), parsemem.c
 * (bound on a review's JSON tree), skim.c (request.oldObject skipped
 * before the parse), cpus.c (default thread count), deadline.c (request-header deadline
 * against slowloris clients; private header src/server/deadline.h),
 * metrics.c (Prometheus text), log.c (JSON lines). Their interfaces are
 * in src/server/server_int.h; this header holds only what cmd/ calls (and,
 * behind PGADMIT_TESTING, what the tests call).
 * Caller: cmd/pgadmit/cmd_serve.c.
 */
#ifndef PGADMIT_SERVER_H
#define PGADMIT_SERVER_H

#include "pgadmit/err.h"

/* Memory budget for buffered review bodies and their parsed trees, all
 * requests together (src/server/budget.h); past it, requests wait. Sized
 * for the chart's 128 MiB container limit (docs/memory.md, "Budget"). */
#define SRV_DEFAULT_BODY_BUDGET (48LL << 20)

struct srv_config {
	const char *listen;          /* "ADDR:PORT", ":PORT", "[::1]:PORT" */
	const char *metrics_listen;  /* plain HTTP /metrics, NULL = off */
	const char *tls_cert;        /* PEM chain file */
	const char *tls_key;         /* PEM key file */
	const char *policy_path;     /* NULL = defaults + environment */
	long long max_body_bytes;    /* 0 = policy webhook.maxBodyBytes */
	long long body_budget_bytes; /* 0 = SRV_DEFAULT_BODY_BUDGET */
	unsigned idle_timeout_s;     /* per connection, default 10 */
	unsigned max_connections;    /* default 1024 */
	unsigned threads;            /* 0 = CPUs, or the cgroup CPU quota */
	unsigned shutdown_grace_s;   /* SIGTERM drain, default 10 */
};

/* How srv_run ended; cmd/ maps it to a process exit code. */
enum srv_outcome {
	SRV_STOPPED,        /* SIGTERM/SIGINT, clean drain */
	SRV_START_FAILED,   /* err says why: missing/invalid certificate, bad
			     * policy, bad listen address, port in use */
	SRV_RUNTIME_FAILED, /* fatal error while serving (err says why) */
};

/* Run until SIGTERM/SIGINT. */
PGADMIT_MUST_CHECK
enum srv_outcome srv_run(const struct srv_config *cfg, struct err *err);

/* Log level of the JSON lines on stderr (default SRV_INFO). */
enum srv_log_level { SRV_DEBUG, SRV_INFO, SRV_WARN, SRV_ERROR };
void srv_log_set_level(enum srv_log_level l);

#ifdef PGADMIT_TESTING
/* Test-only exports (tests/unit, tests/fuzz define PGADMIT_TESTING). */
struct strbuf;
struct admission_result;
/* The per-request log line (src/server/log.c), appended to *sb with its
 * newline: valid UTF-8 JSON whatever the review held. */
void srv_log_review_line(struct strbuf *sb, enum srv_log_level l,
			 const char *endpoint, const struct admission_result *r,
			 double duration_ms);
#endif

#endif
