# tests/e2e/audit.sh — `pgadmit audit` and its PolicyReports against the
# real API server (issue 15). Sourced by tests/e2e/run.sh after the other
# scenarios have run and while the chart is installed (scenario name
# "audit"); uses its helpers (k, ok, fail, check_eq, check_has, ensure_ns,
# section, skip) and $W, $PGADMIT_BIN, $KUBECONFIG, $CP_DIR, $API_URL.
#
#   - the PolicyReport CRD comes from a Go module at test time (Kyverno's
#     config/crds/policyreport, never copied here); if the module proxy does
#     not serve it, the chart's minimal CRD (audit.installCRD) is used
#   - objects are seeded while their namespace is labelled
#     pgadmit.dev/ignore=true (the webhook never sees them: only audit can),
#     then the label is removed; one namespace keeps it (skipped)
#   - audit through kubeconfigs of every kind the harness writes: client
#     certificate files (admin), certificate data, a token with CA data
#   - reports as the API server stores them: results, resources with uid,
#     summary, replaced in place on a second run, cleared when fixed
#   - the chart's audit ServiceAccount and RBAC are enough; a bare one gets
#     a clear error naming the missing permission; an API that breaks
#     mid-listing gives exit 2 and no report

AUDIT_CRD_MODULE="github.com/kyverno/kyverno@v1.13.4 config/crds/policyreport"

# audit_kubeconfig FILE [token TOKEN | data]: a kubeconfig for $API_URL
# (tests/lib/kube.sh), the admin's certificate as data or a token.
audit_kubeconfig() {
	local pki="$CP_DIR/pki"
	if [ "$2" = token ]; then
		kube_kubeconfig "$1" "$API_URL" "$pki/ca.crt" token "$3"
	else
		kube_kubeconfig "$1" "$API_URL" "$pki/ca.crt" data "$pki/admin.crt" "$pki/admin.key"
	fi
}

audit_seed() {
	local ns
	for ns in a-shop a-backed a-clean a-optout a-ignored; do
		ensure_ns "$ns"
		k label ns "$ns" pgadmit.dev/ignore=true --overwrite >/dev/null
	done
	k apply -f - >"$W/audit-seed.log" 2>&1 <<'EOY'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: a-shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: pg
          image: postgres:16
          env: [{name: POSTGRES_PASSWORD, value: hunter2-not-in-reports}]
---
apiVersion: v1
kind: Service
metadata: {name: db-public, namespace: a-shop}
spec:
  type: NodePort
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: a-backed}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: pg
          image: postgres:16
          env: [{name: POSTGRES_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]
        - name: metrics
          image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: db-backup, namespace: a-backed}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: dump
              image: postgres:16
              command: [pg_dump, -h, db, -f, /backup/db.sql]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a-clean}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-child
  namespace: a-clean
  ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: 6b1c2a3e-0000-4000-8000-000000000001, controller: true}
spec:
  containers:
    - name: app
      image: postgres:16
      env: [{name: POSTGRES_PASSWORD, value: child-of-a-controller}]
---
apiVersion: v1
kind: Service
metadata:
  name: db-nodeport
  namespace: a-optout
  annotations:
    pgadmit.dev/ignore-postgres-port-exposed: "lab cluster, firewalled at the edge"
spec:
  type: NodePort
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: db-public, namespace: a-ignored}
spec:
  type: NodePort
  selector: {app: db}
  ports: [{port: 5432}]
EOY
	local rc=$?
	for ns in a-shop a-backed a-clean a-optout; do
		k label ns "$ns" pgadmit.dev/ignore- >/dev/null
	done
	return $rc
}

