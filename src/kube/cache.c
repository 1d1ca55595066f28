/*
 * cache.c — per-namespace CronJob views for PGA103 (kube.h).
 *
 * One entry per namespace: the last successful listing (a backup_index),
 * CronJobs admitted since then ("noted"), and the last failure. One thread
 * fetches a namespace at a time; the others wait on a condition variable no
 * longer than the timeout. The mutex is never held during the HTTP call.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/clock.h"
#include "pgadmit/kube.h"
#include "pgadmit/rules.h"
#include "kube_int.h"

struct entry {
	char *ns;
	struct backup_index *listed; /* NULL until a listing succeeded */
	long long listed_at;         /* ms, monotonic */
	long long fetch_started;     /* of the listing in listed */
	struct backup_index *noted;  /* CronJobs admitted by us */
	long long noted_at;
	long long failed_at; /* 0 = no recent failure */
	char why[160];
	bool fetching;
	long long used_at; /* LRU eviction */
};

struct kube_cache {
	struct kube_client *client;
	char unknown_why[160];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry *v;
	size_t n, max;
	unsigned long long fetch_ok, fetch_fail, hits;
	struct kube_nscache *nsc; /* PGA105/PGA106 evidence (nscache.c) */
};

struct kube_cache *kube_cache_new(struct kube_client *client,
				  const char *unknown_why, size_t max_entries)
{
	struct kube_cache *kc = calloc(1, sizeof(*kc));
	if (!kc)
		return NULL;
	kc->max = max_entries ? max_entries : KUBE_CACHE_MAX_ENTRIES;
	kc->v = calloc(kc->max, sizeof(*kc->v));
	if (!kc->v) {
		free(kc);
		return NULL;
	}
	kc->client = client;
	kc->nsc = kube_nscache_new(client, unknown_why, kc->max);
	if (!kc->nsc) {
		free(kc->v);
		free(kc);
		return NULL;
	}
	snprintf(kc->unknown_why, sizeof(kc->unknown_why), "%s",
		 unknown_why ? unknown_why : "not running in a cluster");
	pthread_mutex_init(&kc->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&kc->cv, &ca);
	pthread_condattr_destroy(&ca);
	return kc;
}

struct kube_nscache *kube_cache_nscache(struct kube_cache *kc)
{
	return kc->nsc;
}

static void entry_clear(struct entry *e)
{
	free(e->ns);
	backup_index_free(e->listed);
	backup_index_free(e->noted);
	memset(e, 0, sizeof(*e));
}

void kube_cache_free(struct kube_cache *kc)
{
	if (!kc)
		return;
	for (size_t i = 0; i < kc->n; i++)
		entry_clear(&kc->v[i]);
	free(kc->v);
	kube_nscache_free(kc->nsc);
	pthread_mutex_destroy(&kc->mu);
	pthread_cond_destroy(&kc->cv);
	kube_client_free(kc->client);
	free(kc);
}

