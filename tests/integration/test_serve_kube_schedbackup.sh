# PGA103 for a CloudNativePG Cluster in the cluster: a Cluster that
# declares no backup (no spec.backup, no backup plugin) is backed up when a
# ScheduledBackup of its namespace, not suspended, names it in
# spec.cluster.name. pgadmit serve lists postgresql.cnpg.io/v1
# scheduledbackups from the Kubernetes API (here tests/lib/kube_replay.py
# replaying tests/fixtures/serve/kube/evidence/). Covers: found (quiet);
# one naming another Cluster, a suspended one, none (PGA103 as usual, not
# an "unknown"); paged listing (the match on page 2); CRD not installed
# (404: none); RBAC 403 and a slow API (a "could not verify" warning within
# the timeout, never a deny, even under a deny policy); a backup CronJob
# still counts; the listing cached for the TTL; a Cluster with spec.backup
# and a StatefulSet never list ScheduledBackups; /metrics counters.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
sv_replay_api 2B token-sb

# PGA103 at deny: "found" and "none" stay tellable apart from "unknown",
# which must stay a warning whatever the policy says.
echo '{"rules": {"PGA103": "deny"}}' >"$T/deny103.json"
if ! sv_start kube --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" --policy "$T/deny103.json"; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi

# judge NS [KIND] -> "allowed ms notes..." for a Postgres object named pg
# in NS: KIND "cluster" (default) a CloudNativePG Cluster without
# spec.backup, "backup" one with spec.backup, "sts" a StatefulSet. Notes:
# "deny-PGA103", or "warn-PGA103:<message>" for a warning.
judge() {
	python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$@" <<'PY'
import json, sys, time, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
port, ca, ns = int(sys.argv[1]), sys.argv[2], sys.argv[4]
kind = sys.argv[5] if len(sys.argv) > 5 else "cluster"
md = {"name": "pg", "namespace": ns}
if kind == "sts":
    obj = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": md,
           "spec": {"template": {"metadata": {"labels": {"app": "pg"}},
                                 "spec": {"containers": [{"name": "pg", "image": "postgres:16"}]}}}}
else:
    obj = {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": md,
           "spec": {"instances": 3, "storage": {"size": "1Gi"}}}
    if kind == "backup":
        obj["spec"]["backup"] = {"barmanObjectStore": {"destinationPath": "s3://backups/pg",
                                 "s3Credentials": {"inheritFromIAMRole": True}}}
t0 = time.monotonic()
st, body = rv.post(port, ca, "/validate", rv.wrap(obj, uid="s-" + ns), timeout=30)
ms = int((time.monotonic() - t0) * 1000)
r = json.loads(body)["response"]
notes = ["warn-" + w.replace(" ", "_") for w in r.get("warnings", []) if w.startswith("PGA103")]
if "PGA103" in r.get("status", {}).get("message", ""):
    notes.append("deny-PGA103")
print(r["allowed"], ms, " ".join(notes) if notes else "-")
PY
}
req() { grep -c "\"path\": \"$1\"" "$T/api.log"; }
sbpath() { echo "/apis/postgresql.cnpg.io/v1/namespaces/$1/scheduledbackups"; }

out="$(judge sbfound)"
t_eq "ScheduledBackup names the Cluster: allowed, no PGA103" "True -" "$(echo "$out" | awk '{print $1, $3}')"
t_eq "lists the namespace's scheduledbackups" 1 "$(req "$(sbpath sbfound)")"
grep "$(sbpath sbfound)" "$T/api.log" | grep -q '"limit": \["500"\]' && t_ok "paged with limit=500" ||
	t_fail "paged with limit" "$(grep sbfound "$T/api.log")"
for ns in sbother sbsuspended sbnone nocrd; do
	out="$(judge $ns)"
	case "$out" in
	"False "*deny-PGA103*) t_ok "$ns: no ScheduledBackup for it, PGA103 at the policy's action (deny)" ;;
	*) t_fail "$ns: PGA103 deny" "$out" ;;
	esac
