/*
 * policyreport.c — findings as a wgpolicyk8s.io/v1alpha2 PolicyReport (or
 * ClusterPolicyReport) named "pgadmit" (audit) or "pgadmit-probe", replaced in place: GET, then PUT
 * with the stored resourceVersion (one retry on a conflict), or POST when
 * absent. The shape is the one Policy Reporter and `kubectl get
 * policyreports` read: results[] with policy (the rule's slug), rule (its
 * id), result (fail for deny, warn for warn/annotate/info, skip for an
 * opt-out with its reason in the message), severity, category, source
 * "pgadmit", message, resources[] (apiVersion, kind, namespace, name, uid),
 * properties {path, fix}, timestamp; summary counts pass/fail/warn/error/
 * skip. No secret: messages come from the rules, already redacted.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_int.h"

#define GROUP_PATH "/apis/wgpolicyk8s.io/v1alpha2"
/* A report is one etcd object (1.5 MiB by default): past this many
 * results, the rest are counted in the summary only. */
#define MAX_RESULTS 1000

int preport_crd_served(struct kube_client *c, int timeout_ms, struct err *err)
{
	struct kube_reply rep;
	enum kube_rc rc = kube_request(c, "GET", GROUP_PATH, NULL, 0,
				       timeout_ms, &rep, err);
	int served = 0;
	if (rc == KUBE_OK) {
		json_t *rl = json_loadb(rep.body, rep.len, 0, NULL);
		size_t i;
		const json_t *res;
		json_array_foreach(json_object_get(rl, "resources"), i, res) {
			const char *n =
				json_string_value(json_object_get(res, "name"));
			if (n && strcmp(n, "policyreports") == 0)
				served = 1;
		}
		json_decref(rl);
	} else if (rc == KUBE_NOT_FOUND) {
		served = 0;
	} else {
		served = -1;
	}
	kube_reply_free(&rep);
	return served;
}

static bool is_optout(const struct finding *f)
{
	return f->action == ACTION_INFO && f->message &&
	       strstr(f->message, " ignored by annotation: ");
}

static const char *result_of(const struct finding *f)
{
	if (f->action == ACTION_DENY)
		return "fail";
	return is_optout(f) ? "skip" : "warn";
}

static const char *severity_of(const struct finding *f)
{
	switch (f->action) {
	case ACTION_DENY: return "high";
	case ACTION_WARN: return "medium";
	case ACTION_ANNOTATE: return "low";
	default: return "info";
	}
}

static const char *category_of(const char *rule)
{
	static const struct {
		const char *id, *cat;
	} cats[] = {
		{"PGA101", "Network exposure"}, {"PGA102", "Secrets"},
		{"PGA103", "Backup"},           {"PGA104", "Encryption"},
		{"PGA105", "Authentication"},   {"PGA106", "Monitoring"},
	};
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (rule && strcmp(rule, cats[i].id) == 0)
			return cats[i].cat;
	return "PostgreSQL";
}

static json_t *resource_of(const struct finding *f, const char *ns,
			   const struct audit_refs *refs)
{
	const struct audit_ref *r = f->file ? audit_refs_find(refs, f->file)
					    : NULL;
	json_t *res = json_object();
	if (!res)
		return NULL;
	int bad = 0;
	if (r) {
		struct strbuf av = STRBUF_INIT;
		audit_api_version(&av, r->k);
		bad |= json_object_set_new(res, "apiVersion",
					   json_string(sb_str(&av)));
		sb_free(&av);
		if (*r->uid)
			bad |= json_object_set_new(res, "uid",
						   json_string(r->uid));
	}
	if (f->kind)
		bad |= json_object_set_new(res, "kind", json_string(f->kind));
	if (ns)
		bad |= json_object_set_new(res, "namespace", json_string(ns));
	if (f->name)
		bad |= json_object_set_new(res, "name", json_string(f->name));
	if (bad) {
		json_decref(res);
		return NULL;
	}
	return res;
}

