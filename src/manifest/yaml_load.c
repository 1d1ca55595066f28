/*
 * yaml_load.c — libyaml events → one jansson tree per document (manifest.h).
 *
 * Built with an explicit stack (no recursion), so depth is bounded by
 * manifest_limits.max_depth and not by the C stack. Aliases share the
 * anchored subtree (json_incref) instead of copying it, but every alias is
 * charged the anchored subtree's node count against max_nodes and
 * max_alias_nodes *before* it is attached: a billion-laughs document is
 * refused after a few thousand events, and consumers never see more nodes
 * than the caps allow. Anchors become visible when their node is complete,
 * so an alias can never point at its own ancestor (no cycles).
 *
 * Mapping keys must be scalars (or aliases of string scalars); duplicate
 * keys are an error, as kubectl reports them. `<<` merge keys are supported
 * like go-yaml: explicit keys win, earlier merge sources win over later.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "linemap.h"
#include "pgadmit/manifest.h"
#include "scalar.h"

#define MAX_ANCHORS 4096

struct frame {
	json_t *node; /* owned until attached to its parent */
	int is_map;
	char *key; /* pending mapping key (owned) */
	size_t keylen;
	int have_key;
	int key_is_merge;
	json_t **merges; /* merge sources (owned refs), applied at the end */
	size_t nmerges, capmerges;
	char *anchor; /* registered when the node is complete */
	size_t start_nodes;
};

struct anchor {
	char *name;
	json_t *node; /* borrowed: lives in the document tree */
	size_t count; /* nodes in the subtree, aliases expanded */
};

struct loader {
	yaml_parser_t parser;
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
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t nodes, alias_nodes;
	int doc_index, doc_line, in_doc;
};

void manifest_limits_default(struct manifest_limits *lim)
{
	lim->max_nodes = 1000000;
	lim->max_depth = 256;
	lim->max_alias_nodes = 100000;
	lim->max_scalar = 16u << 20;
}

static int fail_at(struct loader *L, const yaml_mark_t *m, const char *what)
{
	return err_set(L->err, "%s: document %d: line %zu, column %zu: %s",
		       L->name, L->doc_index, m->line + 1, m->column + 1, what);
}

static int parse_error(struct loader *L)
{
	yaml_parser_t *p = &L->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	if (p->error == YAML_READER_ERROR)
		return err_set(L->err, "%s: document %d: byte %zu: %s",
			       L->name, L->doc_index, p->problem_offset,
			       problem);
	if (p->error == YAML_MEMORY_ERROR)
		return err_set(L->err, "%s: out of memory", L->name);
	if (p->context)
		return err_set(L->err,
			       "%s: document %d: line %zu, column %zu: %s %s",
			       L->name, L->doc_index, p->problem_mark.line + 1,
			       p->problem_mark.column + 1, problem, p->context);
	return fail_at(L, &p->problem_mark, problem);
}

static void frame_release(struct frame *f)
{
	json_decref(f->node);
	free(f->key);
	for (size_t i = 0; i < f->nmerges; i++)
		json_decref(f->merges[i]);
	free(f->merges);
	free(f->anchor);
	memset(f, 0, sizeof(*f));
}

