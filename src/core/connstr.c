/*
 * connstr.c — connection-string scanning and redaction (connstr.h).
 *
 * One pass over the text finds connection strings and parses each by its
 * grammar; the same walk feeds the judge (connstr_scan) and the redactor
 * (connstr_redact), so whatever is recognised as a password is also what
 * gets masked.
 *
 *   URI      scheme "://" authority [path] ["?" query] ["#" fragment]
 *            The authority ends at the first '/', '?' or '#'; the userinfo
 *            is what precedes the LAST '@' inside the authority, and its
 *            password what follows the first ':' of the userinfo. Query
 *            parameters are split on '&', keys and values percent-decoded
 *            for judging (never for printing).
 *   JDBC     "jdbc:postgresql:" then "//" authority as above, or a bare
 *            database name; parameters as a URI's.
 *   libpq    keyword = value pairs; a value is a run of non-blanks with
 *            backslash escapes, or single-quoted with \' and \\.
 *   shell    PGPASSWORD=<shell word> (quotes, escapes, expansions:
 *            shellword.c).
 *   bare     postgres_exporter's scheme-less [user[:pw]@]host:port/db?…
 *            (the host may be empty: ":5432/?sslmode=disable")
 *
 * Every password found is read as a shell word (add_password/add_word):
 * only expansions -> a reference, nothing masked; only literal defaults
 * besides expansions -> those defaults masked; else the whole password.
 *
 * When the text is not what the grammar allows (a password with a raw '/'
 * or '?' in the userinfo) the walker errs towards treating text as a
 * password: over-redaction is harmless, a leak is not.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/connstr.h"
#include "pgadmit/strbuf.h"
#include "shellword.h"

#define MAX_RANGES 64
#define MASK "****"
#define BARE_MAX 512 /* longest scheme-less authority looked at */

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

bool connstr_is_reference(const char *s)
{
	struct shell_word sw;
	if (!s)
		return false;
	shell_text(s, 0, strlen(s), &sw);
	return shell_is_reference(&sw);
}

