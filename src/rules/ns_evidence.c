/*
 * ns_evidence.c — what a namespace holds for PGA105 and PGA106 (rules.h).
 *
 * Kept per object, as small copies (never the object trees):
 *   ConfigMap      its name and the keys that, loaded with envFrom (with a
 *                  prefix), set POSTGRES_HOST_AUTH_METHOD=trust or
 *                  ALLOW_EMPTY_PASSWORD=yes|true|1 (PGA105);
 *   Deployment,    "the namespace runs an exporter" when a container runs
 *   StatefulSet    an exporter image (PGA106);
 *   Service        its labels and spec.selector (for ServiceMonitors), as
 *                  one flat block of strings (a bundle of 10^5 Services
 *                  keeps a few MiB, not a jansson tree each);
 *   PodMonitor     (monitoring.coreos.com) its selector, per namespace it
 *                  looks at (namespaceSelector: own namespace by default,
 *                  matchNames, or any);
 *   ServiceMonitor (monitoring.coreos.com) the same, selecting Services;
 *   PodMonitoring  (monitoring.googleapis.com, GKE managed Prometheus) its
 *                  selector, own namespace.
 * A workload is monitored when a PodMonitor/PodMonitoring selector matches
 * its pod labels, or a ServiceMonitor selects a Service of the namespace
 * whose non-empty spec.selector is a subset of the pod labels, or the
 * namespace runs an exporter. Label selectors follow Kubernetes:
 * matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) all
 * hold; an empty selector selects every pod, an unknown operator nothing.
 *
 * Bundle mode also keeps the criterion of each deferred candidate, in
 * order, so ns_evidence_resolve() can judge them when the bundle is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/podspec.h"
#include "rule.h"

#define ANY_NS "\x01*" /* a monitor whose namespaceSelector is any: true */

static const char *const trust_vars[] = {"POSTGRES_HOST_AUTH_METHOD",
					 "ALLOW_EMPTY_PASSWORD", NULL};

enum sel_kind { SEL_PODS, SEL_SERVICES };

struct selector {
	char *ns; /* the namespace it looks at, or ANY_NS */
	enum sel_kind what;
	json_t *sel; /* LabelSelector (owned copy) */
};

/* One allocation: "ns\0" then spec.selector then metadata.labels, each a
 * flat map "key\0value\0...key\0value\0\0" (string values only). */
struct service {
	char *ns;             /* the block */
	const char *selector; /* inside the block */
	const char *labels;   /* inside the block */
};

struct configmap {
	char *ns, *name;
	char **keys; /* keys holding a trust value */
	size_t nkeys;
};

struct pending {
	enum rule_id rule;
	char *ns;
	json_t *labels;    /* PGA106 */
	char *cm, *prefix; /* PGA105 */
};

#define VEC(T)                                                                 \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}

struct ns_evidence {
	VEC(char *) exporters; /* namespaces running an exporter */
	VEC(struct selector) sels;
	VEC(struct service) svcs;
	VEC(struct configmap) cms;
	VEC(struct pending) pend;
};

/* Room for one more element in a VEC; NULL on OOM. */
static void *grow(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		void *nv = realloc(*v, c * size);
		if (!nv)
			return NULL;
		*v = nv;
		*cap = c;
	}
	void *slot = (char *)*v + (*n) * size;
	memset(slot, 0, size);
	return slot;
}
#define PUSH(vec)                                                              \
	grow((void **)&(vec).v, &(vec).n, &(vec).cap, sizeof(*(vec).v))

static const char *norm(const char *ns)
{
	return ns ? ns : "";
}

struct ns_evidence *ns_evidence_new(void)
{
	return calloc(1, sizeof(struct ns_evidence));
}

static void pending_clear(struct ns_evidence *ev)
{
	for (size_t i = 0; i < ev->pend.n; i++) {
		free(ev->pend.v[i].ns);
		json_decref(ev->pend.v[i].labels);
		free(ev->pend.v[i].cm);
		free(ev->pend.v[i].prefix);
	}
	ev->pend.n = 0;
}

