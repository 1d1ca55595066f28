/* report.c — format dispatch (report.h). */
#include <jansson.h>
#include <string.h>

#include "writers.h"

int report_dump_json(FILE *out, const json_t *root)
{
	if (!root)
		return -1;
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		return -1;
	fputc('\n', out);
	return 0;
}

int report_format_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "text") == 0)
		return REPORT_TEXT;
	if (strcmp(s, "json") == 0)
		return REPORT_JSON;
	if (strcmp(s, "sarif") == 0)
		return REPORT_SARIF;
	return -1;
}

int report_write(FILE *out, enum report_format fmt,
		 const struct finding_list *l, const struct report_summary *s,
		 bool color)
{
	int rc;
	switch (fmt) {
	case REPORT_JSON: rc = report_json(out, l, s); break;
	case REPORT_SARIF: rc = report_sarif(out, l, s); break;
	default: rc = report_text(out, l, s, color); break;
	}
	if (fflush(out) != 0 || ferror(out))
		rc = -1;
	return rc;
}
