/*
 * rules.h — the manifest rule engine (PGA101–PGA104).
 *
 * One rule per file under src/rules/ (pga101_port_exposed.c, ...), all behind
 * struct rule. The engine applies the policy (actions, skipped namespaces)
 * and the per-object opt-out annotation pgadmit.dev/ignore-<slug>: "<reason>"
 * (reported as an info finding), then calls each rule that looks at the
 * object's kind. Callers: src/check (files, one bundle) and src/admission
 * (the webhook, one object at a time).
 *
 * PGA103 needs to know whether a namespace has a backup CronJob. The caller
 * says how with a backup oracle: the webhook asks the Kubernetes API (cached),
 * check defers the decision to the end of the bundle (backup_index).
 */
#ifndef PGADMIT_RULES_H
#define PGADMIT_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/finding.h"
#include "pgadmit/manifest.h"
#include "pgadmit/policy.h"

/* One object to judge. All pointers borrowed for the duration of the call. */
struct object_ref {
	const json_t *obj;  /* the Kubernetes object, or a Compose service map */
	const char *kind;   /* "Deployment"...; "ComposeService" for Compose */
	const char *ns;     /* metadata.namespace or NULL */
	const char *name;   /* metadata.name (or the Compose service name) */
	const char *file;   /* NULL in the webhook */
	int document;
	const struct manifest_doc *doc; /* for source lines; may be NULL */
	/* Compose only: the JSON path prefix of the service
	 * ("services.db") and the file's top-level tree. */
	const char *path_prefix;
};

enum backup_state {
	BACKUP_FOUND,
	BACKUP_NOT_FOUND,
	BACKUP_UNKNOWN, /* could not ask (API down): warn "could not verify" */
	BACKUP_DEFER,   /* decide later (check: end of bundle) */
};

struct backup_oracle {
	/* Is there a backup for workload (kind, name) in namespace ns (NULL =
	 * no namespace)? why/whylen receive a short reason for UNKNOWN. */
	enum backup_state (*lookup)(void *arg, const char *ns, const char *kind,
				    const char *name, char *why, size_t whylen);
	void *arg;
};

/*
 * Evaluate every enabled manifest rule on one object; findings are appended
 * to out. With oracle == NULL (or an oracle answering BACKUP_DEFER), PGA103
 * candidates are appended to deferred instead (a finding with everything
 * filled in), to be resolved with backup_index_resolve(). deferred may be NULL
 * when oracle is non-NULL. Returns 0, or -1 on OOM.
 */
int rules_eval_object(const struct policy *p, const struct object_ref *o,
		      const struct backup_oracle *oracle,
		      struct finding_list *out, struct finding_list *deferred);

/* Does any rule look at this kind? (webhook: allow others at once) */
bool rules_kind_relevant(const char *kind);

/*
 * Backup evidence of a namespace set (PGA103), built from CronJob objects.
 * Used by check (the bundle's CronJobs) and by the webhook's Kubernetes
 * cache (one index per namespace). Memory is per CronJob a few strings.
 */
struct backup_index;
struct backup_index *backup_index_new(void);
void backup_index_free(struct backup_index *bi);
/* Record what a CronJob says (backup tool in image/command/args, label or
 * annotation pgadmit.dev/backup-for). ns NULL = no namespace. 0 or -1. */
int backup_index_add_cronjob(struct backup_index *bi, const char *ns,
			     const json_t *cronjob);
enum backup_state backup_index_lookup(const struct backup_index *bi,
				      const char *ns, const char *name);
/* Move every deferred PGA103 finding without backup evidence to out; drop
 * the others. deferred is emptied. 0 or -1. */
int backup_index_resolve(const struct backup_index *bi,
			 struct finding_list *deferred,
			 struct finding_list *out);

#endif
