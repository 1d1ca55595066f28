/*
 * patch.c — the pieces of the /mutate answer: RFC 6901 pointer escaping,
 * base64, the pgadmit.dev/findings annotation value, and warning lines
 * trimmed to what kube-apiserver shows (admission.h).
 */
#include <stdlib.h>
#include <string.h>

#include "pgadmit/admission.h"
#include "pgadmit/strbuf.h"

void admission_pointer_escape(struct strbuf *sb, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		if (*s != '~' && *s != '/')
			continue;
		sb_append(sb, run, (size_t)(s - run));
		sb_puts(sb, *s == '~' ? "~0" : "~1");
		run = s + 1;
	}
	sb_append(sb, run, (size_t)(s - run));
}

struct pair {
	const char *rule;
	const char *path;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->rule, y->rule);
	return c ? c : strcmp(x->path, y->path);
}

/*
 * All non-off findings go into the annotation: deny and warn (so that the
 * object records why it was refused or warned about, also in audit tools
 * that read objects), annotate (what the action is for) and info (opt-outs,
 * so that an ignore-<slug> annotation stays visible).
 */
int admission_findings_annotation(const struct finding_list *l,
				  struct strbuf *out)
{
	struct pair *v = NULL;
	size_t n = 0;
	if (l->n) {
		v = malloc(l->n * sizeof(*v));
		if (!v)
			return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct finding *f = &l->v[i];
		if (f->action == ACTION_OFF || !f->rule)
			continue;
		v[n].rule = f->rule;
		v[n].path = f->path ? f->path : "";
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), pair_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && pair_cmp(&v[i], &v[i - 1]) == 0)
			continue;
		sb_puts(out, kept++ ? ",{\"rule\":\"" : "[{\"rule\":\"");
		sb_json_escape(out, v[i].rule);
		sb_puts(out, "\",\"path\":\"");
		sb_json_escape(out, v[i].path);
		sb_puts(out, "\"}");
	}
	if (kept)
		sb_putc(out, ']');
	free(v);
	return sb_ok(out) ? 0 : -1;
}

/* Length of the UTF-8 sequence starting with byte c (1 for invalid). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

void admission_warning_text(struct strbuf *sb, const char *text)
{
	static const char ell[] = "\xe2\x80\xa6"; /* … */
	const unsigned char *s = (const unsigned char *)text;
	size_t total = strlen(text);
	size_t budget = total <= ADMISSION_WARNING_MAX
				? total
				: ADMISSION_WARNING_MAX - (sizeof(ell) - 1);
	size_t used = 0;
	while (used < budget && s[used]) {
		size_t k = utf8_len(s[used]);
		if (used + k > budget)
			break;
		if (k == 1) {
			char c = (char)s[used];
			if ((unsigned char)c < 0x20 || c == 0x7f ||
			    s[used] >= 0x80)
				c = ' ';
			sb_putc(sb, c);
		} else {
			sb_append(sb, (const char *)s + used, k);
		}
		used += k;
	}
	if (used < total)
		sb_puts(sb, ell);
}
