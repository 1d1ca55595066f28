/* sites.c — see sites.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/podspec.h"
#include "cluster_int.h"
#include "sites.h"

/* Text of a scalar: strings as they are, numbers/booleans printed. */
static const char *scalar_text(const json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, cap, "%g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

/* dst = a b [i] c (no index when i < 0), cut to cap - 1 bytes as snprintf
 * cuts it: paths are made for every site of every object, most of which
 * never become findings, and printf was 40% of the rules' time. */
static size_t app(char *d, size_t cap, size_t n, const char *s, size_t len)
{
	size_t room = cap - 1 - n;
	if (len > room)
		len = room;
	memcpy(d + n, s, len);
	return n + len;
}

static void path3(char *d, size_t cap, const char *a, const char *b,
		  long long i, const char *c)
{
	size_t n = app(d, cap, 0, a, strlen(a));
	n = app(d, cap, n, b, strlen(b));
	if (i >= 0) {
		char num[24];
		size_t k = sizeof(num);
		num[--k] = ']';
		do {
			num[--k] = (char)('0' + i % 10);
			i /= 10;
		} while (i);
		num[--k] = '[';
		n = app(d, cap, n, num + k, sizeof(num) - k);
	}
	n = app(d, cap, n, c, strlen(c));
	d[n] = '\0';
}

/* Poolers whose env may hold a Postgres password (rules.md PGA102.1: "a
 * Postgres exporter/pooler image"); exporters are PGA106's list. */
static const char *const poolers[] = {"pgbouncer", "pgpool", "pgpool2",
				      "pgpool-ii", "pgcat",  "odyssey",
				      NULL};

static bool is_pg_tool(const struct policy *p, const char *image)
{
	if (!image || !*image)
		return false;
	if (pga106_is_exporter_image(p, image))
		return true;
	size_t len = strcspn(image, "@");
	const char *last = image;
	for (size_t i = 0; i < len; i++)
		if (image[i] == '/')
			last = image + i + 1;
	size_t n = strcspn(last, ":@");
	for (int i = 0; poolers[i]; i++)
		if (strlen(poolers[i]) == n &&
		    strncasecmp(poolers[i], last, n) == 0)
			return true;
	return false;
}

static int emit(struct rule_ctx *c, site_fn fn, enum site_type t,
		const char *name, const json_t *v, const char *path, bool pg,
		bool tool)
{
	char buf[64];
	const char *text = scalar_text(v, buf, sizeof(buf));
	if (!text)
		return 0;
	struct site s = {t, name, text, v, path, pg, tool};
	return fn(c, &s);
}

/* command/args list (or a Compose string) at key. */
static int cmd_sites(struct rule_ctx *c, site_fn fn, const json_t *obj,
		     const char *prefix, const char *key, bool pg)
{
	const json_t *v = json_object_get(obj, key);
	char path[192];
	if (json_is_string(v)) {
		path3(path, sizeof(path), prefix, key, -1, "");
		return emit(c, fn, SITE_CMD, NULL, v, path, pg, false);
	}
	if (!json_is_array(v))
		return 0;
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		path3(path, sizeof(path), prefix, key, (long long)i, "");
		int rc = emit(c, fn, SITE_CMD, NULL, e, path, pg, false);
		if (rc)
			return rc;
	}
	return 0;
}

struct kwalk {
	struct rule_ctx *c;
	site_fn fn;
	int rc;
};

static int container(const struct podspec_container *pc, void *arg)
{
	struct kwalk *w = arg;
	return (w->rc = sites_container(w->c, w->fn, pc)) ? 1 : 0;
}

