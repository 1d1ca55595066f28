/*
 * server.c — routes, requests and life cycle of pgadmit serve (server.h):
 * srv_run and the handler. The libmicrohttpd daemons (start, drain, stop)
 * are daemon.c's, the reference-counted policy policy_ref.c's.
 *
 * Threads: libmicrohttpd's epoll thread pool (one per CPU) runs the
 * handlers; the main thread waits on a signalfd (SIGHUP reload, SIGTERM/INT
 * drain), checks the certificate files and sweeps connections past the
 * request-header deadline (deadline.c) once a second. No work happens in
 * signal handlers: the signals are blocked and read from the signalfd.
 *
 * Per request: a struct req (body buffer, timer) allocated on the first
 * handler call and freed in the completion callback, whatever way the
 * connection ends, so a client that disappears mid-body leaks nothing.
 */
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "daemon.h"
#include "deadline.h"
#include "parsemem.h"
#include "policy_ref.h"
#include "skim.h"
#include "unescape.h"
#include "pgadmit/kube.h"
#include "server_int.h"
#include "pgadmit/strbuf.h"

#define CT_JSON "application/json"
/* Budgeted per request besides its body (JSON tree nodes, the answer). */
#define BUDGET_REQUEST_FLOOR (16 * 1024)
#define MMAP_THRESHOLD_BYTES (128 * 1024)
#define REQUEST_DEADLINE_S 30.0 /* longest kube-apiserver webhook timeout */
/* A chunked body past the cap is discarded, not stored; up to this much more
 * is read so that a client a little over the cap still gets its 413, then
 * the connection is dropped so a 100 MB upload costs no more than this. */
#define OVERSIZE_DRAIN_BYTES (1LL << 20)
/* Request headers are due within the idle timeout plus this (deadline.h):
 * a real client sends them at once, even on a keep-alive connection that
 * sat idle for almost the whole idle timeout first. */
#define HEADER_GRACE_S 5

enum route {
	ROUTE_VALIDATE,
	ROUTE_MUTATE,
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_NONE
};

static const struct {
	const char *path;
	const char *method;
	bool on_plain; /* also served by the plain-HTTP metrics listener */
} routes[] = {
	[ROUTE_VALIDATE] = {"/validate", "POST", false},
	[ROUTE_MUTATE] = {"/mutate", "POST", false},
	[ROUTE_HEALTHZ] = {"/healthz", "GET", true},
	[ROUTE_READYZ] = {"/readyz", "GET", true},
	[ROUTE_METRICS] = {"/metrics", "GET", true},
};

struct server {
	const struct srv_config *cfg;
	struct kube_cache *kube;
};

static struct server S; /* one server per process: signals are global */

