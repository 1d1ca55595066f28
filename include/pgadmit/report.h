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

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_SARIF };

struct report_summary {
	size_t files;
	size_t documents;
	size_t objects;
};

int report_format_parse(const char *s); /* -1 if unknown */
/* color: use ANSI colours (text only; the caller decides: TTY and no
 * --no-color / NO_COLOR). Returns 0 or -1 (write error). */
int report_write(FILE *out, enum report_format fmt,
		 const struct finding_list *l, const struct report_summary *s,
		 bool color);

#endif
