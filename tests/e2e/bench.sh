#!/usr/bin/env bash
# tests/e2e/bench.sh — `make bench-e2e`: figures, not asserts.
#
# On the loopback control plane (tests/e2e/cluster.sh), the same bounded
# create load (tests/e2e/load.py: a realistic mix of Deployments with their
# ReplicaSet and Pods, Jobs with their Pod, ConfigMap churn; UNITS x 10
# creates from CLIENTS parallel clients) three times:
#   baseline   no pgadmit webhook configuration
#   mc         the chart's webhooks with matchConditions (Kubernetes >= 1.28)
#   nomc       the chart's webhooks without them (older clusters)
# and for each, from kube-apiserver's /metrics (its own clock):
# apiserver_admission_webhook_admission_duration_seconds per webhook
# (p50/p99/p99.9, histogram_quantile-style inside its buckets),
# apiserver_request_duration_seconds of the creates, and the share of
# admission calls that reached pgadmit (its pgadmit_admission_requests_total
# over creates x 2 webhooks). Client-side latencies per kind, too.
#
# Environment: PGADMIT_BIN, HELM, E2E_BENCH_UNITS (default 300),
# E2E_BENCH_CLIENTS (default 8).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
: "${PGADMIT_BIN:?set PGADMIT_BIN}"
HELM="${HELM:-$(scripts/get-helm build/tools)}" || exit 1
bins="$(tests/e2e/build.sh)" || exit 1
eval "$bins"
source tests/e2e/cluster.sh
source tests/e2e/lib.sh
UNITS="${E2E_BENCH_UNITS:-300}"
CLIENTS="${E2E_BENCH_CLIENTS:-8}"
W="$(mktemp -d /tmp/pgadmit-bench-e2e.XXXXXX)"
WH_DIR="$W"
WH_LOG_LEVEL=info
cleanup() { webhook_stop; cluster_stop; [ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
k() { "$K8S_BIN/kubectl" "$@"; }

cluster_start "$W/cp" || exit 1
WH_PORT=$(free_port)
WH_METRICS_PORT=$(free_port)
"$PGADMIT_BIN" certgen --service pgadmit --namespace pgadmit --out-dir "$W/tls" --ip 127.0.0.1 --days 2 >/dev/null || exit 1
"$HELM" template pgadmit charts/pgadmit -n pgadmit --show-only templates/configmap-policy.yaml >"$W/policy-cm.yaml"
k create --dry-run=client -f "$W/policy-cm.yaml" -o jsonpath='{.data.policy\.yaml}' >"$W/policy.yaml"
webhook_start || exit 1

scrape() { # FILE: the API server's metrics, then pgadmit's
	{ api_curl "$API_URL/metrics"; curl -fsS "http://127.0.0.1:$WH_METRICS_PORT/metrics"; } >"$1"
}
phase() { # NAME: one bounded load, its figures in $W/NAME.{load,metrics}.json
	local ns="bench-$1"
	k create ns "$ns" >/dev/null
	scrape "$W/$1.before"
	python3 tests/e2e/load.py "$API_URL" "$CP_DIR/pki/ca.crt" "$CP_DIR/pki/admin.crt" "$CP_DIR/pki/admin.key" \
		"$ns" "$1" "$UNITS" "$CLIENTS" >"$W/$1.load.json"
	sleep 1
	scrape "$W/$1.after"
	python3 tests/e2e/metrics.py "$W/$1.before" "$W/$1.after" >"$W/$1.metrics.json"
}
helm_set=(--set "webhook.url=https://127.0.0.1:$WH_PORT" --set tls.mode=secret --set tls.secret.name=pgadmit-tls
	--set "tls.secret.caBundle=$(base64 -w0 <"$W/tls/ca.crt")")

echo "bench-e2e: kube-apiserver v1.34.4 + etcd on loopback, pgadmit serve --threads 2; $UNITS units x 10 creates, $CLIENTS clients"
phase baseline
"$HELM" install pgadmit charts/pgadmit -n pgadmit --create-namespace "${helm_set[@]}" >/dev/null || exit 1
# Warm-up, not reported: the API server's first connections to pgadmit and
# its first CEL evaluations.
UNITS=$(((UNITS + 9) / 10)) phase warmup
phase mc
"$HELM" upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values --set webhook.matchConditions.enabled=false >/dev/null || exit 1
phase nomc

python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
def load(p, kind): return json.load(open(f"{w}/{p}.{kind}.json"))
def fmt(x): return "-" if x is None else f"{x:g}"
print(f"{'phase':9} {'creates/s':>9} {'errors':>6}  {'create p50/p99 ms (apiserver)':>30}  {'owned Pod p50/p99 ms (apiserver)':>33}  {'(client)':>16}  {'calls to pgadmit':>16}")
for p in ("baseline", "mc", "nomc"):
    l, m = load(p, "load"), load(p, "metrics")
    r = m["requests"] or {}
    own = l["client_ms"].get("pod(owned)", {})
    calls = sum(m["pgadmit"].values())
    share = calls / (2 * l["creates"]) if l["creates"] else 0
    pr = m["pod_requests"] or {}
    print(f"{p:9} {l['per_s']:>9} {l['errors']:>6}  {fmt(r.get('p50_ms')) + ' / ' + fmt(r.get('p99_ms')):>30}  "
          f"{fmt(pr.get('p50_ms')) + ' / ' + fmt(pr.get('p99_ms')):>33}  "
          f"{fmt(own.get('p50')) + ' / ' + fmt(own.get('p99')):>16}  "
          f"{calls:>7} = {share*100:5.1f}%")
print()
print("webhook latency as kube-apiserver measures it (apiserver_admission_webhook_admission_duration_seconds):")
for p in ("mc", "nomc"):
    for name, s in sorted(load(p, "metrics")["webhooks"].items()):
        if not s: continue
        print(f"  {p:5} {name:22} calls {s['calls']:>6}  mean {s['mean_ms']:.3f} ms  "
              f"p50 {fmt(s['p50_ms'])} ms (bucket <= {s['p50_bucket_le_ms']})  "
              f"p99 {fmt(s['p99_ms'])} ms (<= {s['p99_bucket_le_ms']})  "
              f"p99.9 {fmt(s['p999_ms'])} ms (<= {s['p999_bucket_le_ms']})")
for p in ("baseline", "mc", "nomc"):
    e = load(p, "load")["first_errors"]
    if e: print(f"  {p}: first errors: {e}")
print()
print("share of admission calls reaching pgadmit = pgadmit_admission_requests_total / (creates x 2 webhooks)")
PY
echo "bench-e2e: raw figures in $W (E2E_KEEP=1 keeps them)"
