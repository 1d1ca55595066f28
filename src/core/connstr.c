/*
 * connstr.c — connection-string scanning and redaction (connstr.h).
 *
 * One pass over the text finds URI/JDBC tokens and keyword/value pairs; the
 * same walk feeds the judge (connstr_scan) and the redactor
 * (connstr_redact), so whatever is recognised as a password is also what
 * gets masked. When in doubt the walker errs towards treating text as a
 * password: over-redaction is harmless, a leak is not.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/connstr.h"
#include "pgadmit/strbuf.h"

#define MAX_RANGES 64
#define MASK "****"

struct range {
	size_t a, b; /* [a, b) */
};

struct walk {
	struct connstr_scan *scan;
	struct range r[MAX_RANGES];
	size_t nr;
	bool overflow; /* more passwords than ranges: redact the rest bluntly */
	size_t overflow_at;
};

static bool is_ref_name0(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_ref_name(int c)
{
	return isalnum(c) || c == '_';
}

/* One or more $(VAR) / ${VAR...} / $VAR and nothing else. */
static bool is_reference_n(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return false;
	while (i < n) {
		if (s[i] != '$' || i + 1 >= n)
			return false;
		char c = s[i + 1];
		if (c == '(') {
			size_t j = i + 2;
			while (j < n && is_ref_name((unsigned char)s[j]))
				j++;
			if (j == i + 2 || j >= n || s[j] != ')')
				return false;
			i = j + 1;
		} else if (c == '{') {
			size_t j = i + 2;
			if (j >= n || !is_ref_name0((unsigned char)s[j]))
				return false;
			while (j < n && is_ref_name((unsigned char)s[j]))
				j++;
			/* ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?err} ... */
			while (j < n && s[j] != '}' && s[j] != '$')
				j++;
			if (j >= n || s[j] != '}')
				return false;
			i = j + 1;
		} else if (is_ref_name0((unsigned char)c)) {
			size_t j = i + 1;
			while (j < n && is_ref_name((unsigned char)s[j]))
				j++;
			i = j;
		} else {
			return false;
		}
	}
	return true;
}

bool connstr_is_reference(const char *s)
{
	return s && is_reference_n(s, strlen(s));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode s[0..n) into out (size cap), NUL-terminated, truncated. */
static void pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

static void add_password(struct walk *w, const char *s, size_t a, size_t b)
{
	if (b <= a || is_reference_n(s + a, b - a))
		return;
	w->scan->has_password = true;
	if (w->nr < MAX_RANGES) {
		w->r[w->nr].a = a;
		w->r[w->nr].b = b;
		w->nr++;
	} else if (!w->overflow) {
		w->overflow = true;
		w->overflow_at = a;
	}
}

static void set_ssl(struct walk *w, const char *key, const char *val)
{
	if (!w->scan->ssl_disabled)
		snprintf(w->scan->ssl_setting, sizeof(w->scan->ssl_setting),
			 "%.8s=%.16s", key, val);
	w->scan->ssl_disabled = true;
}

static bool is_sslmode_off(const char *v)
{
	return strcasecmp(v, "disable") == 0 || strcasecmp(v, "allow") == 0;
}

/* Characters that end a URI embedded in text. */
static bool uri_stop(int c)
{
	return c == '\0' || isspace(c) || c == '"' || c == '\'' || c == '`' ||
	       c == '<' || c == '>';
}

/* Length of a recognised scheme prefix at s (through "://"), else 0. */
static size_t scheme_at(const char *s, bool *jdbc)
{
	*jdbc = false;
	if (strncasecmp(s, "jdbc:postgresql://", 18) == 0) {
		*jdbc = true;
		return 18;
	}
	if (strncasecmp(s, "postgres://", 11) == 0)
		return 11;
	if (strncasecmp(s, "postgresql://", 13) == 0)
		return 13;
	if (strncasecmp(s, "postgresql+", 11) == 0) {
		size_t i = 11;
		while (isalnum((unsigned char)s[i]) || s[i] == '_')
			i++;
		if (i > 11 && strncmp(s + i, "://", 3) == 0)
			return i + 3;
	}
	return 0;
}

static void uri_query(struct walk *w, const char *s, size_t a, size_t b,
		      bool jdbc)
{
	size_t i = a;
	while (i < b) {
		size_t e = i;
		while (e < b && s[e] != '&')
			e++;
		size_t eq = i;
		while (eq < e && s[eq] != '=')
			eq++;
		if (eq < e) {
			char key[32], val[32];
			pct_decode(s + i, eq - i, key, sizeof(key));
			pct_decode(s + eq + 1, e - eq - 1, val, sizeof(val));
			if (strcasecmp(key, "password") == 0)
				add_password(w, s, eq + 1, e);
			else if (strcasecmp(key, "sslmode") == 0 &&
				 is_sslmode_off(val))
				set_ssl(w, "sslmode", val);
			else if (jdbc && strcasecmp(key, "ssl") == 0 &&
				 strcasecmp(val, "false") == 0)
				set_ssl(w, "ssl", val);
		}
		i = e + 1;
	}
}

static bool has_any(const char *s, size_t a, size_t b, const char *set)
{
	for (size_t i = a; i < b; i++)
		if (strchr(set, s[i]))
			return true;
	return false;
}

/* s[start..end) is a URI; p is just after "://". */
static void parse_uri(struct walk *w, const char *s, size_t p, size_t end,
		      bool jdbc)
{
	size_t at = end, rest = p;
	for (size_t i = p; i < end; i++)
		if (s[i] == '@')
			at = i;
	if (at < end) {
		size_t colon = p;
		while (colon < at && s[colon] != ':')
			colon++;
		if (colon < at && !has_any(s, p, colon, "/?#")) {
			add_password(w, s, colon + 1, at); /* user:password@ */
			rest = at + 1;
		} else if (colon == at && !has_any(s, p, at, "/?#")) {
			rest = at + 1; /* user@ */
		}
	}
	size_t q = rest;
	while (q < end && s[q] != '?')
		q++;
	if (q < end) {
		size_t h = q;
		while (h < end && s[h] != '#')
			h++;
		uri_query(w, s, q + 1, h, jdbc);
	}
}

static bool kv_boundary(const char *s, size_t i)
{
	if (i == 0)
		return true;
	char c = s[i - 1];
	return isspace((unsigned char)c) || strchr("'\"`(;&|,{", c);
}

/* Keyword at s+i followed by optional blanks and '='; returns index after
 * '=' and blanks, or 0 when it does not match. */
static size_t kv_key(const char *s, size_t i, const char *kw)
{
	size_t n = strlen(kw);
	if (strncasecmp(s + i, kw, n) != 0)
		return 0;
	size_t j = i + n;
	while (s[j] == ' ' || s[j] == '\t')
		j++;
	if (s[j] != '=')
		return 0;
	j++;
	size_t v = j;
	while (s[j] == ' ' || s[j] == '\t')
		j++;
	/* libpq skips blanks after '=', but "password= user=x" is an empty
	 * password followed by the next keyword, not the password "user=x". */
	if (j > v && s[j] != '\'') {
		size_t k = j;
		while (s[k] && !isspace((unsigned char)s[k]) && s[k] != '=')
			k++;
		if (s[k] == '=')
			return v;
	}
	return j;
}

/* Parse a libpq value at s+j: sets [*va,*vb) and returns the end. */
static size_t kv_value(const char *s, size_t j, size_t *va, size_t *vb)
{
	if (s[j] == '\'') {
		size_t k = j + 1;
		while (s[k] && s[k] != '\'') {
			if (s[k] == '\\' && s[k + 1])
				k++;
			k++;
		}
		*va = j + 1;
		*vb = k;
		return s[k] ? k + 1 : k;
	}
	size_t k = j;
	while (s[k] && !isspace((unsigned char)s[k])) {
		if (s[k] == '\\' && s[k + 1])
			k++;
		k++;
	}
	size_t b = k;
	/* the closing quote of an enclosing shell/JSON string is not part of
	 * the value: sh -c "pg_dump 'host=x password=y'" */
	while (b > j && strchr("'\"`;", s[b - 1]))
		b--;
	*va = j;
	*vb = b;
	return k;
}

static void walk(const char *s, struct walk *w)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		bool jdbc;
		size_t sl;
		if ((i == 0 || !(isalnum((unsigned char)s[i - 1]) ||
				 strchr("+-._", s[i - 1]))) &&
		    (sl = scheme_at(s + i, &jdbc)) > 0) {
			size_t end = i + sl;
			while (!uri_stop((unsigned char)s[end]))
				end++;
			w->scan->count++;
			parse_uri(w, s, i + sl, end, jdbc);
			i = end;
			continue;
		}
		if (kv_boundary(s, i)) {
			size_t j, va, vb;
			if ((j = kv_key(s, i, "password")) ||
			    (j = kv_key(s, i, "pgpassword"))) {
				w->scan->count++;
				i = kv_value(s, j, &va, &vb);
				add_password(w, s, va, vb);
				continue;
			}
			if ((j = kv_key(s, i, "sslmode"))) {
				w->scan->count++;
				size_t next = kv_value(s, j, &va, &vb);
				char val[32];
				size_t len = vb - va;
				if (len < sizeof(val) && !has_any(s, va, vb, ":@/")) {
					memcpy(val, s + va, len);
					val[len] = '\0';
					if (is_sslmode_off(val))
						set_ssl(w, "sslmode", val);
					i = next;
				} else {
					/* Not an sslmode value: scan inside it, a
					 * URI with a password may follow. */
					i = j;
				}
				continue;
			}
		}
		i++;
	}
}

