/* fuzz_compose.c — the Compose reader on its own: bytes -> YAML documents
 * -> services judged as `check` judges them (kind ComposeService, path
 * prefix "services.NAME"), then every finding written in text, JSON and
 * SARIF. A document without a `services` map is taken as one service
 * definition, so the fuzzer spends its time in the service fields the rules
 * parse (ports short and long syntax, environment map and list, command,
 * entrypoint, network_mode, image) instead of rediscovering `services:`. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pgadmit/manifest.h"
#include "pgadmit/report.h"
#include "pgadmit/rules.h"

struct run {
	const struct policy *p;
	struct finding_list out, deferred;
	size_t objects;
};

static void judge(struct run *r, const struct manifest_doc *d,
		  const json_t *svc, const char *name)
{
	char prefix[300];
	snprintf(prefix, sizeof(prefix), "services.%s", name);
	struct object_ref ref = {svc, "ComposeService", NULL, name, "fuzz",
				 d->index, d, prefix};
	r->objects++;
	(void)!rules_eval_object(r->p, &ref, NULL, &r->out, &r->deferred);
}

static int on_doc(const struct manifest_doc *d, void *arg)
{
	struct run *r = arg;
	const json_t *root = d->root; /* borrowed */
	if (!json_is_object(root))
		return 0;
	const json_t *svcs = json_object_get(root, "services");
	if (!json_is_object(svcs)) {
		judge(r, d, root, "fuzzed");
		return 0;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)svcs, k, v)
	{
		if (json_is_object(v))
			judge(r, d, v, k);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *p;
	static FILE *sink;
	struct err e;
	if (!p && !(p = policy_new(NULL, &e)))
		return 0;
	if (!sink && !(sink = fopen("/dev/null", "w")))
		return 0;
	struct run r = {.p = p};
	finding_list_init(&r.out);
	finding_list_init(&r.deferred);
	(void)!manifest_load_buffer((const char *)data, size, "fuzz-compose.yaml",
			     NULL, on_doc, &r, &e);
	/* Compose has no CronJobs: every deferred PGA103 candidate stands. */
	(void)!finding_list_move(&r.out, &r.deferred);
	finding_list_sort(&r.out);
	struct report_summary sum = {1, 1, r.objects};
	(void)!report_write(sink, REPORT_TEXT, &r.out, &sum, true);
	(void)!report_write(sink, REPORT_JSON, &r.out, &sum, false);
	(void)!report_write(sink, REPORT_SARIF, &r.out, &sum, false);
	finding_list_free(&r.out);
	finding_list_free(&r.deferred);
	return 0;
}
