/* loader.c — PLACEHOLDER (manifest helper replaces this file). */
#include "pgadmit/manifest.h"

void manifest_limits_default(struct manifest_limits *lim)
{
	lim->max_nodes = 1000000;
	lim->max_depth = 256;
	lim->max_alias_nodes = 100000;
	lim->max_scalar = 8u << 20;
}

int manifest_line(const struct manifest_doc *doc, const json_t *node)
{
	(void)doc;
	(void)node;
	return 0;
}

int manifest_load_file(FILE *fp, const char *name,
		       const struct manifest_limits *lim, manifest_doc_fn fn,
		       void *arg, struct err *err)
{
	(void)fp; (void)lim; (void)fn; (void)arg;
	return err_set(err, "%s: YAML loader not built yet", name);
}

int manifest_load_buffer(const char *buf, size_t len, const char *name,
			 const struct manifest_limits *lim, manifest_doc_fn fn,
			 void *arg, struct err *err)
{
	(void)buf; (void)len; (void)lim; (void)fn; (void)arg;
	return err_set(err, "%s: YAML loader not built yet", name);
}

json_t *manifest_parse_one(const char *buf, size_t len, const char *name,
			   struct manifest_linemap **lines, struct err *err)
{
	json_error_t je;
	if (lines)
		*lines = NULL;
	json_t *j = json_loadb(buf, len, 0, &je);
	if (!j)
		err_set(err, "%s: %s", name, je.text);
	return j;
}

void manifest_linemap_free(struct manifest_linemap *m)
{
	(void)m;
}

int manifest_linemap_get(const struct manifest_linemap *m, const json_t *node)
{
	(void)m;
	(void)node;
	return 0;
}
