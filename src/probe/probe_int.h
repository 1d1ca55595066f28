/*
 * probe_int.h — what the files of src/probe share: the per-target context,
 * the query helper with a client-side deadline, and finding helpers.
 *
 * Private to src/probe. One context per target, used by one thread.
 * The check families each have a file and one entry point:
 *   ssl.c         PGA201 PGA203 PGA204 PGA205 (tls.c reads the certificate)
 *   hba.c         PGA202 (pg_hba part) PGA251 PGA252 PGA253
 *   activity.c    PGA202 (sessions part) PGA221
 *   indexes.c     PGA211 PGA212 PGA213 PGA214
 *   tables.c      PGA215
 *   wal.c         PGA231 PGA232
 *   extensions.c  PGA241
 * Each returns 0, or -1 when the session failed (r->error is set then).
 */
#ifndef PGADMIT_PROBE_INT_H
#define PGADMIT_PROBE_INT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "pgadmit/policy.h"
#include "pgadmit/probe.h"

struct probe_ctx {
	PGconn *conn;
	const struct policy *p;
	struct probe_result *r;
	char *password;  /* from the DSN, for scrubbing messages; owned */
	int deadline_ms; /* client-side bound on one query */
	PGresult *facts; /* the one-row settings/privileges answer */
	bool is_socket;  /* Unix-domain socket session */
	int major;       /* server major (15; 0 unknown): version.c */
};

/* Run sql (with nparams text params) and wait at most c->deadline_ms.
 * Returns a result of status COMMAND_OK or TUPLES_OK (caller PQclear()s),
 * or NULL with c->r->status = PROBE_ERROR and c->r->error set. */
PGresult *probe_query(struct probe_ctx *c, const char *sql, int nparams,
		      const char *const *params);

/* A value of the facts row by column name; NULL when SQL NULL or absent. */
const char *probe_fact(const struct probe_ctx *c, const char *col);
bool probe_fact_true(const struct probe_ctx *c, const char *col);
long long probe_fact_ll(const struct probe_ctx *c, const char *col,
			long long dflt);

/* The configured action of a rule (ACTION_OFF: skip the check). */
enum action probe_action(const struct probe_ctx *c, enum rule_id id);
/* Add a finding with the configured action (or `action` when >= 0).
 * object, message, hint are copied through connstr_redact(). 0 or -1
 * (OOM, recorded as an error). */
int probe_add(struct probe_ctx *c, enum rule_id id, int action,
	      const char *object, const char *message, const char *hint);
/* probe_add with a message from probe_fmt(), which it takes and frees
 * (NULL means OOM). _take takes the hint the same way. */
int probe_add_msg(struct probe_ctx *c, enum rule_id id, int action,
		  const char *object, char *message, const char *hint);
int probe_add_take(struct probe_ctx *c, enum rule_id id, int action,
		   const char *object, char *message, char *hint);
/* An `unknown` result: the view could not be read; hint is the GRANT. */
int probe_unknown(struct probe_ctx *c, enum rule_id id, const char *object,
		  const char *message, const char *hint);
/* An `unknown` result whose fix is membership in a predefined role
 * ("pg_read_all_stats"): the hint grants it to the probe's role and says
 * that it covers every database. */
int probe_unknown_role(struct probe_ctx *c, enum rule_id id, const char *object,
		       const char *message, const char *predefined);
/* Add a note to the report (something not judged, and why); takes note
 * (NULL means OOM). 0 or -1. */
int probe_note(struct probe_ctx *c, char *note);
/* Set the target's error (scrubbed, redacted); returns -1. */
int probe_fail(struct probe_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* malloc'd printf; NULL on OOM. */
char *probe_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A copy of s with every occurrence of the password replaced by "****",
 * then connstr_redact()ed, control characters flattened. NULL on OOM. */
char *probe_scrub(const struct probe_ctx *c, const char *s);

/* Is SSL off on the server (setting, or the SSLRequest answered 'N')?
 * PGA201's condition; other hints order their steps after it. */
bool probe_ssl_off(const struct probe_ctx *c);

int probe_check_ssl(struct probe_ctx *c);
int probe_check_hba(struct probe_ctx *c);
int probe_check_activity(struct probe_ctx *c);
int probe_check_indexes(struct probe_ctx *c);
int probe_check_tables(struct probe_ctx *c);
int probe_check_wal(struct probe_ctx *c);
int probe_check_extensions(struct probe_ctx *c);

/* tls.c: fill c->r->tls from the session, or from a raw SSLRequest
 * connection to the same host and port when the session is plain. Never
 * fails the target: problems end up in tls.note. */
void probe_tls_inspect(struct probe_ctx *c);

#endif
