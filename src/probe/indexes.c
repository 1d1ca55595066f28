/*
 * indexes.c — PGA211 fk-missing-index, PGA212 index-unused, PGA213
 * index-duplicate, PGA214 index-invalid.
 *
 * Two queries, each one pass over its catalog: every index of the user
 * schemas (pg_index with pg_class, pg_am and the usage counters), and every
 * foreign key (pg_constraint). The comparisons are made here, per table, so
 * that the cost stays linear in the number of relations.
 *
 * Partitioned tables are judged once, at the parent: foreign keys cloned to
 * partitions (conparentid <> 0) are skipped, and index partitions attached
 * to a partitioned index (relispartition) are judged through their root,
 * whose scan count and size are the sums over its partitions. An index
 * built on one partition only is judged on its own. Invalid indexes are
 * reported wherever they are, partitions included.
 *
 * Sizes are relpages * block_size (kept by VACUUM, ANALYZE and CREATE
 * INDEX), so the probe never stats files or takes relation locks.
 * PGA212 is skipped on standbys: their counters say nothing of the
 * primary's reads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

#define MAXKEYS 32 /* INDEX_MAX_KEYS */

/* One index, pointing into the query's PGresult. The column lists stay
 * the text PostgreSQL prints ("1 3" for indkey): comparing them as token
 * prefixes needs no parsing, and keeps 30,000 indexes in a few MiB. */
struct idx {
	unsigned long long oid, rel;
	const char *qname, *qtable, *am, *exprs, *pred;
	const char *keys;    /* indkey: key columns, then INCLUDE columns */
	const char *classes; /* indclass, indcollation, indoption: key */
	const char *colls;   /* columns only */
	const char *opts;
	char ikind;
	bool part, unique, primary, valid, replident, constraint, building;
	int nkey, natts;
	long long scans, bytes;
};

/* The table's name is regclass output (search_path is pg_catalog alone,
 * so it prints schema.name, quoted as format('%I.%I') does): one cached
 * lookup per index instead of a second pass over pg_class.
 * Index partitions are summed into their root index (g); every other
 * index's own counters are used as they are. The scan count is read only
 * when PGA212 is judged ($1) and the index is big enough for it ($2):
 * 32,500 counter lookups were a sixth of the query. */
static const char index_sql[] =
	"SELECT i.indexrelid, i.indrelid, format('%I.%I', n.nspname, ic.relname),"
	" i.indrelid::regclass::text, ic.relkind,"
	" ic.relispartition, am.amname, i.indisunique, i.indisprimary,"
	" i.indisvalid, i.indisreplident, i.indnkeyatts, i.indnatts,"
	" i.indkey::text, i.indclass::text, i.indcollation::text,"
	" i.indoption::text, pg_get_expr(i.indexprs, i.indrelid),"
	" pg_get_expr(i.indpred, i.indrelid), k.conindid IS NOT NULL,"
	" CASE WHEN $1::bool AND coalesce(g.bytes, ic.relpages::int8"
	"  * current_setting('block_size')::int8) >= $2::int8"
	"  THEN coalesce(g.scans, pg_stat_get_numscans(i.indexrelid)) END,"
	" coalesce(g.bytes, ic.relpages::int8 * current_setting('block_size')::int8),"
	" b.index_relid IS NOT NULL"
	" FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
	" JOIN pg_namespace n ON n.oid = ic.relnamespace"
	" JOIN pg_am am ON am.oid = ic.relam"
	" LEFT JOIN (SELECT pg_partition_root(c.oid) AS root,"
	"  sum(pg_stat_get_numscans(c.oid))::int8 AS scans,"
	"  sum(c.relpages::int8 * current_setting('block_size')::int8)::int8"
	"  AS bytes FROM pg_class c WHERE c.relkind = 'i' AND c.relispartition"
	"  GROUP BY 1) g ON g.root = i.indexrelid"
	" LEFT JOIN (SELECT DISTINCT conindid FROM pg_constraint"
	"  WHERE conindid <> 0) k ON k.conindid = i.indexrelid"
	" LEFT JOIN (SELECT DISTINCT index_relid"
	"  FROM pg_stat_progress_create_index) b ON b.index_relid = i.indexrelid"
	" WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
	"  AND n.nspname !~ '^pg_toast'";

