/*
 * nscache.c — per-namespace evidence for PGA103 (CloudNativePG
 * ScheduledBackups), PGA105 and PGA106 in the webhook (kube.h:
 * kube_cache_scheduled_backup, kube_cache_monitoring,
 * kube_cache_configmap_trust, kube_ns_cache_stats).
 *
 * Monitoring: one listing per namespace of what can monitor a Postgres
 * workload — Deployments and StatefulSets (exporter images), Services
 * (a ServiceMonitor reaches pods through them), PodMonitors and
 * ServiceMonitors (monitoring.coreos.com/v1) and GKE PodMonitorings
 * (monitoring.googleapis.com/v1); a 404 on a monitoring CRD means it is
 * not installed (none of them). Kept as a struct ns_evidence (rules.h),
 * fresh for the TTL; one fetch per namespace at a time, the others wait no
 * longer than the timeout; a failure is remembered KUBE_CACHE_FAIL_TTL_MS.
 *
 * ScheduledBackups: one listing per namespace of
 * postgresql.cnpg.io/v1 scheduledbackups (paged like the others), kept as
 * a backup_index (rules.h: suspended ones do not count, spec.cluster.name
 * names the Cluster); a 404 means the CRD is not installed (none). Same
 * TTL, waiting and failure memory as the monitoring listing, in a slot of
 * its own, so that one failing does not make the other unknown.
 *
 * ConfigMaps (PGA105's envFrom): one GET per named ConfigMap (RBAC `get`
 * on configmaps, never a listing of every ConfigMap of the namespace),
 * kept in the same namespace entry for the TTL; 404 is "no such
 * ConfigMap" (nothing to judge). Entries are bounded (LRU by namespace);
 * the mutex is never held during an HTTP call. The table, the waiting and
 * the failure memory are slots.c's; this file keeps what an entry holds.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube_int.h"
#include "pgadmit/clock.h"
#include "pgadmit/kube.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"
#include "slots.h"

#define CM_MAX 64 /* named ConfigMaps remembered per namespace */

struct cm_entry {
	char *name;
	long long at;    /* ms */
	char var[32];    /* "" = sets no trust variable (or absent) */
	char prefix[64]; /* the prefix it was judged with */
};

/* A listing kept per namespace: monitoring (ns_evidence) or
 * ScheduledBackups (backup_index). Its fetch and failure are the head's
 * flight of the same number (slots.h). */
enum { L_MON, L_SB, L_N };
_Static_assert(L_N <= KUBE_SLOT_FLIGHTS, "a flight per listing");

struct listing {
	void *data;   /* NULL until a listing succeeded */
	long long at; /* ms */
};

struct ns_entry {
	struct kube_slot s; /* ns, LRU, fetching and failure per listing */
	struct listing l[L_N];
	struct cm_entry cms[CM_MAX];
	size_t ncms;
};

struct kube_nscache {
	struct kube_client *client; /* borrowed from the kube_cache */
	char unknown_why[160];
	struct kube_slots t;        /* its mutex also guards stats */
	struct kube_ns_stats stats; /* under t.mu */
};

/* What the namespace listing reads (group "", or a CRD's). */
static const struct {
	const char *api, *resource, *kind; /* api: "apps/v1", "v1" */
	bool crd;
} listed[] = {
	{"apps/v1", "deployments", "Deployment", false},
	{"apps/v1", "statefulsets", "StatefulSet", false},
	{"v1", "services", "Service", false},
	{"monitoring.coreos.com/v1", "podmonitors", "PodMonitor", true},
	{"monitoring.coreos.com/v1", "servicemonitors", "ServiceMonitor", true},
	{"monitoring.googleapis.com/v1", "podmonitorings", "PodMonitoring",
	 true},
};

static void cms_clear(struct ns_entry *e)
{
	for (size_t i = 0; i < e->ncms; i++)
		free(e->cms[i].name);
	e->ncms = 0;
}

static void listing_drop(int which, void *data)
{
	if (which == L_MON)
		ns_evidence_free(data);
	else
		backup_index_free(data);
}

