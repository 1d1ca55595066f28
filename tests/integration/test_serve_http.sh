# pgadmit serve, HTTP and TLS surface: refuses to start without a
# certificate, TLS 1.2/1.3 only, TLS 1.2 with AEAD suites only (CBC, CCM and
# static-RSA suites refused, with ECDSA and RSA certificates), health/ready/metrics, every error answer
# (400 malformed/non-review/wrong apiVersion/missing uid, 404, 405, 413 by
# Content-Length and chunked), allowed-at-once answers, slow clients holding
# connections while others are served, idle timeout.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 0B || { t_fail "make certificates" "openssl failed"; t_finish; }
OBJ="$ROOT/tests/fixtures/serve/objects"

# --- refusing to start --------------------------------------------------------
env -u PGADMIT_TLS_CERT -u PGADMIT_TLS_KEY timeout 10 "$PGADMIT" serve --listen 127.0.0.1:0 >"$T/nocert.out" 2>&1
t_eq "no certificate: exit 2" 2 $?
grep -q "no TLS certificate" "$T/nocert.out" && t_ok "no certificate: says why" ||
	t_fail "no certificate: says why" "$(cat "$T/nocert.out")"
echo "garbage" >"$T/bad.crt"
timeout 10 "$PGADMIT" serve --listen 127.0.0.1:0 --tls-cert "$T/bad.crt" --tls-key "$CERTS/tls.key" >"$T/badcert.out" 2>&1
t_eq "garbage certificate: exit 2" 2 $?
grep -q "bad.crt" "$T/badcert.out" && t_ok "garbage certificate: names the file" ||
	t_fail "garbage certificate: names the file" "$(cat "$T/badcert.out")"
timeout 10 "$PGADMIT" serve --listen nonsense --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" >"$T/badlisten.out" 2>&1
t_eq "bad listen address: exit 2" 2 $?
echo '{"rules": {"PGA999": "deny"}}' >"$T/badpolicy.json"
timeout 10 "$PGADMIT" serve --listen 127.0.0.1:0 --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" \
	--policy "$T/badpolicy.json" >"$T/badpol.out" 2>&1
t_eq "bad policy: exit 2" 2 $?
grep -Eq "cannot load policy: .*badpolicy.json(:[0-9]+)?: rules.PGA999" "$T/badpol.out" && t_ok "bad policy: says why" ||
	t_fail "bad policy: says why" "$(tail -1 "$T/badpol.out")"
timeout 10 "$PGADMIT" serve --bogus >/dev/null 2>&1
t_eq "unknown flag: exit 2" 2 $?

# --- start (certificate from the environment) ---------------------------------
export PGADMIT_TLS_CERT="$CERTS/tls.crt" PGADMIT_TLS_KEY="$CERTS/tls.key"
if ! sv_start http --max-body-bytes 65536 --idle-timeout $((2 * SV_SLOW)); then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi
t_ok "server starts (cert and key from PGADMIT_TLS_*)"

timeout 10 "$PGADMIT" serve --listen "127.0.0.1:$SV_PORT" >"$T/inuse.out" 2>&1
t_eq "address in use: exit 2" 2 $?
grep -q "cannot listen on 127.0.0.1:$SV_PORT" "$T/inuse.out" && t_ok "address in use: says why" ||
	t_fail "address in use: says why" "$(tail -1 "$T/inuse.out")"
t_eq "GET /healthz" "ok" "$(sv_curl "$(sv_url /healthz)")"
t_eq "GET /readyz" "ready" "$(sv_curl "$(sv_url /readyz)")"
sv_curl -o "$T/metrics" "$(sv_url /metrics)"
for m in pgadmit_admission_requests_total pgadmit_findings_total \
	pgadmit_admission_duration_seconds_bucket pgadmit_tls_cert_not_after_seconds \
	pgadmit_policy_reloads_total; do
	grep -q "^$m" "$T/metrics" && t_ok "metrics has $m" || t_fail "metrics has $m" "missing"
