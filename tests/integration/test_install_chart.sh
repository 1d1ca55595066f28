#!/bin/bash
# The Helm chart: `helm lint --strict` and `helm template` for the defaults
# and every major toggle, every rendered object validated with
# kubernetes-models, the chart judged by its own rules (`pgadmit check`),
# structured assertions on the webhook configurations and workloads
# (tests/chart/assert.js), values.schema.json rejecting wrong values, and
# deploy/ identical to a fresh render. Helm 4 and the node packages come from
# npm (scripts/get-helm, cached in build/tools); skipped only when npm cannot
# fetch them at all.
source tests/integration/lib.sh
t_tmpdir
TOOLS="${PGADMIT_TOOLS:-$ROOT/build/tools}"
export PGADMIT_TOOLS="$TOOLS"
cd "$ROOT"

if ! HELM="$(scripts/get-helm "$TOOLS" 2>"$T/get-helm.err")"; then
	# Skip only when the npm registry is unreachable; any other failure fails.
	if ! timeout 30 npm view --silent yaml version >/dev/null 2>&1; then
		t_ok "skipped: npm cannot fetch Helm ($(head -n 1 "$T/get-helm.err"))"
		t_finish
	fi
	t_fail "get Helm" "$(cat "$T/get-helm.err")"
	t_finish
fi
"$HELM" version --short | grep -q '^v4\.' && t_ok "Helm 4" || t_fail "Helm 4" "$("$HELM" version --short)"

# A real CA bundle for the user-supplied-certificate mode.
"$PGADMIT" certgen --service pgadmit --namespace pgadmit --out-dir "$T/usercerts" >/dev/null
export CA_BUNDLE="$(base64 -w0 <"$T/usercerts/ca.crt")"

declare -A SETS=(
	[default]=""
	[certmanager]="--set tls.mode=certManager"
	[certmanager-issuer]="--set tls.mode=certManager --set tls.certManager.issuerRef.name=corp-ca --set tls.certManager.issuerRef.kind=ClusterIssuer"
	[secret]="--set tls.mode=secret --set tls.secret.name=my-webhook-tls --set tls.secret.caBundle=$CA_BUNDLE"
	[probe]="--set probe.enabled=true --set probe.dsnSecret.name=pg-dsns --set probe.dsnSecret.key=targets --set probe.shards=3"
	[probe1]="--set probe.enabled=true --set probe.dsnSecret.name=pg-dsns"
	[monitoring]="--set networkPolicy.enabled=true --set serviceMonitor.enabled=true --set prometheusRule.enabled=true --set networkPolicy.apiServerCIDRs={10.96.0.1/32}"
	[nomutating]="--set webhook.mutating.enabled=false"
	[excludes]="--set webhook.excludeNamespaces={legacy,sandbox}"
	[url]="--set webhook.url=https://127.0.0.1:9443/ --set tls.mode=secret --set tls.secret.name=my-webhook-tls --set tls.secret.caBundle=$CA_BUNDLE"
	[url-certgen]="--set webhook.url=https://127.0.0.1:9443"
)
for s in default certmanager certmanager-issuer secret probe probe1 monitoring nomutating excludes url url-certgen; do
	# shellcheck disable=SC2086
	if "$HELM" lint --strict --namespace pgadmit charts/pgadmit ${SETS[$s]} >"$T/lint.$s" 2>&1; then
		t_ok "$s: helm lint --strict"
	else
		t_fail "$s: helm lint --strict" "$(grep -E 'ERROR|WARNING' "$T/lint.$s" | head -n 3)"
	fi
	out="$T/render.$s.yaml"
	# shellcheck disable=SC2086
	if ! "$HELM" template pgadmit charts/pgadmit --namespace pgadmit ${SETS[$s]} >"$out" 2>"$T/tmpl.$s.err"; then
		t_fail "$s: helm template" "$(cat "$T/tmpl.$s.err")"
		continue
	fi
	t_ok "$s: helm template"
	if node tests/chart/validate.js "$out" >"$T/val.$s" 2>&1; then
		t_ok "$s: kubernetes-models validation ($(tail -n 1 "$T/val.$s" | sed 's/validate: //'))"
	else
		t_fail "$s: kubernetes-models validation" "$(grep -E 'INVALID|validate:' "$T/val.$s" | head -n 5)"
	fi
	# The chart passes its own rules: nothing at deny.
	"$PGADMIT" check -f - --fail-on deny <"$out" >"$T/check.$s" 2>&1
	t_eq "$s: pgadmit check finds nothing at deny" 0 $?
	node tests/chart/assert.js "$s" "$out" pgadmit >"$T/assert.$s" 2>&1
	rc=$?
	# Each failure is reported by name; the passes of one rendering count
	# as one result (the defaults' are listed one by one).
	nok="$(grep -c '^ok ' "$T/assert.$s")"
	while IFS= read -r line; do
		case "$line" in
		"ok "*) [ "$s" = default ] && t_ok "$s: ${line#ok }" ;;
		"FAIL "*) t_fail "$s: ${line#FAIL }" ;;
		esac
	done <"$T/assert.$s"
	[ "$s" != default ] && ! grep -q '^FAIL ' "$T/assert.$s" && [ "$nok" -gt 0 ] &&
		t_ok "$s: structured assertions ($nok checks)"
	[ $rc -eq 0 ] || grep -q '^FAIL ' "$T/assert.$s" || t_fail "$s: assert.js ran" "$(tail -n 3 "$T/assert.$s")"