int sites_container(struct rule_ctx *c, site_fn fn,
		    const struct podspec_container *pc)
{
	struct kwalk wk = {c, fn, 0}, *w = &wk;
	bool pg = policy_is_pg_image(w->c->p, pc->image);
	bool tool = !pg && is_pg_tool(w->c->p, pc->image);
	const json_t *env = json_object_get(pc->c, "env");
	char prefix[128], path[192];
	size_t i;
	const json_t *e;
	if (json_is_array(env)) {
		json_array_foreach(env, i, e) {
			const char *name = json_get_str(e, "name");
			const json_t *v = json_object_get(e, "value");
			if (!name || !v)
				continue; /* valueFrom never fires */
			path3(path, sizeof(path), pc->path, ".env",
			      (long long)i, ".value");
			if ((w->rc = emit(w->c, w->fn, SITE_ENV, name, v, path,
					  pg, tool)))
				return w->rc;
		}
	}
	path3(prefix, sizeof(prefix), pc->path, ".", -1, "");
	if ((w->rc = cmd_sites(w->c, w->fn, pc->c, prefix, "command", pg)) ||
	    (w->rc = cmd_sites(w->c, w->fn, pc->c, prefix, "args", pg)))
		return w->rc;
	return 0;
}

static int configmap(struct rule_ctx *c, site_fn fn)
{
	const json_t *data = json_object_get(c->o->obj, "data");
	const char *k;
	const json_t *v;
	if (!json_is_object(data))
		return 0;
	json_object_foreach((json_t *)data, k, v) {
		struct strbuf path = STRBUF_INIT;
		sb_puts(&path, "data");
		rule_path_key(&path, k);
		int rc = sb_ok(&path) ? emit(c, fn, SITE_CONFIGMAP, k, v,
					     sb_str(&path), false, false)
				      : -1;
		sb_free(&path);
		if (rc)
			return rc;
	}
	return 0;
}

static int compose(struct rule_ctx *c, site_fn fn)
{
	const json_t *svc = c->o->obj;
	const char *image = json_get_str(svc, "image");
	bool pg = policy_is_pg_image(c->p, image);
	bool tool = !pg && is_pg_tool(c->p, image);
	const json_t *env = json_object_get(svc, "environment");
	int rc = 0;
	if (json_is_object(env)) {
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)env, k, v) {
			struct strbuf path = STRBUF_INIT;
			sb_puts(&path, "environment");
			rule_path_key(&path, k);
			rc = sb_ok(&path) ? emit(c, fn, SITE_ENV, k, v,
						 sb_str(&path), pg, tool)
					  : -1;
			sb_free(&path);
			if (rc)
				return rc;
		}
	} else if (json_is_array(env)) {
		size_t i;
		const json_t *e;
		json_array_foreach(env, i, e) {
			const char *s = json_string_value(e);
			const char *eq = s ? strchr(s, '=') : NULL;
			char name[128], path[64];
			if (!eq || (size_t)(eq - s) >= sizeof(name))
				continue; /* "KEY" alone comes from the host */
			memcpy(name, s, (size_t)(eq - s));
			name[eq - s] = '\0';
			snprintf(path, sizeof(path), "environment[%zu]", i);
			struct site st = {SITE_ENV, name, eq + 1, e,
					  path,     pg,   tool};
			if ((rc = fn(c, &st)))
				return rc;
		}
	}
	if ((rc = cmd_sites(c, fn, svc, "", "command", pg)) ||
	    (rc = cmd_sites(c, fn, svc, "", "entrypoint", pg)))
		return rc;
	return 0;
}

int sites_foreach(struct rule_ctx *c, site_fn fn)
{
	const char *kind = c->o->kind;
	if (strcmp(kind, "ComposeService") == 0)
		return compose(c, fn);
	if (strcmp(kind, "ConfigMap") == 0)
		return configmap(c, fn);
	if (cluster_kind_of_obj(c->o->obj) != CK_NONE)
		return cluster_sites(c, fn);
	struct podspec ps;
	if (!podspec_locate(kind, c->o->obj, &ps))
		return 0;
	struct kwalk w = {c, fn, 0};
	podspec_foreach(&ps, container, &w);
	return w.rc;
}
