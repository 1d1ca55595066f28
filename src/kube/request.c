/*
 * request.c — generic Kubernetes API calls (kube.h): one request with any
 * method and a JSON body, and LIST with paging (limit/continue) handing the
 * items of each page to a callback, so that a caller holds one page at a
 * time. Errors are typed (kube_rc) and carry the API's own Status message
 * ("namespaces is forbidden: User ... cannot list resource ..."), which
 * names the missing permission. Never a token in a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_int.h"
#include "pgadmit/kube.h"
#include "pgadmit/strbuf.h"

#define LIST_MAX_PAGES 100000

struct body {
	struct strbuf sb;
	size_t max;
	bool too_big;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	if (b->sb.len + n > b->max) {
		b->too_big = true;
		return 0;
	}
	sb_append(&b->sb, p, n);
	return sb_ok(&b->sb) ? n : 0;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;
	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* (kube_int.h) */
CURL *kube_handle_take(struct kube_client *c, bool *shared)
{
	*shared = false;
	if (pthread_mutex_trylock(&c->hmu) == 0) {
		if (!c->h)
			c->h = curl_easy_init();
		if (c->h) {
			*shared = true;
			return c->h;
		}
		pthread_mutex_unlock(&c->hmu);
	}
	return curl_easy_init();
}

void kube_handle_give(struct kube_client *c, CURL *h, bool shared)
{
	if (shared)
		pthread_mutex_unlock(&c->hmu);
	else if (h)
		curl_easy_cleanup(h);
}

void kube_reply_free(struct kube_reply *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

unsigned long kube_client_requests(const struct kube_client *c)
{
	return __atomic_load_n(&c->requests, __ATOMIC_RELAXED);
}

/* The message of a Status body, else "". */
static void status_message(const char *body, size_t len, char *out,
			   size_t outlen)
{
	out[0] = '\0';
	json_t *st = json_loadb(body, len, 0, NULL);
	const char *m = json_string_value(json_object_get(st, "message"));
	if (m)
		snprintf(out, outlen, ": %s", m);
	json_decref(st);
}

static enum kube_rc rc_of(long code)
{
	switch (code) {
	case 401: return KUBE_UNAUTHORIZED;
	case 403: return KUBE_FORBIDDEN;
	case 404: return KUBE_NOT_FOUND;
	case 409: return KUBE_CONFLICT;
	case 410: return KUBE_GONE;
	default: return code >= 200 && code < 300 ? KUBE_OK : KUBE_HTTP;
	}
}

enum err_kind kube_status_kind(long code)
{
	if (code == 401 || code == 403)
		return ERR_DENIED;
	if (code == 404)
		return ERR_NOTFOUND;
	if (code == 409 || code == 410)
		return ERR_CONFLICT;
	if (code == 408 || code == 504)
		return ERR_TIMEOUT;
	if (code == 429 || code >= 500)
		return ERR_UNAVAILABLE;
	return ERR_INVALID;
}

void kube_curl_setup(const struct kube_client *c, CURL *h, const char *url,
		     const char *token, long timeout_ms)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	kube_curl_auth(c, h, token);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pgadmit/" PGADMIT_VERSION);
}

static enum kube_rc perform(struct kube_client *c, CURL *h, const char *method,
			    const char *url, const char *token,
			    const char *ctype, const char *body, size_t blen,
			    long timeout_ms, struct body *b, long *code,
			    struct err *err)
{
	sb_reset(&b->sb);
	b->too_big = false;
	char ebuf[CURL_ERROR_SIZE] = "";
	kube_curl_setup(c, h, url, token, timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	struct upload up = {body, blen};
	struct curl_slist *hdr =
		curl_slist_append(NULL, "Accept: application/json");
	if (body) {
		char ct[80];
		snprintf(ct, sizeof(ct), "Content-Type: %s",
			 ctype ? ctype : "application/json");
		hdr = curl_slist_append(hdr, ct);
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &up);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)blen);
		hdr = curl_slist_append(hdr, "Expect:");
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	__atomic_fetch_add(&c->requests, 1, __ATOMIC_RELAXED);
	CURLcode rc = curl_easy_perform(h);
	curl_slist_free_all(hdr);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL); /* ebuf goes away */
	if (b->too_big) {
		err_set(err, "%s %s: response larger than %zu bytes", method,
			url + strlen(c->base), b->max);
		return KUBE_INVALID;
	}
	if (rc != CURLE_OK) {
		if (rc == CURLE_OPERATION_TIMEDOUT)
			err_setk(err, ERR_TIMEOUT,
				 "%s %s: Kubernetes API did not answer "
				 "within %ld ms",
				 method, url + strlen(c->base), timeout_ms);
		else
			err_setk(err, ERR_UNAVAILABLE,
				 "%s %s: Kubernetes API unreachable or "
				 "the connection broke: %s",
				 method, url + strlen(c->base),
				 *ebuf ? ebuf : curl_easy_strerror(rc));
		return KUBE_TRANSPORT;
	}
	if (!sb_ok(&b->sb)) {
		err_nomem(err);
		return KUBE_OOM;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	enum kube_rc krc = rc_of(*code);
	if (krc != KUBE_OK) {
		char m[400];
		status_message(b->sb.buf ? b->sb.buf : "", b->sb.len, m,
			       sizeof(m));
		err_setk(err, kube_status_kind(*code), "%s %s: HTTP %ld%s",
			 method, url + strlen(c->base), *code, m);
	}
	return krc;
}

