/*
 * engine.c — the manifest rule engine (rules.h).
 *
 * For one object: skip policy-skipped namespaces, then for each rule in id
 * order that is not off and looks at the object's kind, honour the opt-out
 * annotation pgadmit.dev/ignore-<slug> (reported as one info finding) or
 * run the rule; pgadmit.dev/ annotations that are not honoured get an info
 * finding each (annotations.c). Findings per object are capped at FINDING_MAX_PER_OBJECT;
 * the rest are counted in out->dropped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/cluster.h"
#include "pgadmit/manifest.h"
#include "pgadmit/podspec.h"
#include "rule.h"

#define IGNORE_PREFIX "pgadmit.dev/ignore-"

/* The rule table, in id order. */
static const struct rule *const rules[] = {
	&rule_pga101, &rule_pga102, &rule_pga103,
	&rule_pga104, &rule_pga105, &rule_pga106,
};

const char *const rule_podspec_kinds[] = {RULE_KINDS_PODSPEC, NULL};

static bool kind_in(const char *const *kinds, const char *kind)
{
	for (; *kinds; kinds++)
		if (strcmp(*kinds, kind) == 0)
			return true;
	return false;
}

bool rules_kind_relevant(const char *kind)
{
	if (!kind)
		return false;
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++)
		if (kind_in(rules[i]->kinds, kind))
			return true;
	return false;
}

bool rule_is_compose(const struct rule_ctx *c)
{
	return c->o->path_prefix && *c->o->path_prefix;
}

long long rule_port_number(const json_t *v)
{
	if (json_is_integer(v)) {
		long long n = json_integer_value(v);
		return n >= 0 && n <= 65535 ? n : -1;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		long long n = 0;
		if (!*s || strlen(s) > 5)
			return -1;
		for (; *s; s++) {
			if (!isdigit((unsigned char)*s))
				return -1;
			n = n * 10 + (*s - '0');
		}
		return n <= 65535 ? n : -1;
	}
	return -1;
}

bool rule_is_pg_port_value(const struct policy *p, const json_t *v)
{
	long long n = rule_port_number(v);
	if (n >= 0)
		return policy_is_pg_port_number(p, n);
	if (json_is_string(v))
		return policy_is_pg_port_name(p, json_string_value(v));
	return false;
}

