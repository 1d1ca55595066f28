/*
 * policy.c — defaults, policy file, environment overrides (policy.h).
 *
 * The file is YAML or JSON, read with the manifest loader. Every key is
 * checked: an unknown or mistyped key is an error naming the key path and
 * line, so a typo never silently falls back to a default.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/file.h"
#include "pgadmit/manifest.h"
#include "pgadmit/policy.h"

extern char **environ;

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
#define POLICY_FILE_MAX (1u << 20)

static int set_image_pattern(struct policy *p, const char *pat, struct err *err)
{
	regex_t re;
	int rc = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char buf[128];
		regerror(rc, &re, buf, sizeof(buf));
		return err_set(err, "invalid regular expression '%s': %s", pat,
			       buf);
	}
	char *copy = strdup(pat);
	if (!copy) {
		regfree(&re);
		return err_nomem(err);
	}
	if (p->image_re_ok)
		regfree(&p->image_re);
	free(p->image_pattern);
	p->image_re = re;
	p->image_re_ok = true;
	p->image_pattern = copy;
	return 0;
}

static int set_port_name_pattern(struct policy *p, const char *pat,
				 struct err *err)
{
	regex_t re;
	int rc = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | REG_ICASE);
	if (rc != 0) {
		char buf[128];
		regerror(rc, &re, buf, sizeof(buf));
		return err_set(err, "invalid regular expression '%s': %s", pat,
			       buf);
	}
	char *copy = strdup(pat);
	if (!copy) {
		regfree(&re);
		return err_nomem(err);
	}
	if (p->port_name_re_ok)
		regfree(&p->port_name_re);
	free(p->port_name_pattern);
	p->port_name_re = re;
	p->port_name_re_ok = true;
	p->port_name_pattern = copy;
	return 0;
}

static void clear_skips(struct policy *p)
{
	for (size_t i = 0; i < p->nskip; i++)
		free(p->skip_namespaces[i]);
	p->nskip = 0;
}

static void clear_exporters(struct policy *p)
{
	for (size_t i = 0; i < p->nexporters; i++)
		free(p->exporter_images[i]);
	p->nexporters = 0;
}

static int add_skip(struct policy *p, const char *ns, struct err *err)
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
	if (set_image_pattern(p, DEFAULT_IMAGE_PATTERN, err) ||
	    set_port_name_pattern(p, DEFAULT_PORT_NAME_PATTERN, err) ||
	    add_skip(p, "kube-system", err)) {
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
	clear_skips(p);
	clear_exporters(p);
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

/* ---- policy file ---------------------------------------------------- */

struct loadctx {
	struct policy *p;
	const char *name;
	struct manifest_linemap *lines;
	struct err *err;
};

static int bad(struct loadctx *c, const json_t *node, const char *key,
	       const char *what)
{
	int line = c->lines ? manifest_linemap_get(c->lines, node) : 0;
	if (line > 0)
		return err_set(c->err, "%s:%d: %s: %s", c->name, line, key,
			       what);
	return err_set(c->err, "%s: %s: %s", c->name, key, what);
}

/* set_*_pattern() left the regex library's reason in c->err (and
 * policy_add_server_image its own); bad() writes
 * into the same buffer, so the reason is copied out first (passing
 * c->err->msg itself printed the prefix twice and lost the reason). */
static int bad_regex(struct loadctx *c, const json_t *node, const char *key)
{
	char why[ERR_MSG_MAX];
	snprintf(why, sizeof(why), "%s", c->err->msg);
	return bad(c, node, key, why);
}

static int get_int(struct loadctx *c, const json_t *v, const char *key,
		   long long lo, long long hi, long long *out)
{
	long long n;
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v)) {
		/* Helm renders numbers from values as strings sometimes. */
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno || end == s || *end)
			return bad(c, v, key, "expected an integer");
	} else
		return bad(c, v, key, "expected an integer");
	if (n < lo || n > hi) {
		char msg[96];
		snprintf(msg, sizeof(msg), "must be between %lld and %lld", lo,
			 hi);
		return bad(c, v, key, msg);
	}
	*out = n;
	return 0;
}

