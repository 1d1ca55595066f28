/*
 * certgen.h — self-managed webhook certificates for clusters without
 * cert-manager (`pgadmit certgen`).
 *
 * certgen_generate() makes, with OpenSSL 3 EVP APIs, a self-signed CA
 * (ECDSA P-256, basicConstraints CA:TRUE, keyCertSign) and a serving
 * certificate signed by it (ECDSA P-256, serverAuth, SANs NAME, NAME.NS,
 * NAME.NS.svc, NAME.NS.svc.cluster.local, plus extra SANs such as
 * IP:127.0.0.1 for a webhook the API server reaches by URL, the chart's
 * webhook.url mode). The CA key is never written
 * anywhere: it lives only in memory and is freed once the leaf is signed, so
 * nothing can mint more certificates later.
 *
 * certgen_write_files() writes ca.crt, tls.crt and tls.key into a directory;
 * the key is created 0600 with O_EXCL, so it is never readable by others,
 * not even for an instant. Existing files are refused unless force is set.
 *
 * certgen_kube_*: the calls certgen makes, on the one Kubernetes client of
 * src/kube (kube.h: in-cluster configuration, token re-read, typed errors):
 * set the caBundle of webhook configurations (JSON Patch after a GET), and
 * create or update the kubernetes.io/tls Secret the webhook mounts.
 *
 * certgen_run: the workflow of `pgadmit certgen`; a failure's kind is in
 * err.kind (err.h).
 *
 * Caller: cmd/pgadmit/cmd_certgen.c (parses, calls certgen_run, maps the
 * kind to an exit code).
 */
#ifndef PGADMIT_CERTGEN_H
#define PGADMIT_CERTGEN_H

#include <stdbool.h>
#include <stdio.h>

#include "pgadmit/err.h"
#include "pgadmit/kube.h"

#define CERTGEN_DAYS_DEFAULT 365
#define CERTGEN_DAYS_MAX 36500
#define CERTGEN_RENEW_DAYS_DEFAULT 30

/* PEM texts, NUL-terminated. Owned: free with certgen_pems_free(). */
struct certgen_pems {
	char *ca_crt;
	char *tls_crt;
	char *tls_key;
};

void certgen_pems_free(struct certgen_pems *p);

/* Is name a DNS-1123 label (what Services and namespaces are named)? */
bool certgen_valid_label(const char *name);

/* Generate a CA and a serving certificate for service.ns valid for days.
 * 0, or -1 with err. */
PGADMIT_MUST_CHECK
int certgen_generate(const char *service, const char *ns, int days,
		     struct certgen_pems *out, struct err *err);

#define CERTGEN_EXTRA_SANS_MAX 16

/* Extra subjectAltNames, each "IP:<address>" or "DNS:<name>" (owned). */
struct certgen_sans {
	char *san[CERTGEN_EXTRA_SANS_MAX];
	int n;
};

/* Add kind "IP" with a literal IPv4/IPv6 address (normalized, e.g.
 * 127.0.0.1, ::1) or kind "DNS" with a lower-case DNS-1123 subdomain to s.
 * 0, or -1 with err (invalid value, too many). Free with
 * certgen_sans_free(). */
PGADMIT_MUST_CHECK
int certgen_sans_add(struct certgen_sans *s, const char *kind,
		     const char *value, struct err *err);
void certgen_sans_free(struct certgen_sans *s);

/* certgen_generate() with extra SANs (NULL or empty: none). */
PGADMIT_MUST_CHECK
int certgen_generate_sans(const char *service, const char *ns, int days,
			  const struct certgen_sans *extra,
			  struct certgen_pems *out, struct err *err);

/* Does the serving certificate in p carry every SAN of extra? why gets the
 * first missing one when it does not. */
bool certgen_has_sans(const struct certgen_pems *p,
		      const struct certgen_sans *extra, char *why,
		      size_t whylen);

/* Write dir/ca.crt (0644), dir/tls.crt (0644), dir/tls.key (0600). Creates
 * dir (0755) when missing. Without force, fails when any of the three files
 * exists, before writing anything. With force, replaces them atomically
 * (temporary file + rename). 0, or -1 with err. */
PGADMIT_MUST_CHECK
int certgen_write_files(const char *dir, const struct certgen_pems *p,
			bool force, struct err *err);

/* Does pems hold a serving certificate for service.ns, signed by its CA,
 * matching its key, valid for more than renew_days more days? Used to
 * keep an existing Secret across hook runs instead of rotating the CA on
 * every helm upgrade. why gets the reason when it does not. */