static void doc_reset(struct loader *L)
{
	while (L->depth > 0)
		frame_release(&L->stack[--L->depth]);
	json_decref(L->root);
	L->root = NULL;
	manifest_linemap_free(L->lines);
	L->lines = NULL;
	for (size_t i = 0; i < L->nanchors; i++)
		free(L->anchors[i].name);
	L->nanchors = 0;
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
	for (size_t i = 0; i < L->nanchors; i++)
		if (strcmp(L->anchors[i].name, name) == 0) {
			/* YAML allows redefinition: the latest wins. */
			L->anchors[i].node = node;
			L->anchors[i].count = count;
			return 0;
		}
	if (L->nanchors == MAX_ANCHORS)
		return fail_at(L, m, "too many anchors");
	if (L->nanchors == L->capanchors) {
		size_t cap = L->capanchors ? L->capanchors * 2 : 16;
		struct anchor *na = realloc(L->anchors, cap * sizeof(*na));
		if (!na)
			return fail_at(L, m, "out of memory");
		L->anchors = na;
		L->capanchors = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return fail_at(L, m, "out of memory");
	L->anchors[L->nanchors++] = (struct anchor){copy, node, count};
	return 0;
}

static const struct anchor *find_anchor(struct loader *L, const char *name)
{
	for (size_t i = L->nanchors; i > 0; i--)
		if (strcmp(L->anchors[i - 1].name, name) == 0)
			return &L->anchors[i - 1];
	return NULL;
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
			json_array_foreach(v, i, e)
			{
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
			return fail_at(L, m, "merge key << needs a mapping or a "
					     "list of mappings");
		if (rc)
			return fail_at(L, m, "out of memory");
	} else {
		if (json_object_getn(f->node, f->key, f->keylen)) {
			json_decref(v);
			char msg[160];
			snprintf(msg, sizeof(msg), "duplicate key \"%.100s\"",
				 f->key);
			return fail_at(L, m, msg);
		}
		if (json_object_setn_new(f->node, f->key, f->keylen, v))
			return fail_at(L, m, "out of memory");
	}
	free(f->key);
	f->key = NULL;
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
	f->key = malloc(len + 1);
	if (!f->key)
		return fail_at(L, m, "out of memory");
	memcpy(f->key, s, len);
	f->key[len] = '\0';
	f->keylen = len;
	f->have_key = 1;
	f->key_is_merge = is_merge;
	return 0;
}

static int on_scalar(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (len > L->lim.max_scalar) {
		char msg[96];
		snprintf(msg, sizeof(msg), "scalar larger than %zu bytes",
			 L->lim.max_scalar);
		return fail_at(L, m, msg);
	}
	const char *tag = (const char *)ev->data.scalar.tag;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (expecting_key(L)) {
		int merge = plain && !tag && len == 2 && memcmp(s, "<<", 2) == 0;
		if (count_node(L, m))
			return -1;
		return set_key(L, s, len, merge, m);
	}
	json_t *v;
	if (tag) {
		int bad;
		v = scalar_tagged(tag, s, len, &bad);
		if (!v && bad)
			return fail_at(L, m, "value does not match its tag");
	} else if (plain && ev->data.scalar.plain_implicit)
		v = scalar_resolve(s, len);
	else
		v = json_stringn(s, len);
	if (!v)
		return fail_at(L, m, "invalid string (NUL or bad UTF-8)");
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
		L->stack = ns;
		L->capstack = cap;
	}
	struct frame *f = &L->stack[L->depth];
	memset(f, 0, sizeof(*f));
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

static int on_alias(struct loader *L, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = find_anchor(L, name);
	if (!a) {
		char msg[160];
		snprintf(msg, sizeof(msg), "unknown anchor \"%.100s\"", name);
		return fail_at(L, m, msg);
	}
	if (expecting_key(L)) {
		if (!json_is_string(a->node))
			return fail_at(L, m, "alias used as a key must name a "
					     "string");
		return set_key(L, json_string_value(a->node),
			       json_string_length(a->node), 0, m);
	}
	if (a->count > L->lim.max_alias_nodes - L->alias_nodes ||
	    a->count > L->lim.max_nodes - L->nodes) {
		char msg[128];
		snprintf(msg, sizeof(msg),
			 "too many alias expansions (limit %zu nodes)",
			 L->lim.max_alias_nodes);
		return fail_at(L, m, msg);
	}
	L->alias_nodes += a->count;
	L->nodes += a->count;
	return attach(L, json_incref(a->node), m);
}

static int on_doc_end(struct loader *L)
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

/* 0 continue, 1 stop (stream end or callback), -1 error. */
static int handle(struct loader *L, yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT: return 1;
	case YAML_DOCUMENT_START_EVENT:
		doc_reset(L);
		L->in_doc = 1;
		L->doc_line = (int)ev->start_mark.line + 1;
		L->lines = linemap_new();
		return L->lines ? 0 : fail_at(L, &ev->start_mark, "out of memory");
	case YAML_DOCUMENT_END_EVENT: return on_doc_end(L);
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
	free(L->stack);
	free(L->anchors);
	yaml_parser_delete(&L->parser);
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

int manifest_load_file(FILE *fp, const char *name,
		       const struct manifest_limits *lim, manifest_doc_fn fn,
		       void *arg, struct err *err)
{
	struct loader L;
	if (init(&L, name, lim, fn, arg, err))
		return -1;
	yaml_parser_set_input_file(&L.parser, fp);
	return run(&L);
}

int manifest_load_buffer(const char *buf, size_t len, const char *name,
			 const struct manifest_limits *lim, manifest_doc_fn fn,
			 void *arg, struct err *err)
{
	struct loader L;
	if (init(&L, name, lim, fn, arg, err))
		return -1;
	yaml_parser_set_input_string(&L.parser, (const unsigned char *)buf,
				     len);
	return run(&L);
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
