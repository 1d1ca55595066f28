/* fuzz_kubelist.c — a page the Kubernetes API answers to a CronJob list,
 * parsed as PGA103's webhook lookups parse it: any bytes give the items'
 * backup views or an error, never a crash or a leak; the index built from
 * it answers lookups. */
#include <stdint.h>
#include <stdlib.h>

#include "pgadmit/kube.h"
#include "pgadmit/rules.h"

static int add_cronjob(json_t *item, void *bi)
{
	return backup_index_add_cronjob(bi, "shop", item);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_index *bi = backup_index_new();
	if (!bi)
		return 0;
	struct err e;
	char *cont = NULL;
	if (kube_parse_cronjob_page((const char *)data, size, add_cronjob, bi,
				    &cont, &e) == 0)
		free(cont);
	backup_index_free(bi);
	return 0;
}
