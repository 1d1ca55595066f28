/*
 * kubeapi.c — the Kubernetes API calls certgen makes (certgen.h), through
 * the one client of src/kube (kube_request_ct: configuration, token re-read,
 * TLS, bounded bodies, typed errors): GET/POST/PATCH a Secret, GET + JSON
 * Patch webhook configurations. Messages name the step and carry the API's
 * own Status message ("reading Secret: HTTP 403: secrets is forbidden: ...").
 * Secret bodies (they hold the key) are wiped with OPENSSL_cleanse.
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/base64.h"
#include "pgadmit/certgen.h"
#include "pgadmit/kube.h"
#include "pgadmit/strbuf.h"

#define TIMEOUT_MS 15000
#define FIELD_MANAGER "pgadmit-certgen"
#define ADMREG "/apis/admissionregistration.k8s.io/v1/"
#define CT_MERGE "application/merge-patch+json"
#define CT_JSON_PATCH "application/json-patch+json"

/* An answer of the API: HTTP status (0: none, err set by src/kube) and its
 * body as JSON (NULL when empty or not JSON). */
struct answer {
	long status;
	json_t *json;
};

static void answer_free(struct answer *a)
{
	json_decref(a->json);
	a->json = NULL;
}

/* One request. Returns src/kube's kind; an HTTP error fills a (the caller
 * words the message with api_error), anything else leaves src/kube's
 * message in err. The raw body is wiped (a Secret's holds the key). */
static enum kube_rc call(struct kube_client *c, const char *method,
			 const char *path, const char *ctype, const char *body,
			 struct answer *a, struct err *err)
{
	struct kube_reply r;
	enum kube_rc rc = kube_request_ct(c, method, path, ctype, body,
					  body ? strlen(body) : 0, TIMEOUT_MS,
					  &r, err);
	a->status = r.status;
	a->json = r.len ? json_loadb(r.body, r.len, 0, NULL) : NULL;
	if (r.body)
		OPENSSL_cleanse(r.body, r.len);
	kube_reply_free(&r);
	return rc;
}

/* Did the API answer (an HTTP status, whatever it was)? */
static bool answered(const struct answer *a)
{
	return a->status != 0;
}

/* "reading Secret: HTTP 403: secrets is forbidden: ..." from a Status. */
static void api_error(struct err *err, const char *what, const struct answer *a)
{
	const char *msg =
		json_string_value(json_object_get(a->json, "message"));
	err_setk(err, kube_status_kind(a->status), "%s: HTTP %ld%s%s", what,
		 a->status, msg ? ": " : "", msg ? msg : "");
}

static char *b64_encode(const char *s)
{
	return base64_encode((const unsigned char *)s, strlen(s));
}

/* Decode base64 text into a NUL-terminated string (NULL if invalid, or if
 * it holds a NUL: not PEM). */
static char *b64_decode(const char *s)
{
	size_t n;
	unsigned char *out = base64_decode(s, strlen(s), &n);
	if (out && strlen((char *)out) != n) {
		free(out);
		return NULL;
	}
	return (char *)out;
}

static void secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

enum kube_rc certgen_kube_get_secret(struct kube_client *c, const char *ns,
				     const char *name, struct certgen_pems *out,
				     struct err *err)
{
	char path[512];
	struct answer a;
	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/secrets/%s", ns,
		 name);
	enum kube_rc rc = call(c, "GET", path, NULL, NULL, &a, err);
	if (rc == KUBE_NOT_FOUND) {
		answer_free(&a);
		return KUBE_NOT_FOUND;
	}
	if (rc != KUBE_OK) {
		if (answered(&a))
			api_error(err, "reading Secret", &a);
		answer_free(&a);
		return rc;
	}
	json_t *data = json_object_get(a.json, "data"); /* borrowed */
	const char *ca = json_string_value(json_object_get(data, "ca.crt"));
	const char *crt = json_string_value(json_object_get(data, "tls.crt"));
	const char *key = json_string_value(json_object_get(data, "tls.key"));
	if (ca && crt && key) {
		out->ca_crt = b64_decode(ca);
		out->tls_crt = b64_decode(crt);
		out->tls_key = b64_decode(key);
	}
	answer_free(&a);
	if (out->ca_crt && out->tls_crt && out->tls_key)
		return KUBE_OK;
	certgen_pems_free(out);
	return KUBE_NOT_FOUND; /* incomplete: as good as none */
}

/* json_dumps(obj) or KUBE_OOM. */
static enum kube_rc dump(const json_t *obj, char **body, struct err *err)
{
	if (!obj || !(*body = json_dumps(obj, JSON_COMPACT))) {
		err_nomem(err);
		return KUBE_OOM;
	}
	return KUBE_OK;
}