/* The payload of an entry (slots.c frees the head). */
static void entry_clear(struct kube_slot *s)
{
	struct ns_entry *e = (struct ns_entry *)s;
	for (int i = 0; i < L_N; i++)
		listing_drop(i, e->l[i].data);
	cms_clear(e);
}

struct kube_nscache *kube_nscache_new(struct kube_client *client,
				      const char *unknown_why, size_t max)
{
	struct kube_nscache *nc = calloc(1, sizeof(*nc));
	if (!nc)
		return NULL;
	if (kube_slots_init(&nc->t, sizeof(struct ns_entry), max,
			    entry_clear)) {
		free(nc);
		return NULL;
	}
	nc->client = client;
	snprintf(nc->unknown_why, sizeof(nc->unknown_why), "%s",
		 unknown_why ? unknown_why : "not running in a cluster");
	return nc;
}

void kube_nscache_free(struct kube_nscache *nc)
{
	if (!nc)
		return;
	kube_slots_destroy(&nc->t);
	free(nc);
}

/* ns's entry (slots.c: found, or made by evicting). Locked. */
static struct ns_entry *entry_get(struct kube_nscache *nc, const char *ns)
{
	return (struct ns_entry *)kube_slots_get(&nc->t, ns);
}

static bool valid_ns(const char *ns)
{
	size_t n = ns ? strlen(ns) : 0;
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((ns[i] >= 'a' && ns[i] <= 'z') ||
		      (ns[i] >= '0' && ns[i] <= '9') || ns[i] == '-'))
			return false;
	return true;
}

/* A DNS-1123 subdomain (ConfigMap names): a-z 0-9 - . */
static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

struct fill {
	struct ns_evidence *ev;
	struct backup_index *bi;
	const struct policy *p;
	const char *ns, *kind, *api;
};

/* List items carry neither apiVersion nor kind: give them the listing's. */
static int stamp(json_t *item, const struct fill *f)
{
	if (!json_object_get(item, "apiVersion") &&
	    json_object_set_new(item, "apiVersion", json_string(f->api)))
		return -1;
	if (!json_object_get(item, "kind") &&
	    json_object_set_new(item, "kind", json_string(f->kind)))
		return -1;
	return 0;
}

static int add_item(json_t *item, void *arg)
{
	struct fill *f = arg;
	if (stamp(item, f))
		return -1;
	if (f->bi)
		return backup_index_add_object(f->bi, f->ns, f->kind, item);
	return ns_evidence_add(f->ev, f->p, f->ns, f->kind, item);
}

/* List one resource of ns page by page into f, within left ms. A 404 on
 * a CRD (crd true) is "not installed": none, 0. 0 or -1 with err. */
static int list_one(struct kube_client *c, const char *resource, bool crd,
		    long long left, struct fill *f, struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	sb_printf(&path, "%s%s/namespaces/%s/%s",
		  strchr(f->api, '/') ? "/apis/" : "/api/", f->api, f->ns,
		  resource);
	if (!sb_ok(&path)) {
		sb_free(&path);
		return err_nomem(err);
	}
	enum kube_rc rc = kube_list(c, sb_str(&path), 500, (int)left, 0,
				    add_item, f, err);
	sb_free(&path);
	if (rc == KUBE_NOT_FOUND && crd) {
		err_clear(err); /* CRD not installed: none */
		return 0;
	}
	if (rc == KUBE_STOPPED)
		return err_nomem(err);
	if (rc == KUBE_FORBIDDEN || rc == KUBE_UNAUTHORIZED)
		/* the API's own Status is long: the warning is one line, so
		 * say what is missing */
		return err_setk(err, ERR_DENIED, "HTTP %d: may not list %s",
				rc == KUBE_FORBIDDEN ? 403 : 401, resource);
	return rc == KUBE_OK ? 0 : -1;
}

static int out_of_time(int timeout_ms, struct err *err)
{
	return err_setk(err, ERR_TIMEOUT,
			"Kubernetes API did not answer within %d ms",
			timeout_ms);
}

/* Fill *out with the namespace's monitoring evidence (an ns_evidence).
 * 0 or -1 with err. */
