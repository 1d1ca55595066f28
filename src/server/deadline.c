/*
 * deadline.c — request-header deadline against slowloris clients
 * (deadline.h).
 *
 * One struct tracked per connection, in a list under one mutex; the
 * socket_context of the connection points at it. The worker threads add,
 * stamp and remove entries; the main thread sweeps. The sweep may call
 * shutdown() on a socket that libmicrohttpd owns: that is safe because the
 * entry is removed in MHD_CONNECTION_NOTIFY_CLOSED, which libmicrohttpd
 * calls before it closes the socket, and both sides hold the mutex, so a
 * listed fd is never a closed (or reused) one. shutdown() does not free
 * the fd; the worker sees end of stream and cleans up as usual.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "deadline.h"
#include "server_int.h"

struct tracked {
	MHD_socket fd;
	struct timespec since; /* start of the current header phase */
	bool in_request;       /* headers complete, request not yet done */
	bool cut;              /* shut down already; waiting for the close */
	struct tracked *prev, *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct tracked *head;
static unsigned limit_s = 10;

void srv_deadline_init(unsigned header_s)
{
	limit_s = header_s ? header_s : 1;
}

static struct tracked *tracked_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

void srv_deadline_notify(void *cls, struct MHD_Connection *c,
			 void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			c, MHD_CONNECTION_INFO_CONNECTION_FD);
		/* Without an entry only the idle timeout applies. */
		struct tracked *t = ci ? calloc(1, sizeof(*t)) : NULL;
		*socket_context = t;
		if (!t)
			return;
		t->fd = ci->connect_fd;
		clock_gettime(CLOCK_MONOTONIC, &t->since);
		pthread_mutex_lock(&mu);
		t->next = head;
		if (head)
			head->prev = t;
		head = t;
		pthread_mutex_unlock(&mu);
		return;
	}
	struct tracked *t = *socket_context;
	if (!t)
		return;
	pthread_mutex_lock(&mu);
	if (t->prev)
		t->prev->next = t->next;
	else
		head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&mu);
	free(t);
	*socket_context = NULL;
}

void srv_deadline_headers_done(struct MHD_Connection *c)
{
	struct tracked *t = tracked_of(c);
	if (!t)
		return;
	pthread_mutex_lock(&mu);
	t->in_request = true;
	pthread_mutex_unlock(&mu);
}

void srv_deadline_request_done(struct MHD_Connection *c)
{
	struct tracked *t = tracked_of(c);
	if (!t)
		return;
	pthread_mutex_lock(&mu);
	t->in_request = false;
	clock_gettime(CLOCK_MONOTONIC, &t->since);
	pthread_mutex_unlock(&mu);
}

unsigned srv_deadline_sweep(void)
{
	struct timespec now;
	unsigned n = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&mu);
	for (struct tracked *t = head; t; t = t->next) {
		if (t->in_request || t->cut ||
		    now.tv_sec - t->since.tv_sec <= (time_t)limit_s)
			continue;
		shutdown(t->fd, SHUT_RDWR);
		t->cut = true;
		n++;
	}
	pthread_mutex_unlock(&mu);
	if (n) {
		char buf[16], lim[16];
		snprintf(buf, sizeof(buf), "%u", n);
		snprintf(lim, sizeof(lim), "%u", limit_s);
		srv_log(SRV_WARN,
			"request headers too slow, connections closed",
			"connections", buf, "deadline_s", lim, NULL);
	}
	return n;
}
