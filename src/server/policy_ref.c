/*
 * policy_ref.c — the current policy of pgadmit serve, reference counted
 * (policy_ref.h).
 *
 * One mutex guards the pointer to the current policy, only long enough to
 * take a reference or swap the pointer; the count itself is atomic, so the
 * last release, by a request or by a reload, frees the policy outside the
 * lock. The server holds one reference of its own on the current policy
 * until the next swap or srv_policy_cleanup().
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "policy_ref.h"
#include "server_int.h"

/* A policy shared by in-flight requests; freed by the last user. */
struct policy_ref {
	struct policy *p;
	_Atomic int refs;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct policy_ref *current;

struct policy_ref *srv_policy_acquire(void)
{
	pthread_mutex_lock(&mu);
	struct policy_ref *r = current;
	if (r)
		atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&mu);
	return r;
}

void srv_policy_release(struct policy_ref *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
		policy_free(r->p);
		free(r);
	}
}

const struct policy *srv_policy_of(const struct policy_ref *r)
{
	return r->p;
}

static int policy_swap_in(struct policy *p)
{
	struct policy_ref *r = malloc(sizeof(*r));
	if (!r)
		return -1;
	r->p = p;
	atomic_init(&r->refs, 1); /* the server's own reference */
	pthread_mutex_lock(&mu);
	struct policy_ref *old = current;
	current = r;
	pthread_mutex_unlock(&mu);
	srv_policy_release(old);
	return 0;
}

int srv_policy_load(const char *path, bool reload, struct err *out)
{
	struct err err;
	err_clear(&err);
	struct policy *p = policy_new(path, &err);
	if (!p || policy_swap_in(p)) {
		if (p)
			policy_free(p);
		srv_log(SRV_ERROR,
			reload ? "policy reload failed, keeping the old policy"
			       : "cannot load policy",
			"error", err.msg[0] ? err.msg : "out of memory", NULL);
		if (reload)
			srv_metrics_policy_reload(false);
		if (out)
			err_set(out, "cannot load policy: %s",
				err.msg[0] ? err.msg : "out of memory");
		return -1;
	}
	srv_log(SRV_INFO, reload ? "policy reloaded" : "policy loaded",
		"source", path ? path : "defaults", NULL);
	if (reload)
		srv_metrics_policy_reload(true);
	return 0;
}

void srv_policy_cleanup(void)
{
	pthread_mutex_lock(&mu);
	struct policy_ref *r = current;
	current = NULL;
	pthread_mutex_unlock(&mu);
	srv_policy_release(r);
}
