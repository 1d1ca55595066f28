/* cmd_check.c — `pgadmit check`: settings (check_settings.c) → check_run →
 * report → exit code. */
#include <unistd.h>

#include "cmd.h"
#include "pgadmit/check.h"
#include "pgadmit/policy.h"
#include "pgadmit/report.h"

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
		"-\n\n");
	settings_usage(out, check_settings_table, check_settings_count);
	fprintf(out,
		"\n"
		"exit status: 0 no finding at or above --fail-on, 1 findings, "
		"2 usage error,\ninvalid input, or an input without any "
		"Kubernetes or Compose object\n");
}

int cmd_check(int argc, char **argv)
{
	const char *inputs[CMD_MAX_INPUTS];
	struct check_settings s = {.files = {inputs, 0, CMD_MAX_INPUTS}};
	int argi;
	int rc = cmd_settings("check", usage_check, check_settings_table,
			      check_settings_count, argc, argv, &s, &argi);
	if (rc != CMD_GO_ON)
		return rc;
	/* Positional paths are inputs, as with -f. */
	for (; argi < argc; argi++) {
		if (s.files.n == s.files.max)
			return cmd_usage_error("check", usage_check,
					       "too many inputs (max %s)",
					       "1024");
		inputs[s.files.n++] = argv[argi];
	}
	if (s.files.n == 0) {
		/* Nothing named and a person at the keyboard: waiting for
		 * manifests on the terminal looks like a hang. */
		if (isatty(STDIN_FILENO))
			return cmd_usage_error("check", usage_check, "%s",
					       "no input: give -f PATH or a "
					       "PATH, or pipe manifests in");
		inputs[s.files.n++] = "-";
	}
	bool color = cmd_color(&s.co, REPORT_TEXT);

	struct err err;
	err_clear(&err);
	struct policy *p = policy_new(s.co.policy_path, &err);
	if (!p) {
		fprintf(stderr, "pgadmit check: policy: %s\n", err.msg);
		return EXIT_USAGE;
	}
	struct check_options copt = {.stdin_name = s.stdin_name,
				     .source_root = s.source_root};
	struct check_result r;
	if (check_run(inputs, s.files.n, p, NULL, &copt, stderr, &r)) {
		fprintf(stderr, "pgadmit check: out of memory\n");
		check_result_free(&r);
		policy_free(p);
		return EXIT_USAGE;
	}
	size_t counts[ACTION_DENY + 1] = {0};
	for (size_t i = 0; i < r.findings.n; i++)
		counts[r.findings.v[i].action]++;
	int status = cmd_verdict(counts, s.co.fail_on);
	struct report_errors errs = {r.errors, r.nerrors};
	if (report_write_run(stdout, s.co.format, &r.findings, &r.summary,
			     &errs, color)) {
		fprintf(stderr, "pgadmit check: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (r.input_errors) {
		fprintf(stderr,
			"pgadmit check: %zu input%s could not be checked\n",
			r.input_errors, r.input_errors == 1 ? "" : "s");
		status = EXIT_USAGE;
	}
	check_result_free(&r);
	policy_free(p);
	return status;
}
