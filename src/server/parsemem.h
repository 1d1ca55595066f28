/*
 * parsemem.h — a bound on the memory a review's JSON tree may take
 * (server-internal; caller: server.c).
 *
 * The body budget (budget.h) reserves twice the body per request: the body
 * and a tree about its size, which is what Kubernetes objects with large
 * string values (ConfigMaps, the largest reviews) parse to. Pathological
 * JSON parses to far more: "[0,0,0,...]" costs jansson about 40 bytes per
 * 2 bytes of body, so a 20 MB body would build an 400 MB tree. jansson's
 * allocations therefore go through a meter (json_set_alloc_funcs): during
 * a review, a thread may allocate its request's share, then draw on one
 * overdraft shared by all threads (PARSEMEM_OVERDRAFT); past that the
 * allocation fails, jansson stops, and the review is refused instead of
 * the process being killed for memory.
 */
#ifndef PGADMIT_SERVER_PARSEMEM_H
#define PGADMIT_SERVER_PARSEMEM_H

#include <stdbool.h>

/* Every parse may use at least this much without drawing on the
 * overdraft (an ordinary 3 KB review builds a tree of about 40 KB). */
#define PARSEMEM_MIN_SHARE (1LL << 20)
#define PARSEMEM_OVERDRAFT (16LL << 20)

/* Install the metered allocator: before any jansson allocation. */
void srv_parsemem_init(void);
/* This thread's review may allocate share bytes (at least
 * PARSEMEM_MIN_SHARE), then the overdraft. */
void srv_parsemem_begin(long long share);
/* Stop metering; true when an allocation was refused. */
bool srv_parsemem_end(void);

#endif
