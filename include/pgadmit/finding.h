/*
 * finding.h — one rule hit on one object, and a list of them.
 *
 * A finding never holds a secret: rules build messages from redacted text
 * (see connstr.h). All strings in a finding are owned by the list and copied
 * in by finding_add(). Used by the manifest rules (check and serve) and their
 * reporters; the probe has its own target-level report (probe.h).
 */
#ifndef PGADMIT_FINDING_H
#define PGADMIT_FINDING_H

#include <stddef.h>

#include "pgadmit/action.h"
#include "pgadmit/err.h"

/* Upper bound on findings kept per object (the rest are counted, not kept). */
#define FINDING_MAX_PER_OBJECT 64

struct finding {
	const char *rule; /* "PGA101"; static storage */
	const char *slug; /* "postgres-port-exposed"; static storage */
	enum action action;
	char *file;   /* source file, "-" for stdin; NULL in the webhook */
	int document; /* 0-based document index in file */
	int line;     /* 1-based; 0 = unknown (webhook) */
	char *kind;   /* "Deployment", "ComposeService", ... */
	char *ns;     /* NULL when the manifest has no namespace */
	char *name;
	char *path;    /* "spec.template.spec.containers[0].env[2].value" */
	char *message; /* one line, no secret */
	char *hint;    /* one line */
};

struct finding_list {
	struct finding *v;
	size_t n;
	size_t cap;
	size_t dropped; /* findings not kept because of limits or OOM */
};

void finding_list_init(struct finding_list *l);
/* Frees every finding's strings and the array; l is reusable afterwards. */
void finding_list_free(struct finding_list *l);
/* Deep-copies f (strings may be NULL) onto the end of l. 0 or -1 (OOM). */
PGADMIT_MUST_CHECK
int finding_add(struct finding_list *l, const struct finding *f);
/* Moves all of src's findings to the end of dst; src becomes empty. */
PGADMIT_MUST_CHECK
int finding_list_move(struct finding_list *dst, struct finding_list *src);
/* Stable sort by file, document, line, rule, path. */
void finding_list_sort(struct finding_list *l);
/* Counts by action (index by enum action). */
void finding_list_count(const struct finding_list *l, size_t counts[5]);

#endif