struct req {
	enum route route;
	struct strbuf body;
	struct budget_wait bw; /* memory reservation (budget.h) */
	long long body_need;   /* bytes the body buffer is sized for */
	bool granted;          /* seen granted by this connection's thread */
	long long max;
	/* The policy that capped the body judges it: one reference from the
	 * first call to completed() (a SIGHUP in between does not mix two). */
	struct policy_ref *pol;
	long long seen; /* body bytes received, stored or not */
	bool too_big;
	struct timespec t0;
};

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     void *body, size_t len,
			     enum MHD_ResponseMemoryMode mode,
			     const char *ctype, const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	/* While draining, ask keep-alive clients to go elsewhere. */
	if (srv_daemon_draining())
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_static(struct MHD_Connection *c, unsigned status,
				    const char *text, const char *ctype,
				    const char *allow)
{
	return reply(c, status, (void *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT, ctype, allow);
}

static enum MHD_Result reply_sb(struct MHD_Connection *c, unsigned status,
				struct strbuf *sb, const char *ctype)
{
	size_t len = sb->len;
	char *body = sb_detach(sb);
	if (!body)
		return reply_static(c, 500, "{\"error\":\"out of memory\"}\n",
				    CT_JSON, NULL);
	return reply(c, status, body, len, MHD_RESPMEM_MUST_FREE, ctype, NULL);
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* What a request reserves from the budget: its body, the JSON tree and
 * answer built from it, and a floor for the small fixed allocations. */
static long long budget_need(long long body)
{
	return body * BUDGET_BYTES_PER_BODY_BYTE + BUDGET_REQUEST_FLOOR;
}

/* ---- routes ------------------------------------------------------------- */

static enum MHD_Result serve_readyz(struct MHD_Connection *c)
{
	struct strbuf sb = STRBUF_INIT;
	bool cert = srv_tls_ready();
	struct policy_ref *pr = srv_policy_acquire();
	bool draining = srv_daemon_draining();
	if (cert && pr && !draining) {
		srv_policy_release(pr);
		return reply_static(c, 200, "ready\n", "text/plain", NULL);
	}
	srv_policy_release(pr);
	sb_puts(&sb, "not ready:");
	if (!cert)
		sb_puts(&sb, " no valid certificate loaded;");
	if (!pr)
		sb_puts(&sb, " no policy loaded;");
	if (draining)
		sb_puts(&sb, " shutting down;");
	sb_putc(&sb, '\n');
	return reply_sb(c, 503, &sb, "text/plain");
}

static enum MHD_Result serve_metrics(struct MHD_Connection *c)
{
	struct strbuf sb = STRBUF_INIT;
	srv_metrics_render(&sb, S.kube);
	return reply_sb(c, 200, &sb,
			"text/plain; version=0.0.4; charset=utf-8");
}

/* A review refused before it was judged counts and logs as an error. */
static void record_error(enum route r, int status, const char *why,
			 double seconds)
{
	enum admission_endpoint ep = r == ROUTE_VALIDATE ? ADMISSION_VALIDATE
							 : ADMISSION_MUTATE;
	struct admission_result res;
	memset(&res, 0, sizeof(res));
	res.decision = ADM_ERROR;
	res.status = status;
	res.error = (char *)why;
	srv_metrics_request(ep, &res, seconds);
	srv_log_review(admission_endpoint_name(ep), &res, seconds * 1e3);
}

/* A body over the cap counts and logs as a 413 review error, whether it is
 * answered or its connection dropped. */
static void record_too_large(enum route r, double seconds)
{
	record_error(r, 413, "request body too large", seconds);
}

static enum MHD_Result serve_review(struct MHD_Connection *c, struct req *rq)
{
	enum admission_endpoint ep = rq->route == ROUTE_VALIDATE
					     ? ADMISSION_VALIDATE
					     : ADMISSION_MUTATE;
	struct admission_result res;
	if (rq->too_big) {
		/* Chunked upload that grew past the cap. */
		record_too_large(rq->route, elapsed_s(&rq->t0));
		return reply_static(c, MHD_HTTP_CONTENT_TOO_LARGE,
				    "{\"error\":\"request body too large\"}\n",
				    CT_JSON, NULL);
	}
	struct policy_ref *pr = rq->pol;
	if (!pr)
		return reply_static(c, 503,
				    "{\"error\":\"no policy loaded\"}\n",
				    CT_JSON, NULL);
	struct admission_env env = {srv_policy_of(pr), S.kube};
	if (rq->body.buf) {
		/* No rule reads oldObject: not parsing it halves the cost of
		 * the largest UPDATE reviews (skim.h). */
		rq->body.len = srv_skim_old_object(rq->body.buf, rq->body.len);
		/* Go's \u003c for '<' costs jansson six bytes' work: the
		 * same strings, shorter (unescape.h; large bodies only). */
		rq->body.len = srv_unescape_ascii(rq->body.buf, rq->body.len);
		rq->body.buf[rq->body.len] = '\0';
	}
	/* The tree may use the request's reservation beyond its body, then
	 * a shared overdraft; past that jansson's allocations fail. */
	srv_parsemem_begin(budget_need(rq->body_need) - rq->body_need);
	int rc = admission_handle(&env, ep, rq->body.buf ? rq->body.buf : "",
				  rq->body.len, &res);
	bool refused = srv_parsemem_end();
	if (refused) {
		admission_result_free(&res);
		record_error(rq->route, 413,
			     "review needs more memory to "
			     "parse than its budget",
			     elapsed_s(&rq->t0));
		return reply_static(c, MHD_HTTP_CONTENT_TOO_LARGE,
				    "{\"error\":\"review needs more memory to "
				    "parse than its budget\"}\n",
				    CT_JSON, NULL);
	}
	if (rc) {
		admission_result_free(&res);
		srv_log(SRV_ERROR, "out of memory answering a review", NULL);
		return reply_static(c, 500, "{\"error\":\"out of memory\"}\n",
				    CT_JSON, NULL);
	}
	/* Side effects after the decision (admission.h: the module is pure). */
	if (res.cronjob && S.kube)
		kube_cache_note_cronjob(S.kube, res.ns, res.cronjob);
	double s = elapsed_s(&rq->t0);
	srv_metrics_request(ep, &res, s);
	srv_log_review(admission_endpoint_name(ep), &res, s * 1e3);
	char *body = res.body;
	size_t len = res.body_len;
	unsigned status = (unsigned)res.status;
	res.body = NULL;
	admission_result_free(&res);
	return reply(c, status, body, len, MHD_RESPMEM_MUST_FREE, CT_JSON,
		     NULL);
}

static enum route route_of(const char *url, bool plain)
{
	for (int i = 0; i < ROUTE_NONE; i++)
		if (strcmp(url, routes[i].path) == 0 &&
		    (!plain || routes[i].on_plain))
			return (enum route)i;
	return ROUTE_NONE;
}

static long long max_body(const struct policy_ref *pr)
{
	if (S.cfg->max_body_bytes > 0)
		return S.cfg->max_body_bytes;
	return pr ? srv_policy_of(pr)->webhook.max_body_bytes : 20LL << 20;
}

static bool body_chunked(struct MHD_Connection *c)
{
	const char *te =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	return te && strcasecmp(te, "identity") != 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	bool plain = cls != NULL;
	struct req *rq = *con_cls;
	(void)version;

	if (!rq) {
		srv_deadline_headers_done(c);
		enum route r = route_of(url, plain);
		if (r == ROUTE_NONE)
			return reply_static(c, 404,
					    "{\"error\":\"not found\"}\n",
					    CT_JSON, NULL);
		if (strcmp(method, routes[r].method) != 0 &&
		    !(strcmp(method, "HEAD") == 0 &&
		      strcmp(routes[r].method, "GET") == 0))
			return reply_static(
				c, 405, "{\"error\":\"method not allowed\"}\n",
				CT_JSON, routes[r].method);
		switch (r) {
		case ROUTE_HEALTHZ:
			return reply_static(c, 200, "ok\n", "text/plain", NULL);
		case ROUTE_READYZ: return serve_readyz(c);
		case ROUTE_METRICS: return serve_metrics(c);
		default: break;
		}
		struct policy_ref *pr = srv_policy_acquire();
		long long max = max_body(pr);
		const char *cl = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		long long want = 0;
		if (cl) {
			char *end;
			errno = 0;
			want = strtoll(cl, &end, 10);
			if (errno || end == cl || *end || want < 0)
				want = 0;
		}
		if (want > max) {
			/* Refuse before reading a byte of it. */
			srv_policy_release(pr);
			record_too_large(r, 0);
			return reply_static(c, MHD_HTTP_CONTENT_TOO_LARGE,
					    "{\"error\":\"request body too "
					    "large\"}\n",
					    CT_JSON, NULL);
		}
		rq = calloc(1, sizeof(*rq));
		if (!rq) {
			srv_policy_release(pr);
			return MHD_NO;
		}
		rq->route = r;
		rq->max = max;
		rq->pol = pr; /* released in completed() */
		clock_gettime(CLOCK_MONOTONIC, &rq->t0);
		/* Without a length the body may be chunked: size for the
		 * cap (the API server always sends Content-Length). */
		rq->body_need = want > 0 ? want : (body_chunked(c) ? max : 0);
		srv_daemon_request_begin();
		*con_cls = rq;
		/* Granted at once, or suspended until the budget allows:
		 * either way the next call brings the body. */
		rq->granted = srv_budget_acquire(&rq->bw, c,
						 budget_need(rq->body_need));
		return MHD_YES;
	}
	if (!rq->granted) {
		if (srv_budget_state(&rq->bw) != BW_GRANTED)
			return MHD_NO; /* cut while waiting (deadline or
					* shutdown): the socket is shut already */
		rq->granted = true;
		/* Resumed: libmicrohttpd repeats the first call (no data,
		 * still before the body), not the final one. */
		return MHD_YES;
	}
	if (*upload_size && !rq->body.buf && !rq->too_big &&
	    rq->body_need > 0) {
		/* Reserved: one buffer of the announced size (large ones are
		 * mmapped, their pages resident only as the body fills
		 * them), so appending never reallocates. */
		size_t n = (size_t)rq->body_need + 1;
		rq->body.buf = malloc(n);
		if (!rq->body.buf)
			return MHD_NO;
		rq->body.cap = n;
		rq->body.buf[0] = '\0';
	}
	if (*upload_size) {
		/* The idle timeout restarts with every byte: bound the
		 * whole upload too, or a trickling client holds a slot. */
		if (elapsed_s(&rq->t0) > REQUEST_DEADLINE_S) {
			srv_log(SRV_WARN,
				"request body too slow, connection dropped",
				"endpoint", routes[rq->route].path, NULL);
			return MHD_NO;
		}
		rq->seen += (long long)*upload_size;
		if (rq->too_big && rq->seen > rq->max + OVERSIZE_DRAIN_BYTES) {
			/* libmicrohttpd cannot answer before the body ends:
			 * stop reading instead of swallowing the rest. */
			record_too_large(rq->route, elapsed_s(&rq->t0));
			srv_log(SRV_WARN,
				"request body far over the limit, "
				"connection dropped",
				"endpoint", routes[rq->route].path, NULL);
			return MHD_NO;
		}
		if (!rq->too_big) {
			if ((long long)(rq->body.len + *upload_size) >
			    rq->max) {
				rq->too_big = true;
				sb_free(&rq->body);
			} else {
				sb_append(&rq->body, upload, *upload_size);
				if (!sb_ok(&rq->body))
					return MHD_NO;
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return serve_review(c, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	srv_deadline_request_done(c);
	struct req *rq = *con_cls;
	if (!rq)
		return;
	sb_free(&rq->body);
	srv_budget_release(&rq->bw);
	srv_policy_release(rq->pol);
	free(rq);
	*con_cls = NULL;
	srv_daemon_request_end();
}

/* ---- life cycle --------------------------------------------------------- */

/* The memory budget must fit at least one review of the largest size,
 * with the share kept for small reviews on top. */
static int budget_setup(struct err *err)
{
	long long total = S.cfg->body_budget_bytes > 0
				  ? S.cfg->body_budget_bytes
				  : SRV_DEFAULT_BODY_BUDGET;
	struct policy_ref *pr = srv_policy_acquire(); /* the one just loaded */
	long long max = max_body(pr);
	srv_policy_release(pr);
	long long need = budget_need(max) + BUDGET_SMALL_RESERVE;
	if (total < need) {
		err_set(err,
			"body budget %lld bytes is too small for the body cap "
			"of %lld bytes: it needs at least %lld (%d x cap + "
			"%lld KiB + %lld MiB kept for small reviews)",
			total, max, need, BUDGET_BYTES_PER_BODY_BYTE,
			(long long)BUDGET_REQUEST_FLOOR / 1024,
			BUDGET_SMALL_RESERVE >> 20);
		return -1;
	}
	srv_budget_init(total);
	char t[24], m[24];
	snprintf(t, sizeof(t), "%lld", total);
	snprintf(m, sizeof(m), "%lld", max);
	srv_log(SRV_INFO, "memory budget for request bodies", "budget_bytes", t,
		"max_body_bytes", m, NULL);
	return 0;
}

enum srv_outcome srv_run(const struct srv_config *cfg, struct err *err)
{
	struct MHD_Daemon *d = NULL, *md = NULL;
	int sfd = -1;
	enum srv_outcome rc = SRV_START_FAILED;
	bool curl_ready = false;
	sigset_t set;

	memset(&S, 0, sizeof(S));
	S.cfg = cfg;
#ifdef __GLIBC__
	/* Large blocks (bodies, big strings of the parsed tree) straight
	 * from mmap and back to the system when freed: glibc's adaptive
	 * threshold would otherwise move them into per-thread arenas that
	 * keep their peak, and RSS would outgrow the memory budget. */
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
#endif
	/* Before anything allocates a JSON value (parsemem.h). */
	srv_parsemem_init();
	json_object_seed(0);

	if (!cfg->tls_cert || !*cfg->tls_cert || !cfg->tls_key ||
	    !*cfg->tls_key) {
		err_set(err,
			"no TLS certificate: set --tls-cert/PGADMIT_TLS_CERT "
			"and --tls-key/PGADMIT_TLS_KEY (the API server "
			"calls webhooks over HTTPS only)");
		goto out;
	}
	if (srv_tls_load(cfg->tls_cert, cfg->tls_key, err))
		goto out;
	srv_metrics_cert_loaded(srv_tls_not_after());
	if (srv_policy_load(cfg->policy_path, false, err))
		goto out;
	if (budget_setup(err))
		goto out;
	srv_deadline_init(cfg->idle_timeout_s + HEADER_GRACE_S);
	if (kube_global_init()) {
		err_set(err, "curl_global_init failed");
		goto out;
	}
	curl_ready = true;
	struct err kerr;
	err_clear(&kerr);
	struct kube_client *kc = kube_client_from_env(&kerr);
	S.kube = kube_cache_new(kc, kerr.msg, KUBE_CACHE_MAX_ENTRIES);
	if (!S.kube) {
		kube_client_free(kc);
		err_nomem(err);
		goto out;
	}
	if (kc)
		srv_log(SRV_INFO,
			"PGA103: listing CronJobs from the Kubernetes API",
			"url", kube_client_url(kc), NULL);
	else
		srv_log(SRV_WARN, "PGA103: backups cannot be verified",
			"reason", kerr.msg, NULL);

	/* Signals go to the signalfd, never to handlers; every thread
	 * started from here on inherits the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		err_set(err, "signalfd: %s", strerror(errno));
		goto out;
	}
	d = srv_daemon_start(cfg, cfg->listen, true, handler, completed, err);
	if (!d)
		goto out;
	if (cfg->metrics_listen && *cfg->metrics_listen) {
		md = srv_daemon_start(cfg, cfg->metrics_listen, false, handler,
				      completed, err);
		if (!md)
			goto out;
	}
	srv_daemon_started();
	rc = SRV_RUNTIME_FAILED;
	for (;;) {
		struct pollfd pfd = {sfd, POLLIN, 0};
		int n = poll(&pfd, 1, 1000);
		if (n < 0 && errno != EINTR) {
			err_set(err, "poll: %s", strerror(errno));
			break;
		}
		struct err terr;
		err_clear(&terr);
		int tr = srv_tls_maybe_reload(&terr);
		if (tr) /* certificate events go one way: tls -> here -> metrics */
			srv_metrics_cert_reload(tr > 0, srv_tls_not_after());
		if (tr < 0)
			srv_log(SRV_ERROR,
				"certificate reload failed, keeping "
				"the old certificate",
				"error", terr.msg, NULL);
		srv_deadline_sweep();
		srv_budget_sweep(REQUEST_DEADLINE_S);
		if (n <= 0)
			continue;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			srv_policy_load(cfg->policy_path, true, NULL);
			continue;
		}
		srv_daemon_drain_and_stop(d, md, cfg->shutdown_grace_s);
		d = md = NULL;
		rc = SRV_STOPPED;
		break;
	}
out:
	if (d)
		MHD_stop_daemon(d);
	if (md)
		MHD_stop_daemon(md);
	if (sfd >= 0)
		close(sfd);
	kube_cache_free(S.kube);
	S.kube = NULL;
	srv_policy_cleanup();
	srv_tls_cleanup();
	if (curl_ready)
		kube_global_cleanup();
	return rc;
}
