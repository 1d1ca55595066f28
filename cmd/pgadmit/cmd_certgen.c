/* cmd_certgen.c — `pgadmit certgen`: parses and validates the arguments,
 * then calls certgen_run (src/certgen/run.c: CA and serving certificate,
 * files and/or a Secret, caBundle patched) and maps its error kind to the
 * exit code (0 ok, 1 failure, 2 usage). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "pgadmit/certgen.h"

#define MAX_WEBHOOKS 16
/* Longer than a kubelet's Secret volume sync (about a minute by default). */
#define CA_OVERLAP_MINUTES_DEFAULT 15

void usage_certgen(FILE *out)
{
	fprintf(out,
		"usage: pgadmit certgen --service NAME --namespace NS "
		"[--out-dir DIR] [--secret NAME]\n"
		"                       [--days N] [--renew-days N] [--force]\n"
		"                       [--ip ADDR]... [--dns NAME]...\n"
		"                       [--patch-webhooks NAME...] "
		"[--ca-overlap-minutes N]\n"
		"\n"
		"Generate a CA and a serving certificate (ECDSA P-256) for the "
		"Service\n"
		"NAME.NS.svc (SANs NAME, NAME.NS, NAME.NS.svc, "
		"NAME.NS.svc.cluster.local).\n"
		"\n"
		"  --service NAME        the webhook Service's name\n"
		"  --namespace NS        its namespace\n"
		"  --out-dir DIR         write ca.crt, tls.crt, tls.key (0600) into "
		"DIR\n"
		"  --secret NAME         create or update the kubernetes.io/tls "
		"Secret NAME in NS\n"
		"                        (keeps a valid existing one: see "
		"--renew-days)\n"
		"  --ip ADDR             add the SAN IP:ADDR (repeatable), e.g. "
		"127.0.0.1 for a\n"
		"                        webhook reached by URL (chart value "
		"webhook.url)\n"
		"  --dns NAME            add the SAN DNS:NAME (repeatable)\n"
		"  --days N              validity in days (default %d)\n"
		"  --renew-days N        with --secret: replace an existing "
		"certificate that\n"
		"                        expires within N days (default %d)\n"
		"  --force               overwrite existing files; with --secret, "
		"always rotate\n"
		"  --patch-webhooks NAME...\n"
		"                        set clientConfig.caBundle of every "
		"webhook of the\n"
		"                        Validating/MutatingWebhookConfiguration "
		"NAME (in-cluster\n"
		"                        service account; a name that does not "
		"exist yet is skipped)\n"
		"  --ca-overlap-minutes N\n"
		"                        the CAs a configuration already trusts "
		"stay in its\n"
		"                        caBundle (while unexpired) until the "
		"certificate is N\n"
		"                        minutes old, so pods still serving the "
		"previous one\n"
		"                        are trusted meanwhile (default %d; 0: "
		"new CA only)\n"
		"\n"
		"At least one of --out-dir and --secret is needed. Exit 0 ok, 1 "
		"failure, 2 usage.\n",
		CERTGEN_DAYS_DEFAULT, CERTGEN_RENEW_DAYS_DEFAULT,
		CA_OVERLAP_MINUTES_DEFAULT);
}