audit_install_crd() {
	local mod sub dir f
	read -r mod sub <<<"$AUDIT_CRD_MODULE"
	dir="$(go_module_dir "$mod")"
	if [ -n "$dir" ] && [ -f "$dir/$sub/wgpolicyk8s.io_policyreports.yaml" ]; then
		for f in "$dir/$sub"/wgpolicyk8s.io_*.yaml; do
			k apply --server-side -f "$f" >>"$W/audit-crd.log" 2>&1
		done
		AUDIT_CRD_FROM="Go module $mod ($sub)"
	else
		# The chart's own minimal CRD (audit.installCRD), applied alone.
		"$HELM" template pgadmit charts/pgadmit -n pgadmit --set audit.installCRD=true \
			--show-only templates/audit-crd-policyreport.yaml >"$W/audit-crd.yaml" 2>>"$W/audit-crd.log" &&
			k apply --server-side -f "$W/audit-crd.yaml" >>"$W/audit-crd.log" 2>&1
		AUDIT_CRD_FROM="the chart's minimal CRD (module $mod not served)"
	fi
	k wait --for condition=Established --timeout 30s crd/policyreports.wgpolicyk8s.io \
		crd/clusterpolicyreports.wgpolicyk8s.io >>"$W/audit-crd.log" 2>&1
}

