/*
 * blockcache.h — per-thread free lists for jansson's small blocks
 * (server-internal; caller: parsemem.c).
 *
 * A review's tree is a few hundred small blocks, allocated by the parse
 * and freed together when the answer is made. glibc keeps only 7 freed
 * blocks per size in its thread cache; the rest go to its bins, and the
 * next request's body buffer (a larger block) makes it consolidate them:
 * about a fifth of the server's CPU per request went to malloc and free.
 * Here freed blocks of up to BLOCKCACHE_MAX_SIZE bytes wait on lists of
 * their thread, by 16-byte size class, for the next review on that thread,
 * up to BLOCKCACHE_MAX_BYTES per thread (more goes back to free()); a
 * thread's lists are freed when it ends.
 *
 * Built with AddressSanitizer (or -DPGADMIT_PLAIN_MALLOC) every call is
 * plain malloc/free, so the sanitizers see every use after free.
 */
#ifndef PGADMIT_SERVER_BLOCKCACHE_H
#define PGADMIT_SERVER_BLOCKCACHE_H

#include <stddef.h>

#define BLOCKCACHE_MAX_SIZE 512
#define BLOCKCACHE_MAX_BYTES (256LL * 1024)

/* A block of at least n bytes (16-byte aligned), or NULL. */
void *srv_block_get(size_t n);
/* Give back a block from srv_block_get(n), with the same n. */
void srv_block_put(void *b, size_t n);

#endif
