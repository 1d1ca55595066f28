/*
 * tls.c — the serving certificate: load, validate, hot reload (server.h).
 *
 * The current pair is kept as DER blobs in a mutex-protected slot. GnuTLS
 * asks for it on every handshake through the retrieve callback
 * (MHD_OPTION_HTTPS_CERT_CALLBACK2); each handshake gets its own copies,
 * freed by GnuTLS (GNUTLS_CERT_RETR_DEINIT_ALL), so swapping the slot never
 * pulls a certificate from under a handshake in progress and open
 * connections are not touched. The main loop calls srv_tls_maybe_reload()
 * once a second: Secret volumes swap a symlink, cert-manager rewrites the
 * files; both change the stat identity. A new pair that does not parse or
 * whose key does not match the certificate is logged and the old one kept.
 */
#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pgadmit/file.h"
#include "server_int.h"

#define PEM_MAX (1u << 20)
#define CHAIN_MAX 16

struct pair {
	gnutls_datum_t certs[CHAIN_MAX]; /* DER, gnutls_malloc'd */
	unsigned ncerts;
	gnutls_datum_t key; /* PKCS#8 DER */
	long long not_after;
	char serial[80];
};

struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool ok;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct pair *cur;
static char *cert_path, *key_path;
static struct file_id cert_id, key_id;

static void pair_free(struct pair *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->ncerts; i++)
		gnutls_free(p->certs[i].data);
	if (p->key.data) {
		memset(p->key.data, 0, p->key.size);
		gnutls_free(p->key.data);
	}
	free(p);
}

static void file_id_of(const char *path, struct file_id *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (stat(path, &st) != 0)
		return;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ok = true;
}

static bool file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->ok == b->ok && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int read_pem(const char *path, gnutls_datum_t *d, struct err *err)
{
	size_t n;
	char *buf = file_read(path, PEM_MAX, &n, err);
	if (!buf)
		return -1;
	d->data = (unsigned char *)buf;
	d->size = (unsigned)n;
	return 0;
}

static struct pair *pair_load(const char *cp, const char *kp, struct err *err)
{
	gnutls_datum_t cpem = {NULL, 0}, kpem = {NULL, 0};
	gnutls_x509_crt_t *crts = NULL;
	unsigned ncrt = 0;
	gnutls_x509_privkey_t xkey = NULL;
	gnutls_certificate_credentials_t cred = NULL;
	struct pair *p = NULL;
	int rc;

