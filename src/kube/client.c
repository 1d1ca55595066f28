/*
 * client.c — the in-cluster configuration (service account: token file
 * re-read on rotation, ca.crt) of the one Kubernetes client, and the
 * webhook's CronJob listing (kube.h). The listing keeps one easy handle per
 * call so that namespaces are fetched in parallel (request.c serialises its
 * calls on the client's handle), and its own messages (the webhook's
 * warnings quote them); the curl setup is request.c's kube_curl_setup.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pgadmit/clock.h"
#include "pgadmit/kube.h"
#include "pgadmit/strbuf.h"
#include "kube_int.h"

#define SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"
#define PAGE_BODY_MAX (16u << 20) /* one CronJobList page */
#define MAX_PAGES 40

int kube_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void kube_global_cleanup(void)
{
	curl_global_cleanup();
}

static char *path_join(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

void kube_client_free(struct kube_client *c)
{
	if (!c)
		return;
	free(c->base);
	free(c->token_path);
	free(c->ca_path);
	kube_secret_free(c->token);
	free(c->ca_blob);
	free(c->cert_path);
	free(c->cert_blob);
	free(c->key_path);
	/* may hold NUL bytes (DER): wiped by length */
	kube_secret_free_len(c->key_blob, c->key_blob_len);
	free(c->source);
	if (c->h)
		curl_easy_cleanup(c->h);
	pthread_mutex_destroy(&c->hmu);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

const char *kube_client_url(const struct kube_client *c)
{
	return c->base;
}

struct kube_client *kube_client_from_env(struct err *err)
{
	const char *url = getenv("PGADMIT_KUBE_API_URL");
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("PGADMIT_KUBE_SA_DIR");
	struct strbuf base = STRBUF_INIT;
	if (url && *url) {
		if (strncmp(url, "https://", 8) != 0) {
			err_set(err,
				"PGADMIT_KUBE_API_URL: expected https://HOST:PORT");
			return NULL;
		}
		sb_puts(&base, url);
		while (base.len && base.buf[base.len - 1] == '/')
			base.buf[--base.len] = '\0';
	} else if (host && *host) {
		if (!port || !*port)
			port = "443";
		/* IPv6 service addresses need brackets in a URL. */
		sb_printf(&base,
			  strchr(host, ':') ? "https://[%s]:%s"
					    : "https://%s:%s",
			  host, port);
	} else {
		err_setk(err, ERR_UNAVAILABLE, "not running in a cluster");
		return NULL;
	}
	if (!dir || !*dir)
		dir = SA_DIR_DEFAULT;
	struct kube_client *c = calloc(1, sizeof(*c));
	if (!c || !sb_ok(&base)) {
		free(c);
		sb_free(&base);
		err_nomem(err);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->hmu, NULL);
	c->base = sb_detach(&base);
	c->token_path = path_join(dir, "token");
	c->ca_path = path_join(dir, "ca.crt");
	if (!c->base || !c->token_path || !c->ca_path) {
		kube_client_free(c);
		err_nomem(err);
		return NULL;
	}
	if (access(c->ca_path, R_OK) != 0) {
		err_set(err, "%s: %s", c->ca_path, strerror(errno));
		kube_client_free(c);
		return NULL;
	}
	return c;
}

/* Re-read the token when the file changed (projected tokens rotate) or when
 * force is set (after a 401). Returns a malloc'd copy or NULL. */
char *kube_token_get(struct kube_client *c, bool force, struct err *err)
{
	struct stat st;
	char *copy = NULL;
	if (!c->token_path) /* kubeconfig: a fixed token, or none */
		return strdup(c->token ? c->token : "");
	pthread_mutex_lock(&c->mu);
	if (stat(c->token_path, &st) != 0) {
		err_setk(err, err_kind_errno(errno),
			 "service account token: %s", strerror(errno));
		goto out;
	}
	if (force || !c->token || st.st_ino != c->token_ino ||
	    st.st_size != c->token_size ||
	    st.st_mtim.tv_sec != c->token_mtime.tv_sec ||
	    st.st_mtim.tv_nsec != c->token_mtime.tv_nsec) {
		char *buf = kube_token_read(c->token_path, err);
		if (!buf)
			goto out;
		kube_secret_free(c->token);
		c->token = buf;
		c->token_ino = st.st_ino;
		c->token_size = st.st_size;
		c->token_mtime = st.st_mtim;
	}
	copy = strdup(c->token);
	if (!copy)
		err_nomem(err);
out:
	pthread_mutex_unlock(&c->mu);
	return copy;
}

struct body {
	struct strbuf sb;
	bool too_big;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	/* MAXFILESIZE does not cap chunked bodies: cap here. */
	if (b->sb.len + n > PAGE_BODY_MAX) {
		b->too_big = true;
		return 0; /* aborts the transfer */
	}
	sb_append(&b->sb, p, n);
	return sb_ok(&b->sb) ? n : 0;
}

static bool valid_ns(const char *ns)
{
	size_t n = ns ? strlen(ns) : 0;
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((ns[i] >= 'a' && ns[i] <= 'z') ||
		      (ns[i] >= '0' && ns[i] <= '9') || ns[i] == '-'))
			return false;
	return true;
}

/* One GET. Returns the HTTP status (0 on transport error, err set). */
static long get_page(struct kube_client *c, CURL *h, const char *url,
		     const char *token, long timeout_ms, struct body *b,
		     struct err *err)
{
	sb_reset(&b->sb);
	b->too_big = false;
	kube_curl_setup(c, h, url, token, timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	struct curl_slist *hdr =
		curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	CURLcode rc = curl_easy_perform(h);
	curl_slist_free_all(hdr);
	if (b->too_big) {
		err_set(err, "Kubernetes API response larger than %u bytes",
			PAGE_BODY_MAX);
		return 0;
	}
	if (rc != CURLE_OK) {
		if (rc == CURLE_OPERATION_TIMEDOUT)
			err_setk(err, ERR_TIMEOUT,
				 "Kubernetes API did not answer within %ld ms",
				 timeout_ms);
		else
			err_setk(err, ERR_UNAVAILABLE,
				 "Kubernetes API unreachable: %s",
				 curl_easy_strerror(rc));
		return 0;
	}
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

int kube_parse_cronjob_page(const char *buf, size_t len, kube_item_fn fn,
			    void *arg, char **cont, struct err *err)
{
	json_error_t jerr;
	*cont = NULL;
	json_t *list = json_loadb(buf, len, 0, &jerr);
	const json_t *items = json_object_get(list, "items");
	if (!json_is_object(list) || !json_is_array(items)) {
		json_decref(list);
		err_set(err, "Kubernetes API answered something that is "
			     "not a CronJobList");
		return -1;
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		if (fn(it, arg)) {
			json_decref(list);
			err_nomem(err);
			return -1;
		}
	}
	const char *next = json_string_value(
		json_object_get(json_object_get(list, "metadata"), "continue"));
	int rc = 0;
	if (next && *next && !(*cont = strdup(next))) {
		err_nomem(err);
		rc = -1;
	}
	json_decref(list);
	return rc;
}

int kube_list_cronjobs(struct kube_client *c, const char *ns, int timeout_ms,
		       kube_item_fn fn, void *arg, struct err *err)
{
	int rc = -1;
	char *token = NULL, *cont = NULL;
	struct body b = {STRBUF_INIT, false};
	struct strbuf url = STRBUF_INIT;
	bool retried = false, shared = false;
	long long deadline = clock_ms() + timeout_ms;
	CURL *h = NULL;

	if (!valid_ns(ns)) {
		err_set(err, "invalid namespace name");
		return -1;
	}
	h = kube_handle_take(c, &shared);
	if (!h) {
		err_setk(err, ERR_NOMEM, "curl_easy_init failed");
		goto out;
	}
	token = kube_token_get(c, false, err);
	if (!token)
		goto out;
	for (int page = 0; page < MAX_PAGES; page++) {
		sb_reset(&url);
		sb_printf(&url,
			  "%s/apis/batch/v1/namespaces/%s/cronjobs?limit=500",
			  c->base, ns);
		if (cont) {
			char *e = curl_easy_escape(h, cont, 0);
			if (!e) {
				err_nomem(err);
				goto out;
			}
			sb_printf(&url, "&continue=%s", e);
			curl_free(e);
		}
		long left = (long)(deadline - clock_ms());
		if (left <= 0) {
			err_setk(err, ERR_TIMEOUT,
				 "Kubernetes API did not answer within %d ms",
				 timeout_ms);
			goto out;
		}
		long code = get_page(c, h, sb_str(&url), token, left, &b, err);
		if (code == 0)
			goto out;
		if (code == 401 && !retried) {
			/* The token rotated under us: re-read it once. */
			retried = true;
			free(token);
			token = kube_token_get(c, true, err);
			if (!token)
				goto out;
			page--;
			continue;
		}
		if (code != 200) {
			err_setk(err, kube_status_kind(code),
				 "Kubernetes API answered HTTP %ld%s", code,
				 code == 403
					 ? " (the service account needs list on "
					   "batch/cronjobs)"
					 : "");
			goto out;
		}
		free(cont);
		cont = NULL;
		if (kube_parse_cronjob_page(b.sb.buf ? b.sb.buf : "", b.sb.len,
					    fn, arg, &cont, err))
			goto out;
		if (!cont) {
			rc = 0;
			goto out;
		}
	}
	err_set(err, "Kubernetes API: more than %d pages of CronJobs",
		MAX_PAGES);
out:
	kube_handle_give(c, h, shared);
	sb_free(&url);
	sb_free(&b.sb);
	free(cont);
	kube_secret_free(token);
	return rc;
}