static int fetch_monitoring(struct kube_client *c, const struct policy *p,
			    const char *ns, int timeout_ms, void **out,
			    struct err *err)
{
	struct ns_evidence *ev = ns_evidence_new();
	if (!ev)
		return err_nomem(err);
	long long deadline = clock_ms() + timeout_ms;
	for (size_t i = 0; i < sizeof(listed) / sizeof(*listed); i++) {
		long long left = deadline - clock_ms();
		/* The kind and group the listing's items lack. */
		struct fill f = {ev, NULL,           p,
				 ns, listed[i].kind, listed[i].api};
		if (left <= 0 ? out_of_time(timeout_ms, err)
			      : list_one(c, listed[i].resource, listed[i].crd,
					 left, &f, err)) {
			ns_evidence_free(ev);
			return -1;
		}
	}
	*out = ev;
	return 0;
}

/* Fill *out with the namespace's CloudNativePG ScheduledBackups (a
 * backup_index). 0 or -1 with err. */
static int fetch_scheduled(struct kube_client *c, const struct policy *p,
			   const char *ns, int timeout_ms, void **out,
			   struct err *err)
{
	(void)p;
	struct backup_index *bi = backup_index_new();
	if (!bi)
		return err_nomem(err);
	struct fill f = {NULL,
			 bi,
			 NULL,
			 ns,
			 "ScheduledBackup",
			 "postgresql.cnpg.io/v1"};
	if (list_one(c, "scheduledbackups", true, timeout_ms, &f, err)) {
		backup_index_free(bi);
		return -1;
	}
	*out = bi;
	return 0;
}

/* What a lookup asks of a listing. */
struct query {
	const json_t *pod_labels; /* L_MON */
	const char *name;         /* L_SB: the Cluster's name */
};

static enum kube_lookup judge(int which, const void *data, const char *ns,
			      const struct query *q)
{
	enum backup_state st =
		which == L_MON ? ns_evidence_monitoring(data, ns, q->pod_labels)
			       : backup_index_lookup(data, ns, q->name);
	return st == BACKUP_FOUND ? KUBE_LOOKUP_FOUND : KUBE_LOOKUP_NOT_FOUND;
}

/* What a lookup asks of an entry's listing, and what it answered. */
struct ask {
	struct kube_nscache *nc;
	int which;
	const char *ns;
	const struct query *q;
	long long ttl_ms;
	enum kube_lookup st;
};

static const enum kube_ns_evidence counted[L_N] = {KUBE_NS_MONITORING,
						   KUBE_NS_SCHEDULED_BACKUPS};

/* The listing while fresh, judged; a hit is counted. Locked. */
static bool answer(struct kube_slot *s, long long now, void *arg)
{
	struct ns_entry *e = (struct ns_entry *)s;
	struct ask *a = arg;
	struct listing *l = &e->l[a->which];
	if (!l->data || now - l->at >= a->ttl_ms)
		return false;
	a->st = judge(a->which, l->data, a->ns, a->q);
	a->nc->stats.hits[counted[a->which]]++;
	return true;
}

/* The namespace's listing `which`, fresh for ttl_s, judged for q: one
 * fetch per namespace and listing at a time, the others wait no longer
 * than timeout_ms; a failure is remembered KUBE_CACHE_FAIL_TTL_MS. */
