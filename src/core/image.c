/*
 * image.c — is an image a Postgres server? (policy.h, rules.md "Postgres
 * server image").
 *
 * The image reference loses its digest and tag and is lower-cased; its
 * last path component (the name) is a server image when
 *   1. it matches the policy's pattern (compiled once, at policy load), or
 *   2. it is a name the pattern matches followed by "-<major version>" and
 *      an optional suffix: postgresql-16, postgres-15-alpine,
 *      postgresql-15-c9s, postgresql-16-codeinsights — unless the suffix
 *      names a non-server role (exporter, client, backup, operator,
 *      bouncer, admin): postgresql-16-exporter is not a server; or
 *   3. it is on the policy's vendor list: "harbor-db" (a name),
 *      "cloudnative-pg/postgresql" (the last path components), "spilo-*"
 *      (a trailing glob, whose matched rest is held to the same role
 *      words as 2.).
 * Whatever the pattern and list say, postgres_exporter, postgres-exporter,
 * pgbouncer, pgadmin4, postgresql-client and *-operator are never servers.
 * No allocation and no regcomp per call: one regexec per candidate base
 * name (the name and each "-<digit>" split of it).
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/policy.h"

#define IMAGE_MAX 512
#define ENTRY_MAX 128

static const char *const never_servers[] = {"postgres_exporter",
					    "postgres-exporter",
					    "pgbouncer",
					    "pgadmin4",
					    "postgresql-client",
					    NULL};

static const char *const non_server_roles[] = {"exporter", "client",  "backup",
					       "operator", "bouncer", "admin",
					       NULL};

static bool names_role(const char *s)
{
	for (const char *const *r = non_server_roles; *r; r++)
		if (strstr(s, *r))
			return true;
	return false;
}

static bool is_never(const char *name)
{
	size_t n = strlen(name);
	for (const char *const *v = never_servers; *v; v++)
		if (strcmp(name, *v) == 0)
			return true;
	return n >= 9 && strcmp(name + n - 9, "-operator") == 0;
}

/* 2.: name = <base>-<digits>[.<digits>][-<suffix>] with the pattern
 * matching base and the suffix naming no role. */
static bool is_versioned(const regex_t *re, const char *name)
{
	char base[IMAGE_MAX];
	for (const char *h = strchr(name, '-'); h; h = strchr(h + 1, '-')) {
		const char *v = h + 1;
		if (!isdigit((unsigned char)*v) || h == name)
			continue;
		while (isdigit((unsigned char)*v))
			v++;
		if (*v == '.' && isdigit((unsigned char)v[1]))
			for (v++; isdigit((unsigned char)*v); v++)
				;
		if (*v != '\0' && *v != '-')
			continue;
		if (*v == '-' && names_role(v + 1))
			continue;
		size_t bl = (size_t)(h - name);
		memcpy(base, name, bl);
		base[bl] = '\0';
		if (regexec(re, base, 0, NULL, 0) == 0)
			return true;
	}
	return false;
}

/* 3.: one list entry against the path (no tag): the entry's own number of
 * trailing components, a trailing '*' glob. */
static bool vendor_match(const char *entry, const char *path)
{
	size_t comps = 1;
	for (const char *e = entry; *e; e++)
		comps += *e == '/';
	const char *tail = path + strlen(path);
	while (tail > path) {
		if (tail[-1] == '/' && --comps == 0)
			break;
		tail--;
	}
	if (comps > 1)
		return false; /* fewer components than the entry */
	size_t el = strlen(entry);
	if (el > 0 && entry[el - 1] == '*') {
		if (strncmp(tail, entry, el - 1) != 0)
			return false;
		return !names_role(tail + el - 1);
	}
	return strcmp(tail, entry) == 0;
}

bool policy_is_pg_image(const struct policy *p, const char *image)
{
	char buf[IMAGE_MAX];
	if (!image || !*image || !p->image_re_ok)
		return false;
	size_t len = strcspn(image, "@");
	if (len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)image[i]);
	buf[len] = '\0';
	char *name = strrchr(buf, '/');
	name = name ? name + 1 : buf;
	char *colon = strchr(name, ':');
	if (colon)
		*colon = '\0';
	if (!*name || is_never(name))
		return false;
	if (regexec(&p->image_re, name, 0, NULL, 0) == 0 ||
	    is_versioned(&p->image_re, name))
		return true;
	for (size_t i = 0; i < p->nserver_images; i++)
		if (vendor_match(p->server_images[i], buf))
			return true;
	return false;
}

int policy_add_server_image(struct policy *p, const char *entry,
			    struct err *err)
{
	size_t n = entry ? strlen(entry) : 0;
	if (n == 0 || n > ENTRY_MAX)
		return err_set(err,
			       "server image '%.40s': expected 1 to %d "
			       "characters",
			       entry ? entry : "", ENTRY_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)entry[i];
		if (!(isalnum(c) || strchr("-._/", c) ||
		      (c == '*' && i == n - 1)) ||
		    (c == '/' && (i == 0 || i == n - 1 || entry[i + 1] == '/')))
			return err_set(err,
				       "server image '%.40s': expected a "
				       "name or path/name without tag "
				       "or digest, '*' only at the end",
				       entry);
	}
	if (p->nserver_images >= POLICY_MAX_SERVER_IMAGES)
		return err_set(err, "too many server images (max %d)",
			       POLICY_MAX_SERVER_IMAGES);
	char *copy = strdup(entry);
	if (!copy)
		return err_nomem(err);
	for (char *q = copy; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	for (size_t i = 0; i < p->nserver_images; i++)
		if (strcmp(p->server_images[i], copy) == 0) {
			free(copy); /* already listed */
			return 0;
		}
	p->server_images[p->nserver_images++] = copy;
	return 0;
}
