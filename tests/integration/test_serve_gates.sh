# pgadmit serve: the admission gates. Each review below is allowed at once
# by one named gate (src/admission/review.c, enum admission_skip); its
# debug log line carries "reason":"<gate>" and /metrics counts it in
# pgadmit_admission_skipped_total{reason="<gate>"}. A judged review has no
# reason and counts nowhere there.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 01 || { t_fail "certificates" "openssl failed"; t_finish; }
echo '{"namespaces": {"skip": ["legacy"]}}' >"$T/policy.json"
if ! PGADMIT_LOG_LEVEL=debug sv_start gates --tls-cert "$CERTS/tls.crt" \
	--tls-key "$CERTS/tls.key" --policy "$T/policy.json"; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi

SVC='{"apiVersion":"v1","kind":"Service","metadata":{"name":"db","namespace":"default"},"spec":{"type":"NodePort","ports":[{"port":5432}]}}'
review() { # uid operation extra-request-members
	printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"%s"%s}}' "$1" "$2" "$3"
}
# uid, gate, request members after "operation"
CASES=(
	"g-delete|operation|,\"kind\":{\"group\":\"\",\"kind\":\"Service\"},\"object\":$SVC"
	"g-noobj|no-object|,\"kind\":{\"group\":\"\",\"kind\":\"Service\"},\"oldObject\":$SVC"
	"g-status|status-subresource|,\"subResource\":\"status\",\"kind\":{\"group\":\"\",\"kind\":\"Service\"},\"object\":$SVC"
	"g-deleting|being-deleted|,\"kind\":{\"group\":\"\",\"kind\":\"Service\"},\"object\":{\"kind\":\"Service\",\"metadata\":{\"name\":\"db\",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":5432}]}}"
	"g-kind|kind-not-judged|,\"kind\":{\"group\":\"coordination.k8s.io\",\"kind\":\"Lease\"},\"object\":{\"kind\":\"Lease\",\"metadata\":{\"name\":\"l\"}}"
	"g-group|kind-not-judged|,\"kind\":{\"group\":\"example.com\",\"kind\":\"Service\"},\"object\":$SVC"
	"g-ns|namespace-skipped|,\"namespace\":\"legacy\",\"kind\":{\"group\":\"\",\"kind\":\"Service\"},\"object\":$SVC"
	"g-owned|owned-by-controller|,\"kind\":{\"group\":\"\",\"kind\":\"Pod\"},\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\",\"uid\":\"1\",\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"postgres:16\",\"ports\":[{\"containerPort\":5432,\"hostPort\":5432}]}]}}"
)
for c in "${CASES[@]}"; do
	IFS='|' read -r uid gate members <<<"$c"
	op=CREATE
	[ "$uid" = g-delete ] && op=DELETE
	[ "$uid" = g-status ] || [ "$uid" = g-deleting ] && op=UPDATE
	out="$(review "$uid" "$op" "$members" | sv_curl -H 'Content-Type: application/json' --data-binary @- "$(sv_url /validate)")"
	t_check "$gate ($uid): allowed" grep -q '"allowed":true' <<<"$out"
done
# One judged review: no reason, counted nowhere among the skips.
out="$(review g-judged CREATE ",\"kind\":{\"group\":\"\",\"kind\":\"Service\"},\"object\":$SVC" |
	sv_curl -H 'Content-Type: application/json' --data-binary @- "$(sv_url /validate)")"
t_check "judged review answered" grep -q '"uid":"g-judged"' <<<"$out"

for c in "${CASES[@]}"; do
	IFS='|' read -r uid gate _ <<<"$c"
	line="$(grep "\"uid\":\"$uid\"" "$SV_LOG" | head -1)"
	t_check "$uid: debug log line names the gate" grep -q "\"level\":\"debug\".*\"decision\":\"skip\",\"reason\":\"$gate\"" <<<"$line"
done
line="$(grep '"uid":"g-judged"' "$SV_LOG" | head -1)"
t_check "judged review logged" grep -q '"decision":"' <<<"$line"
t_check "judged review: no reason" bash -c '! grep -q "\"reason\"" <<<"$1"' _ "$line"

m="$(sv_curl "$(sv_url /metrics)")"
t_check "metrics: skipped_total is a counter" grep -qx '# TYPE pgadmit_admission_skipped_total counter' <<<"$m"
for gate in operation no-object status-subresource being-deleted namespace-skipped owned-by-controller; do
	t_eq "metrics: $gate counted once" 1 \
		"$(sed -n "s/^pgadmit_admission_skipped_total{reason=\"$gate\"} //p" <<<"$m")"
done
t_eq "metrics: kind-not-judged counted twice" 2 \
	"$(sed -n 's/^pgadmit_admission_skipped_total{reason="kind-not-judged"} //p' <<<"$m")"
t_eq "metrics: skips = skip decisions" 8 \
	"$(sed -n 's/^pgadmit_admission_requests_total{endpoint="validate",decision="skip"} //p' <<<"$m")"
t_eq "metrics: no reason \"none\"" 0 "$(grep -c 'reason="none"' <<<"$m")"
sv_stop
t_eq "clean stop" 0 "$SV_RC"
t_finish
