/*
 * cmd_catalog.h — helpers shared by `pgadmit rules` and `pgadmit explain`
 * (cmd_rules.c), which both print the rule catalog (catalog.h).
 */
#ifndef PGADMIT_CMD_CATALOG_H
#define PGADMIT_CMD_CATALOG_H

#include <jansson.h>

#include "pgadmit/strbuf.h"

#define CATALOG_FMT_TEXT 0
#define CATALOG_FMT_JSON 1
#define CATALOG_FMT_MARKDOWN 2

/* "text", "json", "markdown" (or "md") -> CATALOG_FMT_*; -1 otherwise. */
int cmd_catalog_format(const char *s);
/* Print sb on stdout and free it; 0, or 1 on OOM or a write error. */
int cmd_catalog_emit(struct strbuf *sb);
/* Print v (reference stolen; NULL means OOM) as indented JSON; 0 or 1. */
int cmd_catalog_emit_json(json_t *v);

#endif
