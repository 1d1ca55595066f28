/* cmd_certgen.c — `pgadmit certgen`: webhook CA and serving certificate,
 * written to files and/or a Secret, and the caBundle of the webhook
 * configurations patched (certgen.h). */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
							   "names%s", "");
				o->webhooks[o->nwebhooks++] = strchr(a, '=') + 1;
				any = true;
			}
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
				if (o->nwebhooks >= MAX_WEBHOOKS)
					return usage_error("too many webhook "
							   "names%s", "");
				o->webhooks[o->nwebhooks++] = argv[++i];
				any = true;
			}
			if (!any)
				return usage_error("--patch-webhooks needs at "
						   "least one NAME%s", "");
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
						   "number of days%s", "");
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
	struct certgen_pems pems = {0};
	struct certgen_kube *k = NULL;
	struct err err = {""};
	int rc = parse(argc, argv, &o);
	if (rc >= 0) {
		certgen_sans_free(&o.sans);
		return rc;
	}
	rc = 1;
	/* Refuse early: nothing is generated or sent to the API when the
	 * files would be refused anyway. */
	if (o.out_dir && !o.force) {
		static const char *const names[] = {"ca.crt", "tls.crt",
						    "tls.key"};
		for (size_t i = 0; i < 3; i++) {
			char path[4096];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", o.out_dir,
				 names[i]);
			if (lstat(path, &st) == 0) {
				fprintf(stderr,
					"pgadmit certgen: %s exists; not "
					"overwriting (use --force to "
					"replace)\n",
					path);
				certgen_sans_free(&o.sans);
				return 1;
			}
		}
	}
	bool need_api = o.secret || o.nwebhooks;
	if (need_api) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fprintf(stderr, "pgadmit certgen: libcurl init failed\n");
			certgen_sans_free(&o.sans);
			return 1;
		}
		if (!(k = certgen_kube_from_env(&err))) {
			fprintf(stderr, "pgadmit certgen: Kubernetes API: %s\n",
				err.msg);
			goto out;
		}
	}

	bool have = false;
	if (o.secret && !o.force) {
		char why[200] = "";
		int got = certgen_kube_get_secret(k, o.ns, o.secret, &pems, &err);
		if (got < 0) {
			fprintf(stderr, "pgadmit certgen: Secret %s/%s: %s\n",
				o.ns, o.secret, err.msg);
			goto out;
		}
		if (got == 1 &&
		    certgen_reusable(&pems, o.service, o.ns, o.renew_days, why,
				     sizeof(why)) &&
		    certgen_has_sans(&pems, &o.sans, why, sizeof(why))) {
			printf("certgen: keeping Secret %s/%s (valid for "
			       "%s.%s.svc)\n",
			       o.ns, o.secret, o.service, o.ns);
			have = true;
		} else {
			if (got == 1)
				printf("certgen: replacing Secret %s/%s: %s\n",
				       o.ns, o.secret, why);
			certgen_pems_free(&pems);
		}
	}
	if (!have) {
		if (certgen_generate_sans(o.service, o.ns, o.days, &o.sans,
					  &pems, &err)) {
			fprintf(stderr, "pgadmit certgen: %s\n", err.msg);
			goto out;
		}
		printf("certgen: generated CA and certificate for %s.%s.svc "
		       "(ECDSA P-256, %d days)\n",
		       o.service, o.ns, o.days);
		for (int i = 0; i < o.sans.n; i++)
			printf("certgen: extra SAN %s\n", o.sans.san[i]);
		if (o.secret) {
			if (certgen_kube_put_secret(k, o.ns, o.secret, &pems,
						    &err)) {
				fprintf(stderr,
					"pgadmit certgen: Secret %s/%s: %s\n",
					o.ns, o.secret, err.msg);
				goto out;
			}
			printf("certgen: wrote Secret %s/%s\n", o.ns, o.secret);
		}
	}
	if (o.out_dir) {
		if (certgen_write_files(o.out_dir, &pems, o.force, &err)) {
			fprintf(stderr, "pgadmit certgen: %s\n", err.msg);
			goto out;
		}
		printf("certgen: wrote %s/ca.crt, %s/tls.crt, %s/tls.key\n",
		       o.out_dir, o.out_dir, o.out_dir);
	}
	/* Keep the CAs already trusted while the certificate is new: the
	 * webhook pods may still serve the previous one. */
	long age = certgen_leaf_age(&pems);
	bool keep_previous = o.overlap_minutes > 0 && age >= 0 &&
			     age < (long)o.overlap_minutes * 60;
	if (o.nwebhooks && keep_previous)
		printf("certgen: caBundle keeps the CAs it trusts until the "
		       "certificate is %d minutes old\n",
		       o.overlap_minutes);
	for (int i = 0; i < o.nwebhooks; i++) {
		int n = certgen_kube_patch_webhooks(k, o.webhooks[i],
						    pems.ca_crt, keep_previous,
						    &err);
		if (n < 0) {
			fprintf(stderr, "pgadmit certgen: %s\n", err.msg);
			goto out;
		}
		if (n == 0)
			printf("certgen: no webhook configuration named %s "
			       "(not created yet); skipped\n",
			       o.webhooks[i]);
		else
			printf("certgen: patched caBundle of %s\n",
			       o.webhooks[i]);
	}
	/* Tie the Secret to the validating configuration Helm tracks, so
	 * that uninstalling deletes it too (the first name that exists). */
	for (int i = 0; o.secret && i < o.nwebhooks; i++) {
		int n = certgen_kube_own_secret(k, o.ns, o.secret,
						o.webhooks[i], &err);
		if (n < 0) {
			fprintf(stderr, "pgadmit certgen: Secret %s/%s: %s\n",
				o.ns, o.secret, err.msg);
			goto out;
		}
		if (n > 0) {
			printf("certgen: Secret %s/%s is owned by "
			       "ValidatingWebhookConfiguration %s (deleted "
			       "with it)\n",
			       o.ns, o.secret, o.webhooks[i]);
			break;
		}
	}
	rc = 0;
out:
	certgen_sans_free(&o.sans);
	certgen_pems_free(&pems);
	certgen_kube_free(k);
	if (need_api)
		curl_global_cleanup();
	return rc;
}
