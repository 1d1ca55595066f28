/* check.c — see check.h. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pgadmit/check.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"

#define MAX_DIR_DEPTH 32

struct run {
	const struct policy *p;
	const struct manifest_limits *lim;
	FILE *errout;
	struct check_result *r;
	struct finding_list deferred;  /* PGA103 candidates */
	struct backup_index *backups;
	int oom;
};

static const char *str_at(const json_t *obj, const char *a, const char *b)
{
	const json_t *v = json_object_get(obj, a); /* borrowed */
	if (b)
		v = json_object_get(v, b);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void judge(struct run *run, const struct manifest_doc *doc,
		  const json_t *obj, const char *kind, const char *ns,
		  const char *name, const char *prefix)
{
	struct object_ref o = {
		.obj = obj,
		.kind = kind,
		.ns = ns,
		.name = name,
		.file = doc->name,
		.document = doc->index,
		.doc = doc,
		.path_prefix = prefix,
	};
	run->r->summary.objects++;
	if (rules_eval_object(run->p, &o, NULL, &run->r->findings,
			      &run->deferred))
		run->oom = 1;
}

static void judge_k8s(struct run *run, const struct manifest_doc *doc,
		      const json_t *obj, int depth)
{
	if (!json_is_object(obj))
		return;
	const char *kind = str_at(obj, "kind", NULL);
	const json_t *items = json_object_get(obj, "items");
	size_t klen = kind ? strlen(kind) : 0;
	if (kind && klen >= 4 && strcmp(kind + klen - 4, "List") == 0 &&
	    json_is_array(items) && depth < 4) {
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
			judge_k8s(run, doc, it, depth + 1);
		return;
	}
	if (!kind)
		return;
	const char *ns = str_at(obj, "metadata", "namespace");
	const char *name = str_at(obj, "metadata", "name");
	if (!name)
		name = str_at(obj, "metadata", "generateName");
	if (strcmp(kind, "CronJob") == 0 &&
	    !policy_skips_namespace(run->p, ns) &&
	    backup_index_add_cronjob(run->backups, ns, obj))
		run->oom = 1;
	judge(run, doc, obj, kind, ns, name, NULL);
}

static int is_compose(const json_t *root)
{
	return json_is_object(json_object_get(root, "services")) &&
	       !json_object_get(root, "apiVersion") &&
	       !json_object_get(root, "kind");
}

static void judge_compose(struct run *run, const struct manifest_doc *doc,
			  const json_t *root)
{
	const json_t *services = json_object_get(root, "services");
	const char *svc;
	json_t *def;
	json_object_foreach((json_t *)services, svc, def)
	{
		if (!json_is_object(def))
			continue;
		struct strbuf prefix = STRBUF_INIT;
		sb_printf(&prefix, "services.%s", svc);
		if (!sb_ok(&prefix)) {
			run->oom = 1;
			return;
		}
		judge(run, doc, def, "ComposeService", NULL, svc,
		      sb_str(&prefix));
		sb_free(&prefix);
	}
}

static int on_doc(const struct manifest_doc *doc, void *arg)
{
	struct run *run = arg;
	run->r->summary.documents++;
	const json_t *root = doc->root;
	if (!root)
		return 0;
	if (json_is_array(root)) {
		size_t i;
		json_t *it;
		json_array_foreach(root, i, it)
			judge_k8s(run, doc, it, 1);
	} else if (json_is_object(root)) {
		if (is_compose(root))
			judge_compose(run, doc, root);
		else
			judge_k8s(run, doc, root, 0);
	}
	return run->oom ? -1 : 0;
}

static void input_error(struct run *run, const char *msg)
{
	fprintf(run->errout, "pgadmit check: %s\n", msg);
	run->r->input_errors++;
}

static void check_stream(struct run *run, FILE *fp, const char *name)
{
	struct err err;
	err_clear(&err);
	run->r->summary.files++;
	int rc = manifest_load_file(fp, name, run->lim, on_doc, run, &err);
	if (rc != 0 && !run->oom)
		input_error(run, err.msg);
}

static int has_manifest_ext(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0 ||
		       strcmp(dot, ".json") == 0);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_path(struct run *run, const char *path, int depth,
		       int explicit);

static void check_dir(struct run *run, const char *path, int depth)
{
	if (depth > MAX_DIR_DEPTH) {
		char msg[ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s: directories nested too deep",
			 path);
		input_error(run, msg);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		char msg[ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		input_error(run, msg);
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue; /* ., .., and hidden files */
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				run->oom = 1;
				break;
			}
			names = nn;
		}
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		char *full = malloc(len);
		if (!full) {
			run->oom = 1;
			break;
		}
		snprintf(full, len, "%s%s%s", path,
			 path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!run->oom)
			check_path(run, names[i], depth + 1, 0);
		free(names[i]);
	}
	free(names);
}

static void check_path(struct run *run, const char *path, int depth,
		       int explicit)
{
	if (strcmp(path, "-") == 0) {
		check_stream(run, stdin, "-");
		return;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		char msg[ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		input_error(run, msg);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		check_dir(run, path, depth);
		return;
	}
	/* In a directory only manifests are read; a named file always is. */
	if (!explicit && !has_manifest_ext(path))
		return;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		char msg[ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		input_error(run, msg);
		return;
	}
	check_stream(run, fp, path);
	fclose(fp);
}

int check_run(const char *const *inputs, size_t n, const struct policy *p,
	      const struct manifest_limits *lim, FILE *errout,
	      struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	finding_list_init(&r->findings);
	struct run run = {.p = p, .lim = lim, .errout = errout, .r = r};
	finding_list_init(&run.deferred);
	run.backups = backup_index_new();
	if (!run.backups)
		return -1;
	for (size_t i = 0; i < n && !run.oom; i++)
		check_path(&run, inputs[i], 0, 1);
	if (!run.oom &&
	    backup_index_resolve(run.backups, &run.deferred, &r->findings))
		run.oom = 1;
	finding_list_free(&run.deferred);
	backup_index_free(run.backups);
	finding_list_sort(&r->findings);
	return run.oom ? -1 : 0;
}

void check_result_free(struct check_result *r)
{
	finding_list_free(&r->findings);
}