size_t connstr_scan(const char *text, struct connstr_scan *out)
{
	struct walk w;
	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.scan = out;
	if (text)
		walk(text, &w);
	return out->count;
}

char *connstr_redact(const char *text)
{
	struct connstr_scan scan;
	struct walk w;
	struct strbuf sb = STRBUF_INIT;
	if (!text)
		text = "";
	memset(&scan, 0, sizeof(scan));
	memset(&w, 0, sizeof(w));
	w.scan = &scan;
	walk(text, &w);
	size_t pos = 0;
	for (size_t k = 0; k < w.nr; k++) {
		sb_append(&sb, text + pos, w.r[k].a - pos);
		sb_puts(&sb, MASK);
		pos = w.r[k].b;
	}
	if (w.overflow) {
		/* Pathological input: mask everything after the last range. */
		sb_puts(&sb, MASK);
	} else {
		sb_puts(&sb, text + pos);
	}
	sb_putc(&sb, '\0'); /* make sure an empty result is allocated */
	return sb_detach(&sb);
}

char *connstr_redact_quote(const char *text, size_t max)
{
	char *r = connstr_redact(text);
	if (!r)
		return NULL;
	for (char *p = r; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (max < 4)
		max = 4;
	size_t len = strlen(r);
	if (len > max) {
		/* do not cut a UTF-8 sequence in half */
		size_t cut = max - 3;
		while (cut > 0 && ((unsigned char)r[cut] & 0xC0) == 0x80)
			cut--;
		memcpy(r + cut, "...", 4);
	}
	return r;
}
