/*
 * pga101_port_exposed.c — PGA101 postgres-port-exposed (rules.md).
 *
 *   .1 Service NodePort/LoadBalancer with a Postgres port (port, targetPort
 *      or name), unless an internal load balancer;
 *   .2 any Service with non-empty externalIPs and a Postgres port;
 *   .3 a container port with hostPort where hostPort or containerPort is a
 *      Postgres port;
 *   .4 hostNetwork: true with a Postgres server container (in `containers`)
 *      or a Postgres containerPort in any container;
 *   .5 Compose: ports published on all interfaces, network_mode: host with a
 *      Postgres server image;
 *   .6 a Postgres cluster resource asking its operator for an outside
 *      service (cluster_rules.c).
 * UDP/SCTP ports are not Postgres and are ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "cluster_int.h"
#include "pgadmit/podspec.h"
#include "rule.h"

#define HINT_SVC                                                               \
	"use type: ClusterIP, or an internal load balancer with private loadBalancerSourceRanges"

static const char *const kinds[] = {"Service",           RULE_KINDS_PODSPEC,
				    "ComposeService",    "Pooler",
				    RULE_KINDS_CLUSTERS, NULL};

static bool is_tcp(const json_t *port)
{
	const char *proto = json_get_str(port, "protocol");
	return !proto || strcasecmp(proto, "TCP") == 0;
}

/* PGA101.1 internal-LB annotations. */
static bool has_internal_annotation(const json_t *ann)
{
	const char *v;
	v = json_get_str(
		ann, "service.beta.kubernetes.io/aws-load-balancer-internal");
	if (v && *v && strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0)
		return true;
	v = json_get_str(ann,
			 "service.beta.kubernetes.io/aws-load-balancer-scheme");
	if (v && strcasecmp(v, "internal") == 0)
		return true;
	v = json_get_str(ann, "networking.gke.io/load-balancer-type");
	if (v && strcasecmp(v, "internal") == 0)
		return true;
	v = json_get_str(ann, "cloud.google.com/load-balancer-type");
	if (v && strcasecmp(v, "internal") == 0)
		return true;
	v = json_get_str(
		ann, "service.beta.kubernetes.io/azure-load-balancer-internal");
	if (v && strcasecmp(v, "true") == 0)
		return true;
	return false;
}

/* PGA101.1: every loadBalancerSourceRanges entry private (non-empty list). */
static bool source_ranges_internal(const json_t *ranges)
{
	size_t i;
	const json_t *r;
	if (!json_is_array(ranges) || json_array_size(ranges) == 0)
		return false;
	json_array_foreach(ranges, i, r)
		if (!json_is_string(r) ||
		    !cidr_is_internal(json_string_value(r)))
			return false;
	return true;
}

bool pga101_lb_internal(const json_t *annotations, const json_t *ranges)
{
	return has_internal_annotation(annotations) ||
	       source_ranges_internal(ranges);
}

/* Which field of a Service port makes it a Postgres port (NULL: none). */
static const char *svc_pg_field(const struct policy *p, const json_t *port)
{
	if (!json_is_object(port) || !is_tcp(port))
		return NULL;
	static const char *const f[] = {"port", "targetPort", "name"};
	for (int i = 0; i < 3; i++) {
		const json_t *v = json_object_get(port, f[i]);
		if (!v)
			continue;
		if (i == 0 ? (rule_port_number(v) >= 0 &&
			      policy_is_pg_port_number(p, rule_port_number(v)))
			   : rule_is_pg_port_value(p, v))
			return f[i];
	}
	return NULL;
}

