/*
 * rule_doc.c — renders the rule catalog (catalog.h) as text and markdown
 * (one rule, or the index of all) and as JSON, and finds rules by id or
 * slug and close matches of a misspelled name.
 *
 * The same functions produce `pgadmit explain`, `pgadmit rules`, SARIF
 * help text and the pages under docs/rules/, so they cannot disagree.
 * Text drops the markdown backticks and wraps at 78 columns.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/catalog.h"

#define WRAP 78

static const struct {
	unsigned bit;
	const char *word;
} scope_words[] = {
	{SCOPE_WEBHOOK, "webhook"},
	{SCOPE_CHECK, "check"},
	{SCOPE_AUDIT, "audit"},
	{SCOPE_PROBE, "probe"},
};
#define NSCOPE (sizeof(scope_words) / sizeof(scope_words[0]))

void catalog_scope_words(unsigned scope, struct strbuf *sb)
{
	const char *sep = "";
	for (size_t i = 0; i < NSCOPE; i++)
		if (scope & scope_words[i].bit) {
			sb_printf(sb, "%s%s", sep, scope_words[i].word);
			sep = ", ";
		}
}

/* Append s without backticks, wrapped at WRAP columns; every line starts
 * with indent (the first with first, e.g. "  - "). */
static void put_wrapped(struct strbuf *sb, const char *s, const char *first,
			const char *indent)
{
	size_t col = strlen(first);
	sb_puts(sb, first);
	int at_start = 1;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		size_t n = 0; /* visible length of the word */
		while (*s && *s != ' ') {
			if (*s != '`')
				n++;
			s++;
		}
		if (s == w)
			break;
		if (!at_start && col + 1 + n > WRAP) {
			sb_printf(sb, "\n%s", indent);
			col = strlen(indent);
		} else if (!at_start) {
			sb_putc(sb, ' ');
			col++;
		}
		/* The word in runs between backticks, not byte by byte:
		 * SARIF renders every rule's help on each report. */
		for (const char *p = w; p < s;) {
			const char *tick = memchr(p, '`', (size_t)(s - p));
			size_t run = tick ? (size_t)(tick - p)
					  : (size_t)(s - p);
			sb_append(sb, p, run);
			p += run;
			if (p < s)
				p++; /* the backtick */
		}
		col += n;
		at_start = 0;
	}
	sb_putc(sb, '\n');
}

/* Append a multi-line snippet verbatim, each line after indent. */
static void put_indented(struct strbuf *sb, const char *s, const char *heading,
			 const char *indent)
{
	sb_puts(sb, heading);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		sb_puts(sb, indent);
		sb_append(sb, s, n);
		sb_putc(sb, '\n');
		s += n + (nl ? 1 : 0);
	}
}

static void put_list(struct strbuf *sb, const char *const *items,
		     enum rule_doc_format fmt)
{
	for (size_t i = 0; i < RULE_MAX_ITEMS && items[i]; i++) {
		if (fmt == RULE_DOC_MARKDOWN)
			sb_printf(sb, "- %s\n", items[i]);
		else
			put_wrapped(sb, items[i], "  - ", "    ");
	}
}

static const char *see_also(const struct rule_meta *m)
{
	if (m->scope & SCOPE_PROBE)
		return "[docs/probe.md](../probe.md#the-checks): how the probe "
		       "reads the server, `unknown` results and the grants";
	return "[docs/manifest-rules.md](../manifest-rules.md): how objects "
	       "are read, finding paths, opt-outs and the decisions where the "
	       "contract is silent";
}