done
na="$(sed -n 's/^pgadmit_tls_cert_not_after_seconds \([0-9]*\)$/\1/p' "$T/metrics")"
want="$(date -d "$(openssl x509 -in "$CERTS/tls.crt" -noout -enddate | cut -d= -f2)" +%s)"
t_eq "metrics: certificate expiry" "$want" "$na"

# --- TLS versions ----------------------------------------------------------------
for v in tls1 tls1_1; do
	timeout 10 openssl s_client -connect "127.0.0.1:$SV_PORT" -$v -cipher 'DEFAULT@SECLEVEL=0' \
		</dev/null >"$T/$v.out" 2>&1
	grep -q "Cipher is (NONE)" "$T/$v.out" && t_ok "$v refused" || t_fail "$v refused" "$(grep -E 'Cipher|Protocol' "$T/$v.out")"
done
for v in tls1_2 tls1_3; do
	timeout 10 openssl s_client -connect "127.0.0.1:$SV_PORT" -$v -CAfile "$CERTS/ca.crt" \
		</dev/null >"$T/$v.out" 2>&1
	grep -q "New, TLSv1\.[23]," "$T/$v.out" && grep -q "Verify return code: 0" "$T/$v.out" &&
		t_ok "$v served" || t_fail "$v served" "$(grep -E 'Cipher|Verify' "$T/$v.out")"
done
# --- TLS 1.2 suites: AEAD only (Mozilla "intermediate"), TLS 1.3 as is ----------------
# suite_check NAME PORT VERSION-FLAG SUITE-FLAG SUITE accepted|refused
suite_check() {
	timeout 10 openssl s_client -connect "127.0.0.1:$2" -"$3" -"$4" "$5" -CAfile "$CERTS/ca.crt" \
		</dev/null >"$T/suite.out" 2>&1
	local got proto
	if ! grep -q "^CONNECTED(" "$T/suite.out"; then
		t_fail "$1: $5 $6" "the client did not try: $(grep -iE 'error|cipher' "$T/suite.out" | head -2)"
		return
	fi
	# "New, <version the suite dates from>, Cipher is <suite>", then the
	# session's "Protocol  : TLSv1.2"
	got="$(sed -n 's/^New, [^,]*, Cipher is \(.*\)$/\1/p' "$T/suite.out" | head -1)"
	proto="$(sed -n 's/^ *Protocol *: *\(TLSv1\.[0-9]\)$/\1/p' "$T/suite.out" | head -1)"
	[ -n "$proto" ] || proto="$(sed -n 's/^New, \(TLSv1\.3\), Cipher is .*/\1/p' "$T/suite.out" | head -1)"
	got="$got $proto"
	if [ "$6" = accepted ]; then
		[ "$got" = "$5 ${3/tls1_/TLSv1.}" ] && t_ok "$1: $5 accepted" ||
			t_fail "$1: $5 accepted" "got '$got'"
	else
		case "$got" in
		"(NONE)"* | " "*) t_ok "$1: $5 refused" ;;
		*) t_fail "$1: $5 refused" "negotiated $got" ;;
		esac
	fi
}
for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES128-CCM; do
	suite_check "TLS 1.2, ECDSA certificate" "$SV_PORT" tls1_2 cipher "$c" refused
done
for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
	suite_check "TLS 1.2, ECDSA certificate" "$SV_PORT" tls1_2 cipher "$c" accepted
done
for c in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
	suite_check "TLS 1.3" "$SV_PORT" tls1_3 ciphersuites "$c" accepted
done
sv_curl --http1.1 -o /dev/null "http://localhost:$SV_PORT/healthz" 2>/dev/null &&
	t_fail "plain HTTP refused" "answered" || t_ok "plain HTTP refused"

