/*
 * err.h — error values that say what and where.
 *
 * Functions that can fail take a caller-supplied struct err and fill it with
 * one line of context ("policy.yaml: rules.PGA101: expected deny|warn|...").
 * No allocation: an err lives on the caller's stack.
 */
#ifndef PGADMIT_ERR_H
#define PGADMIT_ERR_H

#include <stdarg.h>

#define ERR_MSG_MAX 512

struct err {
	char msg[ERR_MSG_MAX];
};

/* Set the message (printf-style). NULL e is allowed and ignored. Returns -1
 * so that `return err_set(e, ...);` reads naturally. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend context: "file.yaml: " + existing message. Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

#endif
