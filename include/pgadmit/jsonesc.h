/*
 * jsonesc.h — JSON string content read outside jansson, one copy: the
 * server's escape-shortening pre-pass (src/server/unescape.c) and the
 * admission loader's large strings (src/admission/bigstr.c).
 *
 * The rules are jansson's, so that a string this code accepts is one
 * jansson accepts, with the same value: no raw byte below 0x20, strict
 * UTF-8 (utf8.h), the escapes \" \\ \/ \b \f \n \r \t and \uHHHH (either
 * case), a high surrogate only followed by a low one, no lone low
 * surrogate, and no \u0000 (jansson refuses it without JSON_ALLOW_NUL).
 */
#ifndef PGADMIT_JSONESC_H
#define PGADMIT_JSONESC_H

#include <stdbool.h>
#include <stddef.h>

/* The code point of the 4 hex digits at p (p[0..4) readable), or a
 * negative number when one is not a hex digit. */
long jsonesc_hex4(const char *p);

/* Is s[0..n), the bytes between a string's quotes, a string jansson
 * accepts? If so, *dlen is its decoded length in bytes. */
bool jsonesc_measure(const char *s, size_t n, size_t *dlen);

/* Decode s[0..n), which jsonesc_measure accepted, into out (room for its
 * dlen bytes; no terminator written). */
void jsonesc_decode(const char *s, size_t n, char *out);

#endif