/* One request with token refresh on 401. */
static enum kube_rc request_on(struct kube_client *c, CURL *h,
			       const char *method, const char *url,
			       const char *ctype, const char *body, size_t blen,
			       long timeout_ms, struct body *b, long *code,
			       struct err *err)
{
	char *token = kube_token_get(c, false, err);
	if (!token)
		return KUBE_INVALID;
	enum kube_rc rc = perform(c, h, method, url, token, ctype, body, blen,
				  timeout_ms, b, code, err);
	if (rc == KUBE_UNAUTHORIZED && c->token_path) {
		kube_secret_free(token);
		token = kube_token_get(c, true, err);
		if (!token)
			return KUBE_INVALID;
		rc = perform(c, h, method, url, token, ctype, body, blen,
			     timeout_ms, b, code, err);
	}
	kube_secret_free(token);
	return rc;
}

enum kube_rc kube_request(struct kube_client *c, const char *method,
			  const char *path, const char *body, size_t blen,
			  int timeout_ms, struct kube_reply *r, struct err *err)
{
	return kube_request_ct(c, method, path, NULL, body, blen, timeout_ms, r,
			       err);
}

enum kube_rc kube_request_ct(struct kube_client *c, const char *method,
			     const char *path, const char *ctype,
			     const char *body, size_t blen, int timeout_ms,
			     struct kube_reply *r, struct err *err)
{
	memset(r, 0, sizeof(*r));
	struct strbuf url = STRBUF_INIT;
	struct body b = {STRBUF_INIT, KUBE_BODY_MAX, false};
	sb_printf(&url, "%s%s", c->base, path);
	bool shared;
	CURL *h = kube_handle_take(c, &shared);
	enum kube_rc rc;
	if (!h || !sb_ok(&url)) {
		err_nomem(err);
		rc = KUBE_OOM;
	} else {
		rc = request_on(c, h, method, sb_str(&url), ctype, body, blen,
				timeout_ms, &b, &r->status, err);
	}
	kube_handle_give(c, h, shared);
	sb_free(&url);
	r->len = b.sb.len;
	r->body = sb_detach(&b.sb);
	if (!r->body && rc == KUBE_OK) {
		err_nomem(err);
		rc = KUBE_OOM;
	}
	return rc;
}

enum kube_rc kube_list(struct kube_client *c, const char *path, unsigned limit,
		       int timeout_ms, size_t body_max, kube_item_fn fn,
		       void *arg, struct err *err)
{
	enum kube_rc rc = KUBE_OK;
	struct strbuf url = STRBUF_INIT;
	struct body b = {STRBUF_INIT, body_max ? body_max : KUBE_BODY_MAX,
			 false};
	char *cont = NULL;
	bool shared;
	CURL *h = kube_handle_take(c, &shared);
	if (!h) {
		kube_handle_give(c, h, shared);
		err_nomem(err);
		return KUBE_OOM;
	}
	for (unsigned long page = 0;; page++) {
		if (page == LIST_MAX_PAGES) {
			err_set(err, "GET %s: more than %d pages", path,
				LIST_MAX_PAGES);
			rc = KUBE_INVALID;
			break;
		}
		sb_reset(&url);
		sb_printf(&url, "%s%s%climit=%u", c->base, path,
			  strchr(path, '?') ? '&' : '?', limit);
		if (cont) {
			char *e = curl_easy_escape(h, cont, 0);
			if (e)
				sb_printf(&url, "&continue=%s", e);
			curl_free(e);
			if (!e) {
				rc = KUBE_OOM;
				break;
			}
		}
		if (!sb_ok(&url)) {
			rc = KUBE_OOM;
			err_nomem(err);
			break;
		}
		long code = 0;
		rc = request_on(c, h, "GET", sb_str(&url), NULL, NULL, 0,
				timeout_ms, &b, &code, err);
		if (rc != KUBE_OK)
			break;
		json_error_t je;
		json_t *list =
			json_loadb(b.sb.buf ? b.sb.buf : "", b.sb.len, 0, &je);
		json_t *items = json_object_get(list, "items");
		if (!json_is_object(list) ||
		    !(json_is_array(items) || json_is_null(items))) {
			json_decref(list);
			err_set(err, "GET %s: the answer is not a list (%s)",
				path, list ? "no items" : je.text);
			rc = KUBE_INVALID;
			break;
		}
		free(cont);
		cont = NULL;
		const char *next = json_string_value(
			json_object_get(json_object_get(list, "metadata"),
					"continue"));
		if (next && *next && !(cont = strdup(next))) {
			json_decref(list);
			rc = KUBE_OOM;
			err_nomem(err);
			break;
		}
		size_t i;
		json_t *it;
		int stop = 0;
		json_array_foreach(items, i, it) {
			if ((stop = fn(it, arg)) != 0)
				break;
		}
		json_decref(list);
		if (stop) {
			rc = KUBE_STOPPED;
			break;
		}
		if (!cont)
			break;
	}
	kube_handle_give(c, h, shared);
	free(cont);
	sb_free(&url);
	sb_free(&b.sb);
	return rc;
}
