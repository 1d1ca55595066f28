/*
 * bigstr.h — a review's large strings read outside jansson
 * (admission-internal; caller: review.c; tests and fuzz_admission).
 *
 * jansson reads a string a byte at a time through its stream and an escape
 * at about five times a byte's cost: the 1 MiB ConfigMap value of control
 * characters (\u0001, six bytes each: bench/serve/big_review.py controls)
 * took 110 ms to parse. Here each value string of at least min_token bytes
 * in a body of at least min_body bytes is measured and checked with
 * jansson's own rules (jsonesc.h) in one pass, jansson is fed the body
 * with a short placeholder string in its place (json_load_callback), and the
 * placeholders in the tree are replaced by the strings, decoded straight
 * from the body. Object keys are left to jansson (duplicate detection is
 * its), and so is any string it would refuse, so an error is jansson's
 * own: only the column it reports for a malformed body may move (the
 * placeholder is shorter than the string it stands for).
 *
 * A placeholder is "\u0001pgadmit:" + a 64-bit nonce from getrandom(2) per
 * body + ":" + the index: no value of the body can be taken for one, and
 * were one guessed, it could only copy a string of the same body.
 */
#ifndef PGADMIT_ADMISSION_BIGSTR_H
#define PGADMIT_ADMISSION_BIGSTR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/err.h"

#define BIGSTR_MIN_BODY (64 * 1024)
#define BIGSTR_MIN_TOKEN (4 * 1024)
/* "\x01pgadmit:" + 16 hex + ':' (the mark), then 8 hex (the index) */
#define BIGSTR_MARK_LEN 26
#define BIGSTR_VALUE_LEN (BIGSTR_MARK_LEN + 8)

struct bigstr_tok {
	size_t off, len; /* the token, quotes included */
	size_t dlen;     /* its decoded length */
	bool restored;
};

struct bigstr {
	const char *body;
	size_t len;
	struct bigstr_tok *v;
	size_t n, cap;
	char mark[BIGSTR_MARK_LEN + 1];
	/* json_load_callback's reading state */
	size_t pos, next;
	char ph[48];
	size_t phlen, phpos;
};

/* Find the strings. 0 (b->n may be 0: then parse the body as it is), or
 * -1 out of memory. Free with bigstr_free() either way. */
PGADMIT_MUST_CHECK
int bigstr_scan(struct bigstr *b, const char *body, size_t len, size_t min_body,
		size_t min_token);
/* json_load_callback over the body with the placeholders; then the strings put
 * back. NULL with jerr set (jansson's error), or NULL with jerr->text
 * empty when memory ran out putting them back. */
json_t *bigstr_load(struct bigstr *b, size_t flags, json_error_t *jerr);
void bigstr_free(struct bigstr *b);

/* The body parsed: through the above when it has large strings, else by
 * json_loadb. NULL with jerr set, or with *nomem set when memory ran out
 * outside jansson. */
json_t *bigstr_parse(const char *body, size_t len, size_t flags,
		     json_error_t *jerr, bool *nomem);

#endif