static int get_num(struct loadctx *c, const json_t *v, const char *key,
		   double lo, double hi, double *out)
{
	if (!json_is_number(v))
		return bad(c, v, key, "expected a number");
	double d = json_number_value(v);
	if (d < lo || d > hi)
		return bad(c, v, key, "out of range");
	*out = d;
	return 0;
}

static int load_rules(struct loadctx *c, const json_t *rules)
{
	if (!json_is_object(rules))
		return bad(c, rules, "rules",
			   "expected a mapping of rule id "
			   "or slug to an action");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)rules, k, v) {
		char key[96];
		snprintf(key, sizeof(key), "rules.%s", k);
		const struct rule_meta *m = rule_meta_by_code(k);
		if (!m)
			return bad(c, v, key,
				   "unknown rule (expected an id "
				   "such as PGA101 or a slug)");
		const json_t *a = v;
		if (json_is_object(v)) {
			const char *k2;
			json_t *v2;
			a = NULL;
			json_object_foreach(v, k2, v2) {
				if (strcmp(k2, "action") != 0) {
					char key2[160];
					snprintf(key2, sizeof(key2), "%s.%s",
						 key, k2);
					return bad(c, v2, key2, "unknown key");
				}
				a = v2;
			}
			if (!a)
				return bad(c, v, key, "missing action");
		}
		int act = json_is_string(a)
				  ? action_parse(json_string_value(a), 0)
				  : -1;
		/* YAML 1.1 reads an unquoted `off` as false. */
		if (json_is_false(a))
			act = ACTION_OFF;
		if (act < 0)
			return bad(c, a, key,
				   "expected deny|warn|annotate|off");
		c->p->actions[m->id] = (enum action)act;
	}
	return 0;
}

static int load_postgres(struct loadctx *c, const json_t *pg)
{
	if (!json_is_object(pg))
		return bad(c, pg, "postgres", "expected a mapping");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)pg, k, v) {
		char key[96];
		snprintf(key, sizeof(key), "postgres.%s", k);
		if (strcmp(k, "ports") == 0) {
			if (!json_is_array(v) || json_array_size(v) == 0 ||
			    json_array_size(v) > POLICY_MAX_PORTS)
				return bad(c, v, key,
					   "expected a list of 1 to "
					   "32 port numbers");
			size_t i;
			json_t *e;
			c->p->nports = 0;
			json_array_foreach(v, i, e) {
				long long n;
				if (get_int(c, e, key, 1, 65535, &n))
					return -1;
				c->p->ports[c->p->nports++] = (int)n;
			}
		} else if (strcmp(k, "imagePattern") == 0) {
			if (!json_is_string(v))
				return bad(c, v, key, "expected a string");
			if (set_image_pattern(c->p, json_string_value(v),
					      c->err))
				return bad_regex(c, v, key);
		} else if (strcmp(k, "serverImages") == 0) {
			if (!json_is_array(v))
				return bad(c, v, key,
					   "expected a list of image "
					   "names");
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (!json_is_string(e))
					return bad(c, e, key,
						   "expected a list "
						   "of image names");
				if (policy_add_server_image(c->p,
							    json_string_value(e),
							    c->err))
					return bad_regex(c, e, key);
			}
		} else if (strcmp(k, "portNamePattern") == 0) {
			if (!json_is_string(v))
				return bad(c, v, key, "expected a string");
			if (set_port_name_pattern(c->p, json_string_value(v),
						  c->err))
				return bad_regex(c, v, key);
		} else if (strcmp(k, "exporterImages") == 0) {
			if (!json_is_array(v) ||
			    json_array_size(v) > POLICY_MAX_EXPORTERS)
				return bad(c, v, key,
					   "expected a list of up to "
					   "32 image names");
			size_t i;
			json_t *e;
			clear_exporters(c->p);
			json_array_foreach(v, i, e) {
				const char *s = json_string_value(e);
				if (!s || !*s || strchr(s, '/') ||
				    strchr(s, ':'))
					return bad(c, e, key,
						   "expected an image name "
						   "(last path component, no "
						   "tag)");
				char *d = strdup(s);
				if (!d)
					return bad(c, e, key, "out of memory");
				c->p->exporter_images[c->p->nexporters++] = d;
			}
		} else
			return bad(c, v, key,
				   "unknown key (expected ports, "
				   "imagePattern, serverImages, "
				   "portNamePattern, "
				   "exporterImages)");
	}
	return 0;
}

