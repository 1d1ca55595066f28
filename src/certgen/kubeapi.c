/*
 * kubeapi.c — the few Kubernetes API calls certgen makes (certgen.h):
 * GET/POST/PATCH a Secret, GET + JSON Patch webhook configurations.
 * libcurl, one easy handle per call, service-account bearer token, the
 * cluster CA, bounded bodies and timeouts. Not thread-safe (one-shot CLI).
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgadmit/certgen.h"
#include "pgadmit/strbuf.h"

#define SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"
#define BODY_MAX (4u << 20)
#define TOKEN_MAX 16384
#define TIMEOUT_MS 15000L
#define FIELD_MANAGER "pgadmit-certgen"
#define ADMREG "/apis/admissionregistration.k8s.io/v1/"

struct certgen_kube {
	char *base; /* https://host:port */
	char *token;
	char *ca_path;
};

void certgen_kube_free(struct certgen_kube *k)
{
	if (!k)
		return;
	free(k->base);
	if (k->token) {
		OPENSSL_cleanse(k->token, strlen(k->token));
		free(k->token);
	}
	free(k->ca_path);
	free(k);
}

static char *read_token(const char *path, struct err *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		err_set(err, "service account token %s: %s", path,
			strerror(errno));
		return NULL;
	}
	char *buf = malloc(TOKEN_MAX + 1);
	size_t n = buf ? fread(buf, 1, TOKEN_MAX, f) : 0;
	fclose(f);
	if (!buf) {
		err_set(err, "out of memory");
		return NULL;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
		     buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (n == 0) {
		free(buf);
		err_set(err, "service account token %s: empty", path);
		return NULL;
	}
	return buf;
}

struct certgen_kube *certgen_kube_from_env(struct err *err)
{
	const char *url = getenv("PGADMIT_KUBE_API_URL");
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("PGADMIT_KUBE_SA_DIR");
	struct strbuf sb = STRBUF_INIT;
	struct certgen_kube *k = calloc(1, sizeof(*k));
	if (!k) {
		err_set(err, "out of memory");
		return NULL;
	}
	if (url && *url) {
		if (strncmp(url, "https://", 8) != 0) {
			err_set(err, "PGADMIT_KUBE_API_URL: expected "
				     "https://HOST:PORT");
			goto fail;
		}
		sb_puts(&sb, url);
		while (sb.len && sb.buf[sb.len - 1] == '/')
			sb.buf[--sb.len] = '\0';
	} else if (host && *host) {
		sb_printf(&sb, strchr(host, ':') ? "https://[%s]:%s"
						 : "https://%s:%s",
			  host, port && *port ? port : "443");
	} else {
		err_set(err, "not running in a cluster: KUBERNETES_SERVICE_HOST "
			     "is not set");
		goto fail;
	}
	if (!dir || !*dir)
		dir = SA_DIR_DEFAULT;
	k->base = sb_detach(&sb);
	if (asprintf(&k->ca_path, "%s/ca.crt", dir) < 0) {
		k->ca_path = NULL;
		err_set(err, "out of memory");
		goto fail;
	}
	if (access(k->ca_path, R_OK) != 0) {
		err_set(err, "%s: %s", k->ca_path, strerror(errno));
		goto fail;
	}
	char tpath[4096];
	snprintf(tpath, sizeof(tpath), "%s/token", dir);
	if (!(k->token = read_token(tpath, err)))
		goto fail;
	if (!k->base) {
		err_set(err, "out of memory");
		goto fail;
	}
	return k;
fail:
	sb_free(&sb);
	certgen_kube_free(k);
	return NULL;
}

struct body {
	struct strbuf sb;
	bool too_big;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	if (b->sb.len + n > BODY_MAX) {
		b->too_big = true;
		return 0;
	}
	sb_append(&b->sb, p, n);
	return sb_ok(&b->sb) ? n : 0;
}

/* One API call. *status gets the HTTP status; *resp the parsed JSON body
 * (new reference, may be NULL when the body is not JSON). 0, or -1 with err
 * on transport failure. */
