/*
 * blockcache.c — per-thread free lists of small blocks (blockcache.h).
 *
 * Class k holds blocks of k * 16 bytes (k = 1 .. NCLASS); a request of n
 * bytes is served from class ceil(n / 16), so any block of a class fits any
 * request of it. A freed block keeps the list link in its own first bytes.
 * The first block a thread caches registers a pthread key whose destructor
 * frees that thread's lists when it ends.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "blockcache.h"

#if defined(__SANITIZE_ADDRESS__) || defined(PGADMIT_PLAIN_MALLOC)
#define PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PLAIN 1
#endif
#endif

#ifdef PLAIN

void *srv_block_get(size_t n)
{
	return malloc(n);
}

void srv_block_put(void *b, size_t n)
{
	(void)n;
	free(b);
}

#else

#define NCLASS (BLOCKCACHE_MAX_SIZE / 16)

struct freeblk {
	struct freeblk *next;
};

struct cache {
	struct freeblk *list[NCLASS + 1];
	long long bytes;
	bool registered;
};

static _Thread_local struct cache tc;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool key_ok;

/* Thread exit: the key's value is the thread's own cache. */
static void drain(void *arg)
{
	struct cache *c = arg;
	for (int k = 1; k <= NCLASS; k++)
		while (c->list[k]) {
			struct freeblk *f = c->list[k];
			c->list[k] = f->next;
			free(f);
		}
	c->bytes = 0;
	c->registered = false; /* a later free registers again */
}

static void key_init(void)
{
	key_ok = pthread_key_create(&key, drain) == 0;
}

void *srv_block_get(size_t n)
{
	size_t k = (n + 15) / 16;
	if (k == 0 || k > NCLASS)
		return malloc(n);
	struct freeblk *f = tc.list[k];
	if (f) {
		tc.list[k] = f->next;
		tc.bytes -= (long long)(k * 16);
		return f;
	}
	return malloc(k * 16);
}

void srv_block_put(void *b, size_t n)
{
	size_t k = (n + 15) / 16;
	if (!b)
		return;
	if (k == 0 || k > NCLASS ||
	    tc.bytes + (long long)(k * 16) > BLOCKCACHE_MAX_BYTES) {
		free(b);
		return;
	}
	if (!tc.registered) {
		/* without a destructor the lists would outlive the thread */
		pthread_once(&key_once, key_init);
		if (!key_ok || pthread_setspecific(key, &tc) != 0) {
			free(b);
			return;
		}
		tc.registered = true;
	}
	struct freeblk *f = b;
	f->next = tc.list[k];
	tc.list[k] = f;
	tc.bytes += (long long)(k * 16);
}

#endif
