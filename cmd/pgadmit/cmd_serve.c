/* cmd_serve.c — pgadmit serve: flags and environment to struct srv_config,
 * then srv_run() (src/server). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "pgadmit/server.h"

void usage_serve(FILE *out)
{
	fprintf(out,
		"usage: pgadmit serve [--listen ADDR:PORT] [--tls-cert FILE] "
		"[--tls-key FILE]\n"
		"                     [--policy FILE] [--metrics-listen ADDR:PORT]\n"
		"                     [--max-body-bytes N] [--idle-timeout SECONDS]\n"
		"                     [--max-connections N] [--threads N]\n"
		"                     [--body-budget BYTES]\n"
		"\n"
		"Run the TLS admission webhook: POST /validate, POST /mutate,\n"
		"GET /healthz, /readyz, /metrics.\n"
		"\n"
		"  --listen ADDR:PORT      PGADMIT_LISTEN (default :8443; also "
		"[::1]:PORT)\n"
		"  --tls-cert FILE         PGADMIT_TLS_CERT (required, PEM chain, "
		"reloaded on change)\n"
		"  --tls-key FILE          PGADMIT_TLS_KEY (required, PEM key)\n"
		"  --policy FILE           PGADMIT_POLICY (reloaded on SIGHUP)\n"
		"  --metrics-listen A:P    PGADMIT_METRICS_LISTEN (plain HTTP "
		"/metrics, /healthz, /readyz)\n"
		"  --max-body-bytes N      PGADMIT_MAX_BODY_BYTES (default policy "
		"webhook.maxBodyBytes, 3 MiB)\n"
		"  --idle-timeout S        PGADMIT_IDLE_TIMEOUT (per connection, "
		"default 10)\n"
		"  --max-connections N     PGADMIT_MAX_CONNECTIONS (default 1024)\n"
		"  --threads N             PGADMIT_THREADS (default: CPUs, or the "
		"cgroup CPU limit)\n"
		"  --body-budget BYTES     PGADMIT_BODY_BUDGET (memory for request "
		"bodies of all\n"
		"                          requests together; past it requests "
		"wait; default\n"
		"                          48Mi; suffixes Ki, Mi, Gi)\n"
		"\n"
		"Other environment: PGADMIT_SHUTDOWN_GRACE (seconds, default 10),\n"
		"PGADMIT_LOG_LEVEL (debug|info|warn|error), PGADMIT_KUBE_TIMEOUT_MS,\n"
		"PGADMIT_CRONJOB_CACHE_TTL, PGADMIT_RULE_<ID>=deny|warn|annotate|off.\n");
}

static const char *envor(const char *v, const char *name)
{
	if (v)
		return v;
	const char *e = getenv(name);
	return e && *e ? e : NULL;
}

static int parse_num(const char *what, const char *s, long long lo,
		     long long hi, long long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "pgadmit serve: %s: expected a number between "
				"%lld and %lld, got '%s'\n",
			what, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A byte count with an optional Ki, Mi or Gi suffix (Kubernetes style). */
