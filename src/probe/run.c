/*
 * run.c — probe many targets with a bounded number of connections.
 *
 * min(concurrency, targets) worker threads take the next target from a
 * shared counter; each writes only its own results[i], so the report keeps
 * the input order whatever finishes first. A target never fails the run:
 * its status says what happened. The caller ignores SIGPIPE (the raw
 * SSLRequest connection writes through OpenSSL).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/probe.h"

struct pool {
	const struct probe_targets *t;
	const struct probe_options *o;
	struct probe_result *r;
	pthread_mutex_t mu;
	size_t next;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->t->n)
			return NULL;
		probe_target(p->t->dsn[i], p->o->policy, &p->r[i]);
	}
}

int probe_run(const struct probe_targets *t, const struct probe_options *o,
	      struct probe_result **results)
{
	*results = calloc(t->n ? t->n : 1, sizeof(**results));
	if (!*results)
		return -1;
	struct pool p = {.t = t, .o = o, .r = *results};
	if (pthread_mutex_init(&p.mu, NULL)) {
		free(*results);
		*results = NULL;
		return -1;
	}
	size_t nth = o->concurrency ? o->concurrency : 1;
	if (nth > t->n)
		nth = t->n;
	pthread_t *th = calloc(nth ? nth : 1, sizeof(*th));
	size_t started = 0;
	while (th && started < nth &&
	       pthread_create(&th[started], NULL, worker, &p) == 0)
		started++;
	/* fewer threads than asked still probe every target; with none at
	 * all, probe here */
	if (started == 0)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&p.mu);
	return 0;
}