void rule_doc_render(const struct rule_meta *m, enum rule_doc_format fmt,
		     struct strbuf *sb)
{
	struct strbuf scope = STRBUF_INIT;
	catalog_scope_words(m->scope, &scope);
	if (fmt == RULE_DOC_MARKDOWN) {
		sb_printf(sb,
			  "# %s %s\n\n"
			  "%s.\n\n"
			  "| id | slug | scope | default action |\n"
			  "|---|---|---|---|\n"
			  "| `%s` | `%s` | %s | `%s` |\n\n"
			  "%s\n\n",
			  m->code, m->slug, m->title, m->code, m->slug,
			  sb_str(&scope), action_name(m->def_action),
			  m->summary);
		if (m->example)
			sb_printf(sb, "```%s\n%s```\n\n",
				  (m->scope & SCOPE_PROBE) ? "" : "yaml",
				  m->example);
		sb_puts(sb, "## Fires on\n\n");
		put_list(sb, m->fires, fmt);
		sb_puts(sb, "\n## Does not fire on\n\n");
		put_list(sb, m->quiet, fmt);
		sb_printf(sb,
			  "\n## Fix\n\n%s\n\n## Opt out\n\n%s\n\n"
			  "## See also\n\n%s.\n\n"
			  "<!-- Generated from the rule catalog "
			  "(src/core/rule_catalog.c) by `make docs-rules`. "
			  "Do not edit. -->\n",
			  m->fix, m->optout, see_also(m));
	} else {
		sb_printf(sb, "%s %s: %s\n", m->code, m->slug, m->title);
		sb_printf(sb, "scope: %s; default action: %s\n\n",
			  sb_str(&scope), action_name(m->def_action));
		put_wrapped(sb, m->summary, "", "");
		if (m->example)
			put_indented(sb, m->example, "\nExample:\n", "    ");
		sb_puts(sb, "\nFires on:\n");
		put_list(sb, m->fires, fmt);
		sb_puts(sb, "\nDoes not fire on:\n");
		put_list(sb, m->quiet, fmt);
		sb_puts(sb, "\nFix:\n");
		put_wrapped(sb, m->fix, "  ", "  ");
		sb_puts(sb, "\nOpt out:\n");
		put_wrapped(sb, m->optout, "  ", "  ");
	}
	if (!sb_ok(&scope))
		sb->oom = true;
	sb_free(&scope);
}

void rule_index_render(enum rule_doc_format fmt, struct strbuf *sb)
{
	struct strbuf scope = STRBUF_INIT;
	if (fmt == RULE_DOC_MARKDOWN)
		sb_puts(sb,
			"# Rules\n\n"
			"Every rule pgadmit implements, generated from the rule "
			"catalog (`src/core/rule_catalog.c`) by `make "
			"docs-rules`; `pgadmit rules` prints the same list and "
			"`pgadmit explain RULE` one page. Scope: `webhook` is "
			"`pgadmit serve`, `check` is `pgadmit check`, `audit` "
			"is `pgadmit audit`, `probe` is `pgadmit probe`. Actions "
			"and opt-outs: "
			"[docs/policy.md](../policy.md).\n\n"
			"| id | slug | scope | default | what is wrong |\n"
			"|---|---|---|---|---|\n");
	else
		sb_printf(sb, "%-7s %-28s %-22s %-8s %s\n", "ID", "SLUG",
			  "SCOPE", "DEFAULT", "WHAT IS WRONG");
	for (int i = 0; i < R_COUNT; i++) {
		const struct rule_meta *m = &rule_catalog[i];
		sb_reset(&scope);
		catalog_scope_words(m->scope, &scope);
		if (fmt == RULE_DOC_MARKDOWN)
			sb_printf(sb,
				  "| [%s](%s.md) | `%s` | %s | `%s` | %s |\n",
				  m->code, m->code, m->slug, sb_str(&scope),
				  action_name(m->def_action), m->title);
		else
			sb_printf(sb, "%-7s %-28s %-22s %-8s %s\n", m->code,
				  m->slug, sb_str(&scope),
				  action_name(m->def_action), m->title);
	}
	if (fmt == RULE_DOC_MARKDOWN)
		sb_puts(sb, "\n<!-- Generated from the rule catalog "
			    "(src/core/rule_catalog.c) by `make docs-rules`. "
			    "Do not edit. -->\n");
	if (!sb_ok(&scope))
		sb->oom = true;
	sb_free(&scope);
}

