/*
 * audit.c — `pgadmit audit` (audit.h): namespaces → kinds → pages → the rule
 * engine, one namespace (one bundle) at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "pgadmit/jsonget.h"
#include "pgadmit/rules.h"

#define NS_PAGE_LIMIT 500
#define IGNORE_LABEL "pgadmit.dev/ignore"

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static int names_add(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return -1;
		ns->v = v;
		ns->cap = cap;
	}
	if (!(ns->v[ns->n] = strdup(s)))
		return -1;
	ns->n++;
	return 0;
}

struct ns_walk {
	const struct audit_options *o;
	const struct policy *p;
	struct names *keep;
	size_t skipped;
	int oom;
};

static bool excluded(const struct audit_options *o, const struct policy *p,
		     const char *name)
{
	if (policy_skips_namespace(p, name))
		return true;
	for (size_t i = 0; i < o->nexclude; i++)
		if (strcmp(o->exclude[i], name) == 0)
			return true;
	return false;
}

static bool wanted(const struct audit_options *o, const char *name)
{
	if (o->nnamespaces == 0)
		return true;
	for (size_t i = 0; i < o->nnamespaces; i++)
		if (strcmp(o->namespaces[i], name) == 0)
			return true;
	return false;
}

static int on_namespace(json_t *item, void *arg)
{
	struct ns_walk *w = arg;
	const json_t *meta = json_object_get(item, "metadata");
	const char *name = json_get_str(meta, "name");
	const char *ign =
		json_get_str(json_object_get(meta, "labels"), IGNORE_LABEL);
	if (!name || !wanted(w->o, name))
		return 0;
	if (excluded(w->o, w->p, name) || (ign && strcmp(ign, "true") == 0)) {
		w->skipped++;
		return 0;
	}
	if (names_add(w->keep, name)) {
		w->oom = 1;
		return 1;
	}
	return 0;
}

/* One namespace (or the cluster scope, ns NULL) being judged. */
struct bundle {
	const struct policy *p;
	const char *ns;
	const struct audit_kind *k;
	struct finding_list findings, deferred;
	struct backup_index *bi;
	struct ns_evidence *ev; /* PGA105/PGA106 */
	struct audit_refs refs;
	struct report_summary *sum;
	int oom;
};

static int on_object(json_t *item, void *arg)
{
	struct bundle *b = arg;
	const struct audit_kind *k = b->k;
	b->sum->documents++;
	if (!json_is_object(item) || audit_object_skipped(k, item))
		return 0;
	const json_t *meta = json_object_get(item, "metadata");
	const char *name = json_get_str(meta, "name");
	struct strbuf av = STRBUF_INIT, ref = STRBUF_INIT;
	audit_api_version(&av, k);
	audit_api_ref(&ref, k, b->ns, name);
	/* List items carry neither: the rules and reports expect them. */
	if (!sb_ok(&av) || !sb_ok(&ref) ||
	    json_object_set_new(item, "apiVersion", json_string(sb_str(&av))) ||
	    json_object_set_new(item, "kind", json_string(k->kind)))
		goto oom;
	/* backup evidence: CronJobs, CloudNativePG ScheduledBackups */
	if (backup_index_add_object(b->bi, b->ns, k->kind, item))
		goto oom;
	if (ns_evidence_add(b->ev, b->p, b->ns, k->kind, item))
		goto oom;
	struct backup_oracle bundle = {.bundle = b->ev};
	struct object_ref o = {
		.obj = item,
		.kind = k->kind,
		.ns = b->ns,
		.name = name,
		.file = sb_str(&ref),
		.document = 0,
		.doc = NULL,
		.path_prefix = NULL,
	};
	size_t nf = b->findings.n, nd = b->deferred.n;
	b->sum->objects++;
	if (rules_eval_object(b->p, &o, &bundle, &b->findings, &b->deferred))
		goto oom;
	/* Only objects with a finding (or a PGA103 candidate) are kept. */
	if ((b->findings.n > nf || b->deferred.n > nd) &&
	    audit_refs_add(&b->refs, sb_str(&ref), k, name,
			   json_get_str(meta, "uid")))
		goto oom;
	sb_free(&av);
	sb_free(&ref);
	return 0;
oom:
	sb_free(&av);
	sb_free(&ref);
	b->oom = 1;
	return 1;
}

static int timeout_of(const struct audit_options *o)
{
	return o->timeout_ms > 0 ? o->timeout_ms : 30000;
}

/* List every kind of the scope (namespaced or not) into b. */
static int judge_bundle(struct kube_client *c, const struct audit_options *o,
			struct bundle *b, bool namespaced, struct err *err)
{
	for (size_t i = 0; i < audit_nkinds; i++) {
		const struct audit_kind *k = &audit_kinds[i];
		if (k->namespaced != namespaced)
			continue;
		struct strbuf path = STRBUF_INIT;
		audit_list_path(&path, k, b->ns);
		if (!sb_ok(&path)) {
			sb_free(&path);
			return err_nomem(err);
		}
		b->k = k;
		enum kube_rc rc = kube_list(c, sb_str(&path), k->page_limit,
					    timeout_of(o), 0, on_object, b,
					    err);
		sb_free(&path);
		if (b->oom)
			return err_nomem(err);
		if (rc == KUBE_NOT_FOUND && audit_kind_optional(k)) {
			err_clear(err); /* the CRD is not installed */
			continue;
		}
		if (rc != KUBE_OK)
			return -1;
	}
	if (ns_evidence_resolve(b->ev, &b->deferred, &b->findings) ||
	    backup_index_resolve(b->bi, &b->deferred, &b->findings))
		return err_nomem(err);
	return 0;
}