done

# values.schema.json: wrong types and unknown values are refused, clearly.
schema_rejects() { # name expected-substring --set ...
	local name="$1" want="$2"
	shift 2
	if "$HELM" template pgadmit charts/pgadmit "$@" >/dev/null 2>"$T/schema.err"; then
		t_fail "schema rejects $name" "rendered"
	elif grep -qF -- "$want" "$T/schema.err"; then
		t_ok "schema rejects $name"
	else
		t_fail "schema rejects $name" "$(cat "$T/schema.err")"
	fi
}
schema_rejects "replicaCount=abc" "at '/replicaCount': got string, want integer" --set replicaCount=abc
schema_rejects "an unknown value" "additional properties 'replicas' not allowed" --set replicas=3
schema_rejects "failurePolicy=Sometimes" "/webhook/failurePolicy" --set webhook.failurePolicy=Sometimes
schema_rejects "tls.mode=vault" "/tls/mode" --set tls.mode=vault
schema_rejects "timeoutSeconds=60" "/webhook/timeoutSeconds" --set webhook.timeoutSeconds=60
schema_rejects "a bad rule action" "/policy/rules/PGA101" --set policy.rules.PGA101=block
schema_rejects "secret mode without a Secret" "/tls/secret" --set tls.mode=secret
schema_rejects "probe without its Secret" "/probe/dsnSecret/name" --set probe.enabled=true
schema_rejects "renewDays >= days" "tls.certgen.renewDays must be less than tls.certgen.days" --set tls.certgen.days=30
schema_rejects "port 70000" "/policy/postgres/ports/0" --set policy.postgres.ports={70000}
schema_rejects "an http webhook.url" "/webhook/url" --set webhook.url=http://127.0.0.1:9443
schema_rejects "a webhook.url with user info" "/webhook/url" --set webhook.url=https://u:p@127.0.0.1:9443
schema_rejects "a webhook.url with a query" "/webhook/url" --set 'webhook.url=https://127.0.0.1:9443/?a=b'

# Kubernetes 1.25 is the oldest supported (automatic kubernetes.io/metadata.name
# labels, batch/v1 CronJob, policy/v1 PDB, Indexed Jobs all GA by then).
"$HELM" template pgadmit charts/pgadmit --kube-version 1.25.0 >/dev/null 2>&1
t_eq "renders for Kubernetes 1.25" 0 $?
schema_rejects "Kubernetes 1.24" "chart requires kubeVersion: >=1.25.0-0" --kube-version 1.24.0
# matchConditions only for API servers that have them (1.28+), or not at all
# when turned off.
for kv in 1.27.9:0 1.28.0:2 1.34.4:2; do
	n="$("$HELM" template pgadmit charts/pgadmit --kube-version "${kv%%:*}" | grep -c '^    matchConditions:')"
	t_eq "Kubernetes ${kv%%:*}: matchConditions on ${kv##*:} webhooks" "${kv##*:}" "$n"
done
n="$("$HELM" template pgadmit charts/pgadmit --set webhook.matchConditions.enabled=false | grep -c 'matchConditions:')"
t_eq "webhook.matchConditions.enabled=false: none" 0 "$n"

# Overrides reach the rendering.
"$HELM" template pgadmit charts/pgadmit --namespace pgadmit --set webhook.failurePolicy=Ignore \
	--set webhook.timeoutSeconds=10 --set replicaCount=3 >"$T/over.yaml"
node tests/lib/chart_yaml.js "$TOOLS" webhook-settings "$T/over.yaml" >"$T/over.out" 2>&1
t_eq "overrides: failurePolicy, timeout, replicas" "Ignore 10 3" "$(cat "$T/over.out")"
"$HELM" template pgadmit charts/pgadmit --namespace pgadmit --set replicaCount=1 >"$T/one.yaml"
grep -q "kind: PodDisruptionBudget" "$T/one.yaml" && t_fail "1 replica: no PDB (it would block drains)" ||
	t_ok "1 replica: no PDB (it would block drains)"
