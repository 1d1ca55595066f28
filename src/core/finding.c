/* finding.c — see finding.h. */
#include <stdlib.h>
#include <string.h>

#include "pgadmit/finding.h"

void finding_list_init(struct finding_list *l)
{
	memset(l, 0, sizeof(*l));
}

static void finding_free(struct finding *f)
{
	free(f->file);
	free(f->kind);
	free(f->ns);
	free(f->name);
	free(f->path);
	free(f->message);
	free(f->hint);
}

void finding_list_free(struct finding_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		finding_free(&l->v[i]);
	free(l->v);
	finding_list_init(l);
}

static int dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

int finding_add(struct finding_list *l, const struct finding *f)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct finding *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv) {
			l->dropped++;
			return -1;
		}
		l->v = nv;
		l->cap = cap;
	}
	struct finding *d = &l->v[l->n];
	memset(d, 0, sizeof(*d));
	d->rule = f->rule;
	d->slug = f->slug;
	d->action = f->action;
	d->document = f->document;
	d->line = f->line;
	if (dup_or_null(&d->file, f->file) || dup_or_null(&d->kind, f->kind) ||
	    dup_or_null(&d->ns, f->ns) || dup_or_null(&d->name, f->name) ||
	    dup_or_null(&d->path, f->path) ||
	    dup_or_null(&d->message, f->message) ||
	    dup_or_null(&d->hint, f->hint)) {
		finding_free(d);
		l->dropped++;
		return -1;
	}
	l->n++;
	return 0;
}

int finding_list_move(struct finding_list *dst, struct finding_list *src)
{
	if (src->n == 0)
		return 0;
	if (dst->cap - dst->n < src->n) {
		size_t cap = dst->n + src->n;
		struct finding *nv = realloc(dst->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		dst->v = nv;
		dst->cap = cap;
	}
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	dst->dropped += src->dropped;
	free(src->v);
	finding_list_init(src);
	return 0;
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp(const struct finding *a, const struct finding *b)
{
	int c = strcmp_null(a->file, b->file);
	if (c)
		return c;
	if (a->document != b->document)
		return a->document < b->document ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = strcmp_null(a->rule, b->rule)))
		return c;
	return strcmp_null(a->path, b->path);
}

/* Insertion-merge sort that is stable (qsort is not). */
static void msort(struct finding *v, struct finding *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	msort(v, tmp, h);
	msort(v + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

void finding_list_sort(struct finding_list *l)
{
	if (l->n < 2)
		return;
	struct finding *tmp = malloc(l->n * sizeof(*tmp));
	if (!tmp)
		return; /* unsorted output beats none */
	msort(l->v, tmp, l->n);
	free(tmp);
}

void finding_list_count(const struct finding_list *l, size_t counts[5])
{
	memset(counts, 0, 5 * sizeof(counts[0]));
	for (size_t i = 0; i < l->n; i++)
		if ((unsigned)l->v[i].action < 5)
			counts[l->v[i].action]++;
}