static int eval_service(struct rule_ctx *c)
{
	const json_t *obj = c->o->obj;
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *ports = json_object_get(spec, "ports");
	const char *type = json_get_str(spec, "type");
	char path[96], msg[RULE_MSG_MAX * 2];
	size_t i;
	const json_t *port;
	if (!json_is_array(ports))
		return 0;
	bool nodeport = type && strcmp(type, "NodePort") == 0;
	bool lb = type && strcmp(type, "LoadBalancer") == 0;
	if (lb) {
		const json_t *ann =
			json_object_get(json_object_get(obj, "metadata"),
					"annotations");
		if (has_internal_annotation(ann) ||
		    source_ranges_internal(
			    json_object_get(spec, "loadBalancerSourceRanges")))
			lb = false; /* PGA101.1 internal LB */
	}
	const json_t *first_pg = NULL;
	json_array_foreach(ports, i, port) {
		const char *field = svc_pg_field(c->p, port);
		if (!field)
			continue;
		if (!first_pg)
			first_pg = port;
		if (!nodeport && !lb)
			continue;
		snprintf(path, sizeof(path), "spec.ports[%zu].%s", i, field);
		snprintf(msg, sizeof(msg),
			 "Service of type %s exposes a PostgreSQL port outside the cluster",
			 type);
		if (rule_report(c, json_object_get(port, field), path, msg,
				HINT_SVC))
			return -1;
	}
	/* PGA101.2 externalIPs */
	const json_t *ext = json_object_get(spec, "externalIPs");
	if (first_pg && json_is_array(ext) && json_array_size(ext) > 0) {
		/* points at the first address (a scalar: exact line) */
		if (rule_report(
			    c, json_array_get(ext, 0), "spec.externalIPs[0]",
			    "Service exposes a PostgreSQL port on externalIPs",
			    "remove spec.externalIPs; reach PostgreSQL through a ClusterIP Service"))
			return -1;
	}
	return 0;
}

struct podwalk {
	struct rule_ctx *c;
	bool pg_server; /* a `containers` entry runs a Postgres image */
	bool pg_port;   /* some container declares a Postgres containerPort */
	int rc;
};

static int container(const struct podspec_container *pc, void *arg)
{
	struct podwalk *w = arg;
	const struct policy *p = w->c->p;
	const json_t *ports = json_object_get(pc->c, "ports");
	size_t i;
	const json_t *port;
	if (pc->list == PODSPEC_CONTAINERS && policy_is_pg_image(p, pc->image))
		w->pg_server = true;
	if (!json_is_array(ports))
		return 0;
	json_array_foreach(ports, i, port) {
		if (!json_is_object(port) || !is_tcp(port))
			continue;
		long long cp = rule_port_number(
			json_object_get(port, "containerPort"));
		const json_t *hpv = json_object_get(port, "hostPort");
		long long hp = rule_port_number(hpv);
		bool cpg = cp >= 0 && policy_is_pg_port_number(p, cp);
		if (cpg)
			w->pg_port = true;
		/* PGA101.3 hostPort (0 means unset) */
		if (hp > 0 && (cpg || policy_is_pg_port_number(p, hp))) {
			char path[160], msg[RULE_MSG_MAX * 2];
			snprintf(path, sizeof(path), "%s.ports[%zu].hostPort",
				 pc->path, i);
			snprintf(msg, sizeof(msg),
				 "container %s publishes PostgreSQL port %lld on the node as hostPort %lld",
				 pc->name ? pc->name : "?", cp, hp);
			if (rule_report(
				    w->c, hpv, path, msg,
				    "remove hostPort and expose PostgreSQL with a ClusterIP Service")) {
				w->rc = -1;
				return 1;
			}
		}
	}
	return 0;
}

static int eval_pod(struct rule_ctx *c)
{
	struct podspec ps;
	if (!podspec_locate(c->o->kind, c->o->obj, &ps))
		return 0;
	struct podwalk w = {.c = c};
	podspec_foreach(&ps, container, &w);
	if (w.rc)
		return -1;
	/* PGA101.4 hostNetwork */
	const json_t *hn = json_object_get(ps.spec, "hostNetwork");
	if (json_is_true(hn) && (w.pg_server || w.pg_port)) {
		char path[96];
		snprintf(path, sizeof(path), "%s.hostNetwork", ps.path);
		/* jansson's true is a shared singleton with no line of its
		 * own: point the line at the Pod spec map (the hostNetwork
		 * line itself when it is the spec's first key) */
		if (rule_report(
			    c, ps.spec, path,
			    w.pg_server
				    ? "hostNetwork: true exposes a PostgreSQL server on the node's network"
				    : "hostNetwork: true exposes a PostgreSQL port on the node's network",
			    "remove hostNetwork and expose PostgreSQL with a ClusterIP Service"))
			return -1;
	}
	return 0;
}

