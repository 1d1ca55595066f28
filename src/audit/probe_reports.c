/*
 * probe_reports.c — `pgadmit probe --policy-reports` (audit.h): the live
 * findings of each target as PolicyReports named "pgadmit-probe" (beside
 * audit's "pgadmit", which it never touches). A target whose host is a
 * Service DNS name (svc, svc.ns, svc.ns.svc, svc.ns.svc.<cluster domain>)
 * that exists reports into that namespace with the Service (and its uid) as
 * the resource; any other target goes to the ClusterPolicyReport
 * "pgadmit-probe" with the target as the resource's name. Targets are
 * named host:port/db (probe_target_name): never a password. Findings whose
 * check could not be made (unknown) are left out; a target that could not
 * be probed keeps its previous report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "pgadmit/probe.h"

#define PROBE_REPORT "pgadmit-probe"
#define SA_NS_FILE "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

struct group {
	char *ns; /* NULL: the cluster report */
	struct finding_list l;
	struct audit_refs refs;
};

struct groups {
	struct group *v;
	size_t n;
};

static struct group *group_of(struct groups *gs, const char *ns)
{
	for (size_t i = 0; i < gs->n; i++)
		if ((!ns && !gs->v[i].ns) ||
		    (ns && gs->v[i].ns && strcmp(ns, gs->v[i].ns) == 0))
			return &gs->v[i];
	struct group *v = realloc(gs->v, (gs->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	gs->v = v;
	struct group *g = &v[gs->n];
	memset(g, 0, sizeof(*g));
	finding_list_init(&g->l);
	if (ns && !(g->ns = strdup(ns)))
		return NULL;
	gs->n++;
	return g;
}

static void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		free(gs->v[i].ns);
		finding_list_free(&gs->v[i].l);
		audit_refs_free(&gs->v[i].refs);
	}
	free(gs->v);
}

int audit_target_service(const char *target, const char *default_ns, char *svc,
			 size_t svclen, char *ns, size_t nslen)
{
	size_t hl = strcspn(target, ":/");
	char host[256];
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, target, hl);
	host[hl] = '\0';
	char *label[5] = {0};
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(host, ".", &save); t;
	     t = strtok_r(NULL, ".", &save)) {
		if (n == 5)
			return -1;
		label[n++] = t;
	}
	/* svc | svc.ns | svc.ns.svc | svc.ns.svc.<domain...> */
	if (n == 0 || (n >= 3 && strcmp(label[2], "svc") != 0))
		return -1;
	const char *s = label[0], *space = n >= 2 ? label[1] : default_ns;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return -1;
	if (s[0] >= '0' && s[0] <= '9' && n == 4)
		return -1; /* an IPv4 address */
	if ((size_t)snprintf(svc, svclen, "%s", s) >= svclen ||
	    (size_t)snprintf(ns, nslen, "%s", space) >= nslen)
		return -1;
	return 0;
}

/* The namespace a bare Service name is in: the pod's own. */
static void own_namespace(char *out, size_t len)
{
	const char *env = getenv("POD_NAMESPACE");
	snprintf(out, len, "%s", env && *env ? env : "default");
	FILE *f = env && *env ? NULL : fopen(SA_NS_FILE, "r");
	if (f) {
		if (fgets(out, (int)len, f))
			out[strcspn(out, "\r\n")] = '\0';
		else
			snprintf(out, len, "default");
		fclose(f);
	}
}

/* The Service's uid when it exists; "" when not (the target then goes to
 * the cluster report); -1 on other API errors. */
static int service_uid(struct kube_client *c, const char *ns, const char *svc,
		       int timeout_ms, char *uid, size_t len, struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_reply rep;
	sb_printf(&path, "/api/v1/namespaces/%s/services/%s", ns, svc);
	uid[0] = '\0';
	enum kube_rc rc = sb_ok(&path)
				  ? kube_request(c, "GET", sb_str(&path), NULL,
						 0, timeout_ms, &rep, err)
				  : KUBE_OOM;
	sb_free(&path);
	if (rc == KUBE_OK) {
		json_t *o = json_loadb(rep.body, rep.len, 0, NULL);
		const char *u = json_string_value(
			json_object_get(json_object_get(o, "metadata"), "uid"));
		snprintf(uid, len, "%s", u ? u : "-");
		json_decref(o);
	}
	kube_reply_free(&rep);
	if (rc == KUBE_NOT_FOUND)
		return 0;
	return rc == KUBE_OK ? 0 : -1;
}