static json_t *str_array(const char *const *items)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < RULE_MAX_ITEMS && items[i]; i++)
		if (json_array_append_new(a, json_string(items[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *rule_json(const struct rule_meta *m, int full)
{
	json_t *scope = json_array();
	for (size_t i = 0; scope && i < NSCOPE; i++)
		if ((m->scope & scope_words[i].bit) &&
		    json_array_append_new(scope,
					  json_string(scope_words[i].word))) {
			json_decref(scope);
			scope = NULL;
		}
	if (!scope)
		return NULL;
	json_t *r = json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", m->code,
			      "slug", m->slug, "scope", scope, "default",
			      action_name(m->def_action), "title", m->title);
	if (!r || !full)
		return r;
	json_t *fires = str_array(m->fires), *quiet = str_array(m->quiet);
	if (!fires || !quiet ||
	    json_object_set_new(r, "summary", json_string(m->summary)) ||
	    json_object_set_new(r, "fix", json_string(m->fix)) ||
	    json_object_set_new(r, "opt_out", json_string(m->optout)) ||
	    json_object_set_new(r, "example",
				m->example ? json_string(m->example)
					   : json_null())) {
		json_decref(fires);
		json_decref(quiet);
		json_decref(r);
		return NULL;
	}
	if (json_object_set_new(r, "fires_on", fires) ||
	    json_object_set_new(r, "does_not_fire_on", quiet)) {
		json_decref(r);
		return NULL;
	}
	return r;
}

struct json_t *rule_catalog_json(int full)
{
	json_t *rules = json_array();
	for (int i = 0; rules && i < R_COUNT; i++)
		if (json_array_append_new(rules,
					  rule_json(&rule_catalog[i], full))) {
			json_decref(rules);
			rules = NULL;
		}
	if (!rules)
		return NULL;
	return json_pack("{s:i, s:o}", "version", 1, "rules", rules);
}

/* Levenshtein distance, case-insensitive, capped inputs (64 bytes). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strnlen(a, 64), lb = strnlen(b, 64);
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost =
				tolower((unsigned char)a[i - 1]) ==
						tolower((unsigned char)b[j - 1])
					? 0
					: 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* How close s is to a name: 0 = not close; higher = closer. */
static size_t closeness(const char *s, const char *name)
{
	size_t ls = strlen(s), ln = strlen(name);
	if (ls >= 2 && strncasecmp(name, s, ls) == 0)
		return 100 - (ln - ls > 50 ? 50 : ln - ls); /* prefix */
	if (ls >= 3 && strcasestr(name, s))
		return 40;
	size_t d = distance(s, name);
	size_t limit = ln / 3 > 2 ? ln / 3 : 2;
	return d <= limit ? 90 - d * 10 : 0;
}

size_t catalog_suggest(const char *s, const struct rule_meta **out, size_t max)
{
	size_t score[R_COUNT], n = 0;
	const struct rule_meta *cand[R_COUNT];
	if (!s || !*s || max == 0)
		return 0;
	for (int i = 0; i < R_COUNT; i++) {
		size_t a = closeness(s, rule_catalog[i].code);
		size_t b = closeness(s, rule_catalog[i].slug);
		size_t c = a > b ? a : b;
		if (c == 0)
			continue;
		/* insertion sort, best first, stable in id order */
		size_t k = n++;
		while (k > 0 && score[k - 1] < c) {
			score[k] = score[k - 1];
			cand[k] = cand[k - 1];
			k--;
		}
		score[k] = c;
		cand[k] = &rule_catalog[i];
	}
	if (n > max)
		n = max;
	memcpy(out, cand, n * sizeof(*out));
	return n;
}
