/*
 * review_int.h — what review.c (decode, evaluate, encode) and gates.c (the
 * reasons to allow a review without judging it) share (admission-internal).
 */
#ifndef PGADMIT_ADMISSION_REVIEW_INT_H
#define PGADMIT_ADMISSION_REVIEW_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/admission.h"

/* One decoded review. Strings and objects are borrowed from root. */
struct admission_request {
	json_t *root; /* owned */
	const char *uid, *kind, *group, *ns, *name, *op, *sub;
	const json_t *obj, *meta;
	bool dry_run;
	char gb[128]; /* group_of() storage */
};

/* Step 2 of admission_handle: the first gate that holds, or ADM_SKIP_NONE.
 * Each gate allows the review at once, without judging, and names why
 * (admission_skip_name: the log's "reason" and the metrics label). */
enum admission_skip admission_gates(const struct admission_env *env,
				    const struct admission_request *rq);

#endif
