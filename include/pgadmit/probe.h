/*
 * probe.h — `pgadmit probe`: live checks of running PostgreSQL servers.
 *
 * A probe run takes a list of targets (connection strings from the
 * environment or a mounted file, never argv), keeps the ones of its shard,
 * probes them concurrently with a bounded number of connections and returns
 * one result per target, in input order. Each target is probed in one libpq
 * session inside a READ ONLY transaction with statement_timeout and
 * lock_timeout set (SET LOCAL, so it works behind PgBouncer), plus, when that
 * session is not encrypted, one raw TCP connection that sends the PostgreSQL
 * SSLRequest to read the server certificate anyway. The checks are the probe
 * rules PGA201-PGA253 of rules.md; README.md ("pgadmit probe") says exactly
 * what each one reads.
 *
 * What it does not do: change anything on the server, verify certificate
 * chains (that is libpq's sslmode=verify-full), or retry.
 *
 * Secrets: a target's password never leaves this module. Target names are
 * "host:port/db", error texts are scrubbed of the password and run through
 * connstr_redact(), and nothing here prints the connection string.
 *
 * Who calls it: cmd/pgadmit/cmd_probe.c, the unit tests and the fuzzer
 * (probe_hba_* and probe_cert_* are pure functions).
 */
#ifndef PGADMIT_PROBE_H
#define PGADMIT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pgadmit/action.h"
#include "pgadmit/err.h"
#include "pgadmit/hba.h"
#include "pgadmit/policy.h"

/* ---- targets ---------------------------------------------------------- */

#define PROBE_MAX_TARGETS 100000
#define PROBE_MAX_DSN_LEN 8192

struct probe_targets {
	char **dsn; /* connection strings; owned; may hold passwords */
	size_t n;
	size_t cap;
	size_t total; /* targets before sharding (for the report) */
};

/* Targets from the environment, in this order of preference:
 * PGADMIT_PROBE_DSN (one connection string), PGADMIT_PROBE_DSN_FILE (one
 * per line, '#' comments and blank lines skipped), else one target ""
 * (libpq's own environment: PGHOST, PGUSER, PGPASSFILE, ...).
 * 0 or -1 with err naming the file and line. Free with probe_targets_free. */
PGADMIT_MUST_CHECK
int probe_targets_from_env(struct probe_targets *t, struct err *err);
/* Same for a buffer holding a DSN file (name is for messages). */
PGADMIT_MUST_CHECK
int probe_targets_parse(struct probe_targets *t, const char *buf, size_t len,
			const char *name, struct err *err);
void probe_targets_free(struct probe_targets *t);
/* Keep the targets whose 0-based position p has p % count == index. */
void probe_targets_shard(struct probe_targets *t, unsigned index,
			 unsigned count);
/* "I/N" (0 <= I < N <= 10000). 0 or -1. */
PGADMIT_MUST_CHECK
int probe_shard_parse(const char *s, unsigned *index, unsigned *count);
/* Shard from JOB_COMPLETION_INDEX and PGADMIT_PROBE_SHARDS (both unset:
 * 0/1). 0 or -1 with err. */
PGADMIT_MUST_CHECK
int probe_shard_from_env(unsigned *index, unsigned *count, struct err *err);

/* "host:port/db" of a connection string, password-free, for reports.
 * Falls back to a redacted quote of the string when libpq cannot parse
 * it. Caller frees. NULL on OOM. */
PGADMIT_MUST_CHECK
char *probe_target_name(const char *dsn);

/* ---- server majors ------------------------------------------------------ */

/* The majors the probe is tested against (tests/integration/test_probe.sh);
 * a server outside them is probed anyway, with a note saying so. */
#define PROBE_MAJOR_MIN 13
#define PROBE_MAJOR_MAX 18

/* server_version_num (150018) -> major (15); before 10 the major had two
 * parts: 90624 -> 96. 0 when num is not a version. */
int probe_major_from_num(long num);
/* The note for a major outside PROBE_MAJOR_MIN..MAX, malloc'd, or NULL
 * (tested major, or OOM: *oom says which). */
