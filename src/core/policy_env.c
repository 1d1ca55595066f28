/*
 * policy_env.c — environment overrides (policy_apply_env; policy.h,
 * docs/policy.md "Environment"), applied on top of the defaults and the
 * policy file: PGADMIT_RULE_<ID>, Postgres ports, image pattern, server
 * images, skipped namespaces, webhook and probe limits. A malformed value
 * is an error naming the variable, never a setting silently ignored.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/policy.h"
#include "policy_int.h"

extern char **environ;

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

/* The int settings read from the environment: variable, range, field. */
struct env_int_row {
	const char *name;
	long long lo, hi;
	size_t off;
};
static const struct env_int_row env_ints[] = {
	{"PGADMIT_KUBE_TIMEOUT_MS", 100, 30000,
	 offsetof(struct policy, webhook.kube_timeout_ms)},
	{"PGADMIT_CRONJOB_CACHE_TTL", 0, 3600,
	 offsetof(struct policy, webhook.cronjob_cache_ttl_s)},
	{"PGADMIT_PROBE_CONCURRENCY", 1, 256,
	 offsetof(struct policy, probe.concurrency)},
	{"PGADMIT_PROBE_CONNECT_TIMEOUT", 1, 300,
	 offsetof(struct policy, probe.connect_timeout_s)},
	{"PGADMIT_PROBE_STATEMENT_TIMEOUT_MS", 1, 600000,
	 offsetof(struct policy, probe.statement_timeout_ms)},
	{"PGADMIT_PROBE_LOCK_TIMEOUT_MS", 1, 600000,
	 offsetof(struct policy, probe.lock_timeout_ms)},
};

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
	if (s && *s && policy_set_image_pattern(p, s, err))
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
		policy_clear_skips(p);
		int rc = policy_add_skip(p, "kube-system", err);
		for (char *t = strtok_r(copy, ", ", &save); t && !rc;
		     t = strtok_r(NULL, ", ", &save))
			if (!policy_skips_namespace(p, t))
				rc = policy_add_skip(p, t, err);
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
	for (size_t i = 0; i < sizeof(env_ints) / sizeof(env_ints[0]); i++) {
		const struct env_int_row *r = &env_ints[i];
		if (env_int(r->name, r->lo, r->hi, &n, &found, err))
			return -1;
		if (found)
			*(int *)((char *)p + r->off) = (int)n;
	}
	return 0;
}
