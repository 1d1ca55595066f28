/* fuzz_policy.c — the policy-file loader: any bytes give a policy or an
 * error naming the problem, never a crash or a leak. */
#include <stdint.h>

#include "pgadmit/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct policy p;
	if (policy_init(&p, &e))
		return 0;
	(void)!policy_load_buffer(&p, (const char *)data, size, "fuzz.yaml", &e);
	(void)policy_is_pg_image(&p, "docker.io/library/postgres:16");
	policy_release(&p);
	return 0;
}
