/*
 * budget.h — the global memory budget for buffered review bodies, enforced
 * with backpressure (server-internal; callers: server.c, daemon.c,
 * metrics.c).
 *
 * Every review reserves, once its headers are in and before a byte of its
 * body is read, what it will hold: its body and the JSON tree parsed from
 * it (BUDGET_BYTES_PER_BODY_BYTE per body byte). When the budget cannot
 * cover that, the connection is suspended (MHD_suspend_connection: it is
 * neither read nor timed out by libmicrohttpd) and queued; a release
 * resumes the waiters that now fit. Nothing fails because the budget is
 * spent: calls wait their turn.
 *
 * Fairness: a "small" reservation (at most BUDGET_SMALL_BYTES, every
 * ordinary review) may use the whole budget; a large one may not touch the
 * last BUDGET_SMALL_RESERVE bytes, so near-limit uploads, hostile or not,
 * never hold up ordinary reviews. Within each class, first come first
 * served: a large waiter is not overtaken by later large ones.
 *
 * Waiting is bounded: the main loop's sweep cuts waiters older than the
 * request deadline (shutdown of the socket, then resume, so libmicrohttpd
 * closes it in its own thread), and the drain cuts every waiter before
 * MHD_stop_daemon, which must not see a suspended connection.
 */
#ifndef PGADMIT_SERVER_BUDGET_H
#define PGADMIT_SERVER_BUDGET_H

#include <microhttpd.h>
#include <stdbool.h>
#include <time.h>

#define BUDGET_BYTES_PER_BODY_BYTE 2
#define BUDGET_SMALL_BYTES (256LL * 1024)
#define BUDGET_SMALL_RESERVE (4LL << 20)

/* One per request (embedded in server.c's struct req). */
struct budget_wait {
	struct MHD_Connection *c;
	MHD_socket fd;
	long long need;
	struct timespec since;
	int state; /* BW_*, under the budget's mutex */
	struct budget_wait *prev, *next;
};
enum { BW_NONE, BW_WAITING, BW_GRANTED, BW_CUT };

void srv_budget_init(long long total);
long long srv_budget_total(void);
/* Reserve need bytes for connection c. Returns true when granted at once;
 * false when the connection was suspended and queued: the handler must
 * return MHD_YES and look at srv_budget_state() on its next call. */
bool srv_budget_acquire(struct budget_wait *w, struct MHD_Connection *c,
			long long need);
/* BW_GRANTED, BW_CUT (waited past the deadline or drained), ... */
int srv_budget_state(struct budget_wait *w);
/* Return a granted reservation (no-op otherwise) and resume waiters. */
void srv_budget_release(struct budget_wait *w);
/* Cut waiters that waited longer than deadline_s. With deadline_s < 0
 * (the drain, before MHD_stop_daemon): all of them, and from then on a
 * request that does not fit is closed instead of suspended. Returns how
 * many were cut. */
unsigned srv_budget_sweep(double deadline_s);
/* Figures for /metrics and the logs. */
void srv_budget_stats(long long *used, long long *peak, unsigned *waiting,
		      unsigned long long *waited_total,
		      unsigned long long *cut_total);

#endif