static int load_namespaces(struct loadctx *c, const json_t *ns)
{
	if (!json_is_object(ns))
		return bad(c, ns, "namespaces", "expected a mapping");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)ns, k, v) {
		char key[96];
		snprintf(key, sizeof(key), "namespaces.%s", k);
		if (strcmp(k, "skip") != 0)
			return bad(c, v, key, "unknown key (expected skip)");
		if (!json_is_array(v))
			return bad(c, v, key, "expected a list of namespaces");
		clear_skips(c->p);
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || !*json_string_value(e))
				return bad(c, e, key,
					   "expected namespace names");
			if (add_skip(c->p, json_string_value(e), c->err))
				return bad(c, e, key, c->err->msg);
		}
		/* kube-system is always skipped (rules.md). */
		if (!policy_skips_namespace(c->p, "kube-system") &&
		    add_skip(c->p, "kube-system", c->err))
			return -1;
	}
	return 0;
}

struct int_key {
	const char *name;
	long long lo, hi;
	size_t off;
	int is_ll;
};

#define PK(f) offsetof(struct policy_probe, f)
static const struct int_key probe_keys[] = {
	{"certExpiryDays", 0, 3650, PK(cert_expiry_days), 0},
	{"indexUnusedDays", 0, 3650, PK(index_unused_days), 0},
	{"indexUnusedMinBytes", 0, LLONG_MAX, PK(index_unused_min_bytes), 1},
	{"seqScanMinBytes", 0, LLONG_MAX, PK(seq_scan_min_bytes), 1},
	{"seqScanMinRows", 0, LLONG_MAX, PK(seq_scan_min_rows), 1},
	{"connectionsPercent", 1, 100, PK(connections_percent), 0},
	{"connectTimeoutSeconds", 1, 300, PK(connect_timeout_s), 0},
	{"statementTimeoutMs", 1, 600000, PK(statement_timeout_ms), 0},
	{"lockTimeoutMs", 1, 600000, PK(lock_timeout_ms), 0},
	{"concurrency", 1, 256, PK(concurrency), 0},
	{"backupStaleSeconds", 1, 31536000, PK(backup_stale_s), 0},
};
#define WK(f) offsetof(struct policy_webhook, f)
static const struct int_key webhook_keys[] = {
	{"maxBodyBytes", 1024, 64LL << 20, WK(max_body_bytes), 1},
	{"kubeTimeoutMs", 100, 30000, WK(kube_timeout_ms), 0},
	{"cronjobCacheTtlSeconds", 0, 3600, WK(cronjob_cache_ttl_s), 0},
};

static int load_ints(struct loadctx *c, const json_t *m, const char *section,
		     const struct int_key *keys, size_t nkeys, void *base)
{
	if (!json_is_object(m))
		return bad(c, m, section, "expected a mapping");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)m, k, v) {
		char key[96];
		snprintf(key, sizeof(key), "%s.%s", section, k);
		if (strcmp(section, "probe") == 0 &&
		    strcmp(k, "seqScanRatio") == 0) {
			if (get_num(c, v, key, 1, 1e12,
				    &c->p->probe.seq_scan_ratio))
				return -1;
			continue;
		}
		size_t i;
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i].name, k) == 0)
				break;
		if (i == nkeys)
			return bad(c, v, key, "unknown key");
		long long n;
		if (get_int(c, v, key, keys[i].lo, keys[i].hi, &n))
			return -1;
		char *dst = (char *)base + keys[i].off;
		if (keys[i].is_ll)
			*(long long *)dst = n;
		else
			*(int *)dst = (int)n;
	}
	return 0;
}

