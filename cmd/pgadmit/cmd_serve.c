/* cmd_serve.c — pgadmit serve: settings from the table in
 * serve_settings.c (flag > environment > default), then
 * srv_run() (src/server), its outcome mapped to an exit code. */
#include <stdio.h>

#include "cmd.h"
#include "pgadmit/server.h"

void usage_serve(FILE *out)
{
	fprintf(out,
		"usage: pgadmit serve [--listen ADDR:PORT] [--tls-cert FILE] "
		"[--tls-key FILE]\n"
		"                     [--policy FILE] [--metrics-listen "
		"ADDR:PORT]\n"
		"                     [--max-body-bytes N] [--idle-timeout "
		"SECONDS]\n"
		"                     [--max-connections N] [--threads N]\n"
		"                     [--body-budget BYTES]\n"
		"\n"
		"Run the TLS admission webhook: POST /validate, POST "
		"/mutate,\nGET /healthz, /readyz, /metrics.\n\n");
	settings_usage(out, serve_settings_table, serve_settings_count);
}

int cmd_serve(int argc, char **argv)
{
	struct serve_settings s = {0};
	struct err err;
	int rc = cmd_settings("serve", usage_serve, serve_settings_table,
			      serve_settings_count, argc, argv, &s, NULL);
	if (rc != CMD_GO_ON)
		return rc;
	if (s.log_level >= 0)
		srv_log_set_level((enum srv_log_level)s.log_level);
	err_clear(&err);
	switch (srv_run(&s.srv, &err)) {
	case SRV_STOPPED: return 0;
	case SRV_START_FAILED:
		fprintf(stderr, "pgadmit serve: %s\n", err.msg);
		return EXIT_USAGE;
	case SRV_RUNTIME_FAILED: break;
	}
	fprintf(stderr, "pgadmit serve: %s\n", err.msg);
	return EXIT_FAILURE_RUNTIME;
}
