/* text.c — the human report: one block per finding, then a summary line. */
#include <stdio.h>

#include "writers.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static const char *action_color(enum action a)
{
	switch (a) {
	case ACTION_DENY: return RED;
	case ACTION_WARN: return YELLOW;
	default: return CYAN;
	}
}

int report_text(FILE *out, const struct finding_list *l,
		const struct report_summary *s, bool color)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct finding *f = &l->v[i];
		const char *c = color ? action_color(f->action) : "";
		const char *b = color ? BOLD : "", *d = color ? DIM : "";
		const char *r = color ? RESET : "";
		if (f->line > 0)
			fprintf(out, "%s%s:%d%s: ", b, f->file ? f->file : "-",
				f->line, r);
		else if (f->file)
			fprintf(out, "%s%s%s: ", b, f->file, r);
		fprintf(out, "%s%s%s %s %s\n", c, action_name(f->action), r,
			f->rule, f->slug);
		fprintf(out, "  %s%s %s%s%s  %s%s\n", d, f->kind ? f->kind : "",
			f->ns ? f->ns : "", f->ns ? "/" : "",
			f->name ? f->name : "", f->path ? f->path : "", r);
		fprintf(out, "  %s\n", f->message ? f->message : "");
		if (f->hint && *f->hint)
			fprintf(out, "  fix: %s\n", f->hint);
		fputc('\n', out);
	}
	size_t cnt[5];
	finding_list_count(l, cnt);
	if (l->n == 0)
		fprintf(out, "no findings");
	else
		fprintf(out,
			"%zu finding%s: %zu deny, %zu warn, %zu annotate, "
			"%zu info",
			l->n, l->n == 1 ? "" : "s", cnt[ACTION_DENY],
			cnt[ACTION_WARN], cnt[ACTION_ANNOTATE],
			cnt[ACTION_INFO]);
	fprintf(out, " (%zu file%s, %zu document%s, %zu object%s)\n", s->files,
		s->files == 1 ? "" : "s", s->documents,
		s->documents == 1 ? "" : "s", s->objects,
		s->objects == 1 ? "" : "s");
	return 0;
}
