/* test_catalog.c — the rule catalog (catalog.h): every rule has every field,
 * ids and slugs are unique and in id order, lookups and suggestions, and the
 * renderers (text, markdown, JSON) carry every field. */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "pgadmit/catalog.h"
#include "pgadmit/strbuf.h"
#include "unit.h"

static int nonblank(const char *s)
{
	if (!s)
		return 0;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 1;
	return 0;
}

static size_t count(const char *const *items)
{
	size_t n = 0;
	while (n < RULE_MAX_ITEMS && items[n])
		n++;
	return n;
}

static void test_fields(void)
{
	for (int i = 0; i < R_COUNT; i++) {
		const struct rule_meta *m = &rule_catalog[i];
		CU_ASSERT_EQUAL(m->id, (enum rule_id)i);
		CU_ASSERT_TRUE(nonblank(m->code));
		CU_ASSERT_TRUE(nonblank(m->slug));
		CU_ASSERT_TRUE(nonblank(m->title));
		CU_ASSERT_TRUE(nonblank(m->summary));
		CU_ASSERT_TRUE(nonblank(m->fix));
		CU_ASSERT_TRUE(nonblank(m->optout));
		CU_ASSERT_TRUE(count(m->fires) >= 1);
		CU_ASSERT_TRUE(count(m->quiet) >= 1);
		/* NULL-terminated within the array */
		CU_ASSERT_TRUE(count(m->fires) < RULE_MAX_ITEMS);
		CU_ASSERT_TRUE(count(m->quiet) < RULE_MAX_ITEMS);
		for (size_t k = 0; k < count(m->fires); k++)
			CU_ASSERT_TRUE(nonblank(m->fires[k]));
		for (size_t k = 0; k < count(m->quiet); k++)
			CU_ASSERT_TRUE(nonblank(m->quiet[k]));
		CU_ASSERT_TRUE(m->def_action == ACTION_DENY ||
			       m->def_action == ACTION_WARN ||
			       m->def_action == ACTION_ANNOTATE);
		/* scope: some of webhook/check/audit/probe, nothing else */
		CU_ASSERT_NOT_EQUAL(m->scope, 0u);
		CU_ASSERT_EQUAL(m->scope &
					~(unsigned)(SCOPE_WEBHOOK |
						    SCOPE_CHECK | SCOPE_AUDIT |
						    SCOPE_PROBE),
				0u);
		/* id shape PGA + 3 digits; slug lower-case words and dashes */
		CU_ASSERT_EQUAL(strlen(m->code), 6);
		CU_ASSERT_EQUAL(strncmp(m->code, "PGA", 3), 0);
		for (const char *p = m->code + 3; *p; p++)
			CU_ASSERT_TRUE(isdigit((unsigned char)*p));
		for (const char *p = m->slug; *p; p++)
			CU_ASSERT_TRUE(islower((unsigned char)*p) ||
				       isdigit((unsigned char)*p) || *p == '-');
		/* manifest rules (PGA1xx) run in the webhook, check and audit;
		 * probe rules (PGA2xx) in the probe only */
		if (m->code[3] == '1')
			CU_ASSERT_EQUAL(m->scope, SCOPE_WEBHOOK | SCOPE_CHECK |
							  SCOPE_AUDIT);
		if (m->code[3] == '2')
			CU_ASSERT_EQUAL(m->scope, SCOPE_PROBE);
	}
}

static void test_unique_and_ordered(void)
{
	for (int i = 0; i < R_COUNT; i++)
		for (int j = i + 1; j < R_COUNT; j++) {
			CU_ASSERT_NOT_EQUAL(strcmp(rule_catalog[i].code,
						   rule_catalog[j].code),
					    0);
			CU_ASSERT_NOT_EQUAL(strcmp(rule_catalog[i].slug,
						   rule_catalog[j].slug),
					    0);
			CU_ASSERT_TRUE(strcmp(rule_catalog[i].code,
					      rule_catalog[j].code) < 0);
		}
}

/* Every rule of the contract (issue 14 added PGA105, PGA106, PGA233),
 * and nothing else. */
