/*
 * rule_catalog.c — the rule catalog (catalog.h): id, slug, scope, default
 * action and documentation of every implemented rule, in id order, and the
 * lookups by id or slug. The table is one array: the manifest rules'
 * entries (PGA1xx) are here, the probe rules' (PGA2xx) in
 * rule_catalog_probe.def, included at the end of the table.
 *
 * The text is what `pgadmit explain`, SARIF help and docs/rules/ show
 * (rendered by rule_doc.c). It follows the contract (rules.md) as
 * implemented, including the decisions where the contract is silent; keep
 * it in step with src/rules/ and src/probe/ and run `make docs-rules`.
 * Inline `code` is marked with backticks (dropped in plain text).
 */
#include <string.h>
#include <strings.h>

#include "pgadmit/catalog.h"

#define MANIFEST (SCOPE_WEBHOOK | SCOPE_CHECK | SCOPE_AUDIT)
#define OPTOUT_MANIFEST(id, slug)                                              \
	"Annotate the object: `pgadmit.dev/ignore-" slug ": \"<reason>\"` in " \
	"`metadata.annotations` (Compose: the same key in the service's "      \
	"`labels`). The reason is required; the opt-out is reported as an "    \
	"`info` finding so audits see it. Per rule: `rules: {" id ": off}` "   \
	"in the policy or `PGADMIT_RULE_" id "=off`; per namespace: label it " \
	"`pgadmit.dev/ignore: \"true\"` (webhook, audit) or list it in "       \
	"`namespaces.skip`."
/* The probe rules' opt-out (rule_catalog_probe.def). */
#define OPTOUT_PROBE(id)                                                       \
	"Turn it off in the policy (`rules: {" id ": off}`; or give it "       \
	"another action) or with `PGADMIT_RULE_" id "=off`. A rule that is "   \
	"`off` is not judged and its query work is skipped."

