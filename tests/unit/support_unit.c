/* support_unit.c — the common runner behind unit.h. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

int unit_run(const char *name, CU_SuiteInfo *suites)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", name, CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(getenv("UNIT_VERBOSE") ? CU_BRM_VERBOSE
						 : CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned run = CU_get_number_of_tests_run();
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned suites_failed = CU_get_number_of_suites_failed();
	int rc = (CU_get_number_of_failures() || suites_failed) ? 1 : 0;
	CU_cleanup_registry();
	printf("\n");
	const char *res = getenv("PGADMIT_TEST_RESULTS");
	FILE *f = res ? fopen(res, "a") : NULL;
	if (f) {
		for (unsigned i = 0; i < run - failed; i++)
			fprintf(f, "pass %s\n", name);
		for (unsigned i = 0; i < failed; i++)
			fprintf(f, "fail %s:test\n", name);
		if (suites_failed)
			fprintf(f, "fail %s:suite-init\n", name);
		fclose(f);
	}
	return rc;
}

char *unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
