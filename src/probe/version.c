/*
 * version.c — server majors: which one a target runs, whether pgadmit is
 * tested against it, and the note for one it is not tested against.
 *
 * The checks that read catalogs which differ between majors choose their
 * SQL by c->major (set from the facts row's server_version_num):
 *   hba.c     16+: pg_hba_file_rules.rule_number and file_name (include
 *             files), ordered by rule_number; before: line_number
 *   activity  16+: reserved_connections (absent before: NULL, counts 0)
 *   tables.c  the PGA215 hint orders pg_stat_statements by
 *             total_exec_time (13+; total_time before)
 *   hba.c     18+: the PGA253 message says md5 is deprecated
 * Pure functions here; unit-tested in tests/unit/test_probe.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pgadmit/probe.h"

int probe_major_from_num(long num)
{
	if (num >= 100000 && num < 10000000)
		return (int)(num / 10000);
	if (num >= 70000 && num < 100000) /* 9.6.24 is 90624: major 96 */
		return (int)(num / 10000 * 10 + num / 100 % 100);
	return 0;
}

char *probe_major_note(int major, bool *oom)
{
	*oom = false;
	if (major >= PROBE_MAJOR_MIN && major <= PROBE_MAJOR_MAX)
		return NULL;
	char *s = NULL;
	int n;
	if (major <= 0)
		n = asprintf(&s,
			     "the server's major version is unknown: "
			     "pgadmit is tested against PostgreSQL %d to "
			     "%d",
			     PROBE_MAJOR_MIN, PROBE_MAJOR_MAX);
	else {
		char ver[16];
		if (major >= 70) /* 96 -> "9.6" */
			snprintf(ver, sizeof(ver), "%d.%d", major / 10,
				 major % 10);
		else
			snprintf(ver, sizeof(ver), "%d", major);
		n = asprintf(&s,
			     "PostgreSQL %s is outside the majors "
			     "pgadmit is tested against (%d to %d): probed "
			     "anyway, but a check whose catalog differs "
			     "there may fail or miss something",
			     ver, PROBE_MAJOR_MIN, PROBE_MAJOR_MAX);
	}
	if (n < 0) {
		*oom = true;
		return NULL;
	}
	return s;
}
