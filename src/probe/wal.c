/*
 * wal.c — PGA231 wal-archiving-off, PGA232 archiver-failing, from the facts
 * row (archive_mode and pg_stat_archiver's single row).
 *
 * PGA232 fires when pg_stat_archiver's last failure is newer than its last
 * success (or there was never a success): the archiver is failing now, WAL
 * piles up in pg_wal and point-in-time recovery has a gap.
 *
 * PGA233 backup-stale (its own two queries, below): archiving is on, the
 * server is a primary, the archiver is not failing (that is PGA232), and
 * the last archived WAL is older than probe.backupStaleSeconds while at
 * least one whole segment was written after it (the current WAL file is
 * more than one segment past the last archived one): archiving that
 * stopped without an error, e.g. a hung archive_command. Nothing archived
 * yet is not judged. Privileges are asked first (a permission error would
 * end the read-only transaction): without them, `unknown` with the GRANT.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

static const char stale_priv_sql[] =
	"SELECT has_table_privilege('pg_catalog.pg_stat_archiver', 'SELECT')"
	" AND has_function_privilege('pg_catalog.pg_current_wal_lsn()',"
	"  'EXECUTE')"
	" AND has_function_privilege('pg_catalog.pg_walfile_name(pg_lsn)',"
	"  'EXECUTE')";

static const char stale_sql[] =
	"SELECT a.last_archived_wal,"
	" floor(extract(epoch FROM now() - a.last_archived_time))::int8,"
	" to_char(a.last_archived_time AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()),"
	" (SELECT setting::int8 FROM pg_catalog.pg_settings"
	"  WHERE name = 'wal_segment_size')"
	" FROM pg_catalog.pg_stat_archiver a";

/* A WAL file name's timeline and segment number (segments of seg_size
 * bytes); false when name is not a plain segment (history files). */
static bool wal_pos(const char *name, long long seg_size, unsigned long *tli,
		    unsigned long long *seg)
{
	if (!name || strlen(name) < 24 || seg_size <= 0)
		return false;
	char part[9];
	unsigned long v[3];
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 8; j++)
			if (!isxdigit((unsigned char)name[i * 8 + j]))
				return false;
		memcpy(part, name + i * 8, 8);
		part[8] = '\0';
		v[i] = strtoul(part, NULL, 16);
	}
	*tli = v[0];
	*seg = (unsigned long long)v[1] *
		       (0x100000000ULL / (unsigned long long)seg_size) +
	       v[2];
	return true;
}

static int check_stale(struct probe_ctx *c)
{
	PGresult *res = probe_query(c, stale_priv_sql, 0, NULL);
	if (!res)
		return -1;
	bool ok = PQntuples(res) == 1 &&
		  strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ok) {
		const char *role = probe_fact(c, "role");
		char *hint = probe_fmt(
			"GRANT SELECT ON pg_catalog.pg_stat_archiver TO %s; "
			"GRANT EXECUTE ON FUNCTION pg_catalog.pg_current_wal_lsn(), "
			"pg_catalog.pg_walfile_name(pg_lsn) TO %s; -- as a "
			"superuser",
			role ? role : "probe", role ? role : "probe");
		if (!hint)
			return probe_fail(c, "out of memory");
		int rc = probe_unknown(c, R_PGA233, "server",
				       "pg_stat_archiver or the current WAL "
				       "position is not readable by this role",
				       hint);
		free(hint);
		return rc;
	}
	res = probe_query(c, stale_sql, 0, NULL);
	if (!res)
		return -1;
	int rc = 0;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		goto out; /* nothing archived yet: not judged */
	const char *last = PQgetvalue(res, 0, 0);
	long long age = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	const char *when = PQgetvalue(res, 0, 2);
	const char *cur = PQgetvalue(res, 0, 3);
	long long seg_size = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	if (age < c->p->probe.backup_stale_s)
		goto out;
	unsigned long lt, ct;
	unsigned long long ls, cs;
	bool written = true; /* a history file last: judge by time */
	if (wal_pos(last, seg_size, &lt, &ls) &&
	    wal_pos(cur, seg_size, &ct, &cs))
		written = ct != lt || cs > ls + 1;
	if (!written)
		goto out; /* idle: the segment after the last archived one is
			   * still being filled */
	char ago[32];
	if (age >= 3600)
		snprintf(ago, sizeof(ago), "%.1f h", (double)age / 3600.0);
	else
		snprintf(ago, sizeof(ago), "%lld s", age);
	rc = probe_add_msg(
		c, R_PGA233, -1, "server",
		probe_fmt("WAL archiving has stalled: the last WAL archived "
			  "(%s) is %s old (%s) while WAL is written (now at %s)",
			  last, ago, when, cur),
		"check the archiver (SELECT * FROM pg_stat_archiver) and the "
		"backup tool; a hung archive_command fails silently");
out:
	PQclear(res);
	return rc;
}

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
				    n ? n : "?", wal ? wal : "?",
				    when ? when : "?", ok ? ok : "never");
		rc = probe_add_msg(c, R_PGA232, -1, "server", m,
				   "read the server log for archive_command's "
				   "error and fix it; WAL accumulates in pg_wal "
				   "until it succeeds");
	}
	if (rc == 0 && mode && strcmp(mode, "off") != 0 &&
	    !probe_fact_true(c, "in_recovery") &&
	    !probe_fact_true(c, "archiver_failing") &&
	    probe_action(c, R_PGA233) != ACTION_OFF)
		rc = check_stale(c);
	return rc;
}
