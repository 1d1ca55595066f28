/*
 * kubeconfig.c — a kube_client from a kubeconfig file (kube.h): the current
 * context's cluster (server, certificate-authority[-data]) and user
 * (client-certificate[-data], client-key[-data], token, tokenFile). Relative
 * file names are relative to the kubeconfig's directory, as kubectl reads
 * them. Exec and auth-provider plugins are not supported (named in the
 * error). Also the TLS/auth setup every request of src/kube uses.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube_int.h"
#include "pgadmit/base64.h"
#include "pgadmit/file.h"
#include "pgadmit/kube.h"
#include "pgadmit/manifest.h"
#include "pgadmit/strbuf.h"

#define KUBECONFIG_MAX (1u << 20)

void kube_secret_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

char *kube_token_read(const char *path, struct err *err)
{
	size_t n;
	char *t = file_read(path, TOKEN_MAX, &n, err);
	if (!t)
		return NULL;
	n = strlen(t);
	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		t[--n] = '\0';
	return t;
}

void kube_secret_free_len(void *s, size_t len)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, len);
	free(s);
}

void kube_curl_auth(const struct kube_client *c, CURL *h, const char *token)
{
	if (c->ca_blob) {
		struct curl_blob b = {c->ca_blob, c->ca_blob_len,
				      CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	} else if (c->ca_path) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_path);
	}
	if (c->cert_blob) {
		struct curl_blob b = {c->cert_blob, c->cert_blob_len,
				      CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
	} else if (c->cert_path) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_path);
	}
	if (c->key_blob) {
		struct curl_blob b = {c->key_blob, c->key_blob_len,
				      CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
	} else if (c->key_path) {
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_path);
	}
	if (token && *token) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, token);
	}
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The "cluster"/"user"/"context" map of the entry named name in list. */
static const json_t *named(const json_t *root, const char *list,
			   const char *field, const char *name)
{
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(root, list), i, e) {
		const char *n = jstr(e, "name");
		if (n && strcmp(n, name) == 0)
			return json_object_get(e, field);
	}
	return NULL;
}

/* Base64 data → malloc'd bytes, NUL-terminated; *len without the NUL. */
static char *b64_decode(const char *in, size_t *len)
{
	size_t n = strlen(in);
	if (n > KUBECONFIG_MAX)
		return NULL;
	return (char *)base64_decode(in, n, len);
}

/* A file name from the kubeconfig, made relative to its directory. */
static char *rel_path(const char *dir, const char *p)
{
	if (p[0] == '/' || !dir)
		return strdup(p);
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "%s/%s", dir, p);
	return sb_detach(&sb);
}

/* file or data field pair → path or blob. 0, or -1 with err. */
static int take(const json_t *o, const char *file_key, const char *data_key,
		const char *dir, char **path, char **blob, size_t *blen,
		const char *src, struct err *err)
{
	const char *f = jstr(o, file_key), *d = jstr(o, data_key);
	if (d) {
		*blob = b64_decode(d, blen);
		if (!*blob)
			return err_set(err, "%s: %s is not valid base64", src,
				       data_key);
		return 0;
	}
	if (f) {
		*path = rel_path(dir, f);
		if (!*path)
			return err_nomem(err);
		if (access(*path, R_OK) != 0)
			return err_set(err, "%s: %s %s: %s", src, file_key,
				       *path, strerror(errno));
	}
	return 0;
}