/* ---- Compose (PGA101.5) ------------------------------------------- */

/* Does a "a-b" or "a" port spec include a Postgres port? */
static bool range_has_pg(const struct policy *p, const char *s, size_t n)
{
	char buf[32];
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *dash = strchr(buf, '-'), *end;
	long lo = strtol(buf, &end, 10);
	if (end == buf || (dash ? end != dash : *end != '\0'))
		return false;
	long hi = lo;
	if (dash) {
		hi = strtol(dash + 1, &end, 10);
		if (end == dash + 1 || *end)
			return false;
	}
	if (lo < 0 || hi > 65535 || hi < lo)
		return false;
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i] >= lo && p->ports[i] <= hi)
			return true;
	return false;
}

static bool ip_all_interfaces(const char *ip)
{
	return !ip || !*ip || strcmp(ip, "0.0.0.0") == 0 ||
	       strcmp(ip, "::") == 0 || strcmp(ip, "[::]") == 0;
}

/*
 * Compose interpolation of a port value as it runs when the variables are
 * unset (rules.md PGA101.5: literal defaults are resolved first):
 * `${VAR:-lit}` and `${VAR-lit}` give `lit`, `${VAR}`, `$VAR` and
 * `${VAR:+alt}` give "", `$$` gives `$`. `${VAR:?msg}` (Compose refuses to
 * run) and anything unreadable return false: the value is not judged.
 */
static bool compose_interpolate(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	for (const char *s = in; *s;) {
		if (s[0] == '$' && s[1] == '$') {
			if (o + 1 >= outsz)
				return false;
			out[o++] = '$';
			s += 2;
			continue;
		}
		if (s[0] == '$' && s[1] == '{') {
			const char *name = s + 2, *e = name;
			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			if (e == name)
				return false;
			const char *close = strchr(e, '}');
			if (!close)
				return false;
			const char *lit = NULL;
			size_t litn = 0;
			if (*e == ':' && e[1] == '-') {
				lit = e + 2;
			} else if (*e == '-') {
				lit = e + 1;
			} else if (*e == ':' && e[1] == '+') {
				lit = close; /* unset: empty */
			} else if (*e != '}') {
				return false; /* ${VAR:?msg}, ${VAR?msg}, other forms */
			}
			if (lit) {
				litn = (size_t)(close - lit);
				if (memchr(lit, '$', litn))
					return false; /* a nested expansion */
			}
			if (o + litn >= outsz)
				return false;
			if (litn)
				memcpy(out + o, lit, litn);
			o += litn;
			s = close + 1;
			continue;
		}
		if (s[0] == '$' &&
		    (isalpha((unsigned char)s[1]) || s[1] == '_')) {
			s++;
			while (isalnum((unsigned char)*s) || *s == '_')
				s++;
			continue; /* $VAR unset: empty */
		}
		if (o + 1 >= outsz)
			return false;
		out[o++] = *s++;
	}
	out[o] = '\0';
	return true;
}

/*
 * Short syntax "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]" (HOST_IP may
 * be a bracketed IPv6 address), after compose_interpolate. Returns true when
 * it publishes a Postgres port (host or container side) on all interfaces.
 */
