/*
 * parsemem.c — metered allocator for jansson (parsemem.h).
 *
 * Every block carries a 16-byte header (its size and the review that
 * counted it), so that frees are counted exactly and blocks allocated
 * outside the current review (the policy, the CronJob cache, a previous
 * review) never change its count. The meter is
 * per thread (a review is parsed and judged on one worker thread); only
 * the overdraft is shared, as one atomic counter, charged when a thread's
 * live tree passes its share and returned when its review ends.
 * Small blocks come from and go back to per-thread free lists
 * (blockcache.h).
 */
#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "blockcache.h"
#include "parsemem.h"

struct hdr {
	size_t size;
	unsigned long long gen; /* the review that counted it, 0: none */
};
_Static_assert(sizeof(struct hdr) == 16, "keeps malloc's 16-byte alignment");

/* Counted per block besides its size: the header and malloc's own
 * (jansson's blocks are small: a 24-byte integer takes a 48-byte chunk). */
#define BLOCK_OVERHEAD 24

static _Atomic long long overdraft_used;

static _Thread_local bool on;      /* metering this thread's review */
static _Thread_local bool refused; /* an allocation was refused */
static _Thread_local long long live, share, drawn;
static _Thread_local unsigned long long gen; /* this thread's review */
static _Atomic unsigned long long next_gen = 1;

static void *meter_malloc(size_t n)
{
	if (on) {
		long long over = live + (long long)n + BLOCK_OVERHEAD - share;
		if (over > drawn) {
			long long more = over - drawn;
			if (atomic_fetch_add(&overdraft_used, more) + more >
			    PARSEMEM_OVERDRAFT) {
				atomic_fetch_sub(&overdraft_used, more);
				refused = true;
				return NULL;
			}
			drawn = over;
		}
	}
	struct hdr *h = srv_block_get(sizeof(*h) + n);
	if (!h)
		return NULL;
	h->size = n;
	h->gen = on ? gen : 0;
	if (on)
		live += (long long)n + BLOCK_OVERHEAD;
	return h + 1;
}

static void meter_free(void *p)
{
	if (!p)
		return;
	struct hdr *h = (struct hdr *)p - 1;
	if (on && h->gen == gen)
		live -= (long long)h->size + BLOCK_OVERHEAD;
	srv_block_put(h, sizeof(*h) + h->size);
}

void srv_parsemem_init(void)
{
	json_set_alloc_funcs(meter_malloc, meter_free);
}

void srv_parsemem_begin(long long s)
{
	on = true;
	gen = atomic_fetch_add(&next_gen, 1);
	refused = false;
	live = drawn = 0;
	share = s > PARSEMEM_MIN_SHARE ? s : PARSEMEM_MIN_SHARE;
}

bool srv_parsemem_end(void)
{
	on = false;
	if (drawn)
		atomic_fetch_sub(&overdraft_used, drawn);
	drawn = live = 0;
	return refused;
}