static void test_only_implemented(void)
{
	CU_ASSERT_EQUAL(R_COUNT, 24);
	CU_ASSERT_PTR_EQUAL(catalog_find("PGA105"), &rule_catalog[R_PGA105]);
	CU_ASSERT_PTR_EQUAL(catalog_find("postgres-trust-auth"),
			    &rule_catalog[R_PGA105]);
	CU_ASSERT_PTR_EQUAL(catalog_find("postgres-monitoring-missing"),
			    &rule_catalog[R_PGA106]);
	CU_ASSERT_PTR_EQUAL(catalog_find("backup-stale"),
			    &rule_catalog[R_PGA233]);
	CU_ASSERT_EQUAL(rule_catalog[R_PGA105].def_action, ACTION_DENY);
	CU_ASSERT_EQUAL(rule_catalog[R_PGA106].def_action, ACTION_WARN);
	CU_ASSERT_EQUAL(rule_catalog[R_PGA233].def_action, ACTION_WARN);
	CU_ASSERT_EQUAL(rule_catalog[R_PGA233].scope, SCOPE_PROBE);
	CU_ASSERT_PTR_NULL(catalog_find("PGA107"));
}

static void test_lookup(void)
{
	CU_ASSERT_PTR_EQUAL(catalog_find("PGA101"), &rule_catalog[R_PGA101]);
	CU_ASSERT_PTR_EQUAL(catalog_find("pga101"), &rule_catalog[R_PGA101]);
	CU_ASSERT_PTR_EQUAL(catalog_find("Postgres-Port-Exposed"),
			    &rule_catalog[R_PGA101]);
	CU_ASSERT_PTR_EQUAL(catalog_find("hba-trust"), &rule_catalog[R_PGA252]);
	CU_ASSERT_PTR_NULL(catalog_find(""));
	CU_ASSERT_PTR_NULL(catalog_find(NULL));
	CU_ASSERT_PTR_NULL(catalog_find("PGA1011"));
	/* the policy's lookup keeps slugs exact */
	CU_ASSERT_PTR_NULL(rule_meta_by_code("HBA-TRUST"));
	CU_ASSERT_PTR_EQUAL(rule_meta_by_code("hba-trust"),
			    &rule_catalog[R_PGA252]);
}

static int suggests(const char *s, const char *code)
{
	const struct rule_meta *out[3];
	size_t n = catalog_suggest(s, out, 3);
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i]->code, code) == 0)
			return 1;
	return 0;
}

static void test_suggest(void)
{
	const struct rule_meta *out[3];
	CU_ASSERT_TRUE(suggests("postgres-backup-misisng", "PGA103"));
	CU_ASSERT_TRUE(suggests("PGA13", "PGA103"));
	CU_ASSERT_TRUE(suggests("hba-trsut", "PGA252"));
	CU_ASSERT_TRUE(suggests("index-unsued", "PGA212"));
	CU_ASSERT_TRUE(suggests("trust", "PGA252")); /* substring */
	size_t n = catalog_suggest("ssl-of", out, 3);
	CU_ASSERT_TRUE(n >= 1);
	if (n >= 1)
		CU_ASSERT_STRING_EQUAL(out[0]->code, "PGA201");
	CU_ASSERT_EQUAL(catalog_suggest("zzzzzzzzzzzz", out, 3), 0);
	CU_ASSERT_EQUAL(catalog_suggest("", out, 3), 0);
	CU_ASSERT_EQUAL(catalog_suggest("PGA1", out, 0), 0);
	CU_ASSERT_EQUAL(catalog_suggest("PGA1", out, 3), 3);
}