/* search_path is pg_catalog alone, so regclass prints schema.name. A
 * one-column key (the usual case) names its column with one index probe
 * into pg_attribute, not an aggregate over every column of the table
 * (5,000 keys: 42 -> 29 ms). */
static const char fk_sql[] =
	"SELECT c.conrelid, format('%I.%I', n.nspname, t.relname), c.conname,"
	" t.relkind, c.conkey::text, c.confrelid::regclass::text,"
	" CASE WHEN cardinality(c.conkey) = 1 THEN (SELECT"
	"  quote_ident(a.attname) FROM pg_attribute a"
	"  WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1])"
	" ELSE (SELECT string_agg(quote_ident(a.attname), ', '"
	"   ORDER BY array_position(c.conkey, a.attnum))"
	"  FROM pg_attribute a WHERE a.attrelid = c.conrelid"
	"  AND a.attnum = ANY (c.conkey)) END"
	" FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
	" JOIN pg_namespace n ON n.oid = t.relnamespace"
	" WHERE c.contype = 'f' AND c.conparentid = 0"
	"  AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
	"  AND n.nspname !~ '^pg_toast'";

/* Tokens of a space-separated list ("1 3"). */
static int count_tokens(const char *s)
{
	int n = 0;
	for (bool in = false; *s; s++) {
		if (*s != ' ' && !in)
			n++;
		in = *s != ' ';
	}
	return n;
}

/* The first max integers of a list ("1 3", "{1,3}"): count, or -1. */
static int parse_list(const char *s, long *out, int max)
{
	int n = 0;
	while (*s && n < max) {
		while (*s == ' ' || *s == ',' || *s == '{' || *s == '}')
			s++;
		if (!*s)
			break;
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s)
			return -1;
		out[n++] = v;
		s = end;
	}
	return n;
}

/* Is list a the first tokens of list b (or all of it)? */
static bool token_prefix(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == ' ');
}

static bool t(const PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) &&
	       PQgetvalue(res, row, col)[0] == 't';
}