int policy_load_buffer(struct policy *p, const char *buf, size_t len,
		       const char *name, struct err *err)
{
	struct manifest_linemap *lines = NULL;
	json_t *root = manifest_parse_one(buf, len, name, &lines, err);
	if (!root)
		return -1;
	struct loadctx c = {p, name, lines, err};
	int rc = 0;
	if (json_is_null(root))
		goto out; /* empty file: defaults */
	if (!json_is_object(root)) {
		rc = err_set(err, "%s: expected a mapping at the top level",
			     name);
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v) {
		if (strcmp(k, "rules") == 0)
			rc = load_rules(&c, v);
		else if (strcmp(k, "postgres") == 0)
			rc = load_postgres(&c, v);
		else if (strcmp(k, "namespaces") == 0)
			rc = load_namespaces(&c, v);
		else if (strcmp(k, "probe") == 0)
			rc = load_ints(&c, v, "probe", probe_keys,
				       sizeof(probe_keys) / sizeof(*probe_keys),
				       &p->probe);
		else if (strcmp(k, "webhook") == 0)
			rc = load_ints(&c, v, "webhook", webhook_keys,
				       sizeof(webhook_keys) /
					       sizeof(*webhook_keys),
				       &p->webhook);
		else if (strcmp(k, "apiVersion") == 0 || strcmp(k, "kind") == 0)
			rc = 0; /* accepted for readability, not checked */
		else
			rc = bad(&c, v, k,
				 "unknown key (expected rules, postgres, "
				 "namespaces, probe, webhook)");
		if (rc)
			break;
	}
out:
	json_decref(root);
	manifest_linemap_free(lines);
	return rc;
}

int policy_load_file(struct policy *p, const char *path, struct err *err)
{
	size_t n;
	char *buf = file_read(path, POLICY_FILE_MAX, &n, err);
	if (!buf)
		return -1;
	int rc = policy_load_buffer(p, buf, n, path, err);
	free(buf);
	if (rc == 0) {
		free(p->source);
		p->source = strdup(path);
	}
	return rc;
}

/* ---- environment ---------------------------------------------------- */

static int env_int(const char *var, long long lo, long long hi, long long *out,
		   int *found, struct err *err)
{
	const char *s = getenv(var);
	*found = 0;
	if (!s || !*s)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno || end == s || *end || n < lo || n > hi)
		return err_set(err,
			       "%s: expected an integer between %lld and "
			       "%lld, got '%s'",
			       var, lo, hi, s);
	*out = n;
	*found = 1;
	return 0;
}

#define RULE_ENV_PREFIX "PGADMIT_RULE_"

/*
 * PGADMIT_RULE_<ID>=deny|warn|annotate|off, as the policy file's rules: an
 * id in any case. Every PGADMIT_RULE_* variable is looked at, so a name
 * that is no rule's id (a typo, a slug, a rule pgadmit does not have) is an
 * error instead of a setting silently ignored. An empty value is unset.
 */
static int apply_rule_env(struct policy *p, struct err *err)
{
	bool set[R_COUNT] = {false};
	size_t plen = strlen(RULE_ENV_PREFIX);
	for (char **e = environ; e && *e; e++) {
		const char *var = *e, *eq = strchr(var, '=');
		if (!eq || strncmp(var, RULE_ENV_PREFIX, plen) != 0)
			continue;
		char name[64];
		size_t nl = (size_t)(eq - var);
		snprintf(name, sizeof(name), "%.*s",
			 (int)(nl < sizeof(name) - 1 ? nl : sizeof(name) - 1),
			 var);
		const char *id = name + plen, *val = eq + 1;
		const struct rule_meta *m = rule_meta_by_code(id);
		if (!m || strcasecmp(m->code, id) != 0 || nl >= sizeof(name)) {
			char ids[256] = "";
			size_t k = 0;
			for (int i = 0; i < R_COUNT && k < sizeof(ids); i++)
				k += (size_t)snprintf(ids + k, sizeof(ids) - k,
						      "%s%s", i ? ", " : "",
						      rule_catalog[i].code);
			return err_set(
				err,
				"%s: unknown rule (expected " RULE_ENV_PREFIX
				"<ID> with one of %s)",
				name, ids);
		}
		if (!*val)
			continue;
		int a = action_parse(val, 0);
		if (a < 0)
			return err_set(err,
				       "%s: expected deny|warn|annotate|"
				       "off, got '%s'",
				       name, val);
		if (set[m->id] && p->actions[m->id] != (enum action)a)
			return err_set(err,
				       "%s: %s is set twice with "
				       "different actions",
				       name, m->code);
		p->actions[m->id] = (enum action)a;
		set[m->id] = true;
	}
	return 0;
}

