/*
 * pga104_ssl_disabled.c — PGA104 postgres-ssl-disabled.
 *
 *   .1 a connection string (env value, command/args element, ConfigMap
 *      value, Compose environment/command) with sslmode=disable|allow, or a
 *      JDBC URL with ssl=false or sslmode=disable;
 *   .2 a literal env PGSSLMODE of disable or allow (also a ConfigMap key or
 *      Compose variable PGSSLMODE: they end up in the environment);
 *   .3 a Postgres server container whose command/args set ssl=off:
 *      "-c ssl=off", "-c" "ssl=off", "-cssl=off", "--ssl=off" (off, false,
 *      no and 0 are all "off" for PostgreSQL), also inside one element
 *      ("postgres -c ssl=off", sh -c "...");
 *   .5 (cluster resources) ssl: off in the parameters maps, and .1-.3 in
 *      the containers declared inside them (cluster_rules.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/connstr.h"
#include "pgadmit/podspec.h"
#include "cluster_int.h"
#include "sites.h"

#define HINT_MODE "use sslmode=verify-full (or at least sslmode=require)"
#define HINT_SRV "remove ssl=off and configure ssl_cert_file/ssl_key_file"

static const char *const kinds[] = {RULE_KINDS_PODSPEC,  "ConfigMap",
				    "ComposeService",    "Pooler",
				    RULE_KINDS_CLUSTERS, NULL};

static bool mode_off(const char *v)
{
	return v &&
	       (strcasecmp(v, "disable") == 0 || strcasecmp(v, "allow") == 0);
}

static int site(struct rule_ctx *c, const struct site *s)
{
	char msg[RULE_MSG_MAX * 2];
	if (s->name && s->type != SITE_CMD &&
	    strcasecmp(s->name, "PGSSLMODE") == 0 && mode_off(s->value)) {
		snprintf(msg, sizeof(msg),
			 "PGSSLMODE=%s lets the client connect without SSL",
			 s->value);
		return rule_report(c, s->node, s->path, msg, HINT_MODE);
	}
	struct connstr_scan sc;
	connstr_scan(s->value, &sc);
	if (!sc.ssl_disabled)
		return 0;
	snprintf(msg, sizeof(msg),
		 "connection string with %s allows plain-text connections",
		 sc.ssl_setting);
	return rule_report(c, s->node, s->path, msg, HINT_MODE);
}

/* ---- PGA104.3 server started with ssl=off ------------------------- */

static bool bool_off(const char *v, size_t n)
{
	static const char *const offs[] = {"off", "false", "no", "0"};
	for (int i = 0; i < 4; i++)
		if (strlen(offs[i]) == n && strncasecmp(v, offs[i], n) == 0)
			return true;
	return false;
}

/* "ssl=off" (n bytes at t), quotes stripped by the caller. */
static bool is_ssl_off(const char *t, size_t n)
{
	return n > 4 && strncasecmp(t, "ssl=", 4) == 0 &&
	       bool_off(t + 4, n - 4);
}

struct argscan {
	bool pending_c; /* the previous word was -c */
};

/* Scan the words of one element; true when it sets ssl=off. */
static bool words_set_ssl_off(const char *s, struct argscan *st)
{
	while (*s) {
		while (*s &&
		       (isspace((unsigned char)*s) || strchr("'\"`;", *s)))
			s++;
		const char *w = s;
		while (*s && !isspace((unsigned char)*s) &&
		       !strchr("'\"`;", *s))
			s++;
		size_t n = (size_t)(s - w);
		if (!n)
			continue;
		bool pend = st->pending_c;
		st->pending_c = n == 2 && strncmp(w, "-c", 2) == 0;
		if (pend && is_ssl_off(w, n))
			return true;
		if (n > 2 && strncmp(w, "-c", 2) == 0 &&
		    is_ssl_off(w + 2, n - 2))
			return true;
		if (n > 2 && strncmp(w, "--", 2) == 0 &&
		    is_ssl_off(w + 2, n - 2))
			return true;
	}
	return false;
}

/* Scan command then args (each a list or a string); reports at the element
 * that holds ssl=off. */
static int scan_argv(struct rule_ctx *c, const json_t *obj, const char *prefix)
{
	static const char *const keys[] = {"command", "args", "entrypoint"};
	struct argscan st = {false};
	char path[192];
	for (int k = 0; k < 3; k++) {
		const json_t *v = json_object_get(obj, keys[k]);
		if (json_is_string(v)) {
			if (!words_set_ssl_off(json_string_value(v), &st))
				continue;
			snprintf(path, sizeof(path), "%s%s", prefix, keys[k]);
			return rule_report(
				c, v, path,
				"PostgreSQL server started with ssl=off",
				HINT_SRV);
		}
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) ||
			    !words_set_ssl_off(json_string_value(e), &st))
				continue;
			snprintf(path, sizeof(path), "%s%s[%zu]", prefix,
				 keys[k], i);
			return rule_report(
				c, e, path,
				"PostgreSQL server started with ssl=off",
				HINT_SRV);
		}
	}
	return 0;
}

static int container(const struct podspec_container *pc, void *arg)
{
	struct rule_ctx *c = arg;
	char prefix[128];
	if (!policy_is_pg_image(c->p, pc->image))
		return 0;
	snprintf(prefix, sizeof(prefix), "%s.", pc->path);
	return scan_argv(c, pc->c, prefix) ? 1 : 0;
}

static int eval(struct rule_ctx *c)
{
	if (sites_foreach(c, site))
		return -1;
	if (cluster_kind_of_obj(c->o->obj) != CK_NONE)
		return cluster_pga104(c, container);
	if (strcmp(c->o->kind, "ComposeService") == 0) {
		if (policy_is_pg_image(c->p, json_get_str(c->o->obj, "image")))
			return scan_argv(c, c->o->obj, "");
		return 0;
	}
	struct podspec ps;
	if (strcmp(c->o->kind, "ConfigMap") == 0 ||
	    !podspec_locate(c->o->kind, c->o->obj, &ps))
		return 0;
	return podspec_foreach(&ps, container, c) ? -1 : 0;
}

const struct rule rule_pga104 = {
	.id = R_PGA104,
	.kinds = kinds,
	.eval = eval,
};
