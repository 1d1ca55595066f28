/*
 * pga105_trust_auth.c — PGA105 postgres-trust-auth.
 *
 *   .1 a Postgres server container (Kubernetes `containers`, Compose
 *      service) with a literal env POSTGRES_HOST_AUTH_METHOD=trust or
 *      ALLOW_EMPTY_PASSWORD=yes (also true/1, as Bitnami reads it; in
 *      Compose also as the literal default of `${VAR:-trust}`); also
 *      the same keys of a ConfigMap it loads with envFrom (with its
 *      prefix): in a bundle the candidate is deferred to
 *      ns_evidence_resolve(), in the webhook the oracle's configmap_trust
 *      answers (UNKNOWN is capped at warn: never deny on what could not
 *      be read);
 *   .2 a pg_hba.conf line with method trust for a non-local address in a
 *      ConfigMap value whose key ends in hba.conf (and, through
 *      pga105_judge_hba_list/_text, the operators' hba lists).
 * hba lines are parsed by hba_next_line() and classified by
 * probe_hba_classify(): the same code the probe runs on pg_hba_file_rules
 * (PGA252). A line whose address does not parse is not judged (the server
 * would refuse the file).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/hba.h"
#include "pgadmit/podspec.h"
#include "cluster_int.h"
#include "rule.h"

#define HINT_ENV                                                               \
	"set a password from a Secret; drop trust / ALLOW_EMPTY_PASSWORD"
#define HINT_HBA                                                               \
	"use scram-sha-256 for host lines (trust, if at all, for local only)"

static const char *const kinds[] = {RULE_KINDS_PODSPEC, "ConfigMap",
				    "ComposeService", RULE_KINDS_CLUSTERS,
				    NULL};

/* ---- .2 pg_hba.conf lines -------------------------------------------- */

static bool line_is_trust(const struct hba_line *l)
{
	if (l->type != HBA_HOST || strcasecmp(l->method, "trust") != 0)
		return false;
	enum hba_addr a = probe_hba_classify(l->address, l->netmask);
	return a == HBA_ADDR_NET || a == HBA_ADDR_ALL;
}

bool pga105_hba_line_is_trust(const char *line, size_t len)
{
	struct hba_line l;
	size_t pos = 0;
	while (line && hba_next_line(line, len, &pos, &l))
		if (l.type != HBA_NONE)
			return line_is_trust(&l);
	return false;
}

static int report_line(struct rule_ctx *c, const json_t *node, const char *path,
		       const struct hba_line *l, size_t lineno)
{
	char msg[RULE_MSG_MAX * 2];
	char where[32] = "";
	if (lineno)
		snprintf(where, sizeof(where), " line %zu", lineno);
	snprintf(msg, sizeof(msg),
		 "pg_hba.conf%s: trust for %.40s%s%.40s (%s): no password "
		 "needed",
		 where, l->address, *l->netmask ? "/" : "", l->netmask,
		 l->conn);
	return rule_report(c, node, path, msg, HINT_HBA);
}

int pga105_judge_hba_text(struct rule_ctx *c, const json_t *node,
			  const char *path, const char *text, size_t len)
{
	struct hba_line l;
	size_t pos = 0;
	while (text && hba_next_line(text, len, &pos, &l)) {
		if (!line_is_trust(&l))
			continue;
		/* the logical line ended at pos: count newlines before it
		 * (a continued line is named by its last physical line) */
		size_t lineno = 1;
		for (size_t i = 0; i + 1 < pos && i < len; i++)
			lineno += text[i] == '\n';
		if (report_line(c, node, path, &l, lineno))
			return -1;
	}
	return 0;
}

