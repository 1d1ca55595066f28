/* cmd_probe.c — placeholder until the probe subcommand lands. */
#include <stdio.h>

#include "cmd.h"

void usage_probe(FILE *out)
{
	fprintf(out, "usage: pgadmit probe (not built yet)\n");
}

int cmd_probe(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pgadmit probe: not implemented yet\n");
	return EXIT_USAGE;
}