static const char *nz(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static long long ll(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col)
		       ? -1
		       : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int parse_index(const PGresult *res, int row, struct idx *x)
{
	memset(x, 0, sizeof(*x));
	x->oid = strtoull(PQgetvalue(res, row, 0), NULL, 10);
	x->rel = strtoull(PQgetvalue(res, row, 1), NULL, 10);
	x->qname = PQgetvalue(res, row, 2);
	x->qtable = PQgetvalue(res, row, 3);
	x->ikind = PQgetvalue(res, row, 4)[0];
	x->part = t(res, row, 5);
	x->am = PQgetvalue(res, row, 6);
	x->unique = t(res, row, 7);
	x->primary = t(res, row, 8);
	x->valid = t(res, row, 9);
	x->replident = t(res, row, 10);
	x->nkey = (int)ll(res, row, 11);
	x->natts = (int)ll(res, row, 12);
	x->keys = PQgetvalue(res, row, 13);
	x->classes = PQgetvalue(res, row, 14);
	x->colls = PQgetvalue(res, row, 15);
	x->opts = PQgetvalue(res, row, 16);
	x->exprs = nz(res, row, 17);
	x->pred = nz(res, row, 18);
	x->constraint = t(res, row, 19);
	x->scans = ll(res, row, 20);
	x->bytes = ll(res, row, 21);
	x->building = t(res, row, 22);
	if (x->nkey < 1 || x->nkey > x->natts || x->natts > MAXKEYS ||
	    count_tokens(x->keys) != x->natts)
		return -1;
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool is_exact_dup(const struct idx *a, const struct idx *b)
{
	return strcmp(a->am, b->am) == 0 && a->nkey == b->nkey &&
	       strcmp(a->keys, b->keys) == 0 &&
	       strcmp(a->classes, b->classes) == 0 &&
	       strcmp(a->colls, b->colls) == 0 &&
	       strcmp(a->opts, b->opts) == 0 && same_str(a->exprs, b->exprs) &&
	       same_str(a->pred, b->pred);
}

/* Is a a plain leading-column prefix of b (a redundant)? Plain: a btree
 * on columns only (no expression, no INCLUDE), same predicate, and the
 * same operator classes, collations and sort options on those columns. */
static bool is_prefix(const struct idx *a, const struct idx *b)
{
	return strcmp(a->am, "btree") == 0 && strcmp(b->am, "btree") == 0 &&
	       !a->exprs && a->natts == a->nkey && a->nkey < b->nkey &&
	       same_str(a->pred, b->pred) && token_prefix(a->keys, b->keys) &&
	       token_prefix(a->classes, b->classes) &&
	       token_prefix(a->colls, b->colls) &&
	       token_prefix(a->opts, b->opts);
}

/* Can this index not be dropped without losing a constraint or a role? */
static bool is_needed(const struct idx *x)
{
	return x->unique || x->primary || x->constraint || x->replident;
}

static bool droppable_concurrently(const struct idx *x)
{
	return x->ikind != 'I'; /* not on partitioned indexes */
}

static char *drop_hint(const struct idx *x, const char *tail)
{
	return probe_fmt("DROP INDEX %s%s;%s",
			 droppable_concurrently(x) ? "CONCURRENTLY " : "",
			 x->qname, tail ? tail : "");
}

static void human(long long b, char *buf, size_t n)
{
	if (b >= 1LL << 30)
		snprintf(buf, n, "%.1f GiB", (double)b / (1 << 30));
	else if (b >= 1LL << 20)
		snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, n, "%lld kB", b / 1024);
}

static int check_invalid(struct probe_ctx *c, const struct idx *x)
{
	char *m =
		probe_fmt("index %s on %s is invalid (a failed or "
			  "interrupted CREATE INDEX CONCURRENTLY%s): writes "
			  "maintain it, no query uses it",
			  x->qname, x->qtable,
			  x->ikind == 'I' ? ", or a partition without it" : "");
	char *h;
	if (x->ikind == 'I')
		h = probe_fmt("create the missing partition indexes and ALTER "
			      "INDEX %s ATTACH PARTITION each, or REINDEX "
			      "INDEX CONCURRENTLY %s;",
			      x->qname, x->qname);
	else if (x->unique)
		h = probe_fmt("REINDEX INDEX CONCURRENTLY %s; (a failed "
			      "unique build: remove the duplicate rows first, "
			      "or DROP INDEX CONCURRENTLY %s;)",
			      x->qname, x->qname);
	else
		h = probe_fmt("REINDEX INDEX CONCURRENTLY %s;", x->qname);
	return probe_add_take(c, R_PGA214, -1, x->qname, m, h);
}

static int check_unused(struct probe_ctx *c, const struct idx *x,
			long long age_s)
{
	char size[32];
	human(x->bytes, size, sizeof(size));
	char *m = probe_fmt("index %s on %s (%s%s) has no scans since "
			    "statistics were reset %lld day%s ago",
			    x->qname, x->qtable, size,
			    x->ikind == 'I' ? ", all partitions" : "",
			    age_s / 86400, age_s / 86400 == 1 ? "" : "s");
	char *h = drop_hint(x, x->ikind == 'I' ? " (partitioned: "
						 "CONCURRENTLY is not "
						 "supported)"
					       : " (check replicas' "
						 "pg_stat_user_indexes "
						 "first)");
	return probe_add_take(c, R_PGA212, -1, x->qname, m, h);
}

/* Of two exact duplicates, is a the one to drop? The one no constraint
 * or role needs, else the newer (higher oid). */
static bool drop_first(const struct idx *a, const struct idx *b)
{
	if (is_needed(a) != is_needed(b))
		return !is_needed(a);
	return a->oid > b->oid;
}

/* Index pairs on one table: v[0..n) share rel. */
static int check_table_dups(struct probe_ctx *c, struct idx **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			if (i == j)
				continue;
			struct idx *a = v[i], *b = v[j];
			bool exact = is_exact_dup(a, b) && drop_first(a, b);
			bool prefix = !exact && !is_needed(a) &&
				      is_prefix(a, b);
			if (!exact && !prefix)
				continue;
			char *m = probe_fmt(
				exact ? "index %s duplicates %s on %s (same "
					"columns, operator classes and "
					"predicate)"
				      : "index %s is a leading-column prefix of "
					"%s on %s: the longer index serves its "
					"queries",
				a->qname, b->qname, a->qtable);
			char *tail = probe_fmt(" -- %s stays", b->qname);
			char *h = NULL;
			if (a->constraint && tail)
				h = probe_fmt("both back constraints: drop the "
					      "redundant constraint (ALTER "
					      "TABLE %s DROP CONSTRAINT ...) "
					      "to remove %s",
					      a->qtable, a->qname);
			else if (tail)
				h = drop_hint(a, tail);
			free(tail);
			if (probe_add_take(c, R_PGA213, -1, a->qname, m, h))
				return -1;
			break; /* one finding per redundant index */
		}
	return 0;
}