	if (read_pem(cp, &cpem, err) || read_pem(kp, &kpem, err))
		goto fail;
	rc = gnutls_x509_crt_list_import2(&crts, &ncrt, &cpem,
					  GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0 || ncrt == 0) {
		err_set(err, "%s: no usable PEM certificate: %s", cp,
			rc < 0 ? gnutls_strerror(rc) : "empty");
		goto fail;
	}
	if (ncrt > CHAIN_MAX) {
		err_set(err, "%s: more than %d certificates", cp, CHAIN_MAX);
		goto fail;
	}
	if ((rc = gnutls_x509_privkey_init(&xkey)) < 0 ||
	    (rc = gnutls_x509_privkey_import2(xkey, &kpem, GNUTLS_X509_FMT_PEM,
					      NULL, GNUTLS_PKCS_PLAIN)) < 0) {
		err_set(err, "%s: no usable PEM private key: %s", kp,
			gnutls_strerror(rc));
		goto fail;
	}
	/* The key must belong to the first certificate. */
	if ((rc = gnutls_certificate_allocate_credentials(&cred)) < 0 ||
	    (rc = gnutls_certificate_set_x509_key_mem2(cred, &cpem, &kpem,
						       GNUTLS_X509_FMT_PEM,
						       NULL, 0)) < 0) {
		err_set(err, "%s and %s do not form a pair: %s", cp, kp,
			gnutls_strerror(rc));
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		err_nomem(err);
		goto fail;
	}
	for (unsigned i = 0; i < ncrt; i++) {
		rc = gnutls_x509_crt_export2(crts[i], GNUTLS_X509_FMT_DER,
					     &p->certs[i]);
		if (rc < 0) {
			err_set(err, "%s: %s", cp, gnutls_strerror(rc));
			goto fail;
		}
		p->ncerts++;
	}
	rc = gnutls_x509_privkey_export2_pkcs8(xkey, GNUTLS_X509_FMT_DER, NULL,
					       GNUTLS_PKCS_PLAIN, &p->key);
	if (rc < 0) {
		err_set(err, "%s: %s", kp, gnutls_strerror(rc));
		goto fail;
	}
	p->not_after = (long long)gnutls_x509_crt_get_expiration_time(crts[0]);
	unsigned char ser[40];
	size_t sl = sizeof(ser);
	if (gnutls_x509_crt_get_serial(crts[0], ser, &sl) == 0)
		for (size_t i = 0; i < sl && 2 * i + 2 < sizeof(p->serial); i++)
			snprintf(p->serial + 2 * i, 3, "%02X", ser[i]);
	goto out;
fail:
	pair_free(p);
	p = NULL;
out:
	if (cred)
		gnutls_certificate_free_credentials(cred);
	if (xkey)
		gnutls_x509_privkey_deinit(xkey);
	for (unsigned i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	free(cpem.data);
	if (kpem.data) {
		OPENSSL_cleanse(kpem.data, kpem.size);
		free(kpem.data);
	}
	return p;
}

static void log_pair(const char *msg, const struct pair *p)
{
	char na[32];
	snprintf(na, sizeof(na), "%lld", p->not_after);
	srv_log(SRV_INFO, msg, "cert", cert_path, "serial", p->serial,
		"not_after", na, NULL);
}

int srv_tls_load(const char *cp, const char *kp, struct err *err)
{
	struct file_id ci, ki;
	file_id_of(cp, &ci);
	file_id_of(kp, &ki);
	struct pair *p = pair_load(cp, kp, err);
	if (!p)
		return -1;
	pthread_mutex_lock(&mu);
	free(cert_path);
	free(key_path);
	cert_path = strdup(cp);
	key_path = strdup(kp);
	pair_free(cur);
	cur = p;
	cert_id = ci;
	key_id = ki;
	pthread_mutex_unlock(&mu);
	log_pair("certificate loaded", p);
	return (cert_path && key_path) ? 0 : err_nomem(err);
}

int srv_tls_maybe_reload(struct err *err)
{
	struct file_id ci, ki;
	if (!cert_path)
		return 0;
	file_id_of(cert_path, &ci);
	file_id_of(key_path, &ki);
	if (file_id_eq(&ci, &cert_id) && file_id_eq(&ki, &key_id))
		return 0;
	/* Remember what we tried: a bad pair is reported once, and retried
	 * only when a file changes again (e.g. the key arrives later). */
	cert_id = ci;
	key_id = ki;
	struct pair *p = pair_load(cert_path, key_path, err);
	if (!p)
		return -1;
	pthread_mutex_lock(&mu);
	pair_free(cur);
	cur = p;
	pthread_mutex_unlock(&mu);
	log_pair("certificate reloaded", p);
	return 1;
}

static int retrieve(gnutls_session_t s, const struct gnutls_cert_retr_st *info,
		    gnutls_pcert_st **certs, unsigned int *ncerts,
		    gnutls_ocsp_data_st **ocsp, unsigned int *nocsp,
		    gnutls_privkey_t *pkey, unsigned int *flags)
{
	(void)s;
	(void)info;
	gnutls_pcert_st *pc = NULL;
	gnutls_privkey_t key = NULL;
	unsigned n = 0;
	int rc = GNUTLS_E_INSUFFICIENT_CREDENTIALS;

	*ocsp = NULL;
	*nocsp = 0;
	pthread_mutex_lock(&mu);
	if (!cur)
		goto out;
	pc = gnutls_calloc(cur->ncerts, sizeof(*pc));
	if (!pc)
		goto out;
	for (; n < cur->ncerts; n++)
		if ((rc = gnutls_pcert_import_x509_raw(&pc[n], &cur->certs[n],
						       GNUTLS_X509_FMT_DER,
						       0)) < 0)
			goto out;
	if ((rc = gnutls_privkey_init(&key)) < 0 ||
	    (rc = gnutls_privkey_import_x509_raw(key, &cur->key,
						 GNUTLS_X509_FMT_DER, NULL,
						 GNUTLS_PKCS_PLAIN)) < 0)
		goto out;
	*certs = pc;
	*ncerts = n;
	*pkey = key;
	*flags = GNUTLS_CERT_RETR_DEINIT_ALL;
	pc = NULL;
	key = NULL;
	rc = 0;
out:
	pthread_mutex_unlock(&mu);
	if (pc) {
		for (unsigned i = 0; i < n; i++)
			gnutls_pcert_deinit(&pc[i]);
		gnutls_free(pc);
	}
	if (key)
		gnutls_privkey_deinit(key);
	return rc;
}

void *srv_tls_callback(void)
{
	return (void *)retrieve;
}

bool srv_tls_ready(void)
{
	pthread_mutex_lock(&mu);
	bool ok = cur != NULL;
	pthread_mutex_unlock(&mu);
	return ok;
}

long long srv_tls_not_after(void)
{
	pthread_mutex_lock(&mu);
	long long t = cur ? cur->not_after : 0;
	pthread_mutex_unlock(&mu);
	return t;
}

void srv_tls_cleanup(void)
{
	pthread_mutex_lock(&mu);
	pair_free(cur);
	cur = NULL;
	free(cert_path);
	free(key_path);
	cert_path = key_path = NULL;
	pthread_mutex_unlock(&mu);
}
