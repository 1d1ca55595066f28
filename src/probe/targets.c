/*
 * targets.c — where the probe's connection strings come from (environment
 * and mounted files only), sharding for Indexed Jobs, and the
 * password-free name a target is reported under.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"
#include "pgadmit/probe.h"
#include "pgadmit/strbuf.h"

#define DSN_FILE_MAX (64u << 20)

static int push(struct probe_targets *t, const char *s, size_t n)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 8;
		char **nv = realloc(t->dsn, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		t->dsn = nv;
		t->cap = ncap;
	}
	char *d = strndup(s, n);
	if (!d)
		return -1;
	t->dsn[t->n++] = d;
	t->total = t->n;
	return 0;
}

void probe_targets_free(struct probe_targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		explicit_bzero(t->dsn[i], strlen(t->dsn[i]));
		free(t->dsn[i]);
	}
	free(t->dsn);
	memset(t, 0, sizeof(*t));
}

int probe_targets_parse(struct probe_targets *t, const char *buf, size_t len,
			const char *name, struct err *err)
{
	size_t lineno = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && buf[e] != '\n')
			e++;
		lineno++;
		size_t s = i, end = e;
		i = e + 1;
		while (s < end && (buf[s] == ' ' || buf[s] == '\t'))
			s++;
		while (end > s &&
		       (buf[end - 1] == ' ' || buf[end - 1] == '\t' ||
			buf[end - 1] == '\r'))
			end--;
		if (s == end || buf[s] == '#')
			continue;
		if (memchr(buf + s, '\0', end - s))
			return err_set(err, "%s: line %zu: NUL byte", name,
				       lineno);
		if (end - s > PROBE_MAX_DSN_LEN)
			return err_set(err,
				       "%s: line %zu: longer than %d bytes",
				       name, lineno, PROBE_MAX_DSN_LEN);
		if (t->n >= PROBE_MAX_TARGETS)
			return err_set(err, "%s: more than %d targets", name,
				       PROBE_MAX_TARGETS);
		if (push(t, buf + s, end - s))
			return err_nomem(err);
	}
	return 0;
}

static int read_file(const char *path, struct strbuf *sb, struct err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(err, "PGADMIT_PROBE_DSN_FILE %s: %s", path,
			       strerror(errno));
	char chunk[8192];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb->len + n > DSN_FILE_MAX) {
			rc = err_set(err,
				     "PGADMIT_PROBE_DSN_FILE %s: larger "
				     "than %u bytes",
				     path, DSN_FILE_MAX);
			break;
		}
		sb_append(sb, chunk, n);
	}
	if (!rc && ferror(f))
		rc = err_set(err, "PGADMIT_PROBE_DSN_FILE %s: %s", path,
			     strerror(errno));
	fclose(f);
	if (!rc && !sb_ok(sb))
		rc = err_nomem(err);
	return rc;
}

int probe_targets_from_env(struct probe_targets *t, struct err *err)
{
	memset(t, 0, sizeof(*t));
	const char *dsn = getenv("PGADMIT_PROBE_DSN");
	const char *file = getenv("PGADMIT_PROBE_DSN_FILE");
	if (dsn && *dsn) {
		if (strlen(dsn) > PROBE_MAX_DSN_LEN)
			return err_set(err,
				       "PGADMIT_PROBE_DSN: longer than "
				       "%d bytes",
				       PROBE_MAX_DSN_LEN);
		if (push(t, dsn, strlen(dsn)))
			return err_nomem(err);
		return 0;
	}
	if (file && *file) {
		struct strbuf sb = STRBUF_INIT;
		int rc = read_file(file, &sb, err);
		if (!rc)
			rc = probe_targets_parse(t, sb.buf ? sb.buf : "",
						 sb.len, file, err);
		if (sb.buf)
			explicit_bzero(sb.buf, sb.len);
		sb_free(&sb);
		if (rc)
			probe_targets_free(t);
		return rc;
	}
	/* libpq's own environment (PGHOST, PGUSER, PGPASSFILE, ...) */
	if (push(t, "", 0))
		return err_nomem(err);
	return 0;
}

void probe_targets_shard(struct probe_targets *t, unsigned index,
			 unsigned count)
{
	if (count <= 1)
		return;
	size_t o = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (i % count == index)
			t->dsn[o++] = t->dsn[i];
		else {
			explicit_bzero(t->dsn[i], strlen(t->dsn[i]));
			free(t->dsn[i]);
		}
	}
	t->n = o;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	if (!s || !*s)
		return -1;
	unsigned long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int probe_shard_parse(const char *s, unsigned *index, unsigned *count)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash || slash - s > 8)
		return -1;
	char idx[16];
	memcpy(idx, s, (size_t)(slash - s));
	idx[slash - s] = '\0';
	unsigned i, n;
	if (parse_uint(idx, 10000, &i) || parse_uint(slash + 1, 10000, &n) ||
	    n == 0 || i >= n)
		return -1;
	*index = i;
	*count = n;
	return 0;
}

int probe_shard_from_env(unsigned *index, unsigned *count, struct err *err)
{
	const char *si = getenv("JOB_COMPLETION_INDEX");
	const char *sn = getenv("PGADMIT_PROBE_SHARDS");
	*index = 0;
	*count = 1;
	if (sn && *sn && parse_uint(sn, 10000, count))
		return err_set(err,
			       "PGADMIT_PROBE_SHARDS: expected 1..10000, "
			       "got '%s'",
			       sn);
	if (*count == 0)
		return err_set(err, "PGADMIT_PROBE_SHARDS: expected 1..10000");
	if (si && *si && parse_uint(si, 10000, index))
		return err_set(err,
			       "JOB_COMPLETION_INDEX: expected a number, "
			       "got '%s'",
			       si);
	if (*index >= *count)
		return err_set(err,
			       "JOB_COMPLETION_INDEX %u is not below "
			       "PGADMIT_PROBE_SHARDS %u",
			       *index, *count);
	return 0;
}

static const char *opt(PQconninfoOption *opts, const char *key)
{
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0 && o->val && *o->val)
			return o->val;
	return NULL;
}

static const char *envor(const char *v, const char *env, const char *dflt)
{
	if (v)
		return v;
	const char *e = getenv(env);
	return e && *e ? e : dflt;
}

char *probe_target_name(const char *dsn)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &errmsg);
	if (!opts) {
		PQfreemem(errmsg);
		char *q = connstr_redact_quote(dsn, 80);
		if (!q)
			return NULL;
		/* connstr_redact only knows passwords it recognises: past the
		 * first space of unparseable text, show nothing. */
		q[strcspn(q, " ")] = '\0';
		char *r = NULL;
		if (asprintf(&r, "unparsed:%s...", q) < 0)
			r = NULL;
		free(q);
		return r;
	}
	const char *host = opt(opts, "host");
	if (!host)
		host = opt(opts, "hostaddr");
	host = envor(host, "PGHOST", NULL);
	if (!host)
		host = envor(NULL, "PGHOSTADDR", "localsocket");
	const char *port = envor(opt(opts, "port"), "PGPORT", "5432");
	const char *user = envor(opt(opts, "user"), "PGUSER", NULL);
	const char *db = envor(opt(opts, "dbname"), "PGDATABASE", user);
	char *r = NULL;
	if (asprintf(&r, "%s:%s/%s", host, port, db ? db : "") < 0)
		r = NULL;
	PQconninfoFree(opts);
	return r;
}
