/* strbuf.c — see strbuf.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/strbuf.h"
#include "pgadmit/utf8.h"

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static bool grow(struct strbuf *sb, size_t extra)
{
	if (sb->oom)
		return false;
	if (extra >= SIZE_MAX / 2 - sb->len) {
		sb->oom = true;
		return false;
	}
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	char *nb = realloc(sb->buf, cap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	sb->buf = nb;
	sb->cap = cap;
	return true;
}

void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (!grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_append(sb, &c, 1);
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sb_append(sb, small, (size_t)n);
		return;
	}
	if (!grow(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_json_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	size_t left = strlen(s);
	while (*p) {
		size_t l = 1;
		if (*p >= 0x80) {
			/* Valid UTF-8 passes as is; an invalid byte (a library
			 * message cut inside a character, a file name in another
			 * encoding) becomes U+FFFD, so the JSON stays valid. */
			l = utf8_seq_len(p, left);
			if (l) {
				p += l;
				left -= l;
				continue;
			}
			sb_append(sb, (const char *)run, (size_t)(p - run));
			sb_puts(sb, "\\ufffd");
			run = ++p;
			left--;
			continue;
		}
		if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f) {
			p++;
			left--;
			continue;
		}
		sb_append(sb, (const char *)run, (size_t)(p - run));
		switch (*p) {
		case '"': sb_puts(sb, "\\\""); break;
		case '\\': sb_puts(sb, "\\\\"); break;
		case '\n': sb_puts(sb, "\\n"); break;
		case '\r': sb_puts(sb, "\\r"); break;
		case '\t': sb_puts(sb, "\\t"); break;
		default: {
			char u[7] = {'\\',         'u',          '0', '0',
				     hex[*p >> 4], hex[*p & 15], 0};
			sb_puts(sb, u);
		}
		}
		run = ++p;
		left--;
	}
	sb_append(sb, (const char *)run, (size_t)(p - run));
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf && sb->len ? sb->buf : "";
}

char *sb_detach(struct strbuf *sb)
{
	if (sb->oom) {
		sb_free(sb);
		return NULL;
	}
	char *r = sb->buf;
	if (!r)
		r = calloc(1, 1);
	sb_init(sb);
	return r;
}