"$HELM" template pgadmit charts/pgadmit --namespace pgadmit --set policy.rules.PGA103=deny >"$T/pol.yaml"
[ "$(grep 'checksum/config' "$T/pol.yaml")" != "$(grep 'checksum/config' "$T/render.default.yaml")" ] &&
	t_ok "a policy change changes checksum/config" || t_fail "a policy change changes checksum/config"
"$HELM" template pgadmit charts/pgadmit --namespace other-ns >"$T/ns.yaml"
grep -A4 'kubernetes.io/metadata.name' "$T/ns.yaml" | grep -q -- '- other-ns' &&
	t_ok "release namespace excluded wherever installed" || t_fail "release namespace excluded wherever installed"

# The policy the chart renders is one pgadmit accepts.
node tests/lib/chart_yaml.js "$TOOLS" policy "$T/pol.yaml" >"$T/policy.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n' |
	"$PGADMIT" check --policy "$T/policy.yaml" -f - >/dev/null 2>"$T/policy.err"
t_eq "rendered policy loads in pgadmit" 0 $?

# NOTES.txt: the smoke test and the emergency runbook, with this release's
# names (and no mutating line when it is off).
"$HELM" install pgadmit charts/pgadmit --dry-run=client -n pgadmit 2>&1 | sed -n '/^NOTES:/,$p' >"$T/notes"
for want in "kubectl apply --dry-run=server -n pgadmit-smoke -f -" \
	"kubectl delete validatingwebhookconfiguration pgadmit" \
	"kubectl delete mutatingwebhookconfiguration pgadmit-mutating" \
	"helm test pgadmit -n pgadmit" "kubectl label namespace NAME pgadmit.dev/ignore=true"; do
	grep -qF -- "$want" "$T/notes" && t_ok "NOTES: $want" || t_fail "NOTES: $want" "missing"
done
"$HELM" install pgadmit charts/pgadmit --dry-run=client -n pgadmit --set webhook.mutating.enabled=false 2>&1 |
	sed -n '/^NOTES:/,$p' >"$T/notes2"
grep -q "mutatingwebhookconfiguration" "$T/notes2" && t_fail "NOTES: no mutating runbook line when it is off" ||
	t_ok "NOTES: no mutating runbook line when it is off"

# Every value has a schema entry and a row in README.md ("Values").
node - "$TOOLS" >"$T/values.check" 2>&1 <<'EOF2'
const tools = process.argv[2];
const YAML = require(require("module").createRequire(tools + "/package.json").resolve("yaml"));
const fs = require("fs");
const values = YAML.parse(fs.readFileSync("charts/pgadmit/values.yaml", "utf8"));
const schema = JSON.parse(fs.readFileSync("charts/pgadmit/values.schema.json", "utf8"));
// The values table lives in docs/install.md (README.md before the split).
const doc = ["README.md", "docs/install.md"].filter((f) => fs.existsSync(f))
  .map((f) => fs.readFileSync(f, "utf8")).join("\n");
const leafObjects = new Set(["resources", "issuerRef", "tlsConfig"]);
function walk(v, s, p) {
  for (const [k, x] of Object.entries(v)) {
    const q = p ? p + "." + k : k;
    const sub = s && s.properties && s.properties[k];
    if (!sub) console.log("FAIL no schema for " + q);
    else if (!sub.type && !sub.anyOf) console.log("FAIL schema for " + q + " has no type");
    if (x && typeof x === "object" && !Array.isArray(x) && Object.keys(x).length && !leafObjects.has(k)) {
      if (sub && sub.additionalProperties !== false) console.log("FAIL schema for " + q + " allows unknown keys");
      walk(x, sub, q);
    } else if (!doc.includes("| `" + q + "` |")) console.log("FAIL not documented: " + q);
    else console.log("ok " + q);
  }
}
if (schema.additionalProperties !== false) console.log("FAIL top level allows unknown keys");
walk(values, schema, "");
EOF2
nv="$(grep -c '^ok ' "$T/values.check")"
grep -q '^FAIL' "$T/values.check" && t_fail "every value typed and documented" "$(grep '^FAIL' "$T/values.check" | head -n 5)" ||
	t_ok "every value ($nv) typed in the schema and documented (docs/install.md, \"Values\")"

# deploy/ is what the chart renders today.
tests/chart/render-deploy.sh "$HELM" "$T/deploy" && diff -ru deploy "$T/deploy" >"$T/deploy.diff" 2>&1
t_eq "deploy/ identical to a fresh render" "" "$(head -n 20 "$T/deploy.diff")"
node tests/chart/validate.js deploy/*.yaml >"$T/val.deploy" 2>&1 &&
	t_ok "deploy/ validates" || t_fail "deploy/ validates" "$(grep INVALID "$T/val.deploy" | head -n 3)"
grep -q "helm.sh/hook: test" deploy/pgadmit.yaml && t_fail "deploy/ holds no helm test Pod" || t_ok "deploy/ holds no helm test Pod"
t_finish
