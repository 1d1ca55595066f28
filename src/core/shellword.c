/*
 * shellword.c — one shell word (shellword.h).
 */
#include <ctype.h>
#include <string.h>

#include "shellword.h"

static bool name0(int c)
{
	return isalpha(c) || c == '_';
}

static bool name(int c)
{
	return isalnum(c) || c == '_';
}

/* Past a balanced $( … ) or ${ … } whose opener is at s[j] ('(' or '{'),
 * quotes inside honoured; returns the index after the closer or the end
 * of the string. */
static size_t group(const char *s, size_t j)
{
	char open = s[j], close = open == '(' ? ')' : '}';
	int depth = 0;
	size_t k = j;
	while (s[k]) {
		char c = s[k];
		if (c == '\\' && s[k + 1]) {
			k += 2;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			k++;
			while (s[k] && s[k] != c) {
				if (c != '\'' && s[k] == '\\' && s[k + 1])
					k++;
				k++;
			}
			if (s[k])
				k++;
			continue;
		}
		if (c == open)
			depth++;
		else if (c == close && --depth == 0)
			return k + 1;
		k++;
	}
	return k;
}

/* An expansion at s[k] ($( … ), ${ … }, $NAME, `…`), the same inside and
 * outside double quotes: the index after it, or 0 when there is none. */
static size_t expansion(const char *s, size_t k)
{
	if (s[k] == '$' && (s[k + 1] == '(' || s[k + 1] == '{'))
		return group(s, k + 1);
	if (s[k] == '$' && name0((unsigned char)s[k + 1])) {
		k++;
		while (name((unsigned char)s[k]))
			k++;
		return k;
	}
	if (s[k] == '`') {
		k++;
		while (s[k] && s[k] != '`')
			k++;
		return s[k] ? k + 1 : k;
	}
	return 0;
}

size_t shell_word(const char *s, size_t j, size_t *va, size_t *vb, bool *ref)
{
	size_t k = j, e;
	bool literal = false, expanded = false;
	while (s[k] && !isspace((unsigned char)s[k]) && !strchr(";&|<>()", s[k])) {
		if (s[k] == '\\' && s[k + 1]) {
			literal = true;
			k += 2;
		} else if (s[k] == '\'') {
			e = k + 1;
			while (s[e] && s[e] != '\'')
				e++;
			literal |= e > k + 1;
			k = s[e] ? e + 1 : e;
		} else if (s[k] == '"') {
			k++;
			while (s[k] && s[k] != '"') {
				if (s[k] == '\\' && s[k + 1]) {
					literal = true;
					k += 2;
				} else if ((e = expansion(s, k)) != 0) {
					expanded = true;
					k = e;
				} else {
					literal = true;
					k++;
				}
			}
			if (s[k])
				k++;
		} else if ((e = expansion(s, k)) != 0) {
			expanded = true;
			k = e;
		} else {
			literal = true;
			k++;
		}
	}
	size_t a = j, b = k;
	if (b - a >= 2 && (s[a] == '\'' || s[a] == '"') && s[b - 1] == s[a]) {
		a++;
		b--;
	}
	*va = a;
	*vb = b;
	*ref = expanded && !literal;
	return k;
}
