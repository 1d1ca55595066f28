/*
 * yaml_load.c — libyaml events → one jansson tree per document (manifest.h).
 *
 * Built with an explicit stack (no recursion), so depth is bounded by
 * manifest_limits.max_depth and not by the C stack. Aliases share the
 * anchored subtree (json_incref) instead of copying it, but every alias is
 * charged the anchored subtree's node count against max_nodes and
 * max_alias_nodes *before* it is attached: a billion-laughs document is
 * refused after a few dozen events, and consumers never see more nodes than
 * the caps allow. A shared subtree has the lines of the anchored text.
 * Anchors become visible when their node is complete, so an alias can never
 * point at its own ancestor (no cycles).
 *
 * Mapping keys must be scalars (or aliases of scalars); bool and int keys
 * become "true"/"false" and decimal text as sigs.k8s.io/yaml makes them,
 * other keys keep their text. Duplicate keys are an error, as kubectl
 * reports them. `<<` merge keys are supported: explicit keys win, earlier
 * merge sources win over later ones.
 *
 * Input goes through reader.c, which stops just before the first byte that
 * is not UTF-8 or is a control character, so that the documents before it
 * are delivered and the error names its document, line and column.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "anchors.h"
#include "linemap.h"
#include "pgadmit/manifest.h"
#include "reader.h"
#include "scalar.h"

struct frame {
	json_t *node; /* owned until attached to its parent */
	int is_map;
	char *key; /* pending mapping key: a buffer kept by the stack slot */
	size_t keylen, keycap;
	int have_key;
	int key_is_merge;
	json_t **merges; /* merge sources (owned refs), applied at the end */
	size_t nmerges, capmerges;
	char *anchor; /* registered when the node is complete */
	size_t start_nodes;
};

struct loader {
	yaml_parser_t parser;
	struct mreader rd;
	const char *name;
	struct manifest_limits lim;
	manifest_doc_fn fn;
	void *arg;
	struct err *err;
	int stop_rc; /* the callback's non-zero value */
	/* current document */
	struct frame *stack;
	size_t depth, capstack;
	json_t *root;
	struct manifest_linemap *lines;
	struct anchors anchors;
	size_t nodes, alias_nodes;
	int doc_index, doc_line, in_doc;
};

void manifest_limits_default(struct manifest_limits *lim)
{
	lim->max_nodes = 1000000;
	lim->max_depth = 256;
	lim->max_alias_nodes = 100000;
	lim->max_scalar = 8u << 20;
}

static int fail_at(struct loader *L, const yaml_mark_t *m, const char *what)
{
	return err_set(L->err, "%s: document %d: line %zu, column %zu: %s",
		       L->name, L->doc_index, m->line + 1, m->column + 1, what);
}

/* The byte the reader stopped at (not UTF-8, a control character, or a
 * read error). */
static int reader_error(struct loader *L)
{
	return err_set(L->err, "%s: document %d: line %zu, column %zu: %s",
		       L->name, L->doc_index, L->rd.bad_line + 1,
		       L->rd.bad_column + 1, L->rd.bad_what);
}

static int parse_error(struct loader *L)
{
	yaml_parser_t *p = &L->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	if (p->error == YAML_MEMORY_ERROR)
		return err_set(L->err, "%s: out of memory", L->name);
	/* An error at or after the point where the reader cut the input is
	 * that cut's doing: report the bad byte instead. */
	if (L->rd.is_bad && (p->error == YAML_READER_ERROR ||
			     p->problem_mark.index >= L->rd.bad_index))
		return reader_error(L);
	if (p->error == YAML_READER_ERROR) /* UTF-16 input */
		return err_set(L->err, "%s: document %d: byte %zu: %s", L->name,
			       L->doc_index, p->problem_offset, problem);
	if (p->context)
		return err_set(L->err,
			       "%s: document %d: line %zu, column %zu: %s (%s "
			       "at line %zu, column %zu)",
			       L->name, L->doc_index, p->problem_mark.line + 1,
			       p->problem_mark.column + 1, problem, p->context,
			       p->context_mark.line + 1,
			       p->context_mark.column + 1);
	return fail_at(L, &p->problem_mark, problem);
}

