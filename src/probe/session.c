/*
 * session.c — one target: connect, open the read-only transaction, read the
 * facts row, run the check families, close.
 *
 * Every query goes through probe_query(), which sends it asynchronously and
 * waits on the socket with a client-side deadline (statement_timeout plus
 * the connect timeout), so a server that stops answering mid-query cannot
 * hang the probe: the query is cancelled and the target is an error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgadmit/clock.h"
#include "probe_int.h"

/* Wait until the connection has a complete result or the deadline. */
static int wait_ready(struct probe_ctx *c, double deadline)
{
	PGconn *conn = c->conn;
	while (PQisBusy(conn)) {
		int left = (int)(deadline - clock_ms_f());
		if (left <= 0)
			return 1;
		struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
		int n = poll(&pfd, 1, left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && !PQconsumeInput(conn))
			return -1;
	}
	return 0;
}

static void cancel(PGconn *conn)
{
	PGcancel *cn = PQgetCancel(conn);
	if (cn) {
		char buf[256];
		PQcancel(cn, buf, sizeof(buf));
		PQfreeCancel(cn);
	}
}

PGresult *probe_query(struct probe_ctx *c, const char *sql, int nparams,
		      const char *const *params)
{
	c->r->queries++;
	int sent = nparams > 0 ? PQsendQueryParams(c->conn, sql, nparams, NULL,
						   params, NULL, NULL, 0)
			       : PQsendQuery(c->conn, sql);
	if (!sent) {
		probe_fail(c, "query failed: %s", PQerrorMessage(c->conn));
		return NULL;
	}
	double deadline = clock_ms_f() + c->deadline_ms;
	PGresult *last = NULL;
	for (;;) {
		int w = wait_ready(c, deadline);
		if (w != 0) {
			if (w > 0) {
				cancel(c->conn);
				probe_fail(c, "no answer within %d ms",
					   c->deadline_ms);
			} else {
				probe_fail(c, "connection lost: %s",
					   PQerrorMessage(c->conn));
			}
			PQclear(last);
			return NULL;
		}
		PGresult *res = PQgetResult(c->conn);
		if (!res)
			break;
		ExecStatusType st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			/* keep the first error; drain the rest */
			if (c->r->status != PROBE_ERROR) {
				const char *state =
					PQresultErrorField(res,
							   PG_DIAG_SQLSTATE);
				probe_fail(c, "query failed (SQLSTATE %s): %s",
					   state ? state : "?",
					   PQresultErrorMessage(res));
			}
			PQclear(res);
			continue;
		}
		PQclear(last);
		last = res;
	}
	if (c->r->status == PROBE_ERROR) {
		PQclear(last);
		return NULL;
	}
	return last;
}

const char *probe_fact(const struct probe_ctx *c, const char *col)
{
	if (!c->facts)
		return NULL;
	int i = PQfnumber(c->facts, col);
	if (i < 0 || PQgetisnull(c->facts, 0, i))
		return NULL;
	return PQgetvalue(c->facts, 0, i);
}

bool probe_fact_true(const struct probe_ctx *c, const char *col)
{
	const char *v = probe_fact(c, col);
	return v && strcmp(v, "t") == 0;
}

long long probe_fact_ll(const struct probe_ctx *c, const char *col,
			long long dflt)
{
	const char *v = probe_fact(c, col);
	if (!v || !*v)
		return dflt;
	char *end;
	long long n = strtoll(v, &end, 10);
	return *end ? dflt : n;
}

/* One pass over pg_settings (pivoted), the privileges the checks depend
 * on, pg_stat_archiver's single row and the extension list. Settings a
 * role may not read are absent from pg_settings and come back NULL. */
