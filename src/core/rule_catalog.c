/* rule_catalog.c — ids, slugs, default actions and help of every rule
 * (rules.md). The single source for SARIF rule metadata and the docs. */
#include <string.h>

#include "pgadmit/policy.h"

const struct rule_meta rule_catalog[R_COUNT] = {
	{R_PGA101, "PGA101", "postgres-port-exposed", ACTION_DENY,
	 "PostgreSQL port exposed outside the cluster",
	 "A NodePort or external LoadBalancer Service, externalIPs, a hostPort "
	 "or hostNetwork exposes a PostgreSQL port beyond the cluster network. "
	 "Use a ClusterIP Service, an internal load balancer or private "
	 "loadBalancerSourceRanges."},
	{R_PGA102, "PGA102", "postgres-credentials-inline", ACTION_DENY,
	 "PostgreSQL credentials written inline",
	 "A password or a connection string with a password is written "
	 "literally in a pod spec, ConfigMap or Compose file. Keep it in a "
	 "Secret and reference it with valueFrom.secretKeyRef or envFrom."},
	{R_PGA103, "PGA103", "postgres-backup-missing", ACTION_WARN,
	 "PostgreSQL workload without a backup CronJob",
	 "A PostgreSQL server workload has no CronJob in its namespace running "
	 "a backup tool (pg_dump, pg_basebackup, pgbackrest, wal-g, barman, "
	 "pg_probackup) or labelled pgadmit.dev/backup-for. Add one, or "
	 "annotate the workload with pgadmit.dev/backup: \"<reason>\"."},
	{R_PGA104, "PGA104", "postgres-ssl-disabled", ACTION_WARN,
	 "PostgreSQL SSL disabled",
	 "A connection string or PGSSLMODE uses sslmode=disable/allow (or JDBC "
	 "ssl=false), or the server is started with ssl=off. Use "
	 "sslmode=verify-full (or at least require)."},
	{R_PGA201, "PGA201", "ssl-off", ACTION_DENY, "Server SSL is off",
	 "The server runs with ssl = off; every connection is plain text. "
	 "Configure ssl_cert_file/ssl_key_file and set ssl = on."},
	{R_PGA202, "PGA202", "ssl-not-enforced", ACTION_WARN,
	 "SSL not enforced for remote clients",
	 "A host (not hostssl) pg_hba rule admits remote addresses, or remote "
	 "sessions run without SSL. Use hostssl rules for remote clients."},
	{R_PGA203, "PGA203", "ssl-weak-protocol", ACTION_WARN,
	 "Weak minimum TLS protocol",
	 "ssl_min_protocol_version is below TLSv1.2. Set it to TLSv1.2 or "
	 "TLSv1.3."},
	{R_PGA204, "PGA204", "ssl-cert-expiring", ACTION_WARN,
	 "Server certificate expiring or expired",
	 "The server certificate read from the TLS handshake expires soon or "
	 "has expired. Renew it (cert-manager can rotate it)."},
	{R_PGA205, "PGA205", "ssl-not-used", ACTION_WARN,
	 "Probe session not encrypted",
	 "The probe's own connection is not encrypted. Connect with "
	 "sslmode=verify-full."},
	{R_PGA211, "PGA211", "fk-missing-index", ACTION_WARN,
	 "Foreign key without an index",
	 "No valid index has the foreign key's columns as its leading columns; "
	 "deletes and updates on the referenced table scan the referencing "
	 "table."},
	{R_PGA212, "PGA212", "index-unused", ACTION_WARN, "Unused index",
	 "A non-unique index has not been scanned since statistics were reset "
	 "and costs writes and space."},
	{R_PGA213, "PGA213", "index-duplicate", ACTION_WARN,
	 "Duplicate or redundant index",
	 "Two indexes cover the same columns, or one is a leading-column "
	 "prefix of another."},
	{R_PGA214, "PGA214", "index-invalid", ACTION_WARN, "Invalid index",
	 "An index is marked invalid (a failed CREATE INDEX CONCURRENTLY): it "
	 "is maintained on writes but never used. Rebuild or drop it."},
	{R_PGA215, "PGA215", "seq-scan-heavy", ACTION_WARN,
	 "Large table read by sequential scans",
	 "A large table is read mostly by sequential scans: a missing-index "
	 "candidate."},
	{R_PGA221, "PGA221", "connections-near-limit", ACTION_WARN,
	 "Connections near the limit",
	 "Client backends exceed the configured share of max_connections; use "
	 "a connection pooler such as PgBouncer."},
	{R_PGA231, "PGA231", "wal-archiving-off", ACTION_WARN,
	 "WAL archiving off",
	 "archive_mode is off: point-in-time recovery is impossible."},
	{R_PGA232, "PGA232", "archiver-failing", ACTION_DENY,
	 "WAL archiver failing",
	 "pg_stat_archiver shows a failure newer than the last success; WAL "
	 "piles up and backups are incomplete."},
	{R_PGA241, "PGA241", "stats-extension-missing", ACTION_WARN,
	 "pg_stat_statements missing",
	 "pg_stat_statements is not installed in the probed database, so "
	 "query performance cannot be monitored."},
	{R_PGA251, "PGA251", "listen-open-hba", ACTION_DENY,
	 "Server listens on all addresses and hba admits everyone",
	 "listen_addresses is * (or public) and a pg_hba rule admits "
	 "0.0.0.0/0, ::/0 or all. Restrict the hba address ranges."},
	{R_PGA252, "PGA252", "hba-trust", ACTION_DENY,
	 "trust authentication for remote connections",
	 "A pg_hba rule uses trust for non-local connections: anyone who can "
	 "reach the port logs in without a password."},
	{R_PGA253, "PGA253", "password-md5", ACTION_WARN,
	 "MD5 password encryption",
	 "password_encryption is md5; use scram-sha-256."},
};

const struct rule_meta *rule_meta_by_code(const char *s)
{
	if (!s)
		return NULL;
	for (int i = 0; i < R_COUNT; i++)
		if (strcasecmp(rule_catalog[i].code, s) == 0 ||
		    strcmp(rule_catalog[i].slug, s) == 0)
			return &rule_catalog[i];
	return NULL;
}