/* Zero a frame but keep its key buffer: a stack slot reuses it for every
 * mapping at its depth (no allocation per key). */
static void frame_clear(struct frame *f)
{
	char *key = f->key;
	size_t keycap = f->keycap;
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->keycap = keycap;
}

static void frame_release(struct frame *f)
{
	json_decref(f->node);
	for (size_t i = 0; i < f->nmerges; i++)
		json_decref(f->merges[i]);
	free(f->merges);
	free(f->anchor);
	frame_clear(f);
}

static void doc_reset(struct loader *L)
{
	while (L->depth > 0)
		frame_release(&L->stack[--L->depth]);
	json_decref(L->root);
	L->root = NULL;
	if (L->lines)
		linemap_clear(L->lines); /* kept for the next document */
	anchors_clear(&L->anchors);
	L->nodes = L->alias_nodes = 0;
	L->in_doc = 0;
}

static int count_node(struct loader *L, const yaml_mark_t *m)
{
	if (++L->nodes > L->lim.max_nodes) {
		char msg[96];
		snprintf(msg, sizeof(msg), "too many nodes (limit %zu)",
			 L->lim.max_nodes);
		return fail_at(L, m, msg);
	}
	return 0;
}

static int add_anchor(struct loader *L, const char *name, json_t *node,
		      size_t count, const yaml_mark_t *m)
{
	if (anchors_set(&L->anchors, name, node, count))
		return fail_at(L, m, "out of memory");
	return 0;
}

static int add_merge(struct frame *f, json_t *src)
{
	if (f->nmerges == f->capmerges) {
		size_t cap = f->capmerges ? f->capmerges * 2 : 4;
		json_t **nm = realloc(f->merges, cap * sizeof(*nm));
		if (!nm)
			return -1;
		f->merges = nm;
		f->capmerges = cap;
	}
	f->merges[f->nmerges++] = json_incref(src);
	return 0;
}

/* Attach a complete node (reference stolen) to its parent or the root. */
static int attach(struct loader *L, json_t *v, const yaml_mark_t *m)
{
	if (L->depth == 0) {
		L->root = v;
		return 0;
	}
	struct frame *f = &L->stack[L->depth - 1];
	if (!f->is_map) {
		if (json_array_append_new(f->node, v))
			return fail_at(L, m, "out of memory");
		return 0;
	}
	int rc = 0;
	if (f->key_is_merge) {
		if (json_is_object(v))
			rc = add_merge(f, v);
		else if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (!json_is_object(e)) {
					rc = -2;
					break;
				}
				if (add_merge(f, e))
					rc = -1;
			}
		} else
			rc = -2;
		json_decref(v);
		if (rc == -2)
			return fail_at(L, m,
				       "merge key << needs a mapping or a "
				       "list of mappings");
		if (rc)
			return fail_at(L, m, "out of memory");
	} else {
		/* One hash lookup: a key already present leaves the size
		 * unchanged (the document is refused, so the replaced value does
		 * not matter). Keys are valid UTF-8: libyaml checked them. */
		size_t before = json_object_size(f->node);
		if (json_object_setn_new_nocheck(f->node, f->key, f->keylen, v))
			return fail_at(L, m, "out of memory");
		if (json_object_size(f->node) == before) {
			char msg[160];
			snprintf(msg, sizeof(msg), "duplicate key \"%.100s\"",
				 f->key);
			return fail_at(L, m, msg);
		}
	}
	f->have_key = f->key_is_merge = 0;
	return 0;
}

static int expecting_key(struct loader *L)
{
	return L->depth > 0 && L->stack[L->depth - 1].is_map &&
	       !L->stack[L->depth - 1].have_key;
}

static int set_key(struct loader *L, const char *s, size_t len, int is_merge,
		   const yaml_mark_t *m)
{
	struct frame *f = &L->stack[L->depth - 1];
	if (len + 1 > f->keycap) {
		size_t cap = len + 1 < 64 ? 64 : len + 1;
		char *nk = realloc(f->key, cap);
		if (!nk)
			return fail_at(L, m, "out of memory");
		f->key = nk;
		f->keycap = cap;
	}
	memcpy(f->key, s, len);
	f->key[len] = '\0';
	f->keylen = len;
	f->have_key = 1;
	f->key_is_merge = is_merge;
	return 0;
}

