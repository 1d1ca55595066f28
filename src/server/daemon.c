/*
 * daemon.c — the libmicrohttpd daemons of pgadmit serve (daemon.h): the
 * reviews daemon over TLS and the plain-HTTP metrics daemon, from listen
 * to stop.
 *
 * Owns what libmicrohttpd is started with (TLS priorities, thread pool,
 * limits, the socket receive buffer cap, its log messages) and the drain:
 * the count of requests in flight and the draining flag, read by the
 * handler threads, written by the main thread. Which requests are served
 * and how is server.c's business (its callbacks are passed in).
 */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "cpus.h"
#include "daemon.h"
#include "deadline.h"
#include "server_int.h"

/* TLS 1.3 and 1.2 only; for TLS 1.2 the Mozilla "intermediate" suites:
 * ECDHE (ECDSA or RSA certificates) with AES-GCM or ChaCha20-Poly1305, no
 * CBC, no SHA-1 MACs, no static RSA key exchange (docs/memory.md, "TLS").
 * TLS 1.3 keeps its AEAD suites (AES-GCM, ChaCha20-Poly1305). */
#define TLS_PRIORITIES                                                         \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:" \
	"+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" \
	"+ECDHE-RSA"
#define DRAIN_SETTLE_MS 300
#define SOCKET_RCVBUF_BYTES (64 * 1024)

static _Atomic bool draining;
static _Atomic int in_flight;
static _Atomic bool started;

void srv_daemon_started(void)
{
	atomic_store(&started, true);
}

void srv_daemon_request_begin(void)
{
	atomic_fetch_add(&in_flight, 1);
}

void srv_daemon_request_end(void)
{
	atomic_fetch_sub(&in_flight, 1);
}

bool srv_daemon_draining(void)
{
	return atomic_load(&draining);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	/* After start-up these are mostly failed handshakes of clients
	 * (old TLS versions, scanners): debug level. */
	srv_log(atomic_load(&started) ? SRV_DEBUG : SRV_ERROR, "libmicrohttpd",
		"detail", buf, NULL);
}

/* Accepted sockets inherit the listening socket's receive buffer size.
 * Without a cap Linux lets a connection that is not being read (one
 * waiting for the memory budget) queue up to tcp_rmem's maximum, about
 * 1 MB here measured, and that kernel memory is charged to the pod's
 * memory cgroup as well: 500 waiting uploads queued 430 MB. Capped, a
 * connection queues at most twice this (docs/memory.md). */
