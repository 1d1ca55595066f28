/* load_bench.c — the loader alone on a file: every document built as a
 * jansson tree with its line map, handed to a callback, freed. With --walk
 * the callback also visits every node and looks up its line, as the rules
 * do. Prints: seconds documents nodes peak_rss_kib. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "pgadmit/manifest.h"

struct stats {
	int is_walk;
	unsigned long docs, nodes, lines;
};

static void walk(const struct manifest_doc *d, const json_t *v, struct stats *s)
{
	s->nodes++;
	if (manifest_line(d, v) > 0)
		s->lines++;
	const char *k;
	json_t *e;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e)
			walk(d, e, s);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			walk(d, e, s);
	}
}

static int on_doc(const struct manifest_doc *d, void *arg)
{
	struct stats *s = arg;
	s->docs++;
	if (s->is_walk && d->root)
		walk(d, d->root, s); /* depth is capped by the loader */
	return 0;
}

int main(int argc, char **argv)
{
	struct stats s = {0, 0, 0, 0};
	if (argc == 3 && strcmp(argv[1], "--walk") == 0) {
		s.is_walk = 1;
		argv++;
	} else if (argc != 2) {
		fprintf(stderr, "usage: load_bench [--walk] FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	struct timespec t0, t1;
	struct err err;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = manifest_load_file(f, argv[1], NULL, on_doc, &s, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%.3f %lu %lu %ld\n",
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       s.docs, s.nodes, ru.ru_maxrss);
	return 0;
}