# A stand-in API server on loopback that answers the namespace list and the
# first page of CronJobs, then breaks the connection on the next page.
audit_broken_api() {
	local port="$1"
	python3 - "$port" "$CP_DIR/pki/apiserver.crt" "$CP_DIR/pki/apiserver.key" <<'EOP' &
import http.server, json, socket, ssl, sys
port, crt, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith("/api/v1/namespaces?"):
            body = {"kind": "NamespaceList", "metadata": {}, "items": [{"metadata": {"name": "big"}}]}
        elif "/cronjobs" in self.path and "continue=" not in self.path:
            body = {"kind": "CronJobList", "metadata": {"continue": "page2"}, "items": []}
        else:
            self.connection.shutdown(socket.SHUT_RDWR)  # the API goes away mid-listing
            self.close_connection = True
            return
        b = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(crt, key)
srv = http.server.HTTPServer(("127.0.0.1", port), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
EOP
	AUDIT_STUB_PID=$!
}

polr() { k get policyreport pgadmit -n "$1" -o json 2>/dev/null; }

if want audit; then
	section "audit: what is already in the cluster, as PolicyReports"
	audit_seed && ok "seeded 5 namespaces while they were ignored by the webhook" ||
		fail "seed" "$(tail -n 5 "$W/audit-seed.log")"

	# Without the CRD: the report is printed, the missing CRD said once.
	out="$("$PGADMIT_BIN" audit --policy-reports --format json 2>"$W/audit-nocrd.err")"
	rc=$?
	check_eq "no CRD: exit 1 (deny findings)" 1 "$rc"
	check_eq "no CRD: said once" 1 "$(grep -c 'PolicyReport CRD (wgpolicyk8s.io/v1alpha2) is not installed' "$W/audit-nocrd.err")"
	check_has "no CRD: the report is still printed" '"rule":"PGA101"' "$(jq -c '.findings[]' <<<"$out" 2>/dev/null)"

	audit_install_crd
	check_eq "PolicyReport CRD established ($AUDIT_CRD_FROM)" 0 $?

	# Admin: client certificate files (the harness's kubeconfig).
	"$PGADMIT_BIN" audit --format json --policy-reports --stats >"$W/audit1.json" 2>"$W/audit1.err"
	check_eq "audit (client certificate files): exit 1" 1 $?
	refs="$(jq -r '.findings[] | "\(.rule) \(.file)"' "$W/audit1.json" | grep ' [a-z/0-9]*/namespaces/a-' | LC_ALL=C sort)"
	check_eq "audit: findings name the objects' API references" \
		"PGA101 v1/namespaces/a-optout/services/db-nodeport
PGA101 v1/namespaces/a-shop/services/db-public
PGA102 apps/v1/namespaces/a-shop/statefulsets/db
PGA103 apps/v1/namespaces/a-shop/statefulsets/db
PGA106 apps/v1/namespaces/a-shop/statefulsets/db" "$refs"
	check_lacks "audit: an ignored namespace is not judged" "a-ignored" "$(cat "$W/audit1.json")"
	check_lacks "audit: a controller-owned Pod is not judged" "web-child" "$(cat "$W/audit1.json")"
	check_lacks "audit: kube-system is not judged" "kube-system" "$(cat "$W/audit1.json")"
	check_lacks "audit: PGA103 quiet where a pg_dump CronJob exists (PGA106: an exporter sidecar)" "namespaces/a-backed" "$(cat "$W/audit1.json")"
	check_lacks "audit: no password in the report" "hunter2" "$(cat "$W/audit1.json")"
	check_has "audit --stats: figures" "API requests" "$(cat "$W/audit1.err")"
	grep 'audit stats' "$W/audit1.err" | sed 's/^/       /'

	p="$(polr a-shop)"
	check_eq "a-shop report: managed-by label" pgadmit "$(jq -r '.metadata.labels["app.kubernetes.io/managed-by"]' <<<"$p")"
	check_eq "a-shop report: summary" '{"error":0,"fail":2,"pass":0,"skip":0,"warn":2}' "$(jq -cS .summary <<<"$p")"
	check_eq "a-shop report: results (policy rule result severity source)" \
		"postgres-backup-missing PGA103 warn medium pgadmit
postgres-credentials-inline PGA102 fail high pgadmit
postgres-monitoring-missing PGA106 warn medium pgadmit
postgres-port-exposed PGA101 fail high pgadmit" \
		"$(jq -r '.results[] | "\(.policy) \(.rule) \(.result) \(.severity) \(.source)"' <<<"$p" | sort)"
	sts_uid="$(k get statefulset db -n a-shop -o jsonpath='{.metadata.uid}')"
	check_eq "a-shop report: PGA102 resource with apiVersion, kind, namespace, name and uid" \
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"db\",\"namespace\":\"a-shop\",\"uid\":\"$sts_uid\"}" \
		"$(jq -cS '.results[] | select(.rule=="PGA102") | .resources[0]' <<<"$p")"
	check_eq "a-shop report: properties path and fix" "spec.template.spec.containers[0].env[0].value store it in a Secret and use valueFrom.secretKeyRef" \
		"$(jq -r '.results[] | select(.rule=="PGA102") | "\(.properties.path) \(.properties.fix)"' <<<"$p")"
	check_lacks "a-shop report: no password" "hunter2" "$p"
	p="$(polr a-optout)"
	check_eq "a-optout report: the opt-out is a skip with its reason" \
		"skip PGA101 ignored by annotation: lab cluster, firewalled at the edge" \
		"$(jq -r '.results[] | "\(.result) \(.message)"' <<<"$p")"
	check_eq "a-optout report: summary skip 1" 1 "$(jq -r .summary.skip <<<"$p")"
	check_eq "clean namespaces and ignored ones get no report" "" \
		"$(for ns in a-backed a-clean a-ignored; do polr "$ns" >/dev/null && echo "$ns"; done)"
	out="$(k get policyreports -A 2>&1)"
	echo "$out" | grep -E 'NAMESPACE|a-' | sed 's/^/       /'
	check_has "kubectl get policyreports -A: a-shop row" "$(printf 'a-shop')" "$out"
	check_eq "kubectl get policyreports -A: a-shop pgadmit fail 2 warn 2" "a-shop pgadmit 0 2 2 0 0" \
		"$(k get policyreports -A --no-headers -o custom-columns=NS:.metadata.namespace,N:.metadata.name,P:.summary.pass,F:.summary.fail,W:.summary.warn,E:.summary.error,S:.summary.skip | awk '$1=="a-shop"' | tr -s ' ')"

	# Second run: replaced in place, not duplicated.
	rv1="$(polr a-shop | jq -r '.metadata.uid + " " + .metadata.resourceVersion')"
	audit_kubeconfig "$W/audit-data.kubeconfig" data
	"$PGADMIT_BIN" audit --kubeconfig "$W/audit-data.kubeconfig" --policy-reports --format sarif >"$W/audit2.sarif" 2>"$W/audit2.err"
	check_eq "audit (certificate data kubeconfig, SARIF): exit 1" 1 $?
	check_has "SARIF: artifact is the API reference" "apps/v1/namespaces/a-shop/statefulsets/db" \
		"$(jq -r '.runs[0].results[].locations[0].physicalLocation.artifactLocation.uri' "$W/audit2.sarif" 2>/dev/null)"
	p="$(polr a-shop)"
	rv2="$(jq -r '.metadata.uid + " " + .metadata.resourceVersion' <<<"$p")"
	[ "${rv1%% *}" = "${rv2%% *}" ] && [ "$rv1" != "$rv2" ] &&
		ok "second run: same report (uid), new resourceVersion (replaced in place)" ||
		fail "second run replaces in place" "$rv1 -> $rv2"
	check_eq "second run: still 4 results" 4 "$(jq '.results | length' <<<"$p")"

	# Fixed: the NodePort goes, then the whole database.
	k delete service db-public -n a-shop >/dev/null
	"$PGADMIT_BIN" audit --policy-reports -n a-shop >/dev/null 2>&1
	check_eq "after deleting the NodePort: fail 1 warn 2" "1 2" "$(polr a-shop | jq -r '"\(.summary.fail) \(.summary.warn)"')"
	k delete statefulset db -n a-shop >/dev/null
	"$PGADMIT_BIN" audit --policy-reports -n a-shop >"$W/audit3.txt" 2>&1
	check_eq "all fixed: exit 0" 0 $?
	check_eq "all fixed: the report is cleared, not left stale" '0 {"error":0,"fail":0,"pass":0,"skip":0,"warn":0}' \
		"$(polr a-shop | jq -cS '"\(.results | length) \(.summary | tojson)"' -r)"

	# The chart's audit ServiceAccount: a token, CA data, its RBAC only.
	if k get clusterrole pgadmit-audit >/dev/null 2>&1; then
		tok="$(k create token pgadmit-audit -n pgadmit --duration 1h 2>&1)"
		audit_kubeconfig "$W/audit-sa.kubeconfig" token "$tok"
		"$PGADMIT_BIN" audit --kubeconfig "$W/audit-sa.kubeconfig" --policy-reports --exclude-namespace pgadmit \
			--format json >"$W/audit-sa.json" 2>"$W/audit-sa.err"
		check_eq "chart's audit ServiceAccount (token kubeconfig): exit 0 (only an opt-out left), nothing denied" "0 " \
			"$? $(grep -i forbidden "$W/audit-sa.err")"
		check_eq "chart's audit ServiceAccount: the findings left after the fixes" \
			'["v1/namespaces/a-optout/services/db-nodeport"]' \
			"$(jq -c '[.findings[] | select(.file | test("/a-")) | .file] | sort' "$W/audit-sa.json")"
		check_eq "chart's audit ServiceAccount: wrote the a-optout report" 1 "$(polr a-optout | jq -r .summary.skip)"
	else
		skip "chart's audit ServiceAccount" "the installed chart has no audit RBAC"
	fi

	# RBAC denied: a ServiceAccount without any permission.
	k create serviceaccount audit-nobody -n pgadmit >/dev/null 2>&1
	tok="$(k create token audit-nobody -n pgadmit --duration 1h)"
	audit_kubeconfig "$W/audit-nobody.kubeconfig" token "$tok"
	out="$("$PGADMIT_BIN" audit --kubeconfig "$W/audit-nobody.kubeconfig" 2>"$W/audit-nobody.err")"
	check_eq "RBAC denied: exit 2, nothing on stdout" "2 " "$? $out"
	check_has "RBAC denied: names the missing permission" \
		'cannot list resource "namespaces" in API group "" at the cluster scope' "$(cat "$W/audit-nobody.err")"
	k create clusterrole audit-ns-only --verb=list,get --resource=namespaces >/dev/null 2>&1
	k create clusterrolebinding audit-ns-only --clusterrole=audit-ns-only --serviceaccount=pgadmit:audit-nobody >/dev/null 2>&1
	out="$("$PGADMIT_BIN" audit --kubeconfig "$W/audit-nobody.kubeconfig" 2>"$W/audit-nobody2.err")"
	check_eq "RBAC: namespaces only: exit 2" 2 $?
	check_has "RBAC: namespaces only: names cronjobs in batch" \
		'cannot list resource "cronjobs" in API group "batch"' "$(cat "$W/audit-nobody2.err")"

	# The API breaks mid-listing: exit 2 with why, no report printed.
	sport=$(free_port)
	audit_broken_api "$sport"
	for _ in $(seq 1 50); do curl -sk "https://127.0.0.1:$sport/api/v1/namespaces?limit=1" >/dev/null 2>&1 && break; sleep 0.1; done
	sed "s#$API_URL#https://127.0.0.1:$sport#" "$W/audit-data.kubeconfig" >"$W/audit-broken.kubeconfig"
	out="$("$PGADMIT_BIN" audit --kubeconfig "$W/audit-broken.kubeconfig" --format json 2>"$W/audit-broken.err")"
	check_eq "API breaks mid-listing: exit 2, no report on stdout" "2 " "$? $out"
	check_has "API breaks mid-listing: says which request broke" "GET /apis/batch/v1/namespaces/big/cronjobs" "$(cat "$W/audit-broken.err")"
	kill "$AUDIT_STUB_PID" 2>/dev/null
	wait "$AUDIT_STUB_PID" 2>/dev/null

	# probe --policy-reports: a real PostgreSQL on loopback, named once
	# through a Service DNS name (hostaddr keeps the connection on
	# 127.0.0.1) and once by address.
	if [ -x "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)/initdb" ] || [ -n "${PGADMIT_PG_BIN:-}" ]; then
		T="$(mktemp -d /tmp/pgadmit-e2e-pg.XXXXXX)"
		chmod 755 "$T"
		AUDIT_PG_STOPS=()
		t_on_exit() { AUDIT_PG_STOPS+=("$1"); }
		source tests/lib/probe/pg_lib.sh
		if pg_new probe && pg_hba probe "host all all 127.0.0.1/32 trust" && pg_start probe; then
			ensure_ns a-probe
			k create service clusterip db -n a-probe --tcp=5432:5432 >/dev/null 2>&1
			svc_uid="$(k get service db -n a-probe -o jsonpath='{.metadata.uid}')"
			pp=${PG_PORT[probe]}
			printf '%s\n' "host=db.a-probe.svc hostaddr=127.0.0.1 port=$pp dbname=postgres user=postgres password=probe-secret-pw" \
				"host=127.0.0.1 port=$pp dbname=postgres user=postgres password=probe-secret-pw" >"$T/dsns"
			PGADMIT_PROBE_DSN_FILE="$T/dsns" "$PGADMIT_BIN" probe --policy-reports --format json --fail-on never \
				>"$W/probe.json" 2>"$W/probe.err"
			check_eq "probe --policy-reports: exit 0" 0 $?
			check_has "probe --policy-reports: says how many" "2 PolicyReports written" "$(cat "$W/probe.err")"
			p="$(k get policyreport pgadmit-probe -n a-probe -o json 2>&1)"
			want_n="$(jq '[.targets[] | select(.target | startswith("db.a-probe.svc")) | .findings[] | select(.unknown | not)] | length' "$W/probe.json")"
			check_eq "probe report in the Service's namespace: one result per finding ($want_n)" "$want_n" "$(jq '.results | length' <<<"$p")"
			[ "$want_n" -gt 0 ] && ok "probe report: the loopback server has findings" || fail "probe report: findings expected"
			check_eq "probe report: the Service (with uid) is the resource" \
				"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"name\":\"db\",\"namespace\":\"a-probe\",\"uid\":\"$svc_uid\"}" \
				"$(jq -cS '[.results[].resources[0]] | unique | .[0]' <<<"$p")"
			check_eq "probe report: messages name the target host:port/db" "db.a-probe.svc:$pp/postgres" \
				"$(jq -r '[.results[].message | split(": ")[0]] | unique | .[0]' <<<"$p")"
			cp_="$(k get clusterpolicyreport pgadmit-probe -o json 2>&1)"
			check_eq "probe report: a target by address goes to the ClusterPolicyReport" "127.0.0.1:$pp/postgres" \
				"$(jq -r '[.results[].resources[0].name] | unique | .[0]' <<<"$cp_")"
			check_lacks "probe reports: no password" "probe-secret-pw" "$p $cp_"
			check_eq "probe reports: audit's report beside it untouched" 1 "$(polr a-optout | jq -r .summary.skip)"
		else
			fail "PostgreSQL for the probe reports" "see above"
		fi
		for c in "${AUDIT_PG_STOPS[@]}"; do $c; done
		rm -rf "$T"
	else
		skip "probe --policy-reports" "no PostgreSQL server binaries"
	fi
fi
