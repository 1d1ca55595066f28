/* file.c — a small file read whole, sized by what it holds (file.h). */
#include "pgadmit/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first buffer: the file's size and one byte more (to see a file that
 * grew while read, or a NUL-terminator's room), or 4 KiB when the size
 * says nothing. */
static size_t first_cap(const struct stat *st, size_t max)
{
	if (S_ISREG(st->st_mode) && st->st_size > 0 &&
	    (unsigned long long)st->st_size <= max)
		return (size_t)st->st_size + 1;
	return max < 4096 ? max + 1 : 4096;
}

char *file_read(const char *path, size_t max, size_t *len, struct err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_setk(err, err_kind_errno(errno), "%s: %s", path,
			 strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err_setk(err, err_kind_errno(errno), "%s: %s", path,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
		err_setk(err, ERR_INVALID, "%s: larger than %zu bytes", path,
			 max);
		close(fd);
		return NULL;
	}
	size_t cap = first_cap(&st, max), n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (n == cap) { /* full: grow, up to one byte past the limit */
			if (cap > max)
				break;
			size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err_setk(err, err_kind_errno(errno), "%s: %s", path,
				 strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (!buf) {
		err_nomem(err);
		return NULL;
	}
	if (n > max) {
		err_setk(err, ERR_INVALID, "%s: larger than %zu bytes", path,
			 max);
		free(buf);
		return NULL;
	}
	if (n == cap) { /* exactly full: room for the terminator */
		char *nb = realloc(buf, n + 1);
		if (!nb) {
			free(buf);
			err_nomem(err);
			return NULL;
		}
		buf = nb;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
