/*
 * check_int.h — private to src/check: the Helm source scanner and the
 * kustomize renderer used by the driver (check.c).
 */
#ifndef PGADMIT_CHECK_INT_H
#define PGADMIT_CHECK_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "pgadmit/err.h"

/*
 * Helm's `helm template` output marks each document with a comment
 * "# Source: chart/templates/x.yaml". source_scan wraps a stream (a
 * fopencookie FILE*) and notes, while the loader reads through it, the line
 * of every such comment and of every "---" (which ends a template's range).
 */
struct source_mark {
	int line;   /* 1-based line of the comment or separator */
	char *path; /* the template; NULL for a "---" */
};

struct source_scan {
	FILE *in; /* borrowed */
	int line;
	bool at_start, collecting, oom;
	size_t blen;
	char buf[512]; /* the current line, when it starts with '#' or '-' */
	struct source_mark *v;
	size_t n, cap;
	size_t nsource; /* marks with a path */
};

/* Returns a FILE* reading in through s (fclose() it before
 * source_scan_release), or NULL (errno set). */
FILE *source_scan_open(struct source_scan *s, FILE *in);
void source_scan_release(struct source_scan *s);
/* The template holding stream line `line` and the line within it (counted
 * from its comment), or NULL when the line is not under a Source comment.
 * Borrowed from s. */
const char *source_scan_lookup(const struct source_scan *s, int line,
			       int *rel_line);

/*
 * `kubectl kustomize DIR` with its standard output on a pipe: read out to
 * the end (or stop early), then kustomize_finish() reaps it. Standard error
 * goes to a temporary file whose first line ends up in the error message.
 */
struct kustomize_proc {
	FILE *out;
	FILE *errf;
	pid_t pid;
};

/* 0, or -1 with err ("kubectl not found on PATH ..."). */
int kustomize_start(const char *kubectl, const char *dir,
		    struct kustomize_proc *kp, struct err *err);
/* Closes out, waits. 0 when kubectl exited 0, else -1 with err. */
int kustomize_finish(struct kustomize_proc *kp, const char *kubectl,
		     struct err *err);

#endif
