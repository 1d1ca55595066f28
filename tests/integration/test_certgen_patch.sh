#!/bin/bash
# pgadmit certgen --secret / --patch-webhooks against a replay of recorded
# Kubernetes API responses (tests/lib/kube_replay.py, HTTPS on loopback;
# fixtures in tests/fixtures/certgen/): the exact JSON Patch sent for the caBundle, the Secret created
# and then kept, both webhook kinds, API errors, no token in the output.
source tests/integration/lib.sh
t_tmpdir
command -v python3 >/dev/null || { t_fail "python3 available" "missing"; t_finish; }

sa="$T/sa"
mkdir -p "$sa"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/api.key" -out "$sa/ca.crt" -days 2 -subj "/CN=kube-apiserver" \
	-addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
token="replay-token-$RANDOM$RANDOM-do-not-print"
printf '%s\n' "$token" >"$sa/token"
log="$T/requests.jsonl"
: >"$log"
python3 "$ROOT/tests/lib/kube_replay.py" "$sa/ca.crt" "$T/api.key" "$sa/token" \
	"$log" >"$T/port" 2>"$T/replay.err" &
replay=$!
t_on_exit "kill $replay 2>/dev/null; wait $replay 2>/dev/null"
for _ in $(seq 1 100); do
	[ -s "$T/port" ] && break
	kill -0 $replay 2>/dev/null || break
	sleep 0.1
done
[ -s "$T/port" ] || { t_fail "replay server started" "$(cat "$T/replay.err")"; t_finish; }
t_ok "replay server started"
export PGADMIT_KUBE_API_URL="https://127.0.0.1:$(cat "$T/port")"
export PGADMIT_KUBE_SA_DIR="$sa"
unset KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT

# Python reads the request log and answers one question (prints a value).
q() { python3 - "$log" "$@" <<'EOF'
import base64, json, sys, urllib.parse
reqs = [json.loads(l) for l in open(sys.argv[1])]
what = sys.argv[2]
def find(method, frag):
    return [r for r in reqs if r["method"] == method and frag in r["path"]]
if what == "count":
    print(len(find(sys.argv[3], sys.argv[4])))
elif what == "secret-field":  # decoded data field of the POSTed Secret
    print(base64.b64decode(find("POST", "/secrets")[0]["body"]["data"][sys.argv[3]]).decode(), end="")
elif what == "secret-meta":
    b = find("POST", "/secrets")[0]["body"]
    print(b["type"], b["metadata"]["namespace"], b["metadata"]["name"], find("POST", "/secrets")[0]["path"])
elif what == "patch":  # the JSON Patch body sent to a configuration, compact
    r = find("PATCH", sys.argv[3])[int(sys.argv[4]) if len(sys.argv) > 4 else 0]
    print(r["content_type"], json.dumps(r["body"], separators=(",", ":")))
elif what == "secret-patches":  # merge patches of a Secret, compact, one a line
    for r in find("PATCH", "/secrets/" + sys.argv[3]):
        print(r["content_type"], json.dumps(r["body"], separators=(",", ":")))
elif what == "patch-query":
    print(urllib.parse.urlencode(find("PATCH", sys.argv[3])[0]["query"], doseq=True))
EOF
}
b64() { base64 -w0 <"$1"; }

# 1. First run: no Secret yet, two configurations, one missing name.
"$PGADMIT" certgen --service pgadmit --namespace pgadmit --secret pgadmit-tls \
	--out-dir "$T/out" --patch-webhooks pgadmit pgadmit-mutating not-there \
	>"$T/o1" 2>"$T/e1"
t_eq "first run: exit 0" 0 $?
grep -q "wrote Secret pgadmit/pgadmit-tls" "$T/o1" && t_ok "first run: Secret written" || t_fail "first run: Secret written" "$(cat "$T/o1" "$T/e1")"
t_eq "Secret created with POST" "kubernetes.io/tls pgadmit pgadmit-tls /api/v1/namespaces/pgadmit/secrets" "$(q secret-meta)"
q secret-field ca.crt >"$T/s.ca"
q secret-field tls.crt >"$T/s.crt"
q secret-field tls.key >"$T/s.key"
t_eq "Secret chain verifies" "$T/s.crt: OK" "$(openssl verify -CAfile "$T/s.ca" "$T/s.crt" 2>&1)"
t_check "Secret key matches" bash -c "[ \"\$(openssl pkey -in '$T/s.key' -pubout)\" = \"\$(openssl x509 -in '$T/s.crt' -noout -pubkey)\" ]"
t_check "files equal the Secret" cmp "$T/out/ca.crt" "$T/s.ca"
ca64="$(b64 "$T/s.ca")"
want='application/json-patch+json [{"op":"test","path":"/metadata/resourceVersion","value":"918273"},{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"'$ca64'"},{"op":"add","path":"/webhooks/1/clientConfig/caBundle","value":"'$ca64'"}]'
t_eq "validating: JSON Patch body" "$want" "$(q patch /validatingwebhookconfigurations/pgadmit)"
t_eq "validating: fieldManager" "fieldManager=pgadmit-certgen" "$(q patch-query /validatingwebhookconfigurations/pgadmit)"
want='application/json-patch+json [{"op":"test","path":"/metadata/resourceVersion","value":"918274"},{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"'$ca64'"}]'
t_eq "mutating: JSON Patch body" "$want" "$(q patch /mutatingwebhookconfigurations/pgadmit-mutating)"
t_eq "both kinds tried for each name" 2 "$(q count GET /not-there)"
t_eq "nothing patched for a missing name" 0 "$(q count PATCH /not-there)"
grep -q "no webhook configuration named not-there (not created yet); skipped" "$T/o1" &&
	t_ok "missing name reported" || t_fail "missing name reported" "$(cat "$T/o1")"
