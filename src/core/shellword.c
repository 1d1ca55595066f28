/*
 * shellword.c — shell words and references (shellword.h).
 *
 * One recursive reader, words(), serves the three places a word stands:
 * a command line (stops at an unquoted blank or operator), inside "…"
 * (stops at the closing quote) and a whole range (a password already cut
 * out, or the value word of ${VAR:-word}). Groups — $( … ), ${ … } — are
 * first closed by a bounded balanced scan (group), so an unclosed opener
 * costs at most SHELL_GROUP_MAX bytes and reads as literal text.
 */
#include <ctype.h>
#include <string.h>

#include "shellword.h"

/* The longest $( … ) / ${ … } looked at: an unclosed one in a megabyte
 * of ConfigMap text must not make each later word scan to the end. */
#define SHELL_GROUP_MAX 1024

enum mode { M_TOP, M_ALL, M_DQ };

struct scan {
	const char *s;
	struct shell_word *w;
	int depth;
};

static bool name0(int c)
{
	return isalpha(c) || c == '_';
}

static bool name(int c)
{
	return isalnum(c) || c == '_';
}

/* Past a balanced ( … ) or { … } whose opener is at s[j], quotes inside
 * honoured: the index after the closer, or 0 when it does not close
 * before lim, the end of the string or SHELL_GROUP_MAX bytes. */
static size_t group(const char *s, size_t j, size_t lim)
{
	char open = s[j], close = open == '(' ? ')' : '}';
	int depth = 0;
	size_t k = j;
	if (lim - j > SHELL_GROUP_MAX)
		lim = j + SHELL_GROUP_MAX;
	while (k < lim && s[k]) {
		char c = s[k];
		if (c == '\\' && k + 1 < lim && s[k + 1]) {
			k += 2;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			k++;
			while (k < lim && s[k] && s[k] != c) {
				if (c != '\'' && s[k] == '\\' && k + 1 < lim &&
				    s[k + 1])
					k++;
				k++;
			}
			if (k >= lim || !s[k])
				return 0;
			k++;
			continue;
		}
		if (c == open)
			depth++;
		else if (c == close && --depth == 0)
			return k + 1;
		k++;
	}
	return 0;
}

/* Past `…` at s[k], or 0 when it does not close before lim (or
 * SHELL_GROUP_MAX bytes, as for group()). */
static size_t backtick_end(const char *s, size_t k, size_t lim)
{
	if (lim - k > SHELL_GROUP_MAX)
		lim = k + SHELL_GROUP_MAX;
	for (k++; k < lim && s[k]; k++) {
		if (s[k] == '\\' && k + 1 < lim && s[k + 1])
			k++;
		else if (s[k] == '`')
			return k + 1;
	}
	return 0;
}

static size_t words(struct scan *sc, size_t k, size_t lim, enum mode m,
		    bool *lit);

static void add_default(struct scan *sc, size_t a, size_t b)
{
	struct shell_word *w = sc->w;
	if (w->ndefaults < SHELL_MAX_DEFAULTS) {
		w->defaults[w->ndefaults].a = a;
		w->defaults[w->ndefaults].b = b;
		w->ndefaults++;
	} else {
		w->literal = true; /* mask the whole word instead */
	}
}

/*
 * ${ … } with its '{' at s[k]: the index after '}', or 0 when it is not
 * closed (or empty). Only the value operators -, =, + (with or without
 * ':') carry a word that can become the value; ${X?msg}, ${X#pat},
 * ${X/a/b}, ${X:0:8} are derived from X or an error.
 */
static size_t param(struct scan *sc, size_t k, size_t lim)
{
	const char *s = sc->s;
	size_t end = group(s, k, lim);
	if (end == 0 || end == k + 2)
		return 0;
	size_t close = end - 1, i = k + 1;
	if (sc->depth >= SHELL_MAX_DEPTH) {
		sc->w->literal = true;
		return end;
	}
	if ((s[i] == '#' || s[i] == '!') && i + 1 < close)
		i++; /* ${#X} length, ${!X} indirection */
	if (name0((unsigned char)s[i])) {
		while (i < close && name((unsigned char)s[i]))
			i++;
	} else if (isdigit((unsigned char)s[i])) {
		while (i < close && isdigit((unsigned char)s[i]))
			i++;
	} else if (strchr("@*#?-$!", s[i])) {
		i++;
	} else {
		return end; /* not a parameter: sh fails, nothing ships */
	}
	if (i < close && s[i] == '[') { /* ${A[0]} */
		while (i < close && s[i] != ']')
			i++;
		if (i < close)
			i++;
	}
	if (i < close && s[i] == ':' && i + 1 < close &&
	    strchr("-=+", s[i + 1]))
		i += 2;
	else if (i < close && strchr("-=+", s[i]))
		i++;
	else
		return end;
	bool word_lit = false;
	sc->depth++;
	words(sc, i, close, M_ALL, &word_lit);
	sc->depth--;
	if (word_lit)
		add_default(sc, i, close);
	return end;
}

