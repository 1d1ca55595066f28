/* cmd_probe.c — `pgadmit probe`: settings (probe_settings.c) → targets from
 * the environment → probe_run → report → exit code. Targets never come
 * from argv (they hold passwords and argv shows in ps). */
#include <signal.h>

#include "cmd.h"
#include "pgadmit/audit.h"
#include "pgadmit/policy.h"
#include "pgadmit/probe.h"

void usage_probe(FILE *out)
{
	fprintf(out,
		"usage: pgadmit probe [--format text|json] [--policy FILE]\n"
		"                     [--fail-on deny|warn|never] "
		"[--concurrency N] [--shard I/N]\n"
		"                     [--no-color]\n"
		"\n"
		"Connects to live PostgreSQL servers and checks SSL, "
		"certificates, indexes,\nconnections, WAL archiving and "
		"pg_hba (rules PGA201-PGA253). Targets come\nonly from the "
		"environment: PGADMIT_PROBE_DSN (one connection string),\n"
		"PGADMIT_PROBE_DSN_FILE (one per line, # comments), else "
		"libpq's own\nvariables (PGHOST, PGUSER, PGPASSFILE, ...).\n"
		"\n");
	settings_usage(out, probe_settings_table, probe_settings_count);
	fprintf(out,
		"\n"
		"exit status: 0 nothing at or above --fail-on, 1 findings, "
		"2 usage error or\na target that could not be probed\n");
}

/* probe --policy-reports through src/audit: 0, or EXIT_USAGE. */
static int policy_reports(const struct probe_result *r, size_t n)
{
	struct err err;
	size_t written = 0;
	err_clear(&err);
	if (audit_probe_reports_env(r, n, stderr, &written, &err)) {
		fprintf(stderr, "pgadmit probe: PolicyReports: %s\n", err.msg);
		return EXIT_USAGE;
	}
	fprintf(stderr, "pgadmit probe: %zu PolicyReport%s written\n", written,
		written == 1 ? "" : "s");
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_settings s = {0};
	int argi;
	int rc = cmd_settings("probe", usage_probe, probe_settings_table,
			      probe_settings_count, argc, argv, &s, &argi);
	if (rc != CMD_GO_ON)
		return rc;
	if (argi < argc)
		return cmd_usage_error("probe", usage_probe,
				       "unexpected argument '%s': targets come "
				       "from PGADMIT_PROBE_DSN or "
				       "PGADMIT_PROBE_DSN_FILE, never from "
				       "arguments",
				       "(hidden)");
	bool color = cmd_color(&s.co, PROBE_FMT_TEXT);

	struct err err;
	err_clear(&err);
	if (!s.shard_n && probe_shard_from_env(&s.shard_i, &s.shard_n, &err)) {
		fprintf(stderr, "pgadmit probe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	struct policy *p = policy_new(s.co.policy_path, &err);
	if (!p) {
		fprintf(stderr, "pgadmit probe: policy: %s\n", err.msg);
		return EXIT_USAGE;
	}
	struct probe_targets t;
	if (probe_targets_from_env(&t, &err)) {
		fprintf(stderr, "pgadmit probe: %s\n", err.msg);
		policy_free(p);
		return EXIT_USAGE;
	}
	probe_targets_shard(&t, s.shard_i, s.shard_n);
	/* the raw SSLRequest connection writes through OpenSSL */
	signal(SIGPIPE, SIG_IGN);
	struct probe_options o = {
		.policy = p,
		.concurrency = s.concurrency ? s.concurrency
					     : (unsigned)p->probe.concurrency,
	};
	struct probe_result *r = NULL;
	int status = 0;
	if (probe_run(&t, &o, &r)) {
		fprintf(stderr, "pgadmit probe: out of memory\n");
		status = EXIT_USAGE;
		goto out;
	}
	struct probe_summary sum = {.shard_index = s.shard_i,
				    .shard_count = s.shard_n,
				    .total_targets = t.total};
	probe_summarize(r, t.n, &sum); /* counts leave unknown results out */
	status = cmd_verdict(sum.counts, s.co.fail_on);
	if (probe_report_write(stdout, s.co.format, r, t.n, &sum, color)) {
		fprintf(stderr, "pgadmit probe: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (sum.error) {
		fprintf(stderr,
			"pgadmit probe: %zu target%s could not be "
			"probed\n",
			sum.error, sum.error == 1 ? "" : "s");
		status = EXIT_USAGE;
	}
	if (s.policy_reports && policy_reports(r, t.n))
		status = EXIT_USAGE;
out:
	probe_results_free(r, t.n);
	probe_targets_free(&t);
	policy_free(p);
	return status;
}
