/* engine.c — PLACEHOLDER (rules helper replaces this file). */
#include <stdlib.h>

#include "pgadmit/rules.h"

int rules_eval_object(const struct policy *p, const struct object_ref *o,
		      const struct backup_oracle *oracle,
		      struct finding_list *out, struct finding_list *deferred)
{
	(void)p; (void)o; (void)oracle; (void)out; (void)deferred;
	return 0;
}

bool rules_kind_relevant(const char *kind)
{
	(void)kind;
	return false;
}

struct backup_index {
	int unused;
};

struct backup_index *backup_index_new(void)
{
	return calloc(1, sizeof(struct backup_index));
}

void backup_index_free(struct backup_index *bi)
{
	free(bi);
}

int backup_index_add_cronjob(struct backup_index *bi, const char *ns,
			     const json_t *cronjob)
{
	(void)bi; (void)ns; (void)cronjob;
	return 0;
}

enum backup_state backup_index_lookup(const struct backup_index *bi,
				      const char *ns, const char *name)
{
	(void)bi; (void)ns; (void)name;
	return BACKUP_NOT_FOUND;
}

int backup_index_resolve(const struct backup_index *bi,
			 struct finding_list *deferred,
			 struct finding_list *out)
{
	(void)bi;
	return finding_list_move(out, deferred);
}
