# End-to-end tests of `pgadmit check`: the built binary on the example
# manifests, stdin, directories, several -f, exit codes, formats and
# redaction. JSON and SARIF are parsed back with python3.
source "$(dirname "$0")/lib.sh"
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
python3 - "$T/all.json" >"$T/json.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1, "version"
keys = {"rule","slug","action","file","document","line","kind","namespace",
        "name","path","message","hint"}
for f in d["findings"]:
    assert set(f) == keys, "finding keys %s" % sorted(f)
    assert isinstance(f["line"], int) and f["line"] > 0, "line %r" % f
    assert isinstance(f["document"], int)
s = d["summary"]
assert set(s) == {"files","documents","objects","deny","warn","annotate","info"}, s
assert s["files"] == 4, "files %r" % s
assert s["deny"] == sum(f["action"] == "deny" for f in d["findings"])
def has(rule, file, path, line=None):
    for f in d["findings"]:
        if f["rule"] == rule and f["file"].endswith(file) and f["path"] == path:
            if line is None or f["line"] == line:
                return f
    raise AssertionError("missing %s %s %s %s" % (rule, file, path, line))
assert any(x["rule"] == "PGA101" and x["file"].endswith("postgres-statefulset.yaml") and x["path"].startswith("spec.ports[0]") and x["kind"] == "Service" for x in d["findings"]), "PGA101 NodePort"
f = has("PGA102", "postgres-statefulset.yaml",
        "spec.template.spec.containers[0].env[1].value", 44)
assert f["kind"] == "StatefulSet" and f["namespace"] == "shop" and f["name"] == "db"
assert any(x["rule"] == "PGA103" and x["name"] == "db" for x in d["findings"]), "PGA103 db"
assert not any(x["rule"] == "PGA103" and x["name"] == "orders-db" for x in d["findings"]), "PGA103 orders-db must be quiet"
has("PGA102", "app-inline-url.yaml", "spec.template.spec.containers[0].env[1].value", 25)
has("PGA104", "app-inline-url.yaml", "spec.template.spec.containers[0].env[1].value", 25)
has("PGA102", "app-inline-url.yaml", "data.DB_DSN", 36)
c = [x for x in d["findings"] if x["kind"] == "ComposeService"]
assert any(x["rule"] == "PGA101" and x["name"] == "db" for x in c), "compose PGA101"
assert any(x["rule"] == "PGA102" and x["name"] == "db" for x in c), "compose PGA102"
assert not any(x["name"] == "app" for x in c), "compose app uses ${VAR}: quiet"
assert all(x["namespace"] is None for x in c)
assert not any(x["file"].endswith("clean-release.yaml") for x in d["findings"]), "clean release quiet"
print("ok")
PY
grep -qx ok "$T/json.out" && t_ok "json: shape and expected findings" ||
	t_fail "json: shape and expected findings" "$(tail -3 "$T/json.out")"

# --- SARIF ------------------------------------------------------------------
"$PGADMIT" check -f "$EX" --format sarif >"$T/all.sarif" 2>/dev/null
python3 - "$T/all.sarif" >"$T/sarif.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
rules = run["tool"]["driver"]["rules"]
ids = [r["id"] for r in rules]
assert ids == ["PGA101","PGA102","PGA103","PGA104"], ids
assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
assert run["results"], "results"
for r in run["results"]:
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"]
    assert loc["region"]["startLine"] >= 1
    assert ids[r["ruleIndex"]] == r["ruleId"]
    assert r["level"] in ("error","warning","note")
print("ok")
PY
grep -qx ok "$T/sarif.out" && t_ok "sarif: 2.1.0 with rules and physical locations" ||
	t_fail "sarif: structure" "$(tail -3 "$T/sarif.out")"

# --- text -------------------------------------------------------------------
"$PGADMIT" check -f "$EX/app-inline-url.yaml" >"$T/text.out" 2>&1
grep -q "app-inline-url.yaml:25: deny PGA102 postgres-credentials-inline" "$T/text.out" &&
	t_ok "text: file:line rule block" || t_fail "text: file:line rule block" "$(head -5 "$T/text.out")"
