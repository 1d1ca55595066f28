/*
 * metrics.c — Prometheus text exposition (server.h). Counters are relaxed
 * atomics updated on the request path; rendering reads them without locks.
 */
#include <stdatomic.h>
#include <string.h>

#include "budget.h"
#include "pgadmit/kube.h"
#include "pgadmit/policy.h"
#include "server_int.h"
#include "pgadmit/strbuf.h"

typedef _Atomic unsigned long long counter;

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static counter requests[ADMISSION_ENDPOINT_COUNT][ADM_DECISION_COUNT];
static counter findings[R_COUNT][5];
static counter hist[ADMISSION_ENDPOINT_COUNT][NBUCKETS + 1];
static counter hist_sum_ns[ADMISSION_ENDPOINT_COUNT];
static counter policy_reloads, policy_reload_failures;
static counter cert_reloads, cert_reload_failures;
static _Atomic long long cert_not_after; /* pushed by server.c */
static counter skipped[ADM_SKIP_COUNT];

static void inc(counter *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static unsigned long long get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void srv_metrics_request(enum admission_endpoint ep,
			 const struct admission_result *r, double seconds)
{
	if ((unsigned)ep >= ADMISSION_ENDPOINT_COUNT)
		return;
	inc(&requests[ep][r->decision]);
	if (r->decision == ADM_SKIP && (unsigned)r->skip < ADM_SKIP_COUNT)
		inc(&skipped[r->skip]);
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct rule_meta *m =
			rule_meta_by_code(r->findings.v[i].rule);
		unsigned a = (unsigned)r->findings.v[i].action;
		if (m && a < 5)
			inc(&findings[m->id][a]);
	}
	size_t b = 0;
	while (b < NBUCKETS && seconds > buckets[b])
		b++;
	inc(&hist[ep][b]);
	atomic_fetch_add_explicit(&hist_sum_ns[ep],
				  (unsigned long long)(seconds * 1e9),
				  memory_order_relaxed);
}

void srv_metrics_policy_reload(bool ok)
{
	inc(ok ? &policy_reloads : &policy_reload_failures);
}

void srv_metrics_cert_loaded(long long not_after)
{
	atomic_store_explicit(&cert_not_after, not_after, memory_order_relaxed);
}

void srv_metrics_cert_reload(bool ok, long long not_after)
{
	inc(ok ? &cert_reloads : &cert_reload_failures);
	srv_metrics_cert_loaded(not_after);
}

/* The namespace evidence cache (PGA103 ScheduledBackups, PGA105
 * ConfigMaps, PGA106 monitoring): hits, misses, errors per evidence. */
static void srv_metrics_ns_cache(struct strbuf *sb, struct kube_cache *kc)
{
	static const char *const what[] = {"hits", "misses", "errors"};
	static const char *const help[] = {
		"Namespace evidence lookups answered from the cache.",
		"Namespace evidence lookups that asked the Kubernetes API.",
		"Namespace evidence requests to the Kubernetes API that failed."};
	struct kube_ns_stats st;
	kube_ns_cache_stats(kc, &st);
	const unsigned long long *v[] = {st.hits, st.misses, st.errors};
	for (int m = 0; m < 3; m++) {
		sb_printf(sb,
			  "# HELP pgadmit_kube_ns_cache_%s_total %s\n"
			  "# TYPE pgadmit_kube_ns_cache_%s_total counter\n",
			  what[m], help[m], what[m]);
		for (int e = 0; e < KUBE_NS_EVIDENCE_N; e++)
			sb_printf(sb,
				  "pgadmit_kube_ns_cache_%s_total"
				  "{evidence=\"%s\"} %llu\n",
				  what[m],
				  kube_ns_evidence_name(
					  (enum kube_ns_evidence)e),
				  v[m][e]);
	}
}

