/*
 * skim.c — drop request.oldObject from a large review body before it is
 * parsed (skim.h).
 *
 * No rule reads oldObject, yet on an UPDATE it is as large as the object:
 * parsing it doubles the cost of the largest reviews (a 1 MiB ConfigMap:
 * 3 to 15 MB of JSON, mostly the two copies). This is a structural scan,
 * not a parser: strings are skipped with memchr up to an unescaped quote,
 * brackets are counted, and the value of the member "oldObject" of the
 * top-level member "request" (keys compared as raw bytes) is replaced in
 * place by null. Anything unexpected — truncated input, a key that is not
 * a string, an escaped key — stops the scan and leaves the body as it was,
 * so jansson sees and reports every malformed body as before; only the
 * content of oldObject itself is no longer validated.
 */
#include <stdbool.h>
#include <string.h>

#include "skim.h"

static size_t ws(const char *s, size_t i, size_t n)
{
	while (i < n &&
	       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* s[i] is '"': the index after the closing quote, 0 when there is none. */
static size_t str_end(const char *s, size_t i, size_t n)
{
	i++;
	while (i < n) {
		const char *q = memchr(s + i, '"', n - i);
		if (!q)
			return 0;
		size_t j = (size_t)(q - s), bs = 0;
		while (j - bs > i && s[j - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return j + 1;
		i = j + 1;
	}
	return 0;
}

/* The index after the value starting at s[i] (no leading blanks), 0 when
 * it is not a well-bracketed value. */
static size_t value_end(const char *s, size_t i, size_t n)
{
	if (i >= n)
		return 0;
	if (s[i] == '"')
		return str_end(s, i, n);
	if (s[i] != '{' && s[i] != '[') {
		size_t j = i;
		while (j < n && !strchr(",}] \t\n\r", s[j]))
			j++;
		return j > i ? j : 0;
	}
	size_t depth = 0;
	while (i < n) {
		char c = s[i];
		if (c == '"') {
			i = str_end(s, i, n);
			if (!i)
				return 0;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		}
		i++;
	}
	return 0;
}

/* In the object at s[i] ('{'), find member key; sets [*vs,*ve) to its
 * value. Returns false when absent or on anything unexpected. */
static bool member(const char *s, size_t i, size_t n, const char *key,
		   size_t *vs, size_t *ve)
{
	size_t kl = strlen(key);
	if (i >= n || s[i] != '{')
		return false;
	i = ws(s, i + 1, n);
	while (i < n && s[i] == '"') {
		size_t ke = str_end(s, i, n);
		if (!ke)
			return false;
		bool hit = ke - i - 2 == kl && memcmp(s + i + 1, key, kl) == 0;
		i = ws(s, ke, n);
		if (i >= n || s[i] != ':')
			return false;
		i = ws(s, i + 1, n);
		size_t e = value_end(s, i, n);
		if (!e)
			return false;
		if (hit) {
			*vs = i;
			*ve = e;
			return true;
		}
		i = ws(s, e, n);
		if (i >= n || s[i] != ',')
			return false;
		i = ws(s, i + 1, n);
	}
	return false;
}

size_t srv_skim_old_object(char *s, size_t n)
{
	size_t rs, re, os, oe;
	if (n < SKIM_MIN_BODY)
		return n;
	size_t i = ws(s, 0, n);
	if (!member(s, i, n, "request", &rs, &re) ||
	    !member(s, rs, re, "oldObject", &os, &oe) || oe - os <= 4)
		return n;
	memcpy(s + os, "null", 4);
	memmove(s + os + 4, s + oe, n - oe);
	return n - (oe - os - 4);
}
