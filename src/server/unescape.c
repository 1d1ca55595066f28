/*
 * unescape.c — \u escapes of printable ASCII rewritten as the character
 * (unescape.h).
 *
 * One pass with a read index i and a write index o <= i. Outside strings
 * nothing is touched (memchr to the next quote). Inside a string the next
 * quote and the next backslash are found with memchr and remembered until
 * passed, so plain runs cost memchr and memmove only. A backslash always
 * takes the next byte with it (\\ and \" stay pairs), so the string's end
 * is found exactly as a JSON parser finds it.
 */
#include <stdbool.h>
#include <string.h>

#include "pgadmit/jsonesc.h"
#include "unescape.h"

static size_t find(const char *s, size_t i, size_t n, char c)
{
	const char *p = i < n ? memchr(s + i, c, n - i) : NULL;
	return p ? (size_t)(p - s) : n;
}

/* Move s[i..i+len) to s[o..): o <= i. */
static void put(char *s, size_t o, size_t i, size_t len)
{
	if (o != i && len)
		memmove(s + o, s + i, len);
}

size_t srv_unescape_ascii(char *s, size_t n)
{
	if (n < UNESCAPE_MIN_BODY)
		return n;
	size_t i = 0, o = 0;
	size_t nq = 0, nb = 0; /* next '"' and '\\' at or after i (n: none) */
	bool have_b = false;
	while (i < n) {
		/* outside a string: up to and including the opening quote */
		size_t j = find(s, i, n, '"');
		j = j < n ? j + 1 : n;
		put(s, o, i, j - i);
		o += j - i;
		i = j;
		nq = find(s, i, n, '"');
		while (i < n) { /* inside a string */
			/* escapes one after the other (the worst case is
			 * nothing else) are taken here, without a search */
			while (i < n && s[i] == '\\') {
				long v = i + 6 <= n && s[i + 1] == 'u'
						 ? jsonesc_hex4(s + i + 2)
						 : -1;
				if (v >= 0x20 && v < 0x7f && v != '"' &&
				    v != '\\') {
					s[o++] = (char)v;
					i += 6;
				} else if (v >= 0) { /* other \uHHHH: kept */
					put(s, o, i, 6);
					o += 6;
					i += 6;
				} else { /* any other escape: kept */
					s[o++] = s[i++];
					if (i < n)
						s[o++] = s[i++];
				}
			}
			if (i >= n)
				break;
			if (nq < i) /* that quote was escaped */
				nq = find(s, i, n, '"');
			if (!have_b || nb < i)
				nb = find(s, i, n, '\\'), have_b = true;
			if (nq < nb) { /* plain bytes, then the closing quote */
				put(s, o, i, nq + 1 - i);
				o += nq + 1 - i;
				i = nq + 1;
				break;
			}
			put(s, o, i, nb - i); /* plain bytes up to an escape */
			o += nb - i;
			i = nb;
		}
	}
	return o;
}
