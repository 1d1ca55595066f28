/* cmd_probe.c — `pgadmit probe`: environment → targets → probe_run →
 * report → exit code. Targets never come from argv (they hold passwords and
 * argv shows in ps). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
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
		"\n"
		"      --format FMT       text (default) or json\n"
		"      --policy FILE      policy file (default: "
		"$PGADMIT_POLICY or built-in)\n"
		"      --fail-on LEVEL    exit 1 on findings at or above "
		"LEVEL (default deny)\n"
		"      --concurrency N    targets probed at once (default "
		"policy probe.concurrency,\n"
		"                         env PGADMIT_PROBE_CONCURRENCY)\n"
		"      --shard I/N        probe targets whose position %% N == "
		"I (default from\n"
		"                         JOB_COMPLETION_INDEX and "
		"PGADMIT_PROBE_SHARDS)\n"
		"      --no-color         never colour the text report\n"
		"      --policy-reports   also write the findings as "
		"PolicyReports 'pgadmit-probe'\n"
		"                         (docs/audit.md)\n"
		"\n"
		"exit status: 0 nothing at or above --fail-on, 1 findings, "
		"2 usage error or\na target that could not be probed\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	return cmd_usage_error("probe", usage_probe, fmt, arg);
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{"concurrency", required_argument, NULL, 'c'},
		{"shard", required_argument, NULL, 's'},
		{"policy-reports", no_argument, NULL, 'R'},
		CMD_OPTS_LONG,
		{NULL, 0, NULL, 0},
	};
	struct cmd_opts co;
	bool shard_set = false, reports = false;
	long concurrency = 0;
	unsigned shard_i = 0, shard_n = 1;
	cmd_opts_init(&co, "probe", usage_probe, probe_format_parse,
		      "text or json", PROBE_FMT_TEXT);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int rc = cmd_opts_take(&co, c, argv, optarg);
		if (rc == CMD_OPT_TAKEN)
			continue;
		if (rc != CMD_OPT_NOT_MINE)
			return rc;
		switch (c) {
		case 'c': {
			char *end;
			concurrency = strtol(optarg, &end, 10);
			if (*end || end == optarg || concurrency < 1 ||
			    concurrency > 256)
				return usage_error("--concurrency: expected "
						   "1..256, got '%s'",
						   optarg);
			break;
		}
		case 's':
			if (probe_shard_parse(optarg, &shard_i, &shard_n))
				return usage_error("--shard: expected I/N with "
						   "0 <= I < N, got '%s'",
						   optarg);
			shard_set = true;
			break;
		case 'R': reports = true; break;
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s': targets come "
				   "from PGADMIT_PROBE_DSN or "
				   "PGADMIT_PROBE_DSN_FILE, never from "
				   "arguments",
				   "(hidden)");
	cmd_opts_color(&co);

	struct err err;
	err_clear(&err);
	if (!shard_set && probe_shard_from_env(&shard_i, &shard_n, &err)) {
		fprintf(stderr, "pgadmit probe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	struct policy *p = policy_new(co.policy_path, &err);
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
	probe_targets_shard(&t, shard_i, shard_n);
	/* the raw SSLRequest connection writes through OpenSSL */
	signal(SIGPIPE, SIG_IGN);
	struct probe_options o = {
		.policy = p,
		.concurrency = concurrency ? (unsigned)concurrency
					   : (unsigned)p->probe.concurrency,
	};
	struct probe_result *r = NULL;
	int status = 0;
	if (probe_run(&t, &o, &r)) {
		fprintf(stderr, "pgadmit probe: out of memory\n");
		status = EXIT_USAGE;
		goto out;
	}
	struct probe_summary s = {.shard_index = shard_i,
				  .shard_count = shard_n,
				  .total_targets = t.total};
	probe_summarize(r, t.n, &s); /* counts leave unknown results out */
	status = cmd_verdict(s.counts, co.fail_on);
	if (probe_report_write(stdout, co.format, r, t.n, &s, co.color)) {
		fprintf(stderr, "pgadmit probe: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (s.error) {
		fprintf(stderr, "pgadmit probe: %zu target%s could not be "
				"probed\n",
			s.error, s.error == 1 ? "" : "s");
		status = EXIT_USAGE;
	}
	if (reports && cmd_probe_policy_reports(r, t.n))
		status = EXIT_USAGE;
out:
	probe_results_free(r, t.n);
	probe_targets_free(&t);
	policy_free(p);
	return status;
}