void ns_evidence_free(struct ns_evidence *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->exporters.n; i++)
		free(ev->exporters.v[i]);
	for (size_t i = 0; i < ev->sels.n; i++) {
		free(ev->sels.v[i].ns);
		json_decref(ev->sels.v[i].sel);
	}
	for (size_t i = 0; i < ev->svcs.n; i++) {
		free(ev->svcs.v[i].ns);
	}
	for (size_t i = 0; i < ev->cms.n; i++) {
		struct configmap *cm = &ev->cms.v[i];
		free(cm->ns);
		free(cm->name);
		for (size_t k = 0; k < cm->nkeys; k++)
			free(cm->keys[k]);
		free(cm->keys);
	}
	pending_clear(ev);
	free(ev->exporters.v);
	free(ev->sels.v);
	free(ev->svcs.v);
	free(ev->cms.v);
	free(ev->pend.v);
	free(ev);
}

static bool api_group_is(const json_t *obj, const char *group)
{
	const char *av = json_get_str(obj, "apiVersion");
	size_t gl = strlen(group);
	return av && strncmp(av, group, gl) == 0 && av[gl] == '/';
}

bool ns_evidence_kind(const char *api_version, const char *kind)
{
	if (!kind)
		return false;
	if (strcmp(kind, "ConfigMap") == 0 || strcmp(kind, "Service") == 0 ||
	    strcmp(kind, "Deployment") == 0 || strcmp(kind, "StatefulSet") == 0)
		return true;
	const char *g = NULL;
	if (strcmp(kind, "PodMonitor") == 0 ||
	    strcmp(kind, "ServiceMonitor") == 0)
		g = "monitoring.coreos.com/";
	else if (strcmp(kind, "PodMonitoring") == 0)
		g = "monitoring.googleapis.com/";
	return g && api_version && strncmp(api_version, g, strlen(g)) == 0;
}

/* ---- label selectors ------------------------------------------------- */

/* Labels to match: a JSON object of strings, or a flat map (struct
 * service); both may be absent (no labels). */
struct labels {
	const json_t *json;
	const char *flat;
};

static const char *flat_get(const char *flat, const char *key)
{
	while (flat && *flat) {
		const char *v = flat + strlen(flat) + 1;
		if (strcmp(flat, key) == 0)
			return v;
		flat = v + strlen(v) + 1;
	}
	return NULL;
}

static const char *label_get(const struct labels *l, const char *key)
{
	return l->flat ? flat_get(l->flat, key) : json_get_str(l->json, key);
}

/* Bytes of the flat form of a map (its string values only). */
static size_t flat_size(const json_t *map)
{
	size_t n = 1;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)map, k, v)
		if (json_is_string(v))
			n += strlen(k) + json_string_length(v) + 2;
	return n;
}

static char *flat_write(char *out, const json_t *map)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)map, k, v) {
		if (!json_is_string(v))
			continue;
		size_t kl = strlen(k) + 1, vl = json_string_length(v);
		memcpy(out, k, kl);
		out += kl;
		memcpy(out, json_string_value(v), vl);
		out[vl] = '\0';
		out += vl + 1;
	}
	*out++ = '\0';
	return out;
}

static bool values_have(const json_t *vals, const char *v)
{
	size_t i;
	const json_t *e;
	json_array_foreach(vals, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), v) == 0)
			return true;
	return false;
}

/* A Kubernetes LabelSelector against labels (object of strings; NULL is
 * no labels). */