void rule_path_key(struct strbuf *sb, const char *key)
{
	bool plain = *key && (isalpha((unsigned char)*key) || *key == '_');
	for (const char *k = key; plain && *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			plain = false;
	if (plain) {
		sb_putc(sb, '.');
		sb_puts(sb, key);
		return;
	}
	sb_puts(sb, "[\"");
	sb_json_escape(sb, key);
	sb_puts(sb, "\"]");
}

bool rule_reason_ok(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

/* Copy s into dst (cap bytes) as one line, cut at the cap with "...". */
static void one_line(char *dst, size_t cap, const char *s)
{
	size_t n = 0, len = strlen(s);
	for (; *s && n + 1 < cap; s++)
		dst[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s;
	dst[n] = '\0';
	if (len >= cap && cap > 4) {
		size_t cut = cap - 4;
		while (cut > 0 && ((unsigned char)dst[cut] & 0xC0) == 0x80)
			cut--;
		memcpy(dst + cut, "...", 4);
	}
}

int rule_report_as(struct rule_ctx *c, enum action a, bool to_deferred,
		   const json_t *node, const char *path, const char *msg,
		   const char *hint)
{
	struct finding_list *dst = to_deferred ? c->deferred : c->out;
	if (!dst)
		return 0;
	if (*c->nobj >= FINDING_MAX_PER_OBJECT) {
		c->out->dropped++;
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	if (rule_is_compose(c)) {
		sb_puts(&sb, c->o->path_prefix);
		if (path && *path && *path != '[')
			sb_putc(&sb, '.');
	}
	if (path)
		sb_puts(&sb, path);
	char m[RULE_MSG_MAX + 1], h[RULE_MSG_MAX + 1];
	one_line(m, sizeof(m), msg ? msg : "");
	one_line(h, sizeof(h), hint ? hint : "");
	struct finding f = {
		.rule = c->meta->code,
		.slug = c->meta->slug,
		.action = a,
		.file = (char *)c->o->file,
		.document = c->o->document,
		.line = (c->o->doc && node) ? manifest_line(c->o->doc, node)
					    : 0,
		.kind = (char *)c->o->kind,
		.ns = (char *)c->o->ns,
		.name = (char *)c->o->name,
		.path = (char *)sb_str(&sb),
		.message = m,
		.hint = h,
	};
	int rc = -1;
	if (sb_ok(&sb) && finding_add(dst, &f) == 0) {
		(*c->nobj)++;
		rc = 0;
	}
	sb_free(&sb);
	if (rc)
		c->oom = true;
	return rc;
}

int rule_report(struct rule_ctx *c, const json_t *node, const char *path,
		const char *msg, const char *hint)
{
	return rule_report_as(c, c->action, false, node, path, msg, hint);
}

/*
 * The opt-out for one rule: metadata.annotations (Kubernetes) or the
 * service's labels, map or list form (Compose). Returns the reason (borrowed,
 * may be empty) and the node/path where it was found, or NULL.
 */
static const char *find_optout(const struct object_ref *o, const char *slug,
			       const json_t **node, struct strbuf *path)
{
	char key[128];
	snprintf(key, sizeof(key), IGNORE_PREFIX "%s", slug);
	bool compose = o->path_prefix && *o->path_prefix;
	const json_t *m;
	if (compose) {
		m = json_object_get(o->obj, "labels");
		if (json_is_array(m)) {
			size_t i, kl = strlen(key);
			const json_t *v;
			json_array_foreach(m, i, v) {
				const char *s = json_string_value(v);
				if (!s || strncmp(s, key, kl) != 0 ||
				    s[kl] != '=')
					continue;
				*node = v;
				sb_printf(path, "labels[%zu]", i);
				return s + kl + 1;
			}
			return NULL;
		}
		sb_puts(path, "labels");
	} else {
		m = json_object_get(json_object_get(o->obj, "metadata"),
				    "annotations");
		sb_puts(path, "metadata.annotations");
	}
	const json_t *v = json_object_get(m, key);
	if (!v)
		return NULL;
	*node = v;
	rule_path_key(path, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* Returns 1 when the rule is opted out (info finding reported), 0 when not,
 * -1 on OOM. An empty reason is not honoured (an info finding says so): the
 * rule runs. */
static int optout(struct rule_ctx *c)
{
	const json_t *node = NULL;
	struct strbuf path = STRBUF_INIT;
	const char *reason = find_optout(c->o, c->meta->slug, &node, &path);
	int rc = 0;
	if (reason && !rule_reason_ok(reason)) {
		/* Not honoured, and said so: the rule runs. */
		char msg[RULE_MSG_MAX * 2];
		snprintf(msg, sizeof(msg),
			 IGNORE_PREFIX "%s not honoured: the reason is empty",
			 c->meta->slug);
		rc = rule_report_as(
			     c, ACTION_INFO, false, node, sb_str(&path), msg,
			     "say why the rule does not apply: " IGNORE_PREFIX
			     "<slug>: \"<reason>\"")
			     ? -1
			     : 0;
	} else if (reason) {
		char msg[RULE_MSG_MAX * 2];
		snprintf(msg, sizeof(msg), "%s ignored by annotation: %s",
			 c->meta->code, reason);
		rc = rule_report_as(c, ACTION_INFO, false, node, sb_str(&path),
				    msg,
				    "remove the pgadmit.dev/ignore annotation "
				    "to apply this rule again")
			     ? -1
			     : 1;
	}
	if (!sb_ok(&path))
		rc = -1;
	sb_free(&path);
	return rc;
}

int rules_eval_object(const struct policy *p, const struct object_ref *o,
		      const struct backup_oracle *oracle,
		      struct finding_list *out, struct finding_list *deferred)
{
	if (!p || !o || !out || !json_is_object(o->obj) || !o->kind)
		return 0;
	if (policy_skips_namespace(p, o->ns))
		return 0;
	/* An operator child is judged at its cluster resource (rules.md):
	 * reporting it here too would give every finding twice. */
	if (!(o->path_prefix && *o->path_prefix) &&
	    cluster_child_owner(o->kind, o->obj, NULL, 0))
		return 0;
	/* rule_path_key() and the compose prefix make path strings; the
	 * reporter copies them, so no memory outlives this call but out's. */
	size_t nobj = 0;
	struct rule_ctx ac = {
		.p = p,
		.o = o,
		.meta = &rule_catalog[R_PGA101],
		.action = ACTION_INFO,
		.oracle = oracle,
		.out = out,
		.deferred = deferred,
		.nobj = &nobj,
	};
	if (rule_annotation_notes(&ac) || ac.oom)
		return -1;
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		const struct rule *r = rules[i];
		if (p->actions[r->id] == ACTION_OFF ||
		    !kind_in(r->kinds, o->kind))
			continue;
		struct rule_ctx c = {
			.p = p,
			.o = o,
			.meta = &rule_catalog[r->id],
			.action = p->actions[r->id],
			.oracle = oracle,
			.out = out,
			.deferred = deferred,
			.nobj = &nobj,
		};
		int rc = optout(&c);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if (r->eval(&c) || c.oom)
			return -1;
	}
	return 0;
}
