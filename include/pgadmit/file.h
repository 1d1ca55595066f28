/*
 * file.h — reading a small file whole (a policy, a kubeconfig), with a
 * size limit. A regular file is read into a buffer of its own size (fstat),
 * not one of the limit's: a 2 KiB policy costs 2 KiB, not the 1 MiB cap.
 * Pipes, /proc and /dev/fd files (st_size 0 or wrong) are read growing.
 */
#ifndef PGADMIT_FILE_H
#define PGADMIT_FILE_H

#include <stddef.h>

#include "pgadmit/err.h"

/* The file's bytes, NUL-terminated (the NUL not counted in *len), or NULL
 * with err set: "<path>: <strerror>" (kind from errno), "<path>: larger
 * than <max> bytes" (invalid) or out of memory. Free with free(). */
PGADMIT_MUST_CHECK char *file_read(const char *path, size_t max, size_t *len,
				   struct err *err);

#endif