grep -q $'\033\[' "$T/text.out" && t_fail "text: no colour when not a TTY" || t_ok "text: no colour when not a TTY"

# --- stdin, several -f, directory --------------------------------------------
cat "$EX/postgres-statefulset.yaml" | "$PGADMIT" check --format json >"$T/stdin.json" 2>&1
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
f=[x for x in d["findings"] if x["rule"]=="PGA102"][0]
assert f["file"]=="-" and f["line"]==44, f
assert d["summary"]["documents"]==2' "$T/stdin.json" 2>/dev/null &&
	t_ok "stdin: no -f reads stdin, lines counted" || t_fail "stdin: no -f" "$(head -c 300 "$T/stdin.json")"
cat "$EX/app-inline-url.yaml" | "$PGADMIT" check -f - -f "$EX/clean-release.yaml" --format json >"$T/multi.json" 2>&1
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["summary"]["files"]==2, d["summary"]
assert any(x["file"]=="-" for x in d["findings"])' "$T/multi.json" 2>/dev/null &&
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
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert not any(f["rule"]=="PGA103" for f in d["findings"])' &&
	t_ok "PGA103 judged over the bundle (CronJob in another -f)" || t_fail "PGA103 bundle" ""
mkdir -p "$T/dir/sub"
cp "$EX/app-inline-url.yaml" "$T/dir/sub/a.yml"
cp "$T/warn.yaml" "$T/dir/b.json.txt"
echo '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"LoadBalancer","ports":[{"port":5432}]}}]}' >"$T/dir/list.json"
"$PGADMIT" check -f "$T/dir" --format json >"$T/dir.json" 2>&1
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["summary"]["files"]==2, d["summary"]
assert any(x["rule"]=="PGA101" and x["file"].endswith("list.json") and x["kind"]=="Service" for x in d["findings"])' "$T/dir.json" 2>/dev/null &&
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
"$PGADMIT" check extra-arg >/dev/null 2>&1
t_eq "stray argument: exit 2" 2 $?
printf 'rules:\n  PGA101: maybe\n' >"$T/badpolicy.yaml"
"$PGADMIT" check --policy "$T/badpolicy.yaml" -f "$EX" >/dev/null 2>"$T/bp.err"
t_eq "invalid policy: exit 2" 2 $?
grep -q "rules.PGA101: expected deny|warn|annotate|off" "$T/bp.err" && t_ok "invalid policy names the key" ||
	t_fail "invalid policy names the key" "$(cat "$T/bp.err")"

# --- policy changes actions ----------------------------------------------------
printf 'rules:\n  PGA102: warn\n  postgres-port-exposed: "off"\n' >"$T/policy.yaml"
"$PGADMIT" check --policy "$T/policy.yaml" -f "$EX/postgres-statefulset.yaml" --format json 2>/dev/null |
	python3 -c '
import json,sys; d=json.load(sys.stdin); r={(f["rule"],f["action"]) for f in d["findings"]}
assert ("PGA102","warn") in r and not any(x[0]=="PGA101" for x in r), r' &&
	t_ok "policy file sets actions (id and slug)" || t_fail "policy actions" ""
PGADMIT_RULE_PGA102=off "$PGADMIT" check -f "$EX/postgres-statefulset.yaml" --format json 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert not any(f["rule"]=="PGA102" for f in d["findings"])' &&
	t_ok "PGADMIT_RULE_<ID> overrides" || t_fail "env override" ""

# --- redaction: no fixture password anywhere in any output ----------------------
for fmt in text json sarif; do
	"$PGADMIT" check -f "$EX" --format $fmt >"$T/out.$fmt" 2>&1
	leaked=""
	for s in $SECRETS; do grep -q -- "$s" "$T/out.$fmt" && leaked="$leaked $s"; done
	[ -z "$leaked" ] && t_ok "no secret in $fmt output" || t_fail "no secret in $fmt output" "leaked:$leaked"
done
grep -q '\*\*\*\*' "$T/out.text" && t_ok "passwords shown as ****" || t_fail "passwords shown as ****" ""

t_finish
