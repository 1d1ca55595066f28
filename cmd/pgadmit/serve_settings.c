/*
 * serve_settings.c — the settings of `pgadmit serve`, one row each: flag,
 * environment variable, type, range, default, help and the docs' default
 * column. cmd_serve.c parses with it (engine: src/config/settings.c),
 * --help prints it, and `pgadmit serve --help-table` renders the table in
 * docs/serve.md (checked by test_settings_docs.sh). Order matters: it is
 * the order of --help, of the docs and of validation.
 */
#include <stddef.h>

#include "serve_settings.h"

#define F(field) offsetof(struct serve_settings, field)

static const char *const log_levels[] = {"debug", "info", "warn", "error",
					 NULL};

const struct setting serve_settings_table[] = {
	{"listen", "ADDR:PORT", "PGADMIT_LISTEN", SET_STR, 0, "listen", 0, 0,
	 NULL, ":8443", F(srv.listen), "(default :8443; also [::1]:PORT)",
	 "`:8443` (all addresses, IPv6 and IPv4); `127.0.0.1:8443`, "
	 "`[::1]:8443`; port 0 picks a free port (logged)"},
	{"tls-cert", "FILE", "PGADMIT_TLS_CERT", SET_STR, 0, "tls-cert", 0, 0,
	 NULL, NULL, F(srv.tls_cert),
	 "(required, PEM chain, reloaded on change)", "required"},
	{"tls-key", "FILE", "PGADMIT_TLS_KEY", SET_STR, 0, "tls-key", 0, 0,
	 NULL, NULL, F(srv.tls_key), "(required, PEM key)", "required"},
	{"policy", "FILE", "PGADMIT_POLICY", SET_STR, 0, "policy", 0, 0, NULL,
	 NULL, F(srv.policy_path), "(reloaded on SIGHUP)",
	 "built-in defaults + environment"},
	{"metrics-listen", "ADDR:PORT", "PGADMIT_METRICS_LISTEN", SET_STR, 0,
	 "metrics-listen", 0, 0, NULL, NULL, F(srv.metrics_listen),
	 "(plain HTTP /metrics, /healthz, /readyz)", "off"},
	/* PGADMIT_MAX_BODY_BYTES is read by the policy (policy.h); the flag
	 * overrides both. */
	{"max-body-bytes", "N", "PGADMIT_MAX_BODY_BYTES", SET_LL,
	 SETF_ENV_ELSEWHERE, "--max-body-bytes", 1024, 64LL << 20, NULL, NULL,
	 F(srv.max_body_bytes),
	 "(default policy webhook.maxBodyBytes, 20 MiB)",
	 "20971520 (policy `webhook.maxBodyBytes`)"},
	{"idle-timeout", "SECONDS", "PGADMIT_IDLE_TIMEOUT", SET_UINT, 0,
	 "idle timeout", 1, 3600, NULL, "10", F(srv.idle_timeout_s),
	 "(per connection, default 10)", "10"},
	{"max-connections", "N", "PGADMIT_MAX_CONNECTIONS", SET_UINT, 0,
	 "max connections", 1, 100000, NULL, "1024", F(srv.max_connections),
	 "(default 1024)", "1024"},
	{"threads", "N", "PGADMIT_THREADS", SET_UINT, 0, "threads", 1, 256, NULL,
	 NULL, F(srv.threads), "(default: CPUs, or the cgroup CPU limit)",
	 "number of CPUs, or the cgroup v2 CPU quota (`cpu.max`) rounded up"},
	/* Unset = SRV_DEFAULT_BODY_BUDGET (server.h). */
	{"body-budget", "BYTES", "PGADMIT_BODY_BUDGET", SET_BYTES, 0,
	 "body budget", 1LL << 20, 64LL << 30, NULL, NULL,
	 F(srv.body_budget_bytes),
	 "(memory for request bodies of all\nrequests together; past it "
	 "requests wait; default\n48Mi; suffixes Ki, Mi, Gi)",
	 "`48Mi` (suffixes `Ki`, `Mi`, `Gi`)"},
	{NULL, NULL, "PGADMIT_SHUTDOWN_GRACE", SET_UINT, 0,
	 "PGADMIT_SHUTDOWN_GRACE", 0, 3600, NULL, "10", F(srv.shutdown_grace_s),
	 "seconds of SIGTERM drain (default 10)", "10 (seconds)"},
	{NULL, NULL, "PGADMIT_LOG_LEVEL", SET_ENUM, 0, "PGADMIT_LOG_LEVEL", 0, 0,
	 log_levels, NULL, F(log_level), "debug|info|warn|error (default info)",
	 "`info` (`debug`, `warn`, `error`)"},
	{NULL, NULL, "PGADMIT_KUBE_TIMEOUT_MS", SET_DOC, 0, NULL, 0, 0, NULL,
	 NULL, 0, "Kubernetes API timeout for PGA103 (default 2000)", "2000"},
	{NULL, NULL, "PGADMIT_CRONJOB_CACHE_TTL", SET_DOC, 0, NULL, 0, 0, NULL,
	 NULL, 0, "seconds a CronJob listing is kept (default 30)", "30"},
	{NULL, NULL, "PGADMIT_RULE_<ID>", SET_DOC, 0, NULL, 0, 0, NULL, NULL, 0,
	 "deny|warn|annotate|off", "see Policy"},
};

const size_t serve_settings_count =
	sizeof(serve_settings_table) / sizeof(serve_settings_table[0]);
