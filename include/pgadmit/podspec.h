/*
 * podspec.h — find the Pod spec of a workload and walk its containers.
 *
 * rules.md "Pod spec": `spec` of a Pod; `spec.template.spec` of Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job;
 * `spec.jobTemplate.spec.template.spec` of CronJob. Containers are
 * `containers`, `initContainers` and `ephemeralContainers`, in that order.
 * Only locates; judges nothing. Used by the manifest rules and the backup
 * index (CronJob containers). All json_t pointers are borrowed from obj.
 */
#ifndef PGADMIT_PODSPEC_H
#define PGADMIT_PODSPEC_H

#include <jansson.h>
#include <stdbool.h>

struct podspec {
	const json_t *spec; /* the Pod spec object */
	const char *path;   /* "spec.template.spec" (static storage) */
};

/* Does kind carry a Pod spec? */
bool podspec_kind(const char *kind);

/* Is obj (a Pod or ReplicaSet) controlled by a built-in workload: its
 * controller ownerReference an apps/ ReplicaSet, Deployment, StatefulSet
 * or DaemonSet, or a batch/ Job or CronJob? That object was judged through
 * the controller's template, so the webhook (gate owned-by-controller) and
 * the audit do not judge it again. An operator's resource as controller:
 * false (the Pod is judged). */
bool podspec_owned_by_builtin(const json_t *obj);

/* Locate the Pod spec of obj (of the given kind). false when the kind has
 * none or the object lacks it. */
bool podspec_locate(const char *kind, const json_t *obj, struct podspec *ps);

enum podspec_list { PODSPEC_CONTAINERS, PODSPEC_INIT, PODSPEC_EPHEMERAL };

struct podspec_container {
	const json_t *c; /* the container object */
	enum podspec_list list;
	size_t index;      /* index inside its list */
	char path[96];     /* "spec.template.spec.containers[0]" */
	const char *image; /* NULL when absent or not a string */
	const char *name;  /* NULL when absent */
};

/* Call fn for every container (object entries only). fn returns 0 to go
 * on; a non-zero value stops the walk and is returned. */
typedef int (*podspec_fn)(const struct podspec_container *pc, void *arg);
int podspec_foreach(const struct podspec *ps, podspec_fn fn, void *arg);

#endif
