/*
 * test_blockcache.c — srv_block_get/put (src/server/blockcache.c): blocks
 * are at least the size asked for, 16-byte aligned, never handed out twice
 * while live (each is filled with its own pattern and checked before it is
 * given back), reused after a put, and usable from threads that end
 * (their lists are freed by the thread's destructor; make asan's leak
 * check sees the plain-malloc build of the same calls).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/server/blockcache.h"
#include "unit.h"

#define LIVE 512

struct slot {
	unsigned char *b;
	size_t n;
	unsigned char pat;
};

/* Random gets and puts of sizes 1..2*BLOCKCACHE_MAX_SIZE; 0 when every
 * block kept its pattern and alignment. */
static int churn(unsigned seed, int rounds)
{
	struct slot s[LIVE];
	memset(s, 0, sizeof(s));
	int bad = 0;
	for (int r = 0; r < rounds; r++) {
		int i = (int)(rand_r(&seed) % LIVE);
		if (s[i].b) {
			for (size_t k = 0; k < s[i].n; k++)
				bad += s[i].b[k] != s[i].pat;
			srv_block_put(s[i].b, s[i].n);
			s[i].b = NULL;
			continue;
		}
		size_t n = 1 + rand_r(&seed) % (2 * BLOCKCACHE_MAX_SIZE);
		s[i].b = srv_block_get(n);
		if (!s[i].b)
			return -1;
		bad += ((uintptr_t)s[i].b & 15) != 0;
		s[i].n = n;
		s[i].pat = (unsigned char)(r & 0xff);
		memset(s[i].b, s[i].pat, n);
	}
	for (int i = 0; i < LIVE; i++)
		if (s[i].b) {
			for (size_t k = 0; k < s[i].n; k++)
				bad += s[i].b[k] != s[i].pat;
			srv_block_put(s[i].b, s[i].n);
		}
	return bad;
}

static void test_churn(void)
{
	CU_ASSERT_EQUAL(churn(16, 200000), 0);
}

static void test_reuse(void)
{
	void *a = srv_block_get(40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	srv_block_put(a, 40);
	void *b = srv_block_get(33); /* same 48-byte class */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
#if !defined(__SANITIZE_ADDRESS__) && !defined(PGADMIT_PLAIN_MALLOC)
	CU_ASSERT_PTR_EQUAL(a, b);
#endif
	srv_block_put(b, 33);
}

static void *thread_main(void *arg)
{
	return (void *)(intptr_t)churn((unsigned)(intptr_t)arg, 50000);
}

static void test_threads(void)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, thread_main,
						     (void *)(intptr_t)(i + 1)),
				      0);
	for (int i = 0; i < 4; i++) {
		void *rv = NULL;
		pthread_join(th[i], &rv);
		CU_ASSERT_EQUAL((intptr_t)rv, 0);
	}
}

static CU_TestInfo tests[] = {
	{"random gets and puts: sizes, alignment, no overlap", test_churn},
	{"a freed block serves the next request of its class", test_reuse},
	{"threads that end", test_threads},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"blockcache", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_blockcache", suites);
}
