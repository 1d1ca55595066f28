/* bigstr.c — large strings of a review decoded outside jansson
 * (bigstr.h). */
#include "bigstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pgadmit/jsonesc.h"

/* The index of the quote that closes the string opened at open, or len
 * when it is not closed. A quote is closing when an even number of
 * backslashes precedes it; each run of backslashes is counted once. */
static size_t string_end(const char *s, size_t open, size_t len)
{
	size_t p = open + 1;
	for (;;) {
		const char *q = p < len ? memchr(s + p, '"', len - p) : NULL;
		if (!q)
			return len;
		size_t e = (size_t)(q - s), k = 0;
		while (e - k > open + 1 && s[e - k - 1] == '\\')
			k++;
		if (k % 2 == 0)
			return e;
		p = e + 1;
	}
}

static bool is_key(const char *s, size_t i, size_t len)
{
	while (i < len &&
	       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i < len && s[i] == ':';
}

static int push(struct bigstr *b, size_t off, size_t len, size_t dlen)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct bigstr_tok *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct bigstr_tok){off, len, dlen, false};
	return 0;
}

int bigstr_scan(struct bigstr *b, const char *body, size_t len, size_t min_body,
		size_t min_token)
{
	memset(b, 0, sizeof(*b));
	b->body = body;
	b->len = len;
	if (len < min_body)
		return 0;
	unsigned char nonce[8];
	if (getrandom(nonce, sizeof(nonce), GRND_NONBLOCK) != sizeof(nonce))
		return 0; /* no nonce: jansson reads it all */
	int w = snprintf(b->mark, sizeof(b->mark), "\x01pgadmit:");
	for (size_t i = 0; i < sizeof(nonce); i++)
		w += snprintf(b->mark + w, sizeof(b->mark) - (size_t)w, "%02x",
			      nonce[i]);
	snprintf(b->mark + w, sizeof(b->mark) - (size_t)w, ":");
	size_t i = 0;
	while (i < len) {
		const char *q = memchr(body + i, '"', len - i);
		if (!q)
			break;
		size_t open = (size_t)(q - body),
		       end = string_end(body, open, len);
		if (end >= len)
			break; /* not closed: jansson says so */
		i = end + 1;
		size_t dlen;
		if (end + 1 - open < min_token || is_key(body, i, len) ||
		    !jsonesc_measure(body + open + 1, end - open - 1, &dlen))
			continue; /* small, a key, or refused: jansson's */
		if (push(b, open, end + 1 - open, dlen))
			return -1;
	}
	return 0;
}

/* The placeholder of string k, as JSON text. */
static void placeholder(struct bigstr *b, size_t k)
{
	b->phlen = (size_t)snprintf(b->ph, sizeof(b->ph), "\"\\u0001%s%08zx\"",
				    b->mark + 1, k);
	b->phpos = 0;
}

static size_t feed(void *buf, size_t size, void *arg)
{
	struct bigstr *b = arg;
	char *out = buf;
	size_t o = 0;
	while (o < size) {
		if (b->phpos < b->phlen) {
			size_t m = b->phlen - b->phpos;
			m = m < size - o ? m : size - o;
			memcpy(out + o, b->ph + b->phpos, m);
			b->phpos += m;
			o += m;
			continue;
		}
		size_t stop = b->next < b->n ? b->v[b->next].off : b->len;
		if (b->pos < stop) {
			size_t m = stop - b->pos;
			m = m < size - o ? m : size - o;
			memcpy(out + o, b->body + b->pos, m);
			b->pos += m;
			o += m;
			continue;
		}
		if (b->next >= b->n)
			break;
		placeholder(b, b->next);
		b->pos = b->v[b->next].off + b->v[b->next].len;
		b->next++;
	}
	return o;
}

/* Is v a placeholder of this body? Its index in *k. */
static bool is_placeholder(const struct bigstr *b, const json_t *v, size_t *k)
{
	if (!json_is_string(v) || json_string_length(v) != BIGSTR_VALUE_LEN)
		return false;
	const char *s = json_string_value(v);
	if (memcmp(s, b->mark, BIGSTR_MARK_LEN) != 0)
		return false;
	size_t x = 0;
	for (const char *p = s + BIGSTR_MARK_LEN; *p; p++) {
		long d = *p >= '0' && *p <= '9'   ? *p - '0'
			 : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
						  : -1;
		if (d < 0)
			return false;
		x = x * 16 + (size_t)d;
	}
	*k = x;
	return x < b->n;
}

/* String k decoded, through jansson's allocator (the review's memory
 * meter counts it). */
static json_t *decoded(const struct bigstr *b, size_t k)
{
	const struct bigstr_tok *t = &b->v[k];
	json_malloc_t m;
	json_free_t f;
	json_get_alloc_funcs(&m, &f);
	char *tmp = m(t->dlen + 1);
	if (!tmp)
		return NULL;
	jsonesc_decode(b->body + t->off + 1, t->len - 2, tmp);
	json_t *s = json_stringn_nocheck(tmp, t->dlen);
	f(tmp);
	return s;
}

struct restore {
	struct bigstr *b;
	size_t done;
};

/* The placeholder v (of j, at it or at index i) replaced. 1 replaced, 0
 * not a placeholder, -1 out of memory. */
static int replace(struct restore *r, json_t *j, void *it, size_t i,
		   const json_t *v)
{
	size_t k;
	if (!is_placeholder(r->b, v, &k))
		return 0;
	json_t *s = decoded(r->b, k);
	if (!s || (it ? json_object_iter_set_new(j, it, s)
		      : json_array_set_new(j, i, s)))
		return -1;
	if (!r->b->v[k].restored) {
		r->b->v[k].restored = true;
		r->done++;
	}
	return 1;
}

static int walk(struct restore *r, json_t *j)
{
	if (json_is_object(j)) {
		for (void *it = json_object_iter(j); it && r->done < r->b->n;
		     it = json_object_iter_next(j, it)) {
			json_t *v = json_object_iter_value(it);
			int rc = replace(r, j, it, 0, v);
			if (rc < 0 || (rc == 0 && walk(r, v)))
				return -1;
		}
	} else if (json_is_array(j)) {
		size_t n = json_array_size(j);
		for (size_t i = 0; i < n && r->done < r->b->n; i++) {
			json_t *v = json_array_get(j, i);
			int rc = replace(r, j, NULL, i, v);
			if (rc < 0 || (rc == 0 && walk(r, v)))
				return -1;
		}
	}
	return 0;
}

json_t *bigstr_load(struct bigstr *b, size_t flags, json_error_t *jerr)
{
	b->pos = b->next = b->phlen = b->phpos = 0;
	json_t *root = json_load_callback(feed, b, flags, jerr);
	if (!root)
		return NULL;
	struct restore r = {b, 0};
	if (walk(&r, root)) {
		json_decref(root);
		jerr->text[0] = '\0';
		return NULL;
	}
	return root;
}

void bigstr_free(struct bigstr *b)
{
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

json_t *bigstr_parse(const char *body, size_t len, size_t flags,
		     json_error_t *jerr, bool *nomem)
{
	struct bigstr b;
	json_t *root = NULL;
	*nomem = false;
	if (bigstr_scan(&b, body, len, BIGSTR_MIN_BODY, BIGSTR_MIN_TOKEN)) {
		*nomem = true;
	} else if (b.n) {
		root = bigstr_load(&b, flags, jerr);
		*nomem = !root && !jerr->text[0];
	} else {
		root = json_loadb(body, len, flags, jerr);
	}
	bigstr_free(&b);
	return root;
}
