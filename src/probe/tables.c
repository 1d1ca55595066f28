/*
 * tables.c — PGA215 seq-scan-heavy: one pass over the user schemas' tables
 * (the relations of pg_stat_user_tables, read with the view's functions).
 *
 * Partitions are summed into their root (pg_partition_root), so a
 * partitioned table is judged once. Fires on a table of at least
 * seqScanMinBytes (relpages * block_size) with at least seqScanMinRows read
 * by sequential scans and seq_scan >= seqScanRatio * max(idx_scan, 1).
 * The thresholds are query parameters: only offending tables come back.
 * idx_scan (the view sums pg_index for every table) is summed only for the
 * roots that pass the cheap tests; seq_scan >= seqScanRatio is one of them,
 * implied by the last (10,000 tables: 84 -> 21 ms in the server).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

static const char tables_sql[] =
	"WITH t AS (SELECT CASE WHEN c.relispartition"
	"   THEN pg_partition_root(c.oid) ELSE c.oid END AS root, c.oid,"
	"  pg_stat_get_numscans(c.oid) AS seq_scan,"
	"  pg_stat_get_tuples_returned(c.oid) AS seq_tup_read,"
	"  c.relpages::int8 * current_setting('block_size')::int8 AS bytes"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('r', 't', 'm', 'p')"
	"  AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
	"  AND n.nspname !~ '^pg_toast'),"
	" s AS (SELECT root, sum(seq_scan)::int8 AS seq_scan,"
	"  sum(seq_tup_read)::int8 AS seq_tup_read, sum(bytes)::int8 AS bytes,"
	"  array_agg(oid) AS oids FROM t GROUP BY root"
	"  HAVING sum(bytes) >= $1::int8 AND sum(seq_tup_read) >= $2::int8"
	"  AND sum(seq_scan) >= $3::float8)"
	" SELECT format('%I.%I', n.nspname, r.relname), s.seq_scan, x.idx_scan,"
	"  s.seq_tup_read, s.bytes, r.relkind, n.nspname, r.relname"
	" FROM s CROSS JOIN LATERAL (SELECT"
	"  coalesce(sum(pg_stat_get_numscans(i.indexrelid)), 0)::int8 AS idx_scan"
	"  FROM pg_index i WHERE i.indrelid = ANY (s.oids)) x"
	" JOIN pg_class r ON r.oid = s.root"
	" JOIN pg_namespace n ON n.oid = r.relnamespace"
	" WHERE s.seq_scan >= $3::float8 * greatest(x.idx_scan, 1)"
	" ORDER BY s.seq_tup_read DESC LIMIT 1000";

/* name as an ARE matching itself, inside a SQL string literal: regex
 * metacharacters backslashed, quotes doubled. NULL on OOM. */
static char *re_lit(const char *name)
{
	char *o = malloc(strlen(name) * 2 + 1), *p = o;
	if (!o)
		return NULL;
	for (; *name; name++) {
		if (strchr("\\^$.|?*+()[]{}", *name))
			*p++ = '\\';
		else if (*name == '\'')
			*p++ = '\'';
		*p++ = *name;
	}
	*p = '\0';
	return o;
}

/* The hint: a query a DBA can paste into the probed database that lists
 * the pg_stat_statements entries naming the table, qualified or not, the
 * costliest first (total_exec_time since 13, total_time before), then the
 * index to create. Statement texts rarely say "schema.table", so the
 * pattern takes the bare name at word boundaries. */
static char *find_hint(const struct probe_ctx *c, const char *qt,
		       const char *nsp, const char *rel)
{
	char *ns = re_lit(nsp), *rl = re_lit(rel), *h = NULL;
	const char *total = c->major >= 13 || c->major == 0 ? "total_exec_time"
							    : "total_time";
	if (ns && rl)
		h = probe_fmt("SELECT calls, rows, round(%s) AS ms, left(query, "
			      "300) FROM pg_stat_statements WHERE dbid = "
			      "(SELECT oid FROM pg_database WHERE datname = "
			      "current_database()) AND query ~* "
			      "'(^|[^\\w$.])(\"?%s\"?\\.)?\"?%s\"?($|[^\\w$])' "
			      "ORDER BY %s DESC LIMIT 20; -- the statements "
			      "that read %s; then CREATE INDEX CONCURRENTLY ON "
			      "%s (<the columns of their WHERE>);",
			      total, ns, rl, total, qt, qt);
	free(ns);
	free(rl);
	return h;
}

int probe_check_tables(struct probe_ctx *c)
{
	if (probe_action(c, R_PGA215) == ACTION_OFF)
		return 0;
	const struct policy_probe *pp = &c->p->probe;
	char p1[32], p2[32], p3[32];
	snprintf(p1, sizeof(p1), "%lld", pp->seq_scan_min_bytes);
	snprintf(p2, sizeof(p2), "%lld", pp->seq_scan_min_rows);
	snprintf(p3, sizeof(p3), "%.17g", pp->seq_scan_ratio);
	const char *const params[] = {p1, p2, p3};
	PGresult *res = probe_query(c, tables_sql, 3, params);
	if (!res)
		return -1;
	int rc = 0;
	for (int row = 0; row < PQntuples(res) && !rc; row++) {
		const char *qt = PQgetvalue(res, row, 0);
		long long bytes = strtoll(PQgetvalue(res, row, 4), NULL, 10);
		char *m = probe_fmt("table %s (%.1f MiB%s) had %s sequential "
				    "scans reading %s rows, against %s index "
				    "scans: queries filter it without an index",
				    qt, (double)bytes / (1 << 20),
				    PQgetvalue(res, row, 5)[0] == 'p'
					    ? ", all partitions"
					    : "",
				    PQgetvalue(res, row, 1),
				    PQgetvalue(res, row, 3),
				    PQgetvalue(res, row, 2));
		char *h = find_hint(c, qt, PQgetvalue(res, row, 6),
				    PQgetvalue(res, row, 7));
		rc = probe_add_take(c, R_PGA215, -1, qt, m, h);
	}
	PQclear(res);
	return rc;
}
