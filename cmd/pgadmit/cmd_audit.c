/* cmd_audit.c — `pgadmit audit`: settings (audit_settings.c) →
 * audit_cluster (src/audit: client, listing, judging, PolicyReports,
 * --stats) → report → exit code. */
#include "cmd.h"
#include "pgadmit/audit.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"

void usage_audit(FILE *out)
{
	fprintf(out,
		"usage: pgadmit audit [--namespace NS]... [--format "
		"text|json|sarif]\n"
		"                     [--policy FILE] [--fail-on "
		"deny|warn|never] [--policy-reports]\n"
		"                     [--kubeconfig FILE] [--exclude-namespace "
		"NS]... [--stats]\n"
		"\n"
		"Judges what is already in the cluster with the manifest rules "
		"(PGA101-PGA104):\nevery kind the webhook judges, listed "
		"through the Kubernetes API page by page,\neach namespace as one "
		"bundle (PGA103 over its real CronJobs). Skips what the\nwebhook "
		"skips: the policy's namespaces, --exclude-namespace, namespaces "
		"labelled\npgadmit.dev/ignore=true, controller-owned Pods and "
		"ReplicaSets. Findings name the\nobject's API reference "
		"(apps/v1/namespaces/shop/statefulsets/db).\n"
		"\n");
	settings_usage(out, audit_settings_table, audit_settings_count);
	fprintf(out,
		"\n"
		"exit status: 0 no finding at or above --fail-on, 1 findings, "
		"2 usage error,\nthe API could not be read (nothing is "
		"reported then), or a PolicyReport\ncould not be written\n");
}

int cmd_audit(int argc, char **argv)
{
	const char *nss[CMD_MAX_NAMESPACES], *excl[CMD_MAX_NAMESPACES];
	struct audit_settings s = {
		.namespaces = {nss, 0, CMD_MAX_NAMESPACES},
		.exclude = {excl, 0, CMD_MAX_NAMESPACES},
	};
	int rc = cmd_settings("audit", usage_audit, audit_settings_table,
			      audit_settings_count, argc, argv, &s, NULL);
	if (rc != CMD_GO_ON)
		return rc;
	bool color = cmd_color(&s.co, REPORT_TEXT);

	struct err err;
	err_clear(&err);
	struct policy *p = policy_new(s.co.policy_path, &err);
	if (!p) {
		fprintf(stderr, "pgadmit audit: policy: %s\n", err.msg);
		return EXIT_USAGE;
	}
	struct audit_options ao = {
		.namespaces = nss,
		.nnamespaces = s.namespaces.n,
		.exclude = excl,
		.nexclude = s.exclude.n,
		.policy_reports = s.policy_reports,
		.timeout_ms = (int)s.timeout_ms,
		.log = stderr,
	};
	struct audit_result r;
	int status = 0;
	if (audit_cluster(s.kubeconfig, p, &ao, s.stats, &r, &err)) {
		fprintf(stderr, "pgadmit audit: %s\n", err.msg);
		status = EXIT_USAGE;
		goto out;
	}
	size_t counts[ACTION_DENY + 1] = {0};
	for (size_t i = 0; i < r.findings.n; i++)
		counts[r.findings.v[i].action]++;
	status = cmd_verdict(counts, s.co.fail_on);
	if (report_write_run(stdout, s.co.format, &r.findings, &r.summary, NULL,
			     color)) {
		fprintf(stderr, "pgadmit audit: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (ao.policy_reports && !r.crd_missing)
		fprintf(stderr,
			"pgadmit audit: %zu PolicyReport%s written "
			"(%zu cleared)%s\n",
			r.reports_written, r.reports_written == 1 ? "" : "s",
			r.reports_cleared,
			r.report_errors ? ", some failed (above)" : "");
	if (r.report_errors)
		status = EXIT_USAGE;
out:
	audit_result_free(&r);
	policy_free(p);
	return status;
}
