/*
 * cli.c — `pgadmit audit` and `probe --policy-reports` as the command line
 * runs them (audit.h: audit_cluster, audit_probe_reports_env): libcurl set
 * up, the client loaded (kubeconfig, in-cluster, $KUBECONFIG,
 * ~/.kube/config), the work, the --stats line, and everything torn down,
 * so that cmd/ only parses, calls one function and maps err.kind.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "pgadmit/audit.h"
#include "pgadmit/clock.h"
#include "pgadmit/kube.h"

static void stats_line(FILE *log, const struct audit_result *r, long long t0)
{
	struct rusage ru;
	if (!log)
		return;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(log,
		"audit stats: %zu namespaces (%zu skipped), %zu objects "
		"listed, %zu judged, %zu findings, %lu API requests, %.2f s, "
		"peak RSS %ld KiB\n",
		r->summary.files, r->namespaces_skipped, r->summary.documents,
		r->summary.objects, r->findings.n, r->requests,
		(double)(clock_ms() - t0) / 1000.0, ru.ru_maxrss);
}

int audit_cluster(const char *kubeconfig, const struct policy *p,
		  const struct audit_options *o, bool stats,
		  struct audit_result *r, struct err *err)
{
	memset(r, 0, sizeof(*r));
	finding_list_init(&r->findings);
	if (kube_global_init())
		return err_setk(err, ERR_NOMEM, "curl_global_init failed");
	struct kube_client *kc = kube_client_load(kubeconfig, err);
	if (!kc) {
		kube_global_cleanup();
		return -1;
	}
	long long t0 = clock_ms();
	int rc = audit_run(kc, p, o, r, err);
	if (rc) {
		/* Incomplete: never reported as if it were the cluster. */
		char src[200];
		snprintf(src, sizeof(src), "%s", kube_client_source(kc));
		err_prefix(err, "cannot read the cluster (%s): ", src);
	}
	if (stats)
		stats_line(o->log, r, t0);
	kube_client_free(kc);
	kube_global_cleanup();
	return rc;
}

int audit_probe_reports_env(const struct probe_result *r, size_t n, FILE *log,
			    size_t *written, struct err *err)
{
	*written = 0;
	if (kube_global_init())
		return err_setk(err, ERR_NOMEM, "curl_global_init failed");
	struct kube_client *kc =
		kube_client_load(getenv("PGADMIT_KUBECONFIG"), err);
	int rc = kc ? audit_probe_reports(kc, r, n, 30000, log, written, err)
		    : -1;
	kube_client_free(kc);
	kube_global_cleanup();
	return rc;
}
