/* main.c — subcommand dispatch and the shared usage error. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"check", cmd_check, usage_check,
	 "check manifest files (CI, dry runs)"},
	{"serve", cmd_serve, usage_serve, "run the TLS admission webhook"},
	{"probe", cmd_probe, usage_probe, "check live PostgreSQL databases"},
	{"audit", cmd_audit, usage_audit,
	 "judge what is already in the cluster"},
	{"certgen", cmd_certgen, usage_certgen,
	 "generate webhook CA and serving certificates"},
	{"rules", cmd_rules, usage_rules,
	 "list every rule (id, slug, scope, default)"},
	{"explain", cmd_explain, usage_explain,
	 "explain one rule: what fires, the fix, the opt-out"},
};
#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: pgadmit <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < NSUB; i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"  help     show help for a command: pgadmit help COMMAND\n"
		"\n  --version  print the version\n");
}

int cmd_usage_error(const char *name, void (*usage_of)(FILE *out),
		    const char *fmt, const char *arg)
{
	fprintf(stderr, "pgadmit %s: ", name);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage_of(stderr);
	return EXIT_USAGE;
}

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < NSUB; i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "pgadmit: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("pgadmit %s\n", PGADMIT_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		if (argc >= 3) {
			const struct subcommand *s = find(argv[2]);
			if (!s) {
				fprintf(stderr,
					"pgadmit: unknown command '%s'\n",
					argv[2]);
				usage(stderr);
				return EXIT_USAGE;
			}
			s->usage(stdout);
			return 0;
		}
		usage(stdout);
		return 0;
	}
	const struct subcommand *s = find(cmd);
	if (!s) {
		fprintf(stderr, "pgadmit: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	return s->run(argc - 1, argv + 1);
}
