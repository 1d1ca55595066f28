# The operators' own sample manifests (tests/fixtures/operators/, recreated
# with attribution in each file's header) through `pgadmit check`: each file
# gives exactly the findings tests/fixtures/operators/expected.txt lists
# (rule, action, path) and nothing else; every sample is listed there or
# expects none. Then bundles: a ScheduledBackup naming a Cluster silences
# its PGA103; a child Service of the operator beside its Cluster is not
# reported again.
source "$(dirname "$0")/lib.sh"
t_tmpdir
OPS="$FIX/operators"
EXP="$OPS/expected.txt"
n=0
for f in "$OPS"/*/*.yaml; do
	rel="${f#"$OPS"/}"
	n=$((n + 1))
	out=$(timeout 20 "$PGADMIT" check -f "$f" --format json --fail-on never 2>&1)
	rc=$?
	t_eq "$rel: exit 0 with --fail-on never" 0 $rc
	got=$(printf '%s' "$out" | jt findings rule,action,path 2>&1 | awk -v r="$rel" '{ print r, $0 }' | sort)
	want=$(grep -v '^#' "$EXP" | awk -v r="$rel" '$1 == r' | sort)
	t_eq "$rel: the contract's findings and nothing else" "$want" "$got"
done
[ "$n" -ge 9 ] && t_ok "samples found ($n)" || t_fail "samples found" "only $n"
grep -q 'License:' "$OPS"/cnpg/cluster-example.yaml && t_ok "samples carry their attribution" || t_fail "attribution" "no License: line"

# Bundle: the ScheduledBackup names the Cluster (PGA103 quiet), a PodMonitor
# selects its pods (PGA106 quiet), the operator's LoadBalancer child is judged
# at the Cluster only.
cat >"$T/bundle.yaml" <<'Y'
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg-backup, namespace: shop}
spec:
  instances: 1
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: pg-backup, namespace: shop}
spec:
  selector: {matchLabels: {cnpg.io/cluster: pg-backup}}
  podMetricsEndpoints: [{port: metrics}]
---
apiVersion: v1
kind: Service
metadata:
  name: pg-backup-public
  namespace: shop
  labels: {cnpg.io/cluster: pg-backup}
spec:
  type: LoadBalancer
  ports: [{name: postgres, port: 5432}]
Y
sed 's/^metadata:/metadata:\n  namespace: shop/' "$OPS/cnpg/scheduled-backup-example.yaml" >"$T/sb.yaml"
out=$("$PGADMIT" check -f "$T/bundle.yaml" -f "$T/sb.yaml" --format json --fail-on never)
t_eq "bundle: no finding (backup, monitor, child)" 0 \
	"$(printf '%s' "$out" | jt count all)"
out=$("$PGADMIT" check -f "$T/bundle.yaml" --format json --fail-on never)
t_eq "bundle without the ScheduledBackup: PGA103 only" "PGA103" \
	"$(printf '%s' "$out" | jt findings rule | paste -sd ' ')"
t_finish
