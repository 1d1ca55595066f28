/*
 * test_kube_slots.c — the per-namespace entry table of the webhook's
 * caches (src/kube/slots.c), with threads and a fake fetch: eight callers
 * of one namespace make one fetch and all get the answer; callers whose
 * deadline passes while another's fetch is in flight are told the API did
 * not answer; a failure is remembered; an idle entry is evicted for a new
 * namespace, a busy one never ("namespace cache full").
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/kube/slots.h"
#include "pgadmit/clock.h"
#include "unit.h"

struct ent {
	struct kube_slot head;
	int *data; /* the "listing": non-NULL once fetched */
};

static struct kube_slots T;
static atomic_int fetches, in_flight, cleared;

static void clear_ent(struct kube_slot *s)
{
	free(((struct ent *)s)->data);
	atomic_fetch_add(&cleared, 1);
}

static bool answer(struct kube_slot *s, long long now, void *arg)
{
	(void)now;
	(void)arg;
	return ((struct ent *)s)->data != NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

struct caller {
	const char *ns;
	int timeout_ms;
	const char *fail; /* the fetch fails with this, or succeeds */
	enum kube_claim r;
	char why[200];
};

/* One lookup as cache.c makes it; a fetch takes 200 ms. */
static void *lookup(void *p)
{
	struct caller *c = p;
	struct kube_slot_ask a = {.ns = c->ns,
				  .which = 0,
				  .deadline = clock_ms() + c->timeout_ms,
				  .timeout_ms = c->timeout_ms,
				  .answer = answer};
	struct kube_slot *s = NULL;
	pthread_mutex_lock(&T.mu);
	c->r = kube_slots_claim(&T, &a, &s, c->why, sizeof(c->why));
	if (c->r == KUBE_CLAIM_FETCH) {
		pthread_mutex_unlock(&T.mu); /* never held across the fetch */
		atomic_fetch_add(&fetches, 1);
		atomic_fetch_add(&in_flight, 1);
		sleep_ms(200);
		pthread_mutex_lock(&T.mu);
		if (!c->fail)
			((struct ent *)s)->data = malloc(sizeof(int));
		kube_slots_done(&T, s, 0, c->fail);
		atomic_fetch_sub(&in_flight, 1);
	}
	pthread_mutex_unlock(&T.mu);
	return NULL;
}

/* Wait (at most 5 s) until n fetches are in flight. */
static bool wait_in_flight(int n)
{
	for (int i = 0; i < 500 && atomic_load(&in_flight) < n; i++)
		sleep_ms(10);
	return atomic_load(&in_flight) >= n;
}

static void test_single_flight(void)
{
	CU_ASSERT_EQUAL_FATAL(kube_slots_init(&T, sizeof(struct ent), 2,
					      clear_ent),
			      0);
	pthread_t th[8];
	struct caller c[8];
	for (int i = 0; i < 8; i++) {
		c[i] = (struct caller){.ns = "shop", .timeout_ms = 5000};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, lookup,
						     &c[i]),
				      0);
	}
	int fetched = 0, answered = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		fetched += c[i].r == KUBE_CLAIM_FETCH;
		answered += c[i].r == KUBE_CLAIM_ANSWERED;
	}
	CU_ASSERT_EQUAL(fetched, 1);
	CU_ASSERT_EQUAL(answered, 7);
	CU_ASSERT_EQUAL(atomic_load(&fetches), 1);

	/* callers of 50 ms while a failing fetch of 200 ms is in flight */
	struct caller slow = {.ns = "slow", .timeout_ms = 5000, .fail = "boom"};
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th[0], NULL, lookup, &slow), 0);
	CU_ASSERT_FATAL(wait_in_flight(1));
	for (int i = 1; i < 3; i++) {
		c[i] = (struct caller){.ns = "slow", .timeout_ms = 50};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, lookup,
						     &c[i]),
				      0);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 1; i < 3; i++) {
		CU_ASSERT_EQUAL(c[i].r, KUBE_CLAIM_UNKNOWN);
		CU_ASSERT_STRING_EQUAL(
			c[i].why, "Kubernetes API did not answer within 50 ms");
	}
	/* the failure is remembered: no second fetch */
	c[3] = (struct caller){.ns = "slow", .timeout_ms = 50};
	lookup(&c[3]);
	CU_ASSERT_EQUAL(c[3].r, KUBE_CLAIM_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(c[3].why, "boom");
	CU_ASSERT_EQUAL(atomic_load(&fetches), 2);

	/* the table (2 entries) is full of idle ones: the least recently
	 * used ("shop") makes room */
	int before = atomic_load(&cleared);
	c[4] = (struct caller){.ns = "new", .timeout_ms = 5000};
	lookup(&c[4]);
	CU_ASSERT_EQUAL(c[4].r, KUBE_CLAIM_FETCH);
	CU_ASSERT_EQUAL(atomic_load(&cleared), before + 1);
	CU_ASSERT_EQUAL(T.n, 2);

	/* both entries busy: a third namespace is refused, not waited for */
	c[5] = (struct caller){.ns = "b1", .timeout_ms = 5000};
	c[6] = (struct caller){.ns = "b2", .timeout_ms = 5000};
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th[5], NULL, lookup, &c[5]), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th[6], NULL, lookup, &c[6]), 0);
	CU_ASSERT(wait_in_flight(2));
	c[7] = (struct caller){.ns = "b3", .timeout_ms = 5000};
	lookup(&c[7]);
	pthread_join(th[5], NULL);
	pthread_join(th[6], NULL);
	CU_ASSERT_EQUAL(c[7].r, KUBE_CLAIM_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(c[7].why, "namespace cache full");
	kube_slots_destroy(&T);
}

static CU_TestInfo tests[] = {
	{"one fetch per namespace, deadlines, failures, eviction",
	 test_single_flight},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"kube_slots", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_kube_slots", suites);
}
