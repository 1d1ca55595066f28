#!/usr/bin/env bash
# tests/e2e/run.sh — pgadmit against a real Kubernetes API server (`make e2e`).
#
# A loopback control plane (tests/e2e/cluster.sh: etcd + kube-apiserver
# v1.34.4 built from source by tests/e2e/build.sh), the chart installed with
# Helm in webhook.url mode so that the API server calls a `pgadmit serve`
# running on 127.0.0.1, and the scenarios of issues 12 and 17 as assertions:
#   install        helm install; the webhook configurations as the API stores them
#   examples       kubectl apply --dry-run=server of examples/: denials with
#                  pgadmit's message, allowed files create nothing
#   warn           a warn-only object: Warning: lines, the findings annotation,
#                  idempotent re-apply; UPDATE, scale
#   reinvocation   a later mutating webhook (tests/e2e/injector.py) changes the
#                  object: with IfNeeded pgadmit's annotation describes the
#                  stored object, with Never it does not
#   fixtures       CLI and webhook agree on every Kubernetes fixture, with and
#                  without matchConditions (the decision table is unchanged)
#   controller     matchConditions: controller-owned Pods/ReplicaSets never
#                  reach pgadmit; with pgadmit down they are still created
#   down           failure modes with pgadmit stopped; skipped namespaces never
#                  reach pgadmit; the NOTES runbook's emergency step
#   pga103         CronJob lookups under the chart's own ServiceAccount token
#                  and RBAC; binding deleted -> a warning, never deny or hang
#   certgen        certgen --patch-webhooks with the chart's certgen RBAC, and
#                  the webhook serving the rotated certificate
#   rotation       a new certificate while clients keep creating: lossless
#                  with the CA overlap (by hand and by certgen), lossy without
#                  (the control)
#   lifecycle      helm upgrade in place, helm uninstall leaves no webhook
#   operators      the operators' CRDs (tests/e2e/operators.sh): exposed cluster
#                  resources denied, operator children allowed (info line with
#                  the owner), the audit on cluster resources
#   monitoring     PGA106 with the Prometheus Operator's real PodMonitor and
#                  ServiceMonitor CRDs and objects, PGA105 with a stored
#                  envFrom ConfigMap, through the chart's RBAC; audit agrees
#                  (tests/e2e/monitoring.sh)
#   toggles        the chart with every toggle, dry-run=server against the real
#                  cert-manager and prometheus-operator CRDs (Go module zips)
# Prints "ok"/"FAIL"/"skip" lines and closes with "e2e: N passed, N failed".
#
# Environment: PGADMIT_BIN (required), HELM (default: scripts/get-helm),
# E2E_SCENARIOS (space-separated subset, default all), E2E_KEEP=1 keeps the
# scratch directory (logs of etcd, kube-apiserver, pgadmit serve).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
: "${PGADMIT_BIN:?set PGADMIT_BIN to the pgadmit binary}"
HELM="${HELM:-$(scripts/get-helm build/tools)}" || { echo "e2e: no Helm" >&2; exit 1; }
bins="$(tests/e2e/build.sh)" || { echo "e2e: building the control plane failed" >&2; exit 1; }
eval "$bins"
source tests/e2e/cluster.sh
source tests/e2e/lib.sh