/* A key's text from its resolved value, as sigs.k8s.io/yaml writes keys:
 * bool → "true"/"false", int → decimal. NULL for other types. */
static const char *key_of_value(const json_t *v, char *buf, size_t size,
				size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_boolean(v) || json_is_integer(v)) {
		if (json_is_integer(v))
			snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
		else
			snprintf(buf, size, "%s",
				 json_is_true(v) ? "true" : "false");
		*len = strlen(buf);
		return buf;
	}
	return NULL;
}

/* The scalar's value: typed only when untagged, plain and implicit. */
static json_t *scalar_value(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	json_t *v;
	if (tag) {
		int bad;
		v = scalar_tagged(tag, s, len, &bad);
		if (!v && bad) {
			char msg[160];
			const char *t = strncmp(tag, "tag:yaml.org,2002:", 18)
						? tag
						: tag + 18;
			/* The value is not echoed: it may be a secret. */
			snprintf(msg, sizeof(msg),
				 "value is not a valid !!%.40s", t);
			fail_at(L, m, msg);
			return NULL;
		}
	} else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   ev->data.scalar.plain_implicit)
		v = scalar_resolve(s, len);
	else
		v = json_stringn_nocheck(s, len); /* libyaml checked UTF-8 */
	if (!v)
		fail_at(L, m, "invalid string (NUL or bad UTF-8)");
	return v;
}

static int on_key_scalar(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    !ev->data.scalar.tag;
	if (count_node(L, m))
		return -1;
	if (plain && len == 2 && memcmp(s, "<<", 2) == 0)
		return set_key(L, s, len, 1, m);
	/* A key is its text unless it is anchored or a plain scalar that
	 * resolves to another type (true, 1, ...): most keys stop here. */
	if (!ev->data.scalar.anchor && (!plain || scalar_is_string(s, len)))
		return set_key(L, s, len, 0, m);
	json_t *v = scalar_value(L, ev);
	if (!v)
		return -1;
	char buf[32];
	size_t klen;
	const char *k = plain ? key_of_value(v, buf, sizeof(buf), &klen) : NULL;
	int rc = set_key(L, k ? k : s, k ? klen : len, 0, m);
	if (!rc && ev->data.scalar.anchor)
		rc = add_anchor(L, (const char *)ev->data.scalar.anchor, v, 1,
				m);
	json_decref(v);
	return rc;
}

static int on_scalar(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	if (ev->data.scalar.length > L->lim.max_scalar) {
		char msg[96];
		snprintf(msg, sizeof(msg), "scalar larger than %zu bytes",
			 L->lim.max_scalar);
		return fail_at(L, m, msg);
	}
	if (expecting_key(L))
		return on_key_scalar(L, ev);
	json_t *v = scalar_value(L, ev);
	if (!v)
		return -1;
	if (count_node(L, m) || linemap_put(L->lines, v, (int)m->line + 1)) {
		json_decref(v);
		return -1;
	}
	if (ev->data.scalar.anchor &&
	    add_anchor(L, (const char *)ev->data.scalar.anchor, v, 1, m)) {
		json_decref(v);
		return -1;
	}
	return attach(L, v, m);
}

static int on_start(struct loader *L, yaml_event_t *ev, int is_map)
{
	const yaml_mark_t *m = &ev->start_mark;
	if (expecting_key(L))
		return fail_at(L, m, "mapping keys must be scalars");
	if ((int)L->depth >= L->lim.max_depth) {
		char msg[96];
		snprintf(msg, sizeof(msg), "nesting deeper than %d levels",
			 L->lim.max_depth);
		return fail_at(L, m, msg);
	}
	if (count_node(L, m))
		return -1;
	if (L->depth == L->capstack) {
		size_t cap = L->capstack ? L->capstack * 2 : 16;
		struct frame *ns = realloc(L->stack, cap * sizeof(*ns));
		if (!ns)
			return fail_at(L, m, "out of memory");
		memset(ns + L->capstack, 0, (cap - L->capstack) * sizeof(*ns));
		L->stack = ns;
		L->capstack = cap;
	}
	struct frame *f = &L->stack[L->depth];
	frame_clear(f);
	f->is_map = is_map;
	f->node = is_map ? json_object() : json_array();
	f->start_nodes = L->nodes;
	const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
					   : ev->data.sequence_start.anchor;
	if (anchor)
		f->anchor = strdup((const char *)anchor);
	if (!f->node || (anchor && !f->anchor) ||
	    linemap_put(L->lines, f->node, (int)m->line + 1)) {
		frame_release(f);
		return fail_at(L, m, "out of memory");
	}
	L->depth++;
	return 0;
}