bool certgen_reusable(const struct certgen_pems *p, const char *service,
		      const char *ns, int renew_days, char *why, size_t whylen);

struct kube_client;

/* The API calls (kubeapi.c) go through src/kube (kube_request_ct): the
 * client is kube_client_from_env(). Each returns src/kube's error kind
 * (enum kube_rc, kube.h); on an HTTP error err says the step and the API's
 * own message ("reading Secret: HTTP 403: ..."). */

/* Read Secret ns/name into out (data ca.crt, tls.crt, tls.key). KUBE_OK
 * found and complete, KUBE_NOT_FOUND absent or incomplete, else an error
 * kind with err. */
PGADMIT_MUST_CHECK
enum kube_rc certgen_kube_get_secret(struct kube_client *c, const char *ns,
				     const char *name, struct certgen_pems *out,
				     struct err *err);

/* Create Secret ns/name (type kubernetes.io/tls with ca.crt), or replace
 * its data when it exists (409 on create: merge PATCH). */
PGADMIT_MUST_CHECK
enum kube_rc certgen_kube_put_secret(struct kube_client *c, const char *ns,
				     const char *name,
				     const struct certgen_pems *p,
				     struct err *err);

/* Set clientConfig.caBundle of every webhook of the configuration called
 * name, trying ValidatingWebhookConfiguration then
 * MutatingWebhookConfiguration (both when both exist). A kind that may not
 * be read (403: RBAC scoped by resourceNames to the other kind, as the
 * chart's certgen ClusterRole is) is skipped when the other kind was
 * patched. With keep_previous, the CAs each configuration already trusts
 * stay in its caBundle while unexpired (certgen_bundle_merge), so webhook
 * pods still serving the previous certificate are trusted until they load
 * the new one. *patched gets the number of configurations patched (0: none
 * of that name exists). KUBE_FORBIDDEN when nothing could be read for a
 * 403; a 403 on the PATCH itself is KUBE_HTTP (never skipped). */
PGADMIT_MUST_CHECK
enum kube_rc certgen_kube_patch_webhooks(struct kube_client *c,
					 const char *name, const char *ca_pem,
					 bool keep_previous, int *patched,
					 struct err *err);

/* Make Secret ns/secret a dependent of the ValidatingWebhookConfiguration
 * vwc (metadata.ownerReferences, merge patch), so that the garbage collector
 * deletes the Secret when `helm uninstall` deletes the configuration.
 * *owned: done (false when vwc does not exist yet). */
PGADMIT_MUST_CHECK
enum kube_rc certgen_kube_own_secret(struct kube_client *c, const char *ns,
				     const char *secret, const char *vwc,
				     bool *owned, struct err *err);

/* The caBundle across a CA change (bundle.c): current (PEM) followed by
 * every certificate of previous that is an unexpired CA not already in
 * current. Garbage in previous is ignored. Owned; NULL when out of memory. */
PGADMIT_MUST_CHECK
char *certgen_bundle_merge(const char *current, const char *previous);

/* Seconds since the serving certificate in p was issued, or -1 when it
 * cannot be read. */
long certgen_leaf_age(const struct certgen_pems *p);

/* What `pgadmit certgen` was asked (cmd_certgen.c parses, validates). */
struct certgen_opts {
	const char *service, *ns, *out_dir, *secret; /* out_dir/secret: opt. */
	int days, renew_days, overlap_minutes;
	bool force;
	const char *const *webhooks; /* --patch-webhooks names */
	int nwebhooks;
	const struct certgen_sans *sans; /* --ip/--dns */
};

/* The whole certgen workflow (run.c): refuse existing files early; keep a
 * reusable Secret or generate and write one; write the files; patch the
 * caBundle of each configuration (keeping the CAs already trusted while
 * the certificate is younger than overlap_minutes); make the Secret owned
 * by the first validating configuration that exists. Progress lines
 * ("certgen: ...") go to out. 0, or -1 with err (one line, "Secret
 * NS/NAME: ..." etc., no secret in it) and err.kind: ERR_CONFLICT (files
 * exist without force, 409), ERR_UNAVAILABLE (not in a cluster, API
 * unreachable, 5xx), ERR_TIMEOUT, ERR_DENIED (401/403), ERR_NOTFOUND,
 * ERR_IO (keys, files), ERR_NOMEM, ERR_INVALID (an answer not
 * understood). */
PGADMIT_MUST_CHECK
int certgen_run(const struct certgen_opts *o, FILE *out, struct err *err);

#endif
