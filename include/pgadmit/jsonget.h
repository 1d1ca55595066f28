/*
 * jsonget.h — typed getters on jansson trees, one copy: a member read
 * where the tree may be anything (input from users and the API server), so
 * every getter accepts NULL or a value of another type and answers NULL.
 */
#ifndef PGADMIT_JSONGET_H
#define PGADMIT_JSONGET_H

#include <jansson.h>

/* o[key] when o is an object and that member is a string, else NULL. */
const char *json_get_str(const json_t *o, const char *key);

#endif