enum kube_rc certgen_kube_put_secret(struct kube_client *c, const char *ns,
				     const char *name,
				     const struct certgen_pems *p,
				     struct err *err)
{
	enum kube_rc rc = KUBE_OOM;
	struct answer a = {0, NULL};
	json_t *data = NULL, *obj = NULL;
	char *ca = b64_encode(p->ca_crt), *crt = b64_encode(p->tls_crt),
	     *key = b64_encode(p->tls_key), *body = NULL;
	char path[512];
	if (!ca || !crt || !key) {
		err_nomem(err);
		goto out;
	}
	data = json_pack("{s:s, s:s, s:s}", "ca.crt", ca, "tls.crt", crt,
			 "tls.key", key);
	obj = json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:s, s:O}",
			"apiVersion", "v1", "kind", "Secret", "metadata",
			"name", name, "namespace", ns, "labels",
			"app.kubernetes.io/managed-by", FIELD_MANAGER, "type",
			"kubernetes.io/tls", "data", data);
	if ((rc = dump(obj, &body, err)) != KUBE_OK)
		goto out;
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/secrets?fieldManager=" FIELD_MANAGER,
		 ns);
	rc = call(c, "POST", path, NULL, body, &a, err);
	if (rc != KUBE_CONFLICT) {
		if (rc != KUBE_OK && answered(&a))
			api_error(err, "creating Secret", &a);
		goto out;
	}
	/* It exists: replace its data, keep everything else. */
	answer_free(&a);
	secret_free(body);
	body = NULL;
	json_decref(obj);
	obj = json_pack("{s:O}", "data", data);
	if ((rc = dump(obj, &body, err)) != KUBE_OK)
		goto out;
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/secrets/%s?fieldManager=" FIELD_MANAGER,
		 ns, name);
	rc = call(c, "PATCH", path, CT_MERGE, body, &a, err);
	if (rc != KUBE_OK && answered(&a))
		api_error(err, "updating Secret", &a);
out:
	secret_free(body);
	json_decref(obj);
	json_decref(data);
	answer_free(&a);
	free(ca);
	free(crt);
	secret_free(key);
	return rc;
}

/* The caBundle for a configuration whose webhooks are webhooks: ca_pem,
 * plus (keep_previous) the unexpired CAs it trusts now; base64. NULL: OOM. */
static char *new_bundle(const json_t *webhooks, const char *ca_pem,
			bool keep_previous)
{
	struct strbuf prev = STRBUF_INIT;
	for (size_t i = 0; keep_previous && i < json_array_size(webhooks);
	     i++) {
		const char *b = json_string_value(
			json_object_get(json_object_get(json_array_get(webhooks,
								       i),
							"clientConfig"),
					"caBundle"));
		char *pem = b ? b64_decode(b) : NULL;
		if (pem) {
			sb_puts(&prev, pem);
			sb_putc(&prev, '\n');
			free(pem);
		}
	}
	char *bundle =
		certgen_bundle_merge(ca_pem, sb_ok(&prev) ? sb_str(&prev) : "");
	char *b64 = bundle ? b64_encode(bundle) : NULL;
	free(bundle);
	sb_free(&prev);
	return b64;
}

/* GET one configuration, JSON-Patch every webhook's caBundle. KUBE_OK
 * with *patched 1 (or 0: not found); KUBE_FORBIDDEN when it may not be
 * read (err set); another kind on error. */
static enum kube_rc patch_one(struct kube_client *c, const char *resource,
			      const char *kind, const char *name,
			      const char *ca_pem, bool keep_previous,
			      int *patched, struct err *err)
{
	struct answer a;
	json_t *patch = NULL;
	char *body = NULL, *ca_b64 = NULL;
	char path[512], ptr[64];
	*patched = 0;
	snprintf(path, sizeof(path), ADMREG "%s/%s", resource, name);
	enum kube_rc rc = call(c, "GET", path, NULL, NULL, &a, err);
	if (rc == KUBE_NOT_FOUND) {
		rc = KUBE_OK;
		goto out;
	}
	if (rc != KUBE_OK) {
		if (answered(&a)) {
			api_error(err, kind, &a);
			err_prefix(err, "reading %s: ", name);
		}
		goto out;
	}
	json_t *webhooks = json_object_get(a.json, "webhooks"); /* borrowed */
	const char *rv = json_string_value(
		json_object_get(json_object_get(a.json, "metadata"),
				"resourceVersion"));
	size_t n = json_array_size(webhooks);
	if (n == 0) {
		err_set(err, "%s %s has no webhooks", kind, name);
		rc = KUBE_INVALID;
		goto out;
	}
	/* The CAs the configuration trusts now, kept while unexpired. */
	rc = KUBE_OOM;
	if (!(ca_b64 = new_bundle(webhooks, ca_pem, keep_previous)) ||
	    !(patch = json_array())) {
		err_nomem(err);
		goto out;
	}
	/* Fail instead of patching a configuration changed since the GET
	 * (its webhooks could be a different list by now). */
	if (rv)
		json_array_append_new(patch,
				      json_pack("{s:s, s:s, s:s}", "op", "test",
						"path",
						"/metadata/resourceVersion",
						"value", rv));
	for (size_t i = 0; i < n; i++) {
		snprintf(ptr, sizeof(ptr),
			 "/webhooks/%zu/clientConfig/caBundle", i);
		/* "add" sets a member whether or not it exists yet ("replace"
		 * fails on a configuration rendered without caBundle). */
		json_array_append_new(patch,
				      json_pack("{s:s, s:s, s:s}", "op", "add",
						"path", ptr, "value", ca_b64));
	}
	if ((rc = dump(patch, &body, err)) != KUBE_OK)
		goto out;
	answer_free(&a);
	snprintf(path, sizeof(path), ADMREG "%s/%s?fieldManager=" FIELD_MANAGER,
		 resource, name);
	rc = call(c, "PATCH", path, CT_JSON_PATCH, body, &a, err);
	if (rc != KUBE_OK) {
		if (answered(&a)) {
			api_error(err, kind, &a);
			err_prefix(err, "patching %s: ", name);
		}
		/* Only a 403 on reading is the other kind's RBAC. */
		if (rc == KUBE_FORBIDDEN)
			rc = KUBE_HTTP;
		goto out;
	}
	*patched = 1;
out:
	free(body);
	free(ca_b64);
	json_decref(patch);
	answer_free(&a);
	return rc;
}

