/*
 * rule_docs_write.c — writes the pages of docs/rules/ (README.md and one
 * <ID>.md per catalog rule) into a directory: `pgadmit explain --write-docs
 * DIR`, which `make docs-rules` runs. Rendering is rule_doc.c's; this file
 * only does the files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pgadmit/catalog.h"
#include "pgadmit/err.h"
#include "pgadmit/strbuf.h"

static int write_file(const char *dir, const char *name,
		      const struct strbuf *sb, struct err *err)
{
	char path[4096];
	int len = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= sizeof(path))
		return err_set(err, "path too long: %s", dir);
	if (!sb_ok(sb))
		return err_nomem(err);
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(err, "%s: %s", path, strerror(errno));
	int bad = fputs(sb_str(sb), f) == EOF;
	if (fclose(f) != 0)
		bad = 1;
	if (bad)
		return err_set(err, "%s: cannot write", path);
	return 0;
}

int rule_docs_write(const char *dir, struct err *err)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return err_set(err, "%s: %s", dir, strerror(errno));
	struct strbuf sb = STRBUF_INIT;
	rule_index_render(RULE_DOC_MARKDOWN, &sb);
	int rc = write_file(dir, "README.md", &sb, err);
	for (int i = 0; rc == 0 && i < R_COUNT; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%s.md", rule_catalog[i].code);
		sb_reset(&sb);
		rule_doc_render(&rule_catalog[i], RULE_DOC_MARKDOWN, &sb);
		rc = write_file(dir, name, &sb, err);
	}
	sb_free(&sb);
	return rc;
}