static bool selector_matches(const json_t *sel, const struct labels *labels)
{
	if (!json_is_object(sel))
		return false;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)json_object_get(sel, "matchLabels"), k,
			    v) {
		const char *have = label_get(labels, k);
		if (!json_is_string(v) || !have ||
		    strcmp(have, json_string_value(v)) != 0)
			return false;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(sel, "matchExpressions"), i, e) {
		const char *key = json_get_str(e, "key");
		const char *op = json_get_str(e, "operator");
		if (!key || !op)
			return false;
		const char *have = label_get(labels, key);
		const json_t *vals = json_object_get(e, "values");
		if (strcmp(op, "In") == 0) {
			if (!have || !values_have(vals, have))
				return false;
		} else if (strcmp(op, "NotIn") == 0) {
			if (have && values_have(vals, have))
				return false;
		} else if (strcmp(op, "Exists") == 0) {
			if (!have)
				return false;
		} else if (strcmp(op, "DoesNotExist") == 0) {
			if (have)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* A Service's spec.selector (a plain map) selects the pod: non-empty and
 * every pair among the pod's labels. */
static bool map_subset(const char *sel, const json_t *labels)
{
	if (!sel || !*sel)
		return false;
	while (*sel) {
		const char *v = sel + strlen(sel) + 1;
		const char *have = json_get_str(labels, sel);
		if (!have || strcmp(have, v) != 0)
			return false;
		sel = v + strlen(v) + 1;
	}
	return true;
}

/* ---- adding objects --------------------------------------------------- */

static int add_exporter_ns(struct ns_evidence *ev, const char *ns)
{
	ns = norm(ns);
	for (size_t i = 0; i < ev->exporters.n; i++)
		if (strcmp(ev->exporters.v[i], ns) == 0)
			return 0;
	char **slot = PUSH(ev->exporters);
	if (!slot || !(*slot = strdup(ns)))
		return -1;
	ev->exporters.n++;
	return 0;
}

static int runs_exporter(const struct podspec_container *pc, void *arg)
{
	return pga106_is_exporter_image(arg, pc->image);
}

static int add_selector(struct ns_evidence *ev, const char *ns,
			enum sel_kind what, const json_t *sel)
{
	struct selector *s = PUSH(ev->sels);
	if (!s)
		return -1;
	s->ns = strdup(ns);
	s->what = what;
	s->sel = json_deep_copy(sel);
	if (!s->ns || !s->sel) {
		free(s->ns);
		json_decref(s->sel);
		return -1;
	}
	ev->sels.n++;
	return 0;
}

/* A monitor: its selector for each namespace it looks at. */
static int add_monitor(struct ns_evidence *ev, const char *ns,
		       const json_t *obj, enum sel_kind what, bool coreos)
{
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *sel = json_object_get(spec, "selector");
	if (!json_is_object(sel))
		return 0; /* required by the CRDs: a broken monitor selects
			   * nothing */
	const json_t *nsel = coreos ? json_object_get(spec, "namespaceSelector")
				    : NULL;
	const json_t *names = json_object_get(nsel, "matchNames");
	if (json_is_true(json_object_get(nsel, "any")))
		return add_selector(ev, ANY_NS, what, sel);
	if (json_is_array(names) && json_array_size(names) > 0) {
		size_t i;
		const json_t *n;
		json_array_foreach(names, i, n)
			if (json_is_string(n) &&
			    add_selector(ev, json_string_value(n), what, sel))
				return -1;
		return 0;
	}
	return add_selector(ev, norm(ns), what, sel);
}

static int add_service(struct ns_evidence *ev, const char *ns,
		       const json_t *obj)
{
	const json_t *sel =
		json_object_get(json_object_get(obj, "spec"), "selector");
	if (!json_is_object(sel) || json_object_size(sel) == 0)
		return 0; /* selects no pods */
	const json_t *labels =
		json_object_get(json_object_get(obj, "metadata"), "labels");
	if (!json_is_object(labels))
		labels = NULL;
	ns = norm(ns);
	size_t nl = strlen(ns) + 1;
	size_t sl = flat_size(sel), ll = labels ? flat_size(labels) : 1;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)sel, k, v)
		if (!json_is_string(v))
			return 0; /* not a selector Kubernetes accepts */
	struct service *s = PUSH(ev->svcs);
	char *b = s ? malloc(nl + sl + ll) : NULL;
	if (!b)
		return -1;
	memcpy(b, ns, nl);
	s->ns = b;
	s->selector = b + nl;
	char *l = flat_write(b + nl, sel);
	s->labels = l;
	if (labels)
		flat_write(l, labels);
	else
		*l = '\0';
	ev->svcs.n++;
	return 0;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* A key that, loaded with some prefix, sets a trust variable to trust. */
static bool trust_key(const char *k, const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	if (!s || !*k)
		return false;
	if (ends_with(trust_vars[0], k))
		return strcasecmp(s, "trust") == 0;
	if (ends_with(trust_vars[1], k))
		return strcasecmp(s, "yes") == 0 ||
		       strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0;
	return false;
}

static int add_configmap(struct ns_evidence *ev, const char *ns,
			 const json_t *obj)
{
	const char *name =
		json_get_str(json_object_get(obj, "metadata"), "name");
	const json_t *data = json_object_get(obj, "data");
	if (!name || !json_is_object(data))
		return 0;
	size_t nk = 0;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)data, k, v)
		nk += trust_key(k, v);
	struct configmap *cm = PUSH(ev->cms);
	if (!cm)
		return -1;
	cm->ns = strdup(norm(ns));
	cm->name = strdup(name);
	cm->keys = nk ? calloc(nk, sizeof(char *)) : NULL;
	if (!cm->ns || !cm->name || (nk && !cm->keys))
		goto oom;
	json_object_foreach((json_t *)data, k, v) {
		if (!trust_key(k, v))
			continue;
		if (!(cm->keys[cm->nkeys] = strdup(k)))
			goto oom;
		cm->nkeys++;
	}
	ev->cms.n++;
	return 0;
