/*
 * manifest.h — YAML/JSON documents to jansson trees, with source lines.
 *
 * The bottom layer: libyaml's event API builds one jansson tree per document
 * with Kubernetes (go-yaml v2 / YAML 1.1) scalar semantics, remembers the
 * 1-based source line of every node, expands anchors/aliases under hard caps
 * (expanded nodes, depth) so that alias bombs fail fast, and reports errors
 * with file, document index, line and column. It knows nothing of rules,
 * findings or policy.
 *
 * Streaming: documents are handed to a callback one at a time and freed after
 * it returns, so memory does not grow with the size of a bundle.
 *
 * Empty documents (`---` alone, comment-only, `--- ~`) are delivered with
 * root == NULL so indexes stay right; an input with no document at all
 * (empty or only comments) delivers one empty document 0. See
 * docs/manifest.md for the scalar typing, key rules and caps.
 */
#ifndef PGADMIT_MANIFEST_H
#define PGADMIT_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "pgadmit/err.h"

struct manifest_linemap; /* opaque: node pointer -> line */

struct manifest_doc {
	json_t *root;     /* borrowed by the callback; NULL for an empty doc */
	int index;        /* 0-based document index in its stream */
	int line;         /* 1-based line where the document starts */
	const char *name; /* file name as given ("-" for stdin) */
	struct manifest_linemap *lines; /* may be NULL (e.g. webhook input) */
};

struct manifest_limits {
	size_t max_nodes; /* expanded nodes per document (default 1,000,000) */
	int max_depth;    /* nesting depth (default 256) */
	size_t max_alias_nodes; /* nodes produced by alias expansion per document
				   (default 100,000) */
	size_t max_scalar;      /* bytes in one scalar (default 8 MiB) */
};

void manifest_limits_default(struct manifest_limits *lim);

/* Line of node in doc (1-based), 0 when unknown. O(1) average. */
int manifest_line(const struct manifest_doc *doc, const json_t *node);

/*
 * Called once per document, in order. Return 0 to continue, non-zero to
 * stop (manifest_load_* then returns that value). The tree is freed after the
 * callback returns: json_incref() it to keep it.
 */
typedef int (*manifest_doc_fn)(const struct manifest_doc *doc, void *arg);

/*
 * Parse a stream. name is used in messages and manifest_doc.name.
 * Returns 0 on success, the callback's non-zero value if it stopped, or -1
 * with err set to "NAME: document N: line L, column C: what" on invalid
 * input (documents before the bad one have already been delivered).
 * lim may be NULL (defaults).
 */
PGADMIT_MUST_CHECK
int manifest_load_file(FILE *fp, const char *name,
		       const struct manifest_limits *lim, manifest_doc_fn fn,
		       void *arg, struct err *err);
PGADMIT_MUST_CHECK
int manifest_load_buffer(const char *buf, size_t len, const char *name,
			 const struct manifest_limits *lim, manifest_doc_fn fn,
			 void *arg, struct err *err);

/*
 * Convenience for small inputs (policy files, tests): parse exactly one
 * document. Returns a new reference (caller json_decref()s) or NULL with err.
 * An empty input gives JSON null. More than one document is an error.
 * If lines is non-NULL, *lines receives the line map (caller frees it with
 * manifest_linemap_free()), otherwise it is discarded.
 */
PGADMIT_MUST_CHECK
json_t *manifest_parse_one(const char *buf, size_t len, const char *name,
			   struct manifest_linemap **lines, struct err *err);
void manifest_linemap_free(struct manifest_linemap *m);
int manifest_linemap_get(const struct manifest_linemap *m, const json_t *node);

#endif
