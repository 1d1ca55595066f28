# tests/e2e/operators.sh — the "operators" scenario of tests/e2e/run.sh
# (sourced; uses its k, h, ok, fail, check_*, log_mark, reviews_since).
# The operators' CRDs are installed in the real API server (CloudNativePG
# and Zalando: their real CRDs from the operators' Go modules, fetched at
# test time, tests/e2e/operator-crds.txt; Crunchy and Percona: the minimal
# stand-ins tests/e2e/crds/minimal-*.yaml), then real cluster resources are
# created through the API server:
#   - one asking for an exposed service is denied by pgadmit, per operator;
#   - a clean one is created; an operator child of it (a LoadBalancer Service
#     owned by the real Cluster, a Pod with the operator's label) is created
#     and never reaches pgadmit (matchConditions); without them (patched
#     out of the stored configuration for one request, then put back) it
#     reaches pgadmit, which allows it with an info line naming the owner;
#   - pgadmit audit lists the cluster resources (PGA103 for a Zalando cluster
#     whose env disables WAL archiving) and does not report the child;
#   - PGA103 for a CloudNativePG Cluster without spec.backup: quiet when a
#     real ScheduledBackup of its namespace names it (the webhook lists them
#     with the chart's RBAC), a warning for a Cluster no ScheduledBackup
#     names.
# Objects are deleted at the end (no namespace controller runs here).
if want operators; then
	section "operators: real CRDs, cluster resources and their children"
	crds=()
	while read -r mod files; do
		case "$mod" in "" | "#"*) continue ;; esac
		dir="$(go_module_dir "$mod")"
		if [ -z "$dir" ]; then
			fail "CRDs from Go module $mod" "not served"
			continue
		fi
		for f in $files; do
			if [ -f "$dir/$f" ]; then crds+=("$dir/$f"); else fail "CRD $mod $f" "not in the module"; fi
		done
		ok "real CRDs from Go module $mod"
	done <tests/e2e/operator-crds.txt
	crds+=(tests/e2e/crds/minimal-*.yaml)
	for f in "${crds[@]}"; do
		k apply --server-side -f "$f" >>"$W/op-crds.log" 2>&1 || fail "CRD applied: $(basename "$f")" "$(tail -n 2 "$W/op-crds.log")"
	done
	k wait --for condition=Established --timeout 60s crd/clusters.postgresql.cnpg.io crd/poolers.postgresql.cnpg.io \
		crd/scheduledbackups.postgresql.cnpg.io crd/postgresqls.acid.zalan.do \
		crd/postgresclusters.postgres-operator.crunchydata.com crd/perconapgclusters.pgv2.percona.com >>"$W/op-crds.log" 2>&1
	check_eq "operator CRDs established" 0 $?
	ensure_ns e2e-ops
	DENIED='admission webhook "validate.pgadmit.dev" denied the request'

	# Exposed cluster resources: denied, each naming the field.
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg-exposed, namespace: e2e-ops}
spec:
  instances: 1
  storage: {size: 1Gi}
  managed:
    services:
      additional:
        - selectorType: rw
          serviceTemplate:
            metadata: {name: pg-exposed-lb}
            spec: {type: LoadBalancer}
Y
)"
	check_has "CloudNativePG Cluster with a LoadBalancer service: denied" "$DENIED" "$out"
	check_has "  ... naming PGA101 and the field" "PGA101 postgres-port-exposed] spec.managed.services.additional[0].serviceTemplate.spec.type" "$out"
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: pooler-exposed, namespace: e2e-ops}
spec:
  cluster: {name: pg-main}
  instances: 1
  type: rw
  pgbouncer: {poolMode: session}
  serviceTemplate:
    spec: {type: NodePort}
Y
)"
	check_has "CloudNativePG Pooler with a NodePort service: denied" "$DENIED" "$out"
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata: {name: acid-exposed, namespace: e2e-ops}
spec:
  teamId: acid
  numberOfInstances: 1
  volume: {size: 1Gi}
  postgresql: {version: "17"}
  enableMasterLoadBalancer: true
  allowedSourceRanges: ["0.0.0.0/0"]
