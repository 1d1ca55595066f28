/* fuzz_redact.c — the redaction property (tests/unit/redact_prop.h): the
 * fuzzer's bytes choose a password from the full byte range URLs and DSNs
 * allow, its form and its context; no output surface may show it. Every
 * 16th input also runs through every surface (check writers, /validate,
 * /mutate with the decoded patch, the log line), the rest through the
 * redactor alone, so the campaign stays fast. */
#include <stdint.h>

#include "pgadmit/policy.h"
#include "redact_prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *p;
	struct err e;
	if (!p && !(p = policy_new(NULL, &e)))
		return 0;
	struct redact_case c;
	redact_case_make(data, size, &c);
	if (redact_case_check_text(&c))
		__builtin_trap(); /* password shown or not seen */
	if (size > 0 && (data[0] & 15) == 0 && redact_case_check_surfaces(&c, p))
		__builtin_trap();
	return 0;
}