int policy_apply_env(struct policy *p, struct err *err)
{
	if (apply_rule_env(p, err))
		return -1;
	const char *s = getenv("PGADMIT_POSTGRES_PORTS");
	if (s && *s) {
		int ports[POLICY_MAX_PORTS];
		size_t n = 0;
		const char *q = s;
		while (*q) {
			char *end;
			errno = 0;
			long v = strtol(q, &end, 10);
			if (errno || end == q || v < 1 || v > 65535 ||
			    n == POLICY_MAX_PORTS || (*end && *end != ','))
				return err_set(err,
					       "PGADMIT_POSTGRES_PORTS: "
					       "expected comma-separated "
					       "ports, got '%s'",
					       s);
			ports[n++] = (int)v;
			q = *end ? end + 1 : end;
		}
		memcpy(p->ports, ports, n * sizeof(int));
		p->nports = n;
	}
	s = getenv("PGADMIT_IMAGE_PATTERN");
	if (s && *s && set_image_pattern(p, s, err))
		return err_prefix(err, "PGADMIT_IMAGE_PATTERN: ");
	s = getenv("PGADMIT_SERVER_IMAGES");
	if (s && *s) {
		char *copy = strdup(s), *save = NULL;
		int rc = copy ? 0 : err_nomem(err);
		for (char *t = copy ? strtok_r(copy, ", ", &save) : NULL;
		     t && !rc; t = strtok_r(NULL, ", ", &save))
			rc = policy_add_server_image(p, t, err);
		free(copy);
		if (rc)
			return err_prefix(err, "PGADMIT_SERVER_IMAGES: ");
	}
	s = getenv("PGADMIT_SKIP_NAMESPACES");
	if (s && *s) {
		char *copy = strdup(s), *save = NULL;
		if (!copy)
			return err_nomem(err);
		clear_skips(p);
		int rc = add_skip(p, "kube-system", err);
		for (char *t = strtok_r(copy, ", ", &save); t && !rc;
		     t = strtok_r(NULL, ", ", &save))
			if (!policy_skips_namespace(p, t))
				rc = add_skip(p, t, err);
		free(copy);
		if (rc)
			return -1;
	}
	long long n;
	int found;
	if (env_int("PGADMIT_MAX_BODY_BYTES", 1024, 64LL << 20, &n, &found,
		    err))
		return -1;
	if (found)
		p->webhook.max_body_bytes = n;
	if (env_int("PGADMIT_KUBE_TIMEOUT_MS", 100, 30000, &n, &found, err))
		return -1;
	if (found)
		p->webhook.kube_timeout_ms = (int)n;
	if (env_int("PGADMIT_CRONJOB_CACHE_TTL", 0, 3600, &n, &found, err))
		return -1;
	if (found)
		p->webhook.cronjob_cache_ttl_s = (int)n;
	if (env_int("PGADMIT_PROBE_CONCURRENCY", 1, 256, &n, &found, err))
		return -1;
	if (found)
		p->probe.concurrency = (int)n;
	if (env_int("PGADMIT_PROBE_CONNECT_TIMEOUT", 1, 300, &n, &found, err))
		return -1;
	if (found)
		p->probe.connect_timeout_s = (int)n;
	if (env_int("PGADMIT_PROBE_STATEMENT_TIMEOUT_MS", 1, 600000, &n, &found,
		    err))
		return -1;
	if (found)
		p->probe.statement_timeout_ms = (int)n;
	if (env_int("PGADMIT_PROBE_LOCK_TIMEOUT_MS", 1, 600000, &n, &found,
		    err))
		return -1;
	if (found)
		p->probe.lock_timeout_ms = (int)n;
	return 0;
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
