/*
 * base64.h — RFC 4648 base64 (standard alphabet, padded), one copy for
 * pgadmit: the webhook's JSONPatch, certgen's Secret data, kubeconfig
 * certificate data. Pure functions, thread-safe.
 */
#ifndef PGADMIT_BASE64_H
#define PGADMIT_BASE64_H

#include <stddef.h>

#include "pgadmit/err.h"

struct strbuf;

/* Append the encoding of p[0..len) to sb. */
void base64_append(struct strbuf *sb, const unsigned char *p, size_t len);

/* The encoding of p[0..len), NUL-terminated; NULL on OOM. Caller frees. */
PGADMIT_MUST_CHECK
char *base64_encode(const unsigned char *p, size_t len);

/* Decode padded base64 text in[0..n) (no blanks): malloc'd bytes with a NUL
 * after them, *len without it. NULL when the text is not base64 (empty,
 * length not a multiple of 4, a byte outside the alphabet, misplaced
 * padding) or on OOM. Caller frees. */
PGADMIT_MUST_CHECK
unsigned char *base64_decode(const char *in, size_t n, size_t *len);

#endif
