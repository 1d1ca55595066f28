/*
 * policy.h — rule actions, Postgres matching knobs, thresholds and skips.
 *
 * A policy starts from the built-in defaults (policy_init), is then changed by
 * a YAML/JSON policy file (policy_load_file) and finally by environment
 * variables (policy_apply_env). The policy file format is documented in
 * docs/policy.md. A loaded policy is immutable and shared
 * read-only between threads; reloads build a new one.
 *
 * Who calls it: cmd/ (check, serve, probe) and the chart's ConfigMap users.
 */
#ifndef PGADMIT_POLICY_H
#define PGADMIT_POLICY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/action.h"
#include "pgadmit/catalog.h"
#include "pgadmit/err.h"

#define POLICY_MAX_PORTS 32
#define POLICY_MAX_SKIP_NS 64
#define POLICY_MAX_EXPORTERS 32
#define POLICY_MAX_SERVER_IMAGES 64

/* enum rule_id, struct rule_meta and the catalog: catalog.h. */

struct policy_probe {
	int cert_expiry_days; /* PGA204, default 30 */
	int index_unused_days; /* PGA212: stats reset at least N days ago, default 7 */
	long long index_unused_min_bytes; /* PGA212 size threshold, default 1 MiB */
	long long seq_scan_min_bytes; /* PGA215 table size threshold, default 10 MiB */
	double seq_scan_ratio; /* PGA215 seq_scan / max(idx_scan,1), default 10 */
	long long seq_scan_min_rows; /* PGA215 seq_tup_read, default 1,000,000 */
	int connections_percent;     /* PGA221, default 80 */
	int connect_timeout_s;       /* default 5 */
	int statement_timeout_ms;    /* default 5000 */
	int lock_timeout_ms;         /* default 1000 */
	int concurrency;             /* parallel targets, default 4 */
	int backup_stale_s;          /* PGA233, default 86400 (24 h) */
};

struct policy_webhook {
	long long max_body_bytes; /* default 3 MiB */
	int kube_timeout_ms;      /* Kubernetes API calls, default 2000 */
	int cronjob_cache_ttl_s;  /* default 30 */
};

struct policy {
	enum action actions[R_COUNT];
	int ports[POLICY_MAX_PORTS]; /* Postgres ports, default 5432, 6432 */
	size_t nports;
	char *image_pattern; /* ERE on the image's last path component */
	regex_t image_re;
	bool image_re_ok;
	/* Known vendor server images ("harbor-db", "cloudnative-pg/postgresql",
	 * "spilo-*"): the built-in list, extended by postgres.serverImages
	 * and PGADMIT_SERVER_IMAGES; lower case; see image.c. */
	char *server_images[POLICY_MAX_SERVER_IMAGES];
	size_t nserver_images;
	char *port_name_pattern; /* ERE, case-insensitive, on port names */
	regex_t port_name_re;
	bool port_name_re_ok;
	char *skip_namespaces[POLICY_MAX_SKIP_NS];
	size_t nskip;
	/* PGA106: exporter images (last path component, lower case) besides
	 * postgres_exporter, postgres-exporter, crunchy-postgres-exporter. */
	char *exporter_images[POLICY_MAX_EXPORTERS];
	size_t nexporters;
	struct policy_probe probe;
	struct policy_webhook webhook;
	char *source; /* file it came from, or NULL (defaults) */
};

/* Defaults from rules.md. 0 or -1 (err). */
PGADMIT_MUST_CHECK
int policy_init(struct policy *p, struct err *err);
/* Apply a policy file on top of p. Unknown keys are errors naming the key. */
PGADMIT_MUST_CHECK
int policy_load_file(struct policy *p, const char *path, struct err *err);
/* Same from memory (used by tests and the fuzzer). name is for messages. */
PGADMIT_MUST_CHECK
int policy_load_buffer(struct policy *p, const char *buf, size_t len,
		       const char *name, struct err *err);
/* Environment overrides (docs/policy.md, "Environment"): PGADMIT_RULE_<ID>=action,
 * PGADMIT_POSTGRES_PORTS=5432,6432, PGADMIT_IMAGE_PATTERN=...,
 * PGADMIT_SERVER_IMAGES=a,b/c,d-* (added to the vendor list),
 * PGADMIT_SKIP_NAMESPACES=a,b, PGADMIT_MAX_BODY_BYTES=N. */
PGADMIT_MUST_CHECK
int policy_apply_env(struct policy *p, struct err *err);
/* Convenience: init + optional file + env. path may be NULL. */
PGADMIT_MUST_CHECK
struct policy *policy_new(const char *path, struct err *err);
void policy_free(struct policy *p); /* frees what init/load allocated and p */
void policy_release(struct policy *p); /* frees members only (stack policy) */

/* Matching helpers used by the rules. */
bool policy_is_pg_port_number(const struct policy *p, long long port);
bool policy_is_pg_port_name(const struct policy *p, const char *name);
/* image: full reference ("docker.io/bitnami/postgresql:15@sha256:...").
 * rules.md "Postgres server image": the pattern, a pattern name with a
 * major version and suffix (postgresql-16-alpine), or a listed vendor
 * image; never an exporter, client, pooler, admin tool or operator
 * (src/core/image.c). */
bool policy_is_pg_image(const struct policy *p, const char *image);
/* Add one vendor server image entry (name, path/name, trailing '*'
 * glob); err names what is wrong with it. */
int policy_add_server_image(struct policy *p, const char *entry,
			    struct err *err);
bool policy_skips_namespace(const struct policy *p, const char *ns);
/* PGA106: image's last path component (tag and digest removed) is one of
 * the policy's postgres.exporterImages (case-insensitive). */
bool policy_is_listed_exporter(const struct policy *p, const char *image);

#endif
