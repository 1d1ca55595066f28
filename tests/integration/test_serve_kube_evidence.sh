# PGA105 and PGA106 in the cluster: pgadmit serve lists a namespace's
# deployments, statefulsets, services, podmonitors, servicemonitors and
# podmonitorings, and GETs the one ConfigMap a Postgres container loads
# with envFrom, from the Kubernetes API (here tests/lib/kube_replay.py
# replaying tests/fixtures/serve/kube/evidence/). Covers: monitored by a
# PodMonitor, by a ServiceMonitor through a Service, by an exporter
# Deployment, by a GKE PodMonitoring; nothing found (the policy's action,
# deny here); monitoring CRDs not installed (404: none, still judged);
# RBAC 403 and a slow API (a warning within the timeout, never a deny);
# the listing cached for the TTL; envFrom ConfigMaps setting trust (deny),
# not setting it, absent; the exact requests (GET by name, never a
# ConfigMap listing).
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
sv_replay_api 2B token-ev

echo '{"rules": {"PGA106": "deny"}}' >"$T/deny106.json"
if ! sv_start kube --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" --policy "$T/deny106.json"; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi

# judge NS [CONFIGMAP] -> "allowed ms RULE-notes..." for a Postgres
# StatefulSet with pod labels app=pg (and envFrom CONFIGMAP) in NS; notes:
# "deny-R" for a deny of rule R, "warn-R:<message>" for a warning.
judge() {
	python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$@" <<'PY'
import json, sys, time, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
port, ca, ns = int(sys.argv[1]), sys.argv[2], sys.argv[4]
cm = sys.argv[5] if len(sys.argv) > 5 else None
c = {"name": "pg", "image": "postgres:16"}
if cm:
    c["envFrom"] = [{"configMapRef": {"name": cm}}]
obj = {"apiVersion": "apps/v1", "kind": "StatefulSet",
       "metadata": {"name": "pg", "namespace": ns,
                    "annotations": {"pgadmit.dev/backup": "snapshots"}},
       "spec": {"template": {"metadata": {"labels": {"app": "pg"}},
                             "spec": {"containers": [c]}}}}
t0 = time.monotonic()
st, body = rv.post(port, ca, "/validate", rv.wrap(obj, uid="e-" + ns), timeout=30)
ms = int((time.monotonic() - t0) * 1000)
r = json.loads(body)["response"]
notes = ["warn-" + w.replace(" ", "_") for w in r.get("warnings", []) if w[:6] in ("PGA105", "PGA106")]
msg = r.get("status", {}).get("message", "")
notes += ["deny-" + x for x in ("PGA105", "PGA106") if x in msg]
print(r["allowed"], ms, " ".join(notes) if notes else "-")
PY
}
req() { grep -c "\"path\": \"$1\"" "$T/api.log"; }

for ns in podmon svcmon exporter gke; do
	out="$(judge $ns)"
	t_eq "monitored ($ns): allowed, no PGA106" "True -" "$(echo "$out" | awk '{print $1, $3}')"
done
out="$(judge empty)"
case "$out" in "False "*deny-PGA106*) t_ok "nothing monitors it: PGA106 at the policy's action (deny)" ;; *) t_fail "nothing: deny" "$out" ;; esac
echo "$out" | grep -q "could_not_be_verified" && t_fail "nothing: not an 'unknown'" "$out" || t_ok "nothing: not an 'unknown'"
out="$(judge nocrd)"
case "$out" in "False "*deny-PGA106*) t_ok "monitoring CRDs not installed (404): judged, none found" ;; *) t_fail "no CRDs: judged" "$out" ;; esac
for r in deployments statefulsets; do
	t_eq "lists apps/v1 $r of the namespace" 1 "$(req "/apis/apps/v1/namespaces/empty/$r")"
done
t_eq "lists services" 1 "$(req /api/v1/namespaces/empty/services)"
t_eq "lists podmonitors" 1 "$(req /apis/monitoring.coreos.com/v1/namespaces/empty/podmonitors)"
t_eq "lists servicemonitors" 1 "$(req /apis/monitoring.coreos.com/v1/namespaces/empty/servicemonitors)"
t_eq "lists podmonitorings" 1 "$(req /apis/monitoring.googleapis.com/v1/namespaces/empty/podmonitorings)"
grep '/namespaces/empty/services' "$T/api.log" | grep -q '"limit": \["500"\]' && t_ok "paged with limit=500" || t_fail "paged with limit" "$(grep empty "$T/api.log")"
n="$(grep -c '/namespaces/podmon/' "$T/api.log")"
judge podmon >/dev/null; judge podmon >/dev/null
t_eq "cache: no new API call within the TTL" "$n" "$(grep -c '/namespaces/podmon/' "$T/api.log")"

# The API cannot answer: a warning, never a deny, within the timeout.
for ns in evforbidden evslow; do
	out="$(judge $ns)"
	set -- $out
	if [ "$1" = True ] && echo "$out" | grep -q "warn-PGA106.*could_not_be_verified"; then
		t_ok "API $ns: allowed with a 'could not verify' warning"
	else
		t_fail "API $ns: allowed with a warning" "$out"
	fi
	[ "$2" -lt $((TIMEOUT_MS + 1500 * SV_SLOW)) ] && t_ok "API $ns: answered in $2 ms" ||
		t_fail "API $ns: answered within the timeout" "$2 ms"
done
judge evforbidden | grep -q "403" && t_ok "403: the warning says why" || t_fail "403: says why" "$(judge evforbidden)"

# PGA105: the ConfigMap loaded with envFrom, asked by name.
out="$(judge cmtrust pg-env)"
case "$out" in "False "*deny-PGA105*) t_ok "envFrom ConfigMap sets trust: PGA105 deny" ;; *) t_fail "envFrom trust: deny" "$out" ;; esac
t_eq "ConfigMap GET by name" 1 "$(req /api/v1/namespaces/cmtrust/configmaps/pg-env)"
out="$(judge cmtrust safe)"
echo "$out" | grep -q PGA105 && t_fail "envFrom ConfigMap without trust: quiet" "$out" || t_ok "envFrom ConfigMap without trust: quiet"
out="$(judge cmtrust missing)"
echo "$out" | grep -q PGA105 && t_fail "envFrom ConfigMap absent (404): quiet" "$out" || t_ok "envFrom ConfigMap absent (404): quiet"
judge cmtrust pg-env >/dev/null
t_eq "ConfigMap remembered for the TTL" 1 "$(req /api/v1/namespaces/cmtrust/configmaps/pg-env)"
grep -q '"path": "/api/v1/namespaces/[a-z]*/configmaps"' "$T/api.log" && t_fail "never lists ConfigMaps" "$(grep configmaps "$T/api.log")" || t_ok "never lists ConfigMaps"

# API down: both rules warn, nothing is denied.
kill $API; wait $API 2>/dev/null
out="$(judge downns pg-env)"
case "$out" in
"True "*warn-PGA106*warn-PGA105*|"True "*warn-PGA105*warn-PGA106*) t_ok "API down: allowed, PGA105 and PGA106 warn" ;;
*) t_fail "API down: allowed with warnings" "$out" ;;
esac
! grep -q "token-ev" "$SV_LOG" && t_ok "token never logged" || t_fail "token never logged" "found"
sv_stop
t_eq "exit 0" 0 "$SV_RC"
t_finish