oom:
	for (size_t i = 0; i < cm->nkeys; i++)
		free(cm->keys[i]);
	free(cm->keys);
	free(cm->ns);
	free(cm->name);
	return -1;
}

int ns_evidence_add(struct ns_evidence *ev, const struct policy *p,
		    const char *ns, const char *kind, const json_t *obj)
{
	if (!ev || !kind || !json_is_object(obj))
		return 0;
	/* Evidence for a rule that is off is not kept: a bundle of 40 MB
	 * with PGA106 off holds no Service at all. */
	bool r105 = !p || p->actions[R_PGA105] != ACTION_OFF;
	bool r106 = !p || p->actions[R_PGA106] != ACTION_OFF;
	if (strcmp(kind, "ConfigMap") == 0)
		return r105 ? add_configmap(ev, ns, obj) : 0;
	if (!r106)
		return 0;
	if (strcmp(kind, "Service") == 0)
		return add_service(ev, ns, obj);
	if (strcmp(kind, "Deployment") == 0 ||
	    strcmp(kind, "StatefulSet") == 0) {
		struct podspec ps;
		if (podspec_locate(kind, obj, &ps) &&
		    podspec_foreach(&ps, runs_exporter, (void *)p))
			return add_exporter_ns(ev, ns);
		return 0;
	}
	bool coreos = api_group_is(obj, "monitoring.coreos.com");
	if (coreos && strcmp(kind, "PodMonitor") == 0)
		return add_monitor(ev, ns, obj, SEL_PODS, true);
	if (coreos && strcmp(kind, "ServiceMonitor") == 0)
		return add_monitor(ev, ns, obj, SEL_SERVICES, true);
	if (api_group_is(obj, "monitoring.googleapis.com") &&
	    strcmp(kind, "PodMonitoring") == 0)
		return add_monitor(ev, ns, obj, SEL_PODS, false);
	return 0;
}

/* ---- questions -------------------------------------------------------- */

static bool looks_at(const struct selector *s, const char *ns)
{
	return strcmp(s->ns, ANY_NS) == 0 || strcmp(s->ns, ns) == 0;
}

enum backup_state ns_evidence_monitoring(const struct ns_evidence *ev,
					 const char *ns,
					 const json_t *pod_labels)
{
	if (!ev)
		return BACKUP_NOT_FOUND;
	ns = norm(ns);
	const struct labels pods = {pod_labels, NULL};
	for (size_t i = 0; i < ev->exporters.n; i++)
		if (strcmp(ev->exporters.v[i], ns) == 0)
			return BACKUP_FOUND;
	for (size_t i = 0; i < ev->sels.n; i++) {
		const struct selector *s = &ev->sels.v[i];
		if (s->what == SEL_PODS && looks_at(s, ns) &&
		    selector_matches(s->sel, &pods))
			return BACKUP_FOUND;
	}
	/* ServiceMonitors reach pods through a Service of ns: first the few
	 * Services that select these pods, then the monitors selecting one
	 * (O(services + matching services x monitors) per workload, not
	 * services x monitors). */
	for (size_t j = 0; j < ev->svcs.n; j++) {
		const struct service *sv = &ev->svcs.v[j];
		if (strcmp(sv->ns, ns) != 0 ||
		    !map_subset(sv->selector, pod_labels))
			continue;
		const struct labels svl = {NULL, sv->labels};
		for (size_t i = 0; i < ev->sels.n; i++) {
			const struct selector *s = &ev->sels.v[i];
			if (s->what == SEL_SERVICES && looks_at(s, ns) &&
			    selector_matches(s->sel, &svl))
				return BACKUP_FOUND;
		}
	}
	return BACKUP_NOT_FOUND;
}

