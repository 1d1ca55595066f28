/* cmd_certgen.c — placeholder until the certgen subcommand lands. */
#include <stdio.h>

#include "cmd.h"

void usage_certgen(FILE *out)
{
	fprintf(out, "usage: pgadmit certgen (not built yet)\n");
}

int cmd_certgen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pgadmit certgen: not implemented yet\n");
	return EXIT_USAGE;
}
