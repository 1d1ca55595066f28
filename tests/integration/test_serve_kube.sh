# PGA103 in the cluster: pgadmit serve lists the namespace's CronJobs from
# the Kubernetes API. Here the API is tests/lib/kube_replay.py,
# an HTTPS server replaying recorded CronJobList responses
# (tests/fixtures/serve/kube/). Covers found / not found / paging / cache /
# CronJob under review counted (not for dryRun) / token rotation / API slow,
# 500, 403, garbage, malformed JSON, connection closed without an answer and
# down: a warning within the timeout, never a deny or a hang, even with
# PGA103 set to deny.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
sv_replay_api 2A token-one

echo '{"rules": {"PGA103": "deny"}}' >"$T/deny103.json"
if ! sv_start kube --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" --policy "$T/deny103.json"; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi
grep -q '"msg":"PGA103: listing CronJobs from the Kubernetes API"' "$SV_LOG" && t_ok "in-cluster config used" ||
	t_fail "in-cluster config used" "$(cat "$SV_LOG")"

# judge NS [dry|op] -> "allowed ms warning..." for a Postgres StatefulSet (or
# the backup CronJob with KIND=cronjob) in namespace NS
judge() {
	python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$ROOT/tests/fixtures/serve/objects" "$@" <<'PY'
import json, sys, time, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
port, ca, objs, ns = int(sys.argv[1]), sys.argv[2], sys.argv[4], sys.argv[5]
what = sys.argv[6] if len(sys.argv) > 6 else "sts"
dry = len(sys.argv) > 7 and sys.argv[7] == "dry"
obj = json.load(open(objs + ("/cronjob-backup.json" if what == "cronjob" else "/sts-postgres.json")))
obj["metadata"]["namespace"] = ns
t0 = time.monotonic()
st, body = rv.post(port, ca, "/validate", rv.wrap(obj, uid="k-" + ns, dry_run=dry), timeout=30)
ms = int((time.monotonic() - t0) * 1000)
r = json.loads(body)["response"]
w = [x for x in r.get("warnings", []) if x.startswith("PGA103")]
if "PGA103" in r.get("status", {}).get("message", ""):
    w.append("denied-PGA103")
print(r["allowed"], ms, "|".join(w) if w else "-")
PY
}
requests_for() { grep -c "namespaces/$1/cronjobs" "$T/api.log"; }

out="$(judge shop)"
t_eq "backup CronJob found: allowed, no PGA103" "True -" "$(echo "$out" | awk '{print $1, $3}')"
grep -q '"query": {"limit": \["500"\]}' "$T/api.log" && t_ok "asks with limit=500" || t_fail "asks with limit=500" "$(cat "$T/api.log")"
grep -q '"auth_ok": true' "$T/api.log" && t_ok "service-account token sent" || t_fail "service-account token sent" "$(cat "$T/api.log")"

out="$(judge nobackup)"
case "$out" in
"False "*denied-PGA103*) t_ok "no backup CronJob: PGA103 at the policy's action (deny)" ;;
*) t_fail "no backup CronJob: PGA103 deny" "$out" ;;
esac
echo "$out" | grep -q "could not be verified" && t_fail "no backup: not an 'unknown'" "$out" || t_ok "no backup: not an 'unknown'"

out="$(judge paged)"
t_eq "backup on page 2 found (continue)" "True -" "$(echo "$out" | awk '{print $1, $3}')"
grep -q '"continue": \["eyJ2Ijo' "$T/api.log" && t_ok "second page asked with continue" || t_fail "second page asked with continue" "$(grep paged "$T/api.log")"

n1="$(requests_for shop)"
judge shop >/dev/null; judge shop >/dev/null
t_eq "cache: no new API call within the TTL" "$n1" "$(requests_for shop)"

