/* err.c — see err.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pgadmit/err.h"

static void set_v(struct err *e, enum err_kind kind, const char *fmt,
		  va_list ap)
{
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->kind = kind;
}

int err_set(struct err *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	set_v(e, ERR_INVALID, fmt, ap);
	va_end(ap);
	return -1;
}

int err_setk(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	set_v(e, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int err_nomem(struct err *e)
{
	return err_setk(e, ERR_NOMEM, "out of memory");
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	size_t hl = strnlen(head, sizeof(e->msg) - 1);
	memcpy(e->msg, head, hl);
	size_t ol = strnlen(old, sizeof(e->msg) - 1 - hl);
	memcpy(e->msg + hl, old, ol);
	e->msg[hl + ol] = '\0';
	return -1;
}

int err_kind_set(struct err *e, enum err_kind kind)
{
	if (e)
		e->kind = kind;
	return -1;
}

enum err_kind err_kind_errno(int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR: return ERR_NOTFOUND;
	case EACCES:
	case EPERM:
	case EROFS: return ERR_DENIED;
	case EEXIST: return ERR_CONFLICT;
	case ENOMEM: return ERR_NOMEM;
	default: return ERR_IO;
	}
}

void err_clear(struct err *e)
{
	if (e) {
		e->msg[0] = '\0';
		e->kind = ERR_NONE;
	}
}

const char *err_kind_name(enum err_kind kind)
{
	switch (kind) {
	case ERR_NONE: return "none";
	case ERR_INVALID: return "invalid";
	case ERR_NOMEM: return "out of memory";
	case ERR_IO: return "i/o";
	case ERR_UNAVAILABLE: return "unavailable";
	case ERR_TIMEOUT: return "timeout";
	case ERR_NOTFOUND: return "not found";
	case ERR_DENIED: return "denied";
	case ERR_CONFLICT: return "conflict";
	}
	return "unknown";
}
