/*
 * base64.c — RFC 4648 base64 (base64.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/base64.h"
#include "pgadmit/strbuf.h"

static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "abcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encode into out (4 * ceil(len / 3) bytes), return the length. */
static size_t encode(char *out, const unsigned char *p, size_t len)
{
	size_t i = 0, o = 0;
	for (; i + 3 <= len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
			     p[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	return o;
}

void base64_append(struct strbuf *sb, const unsigned char *p, size_t len)
{
	char q[4 * 256];
	while (len > 0) {
		size_t chunk = len > 768 ? 768 : len; /* a multiple of 3 */
		sb_append(sb, q, encode(q, p, chunk));
		p += chunk;
		len -= chunk;
	}
}

char *base64_encode(const unsigned char *p, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (!out)
		return NULL;
	out[encode(out, p, len)] = '\0';
	return out;
}

static int val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

unsigned char *base64_decode(const char *in, size_t n, size_t *len)
{
	if (n == 0 || n % 4 != 0)
		return NULL;
	size_t pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	unsigned char *out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			bool tail = i + 4 == n && k >= 4 - (int)pad;
			v[k] = tail ? 0 : val((unsigned char)in[i + k]);
			if (v[k] < 0) {
				free(out);
				return NULL;
			}
		}
		unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
			     (unsigned)v[2] << 6 | (unsigned)v[3];
		out[o++] = (unsigned char)(w >> 16);
		out[o++] = (unsigned char)(w >> 8);
		out[o++] = (unsigned char)w;
	}
	o -= pad;
	out[o] = '\0';
	*len = o;
	return out;
}
