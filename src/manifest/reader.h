/*
 * reader.h — private to src/manifest: the loader's libyaml read handler.
 *
 * Feeds libyaml from a FILE* or a buffer and checks the bytes on the way in
 * (UTF-8 well-formed, no control characters: the same test as libyaml's own
 * reader), counting lines and columns as it goes. libyaml decodes up to 16 KB
 * ahead of its parser and reports a bad byte only as an offset, before the
 * documents in front of it were delivered; instead the reader ends the input
 * just before the first bad byte and remembers where it was, so the loader
 * delivers every complete document before it and then names the document,
 * line and column of the bad byte. UTF-16 input (BOM) is passed through
 * unchecked: libyaml checks it and its errors carry a byte offset only.
 */
#ifndef PGADMIT_MANIFEST_READER_H
#define PGADMIT_MANIFEST_READER_H

#include <stddef.h>
#include <stdio.h>

#define MREADER_STAGE (64u << 10)

struct mreader {
	FILE *fp;                 /* source: a file ... */
	const unsigned char *src; /* ... or a buffer */
	size_t src_len, src_pos;
	unsigned char *stage; /* MREADER_STAGE bytes */
	size_t pos, ok, end;  /* handed out | checked | read */
	int is_eof, is_passthrough, is_started;
	/* position of stage[ok] */
	size_t line, column, index; /* 0-based; index counts characters */
	int after_cr;
	/* the first bad byte (is_bad): the input ends just before it */
	int is_bad;
	size_t bad_line, bad_column, bad_index;
	char bad_what[80];
};

/* 0, or -1 when out of memory. */
int mreader_init_file(struct mreader *r, FILE *fp);
int mreader_init_buffer(struct mreader *r, const char *buf, size_t len);
void mreader_free(struct mreader *r);
/* yaml_read_handler_t; data is the struct mreader. */
int mreader_read(void *data, unsigned char *buffer, size_t size,
		 size_t *size_read);

#endif
