/*
 * shellword.h — one shell word as sh reads it, for connstr.c's
 * PGPASSWORD=<word>: quotes, escapes and expansions, so that a quoted
 * password is masked whole and "$PW" or "$(cat f)" is known as a reference.
 * Private to src/core.
 */
#ifndef PGADMIT_SHELLWORD_H
#define PGADMIT_SHELLWORD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The word at s[j]: unquoted text with backslash escapes, '…', "…",
 * $( … ), ${ … }, $NAME, `…`, up to an unquoted blank or one of ;&|<>().
 * Sets [*va, *vb) to the word without quotes that wrap it whole, and *ref
 * when it is only expansions (no literal character). Returns its end.
 */
size_t shell_word(const char *s, size_t j, size_t *va, size_t *vb, bool *ref);

#endif
