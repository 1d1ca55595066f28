/* fuzz_manifest.c — bytes → YAML/JSON documents under the default caps.
 * Every delivered node's line is looked up (exercises the line map). */
#include <stddef.h>
#include <stdint.h>

#include "pgadmit/manifest.h"

static void walk(const struct manifest_doc *d, const json_t *v, int depth)
{
	(void)manifest_line(d, v);
	if (depth > 300)
		__builtin_trap(); /* the depth cap must hold */
	const char *k;
	json_t *e;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e) walk(d, e, depth + 1);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) walk(d, e, depth + 1);
	}
}

static int on_doc(const struct manifest_doc *d, void *arg)
{
	(void)arg;
	if (d->root)
		walk(d, d->root, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct manifest_limits lim;
	manifest_limits_default(&lim);
	lim.max_alias_nodes = 10000; /* keep walks short */
	(void)!manifest_load_buffer((const char *)data, size, "fuzz", &lim, on_doc,
			     NULL, &e);
	return 0;
}
