/*
 * policy_file.c — the policy file (policy_load_file, policy_load_buffer;
 * policy.h, docs/policy.md).
 *
 * The file is YAML or JSON, read with the manifest loader. Every key is
 * checked: an unknown or mistyped key is an error naming the key path and
 * line, so a typo never silently falls back to a default.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/file.h"
#include "pgadmit/manifest.h"
#include "pgadmit/policy.h"
#include "policy_int.h"

#define POLICY_FILE_MAX (1u << 20)

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

/* policy_set_*_pattern() left the regex library's reason in c->err (and
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
			if (policy_set_image_pattern(c->p, json_string_value(v),
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
			if (policy_set_port_name_pattern(c->p,
							 json_string_value(v),
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
			policy_clear_exporters(c->p);
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
		policy_clear_skips(c->p);
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || !*json_string_value(e))
				return bad(c, e, key,
					   "expected namespace names");
			if (policy_add_skip(c->p, json_string_value(e), c->err))
				return bad(c, e, key, c->err->msg);
		}
		/* kube-system is always skipped (rules.md). */
		if (!policy_skips_namespace(c->p, "kube-system") &&
		    policy_add_skip(c->p, "kube-system", c->err))
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