static int audit_scope(struct kube_client *c, const struct policy *p,
		       const struct audit_options *o, const char *ns,
		       bool namespaced, struct audit_result *r, struct err *err)
{
	struct bundle b = {.p = p, .ns = ns, .sum = &r->summary};
	finding_list_init(&b.findings);
	finding_list_init(&b.deferred);
	b.bi = backup_index_new();
	b.ev = ns_evidence_new();
	int rc = -1;
	if (!b.bi || !b.ev) {
		err_nomem(err);
		goto out;
	}
	if (judge_bundle(c, o, &b, namespaced, err))
		goto out;
	if (namespaced)
		r->summary.files++;
	if (o->policy_reports && !r->crd_missing) {
		bool written = false, cleared = false;
		struct err werr;
		err_clear(&werr);
		if (preport_write(c, "pgadmit", ns, &b.findings, &b.refs,
				  timeout_of(o), &written, &cleared, &werr)) {
			r->report_errors++;
			if (o->log)
				fprintf(o->log,
					"pgadmit audit: PolicyReport "
					"of %s not written: %s\n",
					ns ? ns : "the cluster", werr.msg);
		}
		r->reports_written += written;
		r->reports_cleared += cleared;
	}
	if (finding_list_move(&r->findings, &b.findings)) {
		err_nomem(err);
		goto out;
	}
	rc = 0;
out:
	finding_list_free(&b.findings);
	finding_list_free(&b.deferred);
	backup_index_free(b.bi);
	ns_evidence_free(b.ev);
	audit_refs_free(&b.refs);
	return rc;
}

static int list_namespaces(struct kube_client *c, const struct policy *p,
			   const struct audit_options *o, struct names *keep,
			   size_t *skipped, struct err *err)
{
	struct ns_walk w = {.o = o, .p = p, .keep = keep};
	enum kube_rc rc;
	if (o->nnamespaces) {
		/* Named namespaces: read each (its labels decide skips). */
		for (size_t i = 0; i < o->nnamespaces; i++) {
			struct strbuf path = STRBUF_INIT;
			struct kube_reply rep;
			sb_printf(&path, "/api/v1/namespaces/%s",
				  o->namespaces[i]);
			rc = sb_ok(&path)
				     ? kube_request(c, "GET", sb_str(&path),
						    NULL, 0, timeout_of(o),
						    &rep, err)
				     : KUBE_OOM;
			sb_free(&path);
			json_t *nsobj =
				rc == KUBE_OK
					? json_loadb(rep.body, rep.len, 0, NULL)
					: NULL;
			kube_reply_free(&rep);
			if (rc != KUBE_OK)
				return -1;
			if (!nsobj)
				return err_set(err, "namespace %s: not JSON",
					       o->namespaces[i]);
			on_namespace(nsobj, &w);
			json_decref(nsobj);
		}
	} else {
		rc = kube_list(c, "/api/v1/namespaces", NS_PAGE_LIMIT,
			       timeout_of(o), 0, on_namespace, &w, err);
		if (rc != KUBE_OK && !w.oom)
			return -1;
	}
	if (w.oom)
		return err_nomem(err);
	*skipped = w.skipped;
	return 0;
}

int audit_run(struct kube_client *c, const struct policy *p,
	      const struct audit_options *o, struct audit_result *r,
	      struct err *err)
{
	memset(r, 0, sizeof(*r));
	finding_list_init(&r->findings);
	struct names keep = {0};
	int rc = -1;
	if (list_namespaces(c, p, o, &keep, &r->namespaces_skipped, err))
		goto out;
	if (o->policy_reports) {
		int served = preport_crd_served(c, timeout_of(o), err);
		if (served < 0)
			goto out;
		if (!served) {
			r->crd_missing = true;
			if (o->log)
				fprintf(o->log,
					"pgadmit audit: the PolicyReport CRD "
					"(wgpolicyk8s.io/v1alpha2) is not "
					"installed: no report written (install "
					"it with the chart's audit.installCRD, "
					"Kyverno or Policy Reporter)\n");
		}
	}
	for (size_t i = 0; i < keep.n; i++)
		if (audit_scope(c, p, o, keep.v[i], true, r, err)) {
			err_prefix(err, "namespace %s: ", keep.v[i]);
			goto out;
		}
	bool cluster_kinds = false;
	for (size_t i = 0; i < audit_nkinds; i++)
		cluster_kinds |= !audit_kinds[i].namespaced;
	if (cluster_kinds && o->nnamespaces == 0 &&
	    audit_scope(c, p, o, NULL, false, r, err))
		goto out;
	finding_list_sort(&r->findings);
	rc = 0;
out:
	r->requests = kube_client_requests(c);
	names_free(&keep);
	return rc;
}

void audit_result_free(struct audit_result *r)
{
	finding_list_free(&r->findings);
}
