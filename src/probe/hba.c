/*
 * hba.c — PGA202 ssl-not-enforced (pg_hba part), PGA251 listen-open-hba,
 * PGA252 hba-trust, PGA253 password-md5.
 *
 * One pass over pg_hba_file_rules (the file on disk, as the server parses
 * it; lines with errors are skipped). Rules are judged in order, as the
 * server matches them: a rule is dead when an earlier `reject` rule for all
 * databases and all users covers its address range, so the usual
 *     hostnossl all all 0.0.0.0/0 reject
 *     host      all all 0.0.0.0/0 scram-sha-256
 * does not fire PGA202 (only SSL connections reach the second line). A
 * `hostnossl ... reject` only kills rules for plain connections: PGA251 and
 * PGA252 still see the host rule behind it.
 *
 * Reading pg_hba_file_rules needs superuser or an explicit grant (in each
 * database: no predefined role covers it); without it the three hba checks
 * report `unknown` with that grant. On 16+ rules come in rule_number order
 * across include files and are named FILE:LINE (the file's base name);
 * before, pg_hba.conf:LINE.
 */
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

#define HBA_MAX_RULES 10000

struct rule {
	const char *line, *type, *db, *user, *addr, *mask, *method;
	const char *file; /* 16+: the file holding the rule, else NULL */
	enum hba_addr cls;
	bool all_all; /* database {all} and user {all} */
};

/* Before 16 one file, rules in line order. 16 added include directives:
 * rule_number is the order the server matches in, across files, and
 * file_name says which file a line number belongs to. */
static const char hba_sql_15[] =
	"SELECT line_number, type, database::text, user_name::text, address,"
	" netmask, auth_method, NULL::text AS file_name"
	" FROM pg_catalog.pg_hba_file_rules"
	" WHERE error IS NULL ORDER BY line_number";
static const char hba_sql_16[] =
	"SELECT line_number, type, database::text, user_name::text, address,"
	" netmask, auth_method, file_name FROM pg_catalog.pg_hba_file_rules"
	" WHERE error IS NULL ORDER BY rule_number";

/* Catalog grants are per database; no predefined role (pg_monitor,
 * pg_read_all_settings) covers pg_hba_file_rules on 13 to 18. */
static const char hba_grant[] =
	"GRANT SELECT ON pg_catalog.pg_hba_file_rules TO %s; GRANT EXECUTE ON "
	"FUNCTION pg_catalog.pg_hba_file_rules() TO %s; -- as a superuser, in "
	"each database the probe connects to (grants on catalog views are per "
	"database; no predefined role covers this one)";

static bool is_host_type(const char *t)
{
	return strncmp(t, "host", 4) == 0;
}

/* host, hostnossl and hostnogssenc admit connections without SSL. */
static bool admits_plain(const char *t)
{
	return strcmp(t, "host") == 0 || strcmp(t, "hostnossl") == 0 ||
	       strcmp(t, "hostnogssenc") == 0;
}

/* Is rule i dead because an earlier catch-all reject covers it? plain:
 * only for plain connections (then hostnossl rejects count too). */
static bool shadowed(const struct rule *v, size_t i, bool plain)
{
	for (size_t j = 0; j < i; j++) {
		const struct rule *r = &v[j];
		if (strcmp(r->method, "reject") != 0 || !r->all_all)
			continue;
		bool kills = strcmp(r->type, "host") == 0 ||
			     (plain && strcmp(r->type, "hostnossl") == 0);
		if (kills &&
		    probe_hba_covers(r->addr, r->mask, v[i].addr, v[i].mask))
			return true;
	}
	return false;
}

/* "{all}" -> "all", "{a,b}" -> "a,b" (as written in pg_hba.conf) */
static int unbrace(const char *s, const char **out)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
		*out = s + 1;
		return (int)(n - 2);
	}
	*out = s;
	return (int)n;
}

static char *describe(const struct rule *r)
{
	const char *db, *user;
	int dbn = unbrace(r->db, &db), usern = unbrace(r->user, &user);
	int pfx = probe_hba_prefix(r->addr, r->mask);
	if (pfx >= 0 && r->mask && *r->mask)
		return probe_fmt("%s %.*s %.*s %s/%d %s", r->type, dbn, db,
				 usern, user, r->addr, pfx, r->method);
	return probe_fmt("%s %.*s %.*s %s %s", r->type, dbn, db, usern, user,
			 r->addr, r->method);
}

static int fire(struct probe_ctx *c, enum rule_id id, const struct rule *r,
		const char *what, const char *hint)
{
	char *d = describe(r);
	const char *base = r->file ? strrchr(r->file, '/') : NULL;
	base = base ? base + 1 : r->file;
	char *obj = probe_fmt("%s:%s", base && *base ? base : "pg_hba.conf",
			      r->line);
	char *m = !d        ? NULL
		  : r->file ? probe_fmt("%s line %s \"%s\" %s", r->file,
					r->line, d, what)
			    : probe_fmt("line %s \"%s\" %s", r->line, d, what);
	int rc = obj && m ? probe_add(c, id, -1, obj, m, hint)
			  : probe_fail(c, "out of memory");
	free(d);
	free(obj);
	free(m);
	return rc;
}

static const char hint202[] =
	"make it hostssl (and put \"hostnossl all all 0.0.0.0/0 reject\" and "
	"\"::/0\" first), then SELECT pg_reload_conf();";
/* With SSL off, hostssl rules match nothing: doing the above first locks
 * every remote client out. */