# --- error answers ---------------------------------------------------------------
post() { # path body-file -> "STATUS BODY" (status on the first line)
	sv_curl -o "$T/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$2" "$(sv_url "$1")"
}
err400() { # name body expected-substring
	printf '%s' "$2" >"$T/body"
	local st; st="$(post /validate "$T/body")"
	t_eq "$1: 400" 400 "$st"
	local e; e="$(jt get error "$T/resp" 2>"$T/perr")"
	[[ "$e" == *"$3"* ]] && t_ok "$1: JSON error body" || t_fail "$1: JSON error body" "$(cat "$T/resp" "$T/perr")"
}
err400 "malformed JSON" '{"apiVersion": "admission.k8s.io/v1", "kind": ' "malformed JSON"
err400 "not an AdmissionReview" '{"apiVersion": "v1", "kind": "Pod"}' "not an AdmissionReview"
err400 "array" '[]' "not an AdmissionReview"
err400 "wrong apiVersion" '{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {"uid": "x"}}' "apiVersion"
err400 "missing uid" '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"operation": "CREATE"}}' "uid"
err400 "duplicate keys" '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "a", "uid": "b"}}' "duplicate"

st="$(sv_curl -o "$T/resp" -w '%{http_code}' "$(sv_url /nope)")"
t_eq "unknown path: 404" 404 "$st"
st="$(sv_curl -D "$T/hdr" -o "$T/resp" -w '%{http_code}' "$(sv_url /validate)")"
t_eq "GET /validate: 405" 405 "$st"
grep -qi '^Allow: POST' "$T/hdr" && t_ok "405 has Allow: POST" || t_fail "405 has Allow: POST" "$(cat "$T/hdr")"
st="$(sv_curl -o /dev/null -w '%{http_code}' -X POST "$(sv_url /healthz)")"
t_eq "POST /healthz: 405" 405 "$st"

head -c $((200 * 1024)) /dev/zero | tr '\0' ' ' >"$T/big"
# curl waits for "100 Continue" before sending; the answer comes first
st="$(sv_curl -o "$T/resp" -w '%{http_code}' -H 'Expect: 100-continue' \
	-H 'Content-Type: application/json' --data-binary "@$T/big" "$(sv_url /validate)")"
t_eq "oversize body (Content-Length): 413" 413 "$st"
# answered from the headers alone, before a byte of the body is sent
python3 - "$SV_PORT" "$CERTS/ca.crt" >"$T/cl.out" 2>&1 <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10), server_hostname="localhost")
s.sendall(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
line = s.recv(200).split(b"\r\n")[0]
print(line.decode())
assert line.startswith(b"HTTP/1.1 413"), line
PY
[ $? -eq 0 ] && t_ok "1 GB Content-Length: 413 before the body" || t_fail "1 GB Content-Length: 413 before the body" "$(cat "$T/cl.out")"
st="$(sv_curl -o "$T/resp" -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	-H 'Content-Type: application/json' --data-binary "@$T/big" "$(sv_url /mutate)")"
t_eq "oversize body (chunked): 413" 413 "$st"

# --- allowed at once ---------------------------------------------------------------
python3 "$SV_PY" wrap "$OBJ/deploy-inline-password.json" --uid del-7 --op DELETE >"$T/del.json"
st="$(post /validate "$T/del.json")"
t_eq "DELETE: 200" 200 "$st"
t_eq "DELETE: allowed, uid echoed" "del-7 true" "$(jt pick "$T/resp" response.uid response.allowed)"
st="$(sv_curl -o "$T/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"sec-1","kind":{"group":"","version":"v1","kind":"Secret"},"operation":"CREATE","object":{"kind":"Secret","metadata":{"name":"s"}}}}' \
	"$(sv_url /validate)")"
t_eq "Secret: allowed at once" '200 {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"sec-1","allowed":true}}' "$st $(cat "$T/resp")"

# --- slow clients hold connections, others are served ---------------------------
python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$OBJ/deploy-inline-password.json" >"$T/slow.out" 2>&1 <<'PY'
import json, socket, ssl, sys, time, importlib.util
port, ca = int(sys.argv[1]), sys.argv[2]
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
ctx = ssl.create_default_context(cafile=ca)
held = []
for i in range(40):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    # half a request: headers promising a body that never comes
    s.sendall(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"apiVersion\"")
    held.append(s)
for i in range(10):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    s.sendall(b"POST /valid")  # slowloris: headers never finished
    held.append(s)