# A CronJob admitted for real counts for its namespace; a dryRun one does not.
out="$(judge fresh)"
case "$out" in "False "*) t_ok "empty namespace: no backup" ;; *) t_fail "empty namespace: no backup" "$out" ;; esac
out="$(judge fresh2)"
judge fresh2 cronjob dry >/dev/null
out="$(judge fresh2)"
case "$out" in "False "*) t_ok "dryRun CronJob not counted" ;; *) t_fail "dryRun CronJob not counted" "$out" ;; esac
judge fresh cronjob >/dev/null
out="$(judge fresh)"
t_eq "admitted CronJob counted at once" "True -" "$(echo "$out" | awk '{print $1, $3}')"

# The API cannot answer: a warning, never a deny, within the timeout.
for ns in slow broken forbidden garbage badjson closing; do
	out="$(judge $ns)"
	set -- $out
	allowed="$1" ms="$2"
	if [ "$allowed" = True ] && echo "$out" | grep -q "could not be verified"; then
		t_ok "API $ns: allowed with a 'could not verify' warning"
	else
		t_fail "API $ns: allowed with a warning" "$out"
	fi
	[ "$ms" -lt $((TIMEOUT_MS + 1500 * SV_SLOW)) ] && t_ok "API $ns: answered in ${ms} ms" ||
		t_fail "API $ns: answered within the timeout" "${ms} ms"
done
grep '"msg":"review".*"namespace":"forbidden"' "$SV_LOG" >/dev/null && t_ok "reviews logged" || t_fail "reviews logged" "missing"
# a recent failure is remembered: no second slow call
t0=$(date +%s%N); judge slow >/dev/null; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ $ms -lt $((TIMEOUT_MS + 500 * SV_SLOW)) ] && t_ok "failure remembered briefly (${ms} ms)" || t_fail "failure remembered" "${ms} ms"

# Token rotation: the file changes, the API accepts only the new token.
echo "token-two" >"$T/accepted-token"
sleep 0.01
echo "token-two" >"$SA/token"
out="$(judge rotated)"
case "$out" in "False "*denied-PGA103*) t_ok "rotated token read (listing succeeded)" ;; *) t_fail "rotated token read" "$out" ;; esac
grep 'namespaces/rotated/' "$T/api.log" | grep -q '"auth_ok": false' &&
	t_fail "changed token file re-read before use" "$(grep rotated "$T/api.log")" ||
	t_ok "changed token file re-read before use"
# A change the file's identity does not show (same size, mtime restored):
# the stale token gets a 401, which makes pgadmit re-read the file once.
cp -p "$SA/token" "$T/token.ref"
echo "token-333" >"$T/accepted-token"
echo "token-333" >"$SA/token"
touch -r "$T/token.ref" "$SA/token"
out="$(judge rotated401)"
case "$out" in "False "*denied-PGA103*) t_ok "401: token re-read, listing succeeded" ;; *) t_fail "401: token re-read" "$out" ;; esac
t_eq "401 then success" "false true" \
	"$(grep 'namespaces/rotated401/cronjobs' "$T/api.log" | sed 's/.*"auth_ok": \([a-z]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"

# API down
kill $API; wait $API 2>/dev/null
out="$(judge downns)"
set -- $out
[ "$1" = True ] && echo "$out" | grep -q "could not be verified" && t_ok "API down: allowed with a warning" ||
	t_fail "API down: allowed with a warning" "$out"
[ "$2" -lt $((TIMEOUT_MS + 1500 * SV_SLOW)) ] && t_ok "API down: answered in $2 ms" || t_fail "API down: fast" "$2 ms"

sv_curl -o "$T/metrics" "$(sv_url /metrics)"
grep -q 'pgadmit_kube_cronjob_lists_total{result="error"} [1-9]' "$T/metrics" && t_ok "metrics: API errors counted" ||
	t_fail "metrics: API errors counted" "$(grep kube "$T/metrics")"
! grep -q "token-one\|token-two" "$SV_LOG" && t_ok "token never logged" || t_fail "token never logged" "found"
sv_stop
t_eq "exit 0" 0 "$SV_RC"
t_finish
