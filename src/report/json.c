/* json.c — the JSON report, shape as in interfaces.md (version 1). */
#include <jansson.h>

#include "pgadmit/utf8.h"
#include "writers.h"

static json_t *str_or_null(const char *s)
{
	/* file names and texts from input: valid UTF-8 whatever they hold */
	return s ? utf8_json_string(s) : json_null();
}

static json_t *finding_json(const struct finding *f)
{
	/* json_pack "o" steals; "o?" turns NULL into null. */
	return json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:o, "
			 "s:o, s:o}",
			 "rule", f->rule, "slug", f->slug, "action",
			 action_name(f->action), "file", str_or_null(f->file),
			 "document", f->document, "line",
			 f->line > 0 ? json_integer(f->line) : json_null(),
			 "kind", str_or_null(f->kind), "namespace",
			 str_or_null(f->ns), "name", str_or_null(f->name),
			 "path", str_or_null(f->path), "message",
			 str_or_null(f->message), "hint", str_or_null(f->hint));
}

int report_json(FILE *out, const struct finding_list *l,
		const struct report_summary *s, const struct report_errors *e)
{
	int rc = -1;
	size_t cnt[5];
	finding_list_count(l, cnt);
	json_t *arr = json_array(), *errs = json_array();
	json_t *root = NULL;
	if (!arr || !errs)
		goto out;
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(arr, finding_json(&l->v[i])))
			goto out;
	/* Inputs that could not be read or held nothing to check. */
	for (size_t i = 0; i < e->n; i++)
		if (json_array_append_new(errs,
					  json_pack("{s:s, s:s}", "input",
						    e->v[i].input, "message",
						    e->v[i].message)))
			goto out;
	root = json_pack("{s:i, s:O, s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:I}}",
			 "version", 1, "findings", arr, "errors", errs,
			 "summary", "files", (json_int_t)s->files, "documents",
			 (json_int_t)s->documents, "objects",
			 (json_int_t)s->objects, "deny",
			 (json_int_t)cnt[ACTION_DENY], "warn",
			 (json_int_t)cnt[ACTION_WARN], "annotate",
			 (json_int_t)cnt[ACTION_ANNOTATE], "info",
			 (json_int_t)cnt[ACTION_INFO]);
	rc = report_dump_json(out, root);
out:
	json_decref(root);
	json_decref(errs);
	json_decref(arr);
	return rc;
}