done
out="$(judge sbpaged)"
t_eq "paged: the ScheduledBackup on page 2 is found" "True -" "$(echo "$out" | awk '{print $1, $3}')"
grep "$(sbpath sbpaged)" "$T/api.log" | grep -q '"continue": \["p2"\]' && t_ok "page 2 asked with continue" ||
	t_fail "page 2 asked with continue" "$(grep sbpaged "$T/api.log")"
out="$(judge shop)"
t_eq "no ScheduledBackup but a pg_dump CronJob: found" "True -" "$(echo "$out" | awk '{print $1, $3}')"

n="$(req "$(sbpath sbfound)")"
judge sbfound >/dev/null
judge sbfound >/dev/null
t_eq "cache: no new listing within the TTL" "$n" "$(req "$(sbpath sbfound)")"

out="$(judge sbdeclared backup)"
t_eq "Cluster with spec.backup: quiet" "True -" "$(echo "$out" | awk '{print $1, $3}')"
t_eq "Cluster with spec.backup: nothing listed" 0 "$(grep -c '/namespaces/sbdeclared/scheduledbackups' "$T/api.log")"
out="$(judge sbsts sts)"
case "$out" in "False "*deny-PGA103*) t_ok "StatefulSet: ScheduledBackups do not count, PGA103" ;; *) t_fail "StatefulSet: PGA103" "$out" ;; esac
t_eq "StatefulSet: scheduledbackups never listed" 0 "$(grep -c '/namespaces/sbsts/scheduledbackups' "$T/api.log")"

# The API cannot answer: a warning, never a deny, within the timeout.
for ns in sbforbidden sbslow; do
	out="$(judge $ns)"
	set -- $out
	if [ "$1" = True ] && echo "$out" | grep -q "warn-PGA103.*could_not_be_checked"; then
		t_ok "API $ns: allowed with a 'could not be checked' warning"
	else
		t_fail "API $ns: allowed with a warning" "$out"
	fi
	[ "$2" -lt $((TIMEOUT_MS + 1500 * SV_SLOW)) ] && t_ok "API $ns: answered in $2 ms" ||
		t_fail "API $ns: answered within the timeout" "$2 ms"
done
# the warning names what the service account may not list, within the
# rules' one-line message length
judge sbforbidden | grep -q "HTTP_403:_may_not_list_scheduledbackups" &&
	t_ok "403: the warning says why" ||
	t_fail "403: says why" "$(judge sbforbidden)"

sv_curl -o "$T/metrics" "$(sv_url /metrics)"
m() { awk -v k="pgadmit_kube_ns_cache_$1_total{evidence=\"$2\"}" '$1 == k {print $2}' "$T/metrics"; }
[ "$(m hits scheduledbackups)" -ge 2 ] 2>/dev/null && t_ok "metrics: scheduledbackups cache hits ($(m hits scheduledbackups))" ||
	t_fail "metrics: hits" "$(grep ns_cache "$T/metrics")"
[ "$(m misses scheduledbackups)" -ge 8 ] 2>/dev/null && t_ok "metrics: scheduledbackups listings ($(m misses scheduledbackups))" ||
	t_fail "metrics: misses" "$(grep ns_cache "$T/metrics")"
[ "$(m errors scheduledbackups)" -ge 2 ] 2>/dev/null && t_ok "metrics: scheduledbackups errors ($(m errors scheduledbackups))" ||
	t_fail "metrics: errors" "$(grep ns_cache "$T/metrics")"
for e in monitoring configmaps; do
	[ -n "$(m misses $e)" ] && t_ok "metrics: $e counters present" || t_fail "metrics: $e" "$(grep ns_cache "$T/metrics")"
done

# API down: a warning, nothing denied.
kill $API; wait $API 2>/dev/null
out="$(judge sbdown)"
case "$out" in "True "*warn-PGA103*could_not_be_checked*) t_ok "API down: allowed, PGA103 warns" ;; *) t_fail "API down: warns" "$out" ;; esac
! grep -q "token-sb" "$SV_LOG" && t_ok "token never logged" || t_fail "token never logged" "found"
sv_stop
t_eq "exit 0" 0 "$SV_RC"
t_finish