int pga105_judge_hba_list(struct rule_ctx *c, const json_t *arr,
			  const char *path)
{
	size_t i;
	const json_t *e;
	json_array_foreach(arr, i, e) {
		const char *s = json_string_value(e);
		if (!s)
			continue;
		struct hba_line l;
		size_t pos = 0, len = strlen(s);
		bool hit = false;
		while (!hit && hba_next_line(s, len, &pos, &l))
			if (l.type != HBA_NONE)
				hit = line_is_trust(&l), pos = len;
		if (!hit)
			continue;
		char p[256];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (report_line(c, e, p, &l, 0))
			return -1;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static int judge_configmap(struct rule_ctx *c)
{
	const json_t *data = json_object_get(c->o->obj, "data");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)data, k, v) {
		if (!ends_with(k, "hba.conf") || !json_is_string(v))
			continue;
		struct strbuf path = STRBUF_INIT;
		sb_puts(&path, "data");
		rule_path_key(&path, k);
		int rc = sb_ok(&path)
				 ? pga105_judge_hba_text(c, v, sb_str(&path),
							 json_string_value(v),
							 json_string_length(v))
				 : -1;
		sb_free(&path);
		if (rc)
			return -1;
	}
	return 0;
}

/* ---- .1 environment --------------------------------------------------- */

/* The trust variable name and value, literal: the name it sets, or NULL. */
static const char *trust_env(const char *name, const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	if (!name)
		return NULL;
	if (strcmp(name, "POSTGRES_HOST_AUTH_METHOD") == 0)
		return s && strcasecmp(s, "trust") == 0 ? name : NULL;
	if (strcmp(name, "ALLOW_EMPTY_PASSWORD") == 0) {
		if (json_is_true(v))
			return name; /* YAML 1.1 `yes` read as a boolean */
		return s && (strcasecmp(s, "yes") == 0 ||
			     strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
			       ? name
			       : NULL;
	}
	return NULL;
}

static int report_env(struct rule_ctx *c, const json_t *node, const char *path,
		      const char *var)
{
	char msg[RULE_MSG_MAX * 2];
	snprintf(msg, sizeof(msg),
		 "%s=%s: PostgreSQL accepts logins without "
		 "a password",
		 var,
		 strcmp(var, "ALLOW_EMPTY_PASSWORD") == 0 ? "yes" : "trust");
	return rule_report(c, node, path, msg, HINT_ENV);
}

/* An envFrom configMapRef of a server container. */
static int judge_env_from(struct rule_ctx *c, const json_t *ef,
			  const char *path)
{
	const json_t *ref = json_object_get(ef, "configMapRef");
	const char *cm = json_get_str(ref, "name");
	const char *prefix = json_get_str(ef, "prefix");
	if (!cm)
		return 0;
	const struct backup_oracle *o = c->oracle;
	char msg[RULE_MSG_MAX * 2], var[32] = "", why[96] = "";
	if (o && o->bundle) {
		/* check/audit: judged when the bundle is read; the message
		 * is rewritten then with the variable's name. */
		size_t before = c->deferred ? c->deferred->n : 0;
		snprintf(msg, sizeof(msg),
			 "ConfigMap %.40s (envFrom) sets trust authentication",
			 cm);
		if (rule_report_as(c, c->action, true, ef, path, msg, HINT_ENV))
			return -1;
		if (c->deferred && c->deferred->n > before &&
		    ns_evidence_defer_configmap(o->bundle, c->o->ns, cm,
						prefix)) {
			c->oom = true;
			return -1;
		}
		return 0;
	}
	if (!o || !o->configmap_trust)
		return 0; /* nothing to look in */
	switch (o->configmap_trust(o->arg, c->o->ns, cm, prefix, var,
				   sizeof(var), why, sizeof(why))) {
	case BACKUP_FOUND:
		snprintf(msg, sizeof(msg),
			 "ConfigMap %.40s (envFrom) sets %s=%s: no password needed",
			 cm, var,
			 strcmp(var, "ALLOW_EMPTY_PASSWORD") == 0 ? "yes"
								  : "trust");
		return rule_report(c, ef, path, msg, HINT_ENV);
	case BACKUP_UNKNOWN:
		snprintf(msg, sizeof(msg),
			 "ConfigMap %.40s (envFrom) could not be read for trust "
			 "settings: %s",
			 cm, why[0] ? why : "lookup failed");
		return rule_report_as(c,
				      c->action > ACTION_WARN ? ACTION_WARN
							      : c->action,
				      false, ef, path, msg, HINT_ENV);
	default: return 0;
	}
}

static int server_container(const struct podspec_container *pc, void *arg)
{
	struct rule_ctx *c = arg;
	if (pc->list != PODSPEC_CONTAINERS ||
	    !policy_is_pg_image(c->p, pc->image))
		return 0;
	char path[192];
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(pc->c, "env"), i, e) {
		const char *var = trust_env(json_get_str(e, "name"),
					    json_object_get(e, "value"));
		if (!var)
			continue;
		snprintf(path, sizeof(path), "%s.env[%zu].value", pc->path, i);
		if (report_env(c, json_object_get(e, "value"), path, var))
			return -1;
	}
	json_array_foreach(json_object_get(pc->c, "envFrom"), i, e) {
		snprintf(path, sizeof(path), "%s.envFrom[%zu]", pc->path, i);
		if (judge_env_from(c, e, path))
			return -1;
	}
	return 0;
}