obj = json.load(open(sys.argv[4]))
t0 = time.monotonic()
for i in range(20):
    st, body = rv.post(port, ca, "/validate", rv.wrap(obj, uid=f"fast-{i}"))
    assert st == 200 and json.loads(body)["response"]["allowed"] is False, (st, body)
dt = time.monotonic() - t0
print("20 reviews with 50 stuck connections: %.3f s" % dt)
assert dt < 5, dt
for s in held:
    s.close()
PY
[ $? -eq 0 ] && t_ok "slow clients do not stall others ($(tail -1 "$T/slow.out"))" ||
	t_fail "slow clients do not stall others" "$(cat "$T/slow.out")"

# The server checks idle connections about once a second; a loaded machine
# (and a sanitizer build) adds to that, so the bound grows with SV_SLOW.
python3 - "$SV_PORT" "$CERTS/ca.crt" $((2 * SV_SLOW)) $((5 * SV_SLOW)) >"$T/idle.out" 2>&1 <<'PY'
import socket, ssl, sys, time
port, ca, idle, slack = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=idle + slack + 5), server_hostname="localhost")
t0 = time.monotonic()
try:
    d = s.recv(1)
except (ConnectionError, ssl.SSLError):
    d = b""
dt = time.monotonic() - t0
print("idle connection closed after %.1f s" % dt)
assert d == b"" and dt < idle + slack, (d, dt)
PY
[ $? -eq 0 ] && t_ok "idle connection closed ($(tail -1 "$T/idle.out"))" || t_fail "idle connection closed" "$(cat "$T/idle.out")"

# still healthy after all that, and the counters moved
t_eq "healthy after abuse" "ok" "$(sv_curl "$(sv_url /healthz)")"
sv_curl -o "$T/metrics" "$(sv_url /metrics)"
grep -q 'pgadmit_admission_requests_total{endpoint="validate",decision="deny"} [1-9]' "$T/metrics" &&
	t_ok "metrics count denials" || t_fail "metrics count denials" "$(grep requests_total "$T/metrics")"
grep -q 'pgadmit_admission_requests_total{endpoint="validate",decision="error"} [1-9]' "$T/metrics" &&
	t_ok "metrics count errors" || t_fail "metrics count errors" "$(grep requests_total "$T/metrics")"
grep -q 'pgadmit_findings_total{rule="PGA102",action="deny"} [1-9]' "$T/metrics" &&
	t_ok "metrics count findings" || t_fail "metrics count findings" "$(grep findings_total "$T/metrics")"

sv_stop
t_eq "SIGTERM: exit 0" 0 "$SV_RC"

# --- TLS 1.2 suites with an RSA certificate ---------------------------------------------
openssl req -newkey rsa:2048 -nodes -keyout "$T/rsa.key" -out "$T/rsa.csr" -subj /CN=localhost \
	>/dev/null 2>&1 &&
	openssl x509 -req -in "$T/rsa.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" -set_serial 0x5A \
		-days 2 -extfile "$CERTS/ext.cnf" -out "$T/rsa.crt" >/dev/null 2>&1 ||
	t_fail "RSA certificate" "openssl failed"
if sv_start rsa --tls-cert "$T/rsa.crt" --tls-key "$T/rsa.key"; then
	for c in ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA AES128-SHA AES128-GCM-SHA256; do
		suite_check "TLS 1.2, RSA certificate" "$SV_PORT" tls1_2 cipher "$c" refused
	done
	for c in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305; do
		suite_check "TLS 1.2, RSA certificate" "$SV_PORT" tls1_2 cipher "$c" accepted
	done
	sv_stop
else
	t_fail "server starts with an RSA certificate" "$(cat "$SV_LOG")"
fi

# --- IPv6 loopback -------------------------------------------------------------------
if sv_start v6 --listen '[::1]:0'; then
	t_eq "listen [::1]:PORT" ok "$(sv_curl -g "https://[::1]:$SV_PORT/healthz")"
	sv_stop
else
	t_fail "listen [::1]:PORT" "$(cat "$SV_LOG")"
fi
t_finish