Y
)"
	check_has "Zalando postgresql with an open load balancer: denied" "$DENIED" "$out"
	check_has "  ... naming spec.enableMasterLoadBalancer" "spec.enableMasterLoadBalancer" "$out"
	for v in v1beta1 v1; do
		out="$(k create -f - 2>&1 <<Y
apiVersion: postgres-operator.crunchydata.com/$v
kind: PostgresCluster
metadata: {name: hippo-exposed-$v, namespace: e2e-ops}
spec:
  postgresVersion: 17
  instances: [{name: instance1}]
  service: {type: LoadBalancer}
Y
)"
		check_has "Crunchy PostgresCluster $v with a LoadBalancer service: denied" "$DENIED" "$out"
	done
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: pgv2.percona.com/v2
kind: PerconaPGCluster
metadata: {name: cluster-exposed, namespace: e2e-ops}
spec:
  postgresVersion: 17
  instances: [{name: instance1}]
  expose: {type: NodePort}
Y
)"
	check_has "Percona PerconaPGCluster exposed as NodePort: denied" "$DENIED" "$out"

	# A clean Cluster, and its children.
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg-main, namespace: e2e-ops}
spec:
  instances: 1
  storage: {size: 1Gi}
  backup:
    volumeSnapshot: {className: csi-snap}
  monitoring: {enablePodMonitor: true}
Y
)"
	check_has "clean CloudNativePG Cluster: created" "cluster.postgresql.cnpg.io/pg-main created" "$out"
	uid="$(k get -n e2e-ops clusters.postgresql.cnpg.io pg-main -o jsonpath='{.metadata.uid}' 2>/dev/null)"
	child() { # name
		cat <<Y
apiVersion: v1
kind: Service
metadata:
  name: $1
  namespace: e2e-ops
  labels: {cnpg.io/cluster: pg-main}
  ownerReferences:
    - {apiVersion: postgresql.cnpg.io/v1, kind: Cluster, name: pg-main, uid: "$uid", controller: true}
spec:
  type: LoadBalancer
  selector: {cnpg.io/cluster: pg-main}
  ports: [{name: postgres, port: 5432, targetPort: 5432}]
Y
	}
	mark=$(log_mark)
	out="$(child pg-main-lb | k create -f - 2>&1)"
	check_has "operator child (LoadBalancer Service owned by the Cluster): created" "service/pg-main-lb created" "$out"
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: v1
kind: Pod
metadata:
  name: pg-main-1
  namespace: e2e-ops
  labels: {cnpg.io/cluster: pg-main}
spec:
  hostNetwork: true
  containers:
    - name: postgres
      image: ghcr.io/cloudnative-pg/postgresql:17
      env: [{name: PGPASSWORD, value: e2e-child-Fixture-pw}]
Y
)"
	check_has "operator child (Pod with cnpg.io/cluster): created" "pod/pg-main-1 created" "$out"
	sleep 0.3
	seen="$(reviews_since "$mark")"
	check_lacks "children never reach pgadmit (matchConditions)" '"namespace":"e2e-ops"' "$seen"

	# Without matchConditions (removed from the stored validating
	# configuration with kubectl: after the certgen scenario a helm upgrade
	# conflicts with certgen's caBundle field manager), put back after.
	mc="$(k get validatingwebhookconfiguration pgadmit -o json | jq -c '.webhooks[0].matchConditions')"
	if [ -n "$mc" ] && [ "$mc" != null ] &&
		k patch validatingwebhookconfiguration pgadmit --type=json \
			-p '[{"op":"remove","path":"/webhooks/0/matchConditions"}]' >"$W/op-patch1.log" 2>&1; then
		sleep 1 # the API server's webhook configuration cache
		mark=$(log_mark)
		out="$(child pg-main-lb2 | k create --dry-run=server -f - 2>&1)"
		check_has "without matchConditions: the child is allowed" "service/pg-main-lb2 created (server dry run)" "$out"
		sleep 0.3
		line="$(reviews_since "$mark" | grep '"endpoint":"validate"' | grep '"name":"pg-main-lb2"' | head -n 1)"
		check_has "  ... by the operator-child gate, at info" '"level":"info"' "$line"
		check_has "  ... reason operator-child" '"reason":"operator-child"' "$line"
		check_has "  ... naming the owning Cluster" '"owner":"postgresql.cnpg.io/Cluster pg-main"' "$line"
		k patch validatingwebhookconfiguration pgadmit --type=json \
			-p "[{\"op\":\"add\",\"path\":\"/webhooks/0/matchConditions\",\"value\":$mc}]" >"$W/op-patch2.log" 2>&1 ||
			fail "matchConditions put back" "$(cat "$W/op-patch2.log")"
	else
		fail "matchConditions removed for the gate check" "$mc $(cat "$W/op-patch1.log" 2>/dev/null)"
	fi
	check_lacks "no child password in pgadmit's log" "e2e-child-Fixture-pw" "$(cat "$WH_DIR/serve.log")"

	# Allowed with a warning, then found again by the audit.
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata: {name: acid-nowal, namespace: e2e-ops}
spec:
  teamId: acid
  numberOfInstances: 1
  volume: {size: 1Gi}
  postgresql: {version: "17"}
  env: [{name: WAL_S3_BUCKET, value: ""}]
  sidecars:
    - name: exporter
      image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0
