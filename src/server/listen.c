/* listen.c — "ADDR:PORT", ":PORT" and "[ADDR]:PORT" to a socket address
 * (server.h srv_parse_listen). Pure apart from getaddrinfo. */
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

int srv_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     bool *any, struct err *err)
{
	char host[256];
	const char *port;
	*any = false;
	if (!s || !*s)
		return err_set(err, "empty listen address");
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' ||
		    (size_t)(close - s - 1) >= sizeof(host))
			return err_set(err,
				       "listen address '%s': expected "
				       "[ADDR]:PORT",
				       s);
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon ||
		    (size_t)(colon - s) >= sizeof(host))
			return err_set(err,
				       "listen address '%s': expected "
				       "ADDR:PORT, :PORT or [ADDR]:PORT",
				       s);
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535)
		return err_set(err, "listen address '%s': bad port", s);
	memset(ss, 0, sizeof(*ss));
	if (!*host) {
		*any = true;
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_any;
		a->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a);
		return 0;
	}
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res)
		return err_set(err, "listen address '%s': %s", s,
			       gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	freeaddrinfo(res);
	return 0;
}