static bool short_port_exposed(const struct policy *p, const char *spec)
{
	char buf[128], ip[64] = "";
	if (!compose_interpolate(spec, buf, sizeof(buf)))
		return false;
	char *slash = strchr(buf, '/');
	if (slash) {
		if (strcasecmp(slash + 1, "tcp") != 0)
			return false;
		*slash = '\0';
	}
	char *rest = buf;
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');
		if (!rb || rb[1] != ':')
			return false;
		size_t il = (size_t)(rb - buf - 1);
		if (il >= sizeof(ip))
			return false;
		memcpy(ip, buf + 1, il);
		ip[il] = '\0';
		rest = rb + 2;
	}
	/* Split the remaining "a:b:c" from the right. */
	char *cport = strrchr(rest, ':');
	char *hport = NULL;
	if (cport) {
		*cport++ = '\0';
		char *c2 = strrchr(rest, ':');
		if (c2) {
			*c2 = '\0';
			hport = c2 + 1;
			if (!ip[0]) {
				if (strlen(rest) >= sizeof(ip))
					return false;
				strcpy(ip, rest);
			}
		} else if (!ip[0] && strchr(rest, '.')) {
			return false; /* "127.0.0.1:5432" is not valid */
		} else {
			hport = rest;
		}
	} else {
		cport = rest;
	}
	if (!ip_all_interfaces(ip))
		return false;
	return range_has_pg(p, cport, strlen(cport)) ||
	       (hport && range_has_pg(p, hport, strlen(hport)));
}

static bool long_port_exposed(const struct policy *p, const json_t *port)
{
	const char *proto = json_get_str(port, "protocol");
	if (proto && strcasecmp(proto, "tcp") != 0)
		return false;
	char ipbuf[64], pubbuf[64];
	const char *hip = json_get_str(port, "host_ip");
	if (hip) {
		if (!compose_interpolate(hip, ipbuf, sizeof(ipbuf)))
			return false;
		hip = ipbuf;
	}
	if (!ip_all_interfaces(hip))
		return false;
	const json_t *t = json_object_get(port, "target");
	const json_t *pub = json_object_get(port, "published");
	if (rule_port_number(t) >= 0 &&
	    policy_is_pg_port_number(p, rule_port_number(t)))
		return true;
	if (json_is_string(pub)) {
		if (!compose_interpolate(json_string_value(pub), pubbuf,
					 sizeof(pubbuf)))
			return false;
		return range_has_pg(p, pubbuf, strlen(pubbuf));
	}
	return rule_port_number(pub) >= 0 &&
	       policy_is_pg_port_number(p, rule_port_number(pub));
}

static int eval_compose(struct rule_ctx *c)
{
	const json_t *svc = c->o->obj;
	const json_t *ports = json_object_get(svc, "ports");
	size_t i;
	const json_t *port;
	char path[64], buf[32];
	if (json_is_array(ports)) {
		json_array_foreach(ports, i, port) {
			bool hit = false;
			if (json_is_string(port))
				hit = short_port_exposed(c->p,
							 json_string_value(
								 port));
			else if (json_is_integer(port)) {
				snprintf(buf, sizeof(buf), "%lld",
					 (long long)json_integer_value(port));
				hit = short_port_exposed(c->p, buf);
			} else if (json_is_object(port))
				hit = long_port_exposed(c->p, port);
			if (!hit)
				continue;
			snprintf(path, sizeof(path), "ports[%zu]", i);
			if (rule_report(
				    c, port, path,
				    "service publishes a PostgreSQL port on all interfaces",
				    "bind it to loopback (\"127.0.0.1:5432:5432\") or drop the port mapping"))
				return -1;
		}
	}
	const json_t *nm = json_object_get(svc, "network_mode");
	if (json_is_string(nm) && strcmp(json_string_value(nm), "host") == 0 &&
	    policy_is_pg_image(c->p, json_get_str(svc, "image"))) {
		if (rule_report(
			    c, nm, "network_mode",
			    "network_mode: host exposes a PostgreSQL server on the host's network",
			    "remove network_mode: host and publish the port on 127.0.0.1"))
			return -1;
	}
	return 0;
}

static int eval(struct rule_ctx *c)
{
	if (cluster_kind_of_obj(c->o->obj) != CK_NONE)
		return cluster_pga101(c);
	if (strcmp(c->o->kind, "ComposeService") == 0)
		return eval_compose(c);
	if (strcmp(c->o->kind, "Service") == 0)
		return eval_service(c);
	return eval_pod(c);
}

const struct rule rule_pga101 = {
	.id = R_PGA101,
	.kinds = kinds,
	.eval = eval,
};
