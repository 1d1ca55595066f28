/* check.c — see check.h. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_int.h"
#include "pgadmit/check.h"
#include "pgadmit/utf8.h"
#include "pgadmit/rules.h"
#include "pgadmit/strbuf.h"

#define MAX_DIR_DEPTH 32
#define MANIFEST_EXTS "*.yaml, *.yml or *.json"

struct run {
	const struct policy *p;
	const struct manifest_limits *lim;
	FILE *errout;
	struct check_result *r;
	struct finding_list deferred; /* PGA103 candidates */
	struct backup_index *backups;
	struct ns_evidence *evidence; /* PGA105/PGA106 */
	const char *stdin_name;
	const char *kubectl;
	const char *source_root;
	size_t seen; /* Kubernetes objects (a kind) and Compose files read */
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
	struct backup_oracle bundle = {.bundle = run->evidence};
	run->r->summary.objects++;
	if (rules_eval_object(run->p, &o, &bundle, &run->r->findings,
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
		run->seen++; /* an empty List is still Kubernetes output */
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
			judge_k8s(run, doc, it, depth + 1);
		return;
	}
	if (!kind)
		return;
	run->seen++;
	const char *ns = str_at(obj, "metadata", "namespace");
	const char *name = str_at(obj, "metadata", "name");
	if (!name)
		name = str_at(obj, "metadata", "generateName");
	if (!policy_skips_namespace(run->p, ns) &&
	    backup_index_add_object(run->backups, ns, kind, obj))
		run->oom = 1;
	if (ns_evidence_kind(str_at(obj, "apiVersion", NULL), kind) &&
	    !policy_skips_namespace(run->p, ns) &&
	    ns_evidence_add(run->evidence, run->p, ns, kind, obj))
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
	json_object_foreach((json_t *)services, svc, def) {
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
		if (is_compose(root)) {
			run->seen++;
			judge_compose(run, doc, root);
		} else
			judge_k8s(run, doc, root, 0);
	}
	return run->oom ? -1 : 0;
}

/* Report a bad input: one line on errout and an entry of r->errors. */
static void input_error(struct run *run, const char *input, const char *msg)
{
	struct check_result *r = run->r;
	fprintf(run->errout, "pgadmit check: %s\n", msg);
	r->input_errors++;
	if (r->nerrors == r->caperrors) {
		size_t cap = r->caperrors ? r->caperrors * 2 : 8;
		struct report_error *v = realloc(r->errors, cap * sizeof(*v));
		if (!v) {
			run->oom = 1;
			return;
		}
		r->errors = v;
		r->caperrors = cap;
	}
	/* File names and library messages may hold any bytes; the JSON and
	 * SARIF writers need valid UTF-8 (invalid sequences become U+FFFD). */
	char *in = utf8_lossy(input), *m = utf8_lossy(msg);
	if (!in || !m) {
		free(in);
		free(m);
		run->oom = 1;
		return;
	}
	r->errors[r->nerrors].input = in;
	r->errors[r->nerrors].message = m;
	r->nerrors++;
}

static void input_errorf(struct run *run, const char *input, const char *fmt,
			 ...) __attribute__((format(printf, 3, 4)));
static void input_errorf(struct run *run, const char *input, const char *fmt,
			 ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	input_error(run, input, msg);
}

/* Findings [from, l->n) of a stream with Helm Source comments: point them
 * at the template and count lines from the comment. */
static void remap(struct run *run, struct finding_list *l, size_t from,
		  const struct source_scan *sc)
{
	for (size_t i = from; i < l->n && !run->oom; i++) {
		struct finding *f = &l->v[i];
		int rel = 0;
		const char *tpl =
			f->line > 0 ? source_scan_lookup(sc, f->line, &rel)
				    : NULL;
		if (!tpl)
			continue;
		struct strbuf path = STRBUF_INIT;
		if (run->source_root && *run->source_root) {
			sb_puts(&path, run->source_root);
			if (run->source_root[strlen(run->source_root) - 1] !=
			    '/')
				sb_putc(&path, '/');
		}
		sb_puts(&path, tpl);
		char *copy = sb_detach(&path);
		if (!copy) {
			run->oom = 1;
			return;
		}
		free(f->file);
		f->file = copy;
		f->line = rel;
	}
}

