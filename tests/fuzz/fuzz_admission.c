/* fuzz_admission.c — bytes → AdmissionReview response for /validate and
 * /mutate, without the network. The answer and the review's log line are
 * always valid JSON (jansson refuses invalid UTF-8, so that is checked
 * too). And the large-string loader (src/admission/bigstr.c), with its
 * bounds lowered so that small inputs reach it, gives the tree json_loadb
 * gives, or fails where it fails. */
#include <jansson.h>
#include <stdint.h>

#include "../../src/admission/bigstr.h"
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

static void same_tree(const uint8_t *data, size_t size)
{
	json_error_t e1, e2;
	const char *body = (const char *)data;
	struct bigstr b;
	if (bigstr_scan(&b, body, size, 0, size ? 2 + data[0] % 64 : 2)) {
		bigstr_free(&b);
		return;
	}
	json_t *x = json_loadb(body, size, JSON_REJECT_DUPLICATES, &e1);
	json_t *y = b.n ? bigstr_load(&b, JSON_REJECT_DUPLICATES, &e2) : NULL;
	if (b.n && (!x) != (!y))
		__builtin_trap(); /* one parsed, the other did not */
	if (x && y && !json_equal(x, y))
		__builtin_trap(); /* not the same value */
	json_decref(x);
	json_decref(y);
	bigstr_free(&b);
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
	same_tree(data, size);
	return 0;
}
