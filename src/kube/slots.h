/*
 * slots.h — the table of per-namespace entries that the webhook's caches
 * keep (slots.c), and the single-flight fetch of what an entry holds.
 * Callers: cache.c (CronJobs, PGA103) and nscache.c (PGA103's
 * ScheduledBackups, PGA105, PGA106). Not for other modules.
 */
#ifndef PGADMIT_KUBE_SLOTS_H
#define PGADMIT_KUBE_SLOTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Listings an entry may fetch on its own (nscache.c: monitoring and
 * ScheduledBackups; cache.c uses the first). */
#define KUBE_SLOT_FLIGHTS 2

/* One listing's fetch: at most one in flight, its failure remembered. */
struct kube_flight {
	bool fetching;
	long long failed_at; /* ms, monotonic; 0 = no recent failure */
	char why[160];
};

/* The head of every entry: a cache's entry struct starts with it. */
struct kube_slot {
	char *ns;
	long long used_at; /* ms; LRU eviction */
	struct kube_flight fl[KUBE_SLOT_FLIGHTS];
};

/* Frees what a cache keeps in an entry besides the head. */
typedef void (*kube_slot_clear_fn)(struct kube_slot *e);

/* A fixed table of max entries of size bytes. mu guards the entries (and
 * the cache's counters); cv wakes the callers waiting for a fetch. */
struct kube_slots {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	unsigned char *v;
	size_t size, n, max;
	kube_slot_clear_fn clear;
};

/* max 0: KUBE_CACHE_MAX_ENTRIES. 0, or -1 out of memory. */
int kube_slots_init(struct kube_slots *t, size_t size, size_t max,
		    kube_slot_clear_fn clear);
/* Clears every entry (clear, then the head), frees the table. */
void kube_slots_destroy(struct kube_slots *t);

/* ns's entry, or a new one (evicting the least recently used entry with no
 * fetch in flight); NULL when every entry is busy or out of memory.
 * Locked. */
struct kube_slot *kube_slots_get(struct kube_slots *t, const char *ns);

/* What kube_slots_claim asks for: ns's flight `which`. answer is asked
 * first on every round, locked (after a wait the entry may be another
 * one): true when e's fresh data answered (the cache keeps its answer and
 * counts its hit in arg). */
struct kube_slot_ask {
	const char *ns;
	int which;
	long long deadline; /* ms, monotonic: clock_ms() + timeout_ms */
	int timeout_ms;
	bool (*answer)(struct kube_slot *e, long long now, void *arg);
	void *arg;
};

enum kube_claim {
	KUBE_CLAIM_ANSWERED, /* a->answer answered from the entry */
	KUBE_CLAIM_UNKNOWN,  /* why says why */
	KUBE_CLAIM_FETCH,    /* *ep's flight is the caller's to fetch */
};

/* Answer from the entry, from a failure remembered KUBE_CACHE_FAIL_TTL_MS
 * (why: its message), or claim the fetch (the caller then unlocks, fetches,
 * locks and calls kube_slots_done). While another caller's fetch is in
 * flight, wait on cv until a->deadline (why: "Kubernetes API did not answer
 * within N ms"); no entry to be had: why "namespace cache full". Locked
 * (the wait releases the mutex). */
enum kube_claim kube_slots_claim(struct kube_slots *t,
				 const struct kube_slot_ask *a,
				 struct kube_slot **ep, char *why,
				 size_t whylen);

/* End e's fetch of flight which (claimed by kube_slots_claim; a busy
 * entry is never evicted, so e is still ns's): failed NULL forgets the
 * last failure, else failed is remembered; wakes the waiters. Locked. */
void kube_slots_done(struct kube_slots *t, struct kube_slot *e, int which,
		     const char *failed);

#endif
