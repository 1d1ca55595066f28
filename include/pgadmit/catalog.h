/*
 * catalog.h — the rule catalog: every implemented rule's id, slug, scope,
 * default action and documentation, in one table (src/core/rule_catalog.c;
 * the probe rules' entries in rule_catalog_probe.def).
 *
 * It is the single source for: the policy's rule keys and default actions
 * (policy.c, policy_file.c, policy_env.c), finding ids and slugs (rules,
 * probe), SARIF rule metadata and help text (report/sarif.c), `pgadmit
 * rules`, `pgadmit explain` and the generated pages under docs/rules/
 * (rule_doc.c renders all three the same way, so they cannot disagree).
 * Rules that the contract lists but pgadmit does not implement yet are not
 * in the table.
 *
 * Who calls it: everything above core; it depends on action.h and strbuf.h
 * only.
 */
#ifndef PGADMIT_CATALOG_H
#define PGADMIT_CATALOG_H

#include <stddef.h>

#include "pgadmit/action.h"
#include "pgadmit/strbuf.h"
#include "pgadmit/err.h"

/* Every rule in the catalog, in id order. Index into policy->actions. */
enum rule_id {
	R_PGA101,
	R_PGA102,
	R_PGA103,
	R_PGA104,
	R_PGA105,
	R_PGA106,
	R_PGA201,
	R_PGA202,
	R_PGA203,
	R_PGA204,
	R_PGA205,
	R_PGA211,
	R_PGA212,
	R_PGA213,
	R_PGA214,
	R_PGA215,
	R_PGA221,
	R_PGA231,
	R_PGA232,
	R_PGA233,
	R_PGA241,
	R_PGA251,
	R_PGA252,
	R_PGA253,
	R_COUNT
};

/* Where a rule runs (a bit set). */
enum rule_scope {
	SCOPE_WEBHOOK = 1u << 0, /* pgadmit serve */
	SCOPE_CHECK = 1u << 1,   /* pgadmit check */
	SCOPE_AUDIT = 1u << 2,   /* pgadmit audit */
	SCOPE_PROBE = 1u << 3,   /* pgadmit probe */
};

#define RULE_MAX_ITEMS 8 /* fires[] and quiet[] entries, NULL-terminated */

struct rule_meta {
	enum rule_id id;
	const char *code;       /* "PGA101" */
	const char *slug;       /* "postgres-port-exposed" */
	enum action def_action; /* default action */
	unsigned scope;         /* enum rule_scope bits */
	const char *title;      /* one line: what is wrong (rules, SARIF) */
	const char *summary;    /* why it matters, one paragraph */
	const char *fires[RULE_MAX_ITEMS]; /* what fires it */
	const char *quiet[RULE_MAX_ITEMS]; /* what does not */
	const char *fix;                   /* how to fix it */
	const char *optout;                /* how to opt out */
	const char *example; /* a snippet that fires it, or NULL */
};

/* The catalog, R_COUNT entries in id order. */
extern const struct rule_meta rule_catalog[R_COUNT];

/* The policy's lookup: id case-insensitive ("pga101"), slug exact. NULL if
 * no rule. */
const struct rule_meta *rule_meta_by_code(const char *code_or_slug);

/* `pgadmit explain`'s lookup: id or slug, both case-insensitive. */
const struct rule_meta *catalog_find(const char *id_or_slug);

/* Up to max rules close to s (edit distance, prefix or substring of an id
 * or slug), best first, into out. Returns how many. */
size_t catalog_suggest(const char *s, const struct rule_meta **out, size_t max);

/* "webhook, check" — the scope bits in words, into sb. */
void catalog_scope_words(unsigned scope, struct strbuf *sb);

enum rule_doc_format { RULE_DOC_TEXT, RULE_DOC_MARKDOWN };

/* One rule in full (the page docs/rules/<ID>.md in markdown; the SARIF help
 * and `pgadmit explain` in text), appended to sb. */
void rule_doc_render(const struct rule_meta *m, enum rule_doc_format fmt,
		     struct strbuf *sb);

/* The list of every rule: `pgadmit rules` (text, a table) or the index
 * docs/rules/README.md (markdown), appended to sb. */
void rule_index_render(enum rule_doc_format fmt, struct strbuf *sb);

/* Write DIR/README.md and DIR/<ID>.md for every rule (docs/rules/;
 * rule_docs_write.c), creating DIR. 0, or -1 with err naming the file. */
struct err;
PGADMIT_MUST_CHECK
int rule_docs_write(const char *dir, struct err *err);

/* The list as JSON: {"version":1,"rules":[{id, slug, scope[], default,
 * title}]}; with full, every documentation field too. New reference, or
 * NULL on OOM. (json_t from jansson; declared opaque here.) */
struct json_t;
PGADMIT_MUST_CHECK
struct json_t *rule_catalog_json(int full);

#endif
