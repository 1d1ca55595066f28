# pgadmit serve and the PostgreSQL operators (docs/operators.md): a cluster
# resource that asks for an exposed service is denied; an operator child
# (ownerReference to a cluster kind, or the operator's cluster label on a
# Service/StatefulSet/Pod/ConfigMap/Secret) is allowed at once by the gate
# "operator-child", logged at info with its owner and counted in
# pgadmit_admission_skipped_total{reason="operator-child"}; a label alone on
# a Deployment is not trusted, and another vendor's `Cluster` is not judged.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 01 || { t_fail "certificates" "openssl failed"; t_finish; }
if ! PGADMIT_LOG_LEVEL=info sv_start operators --tls-cert "$CERTS/tls.crt" \
	--tls-key "$CERTS/tls.key"; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi

review() { # uid group kind object
	printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"CREATE","namespace":"shop","kind":{"group":"%s","kind":"%s"},"object":%s}}' "$1" "$2" "$3" "$4"
}
post() { review "$@" | sv_curl -H 'Content-Type: application/json' --data-binary @- "$(sv_url /validate)"; }

LB='"spec":{"type":"LoadBalancer","ports":[{"name":"postgres","port":5432}]}'
OWN='"ownerReferences":[{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","name":"pg-main","uid":"1","controller":true}]'
# uid|group|kind|owner in the log|object
CHILDREN=(
	"c-owner|||postgresql.cnpg.io/Cluster pg-main|{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"pg-main-lb\",$OWN},$LB}"
	"c-cnpg-label|||postgresql.cnpg.io/Cluster pg-main (by label)|{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pg-main-1\",\"labels\":{\"cnpg.io/cluster\":\"pg-main\"}},\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"postgres\",\"image\":\"ghcr.io/cloudnative-pg/postgresql:17\",\"env\":[{\"name\":\"PGPASSWORD\",\"value\":\"op-child-pw\"}]}]}}"
	"c-spilo|||acid.zalan.do/postgresql acid-shop (by label)|{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"acid-shop\",\"labels\":{\"application\":\"spilo\",\"cluster-name\":\"acid-shop\",\"spilo-role\":\"master\"}},$LB}"
	"c-crunchy|apps|StatefulSet|postgres-operator.crunchydata.com/PostgresCluster hippo (by label)|{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"hippo-instance1-abcd\",\"labels\":{\"postgres-operator.crunchydata.com/cluster\":\"hippo\"}},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"database\",\"image\":\"registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi9-17.5-2520\",\"ports\":[{\"containerPort\":5432,\"hostPort\":5432}]}]}}}}"
	"c-percona-owned|apps|Deployment|pgv2.percona.com/PerconaPGCluster cluster1|{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"cluster1-pgbouncer\",\"ownerReferences\":[{\"apiVersion\":\"pgv2.percona.com/v2\",\"kind\":\"PerconaPGCluster\",\"name\":\"cluster1\",\"uid\":\"2\"}]},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pgbouncer\",\"image\":\"percona/percona-pgbouncer:1\",\"env\":[{\"name\":\"PGPASSWORD\",\"value\":\"op-child-pw\"}]}]}}}}"
)
for c in "${CHILDREN[@]}"; do
	IFS='|' read -r uid group kind owner obj <<<"$c"
	[ -z "$kind" ] && kind=$(jt get kind <<<"$obj")
	out="$(post "$uid" "$group" "$kind" "$obj")"
	t_check "$uid: allowed" grep -q '"allowed":true' <<<"$out"
	t_check "$uid: no warnings" bash -c '! grep -q warnings <<<"$1"' _ "$out"
done

# Judged: a Deployment with only the label (labels are not trusted there),
# the Cluster resource itself, another vendor's Cluster (not judged).
DEP='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"sneaky","labels":{"cnpg.io/cluster":"pg-main"}},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"app:1","env":[{"name":"DB_PASSWORD","value":"op-child-pw"}]}]}}}}'
out="$(post j-deploy apps Deployment "$DEP")"
t_check "label-only Deployment: judged and denied" grep -q '"allowed":false' <<<"$out"
CL='{"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"pg-main"},"spec":{"backup":{"volumeSnapshot":{"className":"x"}},"monitoring":{"enablePodMonitor":true},"managed":{"services":{"additional":[{"selectorType":"rw","serviceTemplate":{"metadata":{"name":"pub"},"spec":{"type":"NodePort"}}}]}}}}'
out="$(post j-cluster postgresql.cnpg.io Cluster "$CL")"
t_check "CNPG Cluster with a NodePort service: denied" grep -q '"allowed":false' <<<"$out"
t_check "denial names PGA101 and the field" grep -q 'PGA101.*additional\[0\].serviceTemplate.spec.type' <<<"$out"
OTHER='{"apiVersion":"example.com/v1","kind":"Cluster","metadata":{"name":"x"},"spec":{"managed":{"services":{"additional":[{"serviceTemplate":{"spec":{"type":"NodePort"}}}]}}}}'
out="$(post j-other example.com Cluster "$OTHER")"
t_check "another vendor's Cluster: allowed" grep -q '"allowed":true' <<<"$out"

for c in "${CHILDREN[@]}"; do
	IFS='|' read -r uid _ _ owner _ <<<"$c"
	line="$(grep "\"uid\":\"$uid\"" "$SV_LOG" | head -1)"
	t_check "$uid: info log line, reason operator-child" grep -q '"level":"info".*"decision":"skip","reason":"operator-child"' <<<"$line"
	t_check "$uid: log names the owner ($owner)" grep -qF "\"owner\":\"$owner\"" <<<"$line"
done
line="$(grep '"uid":"j-other"' "$SV_LOG" | head -1)"
t_check "other vendor's Cluster: no info line (debug skip)" test -z "$line"
t_check "no child password in the log" bash -c '! grep -q op-child-pw "$1"' _ "$SV_LOG"

m="$(sv_curl "$(sv_url /metrics)")"
t_eq "metrics: operator-child counted per child" "${#CHILDREN[@]}" \
	"$(sed -n 's/^pgadmit_admission_skipped_total{reason="operator-child"} //p' <<<"$m")"
sv_stop
t_eq "clean stop" 0 "$SV_RC"
t_finish
