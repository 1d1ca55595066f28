/*
 * err.h — error values that say what, where and of which kind.
 *
 * Functions that can fail take a caller-supplied struct err and fill it with
 * one line of context ("policy.yaml: rules.PGA101: expected deny|warn|...")
 * and a kind (enum err_kind) that callers branch on: out of memory, invalid
 * input and an unavailable service are told apart by err.kind, never by
 * ad-hoc 1/0/-1 returns. The function itself still returns -1 (or NULL);
 * the kind rides in the err. cmd/ maps kinds to exit codes (cmd.h).
 * No allocation: an err lives on the caller's stack.
 *
 * PGADMIT_MUST_CHECK marks prototypes whose result must not be ignored
 * (allocating constructors, parsers, I/O): ignoring one is a compile error
 * under -Werror.
 *
 * Base layer: includes nothing of pgadmit. Callers: every module.
 */
#ifndef PGADMIT_ERR_H
#define PGADMIT_ERR_H

#include <stdarg.h>

#if defined(__GNUC__) || defined(__clang__)
#define PGADMIT_MUST_CHECK __attribute__((warn_unused_result))
#else
#define PGADMIT_MUST_CHECK
#endif

#define ERR_MSG_MAX 512

/* What kind of failure; the order is not an API. */
enum err_kind {
	ERR_NONE = 0,    /* no error (err_clear) */
	ERR_INVALID,     /* bad input: argv, a file's content, a setting, an
			  * answer not understood; the default of err_set */
	ERR_NOMEM,       /* out of memory (err_nomem) */
	ERR_IO,          /* local system: files, sockets, key generation */
	ERR_UNAVAILABLE, /* a service is not there: not in a cluster, API
			  * unreachable or 5xx, a port in use */
	ERR_TIMEOUT,     /* a service did not answer in time */
	ERR_NOTFOUND,    /* the thing asked for does not exist */
	ERR_DENIED,      /* not allowed: 401/403, file permissions */
	ERR_CONFLICT,    /* exists already, or changed meanwhile (409) */
};

struct err {
	char msg[ERR_MSG_MAX];
	enum err_kind kind;
};

/* Set the message (printf-style) with kind ERR_INVALID. NULL e is allowed
 * and ignored. Returns -1 so that `return err_set(e, ...);` reads
 * naturally. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* err_set with an explicit kind. Returns -1. */
int err_setk(struct err *e, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "out of memory", ERR_NOMEM. Returns -1. */
int err_nomem(struct err *e);

/* Prepend context: "file.yaml: " + existing message; the kind is kept.
 * Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Change the kind only (e.g. a lower layer's INVALID is a NOTFOUND here).
 * Returns -1. */
int err_kind_set(struct err *e, enum err_kind kind);

/* The kind of a failed system call's errno: ENOENT/ENOTDIR NOTFOUND,
 * EACCES/EPERM/EROFS DENIED, EEXIST CONFLICT, ENOMEM NOMEM, else IO. Use
 * as err_setk(e, err_kind_errno(errno), "%s: %s", path, strerror(errno)). */
enum err_kind err_kind_errno(int errnum);

/* Empty message, ERR_NONE. */
void err_clear(struct err *e);

/* "invalid", "out of memory", ... (for logs and tests). */
const char *err_kind_name(enum err_kind kind);

#endif
