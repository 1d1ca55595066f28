/*
 * report.h — text, JSON and SARIF writers for `pgadmit check`.
 *
 * Writers take a finished, sorted finding list plus the run summary and write
 * to a FILE*. The JSON shape is the one in interfaces.md; SARIF is 2.1.0 as
 * GitHub code scanning accepts it. No writer ever sees a secret: findings are
 * already redacted by the rules.
 */
#ifndef PGADMIT_REPORT_H
#define PGADMIT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "pgadmit/finding.h"
#include "pgadmit/strbuf.h"
#include "pgadmit/err.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_SARIF };

struct report_summary {
	size_t files;
	size_t documents;
	size_t objects;
};

/* An input that could not be read or held nothing to check: JSON `errors`,
 * SARIF toolExecutionNotifications. Strings borrowed by the writers. */
struct report_error {
	char *input;   /* the input as named ("-" or --stdin-name for stdin) */
	char *message; /* one line, starts with the input's name */
};

struct report_errors {
	const struct report_error *v;
	size_t n;
};

int report_format_parse(const char *s); /* -1 if unknown */
/* color: use ANSI colours (text only; the caller decides: TTY and no
 * --no-color / NO_COLOR). Returns 0 or -1 (write error). */
PGADMIT_MUST_CHECK
int report_write(FILE *out, enum report_format fmt,
		 const struct finding_list *l, const struct report_summary *s,
		 bool color);
/* The same with the run's input errors (e may be NULL: none). */
PGADMIT_MUST_CHECK
int report_write_run(FILE *out, enum report_format fmt,
		     const struct finding_list *l,
		     const struct report_summary *s,
		     const struct report_errors *e, bool color);
/* Percent-encode a file name as a relative URI reference (RFC 3986):
 * unreserved characters and '/' stay, every other byte is %XX; a leading
 * "./" is dropped; an absolute path under the working directory becomes
 * relative to it, any other absolute path a file:// URI. Appends to sb. */
void report_uri(struct strbuf *sb, const char *path);

#endif