static int usage_error(const char *fmt, const char *arg)
{
	return cmd_usage_error("certgen", usage_certgen, fmt, arg);
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

struct opts {
	const char *service, *ns, *out_dir, *secret;
	int days, renew_days, overlap_minutes;
	bool force;
	const char *webhooks[MAX_WEBHOOKS];
	int nwebhooks;
	struct certgen_sans sans; /* --ip/--dns, owned */
};

/* Option value: "--opt=value" or the next argument. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		const char *v;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage_certgen(stdout);
			return 0;
		}
		if (strcmp(a, "--force") == 0) {
			o->force = true;
			continue;
		}
		if (is_opt(a, "--patch-webhooks")) {
			bool any = false;
			if (strchr(a, '=')) {
				if (o->nwebhooks >= MAX_WEBHOOKS)
					return usage_error("too many webhook "
							   "names%s",
							   "");
				o->webhooks[o->nwebhooks++] =
					strchr(a, '=') + 1;
				any = true;
			}
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
				if (o->nwebhooks >= MAX_WEBHOOKS)
					return usage_error("too many webhook "
							   "names%s",
							   "");
				o->webhooks[o->nwebhooks++] = argv[++i];
				any = true;
			}
			if (!any)
				return usage_error("--patch-webhooks needs at "
						   "least one NAME%s",
						   "");
			continue;
		}
		if (is_opt(a, "--service"))
			dst = &o->service;
		else if (is_opt(a, "--namespace"))
			dst = &o->ns;
		else if (is_opt(a, "--out-dir"))
			dst = &o->out_dir;
		else if (is_opt(a, "--secret"))
			dst = &o->secret;
		if (dst) {
			char name[32];
			snprintf(name, sizeof(name), "%.*s",
				 (int)strcspn(a, "="), a);
			if (!(v = opt_value(argc, argv, &i, name)) || !*v)
				return usage_error("%s needs a value", name);
			*dst = v;
			continue;
		}
		if (is_opt(a, "--ip") || is_opt(a, "--dns")) {
			bool ip = is_opt(a, "--ip");
			const char *name = ip ? "--ip" : "--dns";
			struct err e;
			if (!(v = opt_value(argc, argv, &i, name)) || !*v)
				return usage_error("%s needs a value", name);
			if (certgen_sans_add(&o->sans, ip ? "IP" : "DNS", v,
					     &e))
				return ip ? usage_error("--ip %s", e.msg)
					  : usage_error("--dns %s", e.msg);
			continue;
		}
		if (is_opt(a, "--days")) {
			if (!(v = opt_value(argc, argv, &i, "--days")) ||
			    !parse_int(v, 1, CERTGEN_DAYS_MAX, &o->days))
				return usage_error("--days: expected a number "
						   "of days from 1 to 36500%s",
						   "");
			continue;
		}
		if (is_opt(a, "--ca-overlap-minutes")) {
			if (!(v = opt_value(argc, argv, &i,
					    "--ca-overlap-minutes")) ||
			    !parse_int(v, 0, 525600, &o->overlap_minutes))
				return usage_error("--ca-overlap-minutes: "
						   "expected minutes from 0 to "
						   "525600%s",
						   "");
			continue;
		}
		if (is_opt(a, "--renew-days")) {
			if (!(v = opt_value(argc, argv, &i, "--renew-days")) ||
			    !parse_int(v, 0, CERTGEN_DAYS_MAX, &o->renew_days))
				return usage_error("--renew-days: expected a "
						   "number of days%s",
						   "");
			continue;
		}
		return usage_error("unknown argument '%s'", a);
	}
	if (!o->service)
		return usage_error("--service is required%s", "");
	if (!o->ns)
		return usage_error("--namespace is required%s", "");
	if (!o->out_dir && !o->secret)
		return usage_error("--out-dir or --secret is required%s", "");
	if (!certgen_valid_label(o->service))
		return usage_error("--service '%s': expected a DNS label "
				   "(a-z, 0-9, '-', at most 63 characters)",
				   o->service);
	if (!certgen_valid_label(o->ns))
		return usage_error("--namespace '%s': expected a DNS label "
				   "(a-z, 0-9, '-', at most 63 characters)",
				   o->ns);
	if (o->secret && strlen(o->secret) > 253)
		return usage_error("--secret '%s': name too long", o->secret);
	for (int i = 0; i < o->nwebhooks; i++)
		if (!*o->webhooks[i] || strlen(o->webhooks[i]) > 253 ||
		    strpbrk(o->webhooks[i], "/?#% "))
			return usage_error("--patch-webhooks: invalid name "
					   "'%s'",
					   o->webhooks[i]);
	if (o->secret && o->renew_days >= o->days)
		return usage_error("--renew-days must be less than --days%s",
				   "");
	return -1; /* go on */
}

int cmd_certgen(int argc, char **argv)
{
	struct opts o = {.days = CERTGEN_DAYS_DEFAULT,
			 .renew_days = CERTGEN_RENEW_DAYS_DEFAULT,
			 .overlap_minutes = CA_OVERLAP_MINUTES_DEFAULT};
	struct err err = {0};
	int rc = parse(argc, argv, &o);
	if (rc < 0) {
		struct certgen_opts co = {.service = o.service,
					  .ns = o.ns,
					  .out_dir = o.out_dir,
					  .secret = o.secret,
					  .days = o.days,
					  .renew_days = o.renew_days,
					  .overlap_minutes = o.overlap_minutes,
					  .force = o.force,
					  .webhooks = o.webhooks,
					  .nwebhooks = o.nwebhooks,
					  .sans = &o.sans};
		if (certgen_run(&co, stdout, &err)) {
			fprintf(stderr, "pgadmit certgen: %s\n", err.msg);
			rc = EXIT_FAILURE_RUNTIME; /* every kind: 2 is usage */
		} else {
			rc = 0;
		}
	}
	certgen_sans_free(&o.sans);
	return rc;
}
