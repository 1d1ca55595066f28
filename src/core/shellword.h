/*
 * shellword.h — shell words as sh reads them, for connstr.c: is a password
 * a reference or a literal? (rules.md "Shell reference").
 *
 * A word made only of expansions — parameter expansions ($VAR, "${VAR}",
 * $1, $@, ${VAR:-$(< file)}, ${VAR#x}, …), command substitutions ($(cat f),
 * `cat f`, $(< f)) and arithmetic, quoted or not — is a reference. A
 * literal character anywhere outside an expansion makes it a literal. A
 * default or alternative value that is itself literal (${VAR:-hunter2},
 * ${VAR=x}, ${VAR:+x}) ships in the text and is what runs, so it is a
 * literal too: its range is reported so that only it is masked. Compose
 * escapes ($${VAR}, $$VAR) stand for the shell reference they become; an
 * escaped quote or dollar (\" \$VAR) counts as the quoting of a nested
 * shell (sh -c "PGPASSWORD=\"\$PW\" …"), not as a literal.
 * An expansion that is not closed ($(cat, ${X) is literal text. Nesting is
 * bounded (SHELL_MAX_DEPTH): deeper text counts as literal.
 *
 * Private to src/core. Pure functions, no allocation.
 */
#ifndef PGADMIT_SHELLWORD_H
#define PGADMIT_SHELLWORD_H

#include <stdbool.h>
#include <stddef.h>

#define SHELL_MAX_DEFAULTS 8
#define SHELL_MAX_DEPTH 16

struct shell_range {
	size_t a, b; /* [a, b) */
};

struct shell_word {
	size_t va, vb;    /* the word without quotes that wrap it whole */
	bool literal;     /* a literal character outside any expansion, or
			  * more literal defaults than fit, or too deep */
	bool expanded;    /* at least one expansion */
	size_t ndefaults; /* literal defaults inside expansions */
	struct shell_range defaults[SHELL_MAX_DEFAULTS];
};

/* Only expansions, none with a literal default: not a password. */
bool shell_is_reference(const struct shell_word *w);

/*
 * The word at s[j] (s[0..n)): unquoted text with backslash escapes, '…',
 * "…", $'…', expansions, up to an unquoted blank or one of ;&|<>() or n.
 * Fills *w (va/vb without quotes that wrap it whole). Returns its end.
 */
size_t shell_word(const char *s, size_t j, size_t n, struct shell_word *w);

/* All of s[a..b) read as one word (blanks and ;&|<>() are literal
 * characters there): for a password already cut out of a URI or a libpq
 * string. w->va/vb are a and b. */
void shell_text(const char *s, size_t a, size_t b, struct shell_word *w);

/* Where the expansion $(…), ${…} or `…` starting at s[k] ends, when it
 * is closed before n; else 0. */
size_t shell_expansion_end(const char *s, size_t k, size_t n);

#endif