static int cmp_rel(const void *pa, const void *pb)
{
	const struct idx *a = pa, *b = pb;
	if (a->rel != b->rel)
		return a->rel < b->rel ? -1 : 1;
	return a->oid < b->oid ? -1 : a->oid > b->oid;
}

/* Is there a valid, non-partial btree/hash index on rel whose first
 * ncols key columns are exactly the FK's columns (in any order)? */
static bool fk_covered(const struct idx *v, size_t n, unsigned long long rel,
		       const long *cols, int ncols)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* first index of rel */
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].rel < rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n && v[i].rel == rel; i++) {
		const struct idx *x = &v[i];
		if (!x->valid || x->pred || x->nkey < ncols ||
		    (strcmp(x->am, "btree") != 0 && strcmp(x->am, "hash") != 0))
			continue;
		long keys[MAXKEYS];
		if (parse_list(x->keys, keys, ncols) != ncols)
			continue;
		int hit = 0;
		for (int k = 0; k < ncols; k++)
			for (int j = 0; j < ncols; j++)
				if (keys[k] == cols[j]) {
					hit++;
					break;
				}
		if (hit == ncols)
			return true;
	}
	return false;
}

static int check_fks(struct probe_ctx *c, const struct idx *v, size_t n)
{
	PGresult *res = probe_query(c, fk_sql, 0, NULL);
	if (!res)
		return -1;
	int rc = 0;
	for (int row = 0; row < PQntuples(res) && !rc; row++) {
		unsigned long long rel =
			strtoull(PQgetvalue(res, row, 0), NULL, 10);
		long cols[MAXKEYS];
		int ncols = parse_list(PQgetvalue(res, row, 4), cols, MAXKEYS);
		if (ncols <= 0 || fk_covered(v, n, rel, cols, ncols))
			continue;
		const char *qtable = PQgetvalue(res, row, 1);
		const char *conname = PQgetvalue(res, row, 2);
		bool partitioned = PQgetvalue(res, row, 3)[0] == 'p';
		const char *qref = PQgetvalue(res, row, 5);
		const char *names = nz(res, row, 6);
		if (!names)
			names = "?";
		char *m =
			probe_fmt("foreign key %s on %s (%s) references %s "
				  "but no valid index starts with %s: each "
				  "delete or key update on %s scans %s",
				  conname, qtable, names, qref,
				  ncols == 1 ? "that column" : "those columns",
				  qref, qtable);
		char *h = partitioned
				  ? probe_fmt("CREATE INDEX ON ONLY %s (%s); "
					      "then CREATE INDEX CONCURRENTLY "
					      "on each partition and ALTER "
					      "INDEX ... ATTACH PARTITION ...",
					      qtable, names)
				  : probe_fmt("CREATE INDEX CONCURRENTLY ON %s "
					      "(%s);",
					      qtable, names);
		rc = probe_add_take(c, R_PGA211, -1, qtable, m, h);
	}
	PQclear(res);
	return rc;
}

