/*
 * jsonget.c — typed getters (jsonget.h).
 */
#include "pgadmit/jsonget.h"

const char *json_get_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}