const struct rule_meta rule_catalog[R_COUNT] = {
	{R_PGA101,
	 "PGA101",
	 "postgres-port-exposed",
	 ACTION_DENY,
	 MANIFEST,
	 "PostgreSQL port exposed outside the cluster",
	 "A database port reachable from outside the cluster network is the "
	 "first thing scanners find; Postgres should be reached through a "
	 "ClusterIP Service or an internal load balancer.",
	 {"a `NodePort` or `LoadBalancer` Service with a Postgres port — "
	  "`port`, `targetPort` or `name`: port numbers from `postgres.ports` "
	  "(default 5432 and 6432, integers or numeric strings), names and "
	  "string targetPorts matching `postgres.portNamePattern` "
	  "(`^(tcp-)?(postgres|postgresql|pg|pgsql|pgbouncer)$`, "
	  "case-insensitive); one finding per matching port entry, at the "
	  "field that matched",
	  "any Service with non-empty `externalIPs` and a Postgres port (path "
	  "`spec.externalIPs[0]`)",
	  "a container port with a non-zero `hostPort` where `hostPort` or "
	  "`containerPort` is a Postgres port, in containers, initContainers "
	  "and ephemeralContainers (path `…ports[j].hostPort`)",
	  "`hostNetwork: true` with a Postgres server image in `containers`, "
	  "or a Postgres `containerPort` in any container (path `<pod "
	  "spec>.hostNetwork`; the line is where the Pod spec starts)",
	  "Compose (`check` only): `ports` that publish a Postgres port (host "
	  "or container side, ranges included) on all interfaces — "
	  "`\"5432:5432\"`, `\"5432\"`, `5432`, `\"0.0.0.0:5432:5432\"`, long "
	  "syntax without `host_ip` or with `host_ip: 0.0.0.0` or `::`; "
	  "`network_mode: host` on a service with a Postgres server image",
	  "a Postgres cluster resource asking its operator for an outside "
	  "service (see docs/operators.md): CloudNativePG "
	  "`spec.managed.services.additional[].serviceTemplate` and a "
	  "`Pooler`'s `spec.serviceTemplate` of type NodePort/LoadBalancer; "
	  "Zalando `enable*NodePort` (always) and `enable*LoadBalancer` with "
	  "`allowedSourceRanges` open; Crunchy `spec.service`, "
	  "`spec.replicaService`, `spec.proxy.pgBouncer.service`; Percona "
	  "`spec.expose`, `spec.exposeReplicas`, "
	  "`spec.proxy.pgBouncer.expose` — the same internal-LB exceptions",
	  NULL},
	 {"an internal LoadBalancer: every `loadBalancerSourceRanges` entry "
	  "inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 (or, "
	  "for IPv6, fc00::/7), or one of the annotations "
	  "`service.beta.kubernetes.io/aws-load-balancer-internal` (any value "
	  "but `\"false\"`, `\"0\"` or empty), "
	  "`service.beta.kubernetes.io/aws-load-balancer-scheme: internal`, "
	  "`networking.gke.io/load-balancer-type: Internal`, "
	  "`cloud.google.com/load-balancer-type: Internal`, "
	  "`service.beta.kubernetes.io/azure-load-balancer-internal: "
	  "\"true\"`; `0.0.0.0/0` and `::/0` are never internal, an empty list "
	  "is not internal, and a NodePort still fires",
	  "Compose ports bound to a specific address (`127.0.0.1`, `[::1]`, "
	  "any other host IP: binding one interface is a deliberate choice) "
	  "and `expose:` (not published)",
	  "UDP and SCTP ports (Postgres speaks TCP)",
	  "a Zalando load balancer without `allowedSourceRanges` (the "
	  "operator locks it to 127.0.0.1/32); operator children (a Service "
	  "the operator made): judged at their cluster resource, allowed by "
	  "the webhook",
	  NULL},
	 "Use `type: ClusterIP`, or an internal load balancer with private "
	 "`loadBalancerSourceRanges`; drop `hostPort`/`hostNetwork`; in Compose "
	 "bind to loopback (`\"127.0.0.1:5432:5432\"`) or drop the mapping.",
	 OPTOUT_MANIFEST("PGA101", "postgres-port-exposed"),
	 "apiVersion: v1\n"
	 "kind: Service\n"
	 "metadata: {name: db}\n"
	 "spec:\n"
	 "  type: NodePort\n"
	 "  ports:\n"
	 "    - port: 5432        # PGA101 spec.ports[0].port\n"},

	{R_PGA102,
	 "PGA102",
	 "postgres-credentials-inline",
	 ACTION_DENY,
	 MANIFEST,
	 "PostgreSQL credentials written inline",
	 "A password written in a manifest ends up in Git, in `helm template` "
	 "output and in every copy of the object; Secrets are where it "
	 "belongs. Findings never show it: connection strings are quoted "
	 "redacted (`postgresql://app:****@db/app`).",
	 {"an env entry with a literal non-empty `value` whose name is "
	  "`PGPASSWORD`, or ends in `PASSWORD`, `PASSWD`, `PWD` or `_PASS` and "
	  "contains `PG`, `POSTGRES`, `DB`, `DATABASE` or `SQL` "
	  "(case-insensitive), or sits in a container running a Postgres "
	  "server image",
	  "a connection string with a password in an env value, a `command` "
	  "or an `args` element, also inside longer text (`sh -c \"psql "
	  "postgresql://u:p@h/db\"`)",
	  "a ConfigMap `data` value with a connection string with a password, "
	  "or a key that would fire by its name with a non-empty value",
	  "Compose: the same in `environment` (map form, path "
	  "`environment.NAME`; list form `NAME=value`, path `environment[i]`), "
	  "`command` and `entrypoint` (string or list)",
	  "connection strings, each read by its grammar: `postgres://`, "
	  "`postgresql://`, `postgresql+<driver>://` and `jdbc:postgresql:` "
	  "URLs with a password in the userinfo (what precedes the last `@` "
	  "before the first `/`, `?` or `#`) or a `password=` (or `pass=`) "
	  "query parameter; libpq `key=value` text with "
	  "`password=<non-empty>` (quoted values `'a b\\'c'` supported); a "
	  "`PGPASSWORD=<shell word>` assignment inside a command line (quotes "
	  "and escapes as the shell reads them); postgres_exporter's "
	  "scheme-less `user:pw@host:5432/db` on a Postgres port",
	  "a shell or Compose default that is itself a literal: "
	  "`${DB_PASSWORD:-hunter2}` (also `-`, `=`, `:=`, `+`, `:+`) ships in "
	  "the file and is what runs when the variable is unset; only the "
	  "default is masked (`PGPASSWORD=${PGPASSWORD:-****}`)",
	  "a Postgres cluster resource: the same in the server's `spec.env` "
	  "(CloudNativePG, Zalando) and in containers declared inside it "
	  "(Zalando `spec.sidecars`/`initContainers`, Crunchy "
	  "`spec.instances[].containers`, Percona `spec.instances[].sidecars`, "
	  "the pgBouncer ones, a CloudNativePG Pooler's `spec.template`)",
	  NULL},
	 {"`valueFrom` (secretKeyRef, configMapKeyRef, …) and `envFrom`",
	  "shell references, in env values, `command`/`args` elements and "
	  "ConfigMap scripts: a password that is only parameter or command "
	  "expansions, quoted or not — Kubernetes `$(VAR)`, `$VAR`, "
	  "`\"${VAR}\"`, `${VAR:-$(< file)}`, `$(cat file)`, backticks, "
	  "`${VAR#x}`, Compose `${VAR:?msg}` and `$${VAR}` — also after "
	  "`export`/`env`, around here-strings, and as a connection string's "
	  "password (`postgresql://app:$(DB_PASSWORD)@db/app`); `$$(A)` is an "
	  "escaped, literal `$(A)` and does fire",
	  "names that describe a password rather than hold one: "
	  "`*_PASSWORD_FILE`, `*_PASSWORD_ENCRYPTION`, `*_AUTH_METHOD`, "
	  "`ALLOW_EMPTY_PASSWORD` (that one is PGA105's)",
	  "empty values and empty passwords (`postgresql://u:@h`, `password=`)",
	  "Secrets, ever (that is where credentials belong)",
	  "Compose list entries without `=` (`- DB_PASSWORD` takes the host's "
	  "value) and `null` map values",
	  "the bare variable `PWD` (the shell's working directory)", NULL},
	 "Store the password in a Secret and reference it: "
	 "`valueFrom.secretKeyRef`, or `envFrom.secretRef` for a ConfigMap's "
	 "connection string moved to a Secret; in Compose use secrets, an "
	 "`env_file` kept out of the repository, or `${VAR}` from the "
	 "environment.",
	 OPTOUT_MANIFEST("PGA102", "postgres-credentials-inline"),
	 "        env:\n"
	 "          - name: POSTGRES_PASSWORD\n"
	 "            value: \"s3cret\"     # PGA102 "
	 "spec.template.spec.containers[0].env[0].value\n"
	 "          - name: DATABASE_URL\n"
	 "            value: postgresql://app:s3cret@db/app   # PGA102 "
	 "...env[1].value\n"},

	{R_PGA103,
	 "PGA103",
	 "postgres-backup-missing",
	 ACTION_WARN,
	 MANIFEST,
	 "PostgreSQL workload without a backup CronJob",
	 "A database without a scheduled backup is found out on the day it is "
	 "needed. Default `warn`: `kubectl apply -f dir/` may create the "
	 "database before its CronJob.",
	 {"a Postgres workload — a StatefulSet, Deployment, DaemonSet, "
	  "ReplicaSet, or a Pod without `ownerReferences`, with a `containers` "
	  "entry running a Postgres server image — whose namespace has no "
	  "backup; the finding points at `metadata.name`",
	  "a backup is a CronJob in the same namespace (no namespace matches "
	  "no namespace) whose containers' `image`, `command` or `args` name "
	  "`pg_dump`, `pg_dumpall`, `pg_basebackup`, `pgbackrest`, `wal-g`, "
	  "`barman` or `pg_probackup` as a word (`/usr/bin/pg_dump -Fc`, "
	  "`registry/tools/wal-g:1.0`, `barman-cloud-backup` count; "
	  "`postgres-backup-local` does not), or a CronJob whose label or "
	  "annotation `pgadmit.dev/backup-for` names the workload (the "
	  "annotation may list several names, separated by commas or spaces)",
	  "`check` judges the whole bundle: the CronJob may come before or "
	  "after the workload, in any file of the run; `audit` judges each "
	  "namespace as one bundle with its real CronJobs",
	  "webhook: the namespace's CronJobs come from the Kubernetes API "
	  "(cached); when the API cannot be asked, the finding says backups "
	  "could not be verified and why, at `warn` (or the configured action "
	  "if lower) — never `deny`. A CronJob the webhook has just admitted "
	  "counts at once",
	  "a Postgres server image is one whose name (last path component, "
	  "tag and digest removed) matches `postgres.imagePattern`, or is such "
	  "a name with a major version and any suffix (`postgresql-16`, "
	  "`postgresql-15-c9s`, `postgres-15-alpine`, "
	  "`postgresql-16-codeinsights`) not naming a role (`exporter`, "
	  "`client`, `backup`, `operator`, `bouncer`, `admin`), or is on "
	  "`postgres.serverImages` (built in: `harbor-db`, "
	  "`cloudnative-pg/postgresql`, `spilo-*`, `patroni`); "
	  "`postgres-exporter`, `pgbouncer`, `pgadmin4`, `postgresql-client` "
	  "and `*-operator` never are",
	  "a Postgres cluster resource whose own spec declares no backup "
	  "(CloudNativePG `spec.backup` object store or volume snapshots, a "
	  "backup plugin; Crunchy/Percona `spec.backups.pgbackrest.repos` or "
	  "snapshots) and that no ScheduledBackup (`spec.cluster.name`) or "
	  "backup CronJob covers; Zalando (backups are operator-wide) only "
	  "when its `spec.env` empties `WAL_S3_BUCKET`, `WAL_GS_BUCKET` or "
	  "`AZURE_STORAGE_ACCOUNT` without `enableLogicalBackup`",
	  NULL},
	 {"a workload annotated `pgadmit.dev/backup: \"<reason>\"` with a "
	  "non-blank reason",
	  "init or ephemeral containers running a `postgres` image (e.g. "
	  "`pg_isready` waits) do not make a workload a database server; Jobs "
	  "are not workloads",
	  "objects in namespaces the policy skips (whose CronJobs do not "
	  "count as backups either)",
	  NULL},
	 "Add a CronJob in the same namespace running pg_dump, pgBackRest, "
	 "WAL-G or barman, or label it `pgadmit.dev/backup-for: <workload>`.",
	 "When backups are made elsewhere (volume snapshots, an operator), "
	 "annotate the workload `pgadmit.dev/backup: \"<reason>\"`. Otherwise "
	 "as every manifest rule: `pgadmit.dev/ignore-postgres-backup-missing: "
	 "\"<reason>\"`, `rules: {PGA103: off}` or `PGADMIT_RULE_PGA103=off`, "
	 "`namespaces.skip`.",
	 "apiVersion: apps/v1\n"
	 "kind: StatefulSet\n"
	 "metadata:\n"
	 "  name: pg            # PGA103 metadata.name\n"
	 "spec:\n"
	 "  template:\n"
	 "    spec:\n"
	 "      containers: [{name: pg, image: postgres:16}]\n"},

	{R_PGA104,
	 "PGA104",
	 "postgres-ssl-disabled",
	 ACTION_WARN,
	 MANIFEST,
	 "PostgreSQL SSL disabled",
	 "Without TLS, passwords (with `md5`) and every row travel in plain "
	 "text over the pod network.",
	 {"a connection string (env value, `command`/`args` element, ConfigMap "
	  "value, Compose environment or command) with `sslmode=disable` or "
	  "`sslmode=allow` (also percent-encoded), or a JDBC URL with "
	  "`ssl=false` or `sslmode=disable`, read from the same parse as "
	  "PGA102's (a `password=` holding `@` hides nothing); "
	  "postgres_exporter's scheme-less `DATA_SOURCE_URI` "
	  "(`host:5432/db?sslmode=disable`) counts as one",
	  "a literal `PGSSLMODE` of `disable` or `allow` (case-insensitive) in "
	  "a container's env, a ConfigMap key or a Compose environment",
	  "a Postgres server container (or Compose service) whose "
	  "`command`/`args` (or Compose `entrypoint`) set ssl off: `-c "
	  "ssl=off`, `-c` `ssl=off` as two elements, `-cssl=off`, `--ssl=off`, "
	  "also inside one element (`sh -c \"docker-entrypoint.sh postgres -c "
	  "ssl=off\"`); `off`, `false`, `no` and `0` all mean off; the path "
	  "points at the element holding `ssl=off`",
	  "a Postgres cluster resource with `ssl: \"off\"` in its parameters "
	  "(CloudNativePG and Zalando `spec.postgresql.parameters`, "
	  "Crunchy/Percona `spec.patroni.dynamicConfiguration.postgresql."
	  "parameters` and `spec.config.parameters`), or any of the above in "
	  "the containers declared inside it",
	  NULL},
	 {"`sslmode=prefer`, `require`, `verify-ca`, `verify-full`; JDBC "
	  "`ssl=true`; `ssl=false` in a non-JDBC URI",
	  "`-c ssl=off` on a container that is not a Postgres server",
	  "`PGSSLMODE` from `valueFrom`", NULL},
	 "Use `sslmode=verify-full` (or at least `sslmode=require`); start the "
	 "server with SSL on.",
	 OPTOUT_MANIFEST("PGA104", "postgres-ssl-disabled"),
	 "        env:\n"
	 "          - name: DATABASE_URL\n"
	 "            value: postgresql://app@db/app?sslmode=disable   # "
	 "PGA104\n"
	 "        args: [\"-c\", \"ssl=off\"]                              # "
	 "PGA104 (Postgres image)\n"},

	{R_PGA105,
	 "PGA105",
	 "postgres-trust-auth",
	 ACTION_DENY,
	 MANIFEST,
	 "PostgreSQL trust authentication (no password)",
	 "With `trust`, anyone who reaches the port logs in without a "
	 "password, as any user, the superuser included.",
	 {"a Postgres server container (Kubernetes `containers`, or a Compose "
	  "service with a Postgres server image) with a literal env "
	  "`POSTGRES_HOST_AUTH_METHOD=trust` (the official image) or "
	  "`ALLOW_EMPTY_PASSWORD=yes` (Bitnami; case-insensitive values); "
	  "Compose `environment` in map or list form",
	  "the same names as keys of a ConfigMap the container loads with "
	  "`envFrom.configMapRef` (with its `prefix`): `check` looks for the "
	  "ConfigMap in the bundle (same namespace), `audit` in the "
	  "namespace, the webhook asks the Kubernetes API (cached; when it "
	  "cannot, the finding says so at `warn` at most, never `deny`); the "
	  "finding points at the `envFrom` entry",
	  "a `pg_hba.conf` line with method `trust` and a non-local address "
	  "in a ConfigMap value whose key ends in `hba.conf`, read by the "
	  "parser and address classification the probe uses for "
	  "`pg_hba_file_rules` (PGA252): any `host*` line whose address is "
	  "not loopback (`127.0.0.0/8`, `::1/128`, `localhost`, `samehost`); "
	  "`all`, `0.0.0.0/0`, `samenet`, host names and private ranges "
	  "fire; the path names the key and the message the line number",
	  "the same lines in a Postgres cluster resource's hba lists: "
	  "CloudNativePG `spec.postgresql.pg_hba`, Zalando "
	  "`spec.patroni.pg_hba`, Crunchy/Percona "
	  "`spec.patroni.dynamicConfiguration.postgresql.pg_hba` and "
	  "`spec.authentication.rules` (`hba` lines, and structured rules, "
	  "which the operator writes for all addresses)",
	  NULL},
	 {"`local` lines and loopback addresses with `trust`",
	  "`POSTGRES_HOST_AUTH_METHOD` of `scram-sha-256`, `md5`, …; "
	  "`ALLOW_EMPTY_PASSWORD=no`; values from `valueFrom` (not literal)",
	  "containers that are not a Postgres server (clients, exporters, "
	  "poolers), and init or ephemeral containers",
	  "`hba.conf` lines behind nothing: each line is judged alone (order "
	  "is the probe's business: PGA252 on the live server)",
	  NULL},
	 "Set a password (`POSTGRES_PASSWORD` from a Secret) and drop "
	 "`POSTGRES_HOST_AUTH_METHOD=trust`/`ALLOW_EMPTY_PASSWORD`; in "
	 "`pg_hba.conf` use `scram-sha-256` for every `host` line.",
	 OPTOUT_MANIFEST("PGA105", "postgres-trust-auth"),
	 "        env:\n"
	 "          - name: POSTGRES_HOST_AUTH_METHOD\n"
	 "            value: trust      # PGA105 "
	 "spec.template.spec.containers[0].env[0].value\n"
	 "# ConfigMap data, key pg_hba.conf:\n"
	 "#   host all all 0.0.0.0/0 trust           # PGA105\n"},

	{R_PGA106,
	 "PGA106",
	 "postgres-monitoring-missing",
	 ACTION_WARN,
	 MANIFEST,
	 "PostgreSQL workload without monitoring",
	 "A database nobody scrapes fails silently: no alert on a full disk, "
	 "a replication lag or connections at the limit.",
	 {"a Postgres workload (as for PGA103) for which no monitoring is "
	  "found; the finding points at `metadata.name`",
	  "monitoring is: a container of its own Pod spec running an "
	  "exporter image (last path component `postgres_exporter`, "
	  "`postgres-exporter`, `crunchy-postgres-exporter` or one listed in "
	  "`postgres.exporterImages`), or in the same namespace a Deployment "
	  "or StatefulSet running one, a `PodMonitor` "
	  "(`monitoring.coreos.com/v1`) whose `selector` matches the "
	  "workload's pod labels, a `ServiceMonitor` whose `selector` matches "
	  "a Service whose `spec.selector` selects those pod labels, or a GKE "
	  "`PodMonitoring` (`monitoring.googleapis.com`) whose `selector` "
	  "matches them",
	  "`check` judges the whole bundle (monitors may come in any file); "
	  "`audit` each namespace with its real objects; the webhook lists "
	  "the namespace from the Kubernetes API (cached): when it cannot, "
	  "the finding says monitoring could not be verified, at `warn` at "
	  "most",
	  "a Postgres cluster resource counts as monitored with "
	  "CloudNativePG `spec.monitoring.enablePodMonitor: true` or a "
	  "PodMonitor selecting `cnpg.io/cluster: <name>`, Crunchy "
	  "`spec.monitoring.pgmonitor.exporter`, Percona `spec.pmm.enabled: "
	  "true`, Zalando an exporter in `spec.sidecars` (or a monitor "
	  "matching the operator's pod labels)",
	  NULL},
	 {"a workload annotated `pgadmit.dev/monitoring: \"<reason>\"` with a "
	  "non-blank reason (monitored some other way)",
	  "an empty selector (`{}`) selects every pod of the namespace; a "
	  "Service without a selector selects nothing; monitors whose "
	  "`namespaceSelector` names other namespaces are not looked for "
	  "across namespaces by the webhook",
	  "Jobs, CronJobs and Pods with `ownerReferences` (not workloads)",
	  NULL},
	 "Add a postgres_exporter sidecar or Deployment, or a PodMonitor "
	 "selecting the database's pods; or annotate `pgadmit.dev/monitoring: "
	 "\"<reason>\"`.",
	 "When metrics come from elsewhere, annotate the workload "
	 "`pgadmit.dev/monitoring: \"<reason>\"`. Otherwise as every manifest "
	 "rule: `pgadmit.dev/ignore-postgres-monitoring-missing: "
	 "\"<reason>\"`, `rules: {PGA106: off}` or `PGADMIT_RULE_PGA106=off`, "
	 "`namespaces.skip`.",
	 "apiVersion: apps/v1\n"
	 "kind: StatefulSet\n"
	 "metadata:\n"
	 "  name: pg            # PGA106 metadata.name (no exporter, no "
	 "monitor)\n"
	 "spec:\n"
	 "  template:\n"
	 "    metadata: {labels: {app: pg}}\n"
	 "    spec:\n"
	 "      containers: [{name: pg, image: postgres:16}]\n"},

/* The probe rules, PGA201 ... PGA253. */
#include "rule_catalog_probe.def"
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

const struct rule_meta *catalog_find(const char *s)
{
	if (!s)
		return NULL;
	for (int i = 0; i < R_COUNT; i++)
		if (strcasecmp(rule_catalog[i].code, s) == 0 ||
		    strcasecmp(rule_catalog[i].slug, s) == 0)
			return &rule_catalog[i];
	return NULL;
}
