/*
 * run.c — the workflow of `pgadmit certgen` (certgen_run, certgen.h):
 * files refused early, a reusable Secret kept or a new CA and certificate
 * generated and stored, the caBundle patched, the Secret tied to the
 * validating configuration. The API calls go through src/kube, which sets
 * err.kind (kube_status_kind: 403 DENIED, 409 CONFLICT, 5xx UNAVAILABLE...);
 * certgen's own failures set theirs (existing files CONFLICT, keys and
 * files IO). cmd_certgen maps the kind to the exit code.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pgadmit/certgen.h"
#include "pgadmit/kube.h"

/* A failed API call: err holds src/kube's message and kind. */
static int api_failed(struct err *err, const char *ns, const char *secret)
{
	if (ns)
		err_prefix(err, "Secret %s/%s: ", ns, secret);
	if (err && err->kind == ERR_NONE)
		err_kind_set(err, ERR_UNAVAILABLE);
	return -1;
}

/* Nothing is generated or sent to the API when the files would be refused
 * anyway. */
static int files_free(const struct certgen_opts *o, struct err *err)
{
	static const char *const names[] = {"ca.crt", "tls.crt", "tls.key"};
	if (!o->out_dir || o->force)
		return 0;
	for (size_t i = 0; i < 3; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", o->out_dir, names[i]);
		if (lstat(path, &st) == 0) {
			return err_setk(err, ERR_CONFLICT,
					"%s exists; not overwriting (use "
					"--force to replace)",
					path);
		}
	}
	return 0;
}

/* The Secret's certificate when it can stay (*have), else a new one,
 * stored in the Secret when there is one. */
static int obtain(const struct certgen_opts *o, struct kube_client *c,
		  struct certgen_pems *pems, FILE *out, struct err *err)
{
	enum kube_rc krc;
	if (o->secret && !o->force) {
		char why[200] = "";
		krc = certgen_kube_get_secret(c, o->ns, o->secret, pems, err);
		if (krc != KUBE_OK && krc != KUBE_NOT_FOUND)
			return api_failed(err, o->ns, o->secret);
		bool got = krc == KUBE_OK;
		if (got &&
		    certgen_reusable(pems, o->service, o->ns, o->renew_days,
				     why, sizeof(why)) &&
		    certgen_has_sans(pems, o->sans, why, sizeof(why))) {
			fprintf(out,
				"certgen: keeping Secret %s/%s (valid for "
				"%s.%s.svc)\n",
				o->ns, o->secret, o->service, o->ns);
			return 0;
		}
		if (got)
			fprintf(out, "certgen: replacing Secret %s/%s: %s\n",
				o->ns, o->secret, why);
		certgen_pems_free(pems);
	}
	if (certgen_generate_sans(o->service, o->ns, o->days, o->sans, pems,
				  err))
		return err_kind_set(err, ERR_IO);
	fprintf(out,
		"certgen: generated CA and certificate for %s.%s.svc "
		"(ECDSA P-256, %d days)\n",
		o->service, o->ns, o->days);
	for (int i = 0; o->sans && i < o->sans->n; i++)
		fprintf(out, "certgen: extra SAN %s\n", o->sans->san[i]);
	if (!o->secret)
		return 0;
	krc = certgen_kube_put_secret(c, o->ns, o->secret, pems, err);
	if (krc != KUBE_OK)
		return api_failed(err, o->ns, o->secret);
	fprintf(out, "certgen: wrote Secret %s/%s\n", o->ns, o->secret);
	return 0;
}

/* caBundle of each configuration, then the Secret's owner. */
static int patch(const struct certgen_opts *o, struct kube_client *c,
		 const struct certgen_pems *pems, FILE *out, struct err *err)
{
	/* Keep the CAs already trusted while the certificate is new: the
	 * webhook pods may still serve the previous one. */
	long age = certgen_leaf_age(pems);
	bool keep_previous = o->overlap_minutes > 0 && age >= 0 &&
			     age < (long)o->overlap_minutes * 60;
	if (o->nwebhooks && keep_previous)
		fprintf(out,
			"certgen: caBundle keeps the CAs it trusts until the "
			"certificate is %d minutes old\n",
			o->overlap_minutes);
	for (int i = 0; i < o->nwebhooks; i++) {
		int n = 0;
		enum kube_rc krc =
			certgen_kube_patch_webhooks(c, o->webhooks[i],
						    pems->ca_crt, keep_previous,
						    &n, err);
		if (krc != KUBE_OK)
			return api_failed(err, NULL, NULL);
		if (n == 0)
			fprintf(out,
				"certgen: no webhook configuration named %s "
				"(not created yet); skipped\n",
				o->webhooks[i]);
		else
			fprintf(out, "certgen: patched caBundle of %s\n",
				o->webhooks[i]);
	}
	/* Tie the Secret to the validating configuration Helm tracks, so
	 * that uninstalling deletes it too (the first name that exists). */
	for (int i = 0; o->secret && i < o->nwebhooks; i++) {
		bool owned = false;
		enum kube_rc krc = certgen_kube_own_secret(c, o->ns, o->secret,
							   o->webhooks[i],
							   &owned, err);
		if (krc != KUBE_OK)
			return api_failed(err, o->ns, o->secret);
		if (owned) {
			fprintf(out,
				"certgen: Secret %s/%s is owned by "
				"ValidatingWebhookConfiguration %s (deleted "
				"with it)\n",
				o->ns, o->secret, o->webhooks[i]);
			break;
		}
	}
	return 0;
}

int certgen_run(const struct certgen_opts *o, FILE *out, struct err *err)
{
	struct certgen_pems pems = {0};
	struct kube_client *c = NULL;
	int rc = files_free(o, err);
	bool need_api = o->secret || o->nwebhooks;
	if (rc)
		return rc;
	if (need_api) {
		if (kube_global_init())
			return err_setk(err, ERR_NOMEM, "libcurl init failed");
		if (!(c = kube_client_from_env(err))) {
			/* certgen's message since 0.1 says why. */
			if (strcmp(err->msg, "not running in a cluster") == 0)
				err_setk(err, ERR_UNAVAILABLE,
					 "not running in a cluster: "
					 "KUBERNETES_SERVICE_HOST is not "
					 "set");
			err_prefix(err, "Kubernetes API: ");
			if (err->kind != ERR_NOMEM)
				err_kind_set(err, ERR_UNAVAILABLE);
			rc = -1;
			goto out;
		}
	}
	if ((rc = obtain(o, c, &pems, out, err)) != 0)
		goto out;
	if (o->out_dir) {
		if (certgen_write_files(o->out_dir, &pems, o->force, err)) {
			rc = err_kind_set(err, ERR_IO);
			goto out;
		}
		fprintf(out,
			"certgen: wrote %s/ca.crt, %s/tls.crt, %s/tls.key\n",
			o->out_dir, o->out_dir, o->out_dir);
	}
	rc = patch(o, c, &pems, out, err);
out:
	certgen_pems_free(&pems);
	kube_client_free(c);
	if (need_api)
		kube_global_cleanup();
	return rc;
}