static const char facts_sql[] =
	"SELECT current_setting('server_version') AS server_version,"
	" current_setting('server_version_num') AS server_version_num,"
	" s.*,"
	" has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT') AND"
	"  has_function_privilege('pg_catalog.pg_hba_file_rules()', 'EXECUTE')"
	"  AS can_read_hba,"
	" pg_has_role('pg_read_all_stats', 'USAGE') AS can_read_stats,"
	" pg_has_role('pg_read_all_settings', 'USAGE') AS can_read_settings,"
	" quote_ident(current_user) AS role, pg_is_in_recovery() AS in_recovery,"
	" EXISTS (SELECT 1 FROM pg_catalog.pg_extension"
	"  WHERE extname = 'pg_stat_statements') AS has_pg_stat_statements,"
	" floor(extract(epoch FROM now() - coalesce(d.stats_reset,"
	"  pg_postmaster_start_time())))::int8 AS stats_age_s,"
	" a.failed_count AS archiver_failed_count,"
	" a.last_failed_time > coalesce(a.last_archived_time, '-infinity')"
	"  AS archiver_failing,"
	" a.last_failed_wal AS archiver_last_failed_wal,"
	" to_char(a.last_failed_time AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS archiver_last_failed_time,"
	" to_char(a.last_archived_time AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS archiver_last_archived_time"
	" FROM (SELECT"
	"  max(setting) FILTER (WHERE name = 'ssl') AS ssl,"
	"  max(setting) FILTER (WHERE name = 'ssl_min_protocol_version')"
	"   AS ssl_min_protocol_version,"
	"  max(setting) FILTER (WHERE name = 'listen_addresses')"
	"   AS listen_addresses,"
	"  max(setting) FILTER (WHERE name = 'password_encryption')"
	"   AS password_encryption,"
	"  max(setting) FILTER (WHERE name = 'archive_mode') AS archive_mode,"
	"  max(setting) FILTER (WHERE name = 'shared_preload_libraries')"
	"   AS shared_preload_libraries,"
	"  max(setting) FILTER (WHERE name = 'max_connections')"
	"   AS max_connections,"
	"  max(setting) FILTER (WHERE name = 'superuser_reserved_connections')"
	"   AS superuser_reserved_connections,"
	"  max(setting) FILTER (WHERE name = 'reserved_connections')"
	"   AS reserved_connections"
	"  FROM pg_catalog.pg_settings WHERE name IN ('ssl',"
	"   'ssl_min_protocol_version', 'listen_addresses',"
	"   'password_encryption', 'archive_mode', 'shared_preload_libraries',"
	"   'max_connections', 'superuser_reserved_connections',"
	"   'reserved_connections')) s"
	" CROSS JOIN pg_catalog.pg_stat_archiver a"
	" LEFT JOIN pg_catalog.pg_stat_database d"
	"  ON d.datname = current_database()";

static int connect_target(struct probe_ctx *c, const char *dsn)
{
	const struct policy_probe *pp = &c->p->probe;
	char timeout[16];
	snprintf(timeout, sizeof(timeout), "%d", pp->connect_timeout_s);
	/* Later keywords override what the expanded dbname string says. */
	const char *const keys[] = {"dbname", "connect_timeout",
				    "application_name", "client_encoding",
				    NULL};
	const char *const vals[] = {dsn, timeout, "pgadmit-probe", "UTF8",
				    NULL};
	c->conn = PQconnectdbParams(keys, vals, 1);
	if (!c->conn)
		return probe_fail(c, "out of memory");
	if (PQstatus(c->conn) != CONNECTION_OK)
		return probe_fail(c, "cannot connect: %s",
				  PQerrorMessage(c->conn));
	const char *host = PQhost(c->conn);
	c->is_socket = host && host[0] == '/';
	return 0;
}

