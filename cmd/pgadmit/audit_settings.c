/*
 * audit_settings.c — the settings of `pgadmit audit`, one row each (engine:
 * src/config/settings.c): parsing, --help and `pgadmit audit --help-table`
 * (docs/audit.md, checked by test_settings_docs.sh).
 */
#include <stddef.h>

#include "cmd_settings.h"

#define F(field) offsetof(struct audit_settings, field)

const struct setting audit_settings_table[] = {
	{.flag = "namespace",
	 .shortopt = 'n',
	 .metavar = "NS",
	 .type = SET_LIST,
	 .label = "--namespace",
	 .off = F(namespaces),
	 .help = "only this namespace (repeatable)",
	 .doc_default = "every namespace"},
	CMD_COMMON_ROWS(struct audit_settings, cmd_parse_report_format, "FMT",
			"text (default), json or sarif"),
	{.flag = "policy-reports",
	 .type = SET_BOOL,
	 .label = "--policy-reports",
	 .off = F(policy_reports),
	 .help = "write a wgpolicyk8s.io/v1alpha2 PolicyReport\n\"pgadmit\" "
		 "per namespace (replaced in place;\ncleared when fixed)",
	 .doc_default = "off"},
	/* KUBECONFIG is read by src/kube (kube_client_load). */
	{.flag = "kubeconfig",
	 .metavar = "FILE",
	 .env = "KUBECONFIG",
	 .type = SET_STR,
	 .flags = SETF_ENV_ELSEWHERE,
	 .label = "--kubeconfig",
	 .off = F(kubeconfig),
	 .help = "(default: in-cluster service account,\nelse $KUBECONFIG, "
		 "else ~/.kube/config)",
	 .doc_default = "in-cluster, else `KUBECONFIG`, else "
			"`~/.kube/config`"},
	{.flag = "exclude-namespace",
	 .metavar = "NS",
	 .type = SET_LIST,
	 .label = "--exclude-namespace",
	 .off = F(exclude),
	 .help = "skip NS too (repeatable; the chart passes\nits own "
		 "namespace)",
	 .doc_default = "none (besides the policy's)"},
	{.flag = "timeout-ms",
	 .metavar = "N",
	 .type = SET_UINT,
	 .label = "--timeout-ms",
	 .lo = 100,
	 .hi = 600000,
	 .off = F(timeout_ms),
	 .help = "per API request (default 30000)",
	 .doc_default = "30000"},
	{.flag = "stats",
	 .type = SET_BOOL,
	 .label = "--stats",
	 .off = F(stats),
	 .help = "one line on stderr: namespaces, objects,\nAPI requests, "
		 "wall time, peak RSS",
	 .doc_default = "off"},
};

const size_t audit_settings_count =
	sizeof(audit_settings_table) / sizeof(audit_settings_table[0]);
