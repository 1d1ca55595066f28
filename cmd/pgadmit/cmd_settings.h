/* serve_settings.h — the settings table of `pgadmit serve`
 * (serve_settings.c) and the struct it fills. */
#ifndef PGADMIT_CMD_SERVE_SETTINGS_H
#define PGADMIT_CMD_SERVE_SETTINGS_H

#include <stddef.h>

#include "pgadmit/server.h"
#include "pgadmit/settings.h"

struct serve_settings {
	struct srv_config srv;
	int log_level; /* enum srv_log_level, or -1 = leave as is */
};
extern const struct setting serve_settings_table[];
extern const size_t serve_settings_count;

#endif
