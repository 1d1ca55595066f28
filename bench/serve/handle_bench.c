/* handle_bench.c — in-process cost of one review: admission_handle with the
 * default policy, with every rule off, and jansson's parse alone.
 * usage: handle_bench REVIEW.json [ITERATIONS]
 * Times are per review, in microseconds; "rules" is review minus rules off
 * (the rules, plus any work done only when a rule is on). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pgadmit/admission.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"
#include "../../src/server/skim.h"
#include "../../src/server/unescape.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* This thread's CPU time: on a shared machine, wall time also counts the
 * time other processes held the CPU. */
static double cpu_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
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
	/* Any size: the large-review figures use 3 and 15 MiB files. */
	if (fseek(f, 0, SEEK_END) != 0) {
		perror(argv[1]);
		fclose(f);
		return 2;
	}
	long sz = ftell(f);
	rewind(f);
	char *buf = sz > 0 ? malloc((size_t)sz) : NULL;
	size_t n = buf ? fread(buf, 1, (size_t)sz, f) : 0;
	fclose(f);
	if (!buf || n != (size_t)sz) {
		fprintf(stderr, "%s: cannot read\n", argv[1]);
		free(buf);
		return 2;
	}
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
	/* What pgadmit serve does: oldObject dropped and the escapes of
	 * printable ASCII shortened before the parse. */
	double t_skim = now_us();
	size_t sn = srv_skim_old_object(buf, n);
	sn = srv_unescape_ascii(buf, sn);
	t_skim = now_us() - t_skim;
	double c0 = cpu_us();
	double s_on = run(&env_on, buf, sn, iters);
	double c_on = (cpu_us() - c0) / iters;
	double s_off = run(&env_off, buf, sn, iters);
	printf("%s (%zu bytes): review %.1f us, rules off %.1f us, parse only "
	       "%.1f us, rules %.1f us\n",
	       argv[1], n, t_on, t_off, t_parse, t_on - t_off);
	if (sn != n)
		printf("  as served (oldObject skimmed, escapes shortened in "
		       "%.1f us, %zu bytes parsed): review %.1f us = parse "
		       "%.1f us + rules %.1f us\n",
		       t_skim, sn, s_on + t_skim, s_off + t_skim, s_on - s_off);
	printf("  %s review, CPU time: %.1f us\n",
	       sn != n ? "as served" : "whole", c_on + (sn != n ? t_skim : 0));
	kube_cache_free(kc);
	policy_free(on);
	policy_free(off);
	free(buf);
	return 0;
}