static int from_tree(struct kube_client *c, const json_t *root, const char *dir,
		     const char *src, struct err *err)
{
	const char *ctxname = jstr(root, "current-context");
	if (!ctxname || !*ctxname)
		return err_set(err, "%s: no current-context", src);
	const json_t *ctx = named(root, "contexts", "context", ctxname);
	if (!json_is_object(ctx))
		return err_set(err, "%s: context '%s' not found", src, ctxname);
	const char *cname = jstr(ctx, "cluster"), *uname = jstr(ctx, "user");
	const json_t *cl = cname ? named(root, "clusters", "cluster", cname)
				 : NULL;
	if (!json_is_object(cl))
		return err_set(err, "%s: cluster of context '%s' not found",
			       src, ctxname);
	const char *server = jstr(cl, "server");
	if (!server || strncmp(server, "https://", 8) != 0)
		return err_set(err,
			       "%s: cluster '%s': server must be an "
			       "https:// URL",
			       src, cname);
	if (json_is_true(json_object_get(cl, "insecure-skip-tls-verify")))
		return err_set(err,
			       "%s: cluster '%s': "
			       "insecure-skip-tls-verify is not supported",
			       src, cname);
	c->base = strdup(server);
	if (!c->base)
		return err_nomem(err);
	size_t bl = strlen(c->base);
	while (bl && c->base[bl - 1] == '/')
		c->base[--bl] = '\0';
	if (take(cl, "certificate-authority", "certificate-authority-data", dir,
		 &c->ca_path, &c->ca_blob, &c->ca_blob_len, src, err))
		return -1;
	const json_t *u = uname ? named(root, "users", "user", uname) : NULL;
	if (!u)
		return 0; /* anonymous */
	if (json_object_get(u, "exec") || json_object_get(u, "auth-provider"))
		return err_set(err,
			       "%s: user '%s': exec and auth-provider "
			       "credentials are not supported (use a "
			       "token or a client certificate)",
			       src, uname);
	if (take(u, "client-certificate", "client-certificate-data", dir,
		 &c->cert_path, &c->cert_blob, &c->cert_blob_len, src, err) ||
	    take(u, "client-key", "client-key-data", dir, &c->key_path,
		 &c->key_blob, &c->key_blob_len, src, err))
		return -1;
	const char *tok = jstr(u, "token"), *tokfile = jstr(u, "tokenFile");
	if (tok && *tok) {
		c->token = strdup(tok);
		if (!c->token)
			return err_nomem(err);
	} else if (tokfile && *tokfile) {
		char *p = rel_path(dir, tokfile);
		if (!p)
			return err_nomem(err);
		c->token = kube_token_read(p, err);
		free(p);
		if (!c->token)
			return -1;
	}
	return 0;
}

struct kube_client *kube_client_from_kubeconfig(const char *path,
						struct err *err)
{
	size_t len;
	char *buf = file_read(path, KUBECONFIG_MAX, &len, err);
	if (!buf)
		return NULL;
	json_t *root = manifest_parse_one(buf, len, path, NULL, err);
	kube_secret_free(buf);
	if (!root)
		return NULL;
	struct kube_client *c = calloc(1, sizeof(*c));
	char *dir = strdup(path);
	if (!c || !dir) {
		free(c);
		free(dir);
		json_decref(root);
		err_nomem(err);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->hmu, NULL);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	c->source = strdup(path);
	int rc = !json_is_object(root)
			 ? err_set(err, "%s: not a kubeconfig", path)
			 : from_tree(c, root, slash ? dir : NULL, path, err);
	free(dir);
	json_decref(root);
	if (rc || !c->source) {
		if (!rc)
			err_nomem(err);
		kube_client_free(c);
		return NULL;
	}
	return c;
}

struct kube_client *kube_client_load(const char *kubeconfig, struct err *err)
{
	if (kubeconfig && *kubeconfig)
		return kube_client_from_kubeconfig(kubeconfig, err);
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *url = getenv("PGADMIT_KUBE_API_URL");
	if ((host && *host) || (url && *url))
		return kube_client_from_env(err);
	const char *env = getenv("KUBECONFIG");
	if (env && *env) {
		/* A list (a:b) as kubectl takes it: the first file is used. */
		char *first = strdup(env);
		if (!first) {
			err_nomem(err);
			return NULL;
		}
		char *colon = strchr(first, ':');
		if (colon)
			*colon = '\0';
		struct kube_client *c = kube_client_from_kubeconfig(first, err);
		free(first);
		return c;
	}
	const char *home = getenv("HOME");
	if (home && *home) {
		struct strbuf p = STRBUF_INIT;
		sb_printf(&p, "%s/.kube/config", home);
		if (sb_ok(&p) && access(sb_str(&p), R_OK) == 0) {
			struct kube_client *c =
				kube_client_from_kubeconfig(sb_str(&p), err);
			sb_free(&p);
			return c;
		}
		sb_free(&p);
	}
	err_setk(err, ERR_UNAVAILABLE,
		 "no Kubernetes configuration: not in a cluster, no "
		 "--kubeconfig, KUBECONFIG unset and no ~/.kube/config");
	return NULL;
}

const char *kube_client_source(const struct kube_client *c)
{
	return c->source ? c->source : "in-cluster service account";
}
