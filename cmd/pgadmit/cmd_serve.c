/* cmd_serve.c — placeholder until the serve subcommand lands. */
#include <stdio.h>

#include "cmd.h"

void usage_serve(FILE *out)
{
	fprintf(out, "usage: pgadmit serve (not built yet)\n");
}

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pgadmit serve: not implemented yet\n");
	return EXIT_USAGE;
}
