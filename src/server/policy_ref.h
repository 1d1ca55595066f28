/*
 * policy_ref.h — the policy the server judges with, shared by requests in
 * flight and swapped on reload (server-internal; caller: server.c).
 *
 * A request takes one reference when its headers are in and keeps it to
 * completion, so the policy that capped its body also judges it, even if a
 * SIGHUP swaps a new one in meanwhile; the last user frees a policy.
 */
#ifndef PGADMIT_SERVER_POLICY_REF_H
#define PGADMIT_SERVER_POLICY_REF_H

#include <stdbool.h>

#include "pgadmit/err.h"
#include "pgadmit/policy.h"

struct policy_ref; /* a reference-counted policy (policy_ref.c) */

/* Load the policy from path (NULL: the defaults) and make it current.
 * reload: a SIGHUP, counted in the metrics; on failure the old policy stays.
 * Logs either way. 0, or -1 with out filled (out may be NULL). */
int srv_policy_load(const char *path, bool reload, struct err *out);
/* One reference to the current policy; NULL when none is loaded. */
struct policy_ref *srv_policy_acquire(void);
/* Drop a reference from srv_policy_acquire (NULL is fine). */
void srv_policy_release(struct policy_ref *r);
/* The policy of a reference (valid while the reference is held). */
const struct policy *srv_policy_of(const struct policy_ref *r);
/* At shutdown: drop the server's own reference to the current policy. */
void srv_policy_cleanup(void);

#endif