static void check_stream(struct run *run, FILE *fp, const char *name)
{
	struct err err;
	err_clear(&err);
	run->r->summary.files++;
	struct source_scan sc;
	FILE *in = source_scan_open(&sc, fp);
	if (!in) {
		input_errorf(run, name, "%s: %s", name, strerror(errno));
		return;
	}
	size_t nf = run->r->findings.n, nd = run->deferred.n;
	int rc = manifest_load_file(in, name, run->lim, on_doc, run, &err);
	fclose(in);
	if (rc != 0 && !run->oom)
		input_error(run, name, err.msg);
	if (sc.oom)
		run->oom = 1;
	if (sc.nsource && !run->oom) {
		remap(run, &run->r->findings, nf, &sc);
		remap(run, &run->deferred, nd, &sc);
	}
	source_scan_release(&sc);
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

static bool dir_has(const char *dir, const char *name)
{
	char full[4096];
	struct stat st;
	int n = snprintf(full, sizeof(full), "%s/%s", dir, name);
	return n > 0 && (size_t)n < sizeof(full) && stat(full, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

/* A kustomization directory: kubectl renders it, its files are not read
 * one by one (generators, patches and overlays only exist rendered). */
static void check_kustomize(struct run *run, const char *dir)
{
	struct kustomize_proc kp;
	struct err err;
	err_clear(&err);
	if (kustomize_start(run->kubectl, dir, &kp, &err)) {
		input_errorf(run, dir,
			     "%s: a kustomization directory; %s: render it "
			     "and pipe it in: kubectl kustomize %s | pgadmit "
			     "check -f - --stdin-name %s",
			     dir, err.msg, dir, dir);
		return;
	}
	check_stream(run, kp.out, dir); /* kustomize_finish closes kp.out */
	if (kustomize_finish(&kp, run->kubectl, &err))
		input_errorf(run, dir, "%s: %s", dir, err.msg);
}

static void check_dir(struct run *run, const char *path, int depth)
{
	if (depth > MAX_DIR_DEPTH) {
		input_errorf(run, path, "%s: directories nested too deep",
			     path);
		return;
	}
	if (dir_has(path, "kustomization.yaml") ||
	    dir_has(path, "kustomization.yml") ||
	    dir_has(path, "Kustomization")) {
		check_kustomize(run, path);
		return;
	}
	if (dir_has(path, "Chart.yaml")) {
		input_errorf(run, path,
			     "%s: a Helm chart (Chart.yaml), not manifests: "
			     "render it and pipe it in: helm template NAME %s "
			     "| pgadmit check -f -",
			     path, path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		input_errorf(run, path, "%s: %s", path, strerror(errno));
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
		check_stream(run, stdin, run->stdin_name);
		return;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		input_errorf(run, path, "%s: %s", path, strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		check_dir(run, path, depth);
		return;
	}
	/* In a directory only manifests are read; a named file always is. */
	if (!explicit && !has_manifest_ext(path))
		return;
	/* A kustomization or a chart's Chart.yaml named directly: what the
	 * user means is the directory (reading the file alone would check
	 * nothing and look green). */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (explicit && (strcmp(base, "kustomization.yaml") == 0 ||
			 strcmp(base, "kustomization.yml") == 0 ||
			 strcmp(base, "Kustomization") == 0 ||
			 strcmp(base, "Chart.yaml") == 0)) {
		char dir[4096];
		int n = base == path ? snprintf(dir, sizeof(dir), ".")
				     : snprintf(dir, sizeof(dir), "%.*s",
						(int)(base - path - 1), path);
		if (n > 0 && (size_t)n < sizeof(dir)) {
			check_dir(run, *dir ? dir : "/", depth);
			return;
		}
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		input_errorf(run, path, "%s: %s", path, strerror(errno));
		return;
	}
	check_stream(run, fp, path);
	fclose(fp);
}

/* One input as given on the command line, and what it held. */
static void check_input(struct run *run, const char *input)
{
	struct check_result *r = run->r;
	size_t files = r->summary.files, docs = r->summary.documents;
	size_t seen = run->seen, errs = r->nerrors;
	check_path(run, input, 0, 1);
	if (run->oom || r->nerrors != errs)
		return; /* already reported */
	const char *name = strcmp(input, "-") == 0 ? run->stdin_name : input;
	docs = r->summary.documents - docs;
	if (r->summary.files == files)
		input_errorf(run, name,
			     "%s: no manifest file (" MANIFEST_EXTS
			     ") in this directory",
			     name);
	else if (run->seen == seen)
		input_errorf(run, name,
			     "%s: no Kubernetes object (apiVersion/kind) and "
			     "no Compose file (services) in %zu document%s "
			     "of %zu file%s",
			     name, docs, docs == 1 ? "" : "s",
			     r->summary.files - files,
			     r->summary.files - files == 1 ? "" : "s");
}

int check_run(const char *const *inputs, size_t n, const struct policy *p,
	      const struct manifest_limits *lim,
	      const struct check_options *opt, FILE *errout,
	      struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	finding_list_init(&r->findings);
	struct run run = {.p = p, .lim = lim, .errout = errout, .r = r};
	run.stdin_name = opt && opt->stdin_name ? opt->stdin_name : "-";
	run.kubectl = opt && opt->kubectl ? opt->kubectl : "kubectl";
	run.source_root = opt ? opt->source_root : NULL;
	finding_list_init(&run.deferred);
	run.backups = backup_index_new();
	run.evidence = ns_evidence_new();
	if (!run.backups || !run.evidence) {
		backup_index_free(run.backups);
		ns_evidence_free(run.evidence);
		return -1;
	}
	for (size_t i = 0; i < n && !run.oom; i++)
		check_input(&run, inputs[i]);
	if (n == 0 && !run.oom)
		input_error(&run, "", "no input given");
	if (!run.oom &&
	    (ns_evidence_resolve(run.evidence, &run.deferred, &r->findings) ||
	     backup_index_resolve(run.backups, &run.deferred, &r->findings)))
		run.oom = 1;
	finding_list_free(&run.deferred);
	backup_index_free(run.backups);
	ns_evidence_free(run.evidence);
	finding_list_sort(&r->findings);
	return run.oom ? -1 : 0;
}

void check_result_free(struct check_result *r)
{
	finding_list_free(&r->findings);
	for (size_t i = 0; i < r->nerrors; i++) {
		free(r->errors[i].input);
		free(r->errors[i].message);
	}
	free(r->errors);
	r->errors = NULL;
	r->nerrors = r->caperrors = 0;
}
