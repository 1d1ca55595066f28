/*
 * policy_int.h — what the policy's files share (policy.c, policy_file.c,
 * policy_env.c): the setters that compile a pattern or change a list, so
 * the defaults, the policy file and the environment change a policy the
 * same way. Not for other modules (they use pgadmit/policy.h).
 */
#ifndef PGADMIT_POLICY_INT_H
#define PGADMIT_POLICY_INT_H

#include "pgadmit/err.h"
#include "pgadmit/policy.h"

/* Compile pat (an ERE; port names case-insensitive) and make it the
 * policy's image or port-name pattern. 0, or -1 with err naming the
 * pattern and the regex library's reason (p unchanged). */
PGADMIT_MUST_CHECK
int policy_set_image_pattern(struct policy *p, const char *pat,
			     struct err *err);
PGADMIT_MUST_CHECK
int policy_set_port_name_pattern(struct policy *p, const char *pat,
				 struct err *err);

/* Empty namespaces.skip (kube-system included: callers add it back) or
 * postgres.exporterImages, freeing the entries. */
void policy_clear_skips(struct policy *p);
void policy_clear_exporters(struct policy *p);

/* Append a copy of ns to the namespaces skipped. 0, or -1 with err (list
 * full, out of memory). */
PGADMIT_MUST_CHECK
int policy_add_skip(struct policy *p, const char *ns, struct err *err);

#endif
