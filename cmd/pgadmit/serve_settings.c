/*
 * serve_settings.c — the settings of `pgadmit serve`, one row each: flag,
 * environment variable, type, range, default, help and the docs' default
 * column. cmd_serve.c parses with it (engine: src/config/settings.c),
 * --help prints it, and `pgadmit serve --help-table` renders the table in
 * docs/serve.md (checked by test_settings_docs.sh). Order matters: it is
 * the order of --help, of the docs and of validation.
 */
#include <stddef.h>

#include "cmd_settings.h"

#define F(field) offsetof(struct serve_settings, field)

static const char *const log_levels[] = {"debug", "info", "warn", "error",
					 NULL};

const struct setting serve_settings_table[] = {
	{.flag = "listen", .metavar = "ADDR:PORT", .env = "PGADMIT_LISTEN",
	 .type = SET_STR, .label = "listen", .def = ":8443",
	 .off = F(srv.listen), .help = "(default :8443; also [::1]:PORT)",
	 .doc_default = "`:8443` (all addresses, IPv6 and IPv4); "
			"`127.0.0.1:8443`, `[::1]:8443`; port 0 picks a free "
			"port (logged)"},
	{.flag = "tls-cert", .metavar = "FILE", .env = "PGADMIT_TLS_CERT",
	 .type = SET_STR, .label = "tls-cert", .off = F(srv.tls_cert),
	 .help = "(required, PEM chain, reloaded on change)",
	 .doc_default = "required"},
	{.flag = "tls-key", .metavar = "FILE", .env = "PGADMIT_TLS_KEY",
	 .type = SET_STR, .label = "tls-key", .off = F(srv.tls_key),
	 .help = "(required, PEM key)", .doc_default = "required"},
	{.flag = "policy", .metavar = "FILE", .env = "PGADMIT_POLICY",
	 .type = SET_STR, .label = "policy", .off = F(srv.policy_path),
	 .help = "(reloaded on SIGHUP)",
	 .doc_default = "built-in defaults + environment"},
	{.flag = "metrics-listen", .metavar = "ADDR:PORT",
	 .env = "PGADMIT_METRICS_LISTEN", .type = SET_STR,
	 .label = "metrics-listen", .off = F(srv.metrics_listen),
	 .help = "(plain HTTP /metrics, /healthz, /readyz)",
	 .doc_default = "off"},
	/* PGADMIT_MAX_BODY_BYTES is read by the policy (policy.h); the flag
	 * overrides both. */
	{.flag = "max-body-bytes", .metavar = "N",
	 .env = "PGADMIT_MAX_BODY_BYTES", .type = SET_LL,
	 .flags = SETF_ENV_ELSEWHERE, .label = "--max-body-bytes", .lo = 1024,
	 .hi = 64LL << 20, .off = F(srv.max_body_bytes),
	 .help = "(default policy webhook.maxBodyBytes, 20 MiB)",
	 .doc_default = "20971520 (policy `webhook.maxBodyBytes`)"},
	{.flag = "idle-timeout", .metavar = "SECONDS",
	 .env = "PGADMIT_IDLE_TIMEOUT", .type = SET_UINT,
	 .label = "idle timeout", .lo = 1, .hi = 3600, .def = "10",
	 .off = F(srv.idle_timeout_s), .help = "(per connection, default 10)",
	 .doc_default = "10"},
	{.flag = "max-connections", .metavar = "N",
	 .env = "PGADMIT_MAX_CONNECTIONS", .type = SET_UINT,
	 .label = "max connections", .lo = 1, .hi = 100000, .def = "1024",
	 .off = F(srv.max_connections), .help = "(default 1024)",
	 .doc_default = "1024"},
	{.flag = "threads", .metavar = "N", .env = "PGADMIT_THREADS",
	 .type = SET_UINT, .label = "threads", .lo = 1, .hi = 256,
	 .off = F(srv.threads),
	 .help = "(default: CPUs, or the cgroup CPU limit)",
	 .doc_default = "number of CPUs, or the cgroup v2 CPU quota "
			"(`cpu.max`) rounded up"},
	/* Unset = SRV_DEFAULT_BODY_BUDGET (server.h). */
	{.flag = "body-budget", .metavar = "BYTES",
	 .env = "PGADMIT_BODY_BUDGET", .type = SET_BYTES,
	 .label = "body budget", .lo = 1LL << 20, .hi = 64LL << 30,
	 .off = F(srv.body_budget_bytes),
	 .help = "(memory for request bodies of all\nrequests together; past "
		 "it requests wait; default\n48Mi; suffixes Ki, Mi, Gi)",
	 .doc_default = "`48Mi` (suffixes `Ki`, `Mi`, `Gi`)"},
	{.env = "PGADMIT_SHUTDOWN_GRACE", .type = SET_UINT,
	 .label = "PGADMIT_SHUTDOWN_GRACE", .lo = 0, .hi = 3600, .def = "10",
	 .off = F(srv.shutdown_grace_s),
	 .help = "seconds of SIGTERM drain (default 10)",
	 .doc_default = "10 (seconds)"},
	{.env = "PGADMIT_LOG_LEVEL", .type = SET_ENUM,
	 .label = "PGADMIT_LOG_LEVEL", .choices = log_levels,
	 .off = F(log_level), .help = "debug|info|warn|error (default info)",
	 .doc_default = "`info` (`debug`, `warn`, `error`)"},
	{.env = "PGADMIT_KUBE_TIMEOUT_MS", .type = SET_DOC,
	 .help = "Kubernetes API timeout for PGA103 (default 2000)",
	 .doc_default = "2000"},
	{.env = "PGADMIT_CRONJOB_CACHE_TTL", .type = SET_DOC,
	 .help = "seconds a CronJob listing is kept (default 30)",
	 .doc_default = "30"},
	{.env = "PGADMIT_RULE_<ID>", .type = SET_DOC,
	 .help = "deny|warn|annotate|off", .doc_default = "see Policy"},
};

const size_t serve_settings_count =
	sizeof(serve_settings_table) / sizeof(serve_settings_table[0]);
