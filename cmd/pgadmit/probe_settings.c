/*
 * probe_settings.c — the settings of `pgadmit probe`, one row each (engine:
 * src/config/settings.c): parsing, --help and `pgadmit probe --help-table`
 * (docs/probe.md, checked by test_settings_docs.sh). Targets are never
 * settings on argv: they hold passwords and argv shows in ps.
 */
#include <stddef.h>

#include "cmd_settings.h"
#include "pgadmit/probe.h"

#define F(field) offsetof(struct probe_settings, field)

/* "I/N" into shard_i and shard_n (shard_n > 0 marks it given). */
static int parse_shard(const char *v, void *field, struct err *err)
{
	struct probe_settings *s =
		(struct probe_settings *)((char *)field - F(shard_i));
	if (probe_shard_parse(v, &s->shard_i, &s->shard_n))
		return err_set(err,
			       "--shard: expected I/N with 0 <= I < N, "
			       "got '%s'",
			       v);
	return 0;
}

const struct setting probe_settings_table[] = {
	CMD_COMMON_ROWS(struct probe_settings, cmd_parse_probe_format, "FMT",
			"text (default) or json"),
	/* PGADMIT_PROBE_CONCURRENCY is read by the policy (policy.h); the
	 * flag overrides both. */
	{.flag = "concurrency",
	 .metavar = "N",
	 .env = "PGADMIT_PROBE_CONCURRENCY",
	 .type = SET_UINT,
	 .flags = SETF_ENV_ELSEWHERE,
	 .label = "--concurrency",
	 .lo = 1,
	 .hi = 256,
	 .off = F(concurrency),
	 .help = "(targets probed at once;\ndefault policy probe.concurrency)",
	 .doc_default = "policy `probe.concurrency` (4)"},
	{.flag = "shard",
	 .metavar = "I/N",
	 .type = SET_FN,
	 .label = "--shard",
	 .off = F(shard_i),
	 .parse = parse_shard,
	 .help = "probe targets whose position % N == I\n(default from "
		 "JOB_COMPLETION_INDEX and\nPGADMIT_PROBE_SHARDS)",
	 .doc_default = "`JOB_COMPLETION_INDEX`/`PGADMIT_PROBE_SHARDS`, "
			"else 0/1"},
	{.flag = "policy-reports",
	 .type = SET_BOOL,
	 .label = "--policy-reports",
	 .off = F(policy_reports),
	 .help = "also write the findings as PolicyReports\n'pgadmit-probe' "
		 "(docs/audit.md)",
	 .doc_default = "off"},
	{.env = "PGADMIT_PROBE_DSN",
	 .type = SET_DOC,
	 .help = "one connection string to probe",
	 .doc_default = "targets: first of these three"},
	{.env = "PGADMIT_PROBE_DSN_FILE",
	 .type = SET_DOC,
	 .help = "a file of connection strings, one a line",
	 .doc_default = "targets, when `PGADMIT_PROBE_DSN` is unset"},
	{.env = "PGHOST, PGUSER, ...",
	 .type = SET_DOC,
	 .help = "libpq's own variables (PGPASSFILE, ...)",
	 .doc_default = "targets, when neither is set"},
	{.env = "JOB_COMPLETION_INDEX",
	 .type = SET_DOC,
	 .help = "this shard's index (Indexed Job)",
	 .doc_default = "0"},
	{.env = "PGADMIT_PROBE_SHARDS",
	 .type = SET_DOC,
	 .help = "number of shards",
	 .doc_default = "1"},
	{.env = "PGADMIT_KUBECONFIG",
	 .type = SET_DOC,
	 .help = "kubeconfig for --policy-reports",
	 .doc_default = "in-cluster, else `KUBECONFIG`, else "
			"`~/.kube/config`"},
};

const size_t probe_settings_count =
	sizeof(probe_settings_table) / sizeof(probe_settings_table[0]);
