/*
 * annotations.c — pgadmit.dev/ annotations that are not honoured.
 *
 * A setting that is silently ignored is worse than an error: an object
 * carrying a pgadmit.dev/ annotation that pgadmit does not understand gets
 * an info finding saying why it had no effect (a rule id where the slug
 * belongs, a slug no rule has, an empty reason, a key pgadmit does not
 * know). Honoured annotations are the engine's (engine.c: opt-outs) and the
 * rules' (PGA103: pgadmit.dev/backup, pgadmit.dev/backup-for) business; an
 * opt-out with an empty reason is reported by the engine, for the rule that
 * then runs. Kubernetes objects: metadata.annotations; Compose services:
 * labels (map, or list of "key=value").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rule.h"

#define PREFIX "pgadmit.dev/"
#define IGNORE_PREFIX "pgadmit.dev/ignore-"

/* Findings about annotations no rule owns carry this pseudo rule. */
static const struct rule_meta not_understood = {
	.code = "pgadmit",
	.slug = "annotation-not-understood",
};

/* Keys pgadmit understands besides ignore-<slug>. */
static const char *const known_keys[] = {
	"pgadmit.dev/backup",     /* PGA103: backups handled elsewhere */
	"pgadmit.dev/backup-for", /* a backup CronJob names its workload */
	"pgadmit.dev/monitoring", /* PGA106: metrics exported elsewhere */
	"pgadmit.dev/findings",   /* written by the mutating webhook */
	"pgadmit.dev/ignore",     /* namespace label (webhook selector) */
	NULL,
};

static bool known(const char *key)
{
	for (const char *const *k = known_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

static int note(struct rule_ctx *c, const struct rule_meta *m,
		const json_t *node, const char *path, const char *msg,
		const char *hint)
{
	struct rule_ctx n = *c;
	n.meta = m;
	int rc = rule_report_as(&n, ACTION_INFO, false, node, path, msg, hint);
	if (n.oom)
		c->oom = true;
	return rc;
}

/* One pgadmit.dev/ key with its value (NULL: not a string). */
static int judge_key(struct rule_ctx *c, const char *key, const char *val,
		     const json_t *node, const char *path)
{
	char msg[RULE_MSG_MAX * 2], hint[RULE_MSG_MAX * 2];
	if (strncmp(key, IGNORE_PREFIX, strlen(IGNORE_PREFIX)) == 0) {
		const char *name = key + strlen(IGNORE_PREFIX);
		const struct rule_meta *m = catalog_find(name);
		bool manifest = m && (m->scope & (SCOPE_CHECK | SCOPE_WEBHOOK));
		if (m && !manifest) {
			snprintf(msg, sizeof(msg),
				 "%s not honoured: %s is a probe rule, judged "
				 "on live databases, not on manifests",
				 key, m->code);
			return note(c, m, node, path, msg,
				    "set its action in the probe's policy "
				    "instead");
		}
		if (m && strcmp(m->slug, name) == 0)
			return 0; /* the engine judges it with its rule */
		if (m) {
			snprintf(msg, sizeof(msg),
				 "%s not honoured: opt-outs name the rule by "
				 "its slug, in lower case",
				 key);
			snprintf(hint, sizeof(hint),
				 "rename it to " IGNORE_PREFIX "%s", m->slug);
			return note(c, m, node, path, msg, hint);
		}
		const struct rule_meta *near[1];
		snprintf(msg, sizeof(msg),
			 "%s not honoured: no rule has the slug '%s'", key,
			 name);
		if (catalog_suggest(name, near, 1) == 1 &&
		    (near[0]->scope & (SCOPE_CHECK | SCOPE_WEBHOOK)))
			snprintf(hint, sizeof(hint),
				 "did you mean " IGNORE_PREFIX "%s?",
				 near[0]->slug);
		else
			snprintf(hint, sizeof(hint),
				 "`pgadmit rules` lists the rules' slugs");
		return note(c, &not_understood, node, path, msg, hint);
	}
	if (strcmp(key, "pgadmit.dev/backup") == 0) {
		if (rule_reason_ok(val) ||
		    c->p->actions[R_PGA103] == ACTION_OFF)
			return 0;
		return note(c, &rule_catalog[R_PGA103], node, path,
			    "pgadmit.dev/backup not honoured: the reason is "
			    "empty",
			    "say where the backups are: pgadmit.dev/backup: "
			    "\"<reason>\"");
	}
	if (strcmp(key, "pgadmit.dev/monitoring") == 0) {
		if (rule_reason_ok(val) ||
		    c->p->actions[R_PGA106] == ACTION_OFF)
			return 0;
		return note(c, &rule_catalog[R_PGA106], node, path,
			    "pgadmit.dev/monitoring not honoured: the reason is "
			    "empty",
			    "say how it is monitored: pgadmit.dev/monitoring: "
			    "\"<reason>\"");
	}
	if (known(key))
		return 0;
	snprintf(msg, sizeof(msg),
		 "%s not honoured: pgadmit has no such annotation", key);
	return note(c, &not_understood, node, path, msg,
		    "known: pgadmit.dev/ignore-<slug>, pgadmit.dev/backup, "
		    "pgadmit.dev/backup-for, pgadmit.dev/monitoring");
}

int rule_annotation_notes(struct rule_ctx *c)
{
	const struct object_ref *o = c->o;
	bool compose = rule_is_compose(c);
	const json_t *m =
		compose ? json_object_get(o->obj, "labels")
			: json_object_get(json_object_get(o->obj, "metadata"),
					  "annotations");
	size_t plen = strlen(PREFIX);
	if (json_is_array(m)) { /* Compose list form: "key=value" */
		size_t i;
		const json_t *v;
		json_array_foreach(m, i, v) {
			const char *s = json_string_value(v);
			if (!s || strncmp(s, PREFIX, plen) != 0)
				continue;
			char key[256], path[32];
			size_t kl = strcspn(s, "=");
			snprintf(key, sizeof(key), "%.*s",
				 (int)(kl < sizeof(key) ? kl : sizeof(key) - 1),
				 s);
			snprintf(path, sizeof(path), "labels[%zu]", i);
			if (judge_key(c, key, s[kl] ? s + kl + 1 : "", v,
				      path) ||
			    c->oom)
				return -1;
		}
		return 0;
	}
	if (!json_is_object(m))
		return 0;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)m, k, v) {
		if (strncmp(k, PREFIX, plen) != 0)
			continue;
		struct strbuf path = STRBUF_INIT;
		sb_puts(&path, compose ? "labels" : "metadata.annotations");
		rule_path_key(&path, k);
		int rc = sb_ok(&path) ? judge_key(c, k, json_string_value(v), v,
						  sb_str(&path))
				      : -1;
		sb_free(&path);
		if (rc || c->oom)
			return -1;
	}
	return 0;
}
