/*
 * unit.h — shared main for the CUnit test binaries.
 *
 * unit_run() runs the suites with the basic runner, records the totals for
 * tests/run.sh and returns the exit code: non-zero when anything failed
 * (CUnit's own CU_get_error() stays 0 on failed assertions).
 */
#ifndef PGADMIT_TEST_UNIT_H
#define PGADMIT_TEST_UNIT_H

#include <CUnit/CUnit.h>

int unit_run(const char *name, CU_SuiteInfo *suites);
/* Read a whole file (tests/fixtures/...); caller frees. NULL on error. */
char *unit_read_file(const char *path, size_t *len);

#endif