/* Compose: a value that is only `${VAR:-default}` / `${VAR-default}` runs
 * with its literal default when VAR is unset (rules.md, Shell reference):
 * that default is judged. Returns a new string value, or NULL. */
static json_t *compose_default(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (n < 5 || strncmp(s, "${", 2) != 0 || s[n - 1] != '}')
		return NULL;
	const char *dash = strchr(s + 2, '-');
	if (!dash || memchr(s + 2, '}', (size_t)(dash - s - 2)))
		return NULL;
	const char *def = dash + 1;
	size_t dl = (size_t)(s + n - 1 - def);
	if (memchr(def, '$', dl) || memchr(def, '}', dl))
		return NULL;
	return json_stringn(def, dl);
}

static const char *compose_trust(const char *name, const json_t *v)
{
	const char *var = trust_env(name, v);
	if (var)
		return var;
	json_t *d = compose_default(v);
	var = d ? trust_env(name, d) : NULL;
	json_decref(d);
	return var;
}

static int judge_compose(struct rule_ctx *c)
{
	const json_t *svc = c->o->obj;
	if (!policy_is_pg_image(c->p, json_get_str(svc, "image")))
		return 0;
	const json_t *env = json_object_get(svc, "environment");
	char path[160];
	if (json_is_object(env)) {
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)env, k, v) {
			const char *var = compose_trust(k, v);
			if (!var)
				continue;
			struct strbuf p = STRBUF_INIT;
			sb_puts(&p, "environment");
			rule_path_key(&p, k);
			int rc = sb_ok(&p) ? report_env(c, v, sb_str(&p), var)
					   : -1;
			sb_free(&p);
			if (rc)
				return -1;
		}
		return 0;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(env, i, e) {
		const char *s = json_string_value(e);
		const char *eq = s ? strchr(s, '=') : NULL;
		if (!eq || (size_t)(eq - s) >= 64)
			continue;
		char name[64];
		memcpy(name, s, (size_t)(eq - s));
		name[eq - s] = '\0';
		json_t *val = json_string(eq + 1);
		if (!val)
			return -1;
		const char *var = compose_trust(name, val);
		json_decref(val);
		if (!var)
			continue;
		snprintf(path, sizeof(path), "environment[%zu]", i);
		if (report_env(c, e, path, var))
			return -1;
	}
	return 0;
}

static int eval(struct rule_ctx *c)
{
	if (cluster_kind_of_obj(c->o->obj) != CK_NONE)
		return cluster_pga105(c); /* hba lists: cluster_auth.c */
	if (strcmp(c->o->kind, "ConfigMap") == 0)
		return judge_configmap(c);
	if (rule_is_compose(c))
		return judge_compose(c);
	struct podspec ps;
	if (!podspec_locate(c->o->kind, c->o->obj, &ps))
		return 0;
	return podspec_foreach(&ps, server_container, c) < 0 || c->oom ? -1 : 0;
}

const struct rule rule_pga105 = {
	.id = R_PGA105,
	.kinds = kinds,
	.eval = eval,
};