static const char hint202_ssl_off[] =
	"SSL is off (PGA201), so in this order: 1. ssl = on with a certificate, "
	"SELECT pg_reload_conf(); 2. move the clients to sslmode=verify-full "
	"(or require); 3. only then make this rule hostssl and put "
	"\"hostnossl all all 0.0.0.0/0 reject\" and \"::/0\" first, SELECT "
	"pg_reload_conf(); (hostssl first would lock out every remote client)";

static int judge(struct probe_ctx *c, struct rule *v, size_t n, bool open)
{
	for (size_t i = 0; i < n; i++) {
		struct rule *r = &v[i];
		if (!is_host_type(r->type) || strcmp(r->method, "reject") == 0)
			continue;
		bool remote = r->cls == HBA_ADDR_NET || r->cls == HBA_ADDR_ALL;
		if (!remote)
			continue;
		bool dead_any = shadowed(v, i, false);
		if (admits_plain(r->type) && !shadowed(v, i, true) &&
		    fire(c, R_PGA202, r,
			 "admits connections without SSL from non-local "
			 "addresses",
			 probe_ssl_off(c) ? hint202_ssl_off : hint202))
			return -1;
		if (open && r->cls == HBA_ADDR_ALL && !dead_any &&
		    fire(c, R_PGA251, r,
			 "admits every address while listen_addresses is open",
			 "restrict the rule to the clients' network (pod or VPC "
			 "CIDR) or listen only on an internal address; keep "
			 "the port off public Services"))
			return -1;
		if (strcmp(r->method, "trust") == 0 && !dead_any &&
		    fire(c, R_PGA252, r,
			 "trusts non-local clients: anyone who reaches the port "
			 "logs in without a password",
			 "replace trust with scram-sha-256 (keep trust, if at "
			 "all, for local or 127.0.0.1/32), then SELECT "
			 "pg_reload_conf();"))
			return -1;
	}
	return 0;
}

static int check_md5(struct probe_ctx *c)
{
	if (probe_action(c, R_PGA253) == ACTION_OFF)
		return 0;
	const char *pe = probe_fact(c, "password_encryption");
	if (!pe)
		return probe_unknown_role(c, R_PGA253, "server",
					  "password_encryption is not readable "
					  "by this role",
					  "pg_read_all_settings");
	/* "on" meant md5 before PostgreSQL 14 */
	if (strcmp(pe, "md5") == 0 || strcmp(pe, "on") == 0)
		return probe_add(
			c, R_PGA253, -1, "server",
			c->major >= 18 ? "password_encryption is md5: new "
					 "passwords are stored as MD5 hashes, "
					 "which are weak and replayable (and "
					 "deprecated since PostgreSQL 18: a "
					 "later major removes them)"
				       : "password_encryption is md5: new "
					 "passwords are stored as MD5 hashes, "
					 "which are weak and replayable",
			"ALTER SYSTEM SET password_encryption = "
			"'scram-sha-256'; SELECT pg_reload_conf(); then "
			"set each password again (\\password ROLE)");
	return 0;
}

int probe_check_hba(struct probe_ctx *c)
{
	if (check_md5(c))
		return -1;
	bool want202 = probe_action(c, R_PGA202) != ACTION_OFF;
	bool want251 = probe_action(c, R_PGA251) != ACTION_OFF;
	bool want252 = probe_action(c, R_PGA252) != ACTION_OFF;
	if (!want202 && !want251 && !want252)
		return 0;
	const char *listen = probe_fact(c, "listen_addresses");
	bool open = probe_listen_is_open(listen);
	if (!probe_fact_true(c, "can_read_hba")) {
		const char *role = probe_fact(c, "role");
		char *hint = probe_fmt(hba_grant, role ? role : "probe",
				       role ? role : "probe");
		if (!hint)
			return probe_fail(c, "out of memory");
		int rc = 0;
		const char *why = "pg_hba_file_rules is not readable by this "
				  "role";
		if (want202)
			rc = probe_unknown(c, R_PGA202, "pg_hba.conf", why,
					   hint);
		if (!rc && want251 && (open || !listen))
			rc = probe_unknown(c, R_PGA251, "pg_hba.conf", why,
					   hint);
		if (!rc && want252)
			rc = probe_unknown(c, R_PGA252, "pg_hba.conf", why,
					   hint);
		free(hint);
		return rc;
	}
	PGresult *res = probe_query(c, c->major >= 16 ? hba_sql_16 : hba_sql_15,
				    0, NULL);
	if (!res)
		return -1;
	size_t n = (size_t)PQntuples(res);
	if (n > HBA_MAX_RULES)
		n = HBA_MAX_RULES;
	struct rule *v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		PQclear(res);
		return probe_fail(c, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		int row = (int)i;
		struct rule *r = &v[i];
		r->line = PQgetvalue(res, row, 0);
		r->type = PQgetvalue(res, row, 1);
		r->db = PQgetvalue(res, row, 2);
		r->user = PQgetvalue(res, row, 3);
		r->addr = PQgetisnull(res, row, 4) ? NULL
						   : PQgetvalue(res, row, 4);
		r->mask = PQgetisnull(res, row, 5) ? NULL
						   : PQgetvalue(res, row, 5);
		r->method = PQgetvalue(res, row, 6);
		r->file = PQgetisnull(res, row, 7) ? NULL
						   : PQgetvalue(res, row, 7);
		r->cls = probe_hba_classify(r->addr, r->mask);
		r->all_all = probe_pgarray_is_all(r->db) &&
			     probe_pgarray_is_all(r->user);
	}
	int rc = judge(c, v, n, open && want251);
	free(v);
	PQclear(res);
	return rc;
}
