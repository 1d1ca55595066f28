/*
 * strbuf.h — a growable byte buffer for building output.
 *
 * On allocation failure the buffer remembers it (oom) and later appends are
 * no-ops, so callers check once at the end with sb_ok(). The buffer is always
 * NUL-terminated when len > 0.
 */
#ifndef PGADMIT_STRBUF_H
#define PGADMIT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/err.h"

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};

#define STRBUF_INIT                                                            \
	{                                                                      \
		NULL, 0, 0, false                                              \
	}

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb); /* len = 0, keeps memory */
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s as the inside of a JSON string (no quotes added). */
void sb_json_escape(struct strbuf *sb, const char *s);
static inline bool sb_ok(const struct strbuf *sb)
{
	return !sb->oom;
}
/* "" when empty; never NULL. Borrowed. */
const char *sb_str(const struct strbuf *sb);
/* Give the buffer to the caller (caller frees with free()); sb is reset.
 * Returns NULL when the buffer hit oom. */
PGADMIT_MUST_CHECK
char *sb_detach(struct strbuf *sb);

#endif
