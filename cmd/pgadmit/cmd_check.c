/* cmd_check.c — `pgadmit check`: argv → check_run → report → exit code. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "pgadmit/check.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"

#define MAX_INPUTS 1024

void usage_check(FILE *out)
{
	fprintf(out,
		"usage: pgadmit check [-f PATH]... [PATH]... [--format "
		"text|json|sarif]\n"
		"                     [--policy FILE] [--fail-on "
		"deny|warn|never] [--no-color]\n"
		"                     [--stdin-name NAME] [--source-root DIR]\n"
		"\n"
		"Checks Kubernetes YAML/JSON and Docker Compose files against "
		"the manifest\nrules (PGA101-PGA104). PATH is a file, a "
		"directory (recursed for *.yaml,\n*.yml, *.json; one with a "
		"kustomization.yaml is rendered with\n`kubectl kustomize`) or - "
		"for standard input; several PATHs form one bundle.\nWith no "
		"PATH, standard input is read (not from a terminal). Pipe a "
		"Helm\nchart in: helm template NAME CHART | pgadmit check -f "
		"-\n"
		"\n"
		"  -f, --file PATH      input (repeatable; a bare PATH is the "
		"same)\n"
		"      --format FMT     text (default), json or sarif\n"
		"      --policy FILE    policy file (default: $PGADMIT_POLICY "
		"or built-in)\n"
		"      --fail-on LEVEL  exit 1 on findings at or above LEVEL "
		"(default deny)\n"
		"      --no-color       never colour the text report\n"
		"      --stdin-name NAME\n"
		"                       the file name of standard input in "
		"reports\n"
		"      --source-root DIR\n"
		"                       prefix for the templates named by "
		"Helm's `# Source:`\n"
		"                       comments (the chart's parent directory)\n"
		"\n"
		"exit status: 0 no finding at or above --fail-on, 1 findings, "
		"2 usage error,\ninvalid input, or an input without any "
		"Kubernetes or Compose object\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	return cmd_usage_error("check", usage_check, fmt, arg);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"stdin-name", required_argument, NULL, 'S'},
		{"source-root", required_argument, NULL, 'R'},
		CMD_OPTS_LONG,
		{NULL, 0, NULL, 0},
	};
	const char *inputs[MAX_INPUTS];
	size_t ninputs = 0;
	struct cmd_opts o;
	struct check_options copt = {0};
	cmd_opts_init(&o, "check", usage_check, report_format_parse,
		      "text, json or sarif", REPORT_TEXT);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		int rc = cmd_opts_take(&o, c, argv, optarg);
		if (rc == CMD_OPT_TAKEN)
			continue;
		if (rc != CMD_OPT_NOT_MINE)
			return rc;
		switch (c) {
		case 'f':
			if (ninputs == MAX_INPUTS)
				return usage_error("too many -f (max %s)",
						   "1024");
			inputs[ninputs++] = optarg;
			break;
		case 'S':
			if (!*optarg)
				return usage_error("--stdin-name: %s",
						   "expected a file name");
			copt.stdin_name = optarg;
			break;
		case 'R': copt.source_root = optarg; break;
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	/* Positional paths are inputs, as with -f. */
	for (; optind < argc; optind++) {
		if (ninputs == MAX_INPUTS)
			return usage_error("too many inputs (max %s)", "1024");
		inputs[ninputs++] = argv[optind];
	}
	if (ninputs == 0) {
		/* Nothing named and a person at the keyboard: waiting for
		 * manifests on the terminal looks like a hang. */
		if (isatty(STDIN_FILENO))
			return usage_error("%s", "no input: give -f PATH or a "
						 "PATH, or pipe manifests in");
		inputs[ninputs++] = "-";
	}
	cmd_opts_color(&o);

	struct err err;
	err_clear(&err);
	struct policy *p = policy_new(o.policy_path, &err);
	if (!p) {
		fprintf(stderr, "pgadmit check: policy: %s\n", err.msg);
		return EXIT_USAGE;
	}
	struct check_result r;
	int rc = check_run(inputs, ninputs, p, NULL, &copt, stderr, &r);
	if (rc != 0) {
		fprintf(stderr, "pgadmit check: out of memory\n");
		check_result_free(&r);
		policy_free(p);
		return EXIT_USAGE;
	}
	size_t counts[ACTION_DENY + 1] = {0};
	for (size_t i = 0; i < r.findings.n; i++)
		counts[r.findings.v[i].action]++;
	int status = cmd_verdict(counts, o.fail_on);
	struct report_errors errs = {r.errors, r.nerrors};
	if (report_write_run(stdout, o.format, &r.findings, &r.summary, &errs,
			     o.color)) {
		fprintf(stderr, "pgadmit check: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (r.input_errors) {
		fprintf(stderr, "pgadmit check: %zu input%s could not be checked\n",
			r.input_errors, r.input_errors == 1 ? "" : "s");
		status = EXIT_USAGE;
	}
	check_result_free(&r);
	policy_free(p);
	return status;
}
