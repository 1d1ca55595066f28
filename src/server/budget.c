/*
 * budget.c — memory budget for buffered review bodies with backpressure
 * (budget.h).
 *
 * One mutex guards the counters and the FIFO of waiters. Suspend and
 * resume are called with it held, so a waiter is always suspended before
 * anyone can resume it; libmicrohttpd 0.9.75 takes its own
 * cleanup_connection_mutex inside both and calls none of our callbacks
 * while holding that one, so the lock order is always ours, then its.
 * A waiter's struct lives in the request, which is freed only when
 * libmicrohttpd completes the request: it never does so for a suspended
 * connection (not even on MHD_stop_daemon, which the drain precedes with
 * a sweep of every waiter), and a waiter leaves the queue before it is
 * resumed.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>

#include "budget.h"
#include "server_int.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long long total, used, peak;
static struct budget_wait *head, *tail;
static unsigned waiting;
static unsigned long long waited_total, cut_total;
static bool closed; /* draining: nothing may be suspended any more */

void srv_budget_init(long long t)
{
	pthread_mutex_lock(&mu);
	total = t;
	used = peak = 0;
	head = tail = NULL;
	waiting = 0;
	waited_total = cut_total = 0;
	closed = false;
	pthread_mutex_unlock(&mu);
}

long long srv_budget_total(void)
{
	return total;
}

static bool is_small(const struct budget_wait *w)
{
	return w->need <= BUDGET_SMALL_BYTES;
}

/* What the class of w may fill the budget up to. */
static long long limit_for(const struct budget_wait *w)
{
	return is_small(w) ? total : total - BUDGET_SMALL_RESERVE;
}

static void take(struct budget_wait *w)
{
	used += w->need;
	if (used > peak)
		peak = used;
	w->state = BW_GRANTED;
}

static void unlink_waiter(struct budget_wait *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		tail = w->prev;
	w->prev = w->next = NULL;
	waiting--;
}

/* Grant, in order, every waiter that fits and is not behind a blocked
 * waiter of its own class. Called with mu held. */
static void grant_fitting(void)
{
	bool small_blocked = false, big_blocked = false;
	struct budget_wait *w = head;
	while (w && !(small_blocked && big_blocked)) {
		struct budget_wait *next = w->next;
		bool small = is_small(w);
		if (!(small ? small_blocked : big_blocked)) {
			if (used + w->need <= limit_for(w)) {
				unlink_waiter(w);
				take(w);
				MHD_resume_connection(w->c);
			} else if (small) {
				small_blocked = true;
			} else {
				big_blocked = true;
			}
		}
		w = next;
	}
}

static bool class_queued(const struct budget_wait *w)
{
	for (struct budget_wait *q = head; q; q = q->next)
		if (is_small(q) == is_small(w))
			return true;
	return false;
}

bool srv_budget_acquire(struct budget_wait *w, struct MHD_Connection *c,
			long long need)
{
	w->c = c;
	w->need = need;
	w->prev = w->next = NULL;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	w->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
	clock_gettime(CLOCK_MONOTONIC, &w->since);
	pthread_mutex_lock(&mu);
	/* A reservation its class can never fit would wait forever:
	 * srv_run sizes the cap below the budget, this is a backstop. */
	if (w->need > limit_for(w))
		w->need = limit_for(w);
	if (used + w->need <= limit_for(w) && !class_queued(w)) {
		take(w);
		pthread_mutex_unlock(&mu);
		return true;
	}
	if (closed) {
		/* After the drain's last sweep a keep-alive connection may
		 * still start a request: MHD_stop_daemon must not find it
		 * suspended, so close it instead of queueing it. */
		w->state = BW_CUT;
		if (w->fd != MHD_INVALID_SOCKET)
			shutdown(w->fd, SHUT_RDWR);
		cut_total++;
		pthread_mutex_unlock(&mu);
		return false;
	}
	w->state = BW_WAITING;
	w->prev = tail;
	if (tail)
		tail->next = w;
	else
		head = w;
	tail = w;
	waiting++;
	waited_total++;
	MHD_suspend_connection(c);
	pthread_mutex_unlock(&mu);
	return false;
}

int srv_budget_state(struct budget_wait *w)
{
	pthread_mutex_lock(&mu);
	int s = w->state;
	pthread_mutex_unlock(&mu);
	return s;
}

void srv_budget_release(struct budget_wait *w)
{
	pthread_mutex_lock(&mu);
	if (w->state == BW_WAITING) {
		/* Not reached (a queued request is never completed); kept
		 * so that a waiter can never be left dangling in the queue. */
		unlink_waiter(w);
	} else if (w->state == BW_GRANTED) {
		used -= w->need;
		grant_fitting();
	}
	w->state = BW_NONE;
	pthread_mutex_unlock(&mu);
}

unsigned srv_budget_sweep(double deadline_s)
{
	struct timespec now;
	unsigned n = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&mu);
	if (deadline_s < 0)
		closed = true;
	struct budget_wait *w = head;
	while (w) {
		struct budget_wait *next = w->next;
		double waited = (double)(now.tv_sec - w->since.tv_sec) +
				(double)(now.tv_nsec - w->since.tv_nsec) / 1e9;
		if (deadline_s < 0 || waited > deadline_s) {
			unlink_waiter(w);
			w->state = BW_CUT;
			/* The client sees the connection close; libmicrohttpd
			 * sees end of stream once resumed and cleans up. */
			if (w->fd != MHD_INVALID_SOCKET)
				shutdown(w->fd, SHUT_RDWR);
			MHD_resume_connection(w->c);
			cut_total++;
			n++;
		}
		w = next;
	}
	pthread_mutex_unlock(&mu);
	if (n) {
		char buf[16], lim[16];
		snprintf(buf, sizeof(buf), "%u", n);
		snprintf(lim, sizeof(lim), "%.0f",
			 deadline_s < 0 ? 0 : deadline_s);
		srv_log(SRV_WARN,
			deadline_s < 0 ? "shutting down: requests waiting for "
					 "memory budget closed"
				       : "requests waited too long for memory "
					 "budget, connections closed",
			"connections", buf, "deadline_s", lim, NULL);
	}
	return n;
}

void srv_budget_stats(long long *u, long long *p, unsigned *wt,
		      unsigned long long *wtot, unsigned long long *ctot)
{
	pthread_mutex_lock(&mu);
	*u = used;
	*p = peak;
	*wt = waiting;
	*wtot = waited_total;
	*ctot = cut_total;
	pthread_mutex_unlock(&mu);
}
