/*
 * utf8.h — UTF-8 validation for text that leaves pgadmit.
 *
 * Every text that goes into a JSON answer, a report or a log line may come
 * from input (a file name, a library's error message quoting the bytes it
 * choked on, a value cut to length). JSON must be valid UTF-8, so such text
 * is passed through these helpers: invalid sequences become U+FFFD, and
 * cuts fall on character boundaries. Strict decoding: no overlong forms, no
 * surrogates, nothing above U+10FFFF. Pure functions, thread-safe.
 */
#ifndef PGADMIT_UTF8_H
#define PGADMIT_UTF8_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/err.h"

/* Length (1-4) of the valid UTF-8 sequence at p[0..n), or 0 if none. */
size_t utf8_seq_len(const unsigned char *p, size_t n);

/* Is s[0..n) valid UTF-8? */
bool utf8_valid(const char *s, size_t n);

/* The largest cut <= max of s[0..len) that does not split a character. */
size_t utf8_boundary(const char *s, size_t len, size_t max);

/* A copy of s with each invalid byte replaced by U+FFFD; NULL on OOM or
 * NULL s. Caller frees. */
PGADMIT_MUST_CHECK
char *utf8_lossy(const char *s);

/* json_string() of s, made valid first when it is not (json_string
 * refuses invalid UTF-8 and would return NULL). NULL only on OOM or NULL s. */
PGADMIT_MUST_CHECK
json_t *utf8_json_string(const char *s);

#endif
