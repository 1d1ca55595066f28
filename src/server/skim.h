/*
 * skim.h — skip what no rule reads before parsing a large review
 * (server-internal; caller: server.c).
 */
#ifndef PGADMIT_SERVER_SKIM_H
#define PGADMIT_SERVER_SKIM_H

#include <stddef.h>

/* Bodies smaller than this are parsed as they are. */
#define SKIM_MIN_BODY (64 * 1024)

/* Replace the value of request.oldObject in the body s[0..n) by null, in
 * place; returns the new length (n when there is nothing to drop or the
 * body is not shaped as expected). */
size_t srv_skim_old_object(char *s, size_t n);

#endif
