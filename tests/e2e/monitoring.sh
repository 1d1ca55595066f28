# tests/e2e/monitoring.sh — the "monitoring" scenario of tests/e2e/run.sh
# (sourced; uses its k, ok, fail, check_*, section, ensure_ns, want, $W,
# $PGADMIT_BIN). PGA105 and PGA106 with real objects in a real API server,
# through the chart's ServiceAccount and RBAC:
#   - the Prometheus Operator's real PodMonitor and ServiceMonitor CRDs
#     (from its Go module, tests/e2e/crd-modules.txt's version) installed;
#   - a StatefulSet whose pods a stored PodMonitor selects, and one reached
#     by a ServiceMonitor through a Service: no PGA106; one with nothing:
#     PGA106's warning from a real listing;
#   - a StatefulSet loading a stored ConfigMap with ALLOW_EMPTY_PASSWORD=yes
#     through envFrom: denied (PGA105, the webhook GETs the ConfigMap);
#     with a ConfigMap that does not set it: created;
#   - pgadmit audit over those namespaces agrees.
if want monitoring; then
	section "monitoring and trust: real monitors and ConfigMaps behind the webhook"
	mon_mod="$(awk '$1 ~ /prometheus-operator/ {print $1, $2}' tests/e2e/crd-modules.txt)"
	read -r mod sub <<<"$mon_mod"
	dir="$(go_module_dir "$mod")"
	for f in podmonitors servicemonitors; do
		if [ -n "$dir" ] && [ -f "$dir/$sub/monitoring.coreos.com_$f.yaml" ]; then
			k apply --server-side -f "$dir/$sub/monitoring.coreos.com_$f.yaml" >>"$W/mon-crds.log" 2>&1
		else
			fail "CRD $f from $mod" "not served or not in $sub"
		fi
	done
	k wait --for condition=Established --timeout 30s crd/podmonitors.monitoring.coreos.com \
		crd/servicemonitors.monitoring.coreos.com >>"$W/mon-crds.log" 2>&1
	check_eq "PodMonitor and ServiceMonitor CRDs established ($mod)" 0 $?
	mon_sts() { # NAME NS [CONFIGMAP]
		local ef=""
		[ -n "${3:-}" ] && ef="          envFrom: [{configMapRef: {name: $3}}]"
		cat <<EOY
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: $1
  namespace: $2
  annotations: {pgadmit.dev/backup: "e2e: not the point here"}
spec:
  serviceName: $1
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      containers:
        - name: pg
          image: postgres:16
          env: [{name: POSTGRES_PASSWORD, valueFrom: {secretKeyRef: {name: pg, key: password}}}]
$ef
EOY
	}
	for ns in e2e-mon-pod e2e-mon-svc e2e-mon-none e2e-trust; do ensure_ns "$ns"; done
	k apply -f - >"$W/mon-seed.log" 2>&1 <<'EOY'
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: pg, namespace: e2e-mon-pod}
spec:
  selector: {matchLabels: {app: pg}}
  podMetricsEndpoints: [{port: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: pg-metrics, namespace: e2e-mon-svc, labels: {metrics: postgres}}
spec:
  selector: {app: pg}
  ports: [{name: metrics, port: 9187}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: pg, namespace: e2e-mon-svc}
spec:
  selector: {matchLabels: {metrics: postgres}}
  endpoints: [{port: metrics}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: pg-env, namespace: e2e-trust}
data: {ALLOW_EMPTY_PASSWORD: "yes"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: pg-safe, namespace: e2e-trust}
data: {POSTGRES_DB: app}
EOY
	check_eq "monitors, Service and ConfigMaps stored" 0 $?
	out="$(mon_sts pg e2e-mon-pod | k create -f - 2>&1)"
	check_has "PodMonitor selects the pods: created" "statefulset.apps/pg created" "$out"
	check_lacks "PodMonitor selects the pods: no PGA106" "PGA106" "$out"
	out="$(mon_sts pg e2e-mon-svc | k create -f - 2>&1)"
	check_has "ServiceMonitor -> Service -> pods: created" "statefulset.apps/pg created" "$out"
	check_lacks "ServiceMonitor -> Service -> pods: no PGA106" "PGA106" "$out"
	out="$(mon_sts pg e2e-mon-none | k create -f - 2>&1)"
	check_has "nothing monitors it: PGA106 warning" "PGA106 metadata.name: PostgreSQL StatefulSet: no exporter or monitor" "$out"
	out="$(mon_sts pg e2e-trust pg-env | k create -f - 2>&1)"
	check_has "envFrom ConfigMap with ALLOW_EMPTY_PASSWORD=yes: denied" 'denied the request' "$out"
	check_has "  ... by PGA105, naming the ConfigMap" "ConfigMap pg-env (envFrom) sets ALLOW_EMPTY_PASSWORD=yes" "$out"
	out="$(mon_sts safe e2e-trust pg-safe | k create -f - 2>&1)"
	check_has "envFrom ConfigMap without trust: created" "statefulset.apps/safe created" "$out"
	check_lacks "envFrom ConfigMap without trust: no PGA105" "PGA105" "$out"
	aud="$("$PGADMIT_BIN" audit -n e2e-mon-pod -n e2e-mon-svc -n e2e-mon-none -n e2e-trust --format json 2>"$W/mon-audit.err")"
	check_eq "audit: PGA106 only where nothing monitors (e2e-trust has no monitor either)" \
		"apps/v1/namespaces/e2e-mon-none/statefulsets/pg apps/v1/namespaces/e2e-trust/statefulsets/safe" \
		"$(jq -r '.findings[] | select(.rule == "PGA106") | .file' <<<"$aud" 2>/dev/null | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	check_eq "audit: no PGA105 for the stored objects (the trusting one was never created)" "" \
		"$(jq -r '.findings[] | select(.rule == "PGA105") | .file' <<<"$aud" 2>/dev/null)"
	# objects, not namespaces: no namespace controller runs here
	for ns in e2e-mon-pod e2e-mon-svc e2e-mon-none e2e-trust; do
		k delete statefulsets,services,configmaps,podmonitors,servicemonitors --all -n "$ns" >/dev/null 2>&1
	done
fi
