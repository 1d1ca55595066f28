/*
 * unescape.h — shorten the \u escapes of printable ASCII in a large review
 * body before it is parsed (server-internal; caller: server.c).
 *
 * The API server's Go encoder writes '<', '>' and '&' as \u003c, \u003e
 * and \u0026, six bytes each, and jansson reads an escape about five times
 * slower than a plain byte: a ConfigMap full of them (dashboards, HTML,
 * the 15 MB worst case of bench/serve/big_review.py) is mostly escapes.
 * Inside JSON strings, the escape of a printable ASCII character other
 * than '"' and '\' is the same string as the character itself, so they are
 * rewritten as the character, in place; nothing else changes.
 */
#ifndef PGADMIT_SERVER_UNESCAPE_H
#define PGADMIT_SERVER_UNESCAPE_H

#include <stddef.h>

/* Bodies smaller than this are parsed as they are (the same bound as
 * skim.h's, so ordinary reviews and their error positions are untouched). */
#define UNESCAPE_MIN_BODY (64 * 1024)

/* Rewrite, inside the strings of s[0..n), every \uHHHH escape of a
 * character 0x20..0x7e other than '"' and '\' as that character; returns
 * the new length. The parsed value is the same: a string's content, a
 * key's name and duplicate-key detection do not change. Only the line and
 * column jansson reports for a malformed body may move left. */
size_t srv_unescape_ascii(char *s, size_t n);

#endif