static int call(struct certgen_kube *k, const char *method, const char *path,
		const char *ctype, const char *reqbody, long *status,
		json_t **resp, struct err *err)
{
	int rc = -1;
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct body b = {STRBUF_INIT, false};
	char *auth = NULL, *url = NULL, *ct = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	*status = 0;
	*resp = NULL;
	if (asprintf(&auth, "Authorization: Bearer %s", k->token) < 0)
		auth = NULL;
	if (asprintf(&url, "%s%s", k->base, path) < 0)
		url = NULL;
	if (!h || !auth || !url) {
		err_set(err, "out of memory");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (ctype) {
		if (asprintf(&ct, "Content-Type: %s", ctype) < 0) {
			ct = NULL;
			err_set(err, "out of memory");
			goto out;
		}
		hdrs = curl_slist_append(hdrs, ct);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CAINFO, k->ca_path);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pgadmit-certgen");
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (reqbody) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, reqbody);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(reqbody));
	}
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		err_set(err, "%s %s: %s", method, path,
			b.too_big ? "response too large"
			: *ebuf  ? ebuf
				 : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (b.sb.len)
		*resp = json_loadb(b.sb.buf, b.sb.len, 0, NULL);
	rc = 0;
out:
	free(ct);
	curl_slist_free_all(hdrs);
	if (auth) {
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
	}
	free(url);
	sb_free(&b.sb);
	if (h)
		curl_easy_cleanup(h);
	return rc;
}

/* "403 Forbidden: secrets is forbidden: ..." from a Status body. */
static int api_error(struct err *err, const char *what, long status,
		     json_t *resp)
{
	const char *msg = json_string_value(json_object_get(resp, "message"));
	return err_set(err, "%s: HTTP %ld%s%s", what, status, msg ? ": " : "",
		       msg ? msg : "");
}

static char *b64_encode(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
				(int)n);
	return out;
}

/* Decode base64 text into a NUL-terminated string (NULL if invalid). */
static char *b64_decode(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n % 4 != 0)
		return NULL;
	char *out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	int m = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s,
				(int)n);
	if (m < 0) {
		free(out);
		return NULL;
	}
	if (s[n - 1] == '=')
		m--;
	if (s[n - 2] == '=')
		m--;
	out[m] = '\0';
	if (strlen(out) != (size_t)m) { /* NUL inside: not PEM */
		free(out);
		return NULL;
	}
	return out;
}

int certgen_kube_get_secret(struct certgen_kube *k, const char *ns,
			    const char *name, struct certgen_pems *out,
			    struct err *err)
{
	char path[512];
	long status;
	json_t *resp = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/secrets/%s", ns,
		 name);
	if (call(k, "GET", path, NULL, NULL, &status, &resp, err))
		return -1;
	if (status == 404) {
		rc = 0;
		goto out;
	}
	if (status != 200) {
		api_error(err, "reading Secret", status, resp);
		goto out;
	}
	json_t *data = json_object_get(resp, "data"); /* borrowed */
	const char *ca = json_string_value(json_object_get(data, "ca.crt"));
	const char *crt = json_string_value(json_object_get(data, "tls.crt"));
	const char *key = json_string_value(json_object_get(data, "tls.key"));
	if (ca && crt && key) {
		out->ca_crt = b64_decode(ca);
		out->tls_crt = b64_decode(crt);
		out->tls_key = b64_decode(key);
	}
	rc = out->ca_crt && out->tls_crt && out->tls_key ? 1 : 0;
	if (rc == 0)
		certgen_pems_free(out);
out:
	json_decref(resp);
	return rc;
}

