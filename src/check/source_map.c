/*
 * source_map.c — Helm "# Source:" comments of a stream (check_int.h).
 *
 * libyaml drops comments, so the raw bytes are scanned on their way to the
 * loader through a fopencookie stream: no second read, no copy of the input.
 * Lines are counted as libyaml counts them for Helm's output ('\n' breaks).
 */
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

#define SOURCE_PREFIX "# Source: "

static void push(struct source_scan *s, int line, const char *path)
{
	if (s->oom)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct source_mark *v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	char *copy = NULL;
	if (path && !(copy = strdup(path))) {
		s->oom = true;
		return;
	}
	s->v[s->n].line = line;
	s->v[s->n].path = copy;
	s->n++;
	if (copy)
		s->nsource++;
}

static void end_line(struct source_scan *s)
{
	s->buf[s->blen] = '\0';
	while (s->blen &&
	       (s->buf[s->blen - 1] == '\r' || s->buf[s->blen - 1] == ' ' ||
		s->buf[s->blen - 1] == '\t'))
		s->buf[--s->blen] = '\0';
	size_t pl = strlen(SOURCE_PREFIX);
	if (strncmp(s->buf, SOURCE_PREFIX, pl) == 0 && s->buf[pl])
		push(s, s->line, s->buf + pl);
	else if (strncmp(s->buf, "---", 3) == 0 &&
		 (s->buf[3] == '\0' || s->buf[3] == ' ' || s->buf[3] == '\t'))
		push(s, s->line, NULL);
}

static void scan(struct source_scan *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (s->at_start) {
			s->at_start = false;
			s->collecting = c == '#' || c == '-';
			s->blen = 0;
		}
		if (c == '\n') {
			if (s->collecting)
				end_line(s);
			s->line++;
			s->at_start = true;
			s->collecting = false;
			continue;
		}
		if (s->collecting) {
			if (s->blen + 1 < sizeof(s->buf))
				s->buf[s->blen++] = c;
			continue;
		}
		/* not a line we keep: skip to its end */
		const char *nl = memchr(p + i, '\n', n - i);
		i = nl ? (size_t)(nl - p) - 1 : n;
	}
}

static ssize_t rd(void *cookie, char *buf, size_t size)
{
	struct source_scan *s = cookie;
	size_t n = fread(buf, 1, size, s->in);
	if (n == 0 && ferror(s->in))
		return -1;
	scan(s, buf, n);
	if (n < size && feof(s->in) && s->collecting) {
		end_line(s); /* a last line without '\n' */
		s->collecting = false;
	}
	return (ssize_t)n;
}

FILE *source_scan_open(struct source_scan *s, FILE *in)
{
	memset(s, 0, sizeof(*s));
	s->in = in;
	s->line = 1;
	s->at_start = true;
	cookie_io_functions_t fns = {.read = rd};
	return fopencookie(s, "r", fns);
}

void source_scan_release(struct source_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = s->nsource = 0;
}

const char *source_scan_lookup(const struct source_scan *s, int line,
			       int *rel_line)
{
	/* marks are in line order: the last one above the line decides */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !s->v[lo - 1].path)
		return NULL;
	*rel_line = line - s->v[lo - 1].line;
	return s->v[lo - 1].path;
}