static enum kube_lookup lookup(struct kube_cache *kc, int which,
			       const struct policy *p, const char *ns,
			       const struct query *q, int ttl_s, int timeout_ms,
			       char *why, size_t whylen)
{
	struct kube_nscache *nc = kc ? kube_cache_nscache(kc) : NULL;
	enum kube_lookup st = KUBE_LOOKUP_UNKNOWN;
	if (!nc || !nc->client) {
		snprintf(why, whylen, "%s",
			 nc ? nc->unknown_why : "no Kubernetes client");
		return st;
	}
	if (!valid_ns(ns)) {
		snprintf(why, whylen, "the object has no namespace");
		return st;
	}
	struct ask a = {nc, which, ns, q, (long long)ttl_s * 1000, st};
	struct kube_slot_ask sa = {.ns = ns,
				   .which = which,
				   .deadline = clock_ms() + timeout_ms,
				   .timeout_ms = timeout_ms,
				   .answer = answer,
				   .arg = &a};
	struct kube_slot *s = NULL;
	pthread_mutex_lock(&nc->t.mu);
	switch (kube_slots_claim(&nc->t, &sa, &s, why, whylen)) {
	case KUBE_CLAIM_ANSWERED: st = a.st; goto out;
	case KUBE_CLAIM_UNKNOWN: goto out;
	case KUBE_CLAIM_FETCH: break;
	}
	nc->stats.misses[counted[which]]++;
	pthread_mutex_unlock(&nc->t.mu);

	struct err err;
	err_clear(&err);
	void *data = NULL;
	int rc = which == L_MON ? fetch_monitoring(nc->client, p, ns,
						   timeout_ms, &data, &err)
				: fetch_scheduled(nc->client, p, ns, timeout_ms,
						  &data, &err);

	pthread_mutex_lock(&nc->t.mu);
	/* s is still ns's: busy entries are never evicted */
	kube_slots_done(&nc->t, s, which, rc == 0 ? NULL : err.msg);
	if (rc == 0) {
		struct listing *l = &((struct ns_entry *)s)->l[which];
		listing_drop(which, l->data);
		l->data = data;
		l->at = clock_ms();
		st = judge(which, l->data, ns, q);
	} else {
		nc->stats.errors[counted[which]]++;
		snprintf(why, whylen, "%s", err.msg);
	}
out:
	pthread_mutex_unlock(&nc->t.mu);
	return st;
}

enum kube_lookup kube_cache_monitoring(struct kube_cache *kc,
				       const struct policy *p, const char *ns,
				       const json_t *pod_labels, int ttl_s,
				       int timeout_ms, char *why, size_t whylen)
{
	struct query q = {pod_labels, NULL};
	return lookup(kc, L_MON, p, ns, &q, ttl_s, timeout_ms, why, whylen);
}

enum kube_lookup kube_cache_scheduled_backup(struct kube_cache *kc,
					     const char *ns,
					     const char *cluster, int ttl_s,
					     int timeout_ms, char *why,
					     size_t whylen)
{
	struct query q = {NULL, cluster};
	return lookup(kc, L_SB, NULL, ns, &q, ttl_s, timeout_ms, why, whylen);
}

void kube_ns_cache_stats(struct kube_cache *kc, struct kube_ns_stats *st)
{
	struct kube_nscache *nc = kc ? kube_cache_nscache(kc) : NULL;
	memset(st, 0, sizeof(*st));
	if (!nc)
		return;
	pthread_mutex_lock(&nc->t.mu);
	*st = nc->stats;
	pthread_mutex_unlock(&nc->t.mu);
}

const char *kube_ns_evidence_name(enum kube_ns_evidence e)
{
	switch (e) {
	case KUBE_NS_MONITORING: return "monitoring";
	case KUBE_NS_SCHEDULED_BACKUPS: return "scheduledbackups";
	case KUBE_NS_CONFIGMAPS: return "configmaps";
	case KUBE_NS_EVIDENCE_N: break;
	}
	return "?";
}

/* GET one ConfigMap; *var gets the trust variable it sets with prefix
 * ("" none, also when absent). 0 or -1 with err. */
static int get_configmap(struct kube_client *c, const char *ns, const char *cm,
			 const char *prefix, int timeout_ms, char *var,
			 size_t varlen, struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_reply r = {0};
	*var = '\0';
	sb_printf(&path, "/api/v1/namespaces/%s/configmaps/%s", ns, cm);
	if (!sb_ok(&path)) {
		sb_free(&path);
		return err_nomem(err);
	}
	enum kube_rc rc = kube_request(c, "GET", sb_str(&path), NULL, 0,
				       timeout_ms, &r, err);
	sb_free(&path);
	int out = -1;
	if (rc == KUBE_NOT_FOUND) {
		err_clear(err);
		out = 0; /* no such ConfigMap: the pod will not start */
	} else if (rc == KUBE_OK) {
		json_t *obj = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
		struct ns_evidence *ev = ns_evidence_new();
		if (!obj || !ev) {
			err_setk(err, obj ? ERR_NOMEM : ERR_INVALID,
				 obj ? "out of memory"
				     : "Kubernetes API answered something "
				       "that is not a ConfigMap");
		} else if (ns_evidence_add(ev, NULL, ns, "ConfigMap", obj)) {
			err_nomem(err);
		} else {
			ns_evidence_configmap_trust(ev, ns, cm, prefix, var,
						    varlen);
			out = 0;
		}
		ns_evidence_free(ev);
		json_decref(obj);
	}
	kube_reply_free(&r);
	return out;
}