/* "2 days", "3 h 20 min", "5 min", "minute": how long statistics were reset. */
static void span(long long s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%lld day%s", s / 86400,
			 s / 86400 == 1 ? "" : "s");
	else if (s >= 3600)
		snprintf(buf, len, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%lld min", s / 60);
	else
		snprintf(buf, len, "minute");
}

/* Say why PGA212 is not judged, so that its silence is not read as "no
 * unused index". */
static int note_unjudged(struct probe_ctx *c, long long age_s, int days)
{
	if (probe_fact_true(c, "in_recovery"))
		return probe_note(
			c, probe_fmt("PGA212 (index-unused) not judged: this "
				     "server is a standby, whose index usage "
				     "counters count only the queries run on "
				     "it; probe the primary"));
	if (age_s < 0)
		return probe_note(
			c, probe_fmt("PGA212 (index-unused) not judged: the "
				     "age of the statistics is unknown"));
	char ago[48];
	span(age_s, ago, sizeof(ago));
	return probe_note(
		c, probe_fmt("PGA212 (index-unused) not judged: the index "
			     "usage statistics cover only the last %s (since "
			     "their reset or the server's start), less than "
			     "indexUnusedDays (%d day%s); an index unused "
			     "since then may not have met its query yet",
			     ago, days, days == 1 ? "" : "s"));
}

int probe_check_indexes(struct probe_ctx *c)
{
	bool w211 = probe_action(c, R_PGA211) != ACTION_OFF;
	bool w212 = probe_action(c, R_PGA212) != ACTION_OFF &&
		    !probe_fact_true(c, "in_recovery");
	bool w213 = probe_action(c, R_PGA213) != ACTION_OFF;
	bool w214 = probe_action(c, R_PGA214) != ACTION_OFF;
	if (!w211 && !w212 && !w213 && !w214)
		return 0;
	const struct policy_probe *pp = &c->p->probe;
	long long age = probe_fact_ll(c, "stats_age_s", -1);
	bool old_enough = age >= 0 &&
			  age >= (long long)pp->index_unused_days * 86400;
	char minb[32];
	snprintf(minb, sizeof(minb), "%lld", pp->index_unused_min_bytes);
	const char *const params[] = {w212 && old_enough ? "t" : "f", minb};
	PGresult *res = probe_query(c, index_sql, 2, params);
	if (!res)
		return -1;
	size_t n = (size_t)PQntuples(res);
	struct idx *v = calloc(n ? n : 1, sizeof(*v));
	struct idx **group = calloc(n ? n : 1, sizeof(*group));
	int rc = 0;
	if (!v || !group) {
		rc = probe_fail(c, "out of memory");
		goto out;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (parse_index(res, (int)i, &v[m]) == 0)
			m++;
	qsort(v, m, sizeof(*v), cmp_rel);
	if (probe_action(c, R_PGA212) != ACTION_OFF && (!w212 || !old_enough) &&
	    note_unjudged(c, age, pp->index_unused_days)) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < m && !rc;) {
		size_t j = i, g = 0;
		for (; j < m && v[j].rel == v[i].rel; j++) {
			struct idx *x = &v[j];
			if (x->building)
				continue;
			if (!x->valid) {
				if (w214)
					rc = rc ? rc : check_invalid(c, x);
				continue;
			}
			if (x->part)
				continue; /* judged through its root */
			group[g++] = x;
			if (w212 && old_enough && !is_needed(x) &&
			    x->scans == 0 &&
			    x->bytes >= pp->index_unused_min_bytes)
				rc = rc ? rc : check_unused(c, x, age);
		}
		if (!rc && w213 && g > 1)
			rc = check_table_dups(c, group, g);
		i = j;
	}
	if (!rc && w211)
		rc = check_fks(c, v, m);
out:
	free(group);
	free(v);
	PQclear(res);
	return rc;
}