void srv_metrics_render(struct strbuf *sb, struct kube_cache *kc)
{
	sb_puts(sb, "# HELP pgadmit_admission_requests_total AdmissionReviews "
		    "answered, by endpoint and decision.\n"
		    "# TYPE pgadmit_admission_requests_total counter\n");
	for (int e = 0; e < ADMISSION_ENDPOINT_COUNT; e++)
		for (int d = 0; d < ADM_DECISION_COUNT; d++)
			sb_printf(sb,
				  "pgadmit_admission_requests_total{endpoint=\"%s\","
				  "decision=\"%s\"} %llu\n",
				  admission_endpoint_name(e),
				  admission_decision_name(d),
				  get(&requests[e][d]));
	sb_puts(sb, "# HELP pgadmit_admission_skipped_total AdmissionReviews "
		    "allowed without judging, by the gate that held.\n"
		    "# TYPE pgadmit_admission_skipped_total counter\n");
	for (int g = ADM_SKIP_NONE + 1; g < ADM_SKIP_COUNT; g++)
		sb_printf(
			sb,
			"pgadmit_admission_skipped_total{reason=\"%s\"} %llu\n",
			admission_skip_name(g), get(&skipped[g]));
	sb_puts(sb, "# HELP pgadmit_findings_total Findings reported by the "
		    "webhook, by rule and action.\n"
		    "# TYPE pgadmit_findings_total counter\n");
	for (int r = 0; r < R_COUNT; r++) {
		if (r > R_PGA106)
			break; /* manifest rules only */
		for (int a = ACTION_INFO; a <= ACTION_DENY; a++)
			sb_printf(sb,
				  "pgadmit_findings_total{rule=\"%s\",action=\"%s\"} "
				  "%llu\n",
				  rule_catalog[r].code, action_name(a),
				  get(&findings[r][a]));
	}
	sb_puts(sb, "# HELP pgadmit_admission_duration_seconds Time to answer "
		    "an AdmissionReview.\n"
		    "# TYPE pgadmit_admission_duration_seconds histogram\n");
	for (int e = 0; e < ADMISSION_ENDPOINT_COUNT; e++) {
		unsigned long long cum = 0;
		const char *en = admission_endpoint_name(e);
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += get(&hist[e][b]);
			sb_printf(sb,
				  "pgadmit_admission_duration_seconds_bucket{"
				  "endpoint=\"%s\",le=\"%g\"} %llu\n",
				  en, buckets[b], cum);
		}
		cum += get(&hist[e][NBUCKETS]);
		sb_printf(sb,
			  "pgadmit_admission_duration_seconds_bucket{endpoint="
			  "\"%s\",le=\"+Inf\"} %llu\n"
			  "pgadmit_admission_duration_seconds_sum{endpoint=\"%s\"} "
			  "%.9f\n"
			  "pgadmit_admission_duration_seconds_count{endpoint="
			  "\"%s\"} %llu\n",
			  en, cum, en, (double)get(&hist_sum_ns[e]) / 1e9, en,
			  cum);
	}
	sb_printf(sb,
		  "# HELP pgadmit_tls_cert_not_after_seconds Expiry of the "
		  "serving certificate (unix time).\n"
		  "# TYPE pgadmit_tls_cert_not_after_seconds gauge\n"
		  "pgadmit_tls_cert_not_after_seconds %lld\n"
		  "# HELP pgadmit_tls_cert_reloads_total Certificate reloads "
		  "from disk.\n"
		  "# TYPE pgadmit_tls_cert_reloads_total counter\n"
		  "pgadmit_tls_cert_reloads_total %llu\n"
		  "# HELP pgadmit_tls_cert_reload_failures_total Changed "
		  "certificate files that could not be loaded (old kept).\n"
		  "# TYPE pgadmit_tls_cert_reload_failures_total counter\n"
		  "pgadmit_tls_cert_reload_failures_total %llu\n"
		  "# HELP pgadmit_policy_reloads_total Successful policy "
		  "reloads (SIGHUP).\n"
		  "# TYPE pgadmit_policy_reloads_total counter\n"
		  "pgadmit_policy_reloads_total %llu\n"
		  "# HELP pgadmit_policy_reload_failures_total Policy reloads "
		  "rejected (old policy kept).\n"
		  "# TYPE pgadmit_policy_reload_failures_total counter\n"
		  "pgadmit_policy_reload_failures_total %llu\n",
		  atomic_load_explicit(&cert_not_after, memory_order_relaxed),
		  get(&cert_reloads), get(&cert_reload_failures),
		  get(&policy_reloads), get(&policy_reload_failures));
	long long used, peak;
	unsigned waiting;
	unsigned long long waited, cut;
	srv_budget_stats(&used, &peak, &waiting, &waited, &cut);
	sb_printf(sb,
		  "# HELP pgadmit_body_budget_bytes Memory budget for request "
		  "bodies (--body-budget).\n"
		  "# TYPE pgadmit_body_budget_bytes gauge\n"
		  "pgadmit_body_budget_bytes %lld\n"
		  "# HELP pgadmit_body_budget_used_bytes Reserved by requests "
		  "in flight.\n"
		  "# TYPE pgadmit_body_budget_used_bytes gauge\n"
		  "pgadmit_body_budget_used_bytes %lld\n"
		  "# HELP pgadmit_body_budget_peak_bytes Highest reservation "
		  "since start.\n"
		  "# TYPE pgadmit_body_budget_peak_bytes gauge\n"
		  "pgadmit_body_budget_peak_bytes %lld\n"
		  "# HELP pgadmit_body_budget_waiting Requests waiting "
		  "(suspended) for the budget.\n"
		  "# TYPE pgadmit_body_budget_waiting gauge\n"
		  "pgadmit_body_budget_waiting %u\n"
		  "# HELP pgadmit_body_budget_waits_total Requests that had to "
		  "wait for the budget.\n"
		  "# TYPE pgadmit_body_budget_waits_total counter\n"
		  "pgadmit_body_budget_waits_total %llu\n"
		  "# HELP pgadmit_body_budget_cut_total Waiting requests closed "
		  "at the request deadline or shutdown.\n"
		  "# TYPE pgadmit_body_budget_cut_total counter\n"
		  "pgadmit_body_budget_cut_total %llu\n",
		  srv_budget_total(), used, peak, waiting, waited, cut);
	if (kc) {
		struct kube_stats st;
		kube_cache_stats(kc, &st);
		sb_printf(sb,
			  "# HELP pgadmit_kube_cronjob_lists_total CronJob "
			  "listings from the Kubernetes API (PGA103).\n"
			  "# TYPE pgadmit_kube_cronjob_lists_total counter\n"
			  "pgadmit_kube_cronjob_lists_total{result=\"ok\"} %llu\n"
			  "pgadmit_kube_cronjob_lists_total{result=\"error\"} "
			  "%llu\n"
			  "# HELP pgadmit_kube_cache_hits_total PGA103 lookups "
			  "answered from the cache.\n"
			  "# TYPE pgadmit_kube_cache_hits_total counter\n"
			  "pgadmit_kube_cache_hits_total %llu\n",
			  st.fetch_ok, st.fetch_fail, st.hits);
		srv_metrics_ns_cache(sb, kc);
	}
}
