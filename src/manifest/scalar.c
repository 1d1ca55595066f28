/*
 * scalar.c — YAML 1.1 scalar resolution as Kubernetes sees it (scalar.h).
 *
 * kubectl reads YAML with go-yaml v2 and converts to JSON, so `yes`, `on` and
 * `y` are booleans, `0755` is 493 and `1_000` is 1000, while quoted and block
 * scalars are always strings. Only untagged plain scalars come here.
 * Strings are made without jansson's UTF-8 check: libyaml has checked the
 * input (and its escapes) already.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scalar.h"

#define NUM_MAX 128

struct word {
	const char *s;
	size_t len;
};
#define W(x)                                                                   \
	{                                                                      \
		x, sizeof(x) - 1                                               \
	}

static int eq_any(const char *s, size_t len, const struct word *words)
{
	for (; words->s; words++)
		if (words->len == len && memcmp(words->s, s, len) == 0)
			return 1;
	return 0;
}

static const struct word nulls[] = {W("~"),
				    W("null"),
				    W("Null"),
				    W("NULL"),
				    {NULL, 0}};
static const struct word trues[] = {W("y"),   W("Y"),    W("yes"),  W("Yes"),
				    W("YES"), W("true"), W("True"), W("TRUE"),
				    W("on"),  W("On"),   W("ON"),   {NULL, 0}};
static const struct word falses[] = {W("n"),     W("N"),     W("no"),
				     W("No"),    W("NO"),    W("false"),
				     W("False"), W("FALSE"), W("off"),
				     W("Off"),   W("OFF"),   {NULL, 0}};

/* Integer per Go's strconv.ParseInt(s, 0, 64) after removing '_'; values
 * above INT64_MAX up to UINT64_MAX become reals (JSON numbers). Returns 1
 * and sets *out (or *real and *is_real), 0 if not an integer. */
static int parse_int(const char *s, long long *out, double *real, int *is_real)
{
	int neg = 0;
	*is_real = 0;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return 0;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s += 1;
	if (!*s)
		return 0;
	uint64_t v = 0;
	int overflow = 0;
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return 0;
		if (d >= base)
			return 0;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (overflow)
		return 0; /* go-yaml falls back to float */
	if (!neg && v <= (uint64_t)INT64_MAX) {
		*out = (long long)v;
		return 1;
	}
	if (neg && v <= (uint64_t)INT64_MAX + 1) {
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(long long)v;
		return 1;
	}
	if (neg)
		return 0;
	*real = (double)v;
	*is_real = 1;
	return 1;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int is_float(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	} else {
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '.') {
			s++;
			while (*s >= '0' && *s <= '9')
				s++;
		}
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static json_t *as_number(const char *s, size_t len)
{
	char buf[NUM_MAX];
	size_t n = 0;
	if (len >= NUM_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			buf[n++] = s[i];
	buf[n] = '\0';
	if (n == 0)
		return NULL;
	long long iv;
	double rv;
	int is_real;
	if (parse_int(buf, &iv, &rv, &is_real))
		return is_real ? json_real(rv) : json_integer(iv);
	if (is_float(buf)) {
		errno = 0;
		double d = strtod(buf, NULL);
		if (errno == 0 && isfinite(d))
			return json_real(d);
	}
	return NULL;
}

/* Can c start a null or a boolean word? */
static int starts_word(char c)
{
	switch (c) {
	case '~':
	case 'n':
	case 'N':
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case 'f':
	case 'F':
	case 'o':
	case 'O': return 1;
	default: return 0;
	}
}
static int starts_number(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}
int scalar_is_string(const char *s, size_t len)
{
	if (len == 0 || starts_number(s[0]))
		return 0; /* null, or maybe a number: let scalar_resolve say */
	if (len <= 5 && starts_word(s[0]))
		return !eq_any(s, len, nulls) && !eq_any(s, len, trues) &&
		       !eq_any(s, len, falses);
	return 1;
}
json_t *scalar_resolve(const char *s, size_t len)
{
	if (len == 0)
		return json_null();
	char c = s[0];
	/* Most scalars are names and images: skip the word lists unless the
	 * first letter can start a null or a boolean. */
	if (len <= 5 && starts_word(c)) {
		if (eq_any(s, len, nulls))
			return json_null();
		if (eq_any(s, len, trues))
			return json_true();
		if (eq_any(s, len, falses))
			return json_false();
	}
	if (starts_number(c)) {
		json_t *num = as_number(s, len);
		if (num)
			return num;
	}
	return json_stringn_nocheck(s, len);
}

json_t *scalar_tagged(const char *tag, const char *s, size_t len, int *bad)
{
	*bad = 0;
	if (strcmp(tag, "tag:yaml.org,2002:str") == 0 ||
	    strcmp(tag, "tag:yaml.org,2002:binary") == 0 ||
	    strcmp(tag, "tag:yaml.org,2002:timestamp") == 0 ||
	    strcmp(tag, "!") == 0)
		return json_stringn_nocheck(s, len);
	if (strcmp(tag, "tag:yaml.org,2002:null") == 0)
		return json_null();
	json_t *v = scalar_resolve(s, len);
	if (!v)
		return NULL;
	int ok = 1;
	if (strcmp(tag, "tag:yaml.org,2002:bool") == 0)
		ok = json_is_boolean(v);
	else if (strcmp(tag, "tag:yaml.org,2002:int") == 0)
		ok = json_is_integer(v);
	else if (strcmp(tag, "tag:yaml.org,2002:float") == 0) {
		ok = json_is_number(v);
		if (ok && json_is_integer(v)) {
			json_t *r = json_real((double)json_integer_value(v));
			json_decref(v);
			v = r;
		}
	}
	/* Any other (application) tag: resolve as if untagged. */
	if (!ok) {
		json_decref(v);
		*bad = 1;
		return NULL;
	}
	return v;
}