static json_t *result_json(const struct finding *f, const char *ns,
			   const struct audit_refs *refs, long long now_s)
{
	json_t *props = json_object();
	json_t *res = json_array();
	json_t *one = resource_of(f, ns, refs);
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, "
			      "s:{s:I, s:i}}",
			      "policy", f->slug ? f->slug : "", "rule",
			      f->rule ? f->rule : "", "result", result_of(f),
			      "severity", severity_of(f), "category",
			      category_of(f->rule), "source", "pgadmit",
			      "message", f->message ? f->message : "", "scored",
			      1, "timestamp", "seconds", (json_int_t)now_s,
			      "nanos", 0);
	int bad = !props || !res || !one || !r;
	if (!bad && f->path && *f->path)
		bad |= json_object_set_new(props, "path", json_string(f->path));
	if (!bad && f->hint && *f->hint)
		bad |= json_object_set_new(props, "fix", json_string(f->hint));
	if (!bad) {
		bad |= json_array_append_new(res, one);
		one = NULL;
		bad |= json_object_set_new(r, "resources", res);
		res = NULL;
		bad |= json_object_set_new(r, "properties", props);
		props = NULL;
	}
	json_decref(one);
	json_decref(res);
	json_decref(props);
	if (bad) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *preport_build(const char *name, const char *ns,
		      const struct finding_list *l,
		      const struct audit_refs *refs, long long now_s)
{
	json_t *results = json_array();
	size_t fail = 0, warn = 0, skip = 0;
	int bad = !results;
	for (size_t i = 0; i < l->n && !bad; i++) {
		const struct finding *f = &l->v[i];
		const char *res = result_of(f);
		fail += res[0] == 'f';
		warn += res[0] == 'w';
		skip += res[0] == 's';
		if (i < MAX_RESULTS)
			bad |= json_array_append_new(results,
						     result_json(f, ns, refs,
								 now_s));
	}
	json_t *rep =
		bad ? NULL
		    : json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, "
				"s:{s:i, s:I, s:I, s:i, s:I}}",
				"apiVersion", "wgpolicyk8s.io/v1alpha2", "kind",
				ns ? "PolicyReport" : "ClusterPolicyReport",
				"metadata", "name", name, "labels",
				"app.kubernetes.io/managed-by", "pgadmit",
				"summary", "pass", 0, "fail", (json_int_t)fail,
				"warn", (json_int_t)warn, "error", 0, "skip",
				(json_int_t)skip);
	if (rep && ns &&
	    json_object_set_new(json_object_get(rep, "metadata"), "namespace",
				json_string(ns)))
		bad = 1;
	if (!rep || bad) {
		json_decref(results);
		json_decref(rep);
		return NULL;
	}
	if (json_object_set_new(rep, "results", results)) { /* stolen */
		json_decref(rep);
		return NULL;
	}
	return rep;
}

/* The stored report's resourceVersion (NULL when absent: *absent set). */
static int get_version(struct kube_client *c, const char *path, int timeout_ms,
		       char **rv, bool *absent, struct err *err)
{
	struct kube_reply rep;
	*rv = NULL;
	*absent = false;
	enum kube_rc rc =
		kube_request(c, "GET", path, NULL, 0, timeout_ms, &rep, err);
	if (rc == KUBE_NOT_FOUND) {
		kube_reply_free(&rep);
		*absent = true;
		return 0;
	}
	if (rc != KUBE_OK) {
		kube_reply_free(&rep);
		return -1;
	}
	json_t *cur = json_loadb(rep.body, rep.len, 0, NULL);
	kube_reply_free(&rep);
	const char *v = json_string_value(
		json_object_get(json_object_get(cur, "metadata"),
				"resourceVersion"));
	if (v)
		*rv = strdup(v);
	json_decref(cur);
	if (!*rv)
		return err_set(err, "GET %s: no resourceVersion", path);
	return 0;
}

int preport_write(struct kube_client *c, const char *name, const char *ns,
		  const struct finding_list *l, const struct audit_refs *refs,
		  int timeout_ms, bool *written, bool *cleared, struct err *err)
{
	struct strbuf coll = STRBUF_INIT, item = STRBUF_INIT;
	json_t *rep = NULL;
	char *body = NULL, *rv = NULL;
	int rc = -1;
	*written = *cleared = false;
	if (ns)
		sb_printf(&coll, GROUP_PATH "/namespaces/%s/policyreports", ns);
	else
		sb_puts(&coll, GROUP_PATH "/clusterpolicyreports");
	sb_printf(&item, "%s/%s", sb_str(&coll), name);
	rep = preport_build(name, ns, l, refs, (long long)time(NULL));
	if (!rep || !sb_ok(&coll) || !sb_ok(&item)) {
		err_nomem(err);
		goto out;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		bool absent;
		free(rv);
		if (get_version(c, sb_str(&item), timeout_ms, &rv, &absent,
				err))
			goto out;
		if (absent && l->n == 0) {
			rc = 0; /* nothing to clear, nothing to say */
			goto out;
		}
		if (!absent &&
		    json_object_set_new(json_object_get(rep, "metadata"),
					"resourceVersion", json_string(rv))) {
			err_nomem(err);
			goto out;
		}
		free(body);
		body = json_dumps(rep, JSON_COMPACT);
		if (!body) {
			err_nomem(err);
			goto out;
		}
		struct kube_reply r;
		enum kube_rc krc =
			kube_request(c, absent ? "POST" : "PUT",
				     absent ? sb_str(&coll) : sb_str(&item),
				     body, strlen(body), timeout_ms, &r, err);
		kube_reply_free(&r);
		if (krc == KUBE_OK) {
			*written = true;
			*cleared = l->n == 0;
			rc = 0;
			goto out;
		}
		if (krc != KUBE_CONFLICT)
			goto out;
		/* Changed (or created) since our GET: read it again once. */
	}
out:
	free(rv);
	free(body);
	json_decref(rep);
	sb_free(&coll);
	sb_free(&item);
	return rc;
}
