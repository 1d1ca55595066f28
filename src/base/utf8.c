/*
 * utf8.c — strict UTF-8 decoding and lossy repair (utf8.h).
 */
#include <stdlib.h>
#include <string.h>

#include "pgadmit/utf8.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned min, cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, min = 0x80, cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, min = 0x800, cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0; /* continuation byte, C0/C1, F5..FF */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

size_t utf8_boundary(const char *s, size_t len, size_t max)
{
	if (max >= len)
		return len;
	size_t cut = max;
	/* back over continuation bytes, at most three */
	while (cut > 0 && max - cut < 3 &&
	       ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	if (((unsigned char)s[cut] & 0xC0) == 0x80)
		return max; /* not UTF-8 anyway: any cut is as good */
	return cut;
}

char *utf8_lossy(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s), bad = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (!l) {
			bad++;
			l = 1;
		}
		i += l;
	}
	char *out = malloc(n + 2 * bad + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (l) {
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
		} else {
			memcpy(out + o, REPLACEMENT, 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

json_t *utf8_json_string(const char *s)
{
	if (!s)
		return NULL;
	if (utf8_valid(s, strlen(s)))
		return json_string(s);
	char *fixed = utf8_lossy(s);
	if (!fixed)
		return NULL;
	json_t *j = json_string(fixed);
	free(fixed);
	return j;
}
