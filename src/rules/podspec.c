/* podspec.c — see podspec.h. */
#include <stdio.h>
#include <string.h>

#include "pgadmit/jsonget.h"
#include "pgadmit/podspec.h"

static const char *const template_kinds[] = {"Deployment",
					     "StatefulSet",
					     "DaemonSet",
					     "ReplicaSet",
					     "ReplicationController",
					     "Job",
					     NULL};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

bool podspec_kind(const char *kind)
{
	if (!kind)
		return false;
	return strcmp(kind, "Pod") == 0 || strcmp(kind, "CronJob") == 0 ||
	       in_list(template_kinds, kind);
}

bool podspec_locate(const char *kind, const json_t *obj, struct podspec *ps)
{
	const json_t *s = NULL; /* borrowed all the way down */
	ps->spec = NULL;
	ps->path = NULL;
	if (!kind || !json_is_object(obj))
		return false;
	if (strcmp(kind, "Pod") == 0) {
		s = json_object_get(obj, "spec");
		ps->path = "spec";
	} else if (in_list(template_kinds, kind)) {
		s = json_object_get(json_object_get(json_object_get(obj,
								    "spec"),
						    "template"),
				    "spec");
		ps->path = "spec.template.spec";
	} else if (strcmp(kind, "CronJob") == 0) {
		s = json_object_get(obj, "spec");
		s = json_object_get(s, "jobTemplate");
		s = json_object_get(s, "spec");
		s = json_object_get(s, "template");
		s = json_object_get(s, "spec");
		ps->path = "spec.jobTemplate.spec.template.spec";
	}
	if (!json_is_object(s))
		return false;
	ps->spec = s;
	return true;
}

int podspec_foreach(const struct podspec *ps, podspec_fn fn, void *arg)
{
	static const char *const lists[] = {"containers", "initContainers",
					    "ephemeralContainers"};
	if (!ps->spec)
		return 0;
	for (int l = 0; l < 3; l++) {
		const json_t *arr = json_object_get(ps->spec, lists[l]);
		size_t i;
		const json_t *c;
		if (!json_is_array(arr))
			continue;
		json_array_foreach(arr, i, c) {
			if (!json_is_object(c))
				continue;
			struct podspec_container pc;
			const json_t *img = json_object_get(c, "image");
			const json_t *nm = json_object_get(c, "name");
			pc.c = c;
			pc.list = (enum podspec_list)l;
			pc.index = i;
			snprintf(pc.path, sizeof(pc.path), "%s.%s[%zu]",
				 ps->path, lists[l], i);
			pc.image = json_is_string(img) ? json_string_value(img)
						       : NULL;
			pc.name = json_is_string(nm) ? json_string_value(nm)
						     : NULL;
			int rc = fn(&pc, arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

bool podspec_owned_by_builtin(const json_t *obj)
{
	const json_t *refs = json_object_get(json_object_get(obj, "metadata"),
					     "ownerReferences");
	size_t i;
	const json_t *r;
	json_array_foreach(refs, i, r) {
		if (!json_is_true(json_object_get(r, "controller")))
			continue;
		const char *kind = json_get_str(r, "kind"),
			   *api = json_get_str(r, "apiVersion");
		if (!kind || !api)
			return false;
		bool apps = strncmp(api, "apps/", 5) == 0;
		bool batch = strncmp(api, "batch/", 6) == 0;
		return (apps && (strcmp(kind, "ReplicaSet") == 0 ||
				 strcmp(kind, "Deployment") == 0 ||
				 strcmp(kind, "StatefulSet") == 0 ||
				 strcmp(kind, "DaemonSet") == 0)) ||
		       (batch && (strcmp(kind, "Job") == 0 ||
				  strcmp(kind, "CronJob") == 0));
	}
	return false;
}