bool connstr_is_literal_default(const char *s)
{
	struct shell_word sw;
	if (!s)
		return false;
	shell_text(s, 0, strlen(s), &sw);
	return !sw.literal && sw.ndefaults > 0;
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

/* Percent-decode s[0..n) into out (size cap), NUL-terminated. Returns
 * false when the decoded text did not fit (then it cannot be any of the
 * short words the judge compares with). */
static bool pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int h, l;
		if (o + 1 >= cap) {
			out[o] = '\0';
			return false;
		}
		if (s[i] == '%' && i + 2 < n &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == '+') {
			out[o++] = ' '; /* form encoding */
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return true;
}

static void add_range(struct walk *w, size_t a, size_t b)
{
	if (b <= a)
		return;
	if (w->nr < MAX_RANGES) {
		w->r[w->nr].a = a;
		w->r[w->nr].b = b;
		w->nr++;
	} else if (!w->overflow || a < w->overflow_at) {
		w->overflow = true;
		w->overflow_at = a;
	}
}

/*
 * A password word (rules.md "Shell reference"): nothing when it has no
 * literal character (only expansions, or empty); only its literal
 * defaults when those are all it has (${PW:-hunter2} -> ${PW:-****});
 * else the whole word. Judged when judge is set. Returns whether the
 * whole word was masked.
 */
static bool add_word(struct walk *w, const struct shell_word *sw, bool judge)
{
	if (sw->vb <= sw->va || (!sw->literal && sw->ndefaults == 0))
		return false;
	if (judge)
		w->scan->has_password = true;
	if (!sw->literal) {
		for (size_t k = 0; k < sw->ndefaults; k++)
			add_range(w, sw->defaults[k].a, sw->defaults[k].b);
		return false;
	}
	add_range(w, sw->va, sw->vb);
	return true;
}

/* A password at s[a..b), already cut out of its form: judged and masked
 * as add_word says. */
static bool add_password(struct walk *w, const char *s, size_t a, size_t b)
{
	struct shell_word sw;
	if (b <= a)
		return false;
	shell_text(s, a, b, &sw);
	return add_word(w, &sw, true);
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

static bool is_quote(int c)
{
	return c == '"' || c == '\'' || c == '`';
}

/* Length of a recognised scheme prefix at s, else 0. For JDBC the prefix
 * is "jdbc:postgresql:" and *slashes tells whether "//" follows. */
static size_t scheme_at(const char *s, bool *jdbc, bool *slashes)
{
	*jdbc = false;
	*slashes = true;
	if (strncasecmp(s, "jdbc:postgresql:", 16) == 0) {
		*jdbc = true;
		if (strncmp(s + 16, "//", 2) == 0)
			return 18;
		*slashes = false;
		return 16;
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

/* Where a URI starting at s[start] ends in surrounding text: at a blank,
 * at '<', '>', '"' or '`' (none of them legal in a URI), and at a single
 * quote only when one opened just before the URI ('postgresql://…'). */
static size_t uri_end(const char *s, size_t start, size_t from)
{
	char open = start > 0 && is_quote((unsigned char)s[start - 1])
			    ? s[start - 1]
			    : 0;
	size_t e = from;
	for (;; e++) {
		unsigned char c = (unsigned char)s[e];
		if (c == '\0' || isspace(c) || c == '<' || c == '>' ||
		    c == '"' || c == '`' || (c == '\'' && open == '\''))
			break;
	}
	return e;
}

static bool has_any(const char *s, size_t a, size_t b, const char *set)
{
	for (size_t i = a; i < b; i++)
		if (strchr(set, s[i]))
			return true;
	return false;
}

static size_t find_first(const char *s, size_t a, size_t b, const char *set)
{
	for (size_t i = a; i < b; i++)
		if (strchr(set, s[i]))
			return i;
	return b;
}

/* Is s[a..b) a libpq host list: host[:port] {"," host[:port]}, where a
 * host is a name, an address or a bracketed IPv6 address and a port is
 * digits? An empty host is allowed (postgresql:///db). With has_port, set
 * when some host names a port. */
static bool hosts_valid(const char *s, size_t a, size_t b, bool *has_port)
{
	size_t i = a;
	if (has_port)
		*has_port = false;
	for (;;) {
		if (i < b && s[i] == '[') {
			while (i < b && s[i] != ']')
				i++;
			if (i >= b)
				return false;
			i++;
		} else {
			while (i < b && (isalnum((unsigned char)s[i]) ||
					 strchr("-._~%", s[i])))
				i++;
		}
		if (i < b && s[i] == ':') {
			size_t d = ++i;
			while (i < b && isdigit((unsigned char)s[i]))
				i++;
			if (i > d && has_port)
				*has_port = true;
		}
		if (i >= b)
			return true;
		if (s[i] != ',')
			return false;
		i++;
	}
}

/* Query parameters in s[a..b), split on '&'. */
static void uri_query(struct walk *w, const char *s, size_t a, size_t b,
		      bool jdbc)
{
	size_t i = a;
	while (i < b) {
		size_t e = find_first(s, i, b, "&");
		size_t eq = find_first(s, i, e, "=");
		if (eq < e) {
			char key[16], val[16];
			bool kfit = pct_decode(s + i, eq - i, key, sizeof(key));
			bool vfit = pct_decode(s + eq + 1, e - eq - 1, val,
					       sizeof(val));
			if (kfit && (strcasecmp(key, "password") == 0 ||
				     strcasecmp(key, "pass") == 0))
				add_password(w, s, eq + 1, e);
			else if (kfit && vfit &&
				 strcasecmp(key, "sslmode") == 0 &&
				 is_sslmode_off(val))
				set_ssl(w, "sslmode", val);
			else if (kfit && vfit && jdbc &&
				 strcasecmp(key, "ssl") == 0 &&
				 strcasecmp(val, "false") == 0)
				set_ssl(w, "ssl", val);
		}
		i = e + 1;
	}
}

/* The userinfo s[p..at): a password after its first ':'. */
static void userinfo(struct walk *w, const char *s, size_t p, size_t at)
{
	size_t colon = find_first(s, p, at, ":");
	if (colon < at)
		add_password(w, s, colon + 1, at);
}

/*
 * A URI: s[p..end) follows the scheme's "//" (or is the rest of an
 * opaque "jdbc:postgresql:db?…" when !slashes). Returns where it ends.
 */
static size_t parse_uri(struct walk *w, const char *s, size_t start, size_t p,
			bool jdbc, bool slashes)
{
	size_t end = uri_end(s, start, p);
	size_t auth_end = slashes ? find_first(s, p, end, "/?#") : p;
	size_t at = auth_end;
	for (size_t i = p; i < auth_end; i++)
		if (s[i] == '@')
			at = i;
	if (at < auth_end) {
		userinfo(w, s, p, at);
	} else if (slashes && !hosts_valid(s, p, auth_end, NULL) &&
		   has_any(s, p, auth_end, ":")) {
		/*
		 * Not a host list, so not what the grammar allows: most likely
		 * a password with a raw '/', '?' or '#' ("u:pa/ss@h/db"). The
		 * userinfo then ends at the last '@' after which a host list
		 * stands; look up to the next blank, the URI may also have been
		 * cut at a raw quote.
		 */
		size_t lim = end;
		while (s[lim] && !isspace((unsigned char)s[lim]))
			lim++;
		size_t cand = lim, any = lim;
		for (size_t i = auth_end; i < lim; i++) {
			if (s[i] != '@')
				continue;
			any = i;
			size_t he = find_first(s, i + 1, lim, "/?#");
			if (hosts_valid(s, i + 1, he, NULL))
				cand = i;
		}
		if (cand == lim)
			cand = any;
		if (cand < lim) {
			userinfo(w, s, p, cand);
			if (cand >= end) {
				/* the quote did not end it after all */
				end = uri_end(s, 0, cand);
			}
			auth_end = find_first(s, cand + 1, end, "/?#");
		}
	}
	size_t q = find_first(s, auth_end, end, "?");
	if (q < end) {
		size_t h = find_first(s, q + 1, end, "#");
		uri_query(w, s, q + 1, h, jdbc);
	}
	return end;
}

/*
 * postgres_exporter's scheme-less form at s[i]: [user[:pw]@]host:port/db
 * with an optional query. Only taken when the host list is valid and
 * names a port, and a '/' follows it. Returns the end, or 0.
 */
static size_t parse_bare(struct walk *w, const char *s, size_t i)
{
	char open = i > 0 && is_quote((unsigned char)s[i - 1]) ? s[i - 1] : 0;
	size_t auth_end = i;
	while (auth_end - i < BARE_MAX && s[auth_end] &&
	       !isspace((unsigned char)s[auth_end]) &&
	       !strchr("/?#\"`<>", s[auth_end]) &&
	       !(s[auth_end] == '\'' && open == '\''))
		auth_end++;
	if (s[auth_end] != '/' || auth_end == i)
		return 0;
	size_t at = auth_end;
	for (size_t k = i; k < auth_end; k++)
		if (s[k] == '@')
			at = k;
	size_t hosts = at < auth_end ? at + 1 : i;
	bool port = false;
	if (hosts < auth_end && s[hosts] == ':') {
		/* ":5432/db?…": no host (postgres_exporter connects to the
		 * local socket; Zalando's sample sidecar) */
		size_t k = hosts + 1;
		while (k < auth_end && isdigit((unsigned char)s[k]))
			k++;
		if (k != auth_end || k == hosts + 1 || k - hosts > 6)
			return 0;
	} else if (hosts >= auth_end ||
		   !hosts_valid(s, hosts, auth_end, &port) || !port ||
		   !isalnum((unsigned char)s[hosts])) {
		return 0;
	}
	size_t end = uri_end(s, i, auth_end);
	struct connstr_scan before = *w->scan;
	if (at < auth_end)
		userinfo(w, s, i, at);
	size_t q = find_first(s, auth_end, end, "?");
	if (q < end)
		uri_query(w, s, q + 1, find_first(s, q + 1, end, "#"), false);
	/*
	 * Redaction always masks a userinfo password here; the judge counts
	 * it only for a Postgres port or libpq parameters, so that an
	 * unrelated "user:pw@registry:5000/path" is no PGA102 finding.
	 */
	bool pg = (auth_end - hosts > 5 &&
		   (memcmp(s + auth_end - 5, ":5432", 5) == 0 ||
		    memcmp(s + auth_end - 5, ":6432", 5) == 0)) ||
		  (q < end && has_any(s, q, end, "="));
	if (!pg)
		w->scan->has_password = before.has_password;
	w->scan->count++;
	return end;
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
	size_t k = j, e, last_exp = j;
	while (s[k] && !isspace((unsigned char)s[k])) {
		/* password=$(cat /run/secrets/pw): an expansion that closes
		 * is one piece of the value, blanks and all */
		if ((s[k] == '$' || s[k] == '`') &&
		    (e = shell_expansion_end(s, k, (size_t)-1)) != 0) {
			k = last_exp = e;
			continue;
		}
		if (s[k] == '\\' && s[k + 1])
			k++;
		k++;
	}
	size_t b = k;
	/* the closing quote of an enclosing shell/JSON string is not part of
	 * the value: sh -c "pg_dump 'host=x password=y'" */
	while (b > last_exp && strchr("'\"`;", s[b - 1]))
		b--;
	*va = j;
	*vb = b;
	return k;
}

static void walk(const char *s, struct walk *w)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		bool jdbc, slashes;
		size_t sl;
		unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
		int lc = tolower((unsigned char)s[i]);
		/* Every form starts with one of a few letters (p, j, s) or is
		 * a scheme-less token: test the first byte before comparing
		 * words, this loop runs over megabytes of ConfigMap text. */
		if ((lc == 'p' || lc == 'j') &&
		    !(isalnum(prev) || strchr("+-._", prev)) &&
		    (sl = scheme_at(s + i, &jdbc, &slashes)) > 0) {
			w->scan->count++;
			i = parse_uri(w, s, i, i + sl, jdbc, slashes);
			continue;
		}
		if ((isspace(prev) || is_quote(prev) || prev == '=' ||
		     i == 0) &&
		    (isalnum((unsigned char)s[i]) ||
		     (s[i] == ':' && isdigit((unsigned char)s[i + 1])))) {
			size_t e = parse_bare(w, s, i);
			if (e) {
				i = e;
				continue;
			}
		}
		if ((lc == 'p' || lc == 's') && kv_boundary(s, i)) {
			size_t j, va, vb;
			/* A value not masked whole is read on from its
			 * start: $(… postgresql://u:pw@h …) still has a
			 * password to mask. */
			if ((j = kv_key(s, i, "pgpassword"))) {
				struct shell_word sw;
				w->scan->count++;
				/* sh: a blank after '=' is an empty value */
				while (s[j - 1] == ' ' || s[j - 1] == '\t')
					j--;
				size_t e = shell_word(s, j, n, &sw);
				i = add_word(w, &sw, true) ? e : j;
				continue;
			}
			if ((j = kv_key(s, i, "password"))) {
				w->scan->count++;
				size_t e = kv_value(s, j, &va, &vb);
				i = add_password(w, s, va, vb) ? e : j;
				continue;
			}
			if ((j = kv_key(s, i, "pass"))) {
				/* not libpq's: masked, not judged */
				struct shell_word sw;
				size_t e = kv_value(s, j, &va, &vb);
				if (vb > va)
					shell_text(s, va, vb, &sw);
				i = vb > va && add_word(w, &sw, false) ? e : j;
				continue;
			}
			if ((j = kv_key(s, i, "sslmode"))) {
				w->scan->count++;
				size_t next = kv_value(s, j, &va, &vb);
				char val[32];
				size_t len = vb - va;
				if (len < sizeof(val) &&
				    !has_any(s, va, vb, ":@/")) {
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

static int range_cmp(const void *x, const void *y)
{
	const struct range *a = x, *b = y;
	return a->a < b->a ? -1 : a->a > b->a;
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
	/* Ranges may overlap (a fallback userinfo spanning a query
	 * password): sort them and mask their union, each run once. */
	qsort(w.r, w.nr, sizeof(*w.r), range_cmp);
	size_t pos = 0, stop = w.overflow ? w.overflow_at : (size_t)-1;
	for (size_t k = 0; k < w.nr && w.r[k].a < stop; k++) {
		size_t a = w.r[k].a, b = w.r[k].b;
		while (k + 1 < w.nr && w.r[k + 1].a <= b &&
		       w.r[k + 1].a < stop) {
			k++;
			if (w.r[k].b > b)
				b = w.r[k].b;
		}
		if (a < pos)
			a = pos;
		sb_append(&sb, text + pos, a - pos);
		sb_puts(&sb, MASK);
		pos = b;
	}
	if (w.overflow) {
		/* Pathological input: mask everything after that point. */
		if (stop > pos && stop != (size_t)-1)
			sb_append(&sb, text + pos, stop - pos);
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