static int begin(struct probe_ctx *c)
{
	const struct policy_probe *pp = &c->p->probe;
	char sql[384];
	/* SET LOCAL, not startup options: PgBouncer rejects unknown startup
	 * parameters. search_path pins every name to pg_catalog; work_mem keeps
	 * the catalog joins of large databases in memory. */
	snprintf(sql, sizeof(sql),
		 "BEGIN READ ONLY; SET LOCAL statement_timeout = %d;"
		 " SET LOCAL lock_timeout = %d;"
		 " SET LOCAL search_path = pg_catalog, pg_temp;"
		 " SET LOCAL idle_in_transaction_session_timeout = %d;"
		 " SET LOCAL work_mem = '64MB'",
		 pp->statement_timeout_ms, pp->lock_timeout_ms,
		 pp->statement_timeout_ms + pp->connect_timeout_s * 1000);
	PGresult *res = probe_query(c, sql, 0, NULL);
	if (!res)
		return -1;
	PQclear(res);
	c->facts = probe_query(c, facts_sql, 0, NULL);
	if (!c->facts)
		return -1;
	if (PQntuples(c->facts) != 1)
		return probe_fail(c, "unexpected answer to the settings query");
	const char *v = probe_fact(c, "server_version");
	if (v) {
		/* "15.18 (Debian 15.18-0+deb12u1)" -> "15.18" */
		c->r->server_version = strndup(v, strcspn(v, " "));
		if (!c->r->server_version)
			return probe_fail(c, "out of memory");
	}
	c->major = probe_major_from_num(
		(long)probe_fact_ll(c, "server_version_num", 0));
	c->r->server_major = c->major;
	bool oom;
	char *note = probe_major_note(c->major, &oom);
	if (note || oom)
		return probe_note(c, note);
	return 0;
}

/* libpq's parse errors quote the offending text, which may be part of a
 * password ("invalid percent-encoded token: \"p%zz...\""): every quoted
 * part becomes "****". */
static void mask_quoted(char *s)
{
	char *o = s;
	bool in = false;
	for (char *p = s; *p; p++) {
		if (*p == '"') {
			*o++ = '"';
			if (!in) {
				memcpy(o, "****", 4);
				o += 4;
			}
			in = !in;
		} else if (!in) {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* The DSN's password (for scrubbing), or an error when it does not parse:
 * then the target is not connected at all. */
static int dsn_check(struct probe_ctx *c, const char *dsn)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &errmsg);
	if (!opts) {
		if (errmsg) {
			mask_quoted(errmsg);
			probe_fail(c, "invalid connection string: %s", errmsg);
			PQfreemem(errmsg);
			return -1;
		}
		return probe_fail(c, "out of memory");
	}
	char *pw = NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			pw = strdup(o->val);
	PQconninfoFree(opts);
	c->password = pw;
	return 0;
}

typedef int (*check_fn)(struct probe_ctx *c);

void probe_target(const char *dsn, const struct policy *p,
		  struct probe_result *r)
{
	double t0 = clock_ms_f();
	struct probe_ctx c = {.p = p, .r = r};
	const struct policy_probe *pp = &p->probe;
	c.deadline_ms = pp->statement_timeout_ms + pp->connect_timeout_s * 1000;
	r->status = PROBE_OK;
	r->target = probe_target_name(dsn);
	if (!r->target) {
		probe_fail(&c, "out of memory");
		goto out;
	}
	if (dsn_check(&c, dsn) || connect_target(&c, dsn) || begin(&c))
		goto out;
	probe_tls_inspect(&c);
	r->tls_done = true;
	static const check_fn checks[] = {
		probe_check_ssl,        probe_check_hba,
		probe_check_activity,   probe_check_indexes,
		probe_check_tables,     probe_check_wal,
		probe_check_extensions,
	};
	for (size_t i = 0; i < sizeof(checks) / sizeof(*checks); i++)
		if (checks[i](&c))
			goto out;
	PGresult *res = probe_query(&c, "COMMIT", 0, NULL);
	PQclear(res);
out:
	PQclear(c.facts);
	if (c.conn)
		PQfinish(c.conn);
	if (c.password) {
		explicit_bzero(c.password, strlen(c.password));
		free(c.password);
	}
	r->duration_ms = clock_ms_f() - t0;
}