grep -q "patched caBundle of pgadmit-mutating" "$T/o1" && t_ok "mutating reported" || t_fail "mutating reported"
owner='application/merge-patch+json {"metadata":{"ownerReferences":[{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","name":"pgadmit","uid":"4b6f2c1e-9a0d-4c1b-8f3e-2d7a5c9e1f04"}]}}'
t_eq "Secret owned by the validating configuration (deleted with it on uninstall)" "$owner" "$(q secret-patches pgadmit-tls)"
grep -q "Secret pgadmit/pgadmit-tls is owned by ValidatingWebhookConfiguration pgadmit" "$T/o1" &&
	t_ok "ownership reported" || t_fail "ownership reported" "$(cat "$T/o1")"
grep -qF "$token" "$T/o1" "$T/e1" && t_fail "token not printed" || t_ok "token not printed"
grep -q "PRIVATE KEY" "$T/o1" "$T/e1" && t_fail "key not printed" || t_ok "key not printed"

# 2. Second run (helm upgrade): the Secret is valid, so it is kept and the
# same CA is patched again; no new Secret is written.
: >"$log"
"$PGADMIT" certgen --service pgadmit --namespace pgadmit --secret pgadmit-tls \
	--patch-webhooks pgadmit >"$T/o2" 2>"$T/e2"
t_eq "second run: exit 0" 0 $?
grep -q "keeping Secret pgadmit/pgadmit-tls" "$T/o2" && t_ok "second run: Secret kept" || t_fail "second run: Secret kept" "$(cat "$T/o2" "$T/e2")"
t_eq "second run: no POST" 0 "$(q count POST /secrets)"
t_eq "second run: Secret data untouched (only its owner set again)" "$owner" "$(q secret-patches pgadmit-tls)"
t_eq "second run: same CA patched" "$ca64" "$(q patch /validatingwebhookconfigurations/pgadmit | sed 's/.*"value":"\([^"]*\)"}]$/\1/')"

# 3. A Secret for another Service name is replaced (merge PATCH of data).
: >"$log"
"$PGADMIT" certgen --service other --namespace pgadmit --secret pgadmit-tls >"$T/o3" 2>"$T/e3"
t_eq "wrong-name Secret: exit 0" 0 $?
grep -q "replacing Secret pgadmit/pgadmit-tls: tls.crt is not valid for other.pgadmit.svc" "$T/o3" &&
	t_ok "wrong-name Secret: reason given" || t_fail "wrong-name Secret: reason given" "$(cat "$T/o3")"
t_eq "wrong-name Secret: POST then merge PATCH" "1 1" "$(q count POST /secrets) $(q count PATCH /secrets/pgadmit-tls)"

# 4. --force rotates even a valid Secret.
: >"$log"
"$PGADMIT" certgen --service other --namespace pgadmit --secret pgadmit-tls --force >/dev/null 2>&1
t_eq "--force rotates the Secret" "0 1" "$(q count GET /secrets) $(q count PATCH /secrets/pgadmit-tls)"

# 5. API errors: a 403 on PATCH fails with the API's own message.
"$PGADMIT" certgen --service pgadmit --namespace pgadmit --out-dir "$T/o5" \
	--patch-webhooks locked >"$T/o5.out" 2>"$T/e5"
t_eq "forbidden: exit 1" 1 $?
grep -q 'patching locked: ValidatingWebhookConfiguration: HTTP 403: .*cannot patch resource "validatingwebhookconfigurations"' "$T/e5" &&
	t_ok "forbidden: message" || t_fail "forbidden: message" "$(cat "$T/e5")"

# 6. A wrong token: 401 reported, token not echoed.
printf 'wrong\n' >"$T/badsa.token"
mkdir -p "$T/badsa" && cp "$sa/ca.crt" "$T/badsa/" && mv "$T/badsa.token" "$T/badsa/token"
PGADMIT_KUBE_SA_DIR="$T/badsa" "$PGADMIT" certgen --service pgadmit --namespace pgadmit \
	--secret pgadmit-tls >"$T/o6" 2>"$T/e6"
t_eq "unauthorized: exit 1" 1 $?
grep -q "HTTP 401" "$T/e6" && t_ok "unauthorized: message" || t_fail "unauthorized: message" "$(cat "$T/e6")"

# 7. An API server whose certificate is not signed by the cluster CA.
mkdir -p "$T/othersa"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-out "$T/othersa/ca.crt" -days 1 -subj "/CN=other" >/dev/null 2>&1
cp "$sa/token" "$T/othersa/token"
PGADMIT_KUBE_SA_DIR="$T/othersa" "$PGADMIT" certgen --service pgadmit --namespace pgadmit \
	--secret pgadmit-tls >"$T/o7" 2>"$T/e7"
t_eq "untrusted API server: exit 1" 1 $?
grep -qi "certificate" "$T/e7" && t_ok "untrusted API server: message" || t_fail "untrusted API server: message" "$(cat "$T/e7")"

# 8. Not in a cluster at all.
env -u PGADMIT_KUBE_API_URL -u KUBERNETES_SERVICE_HOST "$PGADMIT" certgen --service pgadmit \
	--namespace pgadmit --secret x >"$T/o8" 2>"$T/e8"
t_eq "not in a cluster: exit 1" 1 $?
grep -q "not running in a cluster" "$T/e8" && t_ok "not in a cluster: message" || t_fail "not in a cluster: message" "$(cat "$T/e8")"
t_finish
