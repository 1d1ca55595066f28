/* jsonesc.c — JSON string content, measured and decoded as jansson would
 * (jsonesc.h). One loop shape for both: plain ASCII runs byte by byte
 * without a branch per kind, escapes and UTF-8 sequences on the side. */
#include "pgadmit/jsonesc.h"

#include <string.h>

#include "pgadmit/utf8.h"

/* a hex digit's value plus one; 0 for any other byte */
static const unsigned char hexp1[256] = {
	['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

long jsonesc_hex4(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	int a = hexp1[u[0]] - 1, b = hexp1[u[1]] - 1, c = hexp1[u[2]] - 1,
	    d = hexp1[u[3]] - 1;
	if ((a | b | c | d) < 0)
		return -1;
	return (long)a << 12 | b << 8 | c << 4 | d;
}

/* The escape at s[i] ('\\'): its code point (or the byte of a one-letter
 * escape) and its length in *elen; -1 when jansson would refuse it. */
static long escape_at(const char *s, size_t i, size_t n, size_t *elen)
{
	if (i + 1 >= n)
		return -1;
	switch (s[i + 1]) {
	case '"': *elen = 2; return '"';
	case '\\': *elen = 2; return '\\';
	case '/': *elen = 2; return '/';
	case 'b': *elen = 2; return '\b';
	case 'f': *elen = 2; return '\f';
	case 'n': *elen = 2; return '\n';
	case 'r': *elen = 2; return '\r';
	case 't': *elen = 2; return '\t';
	case 'u': break;
	default: return -1;
	}
	long v = i + 6 <= n ? jsonesc_hex4(s + i + 2) : -1;
	if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF))
		return -1; /* bad digits, \u0000, a lone low surrogate */
	*elen = 6;
	if (v < 0xD800 || v > 0xDBFF)
		return v;
	long w = i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u'
			 ? jsonesc_hex4(s + i + 8)
			 : -1;
	if (w < 0xDC00 || w > 0xDFFF)
		return -1; /* a high surrogate without its low half */
	*elen = 12;
	return 0x10000 + ((v - 0xD800) << 10) + (w - 0xDC00);
}

static size_t utf8_len(long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

bool jsonesc_measure(const char *s, size_t n, size_t *dlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, d = 0;
	while (i < n) {
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			i++;
			d++;
		} else if (c == '\\') {
			size_t elen = 0;
			long cp = escape_at(s, i, n, &elen);
			if (cp < 0)
				return false;
			i += elen;
			d += utf8_len(cp);
		} else if (c < 0x20) {
			return false;
		} else {
			size_t l = utf8_seq_len(u + i, n - i);
			if (!l)
				return false;
			i += l;
			d += l;
		}
	}
	*dlen = d;
	return true;
}

void jsonesc_decode(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;
	while (i < n) {
		if (s[i] != '\\') { /* measured: plain or valid UTF-8 */
			const char *b = memchr(s + i, '\\', n - i);
			size_t run = b ? (size_t)(b - (s + i)) : n - i;
			memcpy(out + o, s + i, run);
			o += run;
			i += run;
			continue;
		}
		size_t elen = 0;
		long cp = escape_at(s, i, n, &elen);
		i += elen;
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xE0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | cp >> 18);
			out[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
}
