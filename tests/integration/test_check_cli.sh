# End-to-end tests of `pgadmit check`: the built binary on the example
# manifests, stdin, directories, several -f, exit codes, formats and
# redaction. JSON and SARIF are read back by the named checks of
# tests/lib/check_report.py (cr) and tests/lib/jsontool.py (jt).
source "$(dirname "$0")/lib.sh"
cr() { python3 "$ROOT/tests/lib/check_report.py" "$@"; }
t_tmpdir
EX="$ROOT/examples"
SECRETS="Tr0ub4dor hunter2-prod w0rker-pw compose-s3cret"

# --- exit codes and bundle ------------------------------------------------
"$PGADMIT" check -f "$EX" --format json >"$T/all.json" 2>"$T/all.err"
t_eq "examples: exit 1 (deny findings)" 1 $?
"$PGADMIT" check -f "$EX/clean-release.yaml" >"$T/clean.txt" 2>&1
t_eq "clean release: exit 0" 0 $?
grep -q "^no findings" "$T/clean.txt" && t_ok "clean release: no findings" ||
	t_fail "clean release: no findings" "$(cat "$T/clean.txt")"
"$PGADMIT" check --fail-on never -f "$EX" >/dev/null 2>&1
t_eq "--fail-on never: exit 0" 0 $?
"$PGADMIT" check --fail-on warn -f "$EX/clean-release.yaml" >/dev/null 2>&1
t_eq "--fail-on warn on clean: exit 0" 0 $?

# warn-only input: SSL disabled in a ConfigMap is PGA104 (warn)
cat >"$T/warn.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: app}
data:
  DATABASE_URL: postgresql://app@db:5432/app?sslmode=disable
Y
"$PGADMIT" check -f "$T/warn.yaml" >/dev/null 2>&1
t_eq "warn only, --fail-on deny: exit 0" 0 $?
"$PGADMIT" check -f "$T/warn.yaml" --fail-on warn >/dev/null 2>&1
t_eq "warn only, --fail-on warn: exit 1" 1 $?

# --- JSON shape -------------------------------------------------------------
cr json-shape "$T/all.json" >"$T/json.out" 2>&1
grep -qx ok "$T/json.out" && t_ok "json: shape and expected findings" ||
	t_fail "json: shape and expected findings" "$(tail -3 "$T/json.out")"

# --- SARIF ------------------------------------------------------------------
"$PGADMIT" check -f "$EX" --format sarif >"$T/all.sarif" 2>/dev/null
cr sarif-shape "$T/all.sarif" >"$T/sarif.out" 2>&1
grep -qx ok "$T/sarif.out" && t_ok "sarif: 2.1.0 with rules and physical locations" ||
	t_fail "sarif: structure" "$(tail -3 "$T/sarif.out")"

# --- text -------------------------------------------------------------------
"$PGADMIT" check -f "$EX/app-inline-url.yaml" >"$T/text.out" 2>&1
grep -q "app-inline-url.yaml:25: deny PGA102 postgres-credentials-inline" "$T/text.out" &&
	t_ok "text: file:line rule block" || t_fail "text: file:line rule block" "$(head -5 "$T/text.out")"
grep -q $'\033\[' "$T/text.out" && t_fail "text: no colour when not a TTY" || t_ok "text: no colour when not a TTY"

# --- stdin, several -f, directory --------------------------------------------
cat "$EX/postgres-statefulset.yaml" | "$PGADMIT" check --format json >"$T/stdin.json" 2>&1
cr stdin-lines "$T/stdin.json" >/dev/null 2>&1 &&
	t_ok "stdin: no -f reads stdin, lines counted" || t_fail "stdin: no -f" "$(head -c 300 "$T/stdin.json")"
cat "$EX/app-inline-url.yaml" | "$PGADMIT" check -f - -f "$EX/clean-release.yaml" --format json >"$T/multi.json" 2>&1
cr several-f "$T/multi.json" >/dev/null 2>&1 &&
	t_ok "several -f form one bundle" || t_fail "several -f" "$(head -c 300 "$T/multi.json")"
