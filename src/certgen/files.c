/*
 * files.c — write the certgen PEMs into a directory (certgen.h).
 *
 * Every file is created with its final mode in open(2) itself (umask can
 * only remove bits), never chmod-ed afterwards, so tls.key is 0600 from the
 * first byte. Without --force O_EXCL refuses an existing file (and a
 * symlink planted in its place); with --force a temporary file in the same
 * directory is renamed over the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgadmit/certgen.h"

struct out_file {
	const char *name;
	mode_t mode;
	const char *text;
};

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Create path with mode (O_EXCL) and write text; removes it on failure. */
static int create_excl(const char *path, mode_t mode, const char *text,
		       struct err *err)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      mode);
	if (fd < 0)
		return err_setk(err, err_kind_errno(errno), "%s: %s", path,
				strerror(errno));
	if (write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0) {
		err_setk(err, err_kind_errno(errno), "%s: %s", path,
			 strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0) {
		err_setk(err, err_kind_errno(errno), "%s: %s", path,
			 strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int certgen_write_files(const char *dir, const struct certgen_pems *p,
			bool force, struct err *err)
{
	const struct out_file files[] = {
		{"ca.crt", 0644, p->ca_crt},
		{"tls.crt", 0644, p->tls_crt},
		{"tls.key", 0600, p->tls_key},
	};
	const size_t nfiles = sizeof(files) / sizeof(files[0]);
	char path[4096], tmp[4096];
	struct stat st;
	size_t done = 0;
	int rc = -1;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return err_setk(err, err_kind_errno(errno), "%s: %s", dir,
				strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(err, "%s: not a directory", dir);

	/* Refuse before writing anything, so no half-new set is left. */
	if (!force) {
		for (size_t i = 0; i < nfiles; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 files[i].name);
			if (lstat(path, &st) == 0)
				return err_set(err,
					       "%s exists; not overwriting "
					       "(use --force to replace)",
					       path);
		}
	}
	for (done = 0; done < nfiles; done++) {
		const struct out_file *f = &files[done];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     f->name) >= sizeof(path)) {
			err_set(err, "%s: path too long", dir);
			goto out;
		}
		if (!force) {
			if (create_excl(path, f->mode, f->text, err))
				goto out;
			continue;
		}
		snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.tmp", dir, f->name,
			 (long)getpid());
		unlink(tmp);
		if (create_excl(tmp, f->mode, f->text, err))
			goto out;
		if (rename(tmp, path) != 0) {
			err_setk(err, err_kind_errno(errno), "%s: %s", path,
				 strerror(errno));
			unlink(tmp);
			goto out;
		}
	}
	rc = 0;
out:
	/* A fresh set that failed half way is removed, not left half new. */
	if (rc != 0 && !force) {
		for (size_t i = 0; i < done; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 files[i].name);
			unlink(path);
		}
	}
	return rc;
}