static int on_end(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct frame f = L->stack[--L->depth];
	int rc = 0;
	/* Merge sources in order; explicit keys and earlier sources win. */
	for (size_t i = 0; i < f.nmerges && !rc; i++) {
		const char *k;
		size_t klen;
		json_t *v;
		json_object_keylen_foreach(f.merges[i], k, klen, v)
		{
			if (json_object_getn(f.node, k, klen))
				continue;
			if (json_object_setn(f.node, k, klen, v)) {
				rc = fail_at(L, m, "out of memory");
				break;
			}
		}
	}
	size_t count = L->nodes - f.start_nodes + 1;
	if (!rc && f.anchor && add_anchor(L, f.anchor, f.node, count, m))
		rc = -1;
	json_t *node = f.node;
	f.node = NULL;
	frame_release(&f);
	if (rc) {
		json_decref(node);
		return rc;
	}
	return attach(L, node, m);
}

static int too_many_aliases(struct loader *L, const yaml_mark_t *m)
{
	char msg[128];
	snprintf(msg, sizeof(msg),
		 "too many alias expansions (limit %zu nodes)",
		 L->lim.max_alias_nodes);
	return fail_at(L, m, msg);
}

static int on_alias(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = anchors_get(&L->anchors, name);
	if (!a) {
		char msg[160];
		snprintf(msg, sizeof(msg), "unknown anchor \"%.100s\"", name);
		return fail_at(L, m, msg);
	}
	/* Charged before anything is attached: count, then share. */
	if (a->count > L->lim.max_alias_nodes - L->alias_nodes)
		return too_many_aliases(L, m);
	if (a->count > L->lim.max_nodes - L->nodes) {
		char msg[96];
		snprintf(msg, sizeof(msg), "too many nodes (limit %zu)",
			 L->lim.max_nodes);
		return fail_at(L, m, msg);
	}
	L->alias_nodes += a->count;
	L->nodes += a->count;
	if (expecting_key(L)) {
		char buf[32];
		size_t klen;
		const char *k = key_of_value(a->node, buf, sizeof(buf), &klen);
		if (!k)
			return fail_at(L, m,
				       "an alias used as a key must name "
				       "a string, bool or int");
		return set_key(L, k, klen, 0, m);
	}
	return attach(L, json_incref(a->node), m);
}

static int deliver(struct loader *L)
{
	struct manifest_doc doc = {
		.root = json_is_null(L->root) ? NULL : L->root,
		.index = L->doc_index,
		.line = L->doc_line,
		.name = L->name,
		.lines = L->lines,
	};
	int rc = L->fn ? L->fn(&doc, L->arg) : 0;
	if (!doc.lines)
		L->lines = NULL; /* manifest_parse_one took the map */
	doc_reset(L);
	L->doc_index++;
	if (rc) {
		L->stop_rc = rc;
		return 1;
	}
	return 0;
}

static int on_doc_start(struct loader *L, yaml_event_t *ev)
{
	doc_reset(L);
	L->in_doc = 1;
	L->doc_line = (int)ev->start_mark.line + 1;
	if (!L->lines)
		L->lines = linemap_new();
	return L->lines ? 0 : fail_at(L, &ev->start_mark, "out of memory");
}

static int on_doc_end(struct loader *L, yaml_event_t *ev)
{
	/* A document that runs into the reader's cut is incomplete: never
	 * deliver it, report the bad byte. */
	if (L->rd.is_bad && ev->start_mark.index >= L->rd.bad_index)
		return reader_error(L);
	return deliver(L);
}

static int on_stream_end(struct loader *L, yaml_event_t *ev)
{
	if (L->rd.is_bad)
		return reader_error(L);
	if (L->doc_index == 0) {
		/* No document at all (empty or comment-only input): deliver
		 * one empty document so every input has a document 0. */
		if (on_doc_start(L, ev))
			return -1;
		L->doc_line = 1;
		deliver(L);
	}
	return 1;
}

