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
 *
 * Never silently green: an input that holds no Kubernetes object (a `kind`)
 * and no Compose file, a directory without any manifest file, a Helm chart
 * directory (Chart.yaml: render it first) are input errors. A directory
 * with a kustomization.yaml is rendered with `kubectl kustomize DIR` (an
 * input error when kubectl is not on PATH) and not read file by file.
 * Findings in a stream that carries Helm's `# Source: chart/templates/x.yaml`
 * comments are reported against that template, with lines counted from the
 * comment (line 1 is the line after it).
 */
#ifndef PGADMIT_CHECK_H
#define PGADMIT_CHECK_H

#include <stdio.h>

#include "pgadmit/finding.h"
#include "pgadmit/manifest.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"
#include "pgadmit/err.h"

struct check_result {
	struct finding_list findings; /* sorted; caller frees */
	struct report_summary summary;
	size_t input_errors;         /* == errors.n (kept for callers) */
	struct report_error *errors; /* one per bad input, in input order */
	size_t nerrors, caperrors;
};

struct check_options {
	const char *stdin_name; /* name of "-" in reports; NULL: "-" */
	const char *kubectl; /* kustomize renderer; NULL: "kubectl" on PATH */
	/* Directory prefixed to the template paths of Helm's "# Source:"
	 * comments (they start at the chart's name), so that reports point
	 * into the repository; NULL: none. */
	const char *source_root;
};

/*
 * Check inputs[0..n-1] ("-" = stdin). Error messages for bad inputs go to
 * errout, one line each, and to r->errors. lim and opt may be NULL.
 * Returns 0 (inspect r->input_errors) or -1 on OOM. Free r with
 * check_result_free().
 */
PGADMIT_MUST_CHECK
int check_run(const char *const *inputs, size_t n, const struct policy *p,
	      const struct manifest_limits *lim,
	      const struct check_options *opt, FILE *errout,
	      struct check_result *r);
void check_result_free(struct check_result *r);

#endif
