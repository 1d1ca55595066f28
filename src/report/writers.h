/* writers.h — private to src/report: the format writers behind report.h. */
#ifndef PGADMIT_REPORT_WRITERS_H
#define PGADMIT_REPORT_WRITERS_H

#include <jansson.h>
#include <stdio.h>

#include "pgadmit/report.h"

int report_text(FILE *out, const struct finding_list *l,
		const struct report_summary *s, bool color);
int report_json(FILE *out, const struct finding_list *l,
		const struct report_summary *s, const struct report_errors *e);
int report_sarif(FILE *out, const struct finding_list *l,
		 const struct report_summary *s, const struct report_errors *e);
/* Pretty-print root and a newline; -1 if root is NULL or on write error. */
int report_dump_json(FILE *out, const json_t *root);

#endif
