/*
 * cluster_int.h — the cluster-resource branches of the manifest rules
 * (private to src/rules; fields in pgadmit/cluster.h).
 *
 * Each pga10x rule lists cluster_kind_names among its kinds and hands a
 * cluster resource (cluster_kind_of_obj() != CK_NONE) to its branch here;
 * a kind that merely shares a name (another vendor's `Cluster`) is left
 * alone. PGA102/PGA104 reach the containers declared inside a resource
 * through sites_foreach (sites.c asks cluster_sites for them).
 */
#ifndef PGADMIT_RULES_CLUSTER_INT_H
#define PGADMIT_RULES_CLUSTER_INT_H

#include "pgadmit/cluster.h"
#include "rule.h"
#include "sites.h"

/* PGA101.6: services the resource asks its operator for. */
int cluster_pga101(struct rule_ctx *c);
/* PGA103 for a cluster resource (declared backups, then the oracle). */
int cluster_pga103(struct rule_ctx *c);
/* PGA104.5: ssl off in the parameters maps; PGA104.3 for the declared
 * containers running a server image (fn: pga104's container check). */
int cluster_pga104(struct rule_ctx *c, podspec_fn server_container);
/* PGA105.2: trust lines in the resource's hba lists (cluster_auth.c). */
int cluster_pga105(struct rule_ctx *c);
/* PGA106 for a database resource (cluster_auth.c). */
int cluster_pga106(struct rule_ctx *c);
/* The sites (env values, command/args) of the declared containers. */
int cluster_sites(struct rule_ctx *c, site_fn fn);

/* Suppresses PGA103 with a non-empty reason (workloads and resources). */
#define BACKUP_ANN "pgadmit.dev/backup"
/* pga103_backup_missing.c: the oracle's answer for c's namespace made a
 * PGA103 finding at node/path. FOUND: none; UNKNOWN: capped at warn,
 * "<unknown_lead>: <why>"; NOT_FOUND: at the policy's action, missing_msg;
 * DEFER or no oracle: missing_msg, deferred (backup_index_resolve). */
int pga103_verdict(struct rule_ctx *c, const json_t *node, const char *path,
		   const char *unknown_lead, const char *missing_msg,
		   const char *hint);
/* pga101_port_exposed.c: is a LoadBalancer with these annotations and
 * loadBalancerSourceRanges internal (PGA101.1)? */
bool pga101_lb_internal(const json_t *annotations, const json_t *ranges);
/* sites.c: the sites of one container (env values, command, args). */
int sites_container(struct rule_ctx *c, site_fn fn,
		    const struct podspec_container *pc);

#endif
