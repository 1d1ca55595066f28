/* cmd_audit.c — `pgadmit audit`: argv → audit_run → report → exit code. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "pgadmit/audit.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"

#define MAX_NS 256

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
		"\n"
		"  -n, --namespace NS   only this namespace (repeatable)\n"
		"      --format FMT     text (default), json or sarif\n"
		"      --policy FILE    policy file (default: $PGADMIT_POLICY "
		"or built-in)\n"
		"      --fail-on LEVEL  exit 1 on findings at or above LEVEL "
		"(default deny)\n"
		"      --policy-reports write a wgpolicyk8s.io/v1alpha2 "
		"PolicyReport \"pgadmit\" per\n"
		"                       namespace (replaced in place; cleared "
		"when fixed)\n"
		"      --kubeconfig FILE\n"
		"                       default: in-cluster service account, "
		"else $KUBECONFIG,\n"
		"                       else ~/.kube/config\n"
		"      --exclude-namespace NS\n"
		"                       skip NS too (the chart passes its own "
		"namespace)\n"
		"      --timeout-ms N   per API request (default 30000)\n"
		"      --stats          one line on stderr: namespaces, "
		"objects, API requests,\n"
		"                       wall time, peak RSS\n"
		"      --no-color       never colour the text report\n"
		"\n"
		"exit status: 0 no finding at or above --fail-on, 1 findings, "
		"2 usage error,\nthe API could not be read (nothing is "
		"reported then), or a PolicyReport\ncould not be written\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	return cmd_usage_error("audit", usage_audit, fmt, arg);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"namespace", required_argument, NULL, 'n'},
		{"policy-reports", no_argument, NULL, 'P'},
		{"kubeconfig", required_argument, NULL, 'k'},
		{"exclude-namespace", required_argument, NULL, 'E'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"stats", no_argument, NULL, 's'},
		CMD_OPTS_LONG,
		{NULL, 0, NULL, 0},
	};
	const char *nss[MAX_NS], *excl[MAX_NS];
	struct audit_options ao = {.namespaces = nss, .exclude = excl,
				   .log = stderr};
	struct cmd_opts o;
	bool stats = false;
	const char *kubeconfig = NULL;
	cmd_opts_init(&o, "audit", usage_audit, report_format_parse,
		      "text, json or sarif", REPORT_TEXT);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		int rc = cmd_opts_take(&o, c, argv, optarg);
		if (rc == CMD_OPT_TAKEN)
			continue;
		if (rc != CMD_OPT_NOT_MINE)
			return rc;
		switch (c) {
		case 'n':
			if (ao.nnamespaces == MAX_NS)
				return usage_error("too many --namespace (max "
						   "%s)", "256");
			nss[ao.nnamespaces++] = optarg;
			break;
		case 'E':
			if (ao.nexclude == MAX_NS)
				return usage_error("too many --exclude-namespace "
						   "(max %s)", "256");
			excl[ao.nexclude++] = optarg;
			break;
		case 'P': ao.policy_reports = true; break;
		case 'k': kubeconfig = optarg; break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 100 || v > 600000)
				return usage_error("--timeout-ms: expected "
						   "100..600000, got '%s'",
						   optarg);
			ao.timeout_ms = (int)v;
			break;
		}
		case 's': stats = true; break;
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	cmd_opts_color(&o);

	struct err err;
	err_clear(&err);
	struct policy *p = policy_new(o.policy_path, &err);
	if (!p) {
		fprintf(stderr, "pgadmit audit: policy: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (kube_global_init()) {
		fprintf(stderr, "pgadmit audit: curl_global_init failed\n");
		policy_free(p);
		return EXIT_USAGE;
	}
	struct kube_client *kc = kube_client_load(kubeconfig, &err);
	if (!kc) {
		fprintf(stderr, "pgadmit audit: %s\n", err.msg);
		kube_global_cleanup();
		policy_free(p);
		return EXIT_USAGE;
	}
	double t0 = now_s();
	struct audit_result r;
	int status = 0;
	if (audit_run(kc, p, &ao, &r, &err)) {
		/* Incomplete: never printed as if it were the cluster. */
		fprintf(stderr, "pgadmit audit: cannot read the cluster (%s): "
				"%s\n", kube_client_source(kc), err.msg);
		status = EXIT_USAGE;
		goto out;
	}
	size_t counts[ACTION_DENY + 1] = {0};
	for (size_t i = 0; i < r.findings.n; i++)
		counts[r.findings.v[i].action]++;
	status = cmd_verdict(counts, o.fail_on);
	if (report_write_run(stdout, o.format, &r.findings, &r.summary, NULL,
			     o.color)) {
		fprintf(stderr, "pgadmit audit: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (ao.policy_reports && !r.crd_missing)
		fprintf(stderr, "pgadmit audit: %zu PolicyReport%s written "
				"(%zu cleared)%s\n",
			r.reports_written, r.reports_written == 1 ? "" : "s",
			r.reports_cleared,
			r.report_errors ? ", some failed (above)" : "");
	if (r.report_errors)
		status = EXIT_USAGE;
out:
	if (stats) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "audit stats: %zu namespaces (%zu skipped), %zu "
				"objects listed, %zu judged, %zu findings, %lu "
				"API requests, %.2f s, peak RSS %ld KiB\n",
			r.summary.files, r.namespaces_skipped,
			r.summary.documents, r.summary.objects, r.findings.n,
			r.requests, now_s() - t0, ru.ru_maxrss);
	}
	audit_result_free(&r);
	kube_client_free(kc);
	kube_global_cleanup();
	policy_free(p);
	return status;
}

int cmd_probe_policy_reports(const struct probe_result *r, size_t n)
{
	struct err err;
	err_clear(&err);
	if (kube_global_init()) {
		fprintf(stderr, "pgadmit probe: curl_global_init failed\n");
		return EXIT_USAGE;
	}
	struct kube_client *kc = kube_client_load(getenv("PGADMIT_KUBECONFIG"),
						  &err);
	size_t written = 0;
	int rc = kc ? audit_probe_reports(kc, r, n, 30000, stderr, &written,
					  &err)
		    : -1;
	if (rc)
		fprintf(stderr, "pgadmit probe: PolicyReports: %s\n", err.msg);
	else
		fprintf(stderr, "pgadmit probe: %zu PolicyReport%s written\n",
			written, written == 1 ? "" : "s");
	kube_client_free(kc);
	kube_global_cleanup();
	return rc ? EXIT_USAGE : 0;
}
