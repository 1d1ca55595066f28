/*
 * backup_index.c — PGA103's backup evidence per namespace (rules.h).
 *
 * Per namespace (NULL and "" are the same bucket) a flag "some CronJob runs a
 * backup tool" and the set of workload names named by
 * pgadmit.dev/backup-for labels/annotations. Only strings are kept, never
 * the CronJob trees, so memory does not grow with the size of a bundle
 * beyond a few bytes per backup CronJob.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/cluster.h"
#include "pgadmit/jsonget.h"
#include "pgadmit/podspec.h"
#include "pgadmit/rules.h"

#define BACKUP_FOR "pgadmit.dev/backup-for"

struct bucket {
	char *ns;
	bool has_tool;
	char **names;
	size_t n, cap;
};

struct backup_index {
	struct bucket *b;
	size_t n, cap;
};

static const char *const tools[] = {"pg_dump",       "pg_dumpall",
				    "pg_basebackup", "pgbackrest",
				    "wal-g",         "barman",
				    "pg_probackup",  NULL};

/* A word is a run of [A-Za-z0-9_-]: paths, tags, shell syntax and dots
 * separate words. A word names a tool when it is the tool's name, or the
 * name followed by "-..." (barman-cloud-backup, wal-g-pg). So
 * ".../wal-g:1.0" and "/usr/bin/pg_dump -Fc" match while
 * "postgres-backup-local" does not. */
static bool names_tool(const char *s)
{
	while (s && *s) {
		while (*s &&
		       !(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			s++;
		const char *w = s;
		while (*s &&
		       (isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			s++;
		size_t wl = (size_t)(s - w);
		for (int t = 0; wl && tools[t]; t++) {
			size_t tl = strlen(tools[t]);
			if (wl >= tl && strncasecmp(w, tools[t], tl) == 0 &&
			    (wl == tl || w[tl] == '-'))
				return true;
		}
	}
	return false;
}

static bool strings_name_tool(const json_t *v)
{
	if (json_is_string(v))
		return names_tool(json_string_value(v));
	if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e)
			if (json_is_string(e) &&
			    names_tool(json_string_value(e)))
				return true;
	}
	return false;
}

static int container_has_tool(const struct podspec_container *pc, void *arg)
{
	(void)arg;
	if (pc->image && names_tool(pc->image))
		return 1;
	if (strings_name_tool(json_object_get(pc->c, "command")) ||
	    strings_name_tool(json_object_get(pc->c, "args")))
		return 1;
	return 0;
}

struct backup_index *backup_index_new(void)
{
	return calloc(1, sizeof(struct backup_index));
}

void backup_index_free(struct backup_index *bi)
{
	if (!bi)
		return;
	for (size_t i = 0; i < bi->n; i++) {
		for (size_t j = 0; j < bi->b[i].n; j++)
			free(bi->b[i].names[j]);
		free(bi->b[i].names);
		free(bi->b[i].ns);
	}
	free(bi->b);
	free(bi);
}

static const char *norm_ns(const char *ns)
{
	return ns ? ns : "";
}

static struct bucket *find_bucket(const struct backup_index *bi, const char *ns)
{
	ns = norm_ns(ns);
	for (size_t i = 0; bi && i < bi->n; i++)
		if (strcmp(bi->b[i].ns, ns) == 0)
			return &bi->b[i];
	return NULL;
}

static struct bucket *get_bucket(struct backup_index *bi, const char *ns)
{
	struct bucket *b = find_bucket(bi, ns);
	if (b)
		return b;
	if (bi->n == bi->cap) {
		size_t cap = bi->cap ? bi->cap * 2 : 4;
		struct bucket *nb = realloc(bi->b, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		bi->b = nb;
		bi->cap = cap;
	}
	b = &bi->b[bi->n];
	memset(b, 0, sizeof(*b));
	b->ns = strdup(norm_ns(ns));
	if (!b->ns)
		return NULL;
	bi->n++;
	return b;
}

static bool has_name(const struct bucket *b, const char *name, size_t len)
{
	for (size_t i = 0; i < b->n; i++)
		if (strlen(b->names[i]) == len &&
		    strncmp(b->names[i], name, len) == 0)
			return true;
	return false;
}

/* Add every name of a "a, b c" list. */
static int add_names(struct backup_index *bi, const char *ns, const char *v)
{
	while (*v) {
		while (*v && (*v == ',' || isspace((unsigned char)*v)))
			v++;
		const char *w = v;
		while (*v && *v != ',' && !isspace((unsigned char)*v))
			v++;
		size_t len = (size_t)(v - w);
		if (!len)
			continue;
		struct bucket *b = get_bucket(bi, ns);
		if (!b)
			return -1;
		if (has_name(b, w, len))
			continue;
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 4;
			char **nn = realloc(b->names, cap * sizeof(*nn));
			if (!nn)
				return -1;
			b->names = nn;
			b->cap = cap;
		}
		char *c = strndup(w, len);
		if (!c)
			return -1;
		b->names[b->n++] = c;
	}
	return 0;
}

int backup_index_add_cronjob(struct backup_index *bi, const char *ns,
			     const json_t *cronjob)
{
	if (!bi || !json_is_object(cronjob))
		return 0;
	struct podspec ps;
	if (podspec_locate("CronJob", cronjob, &ps) &&
	    podspec_foreach(&ps, container_has_tool, NULL)) {
		struct bucket *b = get_bucket(bi, ns);
		if (!b)
			return -1;
		b->has_tool = true;
	}
	const json_t *md = json_object_get(cronjob, "metadata");
	const char *where[] = {"labels", "annotations"};
	for (int i = 0; i < 2; i++) {
		const json_t *v = json_object_get(json_object_get(md, where[i]),
						  BACKUP_FOR);
		if (json_is_string(v) &&
		    add_names(bi, ns, json_string_value(v)))
			return -1;
	}
	return 0;
}

int backup_index_add_object(struct backup_index *bi, const char *ns,
			    const char *kind, const json_t *obj)
{
	if (!bi || !kind || !json_is_object(obj))
		return 0;
	if (strcmp(kind, "CronJob") == 0)
		return backup_index_add_cronjob(bi, ns, obj);
	if (cluster_kind_of_obj(obj) != CK_CNPG_SCHEDULED)
		return 0;
	/* A CloudNativePG ScheduledBackup backs up the Cluster it names. */
	const char *cl =
		json_get_str(json_object_get(json_object_get(obj, "spec"),
					     "cluster"),
			     "name");
	const json_t *sus =
		json_object_get(json_object_get(obj, "spec"), "suspend");
	if (!cl || !*cl || json_is_true(sus))
		return 0;
	return add_names(bi, ns, cl);
}

enum backup_state backup_index_lookup(const struct backup_index *bi,
				      const char *ns, const char *name)
{
	const struct bucket *b = find_bucket(bi, ns);
	if (!b)
		return BACKUP_NOT_FOUND;
	if (b->has_tool)
		return BACKUP_FOUND;
	if (name && has_name(b, name, strlen(name)))
		return BACKUP_FOUND;
	return BACKUP_NOT_FOUND;
}

int backup_index_resolve(const struct backup_index *bi,
			 struct finding_list *deferred,
			 struct finding_list *out)
{
	int rc = 0;
	for (size_t i = 0; i < deferred->n; i++) {
		const struct finding *f = &deferred->v[i];
		if (backup_index_lookup(bi, f->ns, f->name) != BACKUP_NOT_FOUND)
			continue;
		if (finding_add(out, f))
			rc = -1;
	}
	out->dropped += deferred->dropped;
	finding_list_free(deferred);
	return rc;
}