enum kube_rc certgen_kube_patch_webhooks(struct kube_client *c,
					 const char *name, const char *ca_pem,
					 bool keep_previous, int *patched,
					 struct err *err)
{
	static const char *const kinds[][2] = {
		{"validatingwebhookconfigurations",
		 "ValidatingWebhookConfiguration"},
		{"mutatingwebhookconfigurations",
		 "MutatingWebhookConfiguration"},
	};
	bool forbidden = false;
	struct err denied = {0}, e = {0};
	*patched = 0;
	for (size_t i = 0; i < 2; i++) {
		int one = 0;
		enum kube_rc rc = patch_one(c, kinds[i][0], kinds[i][1], name,
					    ca_pem, keep_previous, &one, &e);
		if (rc == KUBE_FORBIDDEN) {
			/* The chart's RBAC names each configuration under its
			 * own kind only (resourceNames), so a 403 on the
			 * other kind is expected: fatal only when nothing of
			 * that name could be patched. */
			if (!forbidden)
				denied = e;
			forbidden = true;
			continue;
		}
		if (rc != KUBE_OK) {
			*err = e;
			return rc;
		}
		*patched += one;
	}
	if (*patched == 0 && forbidden) {
		*err = denied;
		return KUBE_FORBIDDEN;
	}
	return KUBE_OK;
}

enum kube_rc certgen_kube_own_secret(struct kube_client *c, const char *ns,
				     const char *secret, const char *vwc,
				     bool *owned, struct err *err)
{
	struct answer a;
	json_t *patch = NULL;
	char *body = NULL;
	char path[512];
	*owned = false;
	snprintf(path, sizeof(path),
		 ADMREG "validatingwebhookconfigurations/%s", vwc);
	enum kube_rc rc = call(c, "GET", path, NULL, NULL, &a, err);
	if (rc == KUBE_NOT_FOUND) { /* not created yet */
		rc = KUBE_OK;
		goto out;
	}
	if (rc != KUBE_OK) {
		if (answered(&a)) {
			api_error(err, "ValidatingWebhookConfiguration", &a);
			err_prefix(err, "reading %s: ", vwc);
		}
		goto out;
	}
	const char *uid = json_string_value(
		json_object_get(json_object_get(a.json, "metadata"), "uid"));
	if (!uid) {
		err_set(err, "ValidatingWebhookConfiguration %s has no uid",
			vwc);
		rc = KUBE_INVALID;
		goto out;
	}
	/* A cluster-scoped owner of a namespaced object is allowed; not a
	 * controller, and no blockOwnerDeletion (no finalizer on uninstall). */
	patch = json_pack("{s:{s:[{s:s, s:s, s:s, s:s}]}}", "metadata",
			  "ownerReferences", "apiVersion",
			  "admissionregistration.k8s.io/v1", "kind",
			  "ValidatingWebhookConfiguration", "name", vwc, "uid",
			  uid);
	if ((rc = dump(patch, &body, err)) != KUBE_OK)
		goto out;
	answer_free(&a);
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/secrets/%s?fieldManager=" FIELD_MANAGER,
		 ns, secret);
	rc = call(c, "PATCH", path, CT_MERGE, body, &a, err);
	if (rc != KUBE_OK && answered(&a))
		api_error(err, "setting the Secret's owner", &a);
	*owned = rc == KUBE_OK;
out:
	free(body);
	json_decref(patch);
	answer_free(&a);
	return rc;
}
