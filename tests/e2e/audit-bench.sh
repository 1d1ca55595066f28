#!/usr/bin/env bash
# tests/e2e/audit-bench.sh — `make bench-audit`: `pgadmit audit` of a cluster
# of 10,000 objects in 100 namespaces created through a real kube-apiserver
# on loopback (tests/e2e/cluster.sh). Prints figures, asserts nothing but
# that the runs complete: wall time, API requests, peak RSS, for one
# namespace and for the whole cluster (memory bounded by the largest
# namespace, not the cluster), with and without PolicyReports.
#
# Environment: PGADMIT_BIN (required), AUDIT_BENCH_NS (100),
# AUDIT_BENCH_PER_NS (100), E2E_KEEP=1 keeps the scratch directory.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
: "${PGADMIT_BIN:?set PGADMIT_BIN to the pgadmit binary}"
bins="$(tests/e2e/build.sh)" || { echo "bench-audit: building the control plane failed" >&2; exit 1; }
eval "$bins"
source tests/e2e/cluster.sh
NS=${AUDIT_BENCH_NS:-100}
PER=${AUDIT_BENCH_PER_NS:-100}
W="$(mktemp -d /tmp/pgadmit-bench-audit.XXXXXX)"
cleanup() {
	cluster_stop
	if [ "${E2E_KEEP:-0}" = 1 ]; then echo "bench-audit: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
k() { "$K8S_BIN/kubectl" "$@"; }

cluster_start "$W/cp" || exit 1

# One namespace's objects ($PER of them): per 10, 3 Deployments (one a
# postgres with an inline password), 2 Services (headless; a NodePort 5432
# in the first two tens),
# 3 ConfigMaps (one with a connection string), 1 StatefulSet, 1 CronJob.
gen_ns() {
	local ns="$1" i
	echo "apiVersion: v1"
	echo "kind: List"
	echo "items:"
	for ((i = 0; i < PER / 10; i++)); do
		# The harness's service range is a /24: two NodePorts per
		# namespace (PGA101), the other Services headless.
		local svc="clusterIP: None"
		[ "$i" -lt 2 ] && svc="type: NodePort"
		cat <<EOY
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web-$i, namespace: $ns}, spec: {selector: {matchLabels: {app: web-$i}}, template: {metadata: {labels: {app: web-$i}}, spec: {containers: [{name: web, image: "nginx:1.27"}]}}}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: api-$i, namespace: $ns}, spec: {selector: {matchLabels: {app: api-$i}}, template: {metadata: {labels: {app: api-$i}}, spec: {containers: [{name: api, image: "example/api:1.0", env: [{name: PGSSLMODE, value: verify-full}]}]}}}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: pg-$i, namespace: $ns}, spec: {selector: {matchLabels: {app: pg-$i}}, template: {metadata: {labels: {app: pg-$i}}, spec: {containers: [{name: pg, image: "postgres:16", env: [{name: POSTGRES_PASSWORD, value: bench-secret}]}]}}}}
- {apiVersion: v1, kind: Service, metadata: {name: web-$i, namespace: $ns}, spec: {clusterIP: None, selector: {app: web-$i}, ports: [{port: 80}]}}
- {apiVersion: v1, kind: Service, metadata: {name: pg-$i, namespace: $ns}, spec: {$svc, selector: {app: pg-$i}, ports: [{port: 5432}]}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a-$i, namespace: $ns}, data: {a: "1", b: "$(printf 'x%.0s' $(seq 1 200))"}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b-$i, namespace: $ns}, data: {app.properties: "log=info"}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: c-$i, namespace: $ns}, data: {DATABASE_URL: "postgresql://app:bench-secret@pg-$i:5432/app?sslmode=disable"}}
- {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: db-$i, namespace: $ns}, spec: {serviceName: db-$i, selector: {matchLabels: {app: db-$i}}, template: {metadata: {labels: {app: db-$i}}, spec: {containers: [{name: pg, image: "postgres:16"}]}}}}
- {apiVersion: batch/v1, kind: CronJob, metadata: {name: job-$i, namespace: $ns}, spec: {schedule: "0 3 * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: j, image: "busybox:1.36", command: [date]}]}}}}}}
EOY
	done
}

t0=$(date +%s.%N)
for ((n = 1; n <= NS; n++)); do
	ns=$(printf 'bench-%03d' "$n")
	echo "apiVersion: v1
kind: Namespace
metadata: {name: $ns}
---" >"$W/ns-$n.yaml"
	gen_ns "$ns" >>"$W/ns-$n.yaml"
done
# Two kubectl at a time (2 shared cores). A loaded API server times some
# creates out: run the files again (existing objects fail harmlessly) until
# every object is there.
want=$((NS * PER))
for attempt in 1 2 3 4; do
	seq 1 "$NS" | xargs -P 2 -I{} sh -c "'$K8S_BIN/kubectl' create -f '$W/ns-{}.yaml' >/dev/null 2>>'$W/create.err'"
	objs=$(k get deploy,sts,svc,cm,cronjob -A --no-headers 2>/dev/null | grep -c '^bench-')
	[ "$objs" -ge "$want" ] && break
	echo "bench-audit: $objs of $want objects after pass $attempt ($(grep -v AlreadyExists "$W/create.err" | tail -n 1))"
done
t1=$(date +%s.%N)
printf 'bench-audit: created %s objects in %s namespaces through kube-apiserver in %.1f s\n' \
	"$objs" "$NS" "$(echo "$t1 - $t0" | bc)"

run() {
	local label="$1"
	shift
	"$PGADMIT_BIN" audit --format json --stats "$@" >"$W/out.json" 2>"$W/err"
	local rc=$?
	local st
	st="$(grep 'audit stats' "$W/err")"
	printf 'bench-audit: %-34s exit %s; %s\n' "$label" "$rc" "${st#audit stats: }"
	[ "$rc" -le 1 ] || { sed 's/^/    /' "$W/err"; return 1; }
}
run "one namespace (-n bench-001)" -n bench-001
run "whole cluster" 
run "whole cluster again (warm)"
# What the memory is made of: the report (text streams, JSON is built in
# memory) and the findings kept for it; with every rule off, only the
# listing (one page, one namespace's state) remains.
run "whole cluster, --format text" --format text
PGADMIT_RULE_PGA101=off PGADMIT_RULE_PGA102=off PGADMIT_RULE_PGA103=off PGADMIT_RULE_PGA104=off \
	run "whole cluster, every rule off"

# PolicyReports: Kyverno's CRD from its Go module (as tests/e2e/audit.sh).
dir="$(go_module_dir github.com/kyverno/kyverno@v1.13.4)"
if [ -n "$dir" ]; then
	k apply --server-side -f "$dir/config/crds/policyreport/wgpolicyk8s.io_policyreports.yaml" >/dev/null &&
		k wait --for condition=Established crd/policyreports.wgpolicyk8s.io >/dev/null
	run "whole cluster, --policy-reports" --policy-reports
	run "again (replacing $NS reports)" --policy-reports
	printf 'bench-audit: %s PolicyReports stored; largest holds %s results\n' \
		"$(k get policyreports -A --no-headers | wc -l)" \
		"$(k get policyreports -A -o json | jq '[.items[].results | length] | max')"
else
	echo "bench-audit: PolicyReport CRD module not served: --policy-reports not measured"
fi
