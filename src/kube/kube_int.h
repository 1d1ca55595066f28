/*
 * kube_int.h — what the files of src/kube share: the client's state and its
 * TLS/authentication setup on a curl handle. Not for other modules.
 *
 * A client comes from the pod's service account (client.c: token file
 * re-read on rotation, ca.crt) or from a kubeconfig (kubeconfig.c: CA file
 * or data, client certificate and key file or data, a fixed token).
 */
#ifndef PGADMIT_KUBE_INT_H
#define PGADMIT_KUBE_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "pgadmit/err.h"
#include "pgadmit/kube.h"

#define TOKEN_MAX 16384

struct kube_client {
	char *base;   /* https://host:port, no trailing slash */
	char *source; /* "in-cluster" or the kubeconfig's path (messages) */
	/* CA: a file, or PEM bytes (kubeconfig certificate-authority-data). */
	char *ca_path;
	char *ca_blob;
	size_t ca_blob_len;
	/* Client certificate and key: files or PEM bytes; may all be NULL. */
	char *cert_path, *cert_blob;
	size_t cert_blob_len;
	char *key_path, *key_blob; /* key_blob is wiped when freed */
	size_t key_blob_len;
	/* Bearer token: re-read from token_path when it changes (service
	 * account), or fixed in token (kubeconfig; NULL: none). */
	char *token_path;
	pthread_mutex_t mu; /* token and its file's identity */
	char *token;
	struct timespec token_mtime;
	ino_t token_ino;
	off_t token_size;
	unsigned long requests; /* kube_request calls (atomic adds) */
	/* request.c's handle, kept so that calls reuse one connection
	 * (TLS handshake once); hmu serialises the generic calls. */
	pthread_mutex_t hmu;
	CURL *h;
};

/* A malloc'd copy of the current token ("" when the client has none);
 * force re-reads the file (after a 401). NULL with err. Wipe and free. */
char *kube_token_get(struct kube_client *c, bool force, struct err *err);
/* curl_easy_reset(h), then URL (https only), kube_curl_auth, timeouts
 * (connect and total), no signals, any encoding, the User-Agent. */
void kube_curl_setup(const struct kube_client *c, CURL *h, const char *url,
		     const char *token, long timeout_ms);
/* CA, client certificate/key and bearer token (when non-empty) on h. */
void kube_curl_auth(const struct kube_client *c, CURL *h, const char *token);
/* The client's curl handle when no other call holds it (*shared, hmu
 * held: the connection and TLS session are reused), else a handle of this
 * call's own: a call never waits for another one's answer, so concurrent
 * webhook lookups (nscache.c, the CronJob listing) stay within their own
 * timeout. NULL on OOM (call kube_handle_give anyway). (request.c) */
CURL *kube_handle_take(struct kube_client *c, bool *shared);
void kube_handle_give(struct kube_client *c, CURL *h, bool shared);
/* Wipe a secret with OPENSSL_cleanse (the one way secrets are wiped in
 * pgadmit), then free it. NULL is fine. _len: by length (may hold NUL). */
void kube_secret_free(char *s);
void kube_secret_free_len(void *s, size_t len);
/* A token file (service account or kubeconfig tokenFile): its text up to
 * TOKEN_MAX bytes without trailing newlines or spaces, or NULL with err set
 * ("<path>: <strerror>", or "larger than" past TOKEN_MAX). Free with
 * kube_secret_free. */
char *kube_token_read(const char *path, struct err *err);

/* PGA105/PGA106 evidence per namespace (nscache.c), owned by the
 * kube_cache (kube_cache_nscache), sharing its client. */
struct kube_nscache;
struct kube_nscache *kube_nscache_new(struct kube_client *client,
				      const char *unknown_why, size_t max);
void kube_nscache_free(struct kube_nscache *nc);
struct kube_cache;
struct kube_nscache *kube_cache_nscache(struct kube_cache *kc);

#endif
