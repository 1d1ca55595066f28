/*
 * activity.c — PGA221 connections-near-limit and the sessions part of
 * PGA202 ssl-not-enforced, in one pass over pg_stat_activity joined to
 * pg_stat_ssl.
 *
 * Without pg_read_all_stats (pg_monitor has it) other roles' sessions show
 * no backend type, address or SSL state. The count of visible client
 * backends is then a lower bound: PGA221 still fires when the bound is over
 * the limit, and is `unknown` otherwise; PGA202's sessions part is
 * `unknown` when hidden sessions exist.
 */
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

static const char activity_sql[] =
	"SELECT count(*) FILTER (WHERE a.backend_type = 'client backend'),"
	" count(*) FILTER (WHERE a.backend_type IS NULL),"
	" count(*) FILTER (WHERE s.ssl IS FALSE AND a.client_addr IS NOT NULL"
	"  AND NOT a.client_addr <<= inet '127.0.0.0/8'"
	"  AND a.client_addr <> inet '::1' AND a.pid <> pg_backend_pid()),"
	" left(string_agg(DISTINCT host(a.client_addr), ', ') FILTER (WHERE"
	"  s.ssl IS FALSE AND a.client_addr IS NOT NULL"
	"  AND NOT a.client_addr <<= inet '127.0.0.0/8'"
	"  AND a.client_addr <> inet '::1' AND a.pid <> pg_backend_pid()), 200)"
	" FROM pg_catalog.pg_stat_activity a"
	" LEFT JOIN pg_catalog.pg_stat_ssl s ON s.pid = a.pid";

static int unknown_grant(struct probe_ctx *c, enum rule_id id,
			 const char *object, const char *why)
{
	return probe_unknown_role(c, id, object, why, "pg_read_all_stats");
}

static int check_connections(struct probe_ctx *c, long long clients,
			     long long hidden)
{
	long long max = probe_fact_ll(c, "max_connections", -1);
	long long su = probe_fact_ll(c, "superuser_reserved_connections", 0);
	long long rsv = probe_fact_ll(c, "reserved_connections", 0);
	if (max <= 0)
		return probe_unknown_role(c, R_PGA221, "server",
					  "max_connections is not readable",
					  "pg_read_all_settings");
	long long limit = max - su - rsv;
	if (limit < 1)
		limit = 1;
	int pct = c->p->probe.connections_percent;
	/* over pct% of the limit: clients * 100 > limit * pct */
	if (clients * 100 > limit * pct) {
		char *m = probe_fmt("%lld client connections of %lld available "
				    "(max_connections %lld minus %lld "
				    "reserved): over %d%%%s",
				    clients, limit, max, su + rsv, pct,
				    hidden ? " (at least: other sessions are "
					     "hidden from this role)"
					   : "");
		return probe_add_msg(c, R_PGA221, -1, "server", m,
				     "put a pooler (PgBouncer, pool_mode = "
				     "transaction) in front, or shrink the "
				     "clients' pools; raising max_connections "
				     "costs memory per backend");
	}
	if (hidden)
		return unknown_grant(c, R_PGA221, "server",
				     "other roles' sessions are hidden from "
				     "this role, so the count of client "
				     "connections is incomplete");
	return 0;
}

int probe_check_activity(struct probe_ctx *c)
{
	bool want221 = probe_action(c, R_PGA221) != ACTION_OFF;
	bool want202 = probe_action(c, R_PGA202) != ACTION_OFF;
	if (!want221 && !want202)
		return 0;
	PGresult *res = probe_query(c, activity_sql, 0, NULL);
	if (!res)
		return -1;
	long long clients = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	long long hidden = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	long long plain = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	const char *addrs = PQgetisnull(res, 0, 3) ? "" : PQgetvalue(res, 0, 3);
	if (probe_fact_true(c, "can_read_stats"))
		hidden = 0; /* what is null then is not a client backend */
	int rc = 0;
	if (want221)
		rc = check_connections(c, clients, hidden);
	if (!rc && want202 && plain > 0) {
		char *m = probe_fmt("%lld session%s from non-local addresses "
				    "without SSL (%s)",
				    plain, plain == 1 ? "" : "s", addrs);
		rc = probe_add_msg(c, R_PGA202, -1, "sessions", m,
				   probe_ssl_off(c)
					   ? "SSL is off (PGA201), so in this "
					     "order: 1. ssl = on with a "
					     "certificate, SELECT "
					     "pg_reload_conf(); 2. make the "
					     "clients use sslmode=verify-full; "
					     "3. only then allow only hostssl "
					     "rules for non-local addresses in "
					     "pg_hba.conf"
					   : "make the clients use "
					     "sslmode=verify-full and allow only "
					     "hostssl rules for non-local "
					     "addresses in pg_hba.conf");
	} else if (!rc && want202 && hidden) {
		rc = unknown_grant(c, R_PGA202, "sessions",
				   "other roles' sessions are hidden from "
				   "this role, so their SSL use is unknown");
	}
	PQclear(res);
	return rc;
}
