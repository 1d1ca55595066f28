/*
 * sites.h — the places where PGA102/PGA104 look for text (private).
 *
 * A site is one string an application reads: a container env value, a
 * command/args element, a ConfigMap data value, a Compose environment value
 * (map or list form) or command/entrypoint (string or list). Secrets are
 * never sites. Values that are not strings (YAML numbers, booleans) are
 * given as their text; null and absent values are not sites.
 */
#ifndef PGADMIT_RULES_SITES_H
#define PGADMIT_RULES_SITES_H

#include "rule.h"

enum site_type { SITE_ENV, SITE_CMD, SITE_CONFIGMAP };

struct site {
	enum site_type type;
	const char *name;   /* env name / ConfigMap key; NULL for commands */
	const char *value;  /* the text (borrowed or a temporary) */
	const json_t *node; /* for the line */
	const char *path;   /* relative to the object / Compose service */
	bool pg_server;     /* belongs to a Postgres server container */
	bool pg_tool;       /* belongs to a Postgres exporter or pooler
				container (PGA102.1's DATA_SOURCE_PASS) */
};

/* Call fn for every site of c's object; stops at a non-zero return. */
typedef int (*site_fn)(struct rule_ctx *c, const struct site *s);
int sites_foreach(struct rule_ctx *c, site_fn fn);

#endif
