/* report.c — format dispatch (report.h). */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	return report_write_run(out, fmt, l, s, NULL, color);
}

int report_write_run(FILE *out, enum report_format fmt,
		     const struct finding_list *l,
		     const struct report_summary *s,
		     const struct report_errors *e, bool color)
{
	static const struct report_errors none = {NULL, 0};
	if (!e)
		e = &none;
	int rc;
	switch (fmt) {
	case REPORT_JSON: rc = report_json(out, l, s, e); break;
	case REPORT_SARIF: rc = report_sarif(out, l, s, e); break;
	default: rc = report_text(out, l, s, color); break;
	}
	if (fflush(out) != 0 || ferror(out))
		rc = -1;
	return rc;
}

static void put_encoded(struct strbuf *sb, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/')
			sb_putc(sb, (char)c);
		else {
			sb_putc(sb, '%');
			sb_putc(sb, hex[c >> 4]);
			sb_putc(sb, hex[c & 15]);
		}
	}
}

void report_uri(struct strbuf *sb, const char *path)
{
	if (!path || !*path)
		return;
	if (path[0] == '/') {
		char cwd[PATH_MAX];
		size_t n;
		if (getcwd(cwd, sizeof(cwd)) && (n = strlen(cwd)) > 1 &&
		    strncmp(path, cwd, n) == 0 && path[n] == '/') {
			path += n + 1;
		} else {
			sb_puts(sb, "file://");
			put_encoded(sb, path);
			return;
		}
	}
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		while (*path == '/')
			path++;
	}
	put_encoded(sb, path); /* ':' is encoded: never read as a scheme */
}