PGADMIT_MUST_CHECK
char *probe_major_note(int major, bool *oom);

/* ---- results ---------------------------------------------------------- */

struct probe_finding {
	const char *rule;   /* "PGA211"; static */
	const char *slug;   /* static */
	enum action action; /* ACTION_INFO for unknown results */
	bool unknown;       /* the check could not be made (see hint: GRANT) */
	char *object;       /* "server", "public.orders", "pg_hba.conf:12" */
	char *message;
	char *hint;
};

struct probe_tls {
	bool in_use;        /* the probe's own session is encrypted */
	int server_ssl;     /* 1 accepts SSL, 0 answered 'N', -1 unknown */
	const char *source; /* "session", "sslrequest" or NULL; static */
	char *protocol;     /* "TLSv1.3" */
	char *cipher;
	bool has_cert;
	char *subject; /* RFC 2253 */
	char *issuer;
	char *sans;     /* "DNS:db, IP:10.0.0.1" or NULL */
	char *key_type; /* "RSA", "EC", "ED25519", ... */
	int key_bits;
	char *not_after;     /* "2027-01-01T00:00:00Z" */
	long days_left;      /* whole days (floor); negative when expired */
	long long secs_left; /* seconds until notAfter */
	bool expired;
	bool self_signed;
	char *note; /* why there is no certificate, or NULL */
};

enum probe_status { PROBE_OK, PROBE_ERROR };

struct probe_result {
	char *target; /* probe_target_name() */
	enum probe_status status;
	char *error;          /* status ERROR: why (redacted), else NULL */
	char *server_version; /* "15.18" or NULL */
	int server_major;     /* 15 (9.6 is 96); 0 when unknown */
	char **notes;         /* what was not judged and why, for the
				* reader; owned */
	size_t nnotes;
	bool tls_done; /* tls below was filled */
	struct probe_tls tls;
	struct probe_finding *findings;
	size_t nfindings;
	size_t cap;
	unsigned queries; /* SQL round trips made */
	double duration_ms;
};

struct probe_options {
	const struct policy *policy;
	unsigned concurrency; /* >= 1 */
};

/* Probe every target; results[i] is target i. Never fails for a target
 * (its status says); -1 only on OOM or thread creation failure.
 * Free with probe_results_free. */
PGADMIT_MUST_CHECK
int probe_run(const struct probe_targets *t, const struct probe_options *o,
	      struct probe_result **results);
/* Probe one target into r (zeroed by the caller). */
void probe_target(const char *dsn, const struct policy *p,
		  struct probe_result *r);
void probe_results_free(struct probe_result *r, size_t n);

/* ---- report ----------------------------------------------------------- */

enum probe_format { PROBE_FMT_TEXT, PROBE_FMT_JSON };
int probe_format_parse(const char *s); /* -1 if unknown */
struct probe_summary {
	size_t targets, ok, error;
	size_t counts[5]; /* by enum action, unknown results excluded */
	size_t unknown;
	size_t total_targets; /* before sharding */
	unsigned shard_index, shard_count;
};
void probe_summarize(const struct probe_result *r, size_t n,
		     struct probe_summary *s);
/* 0 or -1 (write error or OOM). */
PGADMIT_MUST_CHECK
int probe_report_write(FILE *out, enum probe_format fmt,
		       const struct probe_result *r, size_t n,
		       const struct probe_summary *s, bool color);

/* ---- pure parsers (unit tests, fuzzer) -------------------------------- */

/* The hba address classification (probe_hba_classify, _covers, _prefix,
 * probe_pgarray_is_all, probe_listen_is_open): pgadmit/hba.h, shared with
 * the manifest rules. */

/* Fill the certificate fields of tls from a DER certificate (the fuzzer's
 * entry point; probe_tls uses the X509 directly). 0 or -1 (not a cert). */
PGADMIT_MUST_CHECK
int probe_cert_from_der(const unsigned char *der, size_t len,
			struct probe_tls *tls);
void probe_tls_release(struct probe_tls *tls);

#endif
