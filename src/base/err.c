/* err.c — see err.h. */
#include <stdio.h>
#include <string.h>

#include "pgadmit/err.h"

int err_set(struct err *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
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

void err_clear(struct err *e)
{
	if (e)
		e->msg[0] = '\0';
}
