/*
 * cache.c — per-namespace CronJob views for PGA103 (kube.h).
 *
 * One entry per namespace: the last successful listing (a backup_index),
 * CronJobs admitted since then ("noted"), and the last failure. One thread
 * fetches a namespace at a time; the others wait on a condition variable no
 * longer than the timeout (the table, the waiting and the failure memory:
 * slots.c). The mutex is never held during the HTTP call.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/clock.h"
#include "pgadmit/kube.h"
#include "pgadmit/rules.h"
#include "kube_int.h"
#include "slots.h"

/* The listing's fetch and failure: flight 0 of the head (slots.h). */
enum { F_LIST };

struct entry {
	struct kube_slot s;          /* ns, LRU, fetching, failure */
	struct backup_index *listed; /* NULL until a listing succeeded */
	long long listed_at;         /* ms, monotonic */
	long long fetch_started;     /* of the listing in listed */
	struct backup_index *noted;  /* CronJobs admitted by us */
	long long noted_at;
};

struct kube_cache {
	struct kube_client *client;
	char unknown_why[160];
	struct kube_slots t; /* its mutex also guards the counters */
	unsigned long long fetch_ok, fetch_fail, hits;
	struct kube_nscache *nsc; /* PGA105/PGA106 evidence (nscache.c) */
};

/* The payload of an entry (slots.c frees the head). */
static void entry_clear(struct kube_slot *s)
{
	struct entry *e = (struct entry *)s;
	backup_index_free(e->listed);
	backup_index_free(e->noted);
}

struct kube_cache *kube_cache_new(struct kube_client *client,
				  const char *unknown_why, size_t max_entries)
{
	struct kube_cache *kc = calloc(1, sizeof(*kc));
	if (!kc)
		return NULL;
	if (kube_slots_init(&kc->t, sizeof(struct entry), max_entries,
			    entry_clear)) {
		free(kc);
		return NULL;
	}
	kc->client = client;
	kc->nsc = kube_nscache_new(client, unknown_why, kc->t.max);
	if (!kc->nsc) {
		kube_slots_destroy(&kc->t);
		free(kc);
		return NULL;
	}
	snprintf(kc->unknown_why, sizeof(kc->unknown_why), "%s",
		 unknown_why ? unknown_why : "not running in a cluster");
	return kc;
}

struct kube_nscache *kube_cache_nscache(struct kube_cache *kc)
{
	return kc->nsc;
}

void kube_cache_free(struct kube_cache *kc)
{
	if (!kc)
		return;
	kube_slots_destroy(&kc->t);
	kube_nscache_free(kc->nsc);
	kube_client_free(kc->client);
	free(kc);
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

/* What a lookup asks of an entry, and what it answered. */
struct ask {
	struct kube_cache *kc;
	const char *ns, *name;
	long long ttl_ms;
	enum backup_state st;
};

/* CronJobs admitted since the listing, then the listing while fresh. A
 * hit is counted. Locked. */
static bool answer(struct kube_slot *s, long long now, void *arg)
{
	struct entry *e = (struct entry *)s;
	struct ask *a = arg;
	if (e->noted &&
	    backup_index_lookup(e->noted, a->ns, a->name) == BACKUP_FOUND) {
		a->st = BACKUP_FOUND;
		a->kc->hits++;
		return true;
	}
	if (e->listed && now - e->listed_at < a->ttl_ms) {
		a->st = backup_index_lookup(e->listed, a->ns, a->name);
		a->kc->hits++;
		return true;
	}
	return false;
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
	struct ask a = {kc, ns, name, (long long)ttl_s * 1000, BACKUP_UNKNOWN};
	struct kube_slot_ask sa = {.ns = ns,
				   .which = F_LIST,
				   .deadline = clock_ms() + timeout_ms,
				   .timeout_ms = timeout_ms,
				   .answer = answer,
				   .arg = &a};
	struct kube_slot *s = NULL;
	pthread_mutex_lock(&kc->t.mu);
	switch (kube_slots_claim(&kc->t, &sa, &s, why, whylen)) {
	case KUBE_CLAIM_ANSWERED: st = a.st; goto out;
	case KUBE_CLAIM_UNKNOWN: goto out;
	case KUBE_CLAIM_FETCH: break;
	}
	struct entry *e = (struct entry *)s;
	long long started = clock_ms();
	pthread_mutex_unlock(&kc->t.mu);

	struct err err;
	err_clear(&err);
	struct backup_index *bi = backup_index_new();
	struct add_ctx ac = {bi, ns};
	int rc = bi ? kube_list_cronjobs(kc->client, ns, timeout_ms,
					 add_cronjob, &ac, &err)
		    : err_nomem(&err);

	pthread_mutex_lock(&kc->t.mu);
	kube_slots_done(&kc->t, s, F_LIST, rc == 0 ? NULL : err.msg);
	if (rc == 0) {
		kc->fetch_ok++;
		backup_index_free(e->listed);
		e->listed = bi;
		e->listed_at = clock_ms();
		e->fetch_started = started;
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
		snprintf(why, whylen, "%s", err.msg);
	}
out:
	pthread_mutex_unlock(&kc->t.mu);
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
	pthread_mutex_lock(&kc->t.mu);
	struct entry *e = (struct entry *)kube_slots_get(&kc->t, ns);
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
		e->s.used_at = e->noted_at;
	}
	pthread_mutex_unlock(&kc->t.mu);
}

void kube_cache_stats(struct kube_cache *kc, struct kube_stats *st)
{
	pthread_mutex_lock(&kc->t.mu);
	st->fetch_ok = kc->fetch_ok;
	st->fetch_fail = kc->fetch_fail;
	st->hits = kc->hits;
	pthread_mutex_unlock(&kc->t.mu);
}
