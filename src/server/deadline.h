/*
 * deadline.h — a deadline on the time a connection takes to deliver a
 * request's headers (server-internal; callers: server.c, daemon.c).
 *
 * libmicrohttpd's idle timeout restarts with every byte received, so a
 * client dribbling its request line and headers a byte at a time (slowloris)
 * would hold a connection slot for hours, and max-connections of them lock
 * the API server out. Every connection is tracked from accept (TLS handshake
 * included) and again from the end of each request until the next request's
 * headers are complete; past the deadline the main loop shuts the socket
 * down, and libmicrohttpd then closes it in its own thread as if the client
 * had gone. Bodies have their own deadline in server.c (REQUEST_DEADLINE_S).
 */
#ifndef PGADMIT_SERVER_DEADLINE_H
#define PGADMIT_SERVER_DEADLINE_H

#include <microhttpd.h>

/* Headers must be complete within header_s seconds of the phase start. */
void srv_deadline_init(unsigned header_s);
/* MHD_OPTION_NOTIFY_CONNECTION callback (both daemons). */
void srv_deadline_notify(void *cls, struct MHD_Connection *c,
			 void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);
/* The handler's first call of a request: headers are in. */
void srv_deadline_headers_done(struct MHD_Connection *c);
/* The request completed (answered or not): the next one's clock starts. */
void srv_deadline_request_done(struct MHD_Connection *c);
/* Shut down connections past the deadline; call about once a second.
 * Returns how many were cut by this call. */
unsigned srv_deadline_sweep(void);

#endif