/* 0 continue, 1 stop (stream end or callback), -1 error. */
static int handle(struct loader *L, yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT: return on_stream_end(L, ev);
	case YAML_DOCUMENT_START_EVENT: return on_doc_start(L, ev);
	case YAML_DOCUMENT_END_EVENT: return on_doc_end(L, ev);
	case YAML_SCALAR_EVENT: return on_scalar(L, ev);
	case YAML_SEQUENCE_START_EVENT: return on_start(L, ev, 0);
	case YAML_MAPPING_START_EVENT: return on_start(L, ev, 1);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: return on_end(L, ev);
	case YAML_ALIAS_EVENT: return on_alias(L, ev);
	default: return 0;
	}
}

static int run(struct loader *L)
{
	int rc;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&L->parser, &ev)) {
			rc = parse_error(L);
			break;
		}
		rc = handle(L, &ev);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	doc_reset(L);
	manifest_linemap_free(L->lines);
	for (size_t i = 0; i < L->capstack; i++)
		free(L->stack[i].key);
	free(L->stack);
	anchors_free(&L->anchors);
	yaml_parser_delete(&L->parser);
	mreader_free(&L->rd);
	if (rc < 0)
		return -1;
	return L->stop_rc;
}

static int init(struct loader *L, const char *name,
		const struct manifest_limits *lim, manifest_doc_fn fn,
		void *arg, struct err *err)
{
	memset(L, 0, sizeof(*L));
	L->name = name ? name : "-";
	if (lim)
		L->lim = *lim;
	else
		manifest_limits_default(&L->lim);
	L->fn = fn;
	L->arg = arg;
	L->err = err;
	if (!yaml_parser_initialize(&L->parser))
		return err_set(err, "%s: out of memory", L->name);
	return 0;
}

static int start(struct loader *L, int rc_init)
{
	if (rc_init) {
		yaml_parser_delete(&L->parser);
		mreader_free(&L->rd);
		return err_set(L->err, "%s: out of memory", L->name);
	}
	yaml_parser_set_input(&L->parser, mreader_read, &L->rd);
	return run(L);
}

int manifest_load_file(FILE *fp, const char *name,
		       const struct manifest_limits *lim, manifest_doc_fn fn,
		       void *arg, struct err *err)
{
	struct loader L;
	if (init(&L, name, lim, fn, arg, err))
		return -1;
	return start(&L, mreader_init_file(&L.rd, fp));
}

int manifest_load_buffer(const char *buf, size_t len, const char *name,
			 const struct manifest_limits *lim, manifest_doc_fn fn,
			 void *arg, struct err *err)
{
	struct loader L;
	if (init(&L, name, lim, fn, arg, err))
		return -1;
	return start(&L, mreader_init_buffer(&L.rd, buf, len));
}

/* ---- one document ----------------------------------------------------- */

struct one {
	json_t *root;
	struct manifest_linemap *lines;
	int ndocs;
};

static int take_one(const struct manifest_doc *doc, void *arg)
{
	struct one *o = arg;
	if (++o->ndocs > 1)
		return 2;
	o->root = doc->root ? json_incref(doc->root) : json_null();
	/* Keep the line map: the loader frees doc->lines unless we take it. */
	o->lines = doc->lines;
	((struct manifest_doc *)doc)->lines = NULL;
	return 0;
}

json_t *manifest_parse_one(const char *buf, size_t len, const char *name,
			   struct manifest_linemap **lines, struct err *err)
{
	struct one o = {NULL, NULL, 0};
	if (lines)
		*lines = NULL;
	int rc = manifest_load_buffer(buf, len, name, NULL, take_one, &o, err);
	if (rc == 2)
		err_set(err, "%s: expected one document, found several",
			name ? name : "-");
	if (rc != 0) {
		json_decref(o.root);
		manifest_linemap_free(o.lines);
		return NULL;
	}
	if (!o.root)
		o.root = json_null(); /* empty input */
	if (lines)
		*lines = o.lines;
	else
		manifest_linemap_free(o.lines);
	return o.root;
}