/* Find or create (evicting the least recently used idle entry). Locked. */
static struct entry *entry_get(struct kube_cache *kc, const char *ns,
			       bool create)
{
	for (size_t i = 0; i < kc->n; i++)
		if (strcmp(kc->v[i].ns, ns) == 0)
			return &kc->v[i];
	if (!create)
		return NULL;
	struct entry *e = NULL;
	if (kc->n < kc->max) {
		e = &kc->v[kc->n];
	} else {
		for (size_t i = 0; i < kc->n; i++)
			if (!kc->v[i].fetching &&
			    (!e || kc->v[i].used_at < e->used_at))
				e = &kc->v[i];
		if (!e)
			return NULL;
		entry_clear(e);
	}
	e->ns = strdup(ns);
	if (!e->ns)
		return NULL;
	if (e == &kc->v[kc->n])
		kc->n++;
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

/* A listed CronJob into the namespace's backup index (PGA103). */
struct add_ctx {
	struct backup_index *bi;
	const char *ns;
};

static int add_cronjob(json_t *item, void *arg)
{
	struct add_ctx *a = arg;
	return backup_index_add_cronjob(a->bi, a->ns, item);
}

static enum backup_state lookup(struct kube_cache *kc, const char *ns,
				const char *name, int ttl_s, int timeout_ms,
				char *why, size_t whylen)
{
	enum backup_state st = BACKUP_UNKNOWN;
	if (!kc->client) {
		snprintf(why, whylen, "%s", kc->unknown_why);
		return BACKUP_UNKNOWN;
	}
	if (!ns || !*ns) {
		snprintf(why, whylen, "the object has no namespace");
		return BACKUP_UNKNOWN;
	}
	long long ttl_ms = (long long)ttl_s * 1000;
	long long deadline = clock_ms() + timeout_ms;
	pthread_mutex_lock(&kc->mu);
	struct entry *e = entry_get(kc, ns, true);
	if (!e) {
		snprintf(why, whylen, "namespace cache full");
		goto out;
	}
	for (;;) {
		long long now = clock_ms();
		e->used_at = now;
		if (e->noted &&
		    backup_index_lookup(e->noted, ns, name) == BACKUP_FOUND) {
			st = BACKUP_FOUND;
			kc->hits++;
			goto out;
		}
		if (e->listed && now - e->listed_at < ttl_ms) {
			st = backup_index_lookup(e->listed, ns, name);
			kc->hits++;
			goto out;
		}
		if (e->failed_at &&
		    now - e->failed_at < KUBE_CACHE_FAIL_TTL_MS) {
			snprintf(why, whylen, "%s", e->why);
			goto out;
		}
		if (!e->fetching)
			break;
		/* Someone else is asking the API: wait for them. */
		struct timespec ts;
		long long left = deadline - now;
		if (left <= 0) {
			snprintf(why, whylen,
				 "Kubernetes API did not answer "
				 "within %d ms",
				 timeout_ms);
			goto out;
		}
		ts_after_ms(&ts, left);
		pthread_cond_timedwait(&kc->cv, &kc->mu, &ts);
		/* the slot may have been reused meanwhile: look again */
		e = entry_get(kc, ns, true);
		if (!e) {
			snprintf(why, whylen, "namespace cache full");
			goto out;
		}
	}
	e->fetching = true;
	long long started = clock_ms();
	pthread_mutex_unlock(&kc->mu);

	struct err err;
	err_clear(&err);
	struct backup_index *bi = backup_index_new();
	struct add_ctx ac = {bi, ns};
	int rc = bi ? kube_list_cronjobs(kc->client, ns, timeout_ms,
					 add_cronjob, &ac, &err)
		    : err_nomem(&err);

	pthread_mutex_lock(&kc->mu);
	e->fetching = false;
	if (rc == 0) {
		kc->fetch_ok++;
		backup_index_free(e->listed);
		e->listed = bi;
		e->listed_at = clock_ms();
		e->fetch_started = started;
		e->failed_at = 0;
		if (e->noted && e->noted_at < started) {
			/* the listing already holds them */
			backup_index_free(e->noted);
			e->noted = NULL;
		}
		st = backup_index_lookup(bi, ns, name);
		if (st != BACKUP_FOUND && e->noted &&
		    backup_index_lookup(e->noted, ns, name) == BACKUP_FOUND)
			st = BACKUP_FOUND;
	} else {
		kc->fetch_fail++;
		backup_index_free(bi);
		e->failed_at = clock_ms();
		snprintf(e->why, sizeof(e->why), "%.150s", err.msg);
		snprintf(why, whylen, "%s", err.msg);
	}
	pthread_cond_broadcast(&kc->cv);
out:
	pthread_mutex_unlock(&kc->mu);
	return st;
}

enum kube_lookup kube_cache_lookup(struct kube_cache *kc, const char *ns,
				   const char *name, int ttl_s, int timeout_ms,
				   char *why, size_t whylen)
{
	switch (lookup(kc, ns, name, ttl_s, timeout_ms, why, whylen)) {
	case BACKUP_FOUND: return KUBE_LOOKUP_FOUND;
	case BACKUP_NOT_FOUND: return KUBE_LOOKUP_NOT_FOUND;
	case BACKUP_UNKNOWN:
	case BACKUP_DEFER: break;
	}
	return KUBE_LOOKUP_UNKNOWN;
}

/* Caller: src/server, after a review's decision (kube.h). */
void kube_cache_note_cronjob(struct kube_cache *kc, const char *ns,
			     const json_t *cronjob)
{
	if (!kc->client || !ns || !*ns)
		return;
	pthread_mutex_lock(&kc->mu);
	struct entry *e = entry_get(kc, ns, true);
	if (e) {
		if (!e->noted)
			e->noted = backup_index_new();
		/* Out of memory: the note is lost, so the listing is expired
		 * too; the next lookup asks the API instead of answering
		 * NOT_FOUND from a view that misses this CronJob. */
		if (!e->noted ||
		    backup_index_add_cronjob(e->noted, ns, cronjob))
			e->listed_at = 0;
		e->noted_at = clock_ms();
		e->used_at = e->noted_at;
	}
	pthread_mutex_unlock(&kc->mu);
}

void kube_cache_stats(struct kube_cache *kc, struct kube_stats *st)
{
	pthread_mutex_lock(&kc->mu);
	st->fetch_ok = kc->fetch_ok;
	st->fetch_fail = kc->fetch_fail;
	st->hits = kc->hits;
	pthread_mutex_unlock(&kc->mu);
}
