/*
 * daemon.h — the libmicrohttpd daemons of pgadmit serve: start, requests
 * in flight, drain and stop (server-internal; caller: server.c).
 *
 * The routes and request handling stay in server.c: it passes its handler
 * and completion callback to srv_daemon_start and counts its requests
 * here, so the drain knows when they are done.
 */
#ifndef PGADMIT_SERVER_DAEMON_H
#define PGADMIT_SERVER_DAEMON_H

#include <microhttpd.h>
#include <stdbool.h>

#include "pgadmit/err.h"
#include "pgadmit/server.h"

/* Listen on listen ("ADDR:PORT", ":PORT", "[v6]:PORT"; all IPv4 addresses
 * when IPv6 is missing) and start serving: with tls, the reviews daemon
 * (TLS 1.2+, cfg's thread pool, connection limit and idle timeout), else
 * the plain-HTTP metrics daemon (one thread, 64 connections), whose handler
 * calls get a non-NULL cls. Logs the port. NULL with err. */
struct MHD_Daemon *srv_daemon_start(const struct srv_config *cfg,
				    const char *listen, bool tls,
				    MHD_AccessHandlerCallback handler,
				    MHD_RequestCompletedCallback completed,
				    struct err *err);
/* Start-up is over: libmicrohttpd's messages drop to debug level. */
void srv_daemon_started(void);
/* A request was taken on (its struct allocated) / completed. */
void srv_daemon_request_begin(void);
void srv_daemon_request_end(void);
/* Shutting down: answers ask keep-alive clients to close, /readyz fails. */
bool srv_daemon_draining(void);
/* SIGTERM/SIGINT: stop accepting, wait up to grace_s seconds for the
 * requests in flight, cut those still waiting for the memory budget, stop
 * d and md (md may be NULL). */
void srv_daemon_drain_and_stop(struct MHD_Daemon *d, struct MHD_Daemon *md,
			       unsigned grace_s);

#endif