Y
)"
	check_has "Zalando postgresql with WAL archiving off: created" "postgresql.acid.zalan.do/acid-nowal created" "$out"
	check_has "  ... with PGA103's warning" "Warning: PGA103 spec.env[0].value" "$out"
	"$PGADMIT_BIN" audit -n e2e-ops --format json --fail-on never >"$W/op-audit.json" 2>"$W/op-audit.err"
	check_eq "audit -n e2e-ops: exit 0" 0 $?
	got="$(jq -r '.findings[] | "\(.kind)/\(.name) \(.rule) \(.path)"' "$W/op-audit.json" 2>/dev/null | sort | tr '\n' ';')"
	check_eq "audit: the cluster resources' findings, not the children's" \
		"postgresql/acid-nowal PGA103 spec.env[0].value;" "$got"

	# PGA103: ScheduledBackups listed by the webhook (a namespace of its
	# own, so that no earlier review has cached an older listing).
	ensure_ns e2e-ops-sb
	out="$(k create -f - 2>&1 <<'Y'
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata: {name: pg-sched-nightly, namespace: e2e-ops-sb}
spec:
  schedule: "0 0 0 * * *"
  backupOwnerReference: self
  cluster: {name: pg-sched}
  method: volumeSnapshot
Y
)"
	check_has "ScheduledBackup for Cluster pg-sched: created" "scheduledbackup.postgresql.cnpg.io/pg-sched-nightly created" "$out"
	cnpg_cluster() { # name
		printf 'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: %s, namespace: e2e-ops-sb}\nspec:\n  instances: 1\n  storage: {size: 1Gi}\n' "$1"
	}
	out="$(cnpg_cluster pg-sched | k create -f - 2>&1)"
	check_has "Cluster without spec.backup, named by a ScheduledBackup: created" "cluster.postgresql.cnpg.io/pg-sched created" "$out"
	check_lacks "  ... without PGA103 (the webhook listed the ScheduledBackup)" "PGA103" "$out"
	out="$(cnpg_cluster pg-nosched | k create -f - 2>&1)"
	check_has "Cluster without spec.backup, named by no ScheduledBackup: created" "cluster.postgresql.cnpg.io/pg-nosched created" "$out"
	check_has "  ... with PGA103's warning" "Warning: PGA103 metadata.name" "$out"
	check_lacks "  ... a finding, not an API failure" "could not be checked" "$out"
	k delete -n e2e-ops-sb clusters.postgresql.cnpg.io,scheduledbackups.postgresql.cnpg.io --all --wait=false >/dev/null 2>&1
	k delete -n e2e-ops pods,services --all --wait=false >/dev/null 2>&1
	k delete -n e2e-ops clusters.postgresql.cnpg.io,postgresqls.acid.zalan.do --all --wait=false >/dev/null 2>&1
fi