static void cap_socket_buffers(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	int sz = SOCKET_RCVBUF_BYTES;
	if (di && di->listen_fd != MHD_INVALID_SOCKET &&
	    setsockopt(di->listen_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
		srv_log(SRV_WARN, "cannot cap socket receive buffers", "error",
			strerror(errno), NULL);
}

/* Appends one option to an MHD_OPTION_ARRAY; for the options that take a
 * callback and its closure, value is the callback and ptr the closure. */
static void opt(struct MHD_OptionItem *o, size_t *n, enum MHD_OPTION op,
		intptr_t value, void *ptr)
{
	o[*n] = (struct MHD_OptionItem){op, value, ptr};
	(*n)++;
}

struct MHD_Daemon *srv_daemon_start(const struct srv_config *cfg,
				    const char *listen, bool tls,
				    MHD_AccessHandlerCallback handler,
				    MHD_RequestCompletedCallback completed,
				    struct err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool any;
	if (srv_parse_listen(listen, &ss, &sl, &any, err))
		return NULL;
	unsigned threads = cfg->threads ? cfg->threads : srv_default_threads();
	for (int attempt = 0; attempt < 2; attempt++) {
		unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
				 MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
		if (ss.ss_family == AF_INET6)
			flags |= any ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
		if (tls)
			flags |= MHD_USE_TLS;
		struct MHD_OptionItem o[16];
		size_t n = 0;
		opt(o, &n, MHD_OPTION_SOCK_ADDR, 0, &ss);
		opt(o, &n, MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s,
		    NULL);
		opt(o, &n, MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed,
		    NULL);
		opt(o, &n, MHD_OPTION_NOTIFY_CONNECTION,
		    (intptr_t)srv_deadline_notify, NULL);
		opt(o, &n, MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger,
		    NULL);
		if (tls) {
			opt(o, &n, MHD_OPTION_THREAD_POOL_SIZE, threads, NULL);
			opt(o, &n, MHD_OPTION_CONNECTION_LIMIT,
			    cfg->max_connections, NULL);
			opt(o, &n, MHD_OPTION_LISTEN_BACKLOG_SIZE, 511, NULL);
			opt(o, &n, MHD_OPTION_HTTPS_PRIORITIES, 0,
			    (void *)TLS_PRIORITIES);
			opt(o, &n, MHD_OPTION_HTTPS_CERT_CALLBACK2, 0,
			    srv_tls_callback());
		} else {
			opt(o, &n, MHD_OPTION_CONNECTION_LIMIT, 64, NULL);
		}
		opt(o, &n, MHD_OPTION_END, 0, NULL);
		/* The handler's closure tells the metrics daemon apart. */
		struct MHD_Daemon *d =
			MHD_start_daemon(flags, 0, NULL, NULL, handler,
					 tls ? NULL : (void *)1,
					 MHD_OPTION_ARRAY, o, MHD_OPTION_END);
		if (d) {
			cap_socket_buffers(d);
			const union MHD_DaemonInfo *di =
				MHD_get_daemon_info(d,
						    MHD_DAEMON_INFO_BIND_PORT);
			char port[16], nt[16];
			snprintf(port, sizeof(port), "%u", di ? di->port : 0);
			snprintf(nt, sizeof(nt), "%u", tls ? threads : 1);
			srv_log(SRV_INFO,
				tls ? "listening" : "metrics listening",
				"listen", listen, "port", port, "tls",
				tls ? "TLS1.2+" : "off", "threads", nt, NULL);
			return d;
		}
		if (!any || attempt)
			break;
		/* No IPv6 in this network namespace: all IPv4 addresses. */
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		uint16_t p = ((struct sockaddr_in6 *)&ss)->sin6_port;
		memset(&ss, 0, sizeof(ss));
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_ANY);
		a->sin_port = p;
		sl = sizeof(*a);
		any = false;
	}
	err_set(err, "cannot listen on %s (address in use or not available)",
		listen);
	return NULL;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void srv_daemon_drain_and_stop(struct MHD_Daemon *d, struct MHD_Daemon *md,
			       unsigned grace_s)
{
	atomic_store(&draining, true);
	char grace[16], n[16];
	snprintf(grace, sizeof(grace), "%u", grace_s);
	snprintf(n, sizeof(n), "%d", atomic_load(&in_flight));
	srv_log(SRV_INFO, "shutting down: draining", "grace_s", grace,
		"in_flight", n, NULL);
	MHD_socket lfd = MHD_quiesce_daemon(d);
	long long start = mono_ms();
	long long deadline = start + (long long)grace_s * 1000;
	/* A request whose bytes already sit in a socket buffer is not yet
	 * counted: give the workers a moment to pick those up. */
	long long settle = start + DRAIN_SETTLE_MS;
	if (settle > deadline)
		settle = deadline;
	while (mono_ms() < deadline &&
	       (atomic_load(&in_flight) > 0 || mono_ms() < settle))
		usleep(10000);
	snprintf(n, sizeof(n), "%d", atomic_load(&in_flight));
	/* MHD_stop_daemon must find no suspended connection: close the
	 * ones still waiting for the memory budget. */
	srv_budget_sweep(-1);
	MHD_stop_daemon(d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	if (md)
		MHD_stop_daemon(md);
	srv_log(SRV_INFO, "stopped", "unfinished", n, NULL);
}
