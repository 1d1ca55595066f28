# pgadmit check judges PGA105's envFrom ConfigMaps and PGA106's monitors
# over the whole bundle: several -f inputs (files, directories, standard
# input) in either order, the same namespace only; the JSON, SARIF and
# text outputs agree; the exit status follows PGA105's deny.
source "$(dirname "$0")/lib.sh"
t_tmpdir
cat >"$T/sts.yaml" <<'Y'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg, namespace: data}
spec:
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers:
        - name: pg
          image: postgres:16
          envFrom: [{configMapRef: {name: pg-env}}]
Y
cat >"$T/pm.yaml" <<'Y'
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: pg, namespace: data}
spec:
  selector: {matchLabels: {app: pg}}
Y
cat >"$T/cm.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: pg-env, namespace: data}
data: {ALLOW_EMPTY_PASSWORD: "yes"}
Y
sed 's/namespace: data/namespace: other/' "$T/pm.yaml" >"$T/pm-other.yaml"
sed 's/namespace: data/namespace: other/' "$T/cm.yaml" >"$T/cm-other.yaml"
count() { # RULE ARGS...: findings of RULE
	local r="$1"; shift
	timeout 20 "$PGADMIT" check "$@" --format json --fail-on never 2>/dev/null |
		jt count "$r"
}
t_eq "PGA106: workload alone" 1 "$(count PGA106 -f "$T/sts.yaml")"
t_eq "PGA106: PodMonitor in a later file" 0 "$(count PGA106 -f "$T/sts.yaml" -f "$T/pm.yaml")"
t_eq "PGA106: PodMonitor in an earlier file" 0 "$(count PGA106 -f "$T/pm.yaml" -f "$T/sts.yaml")"
t_eq "PGA106: PodMonitor in another namespace" 1 "$(count PGA106 -f "$T/sts.yaml" -f "$T/pm-other.yaml")"
t_eq "PGA106: PodMonitor on standard input" 0 "$(count PGA106 -f "$T/sts.yaml" -f - <"$T/pm.yaml")"
mkdir -p "$T/dir" && cp "$T/sts.yaml" "$T/pm.yaml" "$T/dir/"
t_eq "PGA106: a directory is one bundle" 0 "$(count PGA106 -f "$T/dir")"
t_eq "PGA105: envFrom ConfigMap absent from the bundle: not judged" 0 "$(count PGA105 -f "$T/sts.yaml")"
t_eq "PGA105: ConfigMap in a later file" 1 "$(count PGA105 -f "$T/sts.yaml" -f "$T/cm.yaml")"
t_eq "PGA105: ConfigMap in an earlier file" 1 "$(count PGA105 -f "$T/cm.yaml" -f "$T/sts.yaml")"
t_eq "PGA105: ConfigMap in another namespace" 0 "$(count PGA105 -f "$T/sts.yaml" -f "$T/cm-other.yaml")"
"$PGADMIT" check -f "$T/sts.yaml" -f "$T/cm.yaml" -f "$T/pm.yaml" >"$T/out.txt" 2>&1
t_eq "deny from a ConfigMap of another file: exit 1" 1 $?
grep -q "sts.yaml:11: deny PGA105 postgres-trust-auth" "$T/out.txt" && t_ok "text: the finding is in the workload's file at the envFrom line" ||
	t_fail "text: file and line" "$(cat "$T/out.txt")"
grep -q "ConfigMap pg-env (envFrom) sets ALLOW_EMPTY_PASSWORD=yes" "$T/out.txt" && t_ok "text: names the ConfigMap and the variable" ||
	t_fail "text: message" "$(cat "$T/out.txt")"
"$PGADMIT" check -f "$T/sts.yaml" -f "$T/cm.yaml" --format sarif >"$T/out.sarif" 2>/dev/null
python3 "$ROOT/tests/lib/check_report.py" sarif-one-result "$T/out.sarif" PGA105 error >/dev/null &&
	t_ok "SARIF: PGA105 result with its rule index" || t_fail "SARIF: PGA105 result"
PGADMIT_RULE_PGA105=warn "$PGADMIT" check -f "$T/sts.yaml" -f "$T/cm.yaml" >/dev/null 2>&1
t_eq "PGA105 at warn: exit 0" 0 $?
t_finish
