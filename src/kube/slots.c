/*
 * slots.c — the per-namespace entry table under the webhook's caches
 * (slots.h): cache.c's CronJob listings and nscache.c's evidence.
 *
 * It owns what both caches do alike: a fixed table of entries found by
 * namespace or made by evicting the least recently used one with no fetch
 * in flight, the mutex and the CLOCK_MONOTONIC condition variable, the
 * single-flight fetch (one caller claims a listing, the others wait no
 * longer than their deadline, then look their entry up again because the
 * slot may have been reused), and the failure remembered
 * KUBE_CACHE_FAIL_TTL_MS. It does not own what an entry holds, what is
 * fresh, the HTTP calls or the counters: the caches do. The caller holds
 * the mutex across every call here, and never across an HTTP call.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/clock.h"
#include "pgadmit/kube.h"
#include "slots.h"

int kube_slots_init(struct kube_slots *t, size_t size, size_t max,
		    kube_slot_clear_fn clear)
{
	memset(t, 0, sizeof(*t));
	t->max = max ? max : KUBE_CACHE_MAX_ENTRIES;
	t->v = calloc(t->max, size);
	if (!t->v)
		return -1;
	t->size = size;
	t->clear = clear;
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

static struct kube_slot *at(struct kube_slots *t, size_t i)
{
	return (struct kube_slot *)(t->v + i * t->size);
}

static void entry_clear(struct kube_slots *t, struct kube_slot *e)
{
	t->clear(e);
	free(e->ns);
	memset(e, 0, t->size);
}

void kube_slots_destroy(struct kube_slots *t)
{
	for (size_t i = 0; i < t->n; i++)
		entry_clear(t, at(t, i));
	free(t->v);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
}

static bool busy(const struct kube_slot *e)
{
	for (int i = 0; i < KUBE_SLOT_FLIGHTS; i++)
		if (e->fl[i].fetching)
			return true;
	return false;
}

struct kube_slot *kube_slots_get(struct kube_slots *t, const char *ns)
{
	/* A slot left without a name (its strdup failed after it was
	 * cleared) matches nothing; being idle with used_at 0, it is the
	 * next one taken. */
	for (size_t i = 0; i < t->n; i++)
		if (at(t, i)->ns && strcmp(at(t, i)->ns, ns) == 0)
			return at(t, i);
	struct kube_slot *e = NULL;
	if (t->n < t->max) {
		e = at(t, t->n);
	} else {
		for (size_t i = 0; i < t->n; i++)
			if (!busy(at(t, i)) &&
			    (!e || at(t, i)->used_at < e->used_at))
				e = at(t, i);
		if (!e)
			return NULL;
		entry_clear(t, e);
	}
	e->ns = strdup(ns);
	if (!e->ns)
		return NULL;
	if (e == at(t, t->n))
		t->n++;
	return e;
}

static void ts_after_ms(struct timespec *ts, long long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

enum kube_claim kube_slots_claim(struct kube_slots *t,
				 const struct kube_slot_ask *a,
				 struct kube_slot **ep, char *why,
				 size_t whylen)
{
	struct kube_slot *e = kube_slots_get(t, a->ns);
	for (;;) {
		if (!e) {
			snprintf(why, whylen, "namespace cache full");
			return KUBE_CLAIM_UNKNOWN;
		}
		struct kube_flight *f = &e->fl[a->which];
		long long now = clock_ms();
		e->used_at = now;
		if (a->answer(e, now, a->arg))
			return KUBE_CLAIM_ANSWERED;
		if (f->failed_at &&
		    now - f->failed_at < KUBE_CACHE_FAIL_TTL_MS) {
			snprintf(why, whylen, "%s", f->why);
			return KUBE_CLAIM_UNKNOWN;
		}
		if (!f->fetching)
			break;
		/* Someone else is asking the API: wait for them. */
		long long left = a->deadline - now;
		if (left <= 0) {
			snprintf(why, whylen,
				 "Kubernetes API did not answer within %d ms",
				 a->timeout_ms);
			return KUBE_CLAIM_UNKNOWN;
		}
		struct timespec ts;
		ts_after_ms(&ts, left);
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
		/* the slot may have been reused meanwhile: look again */
		e = kube_slots_get(t, a->ns);
	}
	e->fl[a->which].fetching = true;
	*ep = e;
	return KUBE_CLAIM_FETCH;
}

void kube_slots_done(struct kube_slots *t, struct kube_slot *e, int which,
		     const char *failed)
{
	struct kube_flight *f = &e->fl[which];
	f->fetching = false;
	if (failed) {
		f->failed_at = clock_ms();
		snprintf(f->why, sizeof(f->why), "%.150s", failed);
	} else {
		f->failed_at = 0;
	}
	pthread_cond_broadcast(&t->cv);
}
