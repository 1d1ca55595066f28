/*
 * anchors.c — a document's anchors (anchors.h).
 *
 * Hashed by name so that a document with thousands of anchors and a
 * hundred thousand aliases costs a lookup per alias, not a scan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchors.h"

static size_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32));
}

static size_t *find_slot(const struct anchors *t, const char *name)
{
	size_t mask = t->nslots - 1, h = hash_name(name) & mask;
	while (t->slots[h] && strcmp(t->v[t->slots[h] - 1].name, name) != 0)
		h = (h + 1) & mask;
	return &t->slots[h];
}

static int grow(struct anchors *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	struct anchor *nv = realloc(t->v, cap * sizeof(*nv));
	if (!nv)
		return -1;
	t->v = nv;
	t->cap = cap;
	size_t *ns = calloc(cap * 2, sizeof(*ns));
	if (!ns)
		return -1;
	free(t->slots);
	t->slots = ns;
	t->nslots = cap * 2;
	for (size_t i = 0; i < t->n; i++)
		*find_slot(t, t->v[i].name) = i + 1;
	return 0;
}

int anchors_set(struct anchors *t, const char *name, json_t *node, size_t count)
{
	if (t->nslots) {
		size_t *slot = find_slot(t, name);
		if (*slot) {
			struct anchor *a = &t->v[*slot - 1];
			json_decref(a->node);
			a->node = json_incref(node);
			a->count = count;
			return 0;
		}
	}
	if (t->n == t->cap && grow(t))
		return -1;
	char *copy = strdup(name);
	if (!copy)
		return -1;
	t->v[t->n] = (struct anchor){copy, json_incref(node), count};
	t->n++;
	*find_slot(t, name) = t->n;
	return 0;
}

const struct anchor *anchors_get(const struct anchors *t, const char *name)
{
	if (!t->nslots)
		return NULL;
	size_t i = *find_slot(t, name);
	return i ? &t->v[i - 1] : NULL;
}

void anchors_clear(struct anchors *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		json_decref(t->v[i].node);
	}
	t->n = 0;
	if (t->slots)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

void anchors_free(struct anchors *t)
{
	anchors_clear(t);
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
