/* scalar.h — private to src/manifest: YAML 1.1 (go-yaml v2) scalar typing. */
#ifndef PGADMIT_MANIFEST_SCALAR_H
#define PGADMIT_MANIFEST_SCALAR_H

#include <jansson.h>
#include <stddef.h>

/*
 * Resolve an untagged plain scalar the way Kubernetes (go-yaml v2) does:
 * null, bool, int (with _, sign, 0x, 0o, 0b, leading-zero octal), float;
 * anything else (timestamps, .inf/.nan which JSON cannot hold) is a string.
 * Returns a new reference or NULL (OOM or invalid UTF-8).
 */
json_t *scalar_resolve(const char *s, size_t len);
/* 1 when scalar_resolve would make a string of this plain scalar (the
 * common case of a mapping key), decided without allocating. */
int scalar_is_string(const char *s, size_t len);
/* Explicit tag (!!int, !!bool, ...) on scalar text. NULL if it does not fit
 * the tag; *bad is then set. */
json_t *scalar_tagged(const char *tag, const char *s, size_t len, int *bad);

#endif
