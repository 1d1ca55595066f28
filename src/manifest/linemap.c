/*
 * linemap.c — node pointer → source line, one table per document.
 *
 * Open addressing on the json_t address. jansson's true/false/null are
 * singletons shared by every document, so they are never recorded: their
 * line is unknown (0) and callers take the line of the enclosing node.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linemap.h"

struct slot {
	const json_t *key;
	int line;
};

struct manifest_linemap {
	struct slot *slots;
	size_t cap; /* power of two */
	size_t n;
};

static size_t hash_ptr(const void *p, size_t cap)
{
	uintptr_t x = (uintptr_t)p;
	x ^= x >> 17;
	x *= (uintptr_t)0x9E3779B97F4A7C15ull;
	x ^= x >> 29;
	return (size_t)x & (cap - 1);
}

struct manifest_linemap *linemap_new(void)
{
	return calloc(1, sizeof(struct manifest_linemap));
}

void manifest_linemap_free(struct manifest_linemap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

void linemap_clear(struct manifest_linemap *m)
{
	if (m->cap > LINEMAP_KEEP) {
		free(m->slots);
		m->slots = NULL;
		m->cap = 0;
	} else if (m->n > 0) {
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	}
	m->n = 0;
}
static int grow(struct manifest_linemap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct slot *ns = calloc(cap, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t h = hash_ptr(m->slots[i].key, cap);
		while (ns[h].key)
			h = (h + 1) & (cap - 1);
		ns[h] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = cap;
	return 0;
}

int linemap_put(struct manifest_linemap *m, const json_t *node, int line)
{
	if (!node || json_is_true(node) || json_is_false(node) ||
	    json_is_null(node))
		return 0;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -1;
	size_t h = hash_ptr(node, m->cap);
	while (m->slots[h].key && m->slots[h].key != node)
		h = (h + 1) & (m->cap - 1);
	if (!m->slots[h].key)
		m->n++;
	m->slots[h].key = node;
	m->slots[h].line = line;
	return 0;
}

int manifest_linemap_get(const struct manifest_linemap *m, const json_t *node)
{
	if (!m || !node || !m->cap)
		return 0;
	size_t h = hash_ptr(node, m->cap);
	while (m->slots[h].key) {
		if (m->slots[h].key == node)
			return m->slots[h].line;
		h = (h + 1) & (m->cap - 1);
	}
	return 0;
}

int manifest_line(const struct manifest_doc *doc, const json_t *node)
{
	return doc ? manifest_linemap_get(doc->lines, node) : 0;
}
