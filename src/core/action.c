/* action.c — see action.h. */
#include <string.h>

#include "pgadmit/action.h"

static const char *const names[] = {"off", "info", "annotate", "warn", "deny"};

const char *action_name(enum action a)
{
	if ((unsigned)a < sizeof(names) / sizeof(names[0]))
		return names[a];
	return "off";
}

int action_parse(const char *s, int allow_info)
{
	if (!s)
		return -1;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			if (i == ACTION_INFO && !allow_info)
				return -1;
			return (int)i;
		}
	return -1;
}

int fail_on_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "deny") == 0)
		return FAIL_ON_DENY;
	if (strcmp(s, "warn") == 0)
		return FAIL_ON_WARN;
	if (strcmp(s, "never") == 0)
		return FAIL_ON_NEVER;
	return -1;
}

int action_fails(enum action a, enum fail_on f)
{
	switch (f) {
	case FAIL_ON_DENY: return a == ACTION_DENY;
	case FAIL_ON_WARN: return a == ACTION_DENY || a == ACTION_WARN;
	case FAIL_ON_NEVER: return 0;
	}
	return 0;
}