int certgen_kube_put_secret(struct certgen_kube *k, const char *ns,
			    const char *name, const struct certgen_pems *p,
			    struct err *err)
{
	int rc = -1;
	long status;
	json_t *resp = NULL, *data = NULL, *obj = NULL;
	char *ca = b64_encode(p->ca_crt), *crt = b64_encode(p->tls_crt),
	     *key = b64_encode(p->tls_key), *body = NULL;
	char path[512];
	if (!ca || !crt || !key) {
		err_set(err, "out of memory");
		goto out;
	}
	data = json_pack("{s:s, s:s, s:s}", "ca.crt", ca, "tls.crt", crt,
			 "tls.key", key);
	obj = json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:s, s:O}",
			"apiVersion", "v1", "kind", "Secret", "metadata",
			"name", name, "namespace", ns, "labels",
			"app.kubernetes.io/managed-by", FIELD_MANAGER, "type",
			"kubernetes.io/tls", "data", data);
	if (!obj || !(body = json_dumps(obj, JSON_COMPACT))) {
		err_set(err, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/secrets?fieldManager=" FIELD_MANAGER,
		 ns);
	if (call(k, "POST", path, "application/json", body, &status, &resp,
		 err))
		goto out;
	if (status == 201 || status == 200) {
		rc = 0;
		goto out;
	}
	if (status != 409) {
		api_error(err, "creating Secret", status, resp);
		goto out;
	}
	/* It exists: replace its data, keep everything else. */
	json_decref(resp);
	resp = NULL;
	OPENSSL_cleanse(body, strlen(body));
	free(body);
	body = NULL;
	json_decref(obj);
	obj = json_pack("{s:O}", "data", data);
	if (!obj || !(body = json_dumps(obj, JSON_COMPACT))) {
		err_set(err, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/secrets/%s?fieldManager=" FIELD_MANAGER,
		 ns, name);
	if (call(k, "PATCH", path, "application/merge-patch+json", body,
		 &status, &resp, err))
		goto out;
	if (status != 200) {
		api_error(err, "updating Secret", status, resp);
		goto out;
	}
	rc = 0;
out:
	if (body) {
		OPENSSL_cleanse(body, strlen(body));
		free(body);
	}
	json_decref(obj);
	json_decref(data);
	json_decref(resp);
	free(ca);
	free(crt);
	if (key) {
		OPENSSL_cleanse(key, strlen(key));
		free(key);
	}
	return rc;
}

/* GET one configuration, JSON-Patch every webhook's caBundle. 1 patched,
 * 0 not found, 2 not allowed to read it (403, err set), -1 error. */
static int patch_one(struct certgen_kube *k, const char *resource,
		     const char *kind, const char *name, const char *ca_pem,
		     bool keep_previous, struct err *err)
{
	int rc = -1;
	long status;
	json_t *resp = NULL, *patch = NULL;
	char *body = NULL, *bundle = NULL, *ca_b64 = NULL;
	struct strbuf prev = STRBUF_INIT;
	char path[512], ptr[64];
	snprintf(path, sizeof(path), ADMREG "%s/%s", resource, name);
	if (call(k, "GET", path, NULL, NULL, &status, &resp, err))
		return -1;
	if (status == 404) {
		rc = 0;
		goto out;
	}
	if (status != 200) {
		api_error(err, kind, status, resp);
		err_prefix(err, "reading %s: ", name);
		if (status == 403)
			rc = 2;
		goto out;
	}
	json_t *webhooks = json_object_get(resp, "webhooks"); /* borrowed */
	const char *rv = json_string_value(
		json_object_get(json_object_get(resp, "metadata"),
				"resourceVersion"));
	size_t n = json_array_size(webhooks);
	if (n == 0) {
		err_set(err, "%s %s has no webhooks", kind, name);
		goto out;
	}
	/* The CAs the configuration trusts now, kept while unexpired. */
	for (size_t i = 0; keep_previous && i < n; i++) {
		const char *b = json_string_value(json_object_get(
			json_object_get(json_array_get(webhooks, i),
					"clientConfig"),
			"caBundle"));
		char *pem = b ? b64_decode(b) : NULL;
		if (pem) {
			sb_puts(&prev, pem);
			sb_putc(&prev, '\n');
			free(pem);
		}
	}
	bundle = certgen_bundle_merge(ca_pem, sb_ok(&prev) ? sb_str(&prev) : "");
	ca_b64 = bundle ? b64_encode(bundle) : NULL;
	if (!ca_b64) {
		err_set(err, "out of memory");
		goto out;
	}
	patch = json_array();
	/* Fail instead of patching a configuration changed since the GET
	 * (its webhooks could be a different list by now). */
	if (rv)
		json_array_append_new(patch,
				      json_pack("{s:s, s:s, s:s}", "op", "test",
						"path",
						"/metadata/resourceVersion",
						"value", rv));
	for (size_t i = 0; i < n; i++) {
		snprintf(ptr, sizeof(ptr), "/webhooks/%zu/clientConfig/caBundle",
			 i);
		/* "add" sets a member whether or not it exists yet ("replace"
		 * fails on a configuration rendered without caBundle). */
		json_array_append_new(patch, json_pack("{s:s, s:s, s:s}", "op",
						       "add", "path", ptr,
						       "value", ca_b64));
	}
	if (!(body = json_dumps(patch, JSON_COMPACT))) {
		err_set(err, "out of memory");
		goto out;
	}
	json_decref(resp);
	resp = NULL;
	snprintf(path, sizeof(path), ADMREG "%s/%s?fieldManager=" FIELD_MANAGER,
		 resource, name);
	if (call(k, "PATCH", path, "application/json-patch+json", body,
		 &status, &resp, err))
		goto out;
	if (status != 200) {
		api_error(err, kind, status, resp);
		err_prefix(err, "patching %s: ", name);
		goto out;
	}
	rc = 1;
out:
	free(body);
	free(bundle);
	free(ca_b64);
	sb_free(&prev);
	json_decref(patch);
	json_decref(resp);
	return rc;
}

int certgen_kube_patch_webhooks(struct certgen_kube *k, const char *name,
				const char *ca_pem, bool keep_previous,
				struct err *err)
{
	static const char *const kinds[][2] = {
		{"validatingwebhookconfigurations",
		 "ValidatingWebhookConfiguration"},
		{"mutatingwebhookconfigurations", "MutatingWebhookConfiguration"},
	};
	int patched = 0;
	bool forbidden = false;
	struct err denied = {""}, e = {""};
	for (size_t i = 0; i < 2; i++) {
		int rc = patch_one(k, kinds[i][0], kinds[i][1], name, ca_pem,
				   keep_previous, &e);
		if (rc < 0) {
			*err = e;
			patched = -1;
			break;
		}
		if (rc == 2) {
			/* The chart's RBAC names each configuration under its
			 * own kind only (resourceNames), so a 403 on the
			 * other kind is expected: fatal only when nothing of
			 * that name could be patched. */
			if (!forbidden)
				denied = e;
			forbidden = true;
			continue;
		}
		patched += rc;
	}
	if (patched == 0 && forbidden) {
		*err = denied;
		patched = -1;
	}
	return patched;
}

int certgen_kube_own_secret(struct certgen_kube *k, const char *ns,
			    const char *secret, const char *vwc,
			    struct err *err)
{
	int rc = -1;
	long status;
	json_t *resp = NULL, *patch = NULL;
	char *body = NULL;
	char path[512];
	snprintf(path, sizeof(path),
		 ADMREG "validatingwebhookconfigurations/%s", vwc);
	if (call(k, "GET", path, NULL, NULL, &status, &resp, err))
		return -1;
	if (status == 404) {
		rc = 0;
		goto out;
	}
	if (status != 200) {
		api_error(err, "ValidatingWebhookConfiguration", status, resp);
		err_prefix(err, "reading %s: ", vwc);
		goto out;
	}
	const char *uid = json_string_value(
		json_object_get(json_object_get(resp, "metadata"), "uid"));
	if (!uid) {
		err_set(err, "ValidatingWebhookConfiguration %s has no uid", vwc);
		goto out;
	}
	/* A cluster-scoped owner of a namespaced object is allowed; not a
	 * controller, and no blockOwnerDeletion (no finalizer on uninstall). */
	patch = json_pack("{s:{s:[{s:s, s:s, s:s, s:s}]}}", "metadata",
			  "ownerReferences", "apiVersion",
			  "admissionregistration.k8s.io/v1", "kind",
			  "ValidatingWebhookConfiguration", "name", vwc, "uid",
			  uid);
	if (!patch || !(body = json_dumps(patch, JSON_COMPACT))) {
		err_set(err, "out of memory");
		goto out;
	}
	json_decref(resp);
	resp = NULL;
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/secrets/%s?fieldManager=" FIELD_MANAGER,
		 ns, secret);
	if (call(k, "PATCH", path, "application/merge-patch+json", body,
		 &status, &resp, err))
		goto out;
	if (status != 200) {
		api_error(err, "setting the Secret's owner", status, resp);
		goto out;
	}
	rc = 1;
out:
	free(body);
	json_decref(patch);
	json_decref(resp);
	return rc;
}
