/* handle_bench.c — in-process cost of one review: admission_handle with the
 * default policy, with every rule off, and jansson's parse alone.
 * usage: handle_bench REVIEW.json [ITERATIONS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pgadmit/admission.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double run(const struct admission_env *env, const char *b, size_t n,
		  int iters)
{
	double t0 = now_us();
	for (int i = 0; i < iters; i++) {
		struct admission_result r;
		if (admission_handle(env, ADMISSION_VALIDATE, b, n, &r) == 0)
			admission_result_free(&r);
	}
	return (now_us() - t0) / iters;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: handle_bench REVIEW.json [N]\n");
		return 2;
	}
	int iters = argc > 2 ? atoi(argv[2]) : 20000;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct err e;
	struct policy *on = policy_new(NULL, &e), *off = policy_new(NULL, &e);
	if (!on || !off) {
		fprintf(stderr, "policy: %s\n", e.msg);
		return 2;
	}
	for (int i = 0; i < R_COUNT; i++)
		off->actions[i] = ACTION_OFF;
	struct kube_cache *kc = kube_cache_new(NULL, "benchmark", 4);
	struct admission_env env_on = {on, kc}, env_off = {off, kc};
	double t_on = run(&env_on, buf, n, iters);
	double t_off = run(&env_off, buf, n, iters);
	double t0 = now_us();
	for (int i = 0; i < iters; i++) {
		json_error_t je;
		json_decref(json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je));
	}
	double t_parse = (now_us() - t0) / iters;
	printf("%s (%zu bytes): review %.1f us, rules off %.1f us, parse only "
	       "%.1f us, rules %.1f us\n",
	       argv[1], n, t_on, t_off, t_parse, t_on - t_off);
	kube_cache_free(kc);
	policy_free(on);
	policy_free(off);
	return 0;
}
