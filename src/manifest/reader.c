/*
 * reader.c — checked input for libyaml (reader.h).
 *
 * Bytes are read into a 64 KB stage, checked one character at a time, and
 * only whole checked characters are handed to libyaml. A character split by
 * the end of the stage waits for the next read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define ONES UINT64_C(0x0101010101010101)

static int init(struct mreader *r)
{
	r->stage = malloc(MREADER_STAGE);
	return r->stage ? 0 : -1;
}

int mreader_init_file(struct mreader *r, FILE *fp)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	return init(r);
}

int mreader_init_buffer(struct mreader *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->src = (const unsigned char *)buf;
	r->src_len = len;
	return init(r);
}

void mreader_free(struct mreader *r)
{
	free(r->stage);
	r->stage = NULL;
}

static void set_bad(struct mreader *r, const char *what, uint32_t value,
		    int is_byte)
{
	r->is_bad = 1;
	r->bad_line = r->line;
	r->bad_column = r->column;
	r->bad_index = r->index;
	if (!what)
		snprintf(r->bad_what, sizeof(r->bad_what),
			 is_byte ? "invalid UTF-8 byte 0x%02X"
				 : "control character U+%04X is not allowed",
			 (unsigned)value);
	else
		snprintf(r->bad_what, sizeof(r->bad_what), "%s", what);
}

/* The characters libyaml accepts (its reader's check, YAML 1.1 c-printable). */
static int is_printable(uint32_t c)
{
	return c == 0x09 || c == 0x0A || c == 0x0D ||
	       (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
	       (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	       (c >= 0x10000 && c <= 0x10FFFF);
}

/* Advance the position over one character, counting breaks as libyaml
 * does (\r\n is one break; \r, \n, NEL, LS and PS are breaks). */
static void advance(struct mreader *r, uint32_t c)
{
	r->index++;
	if (c == '\n' && r->after_cr) {
		r->after_cr = 0;
		return;
	}
	r->after_cr = c == '\r';
	if (c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029) {
		r->line++;
		r->column = 0;
	} else {
		r->column++;
	}
}

/* Check stage[ok..end). Stops at the end, at a character cut by the end of
 * the stage (unless at EOF), or at the first bad character (then end = ok:
 * the input ends there). */
static void check(struct mreader *r)
{
	const unsigned char *s = r->stage;
	size_t i = r->ok, end = r->end;
	while (i < end) {
		/* ASCII fast path: printable bytes and \n (not after \r), with
		 * the position in locals (the stage may alias *r). */
		size_t line = r->line, start = i, line_start = 0;
		int has_break = 0;
		if (!(r->after_cr && s[i] == '\n')) { /* \r\n: the slow path */
			while (i < end) {
				/* 8 bytes at a time while all are printable
				 * ASCII (no byte < 0x20, none >= 0x7F). */
				while (end - i >= 8) {
					uint64_t x;
					memcpy(&x, s + i, 8);
					if ((((x - ONES * 0x20) & ~x) |
					     (x | (x + ONES))) &
					    ONES * 0x80)
						break;
					i += 8;
				}
				if (i == end)
					break;
				unsigned char b = s[i];
				if ((unsigned)(b - 0x20) < 0x5Fu) {
					i++;
				} else if (b == '\n') {
					line++;
					line_start = ++i;
					has_break = 1;
				} else {
					break;
				}
			}
		}
		if (i > start) {
			r->index += i - start;
			r->line = line;
			r->column = has_break ? i - line_start
					      : r->column + (i - start);
			r->after_cr = 0;
		}
		if (i == end)
			break;
		unsigned char b = s[i];
		uint32_t c;
		size_t n;
		if (b < 0x80) {
			c = b, n = 1;
		} else if ((b & 0xE0) == 0xC0) {
			c = b & 0x1F, n = 2;
		} else if ((b & 0xF0) == 0xE0) {
			c = b & 0x0F, n = 3;
		} else if ((b & 0xF8) == 0xF0) {
			c = b & 0x07, n = 4;
		} else {
			set_bad(r, NULL, b, 1);
			break;
		}
		if (i + n > end && !r->is_eof)
			break; /* wait for the rest */
		size_t k;
		for (k = 1; k < n && i + k < end; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				break;
			c = c << 6 | (s[i + k] & 0x3F);
		}
		if (k < n) {
			if (i + k == end)
				set_bad(r,
					"incomplete UTF-8 sequence at the end",
					0, 0);
			else
				set_bad(r, NULL, s[i + k], 1);
			break;
		}
		static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (c < min[n]) {
			set_bad(r, "overlong UTF-8 sequence", 0, 0);
			break;
		}
		if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
			set_bad(r, "invalid Unicode code point in UTF-8", 0, 0);
			break;
		}
		if (!is_printable(c)) {
			set_bad(r, c == 0 ? "NUL byte is not allowed" : NULL, c,
				0);
			break;
		}
		advance(r, c);
		i += n;
	}
	r->ok = i;
	if (r->is_bad)
		r->end = i;
}

/* Refill the stage; sets is_eof when the source is exhausted. */
static int fill(struct mreader *r)
{
	if (r->pos > 0) {
		memmove(r->stage, r->stage + r->pos, r->end - r->pos);
		r->ok -= r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	size_t room = MREADER_STAGE - r->end, got;
	if (r->fp) {
		got = fread(r->stage + r->end, 1, room, r->fp);
		if (got == 0 && ferror(r->fp)) {
			snprintf(r->bad_what, sizeof(r->bad_what),
				 "read error: %s", strerror(errno));
			r->is_bad = 1;
			r->bad_line = r->line;
			r->bad_column = r->column;
			r->bad_index = r->index;
			return -1;
		}
	} else {
		got = r->src_len - r->src_pos;
		if (got > room)
			got = room;
		memcpy(r->stage + r->end, r->src + r->src_pos, got);
		r->src_pos += got;
	}
	if (got == 0)
		r->is_eof = 1;
	r->end += got;
	return 0;
}

int mreader_read(void *data, unsigned char *buffer, size_t size,
		 size_t *size_read)
{
	struct mreader *r = data;
	*size_read = 0;
	while (r->ok == r->pos) {
		if (r->is_bad || (r->is_eof && r->ok == r->end))
			return 1; /* end of input */
		if (!r->is_eof && fill(r))
			return 1; /* read error: the input ends here */
		if (!r->is_started && r->end >= 2) {
			r->is_started = 1;
			const unsigned char *s = r->stage;
			if ((s[0] == 0xFE && s[1] == 0xFF) ||
			    (s[0] == 0xFF && s[1] == 0xFE))
				r->is_passthrough = 1; /* UTF-16 */
			else if (r->end >= 3 && s[0] == 0xEF && s[1] == 0xBB &&
				 s[2] == 0xBF)
				r->ok = 3; /* BOM: not a character for marks */
		}
		if (r->is_passthrough)
			r->ok = r->end;
		else
			check(r);
	}
	size_t n = r->ok - r->pos;
	if (n > size)
		n = size;
	memcpy(buffer, r->stage + r->pos, n);
	r->pos += n;
	*size_read = n;
	return 1;
}
