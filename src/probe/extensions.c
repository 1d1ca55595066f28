/*
 * extensions.c — PGA241 stats-extension-missing.
 *
 * Fires when pg_stat_statements is not installed in the probed database
 * (pg_extension, read in the facts row), and also when it is installed but
 * not in shared_preload_libraries (its views then fail). The second part
 * needs shared_preload_libraries, which pg_read_all_settings can read; it
 * is skipped, not guessed, without it.
 */
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n) {
		bool start = p == list || strchr(", \"", p[-1]);
		bool end = p[n] == '\0' || strchr(", \"", p[n]);
		if (start && end)
			return true;
	}
	return false;
}

int probe_check_extensions(struct probe_ctx *c)
{
	const char *preload = probe_fact(c, "shared_preload_libraries");
	bool loaded = preload && listed(preload, "pg_stat_statements");
	if (!probe_fact_true(c, "has_pg_stat_statements"))
		return probe_add(c, R_PGA241, -1, "database",
				 loaded ? "pg_stat_statements is loaded but "
					  "not installed in this database"
					: "pg_stat_statements is not installed: "
					  "there is no record of which queries "
					  "cost what",
				 loaded ? "CREATE EXTENSION pg_stat_statements;"
					: "add pg_stat_statements to "
					  "shared_preload_libraries (restart), "
					  "then CREATE EXTENSION "
					  "pg_stat_statements;");
	if (preload && !loaded)
		return probe_add(c, R_PGA241, -1, "database",
				 "pg_stat_statements is installed but not in "
				 "shared_preload_libraries: its views fail",
				 "add pg_stat_statements to "
				 "shared_preload_libraries and restart");
	return 0;
}
