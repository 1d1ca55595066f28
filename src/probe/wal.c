/*
 * wal.c — PGA231 wal-archiving-off, PGA232 archiver-failing, from the facts
 * row (archive_mode and pg_stat_archiver's single row).
 *
 * PGA232 fires when pg_stat_archiver's last failure is newer than its last
 * success (or there was never a success): the archiver is failing now, WAL
 * piles up in pg_wal and point-in-time recovery has a gap.
 */
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

int probe_check_wal(struct probe_ctx *c)
{
	const char *mode = probe_fact(c, "archive_mode");
	int rc = 0;
	if (!mode)
		rc = probe_unknown_role(c, R_PGA231, "server",
					"archive_mode is not readable by this "
					"role",
					"pg_read_all_settings");
	else if (strcmp(mode, "off") == 0)
		rc = probe_add(c, R_PGA231, -1, "server",
			       "archive_mode is off: WAL is not archived, so "
			       "point-in-time recovery is impossible",
			       "set archive_mode = on with an archive_command "
			       "or archive_library (pgBackRest, WAL-G, barman) "
			       "and restart; or document that backups are "
			       "snapshots");
	if (rc)
		return rc;
	if (probe_fact_true(c, "archiver_failing")) {
		const char *wal = probe_fact(c, "archiver_last_failed_wal");
		const char *when = probe_fact(c, "archiver_last_failed_time");
		const char *ok = probe_fact(c, "archiver_last_archived_time");
		const char *n = probe_fact(c, "archiver_failed_count");
		char *m = probe_fmt("the WAL archiver is failing: %s failures, "
				    "last %s at %s, last success %s",
				    n ? n : "?",
				    wal ? wal : "?", when ? when : "?",
				    ok ? ok : "never");
		rc = probe_add_msg(c, R_PGA232, -1, "server", m,
				   "read the server log for archive_command's "
				   "error and fix it; WAL accumulates in pg_wal "
				   "until it succeeds");
	}
	return rc;
}
