/*
 * check.h — the `pgadmit check` driver: files → documents → objects → rules.
 *
 * Walks the inputs (files, directories recursed for *.yaml *.yml *.json in
 * name order, "-" for stdin) as one bundle. Each document is loaded, judged
 * and freed before the next (manifest_load_file streams), `List` kinds and
 * top-level JSON arrays are unwrapped, Compose files (a top-level `services`
 * map and no apiVersion/kind) are judged service by service. PGA103 is
 * decided at the end over the whole bundle from a compact backup index.
 * Invalid input is reported (file, document, line, column) and the other
 * inputs are still processed.
 */
#ifndef PGADMIT_CHECK_H
#define PGADMIT_CHECK_H

#include <stdio.h>

#include "pgadmit/finding.h"
#include "pgadmit/manifest.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"

struct check_result {
	struct finding_list findings; /* sorted; caller frees */
	struct report_summary summary;
	size_t input_errors;          /* unreadable or invalid inputs */
};

/*
 * Check inputs[0..n-1] ("-" = stdin). Error messages for bad inputs go to
 * errout, one line each. lim may be NULL. Returns 0 (inspect
 * r->input_errors) or -1 on OOM. Free r with check_result_free().
 */
int check_run(const char *const *inputs, size_t n, const struct policy *p,
	      const struct manifest_limits *lim, FILE *errout,
	      struct check_result *r);
void check_result_free(struct check_result *r);

#endif
