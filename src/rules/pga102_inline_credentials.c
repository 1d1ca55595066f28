/*
 * pga102_inline_credentials.c — PGA102 postgres-credentials-inline.
 *
 *   .1 env entry with a literal non-empty value (not valueFrom, not a
 *      shell reference such as $(VAR) or "${VAR}"; a literal default
 *      ${VAR:-pw} is literal) whose name is PGPASSWORD or ends in
 *      PASSWORD, PASSWD, PWD or _PASS and contains PG/POSTGRES/DB/
 *      DATABASE/SQL or belongs to a Postgres server, exporter or pooler
 *      container (postgres_exporter's DATA_SOURCE_PASS); never
 *      *_PASSWORD_FILE, *_PASSWORD_ENCRYPTION, *_AUTH_METHOD,
 *      ALLOW_EMPTY_PASSWORD;
 *   .2 a connection string with a password in an env value or a
 *      command/args element;
 *   .3 ConfigMap data: a connection string with a password, or a key that
 *      would fire under .1 with a non-empty value;
 *   .4 Compose environment (map/list) and command;
 *   .5 a Postgres cluster resource: its server env (spec.env) and the
 *      containers declared inside it, as sites (cluster_rules.c).
 * Secrets never fire (the rule does not look at them). Messages name the
 * variable or quote the redacted connection string, never the value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/connstr.h"
#include "sites.h"

static const char *const kinds[] = {RULE_KINDS_PODSPEC,  "ConfigMap",
				    "ComposeService",    "Pooler",
				    RULE_KINDS_CLUSTERS, NULL};

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static bool contains(const char *s, const char *sub)
{
	return strcasestr(s, sub) != NULL;
}

/* Names that describe a password rather than hold one (rules.md PGA102.1):
 * a file path, the hashing scheme, the auth method, and Bitnami's
 * ALLOW_EMPTY_PASSWORD (a trust setting: PGA105's). */
static const char *const never_suffixes[] = {"_PASSWORD_FILE",
					     "_PASSWORD_ENCRYPTION",
					     "_AUTH_METHOD",
					     "ALLOW_EMPTY_PASSWORD", NULL};

/* PGA102.1 name test. The bare shell variable PWD (working directory) is
 * not a password. */
static bool is_password_name(const char *name, bool pg_server)
{
	if (strcasecmp(name, "PGPASSWORD") == 0)
		return true;
	if (strcasecmp(name, "PWD") == 0)
		return false;
	for (const char *const *n = never_suffixes; *n; n++)
		if (ends_with(name, *n))
			return false;
	if (!(ends_with(name, "PASSWORD") || ends_with(name, "PASSWD") ||
	      ends_with(name, "PWD") || ends_with(name, "_PASS")))
		return false;
	return pg_server || contains(name, "PG") ||
	       contains(name, "POSTGRES") || contains(name, "DB") ||
	       contains(name, "DATABASE") || contains(name, "SQL");
}

static bool is_literal(const char *v)
{
	return v && *v && !connstr_is_reference(v);
}

static const char *hint_for(const struct rule_ctx *c, const struct site *s)
{
	if (rule_is_compose(c))
		return "use Compose secrets or an env_file kept out of the repository, or ${VAR} from the environment";
	if (s->type == SITE_CONFIGMAP)
		return "move it to a Secret and load it with envFrom.secretRef or a secretKeyRef";
	if (s->type == SITE_CMD)
		return "pass the password via env valueFrom.secretKeyRef (PGPASSWORD) instead of the command line";
	return "store it in a Secret and use valueFrom.secretKeyRef";
}

static int site(struct rule_ctx *c, const struct site *s)
{
	char msg[RULE_MSG_MAX * 2];
	const char *what = s->type == SITE_CONFIGMAP ? "ConfigMap key"
			   : s->type == SITE_ENV     ? "env"
						     : "command line";
	if (s->name && s->type != SITE_CMD &&
	    is_password_name(s->name, s->type == SITE_ENV &&
					      (s->pg_server || s->pg_tool)) &&
	    is_literal(s->value)) {
		/* ${VAR:-pw}: the value is fine, its default ships the
		 * password (rules.md "Shell reference") */
		bool def = connstr_is_literal_default(s->value);
		snprintf(msg, sizeof(msg),
			 "%s %.60s holds a literal password%s", what, s->name,
			 def ? " as its default (${VAR:-...})" : "");
		return rule_report(
			c, s->node, s->path, msg,
			def ? "drop the default (${VAR} or ${VAR:?required}); keep the password in a Secret or Compose secrets"
			    : hint_for(c, s));
	}
	struct connstr_scan sc;
	connstr_scan(s->value, &sc);
	if (!sc.has_password)
		return 0;
	char *q = connstr_redact_quote(s->value, 48);
	if (!q)
		return -1;
	if (s->name)
		snprintf(msg, sizeof(msg),
			 "%s %.40s has a connection string with an inline password: %s",
			 what, s->name, q);
	else
		snprintf(msg, sizeof(msg),
			 "command line has a connection string with an inline password: %s",
			 q);
	free(q);
	return rule_report(c, s->node, s->path, msg, hint_for(c, s));
}

static int eval(struct rule_ctx *c)
{
	return sites_foreach(c, site);
}

const struct rule rule_pga102 = {
	.id = R_PGA102,
	.kinds = kinds,
	.eval = eval,
};