static int parse_bytes(const char *what, const char *s, long long lo,
		       long long hi, long long *out)
{
	static const char *const sfx[] = {"Ki", "Mi", "Gi"};
	size_t n = strlen(s);
	int shift = 0;
	char num[32];
	for (int i = 0; i < 3; i++)
		if (n > 2 && strcmp(s + n - 2, sfx[i]) == 0)
			shift = 10 * (i + 1);
	if (shift) {
		if (n - 2 >= sizeof(num)) {
			fprintf(stderr, "pgadmit serve: %s: '%s' is too long\n",
				what, s);
			return -1;
		}
		memcpy(num, s, n - 2);
		num[n - 2] = '\0';
		s = num;
	}
	long long v;
	if (parse_num(what, s, 1, hi >> shift, &v))
		return -1;
	v <<= shift;
	if (v < lo || v > hi) {
		fprintf(stderr, "pgadmit serve: %s: expected %lld to %lld "
				"bytes, got %lld\n",
			what, lo, hi, v);
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN = 1, O_CERT, O_KEY, O_POLICY, O_METRICS, O_BODY,
	       O_IDLE, O_CONNS, O_THREADS, O_BUDGET, O_HELP };
	static const struct option opts[] = {
		{"listen", required_argument, NULL, O_LISTEN},
		{"tls-cert", required_argument, NULL, O_CERT},
		{"tls-key", required_argument, NULL, O_KEY},
		{"policy", required_argument, NULL, O_POLICY},
		{"metrics-listen", required_argument, NULL, O_METRICS},
		{"max-body-bytes", required_argument, NULL, O_BODY},
		{"idle-timeout", required_argument, NULL, O_IDLE},
		{"max-connections", required_argument, NULL, O_CONNS},
		{"threads", required_argument, NULL, O_THREADS},
		{"body-budget", required_argument, NULL, O_BUDGET},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *listen = NULL, *cert = NULL, *key = NULL, *policy = NULL,
		   *metrics = NULL, *body = NULL, *idle = NULL, *conns = NULL,
		   *threads = NULL, *budget = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN: listen = optarg; break;
		case O_CERT: cert = optarg; break;
		case O_KEY: key = optarg; break;
		case O_POLICY: policy = optarg; break;
		case O_METRICS: metrics = optarg; break;
		case O_BODY: body = optarg; break;
		case O_IDLE: idle = optarg; break;
		case O_CONNS: conns = optarg; break;
		case O_THREADS: threads = optarg; break;
		case O_BUDGET: budget = optarg; break;
		case 'h':
		case O_HELP:
			usage_serve(stdout);
			return 0;
		default:
			fprintf(stderr, "pgadmit serve: unknown or incomplete "
					"option '%s'\n",
				argv[optind - 1]);
			usage_serve(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pgadmit serve: unexpected argument '%s'\n",
			argv[optind]);
		usage_serve(stderr);
		return EXIT_USAGE;
	}
	struct srv_config cfg = {0};
	cfg.listen = envor(listen, "PGADMIT_LISTEN");
	if (!cfg.listen)
		cfg.listen = ":8443";
	cfg.tls_cert = envor(cert, "PGADMIT_TLS_CERT");
	cfg.tls_key = envor(key, "PGADMIT_TLS_KEY");
	cfg.policy_path = envor(policy, "PGADMIT_POLICY");
	cfg.metrics_listen = envor(metrics, "PGADMIT_METRICS_LISTEN");
	long long v;
	cfg.idle_timeout_s = 10;
	cfg.max_connections = 1024;
	cfg.shutdown_grace_s = 10;
	/* PGADMIT_MAX_BODY_BYTES is read by the policy (policy.h); the flag
	 * overrides both. */
	if (body) {
		if (parse_num("--max-body-bytes", body, 1024, 64LL << 20, &v))
			return EXIT_USAGE;
		cfg.max_body_bytes = v;
	}
	if ((idle = envor(idle, "PGADMIT_IDLE_TIMEOUT"))) {
		if (parse_num("idle timeout", idle, 1, 3600, &v))
			return EXIT_USAGE;
		cfg.idle_timeout_s = (unsigned)v;
	}
	if ((conns = envor(conns, "PGADMIT_MAX_CONNECTIONS"))) {
		if (parse_num("max connections", conns, 1, 100000, &v))
			return EXIT_USAGE;
		cfg.max_connections = (unsigned)v;
	}
	if ((threads = envor(threads, "PGADMIT_THREADS"))) {
		if (parse_num("threads", threads, 1, 256, &v))
			return EXIT_USAGE;
		cfg.threads = (unsigned)v;
	}
	if ((budget = envor(budget, "PGADMIT_BODY_BUDGET"))) {
		if (parse_bytes("body budget", budget, 1LL << 20, 64LL << 30, &v))
			return EXIT_USAGE;
		cfg.body_budget_bytes = v;
	}
	const char *g = getenv("PGADMIT_SHUTDOWN_GRACE");
	if (g && *g) {
		if (parse_num("PGADMIT_SHUTDOWN_GRACE", g, 0, 3600, &v))
			return EXIT_USAGE;
		cfg.shutdown_grace_s = (unsigned)v;
	}
	const char *lvl = getenv("PGADMIT_LOG_LEVEL");
	if (lvl && *lvl) {
		static const char *const names[] = {"debug", "info", "warn",
						    "error"};
		int found = -1;
		for (int i = 0; i < 4; i++)
			if (strcmp(lvl, names[i]) == 0)
				found = i;
		if (found < 0) {
			fprintf(stderr, "pgadmit serve: PGADMIT_LOG_LEVEL: "
					"expected debug|info|warn|error\n");
			return EXIT_USAGE;
		}
		srv_log_set_level((enum srv_log_level)found);
	}
	struct err err;
	err_clear(&err);
	int rc = srv_run(&cfg, &err);
	if (rc == 2)
		fprintf(stderr, "pgadmit serve: %s\n", err.msg);
	else if (rc)
		fprintf(stderr, "pgadmit serve: %s\n", err.msg);
	return rc;
}
