/* bare_server.c — the ceiling for pgadmit serve in make bench-serve: the
 * same libmicrohttpd (epoll thread pool, one thread per CPU), GnuTLS (same
 * priority string) and jansson, doing only what every webhook must: read
 * the body, parse it (json_loadb, as pgadmit does), take request.uid and
 * answer "allowed". No rules, no logs, no metrics, no limits.
 *   usage: bare_server CERT.pem KEY.pem   (prints "port N", runs until
 *   SIGTERM/SIGINT) */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PRIORITIES                                                             \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:" \
	"+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" \
	"+ECDHE-RSA"

struct body {
	char *buf;
	size_t len, cap;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status,
			      char *text, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, text,
						MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	(void)cls, (void)url, (void)method, (void)version;
	struct body *b = *con_cls;
	if (!b) {
		b = calloc(1, sizeof(*b));
		*con_cls = b;
		return b ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		if (b->len + *upload_size > b->cap) {
			size_t cap = (b->len + *upload_size) * 2;
			char *nb = realloc(b->buf, cap);
			if (!nb)
				return MHD_NO;
			b->buf = nb;
			b->cap = cap;
		}
		memcpy(b->buf + b->len, upload, *upload_size);
		b->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	json_error_t je;
	json_t *root = json_loadb(b->buf ? b->buf : "", b->len,
				  JSON_REJECT_DUPLICATES, &je);
	const char *uid = json_string_value(
		json_object_get(json_object_get(root, "request"), "uid"));
	char *out = malloc(256);
	if (!out) {
		json_decref(root);
		return MHD_NO;
	}
	int n = uid && strlen(uid) < 128
			? snprintf(out, 256,
				   "{\"apiVersion\":\"admission.k8s.io/v1\","
				   "\"kind\":\"AdmissionReview\",\"response\":"
				   "{\"uid\":\"%s\",\"allowed\":true}}",
				   uid)
			: snprintf(out, 256, "{\"error\":\"bad review\"}");
	json_decref(root);
	return answer(c, uid ? 200 : 400, out, (size_t)n);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	struct body *b = *con_cls;
	if (b) {
		free(b->buf);
		free(b);
		*con_cls = NULL;
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *s = calloc(1, 1 << 16);
	size_t n = s ? fread(s, 1, (1 << 16) - 1, f) : 0;
	fclose(f);
	if (s && n == 0) {
		free(s);
		s = NULL;
	}
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bare_server CERT KEY\n");
		return 2;
	}
	char *cert = slurp(argv[1]), *key = slurp(argv[2]);
	if (!cert || !key) {
		fprintf(stderr,
			"bare_server: cannot read the certificate or key\n");
		return 2;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* port 0: any free one */
	json_object_seed(0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TLS | MHD_USE_TURBO, 0,
		NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)(cpus > 0 ? cpus : 2), MHD_OPTION_CONNECTION_TIMEOUT,
		10u, MHD_OPTION_CONNECTION_LIMIT, 1024u,
		MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
		MHD_OPTION_HTTPS_PRIORITIES, PRIORITIES,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bare_server: cannot start\n");
		return 1;
	}
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("port %u\n", di ? di->port : 0);
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	free(cert);
	free(key);
	return 0;
}