/* An expansion at s[k]: the index after it, or 0 when there is none. */
static size_t expansion(struct scan *sc, size_t k, size_t lim)
{
	const char *s = sc->s;
	size_t e = 0;
	if (k + 1 >= lim || !s[k + 1])
		return 0;
	char d = s[k + 1];
	if (s[k] == '`') {
		e = backtick_end(s, k, lim);
		if (e <= k + 2)
			return 0;
	} else if (s[k] != '$') {
		return 0;
	} else if (d == '(') { /* $(cmd), $(< f), $((n)) */
		e = group(s, k + 1, lim);
		if (e <= k + 3)
			return 0;
	} else if (d == '{') {
		if ((e = param(sc, k + 1, lim)) == 0)
			return 0;
	} else if (d == '$') {
		/* Compose's escape of a shell reference ($${X}, $$X); sh's
		 * PID. Kubernetes' $$(X) is the literal text $(X). */
		char f = k + 2 < lim ? s[k + 2] : '\0';
		if (f == '{') {
			if ((e = param(sc, k + 2, lim)) == 0)
				return 0;
		} else if (name0((unsigned char)f)) {
			for (e = k + 3; e < lim && name((unsigned char)s[e]);
			     e++)
				;
		} else if (f == '(') {
			return 0;
		} else {
			e = k + 2;
		}
	} else if (name0((unsigned char)d)) {
		for (e = k + 2; e < lim && name((unsigned char)s[e]); e++)
			;
	} else if (isdigit((unsigned char)d) || strchr("@*#?-!", d)) {
		e = k + 2; /* $1, $@, $*, $#, $?, $-, $! */
	} else {
		return 0;
	}
	sc->w->expanded = true;
	return e;
}

/* Past '…' (or $'…' with backslash escapes) whose quote is at s[k]; sets
 * *lit for a non-empty body. An unclosed quote runs to lim, literal. */
static size_t single_quoted(const char *s, size_t k, size_t lim, bool esc,
			    bool *lit)
{
	size_t e = k + 1;
	while (e < lim && s[e] && s[e] != '\'') {
		if (esc && s[e] == '\\' && e + 1 < lim && s[e + 1])
			e++;
		e++;
	}
	if (e > k + 1 || e >= lim || !s[e])
		*lit = true;
	return e < lim && s[e] ? e + 1 : e;
}

/*
 * Word parts from s[k] until lim, the end of the string, or the mode's
 * stop (M_TOP: an unquoted blank or ;&|<>(); M_DQ: '"'). Sets *lit for
 * a literal character at this level. Returns where it stopped.
 */
static size_t words(struct scan *sc, size_t k, size_t lim, enum mode m,
		    bool *lit)
{
	const char *s = sc->s;
	while (k < lim && s[k]) {
		unsigned char c = (unsigned char)s[k];
		char d = k + 1 < lim ? s[k + 1] : '\0';
		size_t e;
		if (m == M_TOP && (isspace(c) || strchr(";&|<>()", c)))
			break;
		if (m == M_DQ && c == '"')
			break;
		if (c == '\\' && d) {
			if (d == '\n' || d == '"' || d == '\'') {
				/* a line continuation; a nested shell's quote */
				k += 2;
			} else if ((d == '$' || d == '`') &&
				   (e = expansion(sc, k + 1, lim)) != 0) {
				k = e; /* a nested shell's expansion: \$PW */
			} else {
				*lit = true;
				k += 2;
			}
		} else if (c == '\'' && m != M_DQ) {
			k = single_quoted(s, k, lim, false, lit);
		} else if (c == '$' && d == '\'' && m != M_DQ) {
			k = single_quoted(s, k + 1, lim, true, lit);
		} else if (c == '"' || (c == '$' && d == '"' && m != M_DQ)) {
			k = words(sc, k + (c == '$' ? 2 : 1), lim, M_DQ, lit);
			if (k < lim && s[k] == '"')
				k++;
		} else if ((e = expansion(sc, k, lim)) != 0) {
			k = e;
		} else {
			*lit = true;
			k++;
		}
	}
	return k;
}

bool shell_is_reference(const struct shell_word *w)
{
	return w->expanded && !w->literal && w->ndefaults == 0;
}

size_t shell_word(const char *s, size_t j, size_t n, struct shell_word *w)
{
	struct scan sc = {s, w, 0};
	memset(w, 0, sizeof(*w));
	size_t k = words(&sc, j, n, M_TOP, &w->literal);
	size_t a = j, b = k;
	if (b - a >= 2 && (s[a] == '\'' || s[a] == '"') && s[b - 1] == s[a]) {
		a++;
		b--;
	}
	w->va = a;
	w->vb = b;
	return k;
}

void shell_text(const char *s, size_t a, size_t b, struct shell_word *w)
{
	struct scan sc = {s, w, 0};
	memset(w, 0, sizeof(*w));
	words(&sc, a, b, M_ALL, &w->literal);
	w->va = a;
	w->vb = b;
}

size_t shell_expansion_end(const char *s, size_t k, size_t n)
{
	if (k + 1 >= n || !s[k + 1])
		return 0;
	if (s[k] == '`') {
		size_t e = backtick_end(s, k, n);
		return e > k + 2 ? e : 0;
	}
	if (s[k] == '$' && (s[k + 1] == '(' || s[k + 1] == '{')) {
		size_t e = group(s, k + 1, n);
		return e > k + 3 ? e : 0;
	}
	return 0;
}