enum kube_lookup kube_cache_configmap_trust(struct kube_cache *kc,
					    const char *ns, const char *cm,
					    const char *prefix, int ttl_s,
					    int timeout_ms, char *env,
					    size_t envlen, char *why,
					    size_t whylen)
{
	struct kube_nscache *nc = kc ? kube_cache_nscache(kc) : NULL;
	if (!nc || !nc->client) {
		snprintf(why, whylen, "%s",
			 nc ? nc->unknown_why : "no Kubernetes client");
		return KUBE_LOOKUP_UNKNOWN;
	}
	if (!valid_ns(ns) || !valid_name(cm)) {
		snprintf(why, whylen, "no namespace or an invalid name");
		return KUBE_LOOKUP_UNKNOWN;
	}
	prefix = prefix ? prefix : "";
	if (strlen(prefix) >= sizeof(((struct cm_entry *)0)->prefix))
		return KUBE_LOOKUP_NOT_FOUND; /* no trust variable is that long */
	long long ttl_ms = (long long)ttl_s * 1000;
	pthread_mutex_lock(&nc->t.mu);
	struct ns_entry *e = entry_get(nc, ns);
	long long now = clock_ms();
	for (size_t i = 0; e && i < e->ncms; i++) {
		struct cm_entry *c = &e->cms[i];
		if (strcmp(c->name, cm) == 0 &&
		    strcmp(c->prefix, prefix) == 0 && now - c->at < ttl_ms) {
			e->s.used_at = now;
			snprintf(env, envlen, "%s", c->var);
			nc->stats.hits[KUBE_NS_CONFIGMAPS]++;
			pthread_mutex_unlock(&nc->t.mu);
			return *c->var ? KUBE_LOOKUP_FOUND
				       : KUBE_LOOKUP_NOT_FOUND;
		}
	}
	nc->stats.misses[KUBE_NS_CONFIGMAPS]++;
	pthread_mutex_unlock(&nc->t.mu);

	struct err err;
	err_clear(&err);
	char var[32];
	if (get_configmap(nc->client, ns, cm, prefix, timeout_ms, var,
			  sizeof(var), &err)) {
		snprintf(why, whylen, "%s", err.msg);
		pthread_mutex_lock(&nc->t.mu);
		nc->stats.errors[KUBE_NS_CONFIGMAPS]++;
		pthread_mutex_unlock(&nc->t.mu);
		return KUBE_LOOKUP_UNKNOWN;
	}
	pthread_mutex_lock(&nc->t.mu);
	e = entry_get(nc, ns);
	if (e) {
		struct cm_entry *c = NULL;
		for (size_t i = 0; i < e->ncms && !c; i++)
			if (strcmp(e->cms[i].name, cm) == 0 &&
			    strcmp(e->cms[i].prefix, prefix) == 0)
				c = &e->cms[i];
		if (!c && e->ncms == CM_MAX)
			cms_clear(e); /* simple bound: start over */
		if (!c) {
			char *name = strdup(cm);
			if (name) {
				c = &e->cms[e->ncms++];
				c->name = name;
			}
		}
		if (c) {
			c->at = clock_ms();
			snprintf(c->var, sizeof(c->var), "%s", var);
			snprintf(c->prefix, sizeof(c->prefix), "%s", prefix);
		}
		e->s.used_at = clock_ms();
	}
	pthread_mutex_unlock(&nc->t.mu);
	snprintf(env, envlen, "%s", var);
	return *var ? KUBE_LOOKUP_FOUND : KUBE_LOOKUP_NOT_FOUND;
}