W="$(mktemp -d /tmp/pgadmit-e2e.XXXXXX)"
WH_DIR="$W"
E2E_SKIP=0
skip() {
	echo "  skip $1: $2"
	E2E_SKIP=$((E2E_SKIP + 1))
}
INJ_PID=
cleanup() {
	[ -n "$INJ_PID" ] && kill "$INJ_PID" 2>/dev/null && wait "$INJ_PID" 2>/dev/null
	webhook_stop
	cluster_stop
	if [ "${E2E_KEEP:-0}" = 1 ]; then echo "e2e: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
k() { "$K8S_BIN/kubectl" "$@"; }
h() { "$HELM" "$@"; }
want() { [ -z "${E2E_SCENARIOS:-}" ] || [[ " $E2E_SCENARIOS " == *" $1 "* ]]; }
section() { echo "== $1"; }
ensure_ns() { k get ns "$1" >/dev/null 2>&1 || k create ns "$1" >/dev/null; }
# Namespaces a manifest names (YAML or JSON), so dry-runs do not fail on them.
file_namespaces() { grep -hoE '"?namespace"?: *"?[a-z0-9-]+' "$1" | sed -E 's/.*[:] *"?//' | sort -u; }

T0=$(date +%s)
section "control plane"
if ! cluster_start "$W/cp"; then
	fail "control plane starts" "see above"
	e2e_summary
	exit 1
fi
ok "etcd and kube-apiserver ready on 127.0.0.1:$API_PORT ($(($(date +%s) - T0)) s)"
check_has "kubectl version: client v1.34.4" "Client Version: v1.34.4" "$(k version 2>&1)"
check_has "kubectl version: server v1.34.4" "Server Version: v1.34.4" "$(k version 2>&1)"

WH_PORT=$(free_port)
WH_METRICS_PORT=$(free_port)
WH_URL="https://127.0.0.1:$WH_PORT"
"$PGADMIT_BIN" certgen --service pgadmit --namespace pgadmit --out-dir "$W/tls" --ip 127.0.0.1 \
	--days 2 >"$W/certgen.log" 2>&1 || { fail "certgen --ip 127.0.0.1" "$(cat "$W/certgen.log")"; e2e_summary; exit 1; }
CA_B64="$(base64 -w0 <"$W/tls/ca.crt")"
HELM_SET=(--set "webhook.url=$WH_URL" --set tls.mode=secret --set tls.secret.name=pgadmit-e2e-tls
	--set "tls.secret.caBundle=$CA_B64")

# ---------------------------------------------------------------- install
section "install"
if h install pgadmit charts/pgadmit -n pgadmit --create-namespace "${HELM_SET[@]}" >"$W/helm-install.log" 2>&1; then
	ok "helm install (webhook.url=$WH_URL, no --wait)"
else
	fail "helm install" "$(tail -n 5 "$W/helm-install.log")"
	e2e_summary
	exit 1
fi
check_eq "helm status: deployed" deployed "$(h status pgadmit -n pgadmit -o json 2>/dev/null | jq -r .info.status)"
for kind in validatingwebhookconfiguration:pgadmit:/validate mutatingwebhookconfiguration:pgadmit-mutating:/mutate; do
	IFS=: read -r res name path <<<"$kind"
	cfg="$(k get "$res" "$name" -o json 2>&1)"
	check_eq "$name: clientConfig.url" "$WH_URL$path" "$(jq -r '.webhooks[0].clientConfig.url' <<<"$cfg")"
	check_eq "$name: no service clientConfig" null "$(jq -r '.webhooks[0].clientConfig.service' <<<"$cfg")"
	check_eq "$name: caBundle from tls.secret" "$CA_B64" "$(jq -r '.webhooks[0].clientConfig.caBundle' <<<"$cfg")"
	check_eq "$name: matchConditions accepted by the API server" not-a-built-in-controller-child \
		"$(jq -r '.webhooks[0].matchConditions[0].name' <<<"$cfg")"
done

# pgadmit serve: the chart's policy, the chart's ServiceAccount token.
k get cm pgadmit-policy -n pgadmit -o jsonpath='{.data.policy\.yaml}' >"$W/policy.yaml"
mkdir -p "$W/sa"
k create token pgadmit -n pgadmit --duration 2h >"$W/sa/token" 2>"$W/sa/err" ||
	fail "kubectl create token for the chart's ServiceAccount" "$(cat "$W/sa/err")"
cp "$W/cp/pki/ca.crt" "$W/sa/ca.crt"
if webhook_start; then ok "pgadmit serve on $WH_URL"; else fail "pgadmit serve starts"; e2e_summary; exit 1; fi

# ---------------------------------------------------------------- examples
if want examples; then
	section "examples: kubectl apply --dry-run=server"
	for f in examples/*.yaml; do
		n="$(basename "$f")"
		for ns in $(file_namespaces "$f"); do ensure_ns "$ns"; done
		"$PGADMIT_BIN" check --format json -f "$f" >"$W/cli.json" 2>/dev/null
		crc=$?
		out="$(k apply --dry-run=server -f "$f" 2>&1)"
		arc=$?
		if [ $crc -eq 1 ]; then
			[ $arc -ne 0 ] && ok "$n: refused by the API server" || fail "$n: refused by the API server" "$out"
			check_has "$n: denied by validate.pgadmit.dev" 'admission webhook "validate.pgadmit.dev" denied the request' "$out"
			while IFS=$'\t' read -r rule kind ns name path; do
				check_has "$n: message names $rule" "$rule" "$out"
				check_has "$n: message names $kind $ns/$name" "$kind $ns/$name" "$out"
				check_has "$n: message names the path $path" "$path" "$out"
			done < <(jq -r '.findings[] | select(.action=="deny") | [.rule,.kind,.namespace,.name,.path] | @tsv' "$W/cli.json" | sort -u)
		else
			check_eq "$n: allowed (dry-run)" 0 "$arc"
			gone="$(k get -f "$f" -o name 2>&1 | grep -vc NotFound)"
			check_eq "$n: dry-run created nothing" 0 "$gone"
		fi
	done
fi

# ---------------------------------------------------------------- warn-only
if want warn; then
	section "warn-only object: real apply"
	ensure_ns e2e-warn
	cat >"$W/warn.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: reporting, namespace: e2e-warn}
spec:
  replicas: 1
  selector: {matchLabels: {app: reporting}}
  template:
    metadata: {labels: {app: reporting}}
    spec:
      containers:
        - name: app
          image: example/reporting:1.0
          env:
            - {name: DATABASE_URL, value: "postgresql://reporting@db.e2e-warn.svc/reports?sslmode=disable"}
EOF
	out="$(k apply -f "$W/warn.yaml" 2>&1)"
	check_has "warn-only: created" "deployment.apps/reporting created" "$out"
	check_has "warn-only: kubectl prints the Warning: line" "Warning: " "$out"
	check_has "warn-only: the warning names PGA104" "PGA104" "$out"
	ann="$(k get deploy reporting -n e2e-warn -o jsonpath='{.metadata.annotations.pgadmit\.dev/findings}')"
	check_has "warn-only: pgadmit.dev/findings annotation stored" '"PGA104"' "$ann"
	rv1="$(k get deploy reporting -n e2e-warn -o jsonpath='{.metadata.resourceVersion}')"
	out="$(k apply -f "$W/warn.yaml" 2>&1)"
	check_has "warn-only: re-apply unchanged" "deployment.apps/reporting unchanged" "$out"
	check_eq "warn-only: re-apply keeps resourceVersion (idempotent patch)" "$rv1" \
		"$(k get deploy reporting -n e2e-warn -o jsonpath='{.metadata.resourceVersion}')"
	mark=$(log_mark)
	out="$(k scale deploy reporting -n e2e-warn --replicas 3 2>&1)"
	check_has "scale: not blocked" "scaled" "$out"
	check_eq "scale: the scale subresource never reaches pgadmit" 0 \
		"$(reviews_since "$mark" | grep -c '"name":"reporting"')"
	out="$(k label deploy reporting -n e2e-warn tier=batch 2>&1)"
	check_has "UPDATE (label) of a warn-only object: allowed" "labeled" "$out"
	check_has "UPDATE: the warning is repeated" "PGA104" "$out"
	check_has "UPDATE: pgadmit saw operation UPDATE" '"operation":"UPDATE"' "$(reviews_since "$mark" | grep '"name":"reporting"')"
	# An object that already violates a deny rule (created while its
	# namespace was ignored): UPDATE refused, scale and delete go through.
	ensure_ns e2e-legacy
	k label ns e2e-legacy pgadmit.dev/ignore=true --overwrite >/dev/null
	sed -e 's/reporting/legacy/g; s/e2e-warn/e2e-legacy/g' \
		-e 's|postgresql://legacy@|postgresql://legacy:hunter2@|' "$W/warn.yaml" >"$W/legacy.yaml"
	out="$(k apply -f "$W/legacy.yaml" 2>&1)"
	check_has "violating object created while its namespace was ignored" "deployment.apps/legacy created" "$out"
	k label ns e2e-legacy pgadmit.dev/ignore- >/dev/null
	out="$(k label deploy legacy -n e2e-legacy tier=batch 2>&1)"
	check_has "UPDATE of an already-violating object: refused" 'denied the request' "$out"
	check_has "UPDATE of an already-violating object: names PGA102" "PGA102" "$out"
	out="$(k scale deploy legacy -n e2e-legacy --replicas 0 2>&1)"
	check_has "already-violating object: scale still works" "scaled" "$out"
	out="$(k patch deploy legacy -n e2e-legacy --subresource status --type merge -p '{"status":{"observedGeneration":1}}' 2>&1)"
	check_has "already-violating object: a status update still works" "patched" "$out"
	out="$(k rollout restart deploy legacy -n e2e-legacy 2>&1)"
	check_has "already-violating object: rollout restart (a template UPDATE) is refused" "denied the request" "$out"
	out="$(k delete deploy legacy -n e2e-legacy 2>&1)"
	check_has "already-violating object: delete still works" "deleted" "$out"
fi

# ---------------------------------------------------------------- reinvocation
injected() { # NAME: a Deployment the stand-in injector adds a connection string to
	cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: e2e-inject, labels: {e2e.pgadmit.dev/inject: "true"}}
spec:
  replicas: 1
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      containers: [{name: app, image: example/app:1.0}]
EOF
}
if want reinvocation; then
	section "reinvocationPolicy: a later mutating webhook changes the object"
	ensure_ns e2e-inject
	"$PGADMIT_BIN" certgen --service injector --namespace e2e --out-dir "$W/inj" --ip 127.0.0.1 --days 2 >/dev/null 2>&1
	python3 tests/e2e/injector.py "$W/inj/tls.crt" "$W/inj/tls.key" "$W/inj/port" 2>"$W/injector.log" &
	INJ_PID=$!
	for i in $(seq 1 50); do [ -s "$W/inj/port" ] && break; sleep 0.1; done
	cat <<EOF | k apply -f - >/dev/null
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: zz-e2e-injector}
webhooks:
  - name: inject.e2e.pgadmit.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Fail
    reinvocationPolicy: Never
    clientConfig:
      url: "https://127.0.0.1:$(cat "$W/inj/port")/inject"
      caBundle: $(base64 -w0 <"$W/inj/ca.crt")
    objectSelector: {matchLabels: {e2e.pgadmit.dev/inject: "true"}}
    rules: [{operations: [CREATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments], scope: Namespaced}]
EOF
	out="$(injected with-ifneeded | k create -f - 2>&1)"
	check_has "IfNeeded: created" "deployment.apps/with-ifneeded created" "$out"
	check_has "IfNeeded: the validating webhook judged the injected env (PGA104 warning)" "PGA104" "$out"
	obj="$(k get deploy with-ifneeded -n e2e-inject -o json)"
	check_eq "IfNeeded: the injector changed the object after pgadmit" INJECTED_DATABASE_URL \
		"$(jq -r '.spec.template.spec.containers[0].env[0].name' <<<"$obj")"
	check_has "IfNeeded: pgadmit was called again and annotated the stored object" "PGA104" \
		"$(jq -r '.metadata.annotations["pgadmit.dev/findings"] // ""' <<<"$obj")"
	h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values --set webhook.mutating.reinvocationPolicy=Never >"$W/helm-up6.log" 2>&1
	sleep 1 # the API server's webhook configuration informer
	out="$(injected with-never | k create -f - 2>&1)"
	obj="$(k get deploy with-never -n e2e-inject -o json)"
	check_eq "Never: the annotation misses the injected finding (why IfNeeded)" "" \
		"$(jq -r '.metadata.annotations["pgadmit.dev/findings"] // ""' <<<"$obj")"
	h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values --set webhook.mutating.reinvocationPolicy=IfNeeded >"$W/helm-up7.log" 2>&1
	k delete mutatingwebhookconfiguration zz-e2e-injector >/dev/null 2>&1
	kill "$INJ_PID" 2>/dev/null && wait "$INJ_PID" 2>/dev/null
	INJ_PID=
fi

# ---------------------------------------------------------------- fixtures
# fixture_table OUT: "file cli=deny|allow api=deny|allow[/how]" per
# Kubernetes fixture (Compose files are not Kubernetes objects). Most
# fixtures are fragments (no selector, no restartPolicy...) that the API
# server's own validation refuses; validation runs after the mutating
# webhooks and before the validating ones, so for those the webhook's answer
# is read from pgadmit's request log of the /mutate review the API server
# sent for the same request (its rules with their actions): "deny/mutate".
fixture_table() {
	local out="$1" f crc arc res api cli mark
	: >"$out"
	for f in tests/fixtures/PGA10*/*/*.yaml tests/fixtures/PGA10*/*/*.json; do
		[ -f "$f" ] || continue
		grep -qE '^(apiVersion|kind):|"apiVersion"' "$f" || continue
		# decided over the bundle by check (an object of the same file
		# the webhook would have to look up; a dry run stores nothing)
		if grep -q '^# e2e: bundle-only' "$f"; then
			echo "${f#tests/fixtures/} cli=- api=bundle" >>"$out"
			continue
		fi
		for ns in $(file_namespaces "$f"); do ensure_ns "$ns"; done
		"$PGADMIT_BIN" check -f "$f" --fail-on deny >/dev/null 2>&1
		crc=$?
		mark=$(log_mark)
		res="$(k create --dry-run=server -f "$f" 2>&1)"
		arc=$?
		case $crc in 0) cli=allow ;; 1) cli=deny ;; *) cli="error" ;; esac
		if grep -q 'admission webhook "validate.pgadmit.dev" denied the request' <<<"$res"; then
			api=deny
		elif [ $arc -eq 0 ]; then
			api=allow
		elif grep -qE 'is invalid|BadRequest' <<<"$res" && ! grep -qE 'NotFound|failed calling webhook' <<<"$res"; then
			# refused by validation: what did pgadmit answer at /mutate?
			if reviews_since "$mark" | grep '"endpoint":"mutate"' | grep -q ':deny"'; then
				api=deny/mutate
			else
				api=allow/mutate
			fi
		else
			api="error:$(head -n 1 <<<"$res" | head -c 60 | tr ' ' _)"
		fi
		echo "${f#tests/fixtures/} cli=$cli api=$api" >>"$out"
	done
}
if want fixtures; then
	section "fixtures: CLI and webhook agree"
	fixture_table "$W/table.mc"
	while read -r f cli api; do
		case "$api" in
		api=error:*) skip "$f" "the API server refuses it before pgadmit (${api#api=error:})" ;;
		api=bundle) skip "$f" "decided over the bundle (# e2e: bundle-only): test_serve_kube_evidence covers the webhook's lookup" ;;
		*) check_eq "$f: same decision (${api#api=})" "${cli#cli=}" "$(sed 's|/mutate||' <<<"${api#api=}")" ;;
		esac
	done <"$W/table.mc"
	echo "  (decision table: $(grep -c 'api=deny' "$W/table.mc") deny, $(grep -c 'api=allow' "$W/table.mc") allow, $(grep -c '/mutate' "$W/table.mc") of them read from the /mutate review of an object the API server's validation refused, $(grep -c 'api=error' "$W/table.mc") not comparable)"
	if h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values --set webhook.matchConditions.enabled=false >"$W/helm-up1.log" 2>&1; then
		check_eq "upgrade without matchConditions: none stored" null \
			"$(k get validatingwebhookconfiguration pgadmit -o json | jq -r '.webhooks[0].matchConditions')"
		fixture_table "$W/table.nomc"
		if diff "$W/table.mc" "$W/table.nomc" >"$W/table.diff"; then
			ok "decision table over $(wc -l <"$W/table.mc") fixtures unchanged without matchConditions"
		else
			fail "decision table unchanged without matchConditions" "$(head -n 6 "$W/table.diff")"
		fi
	else
		fail "helm upgrade --set webhook.matchConditions.enabled=false" "$(tail -n 3 "$W/helm-up1.log")"
	fi
	h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values --set webhook.matchConditions.enabled=true >"$W/helm-up2.log" 2>&1 ||
		fail "helm upgrade back to matchConditions" "$(tail -n 3 "$W/helm-up2.log")"
fi

# ---------------------------------------------------------------- controller children
# pod NAME NS [OWNER_APIVERSION OWNER_KIND]: a Pod that pgadmit would judge
# (a Postgres client with a clean connection string), optionally with a
# controller ownerReference.
pod() {
	local owner=""
	[ $# -ge 4 ] && owner="  ownerReferences:
    - {apiVersion: $3, kind: $4, name: owner-$1, uid: 6b1c2a3e-0000-4000-8000-00000000000$((RANDOM % 10)), controller: true}"
	cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $2
$owner
spec:
  containers:
    - name: app
      image: example/app:1.0
      env: [{name: PGSSLMODE, value: verify-full}]
EOF
}
replicaset() {
	cat <<EOF
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: $1
  namespace: $2
  ownerReferences:
    - {apiVersion: apps/v1, kind: Deployment, name: web, uid: 0b7e9d4c-0000-4000-8000-000000000001, controller: true}
spec:
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      containers: [{name: app, image: example/app:1.0}]
EOF
}
if want controller; then
	section "matchConditions: controller children never reach pgadmit"
	ensure_ns e2e-mc
	mark=$(log_mark)
	pod owned-by-rs e2e-mc apps/v1 ReplicaSet | k create -f - >/dev/null 2>&1
	pod owned-by-job e2e-mc batch/v1 Job | k create -f - >/dev/null 2>&1
	replicaset rs-owned-by-deploy e2e-mc | k create -f - >/dev/null 2>&1
	pod owned-by-operator e2e-mc postgresql.cnpg.io/v1 Cluster | k create -f - >/dev/null 2>&1
	pod bare e2e-mc | k create -f - >/dev/null 2>&1
	sleep 0.3
	seen="$(reviews_since "$mark")"
	for n in owned-by-rs owned-by-job rs-owned-by-deploy; do
		k get -n e2e-mc pod/$n >/dev/null 2>&1 || k get -n e2e-mc rs/$n >/dev/null 2>&1
		check_eq "$n: created" 0 $?
		check_lacks "$n: no review in pgadmit's request log" "\"name\":\"$n\"" "$seen"
	done
	check_has "bare Pod: reviewed by pgadmit" '"name":"bare"' "$seen"
	check_lacks "Pod owned by an operator's cluster resource: an operator child, never reviewed" '"name":"owned-by-operator"' "$seen"
fi

# ---------------------------------------------------------------- pgadmit down
if want down; then
	section "failure modes: pgadmit stopped"
	ensure_ns e2e-down
	ensure_ns e2e-ignored
	k label ns e2e-ignored pgadmit.dev/ignore=true --overwrite >/dev/null
	fo_before="$(api_curl "$API_URL/metrics" | grep '^apiserver_admission_webhook_fail_open_count{name="mutate.pgadmit.dev"' | awk '{s+=$2} END {print s+0}')"
	webhook_stop
	out="$(pod bare-down e2e-down | k create -f - 2>&1)"
	check_has "down: a judged Pod is refused (failurePolicy Fail)" 'failed calling webhook "validate.pgadmit.dev"' "$out"
	check_lacks "down: the mutating webhook (Ignore) did not refuse it" 'failed calling webhook "mutate.pgadmit.dev"' "$out"
	fo_after="$(api_curl "$API_URL/metrics" | grep '^apiserver_admission_webhook_fail_open_count{name="mutate.pgadmit.dev"' | awk '{s+=$2} END {print s+0}')"
	[ "$fo_after" -gt "$fo_before" ] && ok "down: mutating webhook failed open ($fo_before -> $fo_after, apiserver_admission_webhook_fail_open_count)" ||
		fail "down: mutating webhook failed open" "$fo_before -> $fo_after"
	out="$(pod owned-down e2e-down apps/v1 ReplicaSet | k create -f - 2>&1)"
	check_has "down: a Pod with a controller ownerReference to a ReplicaSet is created" "pod/owned-down created" "$out"
	out="$(replicaset rs-down e2e-down | k create -f - 2>&1)"
	check_has "down: a ReplicaSet owned by a Deployment is created" "replicaset.apps/rs-down created" "$out"
	out="$(pod owned-by-operator-down e2e-down postgresql.cnpg.io/v1 Cluster | k create -f - 2>&1)"
	check_has "down: a Pod owned by an operator's cluster resource is created (an operator child: matchConditions)" "pod/owned-by-operator-down created" "$out"
	for ns in e2e-ignored kube-system pgadmit; do
		out="$(k create configmap down-probe -n "$ns" --from-literal=a=b 2>&1)"
		check_has "down: namespace $ns is not behind the webhook" "configmap/down-probe created" "$out"
	done
	out="$(k create configmap down-probe -n e2e-down --from-literal=a=b 2>&1)"
	check_has "down: a ConfigMap elsewhere is refused" 'failed calling webhook "validate.pgadmit.dev"' "$out"
	# NOTES.txt emergency runbook: delete the validating configuration, then
	# helm upgrade brings it back.
	k delete validatingwebhookconfiguration pgadmit >/dev/null 2>&1
	sleep 1 # the API server's webhook configuration informer
	out="$(pod bare-runbook e2e-down | k create -f - 2>&1)"
	check_has "runbook: with the validating configuration deleted, writes go through" "pod/bare-runbook created" "$out"
	h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values >"$W/helm-up3.log" 2>&1
	k get validatingwebhookconfiguration pgadmit >/dev/null 2>&1
	check_eq "runbook: helm upgrade restores the validating configuration" 0 $?
	webhook_start || fail "pgadmit serve restarts"
	mark=$(log_mark)
	for ns in e2e-ignored kube-system pgadmit e2e-down; do
		k create configmap up-probe -n "$ns" --from-literal=a=b >/dev/null 2>&1
	done
	sleep 0.3
	seen="$(reviews_since "$mark")"
	for ns in e2e-ignored kube-system pgadmit; do
		check_lacks "up: no review for namespace $ns in pgadmit's request log" "\"namespace\":\"$ns\"" "$seen"
	done
	check_has "up: the ConfigMap in e2e-down was reviewed (the log works)" '"namespace":"e2e-down"' "$seen"
fi

# ---------------------------------------------------------------- PGA103
statefulset() {
	cat <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg, namespace: $1}
spec:
  serviceName: pg
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers: [{name: pg, image: "postgres:16"}]
EOF
}
if want pga103; then
	section "PGA103: lookups with the chart's ServiceAccount and RBAC"
	ensure_ns e2e-nobackup
	out="$(statefulset e2e-nobackup | k create -f - 2>&1)"
	check_has "no CronJob: created" "statefulset.apps/pg created" "$out"
	check_has "no CronJob: PGA103 warning" "PGA103" "$out"
	check_has "no exporter: PGA106 warning from a real listing (the chart's RBAC)" "no exporter or monitor" "$out"
	check_lacks "PGA106: the namespace could be listed" "monitoring of this PostgreSQL workload could not be verified" "$out"
	ensure_ns e2e-backup
	cat <<'EOF' | k create -n e2e-backup -f - >/dev/null 2>&1
apiVersion: batch/v1
kind: CronJob
metadata: {name: dump}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: dump, image: "postgres:16", command: ["/bin/sh", "-c", "pg_dump -Fc -h pg app > /backup/app.dump"]}]
EOF
	out="$(statefulset e2e-backup | k create -f - 2>&1)"
	check_has "backup CronJob in the namespace: created" "statefulset.apps/pg created" "$out"
	check_lacks "backup CronJob in the namespace: quiet (the lookup saw it)" "PGA103" "$out"
	k delete clusterrolebinding pgadmit >/dev/null 2>&1
	ensure_ns e2e-norbac
	t0=$(date +%s%N)
	out="$(statefulset e2e-norbac | k create -f - 2>&1)"
	ms=$((($(date +%s%N) - t0) / 1000000))
	check_has "binding deleted: not denied" "statefulset.apps/pg created" "$out"
	check_has "binding deleted: warns that backups could not be verified" "could not be verified" "$out"
	check_has "binding deleted: PGA106 warns too, never denies" "monitoring of this PostgreSQL workload could not be verified" "$out"
	[ "$ms" -lt 5000 ] && ok "binding deleted: no hang (${ms} ms)" || fail "binding deleted: no hang" "${ms} ms"
	h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values >"$W/helm-up4.log" 2>&1
	k get clusterrolebinding pgadmit >/dev/null 2>&1
	check_eq "helm upgrade restores the binding" 0 $?
fi

# ---------------------------------------------------------------- certgen
if want certgen; then
	section "certgen --patch-webhooks with the chart's certgen RBAC"
	# The hook's ServiceAccount and RBAC, rendered by the chart (certgen mode).
	ensure_ns e2e-down
	h template pgadmit charts/pgadmit -n pgadmit --set "webhook.url=$WH_URL" --show-only templates/certgen.yaml >"$W/certgen-hook.yaml"
	grep -qE -- '- --ip|"--ip"' "$W/certgen-hook.yaml" && ok "certgen hook: --ip 127.0.0.1 for webhook.url" ||
		fail "certgen hook: --ip for webhook.url" "$(grep -A2 renew-days "$W/certgen-hook.yaml")"
	# Everything but the Job (no kubelet would run it): we run its command.
	python3 - "$W/certgen-hook.yaml" >"$W/certgen-rbac.yaml" <<'EOF'
import sys
docs = open(sys.argv[1]).read().split("\n---")
print("\n---".join(d for d in docs if "kind: Job" not in d))
EOF
	k apply -f "$W/certgen-rbac.yaml" >"$W/certgen-rbac.log" 2>&1 ||
		fail "certgen RBAC applies" "$(tail -n 3 "$W/certgen-rbac.log")"
	mkdir -p "$W/sa-certgen"
	k create token pgadmit-certgen -n pgadmit --duration 1h >"$W/sa-certgen/token" 2>/dev/null
	cp "$W/cp/pki/ca.crt" "$W/sa-certgen/ca.crt"
	args=(certgen --service pgadmit --namespace pgadmit --secret pgadmit-tls --ip 127.0.0.1 --days 2
		--renew-days 1 --patch-webhooks pgadmit pgadmit-mutating)
	PGADMIT_KUBE_API_URL="$API_URL" PGADMIT_KUBE_SA_DIR="$W/sa-certgen" "$PGADMIT_BIN" "${args[@]}" >"$W/certgen2.log" 2>&1
	check_eq "certgen with the hook's token: exit 0" 0 $?
	newca="$(k get secret pgadmit-tls -n pgadmit -o jsonpath='{.data.ca\.crt}' 2>/dev/null)"
	[ -n "$newca" ] && [ "$newca" != "$CA_B64" ] && ok "certgen: Secret with a new CA" || fail "certgen: Secret with a new CA" "$(cat "$W/certgen2.log")"
	base64 -d <<<"$newca" >"$W/newca.pem"
	for c in validatingwebhookconfiguration/pgadmit mutatingwebhookconfiguration/pgadmit-mutating; do
		check_eq "certgen: caBundle of $c patched (the new CA first)" "$(cat "$W/newca.pem")" \
			"$(k get "$c" -o jsonpath='{.webhooks[0].clientConfig.caBundle}' | base64 -d | head -n "$(wc -l <"$W/newca.pem")")"
	done
	k get secret pgadmit-tls -n pgadmit -o jsonpath='{.data.tls\.crt}' | base64 -d >"$W/new.crt"
	openssl x509 -in "$W/new.crt" -noout -checkip 127.0.0.1 | grep -q "does match" &&
		ok "certgen: the Secret's certificate names IP 127.0.0.1" || fail "certgen: the Secret's certificate names IP 127.0.0.1"
	# The caBundle keeps the CA it trusted (overlap), so the certificate
	# pgadmit still serves stays trusted until it loads the new one.
	nca="$(k get validatingwebhookconfiguration pgadmit -o jsonpath='{.webhooks[0].clientConfig.caBundle}' | base64 -d | grep -c 'BEGIN CERTIFICATE')"
	check_eq "certgen: caBundle holds the new and the previous CA during the overlap" 2 "$nca"
	out="$(k create configmap rot-1 -n e2e-down --from-literal=a=b 2>&1)"
	check_has "certgen: the certificate still served is trusted meanwhile" "configmap/rot-1 created" "$out"
	k get secret pgadmit-tls -n pgadmit -o jsonpath='{.data.tls\.key}' | base64 -d >"$W/tls/tls.key.new"
	chmod 600 "$W/tls/tls.key.new"
	mv "$W/tls/tls.key.new" "$W/tls/tls.key"
	reloads0="$(grep -c '"certificate reloaded"' "$W/serve.log")"
	mv "$W/new.crt" "$W/tls/tls.crt"
	for i in $(seq 1 50); do
		[ "$(grep -c '"certificate reloaded"' "$W/serve.log")" -gt "$reloads0" ] && break
		sleep 0.2
	done
	got=1
	for i in $(seq 1 50); do
		if k create configmap "rot-2-$i" -n e2e-down --from-literal=a=b >/dev/null 2>&1; then got=0; break; fi
		sleep 0.2
	done
	check_eq "certgen: pgadmit reloads the rotated certificate and is trusted again" 0 "$got"
	grep -q '"certificate reloaded"' "$W/serve.log" && ok "certgen: pgadmit logged the reload" || fail "certgen: pgadmit logged the reload"
	# certgen again after the overlap (0 here): the valid Secret is kept and
	# the previous CA leaves the caBundle.
	PGADMIT_KUBE_API_URL="$API_URL" PGADMIT_KUBE_SA_DIR="$W/sa-certgen" "$PGADMIT_BIN" "${args[@]}" \
		--ca-overlap-minutes 0 >"$W/certgen3.log" 2>&1
	check_has "certgen again: keeps the valid Secret" "keeping Secret pgadmit/pgadmit-tls" "$(cat "$W/certgen3.log")"
	check_eq "certgen again, after the overlap: the new CA alone" "$newca" \
		"$(k get validatingwebhookconfiguration pgadmit -o jsonpath='{.webhooks[0].clientConfig.caBundle}')"
	CA_B64="$newca"
fi

# ---------------------------------------------------------------- rotation
# A lossless rotation while clients keep creating: bundle old+new CA, switch
# the served certificate (pgadmit reloads it from disk), then drop the old CA.
set_bundle() { # BASE64 for both configurations
	local c
	for c in validatingwebhookconfiguration/pgadmit mutatingwebhookconfiguration/pgadmit-mutating; do
		k patch "$c" --type json -p "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$1\"}]" >/dev/null
	done
}
rejections() {
	api_curl "$API_URL/metrics" | grep '^apiserver_admission_webhook_rejection_count{' |
		grep 'pgadmit.dev' | grep -v 'error_type="no_error"' | awk '{s+=$2} END {print s+0}'
}
# rotate MODE: a new certificate while 2 clients keep creating objects
# (until the procedure is over: a stop file; at most 2000 x 10 creates). MODE lossless: old+new CA bundled, switch, old dropped. MODE
# naive: new CA alone in the caBundle, then the switch (what a bare
# `certgen --patch-webhooks` does). Sets ROT_ERRORS, ROT_REJ, ROT_CREATES.
rotate() {
	local mode="$1" old loadpid rej0 dir="$W/tls-rot-$1" stop="$W/rot-$1.stop"
	old="$(k get validatingwebhookconfiguration pgadmit -o jsonpath='{.webhooks[0].clientConfig.caBundle}' | base64 -d)"
	"$PGADMIT_BIN" certgen --service pgadmit --namespace pgadmit --out-dir "$dir" --ip 127.0.0.1 --days 2 >/dev/null 2>&1
	rej0="$(rejections)"
	python3 tests/e2e/load.py "$API_URL" "$CP_DIR/pki/ca.crt" "$CP_DIR/pki/admin.crt" "$CP_DIR/pki/admin.key" \
		e2e-rot "rot-$mode" 2000 2 "$stop" >"$W/rot-$mode.load.json" 2>"$W/rot-$mode.load.err" &
	loadpid=$!
	sleep 1
	case $mode in
	lossless) set_bundle "$(printf '%s\n%s\n' "$old" "$(cat "$dir/ca.crt")" | base64 -w0)" ;;
	naive) set_bundle "$(base64 -w0 <"$dir/ca.crt")" ;;
	certgen) # what the chart's hook does on renewal, with the overlap
		rm -rf "$dir" && mkdir -p "$dir"
		PGADMIT_KUBE_API_URL="$API_URL" PGADMIT_KUBE_SA_DIR="$W/sa-certgen" "$PGADMIT_BIN" certgen \
			--service pgadmit --namespace pgadmit --secret pgadmit-tls --ip 127.0.0.1 --days 2 \
			--renew-days 1 --force --patch-webhooks pgadmit pgadmit-mutating >"$W/rot-certgen.log" 2>&1
		k get secret pgadmit-tls -n pgadmit -o jsonpath='{.data.ca\.crt}' | base64 -d >"$dir/ca.crt"
		k get secret pgadmit-tls -n pgadmit -o jsonpath='{.data.tls\.crt}' | base64 -d >"$dir/tls.crt"
		k get secret pgadmit-tls -n pgadmit -o jsonpath='{.data.tls\.key}' | base64 -d >"$dir/tls.key"
		;;
	esac
	sleep 2
	cp "$dir/tls.key" "$W/tls/tls.key.new" && mv "$W/tls/tls.key.new" "$W/tls/tls.key"
	cp "$dir/tls.crt" "$W/tls/tls.crt.new" && mv "$W/tls/tls.crt.new" "$W/tls/tls.crt"
	sleep 2
	case $mode in
	lossless) set_bundle "$(base64 -w0 <"$dir/ca.crt")" ;;
	certgen) PGADMIT_KUBE_API_URL="$API_URL" PGADMIT_KUBE_SA_DIR="$W/sa-certgen" "$PGADMIT_BIN" certgen \
			--service pgadmit --namespace pgadmit --secret pgadmit-tls --ip 127.0.0.1 --days 2 \
			--renew-days 1 --ca-overlap-minutes 0 --patch-webhooks pgadmit pgadmit-mutating >>"$W/rot-certgen.log" 2>&1 ;;
	esac
	sleep 1
	kill -0 "$loadpid" 2>/dev/null && ROT_SPANNED=1 || ROT_SPANNED=0
	touch "$stop"
	wait "$loadpid"
	ROT_CREATES="$(jq -r .creates "$W/rot-$mode.load.json" 2>/dev/null)"
	ROT_ERRORS="$(jq -r .errors "$W/rot-$mode.load.json" 2>/dev/null)"
	ROT_REJ=$(($(rejections) - rej0))
	CA_B64="$(base64 -w0 <"$dir/ca.crt")"
}
if want rotation; then
	section "certificate rotation under load"
	ensure_ns e2e-rot
	rotate naive
	[ "${ROT_ERRORS:-0}" -gt 0 ] && [ "$ROT_REJ" -gt 0 ] &&
		ok "naive rotation (new CA alone, then switch) loses admissions: $ROT_ERRORS of $((ROT_CREATES + ROT_ERRORS)) creates failed, $ROT_REJ webhook call errors (the measure can fail)" ||
		fail "naive rotation loses admissions (control)" "errors=$ROT_ERRORS rejections=$ROT_REJ"
	reloads0="$(grep -c '"certificate reloaded"' "$W/serve.log")"
	rotate lossless
	check_eq "lossless rotation: the load spanned the whole procedure" 1 "$ROT_SPANNED"
	check_eq "lossless rotation: $ROT_CREATES creates from 2 clients, none failed" 0 "$ROT_ERRORS"
	check_eq "lossless rotation: no webhook call error counted by the API server" 0 "$ROT_REJ"
	[ "$(grep -c '"certificate reloaded"' "$W/serve.log")" -gt "$reloads0" ] &&
		ok "lossless rotation: pgadmit reloaded the certificate during the load" ||
		fail "lossless rotation: pgadmit reloaded the certificate"
	out="$(k create configmap after-rotation -n e2e-rot --from-literal=a=b 2>&1)"
	check_has "lossless rotation: old CA dropped, calls still trusted" "created" "$out"
	if [ -s "$W/sa-certgen/token" ]; then
		rotate certgen
		check_eq "certgen rotation (--force, swap, run after the overlap): the load spanned it" 1 "$ROT_SPANNED"
		check_eq "certgen rotation: $ROT_CREATES creates, none failed" 0 "$ROT_ERRORS"
		check_eq "certgen rotation: no webhook call error counted by the API server" 0 "$ROT_REJ"
		check_eq "certgen rotation: the caBundle ends with the new CA alone" "$(base64 -w0 <"$W/tls-rot-certgen/ca.crt")" \
			"$(k get validatingwebhookconfiguration pgadmit -o jsonpath='{.webhooks[0].clientConfig.caBundle}')"
	else
		skip "certgen rotation" "needs the certgen scenario's token"
	fi
fi

source tests/e2e/audit.sh # audit and PolicyReports (issue 15), before lifecycle uninstalls the chart
source tests/e2e/operators.sh # the operators' CRDs and cluster resources (issue 14)
source tests/e2e/monitoring.sh # PGA105/PGA106 with real monitors and ConfigMaps (issue 14)
# ---------------------------------------------------------------- lifecycle
if want lifecycle; then
	section "helm upgrade and uninstall"
	ensure_ns e2e-down
	uid1="$(k get validatingwebhookconfiguration pgadmit -o jsonpath='{.metadata.uid}')"
	h upgrade pgadmit charts/pgadmit -n pgadmit --reuse-values --set webhook.timeoutSeconds=7 \
		--set "tls.secret.caBundle=$CA_B64" >"$W/helm-up5.log" 2>&1
	check_eq "upgrade: exit 0" 0 $?
	check_eq "upgrade: timeoutSeconds changed in place" "7 $uid1" \
		"$(k get validatingwebhookconfiguration pgadmit -o jsonpath='{.webhooks[0].timeoutSeconds} {.metadata.uid}')"
	h uninstall pgadmit -n pgadmit >"$W/helm-un.log" 2>&1
	check_eq "uninstall: exit 0" 0 $?
	check_eq "uninstall: no webhook configuration left" "" \
		"$(k get validatingwebhookconfigurations,mutatingwebhookconfigurations -o name 2>&1 | grep -i pgadmit)"
	webhook_stop
	out="$(pod after-uninstall e2e-down | k create -f - 2>&1)"
	check_has "uninstall: with pgadmit stopped, nothing is blocked" "pod/after-uninstall created" "$out"
fi

# ---------------------------------------------------------------- toggles
if want toggles; then
	section "chart with every toggle, validated by the API server with real CRDs"
	crd_dirs=()
	while read -r mod sub; do
		case "$mod" in "" | "#"*) continue ;; esac
		dir="$(go_module_dir "$mod")"
		if [ -n "$dir" ] && [ -d "$dir/$sub" ]; then
			crd_dirs+=("$dir/$sub")
			ok "CRDs from Go module $mod ($sub)"
		else
			fail "CRDs from Go module $mod" "not served or no $sub"
		fi
	done <tests/e2e/crd-modules.txt
	for d in "${crd_dirs[@]}"; do
		for f in "$d"/cert-manager.io_*.yaml "$d"/monitoring.coreos.com_servicemonitors.yaml "$d"/monitoring.coreos.com_prometheusrules.yaml; do
			[ -f "$f" ] && k apply --server-side -f "$f" >>"$W/crds.log" 2>&1
		done
	done
	k wait --for condition=Established --timeout 30s crd/certificates.cert-manager.io crd/issuers.cert-manager.io \
		crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com >>"$W/crds.log" 2>&1
	check_eq "CRDs established" 0 $?
	ensure_ns pgadmit
	TOGGLES=(--set tls.mode=certManager --set serviceMonitor.enabled=true --set prometheusRule.enabled=true
		--set networkPolicy.enabled=true --set probe.enabled=true --set probe.dsnSecret.name=pg-dsns
		--set probe.shards=3)
	for variant in service url; do
		extra=()
		[ $variant = url ] && extra=(--set "webhook.url=$WH_URL")
		h template pgadmit charts/pgadmit -n pgadmit --kube-version 1.34.4 "${TOGGLES[@]}" "${extra[@]}" >"$W/toggles.$variant.yaml" 2>"$W/toggles.err"
		out="$(k apply --dry-run=server -f "$W/toggles.$variant.yaml" 2>&1)"
		rc=$?
		check_eq "toggles ($variant): kubectl apply --dry-run=server" 0 "$rc"
		[ $rc -eq 0 ] || echo "$out" | grep -iv "created (server dry run)" | head -n 5
		for kind in certificate.cert-manager.io issuer.cert-manager.io servicemonitor.monitoring.coreos.com \
			prometheusrule.monitoring.coreos.com networkpolicy.networking.k8s.io cronjob.batch \
			validatingwebhookconfiguration.admissionregistration.k8s.io; do
			check_has "toggles ($variant): $kind accepted" "$kind/" "$out"
		done
	done
fi

webhook_stop
echo "e2e: ran in $(($(date +%s) - T0)) s (scratch $W)"
echo "e2e: $E2E_PASS passed, $E2E_FAIL failed, $E2E_SKIP skipped"
[ "$E2E_FAIL" -eq 0 ]