static const struct audit_kind service_kind = {"",        "v1", "services",
					       "Service", true, 0};

static int add_target(struct kube_client *c, const struct probe_result *r,
		      const char *default_ns, int timeout_ms, struct groups *gs,
		      struct err *err)
{
	char svc[64], ns[64], uid[64] = "";
	bool in_ns = r->target &&
		     audit_target_service(r->target, default_ns, svc,
					  sizeof(svc), ns, sizeof(ns)) == 0;
	if (in_ns && service_uid(c, ns, svc, timeout_ms, uid, sizeof(uid), err))
		return -1;
	in_ns = in_ns && uid[0];
	struct group *g = group_of(gs, in_ns ? ns : NULL);
	struct strbuf ref = STRBUF_INIT;
	if (in_ns)
		audit_api_ref(&ref, &service_kind, ns, svc);
	else
		sb_puts(&ref, r->target ? r->target : "?");
	if (!g || !sb_ok(&ref) ||
	    (in_ns &&
	     audit_refs_add(&g->refs, sb_str(&ref), &service_kind, svc, uid))) {
		sb_free(&ref);
		return err_nomem(err);
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct probe_finding *pf = &r->findings[i];
		if (pf->unknown)
			continue;
		struct strbuf msg = STRBUF_INIT;
		sb_printf(&msg, "%s: %s", r->target ? r->target : "?",
			  pf->message ? pf->message : "");
		struct finding f = {
			.rule = pf->rule,
			.slug = pf->slug,
			.action = pf->action,
			.file = (char *)sb_str(&ref),
			.kind = in_ns ? "Service" : NULL,
			.ns = in_ns ? ns : NULL,
			.name = in_ns ? svc : r->target,
			.path = pf->object,
			.message = (char *)sb_str(&msg),
			.hint = pf->hint,
		};
		int bad = !sb_ok(&msg) || finding_add(&g->l, &f);
		sb_free(&msg);
		if (bad) {
			sb_free(&ref);
			return err_nomem(err);
		}
	}
	sb_free(&ref);
	return 0;
}

int audit_probe_reports(struct kube_client *c, const struct probe_result *r,
			size_t n, int timeout_ms, FILE *log, size_t *written,
			struct err *err)
{
	struct groups gs = {0};
	char dns[64];
	int rc = -1;
	*written = 0;
	own_namespace(dns, sizeof(dns));
	int served = preport_crd_served(c, timeout_ms, err);
	if (served <= 0) {
		if (served == 0 && log)
			fprintf(log, "pgadmit probe: the PolicyReport CRD "
				     "(wgpolicyk8s.io/v1alpha2) is not "
				     "installed: no report written\n");
		return served;
	}
	for (size_t i = 0; i < n; i++) {
		if (r[i].status != PROBE_OK)
			continue; /* its previous report stays */
		if (add_target(c, &r[i], dns, timeout_ms, &gs, err))
			goto out;
	}
	rc = 0;
	for (size_t i = 0; i < gs.n; i++) {
		bool w = false, cl = false;
		struct err werr;
		err_clear(&werr);
		if (preport_write(c, PROBE_REPORT, gs.v[i].ns, &gs.v[i].l,
				  &gs.v[i].refs, timeout_ms, &w, &cl, &werr)) {
			if (rc == 0)
				*err = werr;
			rc = -1;
			if (log)
				fprintf(log,
					"pgadmit probe: PolicyReport of "
					"%s not written: %s\n",
					gs.v[i].ns ? gs.v[i].ns : "the cluster",
					werr.msg);
		}
		*written += w;
	}
out:
	groups_free(&gs);
	return rc;
}
