/* fuzz_admission.c — bytes → AdmissionReview response for /validate and
 * /mutate, without the network. The answer and the review's log line are
 * always valid JSON (jansson refuses invalid UTF-8, so that is checked
 * too). */
#include <jansson.h>
#include <stdint.h>

#include "pgadmit/admission.h"
#include "pgadmit/policy.h"
#define PGADMIT_TESTING 1 /* srv_log_review_line */
#include "pgadmit/server.h"
#include "pgadmit/strbuf.h"

static void check(const struct admission_env *env, enum admission_endpoint ep,
		  const uint8_t *data, size_t size)
{
	struct admission_result r;
	if (admission_handle(env, ep, (const char *)data, size, &r) != 0)
		return;
	json_error_t je;
	json_t *j = json_loadb(r.body, r.body_len, 0, &je);
	if (!j)
		__builtin_trap(); /* the answer must be JSON */
	json_decref(j);
	struct strbuf line = STRBUF_INIT;
	srv_log_review_line(&line, SRV_INFO, "validate", &r, 1.0);
	if (sb_ok(&line)) {
		if (!(j = json_loadb(line.buf, line.len, 0, &je)))
			__builtin_trap(); /* the log line must be JSON */
		json_decref(j);
	}
	sb_free(&line);
	admission_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *p;
	struct err e;
	if (!p && !(p = policy_new(NULL, &e)))
		return 0;
	struct admission_env env = {p, NULL};
	check(&env, ADMISSION_VALIDATE, data, size);
	check(&env, ADMISSION_MUTATE, data, size);
	return 0;
}
