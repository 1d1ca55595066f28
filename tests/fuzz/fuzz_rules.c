/* fuzz_rules.c — documents through the rule engine the way `check` feeds
 * it: Kubernetes objects by kind (Lists unwrapped) and Compose services,
 * with PGA103 deferred and resolved over the input as one bundle.
 * (Redaction itself is fuzzed with a property in fuzz_connstr.c.) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pgadmit/manifest.h"
#include "pgadmit/rules.h"

struct run {
	struct policy *p;
	struct finding_list out, deferred;
	struct backup_index *bi;
};

static void judge(struct run *r, const struct manifest_doc *d, const json_t *o,
		  const char *kind, const char *name, const char *prefix)
{
	const json_t *md = json_object_get(o, "metadata");
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	struct object_ref ref = {o, kind, ns, name, "fuzz", d->index, d, prefix};
	if (strcmp(kind, "CronJob") == 0)
		(void)!backup_index_add_cronjob(r->bi, ns, o);
	(void)!rules_eval_object(r->p, &ref, NULL, &r->out, &r->deferred);
}

static int on_doc(const struct manifest_doc *d, void *arg)
{
	struct run *r = arg;
	const json_t *root = d->root;
	if (!json_is_object(root))
		return 0;
	const json_t *svcs = json_object_get(root, "services");
	if (json_is_object(svcs) && !json_object_get(root, "kind")) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)svcs, k, v)
		{
			char prefix[160];
			snprintf(prefix, sizeof(prefix), "services.%.100s", k);
			if (json_is_object(v))
				judge(r, d, v, "ComposeService", k, prefix);
		}
		return 0;
	}
	const json_t *items = json_object_get(root, "items");
	if (json_is_array(items)) {
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			const char *kind = json_string_value(json_object_get(it, "kind"));
			if (json_is_object(it) && kind)
				judge(r, d, it, kind, "item", NULL);
		}
	}
	const char *kind = json_string_value(json_object_get(root, "kind"));
	if (kind)
		judge(r, d, root, kind, "obj", NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *p;
	struct err e;
	if (!p && !(p = policy_new(NULL, &e)))
		return 0;
	struct run r = {.p = p};
	finding_list_init(&r.out);
	finding_list_init(&r.deferred);
	r.bi = backup_index_new();
	if (!r.bi)
		return 0;
	(void)!manifest_load_buffer((const char *)data, size, "fuzz", NULL, on_doc, &r,
			     &e);
	(void)!backup_index_resolve(r.bi, &r.deferred, &r.out);
	finding_list_free(&r.out);
	finding_list_free(&r.deferred);
	backup_index_free(r.bi);
	return 0;
}