static void test_render(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < R_COUNT; i++) {
		const struct rule_meta *m = &rule_catalog[i];
		sb_reset(&sb);
		rule_doc_render(m, RULE_DOC_MARKDOWN, &sb);
		CU_ASSERT_TRUE_FATAL(sb_ok(&sb));
		const char *md = sb_str(&sb);
		CU_ASSERT_PTR_NOT_NULL(strstr(md, m->code));
		CU_ASSERT_PTR_NOT_NULL(strstr(md, m->slug));
		CU_ASSERT_PTR_NOT_NULL(strstr(md, m->fix));
		CU_ASSERT_PTR_NOT_NULL(strstr(md, m->optout));
		CU_ASSERT_PTR_NOT_NULL(strstr(md, m->fires[0]));
		CU_ASSERT_PTR_NOT_NULL(strstr(md, m->quiet[0]));
		CU_ASSERT_PTR_NOT_NULL(strstr(md, "## Does not fire on"));
		if (m->example)
			CU_ASSERT_PTR_NOT_NULL(strstr(md, m->example));
		/* every manifest rule shows an example */
		if (m->scope & SCOPE_CHECK)
			CU_ASSERT_PTR_NOT_NULL(m->example);
		sb_reset(&sb);
		rule_doc_render(m, RULE_DOC_TEXT, &sb);
		CU_ASSERT_TRUE_FATAL(sb_ok(&sb));
		const char *txt = sb_str(&sb);
		CU_ASSERT_EQUAL(strncmp(txt, m->code, 6), 0);
		CU_ASSERT_PTR_NULL(strchr(txt, '`'));
		CU_ASSERT_PTR_NOT_NULL(strstr(txt, "Opt out:"));
		/* wrapped: no line over 78 columns (counted in UTF-8
		 * characters) after the heading line "ID slug: title" */
		const char *line = strchr(txt, '\n');
		CU_ASSERT_PTR_NOT_NULL_FATAL(line);
		line++;
		while (*line) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			size_t cols = 0;
			for (size_t k = 0; k < len; k++)
				if (((unsigned char)line[k] & 0xC0) != 0x80)
					cols++;
			/* the example is verbatim; a single word longer than
			 * the line may overflow */
			int verbatim = 0;
			if (m->example && len > 4) {
				char buf[256];
				size_t k = len - 4 < sizeof(buf) - 1
						   ? len - 4
						   : sizeof(buf) - 1;
				memcpy(buf, line + 4, k);
				buf[k] = '\0';
				verbatim = strstr(m->example, buf) != NULL;
			}
			if (cols > 78 && !verbatim &&
			    memchr(line + 4, ' ', len - 4))
				CU_ASSERT_TRUE(cols <= 78);
			line = nl ? nl + 1 : line + len;
		}
	}
	sb_reset(&sb);
	rule_index_render(RULE_DOC_MARKDOWN, &sb);
	for (int i = 0; i < R_COUNT; i++) {
		char link[32];
		snprintf(link, sizeof(link), "(%s.md)", rule_catalog[i].code);
		CU_ASSERT_PTR_NOT_NULL(strstr(sb_str(&sb), link));
	}
	sb_free(&sb);
}

static void test_json(void)
{
	json_t *j = rule_catalog_json(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_t *rules = json_object_get(j, "rules");
	CU_ASSERT_EQUAL(json_array_size(rules), R_COUNT);
	json_t *r = json_array_get(rules, R_PGA103);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "id")),
			       "PGA103");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "default")),
			       "warn");
	json_t *scope = json_object_get(r, "scope");
	CU_ASSERT_EQUAL(json_array_size(scope), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(scope, 0)),
			       "webhook");
	CU_ASSERT_TRUE(json_array_size(json_object_get(r, "fires_on")) >= 1);
	CU_ASSERT_TRUE(
		json_array_size(json_object_get(r, "does_not_fire_on")) >= 1);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(r, "opt_out"));
	json_decref(j);
	j = rule_catalog_json(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	r = json_array_get(json_object_get(j, "rules"), 0);
	CU_ASSERT_PTR_NULL(json_object_get(r, "fix"));
	json_decref(j);
}

static CU_TestInfo catalog_tests[] = {
	{"every rule has every field", test_fields},
	{"ids and slugs unique, in id order", test_unique_and_ordered},
	{"only implemented rules", test_only_implemented},
	{"lookup by id or slug", test_lookup},
	{"suggestions for misspelled names", test_suggest},
	{"text and markdown rendering", test_render},
	{"JSON", test_json},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"catalog", NULL, NULL, NULL, NULL, catalog_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run("test_catalog", suites);
}
