/*
 * policy.c — a policy's life (policy.h): the built-in defaults
 * (policy_init), policy_new (defaults, then the policy file, then the
 * environment), release, and the matching the rules ask for (ports, port
 * names, listed exporters, skipped namespaces; images: image.c).
 *
 * The policy file is read by policy_file.c and the environment by
 * policy_env.c; the setters all three use are here (policy_int.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/policy.h"
#include "policy_int.h"

#define DEFAULT_IMAGE_PATTERN                                                  \
	"^(postgres|postgresql|postgis|timescaledb|timescaledb-ha|"            \
	"postgresql-repmgr|spilo(-[0-9]+)?|crunchy-postgres(-gis)?)$"
/* rules.md "Postgres server image": known vendor server images (image.c
 * says how an entry matches); postgres.serverImages extends the list. */
static const char *const default_server_images[] = {"harbor-db",
						    "cloudnative-pg/postgresql",
						    "spilo-*", "patroni", NULL};
#define DEFAULT_PORT_NAME_PATTERN                                              \
	"^(tcp-)?(postgres|postgresql|pg|pgsql|pgbouncer)$"

/* Compiles pat into *re (replacing the previous one when *ok) and keeps a
 * copy in *pattern; on error the policy is left as it was. */
static int set_pattern(regex_t *re, bool *ok, char **pattern, const char *pat,
		       int flags, struct err *err)
{
	regex_t nre;
	int rc = regcomp(&nre, pat, REG_EXTENDED | REG_NOSUB | flags);
	if (rc != 0) {
		char buf[128];
		regerror(rc, &nre, buf, sizeof(buf));
		return err_set(err, "invalid regular expression '%s': %s", pat,
			       buf);
	}
	char *copy = strdup(pat);
	if (!copy) {
		regfree(&nre);
		return err_nomem(err);
	}
	if (*ok)
		regfree(re);
	free(*pattern);
	*re = nre;
	*ok = true;
	*pattern = copy;
	return 0;
}

int policy_set_image_pattern(struct policy *p, const char *pat, struct err *err)
{
	return set_pattern(&p->image_re, &p->image_re_ok, &p->image_pattern,
			   pat, 0, err);
}

int policy_set_port_name_pattern(struct policy *p, const char *pat,
				 struct err *err)
{
	return set_pattern(&p->port_name_re, &p->port_name_re_ok,
			   &p->port_name_pattern, pat, REG_ICASE, err);
}

void policy_clear_skips(struct policy *p)
{
	for (size_t i = 0; i < p->nskip; i++)
		free(p->skip_namespaces[i]);
	p->nskip = 0;
}

void policy_clear_exporters(struct policy *p)
{
	for (size_t i = 0; i < p->nexporters; i++)
		free(p->exporter_images[i]);
	p->nexporters = 0;
}

int policy_add_skip(struct policy *p, const char *ns, struct err *err)
{
	if (p->nskip >= POLICY_MAX_SKIP_NS)
		return err_set(err, "too many namespaces to skip (max %d)",
			       POLICY_MAX_SKIP_NS);
	char *c = strdup(ns);
	if (!c)
		return err_nomem(err);
	p->skip_namespaces[p->nskip++] = c;
	return 0;
}

int policy_init(struct policy *p, struct err *err)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < R_COUNT; i++)
		p->actions[i] = rule_catalog[i].def_action;
	p->ports[0] = 5432;
	p->ports[1] = 6432;
	p->nports = 2;
	p->probe.cert_expiry_days = 30;
	p->probe.index_unused_days = 7;
	p->probe.index_unused_min_bytes = 1LL << 20;
	p->probe.seq_scan_min_bytes = 10LL << 20;
	p->probe.seq_scan_ratio = 10.0;
	p->probe.seq_scan_min_rows = 1000000;
	p->probe.connections_percent = 80;
	p->probe.connect_timeout_s = 5;
	p->probe.statement_timeout_ms = 5000;
	p->probe.lock_timeout_ms = 1000;
	p->probe.concurrency = 4;
	p->probe.backup_stale_s = 86400;
	/* The largest review the API server sends: docs/memory.md ("Body
	 * cap"): a 1 MiB ConfigMap UPDATE with escaped values is 15 MB. */
	p->webhook.max_body_bytes = 20LL << 20;
	p->webhook.kube_timeout_ms = 2000;
	p->webhook.cronjob_cache_ttl_s = 30;
	for (const char *const *v = default_server_images; *v; v++)
		if (policy_add_server_image(p, *v, err)) {
			policy_release(p);
			return -1;
		}
	if (policy_set_image_pattern(p, DEFAULT_IMAGE_PATTERN, err) ||
	    policy_set_port_name_pattern(p, DEFAULT_PORT_NAME_PATTERN, err) ||
	    policy_add_skip(p, "kube-system", err)) {
		policy_release(p);
		return -1;
	}
	return 0;
}

void policy_release(struct policy *p)
{
	if (p->image_re_ok)
		regfree(&p->image_re);
	if (p->port_name_re_ok)
		regfree(&p->port_name_re);
	free(p->image_pattern);
	free(p->port_name_pattern);
	for (size_t i = 0; i < p->nserver_images; i++)
		free(p->server_images[i]);
	policy_clear_skips(p);
	policy_clear_exporters(p);
	free(p->source);
	memset(p, 0, sizeof(*p));
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	policy_release(p);
	free(p);
}

struct policy *policy_new(const char *path, struct err *err)
{
	struct policy *p = malloc(sizeof(*p));
	if (!p) {
		err_nomem(err);
		return NULL;
	}
	if (policy_init(p, err)) {
		free(p);
		return NULL;
	}
	if ((path && policy_load_file(p, path, err)) ||
	    policy_apply_env(p, err)) {
		policy_free(p);
		return NULL;
	}
	return p;
}

/* ---- matching ------------------------------------------------------- */

bool policy_is_pg_port_number(const struct policy *p, long long port)
{
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i] == port)
			return true;
	return false;
}

bool policy_is_pg_port_name(const struct policy *p, const char *name)
{
	if (!name || !*name || !p->port_name_re_ok)
		return false;
	return regexec(&p->port_name_re, name, 0, NULL, 0) == 0;
}

bool policy_is_listed_exporter(const struct policy *p, const char *image)
{
	if (!p || !image || !p->nexporters)
		return false;
	size_t len = strcspn(image, "@");
	const char *last = image;
	for (size_t i = 0; i < len; i++)
		if (image[i] == '/')
			last = image + i + 1;
	size_t n = strcspn(last, ":@");
	for (size_t i = 0; i < p->nexporters; i++)
		if (strlen(p->exporter_images[i]) == n &&
		    strncasecmp(p->exporter_images[i], last, n) == 0)
			return true;
	return false;
}

bool policy_skips_namespace(const struct policy *p, const char *ns)
{
	if (!ns)
		return false;
	for (size_t i = 0; i < p->nskip; i++)
		if (strcmp(p->skip_namespaces[i], ns) == 0)
			return true;
	return false;
}