enum backup_state ns_evidence_configmap_trust(const struct ns_evidence *ev,
					      const char *ns, const char *cm,
					      const char *prefix, char *env,
					      size_t envlen)
{
	if (!ev || !cm)
		return BACKUP_NOT_FOUND;
	ns = norm(ns);
	prefix = prefix ? prefix : "";
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < ev->cms.n; i++) {
		const struct configmap *c = &ev->cms.v[i];
		if (strcmp(c->ns, ns) != 0 || strcmp(c->name, cm) != 0)
			continue;
		for (size_t k = 0; k < c->nkeys; k++)
			for (int t = 0; trust_vars[t]; t++) {
				const char *var = trust_vars[t];
				if (strncmp(var, prefix, pl) == 0 &&
				    strcmp(var + pl, c->keys[k]) == 0) {
					snprintf(env, envlen, "%s", var);
					return BACKUP_FOUND;
				}
			}
	}
	return BACKUP_NOT_FOUND;
}

/* ---- bundle mode ------------------------------------------------------ */

static struct pending *push_pending(struct ns_evidence *ev, enum rule_id r,
				    const char *ns)
{
	struct pending *pd = PUSH(ev->pend);
	if (!pd)
		return NULL;
	pd->rule = r;
	if (!(pd->ns = strdup(norm(ns))))
		return NULL;
	return pd;
}

int ns_evidence_defer_monitoring(struct ns_evidence *ev, const char *ns,
				 const json_t *pod_labels)
{
	struct pending *pd = push_pending(ev, R_PGA106, ns);
	if (!pd)
		return -1;
	pd->labels = json_is_object(pod_labels) ? json_deep_copy(pod_labels)
						: json_object();
	if (!pd->labels) {
		free(pd->ns);
		return -1;
	}
	ev->pend.n++;
	return 0;
}

int ns_evidence_defer_configmap(struct ns_evidence *ev, const char *ns,
				const char *cm, const char *prefix)
{
	struct pending *pd = push_pending(ev, R_PGA105, ns);
	if (!pd)
		return -1;
	pd->cm = strdup(cm ? cm : "");
	pd->prefix = prefix ? strdup(prefix) : NULL;
	if (!pd->cm || (prefix && !pd->prefix)) {
		free(pd->ns);
		free(pd->cm);
		free(pd->prefix);
		return -1;
	}
	ev->pend.n++;
	return 0;
}

static bool is_rule(const struct finding *f, enum rule_id r)
{
	return f->rule && strcmp(f->rule, rule_catalog[r].code) == 0;
}

int ns_evidence_resolve(struct ns_evidence *ev, struct finding_list *deferred,
			struct finding_list *out)
{
	struct finding_list keep;
	finding_list_init(&keep);
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; i < deferred->n && !rc; i++) {
		struct finding f = deferred->v[i];
		bool r105 = is_rule(&f, R_PGA105), r106 = is_rule(&f, R_PGA106);
		if (!r105 && !r106) {
			rc = finding_add(&keep, &f);
			continue;
		}
		const struct pending *pd =
			ev && k < ev->pend.n ? &ev->pend.v[k++] : NULL;
		if (!pd) {
			/* nothing to judge by: a workload is reported (no
			 * monitoring known), a ConfigMap never read is not */
			if (r106)
				rc = finding_add(out, &f);
			continue;
		}
		if (r106) {
			if (ns_evidence_monitoring(ev, pd->ns, pd->labels) ==
			    BACKUP_NOT_FOUND)
				rc = finding_add(out, &f);
			continue;
		}
		char var[32], msg[RULE_MSG_MAX * 2];
		if (ns_evidence_configmap_trust(ev, pd->ns, pd->cm, pd->prefix,
						var,
						sizeof(var)) != BACKUP_FOUND)
			continue;
		snprintf(msg, sizeof(msg),
			 "ConfigMap %.40s (envFrom) sets %s=%s: no password needed",
			 pd->cm, var,
			 strcmp(var, "ALLOW_EMPTY_PASSWORD") == 0 ? "yes"
								  : "trust");
		f.message = msg;
		rc = finding_add(out, &f);
	}
	if (!rc) {
		keep.dropped = deferred->dropped;
		finding_list_free(deferred);
		*deferred = keep;
	} else {
		finding_list_free(&keep);
	}
	if (ev)
		pending_clear(ev);
	return rc;
}
