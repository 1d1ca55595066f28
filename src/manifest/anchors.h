/* anchors.h — private to src/manifest: a document's anchors by name. */
#ifndef PGADMIT_MANIFEST_ANCHORS_H
#define PGADMIT_MANIFEST_ANCHORS_H

#include <jansson.h>
#include <stddef.h>

struct anchor {
	char *name;
	json_t *node; /* own reference: outlives a merge source's last user */
	size_t count; /* nodes in the subtree, aliases expanded */
};

struct anchors {
	struct anchor *v;
	size_t n, cap;
	size_t *slots; /* open addressing: index + 1 into v, 0 = free */
	size_t nslots; /* power of two, >= 2 * n */
};

/* Define or redefine (YAML: the latest definition wins). Takes its own
 * reference to node. 0, or -1 when out of memory. */
int anchors_set(struct anchors *t, const char *name, json_t *node,
		size_t count);
/* Borrowed; NULL when name is not defined. */
const struct anchor *anchors_get(const struct anchors *t, const char *name);
/* Forget every anchor (end of a document); memory is kept for the next. */
void anchors_clear(struct anchors *t);
void anchors_free(struct anchors *t);

#endif