# the bundle decides PGA103: the StatefulSet alone warns, with its CronJob it does not
cat >"$T/backup.yaml" <<'Y'
apiVersion: batch/v1
kind: CronJob
metadata: {name: db-backup, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: b
              image: docker.io/library/postgres:16
              command: ["pg_dumpall", "-f", "/backup/all.sql"]
Y
"$PGADMIT" check -f "$EX/postgres-statefulset.yaml" -f "$T/backup.yaml" --format json 2>/dev/null |
	[ "$(jt count PGA103)" = 0 ] &&
	t_ok "PGA103 judged over the bundle (CronJob in another -f)" || t_fail "PGA103 bundle" ""
mkdir -p "$T/dir/sub"
cp "$EX/app-inline-url.yaml" "$T/dir/sub/a.yml"
cp "$T/warn.yaml" "$T/dir/b.json.txt"
echo '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"LoadBalancer","ports":[{"port":5432}]}}]}' >"$T/dir/list.json"
"$PGADMIT" check -f "$T/dir" --format json >"$T/dir.json" 2>&1
cr dir-recursion "$T/dir.json" >/dev/null 2>&1 &&
	t_ok "directory recursion (*.yml, *.json, List unwrapped, others skipped)" || t_fail "directory recursion" "$(head -c 400 "$T/dir.json")"

# --- errors: exit 2 with file, document, line, column -----------------------
printf 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [unclosed\n' >"$T/bad.yaml"
"$PGADMIT" check -f "$T/bad.yaml" -f "$EX/app-inline-url.yaml" >"$T/bad.out" 2>"$T/bad.err"
t_eq "invalid YAML: exit 2" 2 $?
grep -q "bad.yaml: document 1: line [0-9]*, column [0-9]*" "$T/bad.err" &&
	t_ok "invalid YAML: message names file, document, line, column" ||
	t_fail "invalid YAML message" "$(cat "$T/bad.err")"
grep -q "PGA102" "$T/bad.out" && t_ok "invalid YAML: other files still checked" ||
	t_fail "other files still checked" "$(head -3 "$T/bad.out")"
"$PGADMIT" check -f "$T/does-not-exist.yaml" >/dev/null 2>"$T/nf.err"
t_eq "missing file: exit 2" 2 $?
grep -q "does-not-exist.yaml: No such file" "$T/nf.err" && t_ok "missing file: message" || t_fail "missing file: message" "$(cat "$T/nf.err")"
head -c 20000 /dev/urandom >"$T/garbage.yaml"
timeout 10 "$PGADMIT" check -f "$T/garbage.yaml" >/dev/null 2>&1
t_eq "binary garbage: exit 2, no crash" 2 $?
"$PGADMIT" check --format xml >/dev/null 2>"$T/u.err"
t_eq "bad --format: exit 2" 2 $?
grep -q "usage: pgadmit check" "$T/u.err" && t_ok "usage on stderr" || t_fail "usage on stderr" ""
"$PGADMIT" check --nope >/dev/null 2>&1
t_eq "unknown option: exit 2" 2 $?
"$PGADMIT" check extra-arg >/dev/null 2>"$T/stray.err"
t_eq "positional path that does not exist: exit 2" 2 $?
grep -q "extra-arg: No such file" "$T/stray.err" && t_ok "positional path read as an input" ||
	t_fail "positional path read as an input" "$(cat "$T/stray.err")"
printf 'rules:\n  PGA101: maybe\n' >"$T/badpolicy.yaml"
"$PGADMIT" check --policy "$T/badpolicy.yaml" -f "$EX" >/dev/null 2>"$T/bp.err"
t_eq "invalid policy: exit 2" 2 $?
grep -q "rules.PGA101: expected deny|warn|annotate|off" "$T/bp.err" && t_ok "invalid policy names the key" ||
	t_fail "invalid policy names the key" "$(cat "$T/bp.err")"

# --- policy changes actions ----------------------------------------------------
printf 'rules:\n  PGA102: warn\n  postgres-port-exposed: "off"\n' >"$T/policy.yaml"
"$PGADMIT" check --policy "$T/policy.yaml" -f "$EX/postgres-statefulset.yaml" --format json 2>/dev/null |
	cr policy-actions - >/dev/null &&
	t_ok "policy file sets actions (id and slug)" || t_fail "policy actions" ""
PGADMIT_RULE_PGA102=off "$PGADMIT" check -f "$EX/postgres-statefulset.yaml" --format json 2>/dev/null |
	[ "$(jt count PGA102)" = 0 ] &&
	t_ok "PGADMIT_RULE_<ID> overrides" || t_fail "env override" ""

# --- redaction: no fixture password anywhere in any output ----------------------
for fmt in text json sarif; do
	"$PGADMIT" check -f "$EX" --format $fmt >"$T/out.$fmt" 2>&1
	leaked=""
	for s in $SECRETS; do grep -q -- "$s" "$T/out.$fmt" && leaked="$leaked $s"; done
	[ -z "$leaked" ] && t_ok "no secret in $fmt output" || t_fail "no secret in $fmt output" "leaked:$leaked"
done
grep -q '\*\*\*\*' "$T/out.text" && t_ok "passwords shown as ****" || t_fail "passwords shown as ****" ""

# --- never silently green (issue 11) -------------------------------------------
mkdir -p "$T/g/empty" "$T/g/noyaml"
echo "hello" >"$T/g/noyaml/README.txt"
echo "just some text" >"$T/g/notes.txt"
echo "foo: bar" >"$T/g/foo.yaml"
for case in "empty:no manifest file (\*.yaml, \*.yml or \*.json) in this directory" \
	"noyaml:no manifest file" \
	"notes.txt:no Kubernetes object (apiVersion/kind) and no Compose file (services) in 1 document of 1 file" \
	"foo.yaml:no Kubernetes object (apiVersion/kind)"; do
	in="${case%%:*}" want="${case#*:}"
	"$PGADMIT" check -f "$T/g/$in" >"$T/g.out" 2>"$T/g.err"
	t_eq "$in: exit 2 (nothing to check is not green)" 2 $?
	grep -q "^pgadmit check: $T/g/$in: $want" "$T/g.err" && t_ok "$in: message names the input" ||
		t_fail "$in: message names the input" "$(cat "$T/g.err")"
done
# one good input does not hide a bad one
"$PGADMIT" check -f "$EX/clean-release.yaml" -f "$T/g/foo.yaml" >/dev/null 2>&1
t_eq "good input + input without objects: exit 2" 2 $?
# an empty List is Kubernetes output (kubectl get with no match): green
printf 'apiVersion: v1\nkind: List\nitems: []\n' >"$T/g/emptylist.yaml"
"$PGADMIT" check -f "$T/g/emptylist.yaml" >/dev/null 2>&1
t_eq "empty List: exit 0" 0 $?
echo "foo: bar" | "$PGADMIT" check >/dev/null 2>"$T/g.err"
t_eq "stdin without objects: exit 2" 2 $?
grep -q "^pgadmit check: -: no Kubernetes object" "$T/g.err" && t_ok "stdin without objects: message" ||
	t_fail "stdin without objects: message" "$(cat "$T/g.err")"

# input errors in JSON and SARIF
"$PGADMIT" check -f "$T/g/foo.yaml" -f "$T/g/empty" -f "$EX/app-inline-url.yaml" --format json >"$T/gerr.json" 2>/dev/null
t_eq "json with input errors: exit 2" 2 $?
cr json-input-errors "$T/gerr.json" "$T/g" >"$T/gerr.out" 2>&1
grep -qx ok "$T/gerr.out" && t_ok "json: errors[] has input and message" || t_fail "json: errors[]" "$(tail -3 "$T/gerr.out")"
"$PGADMIT" check -f "$EX/clean-release.yaml" --format json 2>/dev/null |
	[ "$(jt get errors)" = "[]" ] &&
	t_ok "json: errors[] empty when all inputs are fine" || t_fail "json: errors[] empty" ""
mkdir -p "$T/sp"
cp "$EX/app-inline-url.yaml" "$T/sp/my app#1.yaml"
(cd "$T" && "$PGADMIT" check -f "./sp/my app#1.yaml" -f "sp/../g/foo.yaml" --format sarif >"$T/gerr.sarif" 2>/dev/null)
cr sarif-input-errors "$T/gerr.sarif" >"$T/gsarif.out" 2>&1
grep -qx ok "$T/gsarif.out" && t_ok "sarif: notifications, executionSuccessful, percent-encoded relative uri" ||
	t_fail "sarif: notifications and uris" "$(tail -3 "$T/gsarif.out")"
"$PGADMIT" check -f "$EX/clean-release.yaml" --format sarif 2>/dev/null |
	[ "$(jt pick - runs.0.invocations.0.executionSuccessful runs.0.invocations.0.toolExecutionNotifications)" = "true []" ] &&
	t_ok "sarif: executionSuccessful when all inputs are fine" || t_fail "sarif: executionSuccessful" ""
(cd / && "$PGADMIT" check -f "$T/sp/my app#1.yaml" --format sarif 2>/dev/null) |
	cr sarif-absolute-uri - "$T/sp/my app#1.yaml" >/dev/null &&
	t_ok "sarif: absolute path outside the working directory is a file:// uri" || t_fail "sarif: absolute uri" ""

# --stdin-name and Helm "# Source:" comments
cat "$EX/app-inline-url.yaml" | "$PGADMIT" check --stdin-name "deploy/app.yaml" --format sarif >"$T/sn.sarif" 2>/dev/null
cr stdin-name "$T/sn.sarif" >/dev/null 2>&1 &&
	t_ok "--stdin-name names standard input in SARIF" || t_fail "--stdin-name" "$(head -c 300 "$T/sn.sarif")"
cat "$EX/app-inline-url.yaml" | "$PGADMIT" check --stdin-name "deploy/app.yaml" 2>&1 | grep -q "^deploy/app.yaml:25: deny PGA102" &&
	t_ok "--stdin-name in the text report" || t_fail "--stdin-name in the text report" ""
cat "$EX/app-inline-url.yaml" | "$PGADMIT" check --format sarif 2>/dev/null |
	cr stdin-unnamed - >/dev/null &&
	t_ok "sarif: unnamed stdin findings get a warning notification" || t_fail "sarif: unnamed stdin warning" ""
cat >"$T/helm.out" <<'Y'
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  type: NodePort
  ports:
    - port: 5432
---
# Source: shop/templates/config map.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  DSN: postgresql://app:hunter2-prod@db:5432/app
Y
"$PGADMIT" check -f - --format sarif <"$T/helm.out" >"$T/helm.sarif" 2>/dev/null
cr helm-source-map "$T/helm.sarif" >"$T/helm.chk" 2>&1
grep -qx ok "$T/helm.chk" && t_ok "helm # Source comments: findings on template files, lines from the comment" ||
	t_fail "helm # Source mapping" "$(tail -3 "$T/helm.chk")"
"$PGADMIT" check -f - --format sarif --source-root deploy/charts/ <"$T/helm.out" 2>/dev/null |
	cr source-root - >/dev/null &&
	t_ok "--source-root prefixes the templates of # Source comments" || t_fail "--source-root" ""
HELM_BIN="${PGADMIT_TOOLS:-$ROOT/build/tools}/helm"
if [ -x "$HELM_BIN" ]; then
	mkdir -p "$T/shop/templates"
	printf 'apiVersion: v2\nname: shop\nversion: 0.1.0\n' >"$T/shop/Chart.yaml"
	printf 'port: 5432\n' >"$T/shop/values.yaml"
	printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  type: LoadBalancer\n  ports:\n    - port: {{ .Values.port }}\n' >"$T/shop/templates/db.yaml"
	"$HELM_BIN" template r "$T/shop" 2>/dev/null | "$PGADMIT" check -f - --format json 2>/dev/null |
		[ "$(jt findings rule,file,line)" = "PGA101 shop/templates/db.yaml 8" ] &&
		t_ok "real helm template | check: finding on shop/templates/db.yaml:8" || t_fail "real helm template mapping" ""
	"$PGADMIT" check "$T/shop" >/dev/null 2>"$T/chart.err"
	t_eq "raw Helm chart directory: exit 2" 2 $?
	grep -q "$T/shop: a Helm chart (Chart.yaml), not manifests: render it and pipe it in: helm template NAME $T/shop | pgadmit check -f -" "$T/chart.err" &&
		t_ok "raw Helm chart directory: message says to pipe helm template" || t_fail "chart dir message" "$(cat "$T/chart.err")"
else
	mkdir -p "$T/shop/templates" && printf 'apiVersion: v2\nname: shop\nversion: 0.1.0\n' >"$T/shop/Chart.yaml"
	"$PGADMIT" check "$T/shop" >/dev/null 2>"$T/chart.err"
	t_eq "raw Helm chart directory: exit 2" 2 $?
	grep -q "helm template NAME $T/shop | pgadmit check -f -" "$T/chart.err" &&
		t_ok "raw Helm chart directory: message says to pipe helm template" || t_fail "chart dir message" "$(cat "$T/chart.err")"
	t_ok "skipped: real helm template (no $HELM_BIN)"
fi

# positional paths and a terminal on stdin
"$PGADMIT" check "$EX/app-inline-url.yaml" "$EX/clean-release.yaml" --format json 2>/dev/null |
	cr positional - >/dev/null &&
	t_ok "positional paths are inputs like -f" || t_fail "positional paths" ""
timeout 10 script -qec "$PGADMIT check" /dev/null >"$T/tty.out" 2>&1 </dev/null
rc=$?
grep -q "pgadmit check: no input: give -f PATH or a PATH, or pipe manifests in" "$T/tty.out" &&
	grep -q "usage: pgadmit check" "$T/tty.out" && t_ok "terminal on stdin, no -f: usage instead of waiting" ||
	t_fail "terminal on stdin: usage" "rc=$rc $(head -c 300 "$T/tty.out")"
timeout 10 script -qec "$PGADMIT check; echo EXIT_CODE=\$?" /dev/null </dev/null 2>&1 | grep -q "EXIT_CODE=2" &&
	t_ok "terminal on stdin: exit 2" || t_fail "terminal on stdin: exit 2" ""

# kustomize: rendered by kubectl on PATH (a stand-in here, and the real one when installed)
mkdir -p "$T/kz/app" "$T/fakebin" "$T/nobin"
printf 'resources:\n  - svc.yaml\n' >"$T/kz/app/kustomization.yaml"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: raw}\nspec: {type: ClusterIP, ports: [{port: 5432}]}\n' >"$T/kz/app/svc.yaml"
cat >"$T/fakebin/kubectl" <<EOF
#!/bin/sh
echo "\$*" >"$T/kubectl.args"
[ -n "\${FAIL_KUBECTL:-}" ] && { echo "error: accumulating resources: missing.yaml" >&2; exit 1; }
cat "$T/helm.out"
EOF
chmod +x "$T/fakebin/kubectl"
PATH="$T/fakebin:$PATH" "$PGADMIT" check -f "$T/kz/app" --format json >"$T/kz.json" 2>"$T/kz.err"
t_eq "kustomize dir: exit 1 (findings of the rendered output)" 1 $?
grep -qx "kustomize $T/kz/app" "$T/kubectl.args" && t_ok "kustomize dir: kubectl kustomize DIR" ||
	t_fail "kustomize dir: kubectl args" "$(cat "$T/kubectl.args" 2>/dev/null)"
cr kustomize-rendered "$T/kz.json" >/dev/null 2>&1 &&
	t_ok "kustomize dir: the rendered objects are judged, not the raw files" || t_fail "kustomize dir: rendered objects" "$(head -c 300 "$T/kz.json")"
rm -f "$T/kubectl.args"
PATH="$T/fakebin:$PATH" "$PGADMIT" check "$T/kz/app/kustomization.yaml" >/dev/null 2>&1
t_eq "kustomization.yaml named directly: its directory is rendered (exit 1)" 1 $?
grep -qx "kustomize $T/kz/app" "$T/kubectl.args" 2>/dev/null && t_ok "kustomization.yaml named directly: kubectl kustomize DIR" ||
	t_fail "kustomization.yaml named directly" "$(cat "$T/kubectl.args" 2>/dev/null)"
"$PGADMIT" check "$T/shop/Chart.yaml" >/dev/null 2>"$T/chart2.err"
t_eq "Chart.yaml named directly: exit 2" 2 $?
grep -q "a Helm chart (Chart.yaml), not manifests: render it and pipe it in: helm template" "$T/chart2.err" &&
	t_ok "Chart.yaml named directly: helm template hint" || t_fail "Chart.yaml named directly" "$(cat "$T/chart2.err")"
FAIL_KUBECTL=1 PATH="$T/fakebin:$PATH" "$PGADMIT" check -f "$T/kz/app" >/dev/null 2>"$T/kz.err"
t_eq "kustomize fails: exit 2" 2 $?
grep -q "$T/kz/app: kubectl kustomize exited 1: error: accumulating resources: missing.yaml" "$T/kz.err" &&
	t_ok "kustomize fails: message with kubectl's error" || t_fail "kustomize fails: message" "$(cat "$T/kz.err")"
PATH="$T/nobin" "$PGADMIT" check -f "$T/kz/app" >/dev/null 2>"$T/kz.err"
t_eq "kustomize dir without kubectl: exit 2" 2 $?
grep -q "$T/kz/app: a kustomization directory; kubectl not found on PATH: render it and pipe it in: kubectl kustomize $T/kz/app | pgadmit check -f -" "$T/kz.err" &&
	t_ok "kustomize dir without kubectl: message says to render it" || t_fail "kustomize without kubectl: message" "$(cat "$T/kz.err")"
# the real kubectl: on PATH, or the one `make e2e` built into its cache
real_kubectl="$(command -v kubectl 2>/dev/null || true)"
[ -n "$real_kubectl" ] || real_kubectl="$(ls "${PGADMIT_E2E_CACHE:-$HOME/.cache/pgadmit/e2e}"/k8s-*/kubectl 2>/dev/null | tail -n 1)"
if [ -n "$real_kubectl" ] && "$real_kubectl" kustomize --help >/dev/null 2>&1; then
	mkdir -p "$T/realbin" && ln -sf "$real_kubectl" "$T/realbin/kubectl"
	mkdir -p "$T/kz/real"
	cat >"$T/kz/real/kustomization.yaml" <<'Y'
resources:
  - svc.yaml
configMapGenerator:
  - name: db
    literals:
      - DATABASE_URL=postgresql://app:compose-s3cret@db:5432/app
Y
	cp "$T/kz/app/svc.yaml" "$T/kz/real/"
	PATH="$T/realbin:$PATH" "$PGADMIT" check -f "$T/kz/real" --format json >"$T/kzr.json" 2>"$T/kzr.err"
	cr kustomize-generator "$T/kzr.json" >/dev/null 2>&1 &&
		t_ok "real kubectl kustomize: configMapGenerator literal with a password found" ||
		t_fail "real kubectl kustomize" "$(cat "$T/kzr.err") $(head -c 300 "$T/kzr.json")"
	grep -q "compose-s3cret" "$T/kzr.json" && t_fail "real kustomize: password redacted" "" || t_ok "real kustomize: password redacted"
else
	t_ok "skipped: real kubectl kustomize (no kubectl)"
fi

# settings that must not be ignored silently
PGADMIT_RULE_PGA13=deny "$PGADMIT" check -f "$EX/clean-release.yaml" >/dev/null 2>"$T/env.err"
t_eq "PGADMIT_RULE_PGA13: exit 2" 2 $?
grep -q "PGADMIT_RULE_PGA13: unknown rule" "$T/env.err" && t_ok "PGADMIT_RULE_PGA13: unknown rule named" ||
	t_fail "PGADMIT_RULE_PGA13 message" "$(cat "$T/env.err")"
PGADMIT_RULE_PGA101=of "$PGADMIT" check -f "$EX/clean-release.yaml" >/dev/null 2>"$T/env.err"
t_eq "PGADMIT_RULE_PGA101=of: exit 2" 2 $?
PGADMIT_RULE_pga101=off "$PGADMIT" check -f "$EX/postgres-statefulset.yaml" --format json 2>/dev/null |
	[ "$(jt count PGA101)" = 0 ] &&
	t_ok "PGADMIT_RULE_pga101=off honoured (id in any case)" || t_fail "PGADMIT_RULE_pga101" ""
printf 'postgres:\n  imagePattern: "(postgres"\n' >"$T/badre.yaml"
"$PGADMIT" check --policy "$T/badre.yaml" -f "$EX" >/dev/null 2>"$T/re.err"
t_eq "bad imagePattern: exit 2" 2 $?
msg="$(cat "$T/re.err")"
case "$msg" in
"pgadmit check: policy: $T/badre.yaml:2: postgres.imagePattern: invalid regular expression '(postgres': "?*)
	t_ok "bad imagePattern: key once, then the regex library's reason" ;;
*) t_fail "bad imagePattern message" "$msg" ;;
esac
[ "$(grep -o imagePattern "$T/re.err" | wc -l)" = 1 ] && t_ok "bad imagePattern: key printed once" ||
	t_fail "bad imagePattern: key printed once" "$msg"
cat >"$T/ann.yaml" <<'Y'
apiVersion: v1
kind: Service
metadata:
  name: db
  annotations:
    pgadmit.dev/ignore-PGA101: "internal"
spec:
  type: NodePort
  ports:
    - port: 5432
Y
"$PGADMIT" check -f "$T/ann.yaml" --format json 2>/dev/null | cr annotation-not-honoured - >/dev/null &&
	t_ok "annotation with the rule id: info finding, rule still runs" || t_fail "annotation with the rule id" ""
"$PGADMIT" check -f "$T/ann.yaml" --format sarif 2>/dev/null | cr annotation-not-suppression - >/dev/null &&
	t_ok "sarif: a not-honoured annotation is not a suppression" || t_fail "sarif: not-honoured annotation" ""

t_finish
