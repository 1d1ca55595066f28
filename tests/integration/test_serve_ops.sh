# pgadmit serve operations: certificate rotation on disk (Secret-volume
# symlink swap) served to new handshakes while open connections keep
# working, a garbage certificate keeps the old one (then a good one is
# served), SIGHUP policy reload (good; bad: old kept; fixed: new applies),
# SIGTERM drains an in-flight request (readyz fails first) and exits 0
# within the grace period.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
OBJ="$ROOT/tests/fixtures/serve/objects"

# A Secret volume: files are symlinks through ..data to a timestamped dir.
VOL="$T/vol"
mkdir -p "$VOL"
publish() { # serial: make a cert, swap ..data atomically
	sv_certs "$CERTS" "$1" || return 1
	local d="$VOL/..$1"
	mkdir -p "$d" && cp "$CERTS/tls.crt" "$CERTS/tls.key" "$d/"
	ln -sfn "..$1" "$VOL/..data.tmp" && mv -T "$VOL/..data.tmp" "$VOL/..data"
	[ -L "$VOL/tls.crt" ] || ln -s ..data/tls.crt "$VOL/tls.crt"
	[ -L "$VOL/tls.key" ] || ln -s ..data/tls.key "$VOL/tls.key"
}
served_serial() {
	timeout 10 openssl s_client -connect "127.0.0.1:$SV_PORT" -servername localhost \
		</dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}
wait_serial() { # expected
	local i s
	for i in $(seq 1 $((40 * SV_SLOW))); do
		s="$(served_serial)"
		[ "$s" = "$1" ] && { echo "$s"; return 0; }
		sleep 0.1
	done
	echo "$s"
}

publish 1A || { t_fail "certificates" "openssl failed"; t_finish; }
echo '{"rules": {"PGA102": "deny"}}' >"$T/policy.json"
if ! sv_start ops --tls-cert "$VOL/tls.crt" --tls-key "$VOL/tls.key" --policy "$T/policy.json" \
	--metrics-listen 127.0.0.1:0; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi
MPORT="$(sed -n 's/.*"msg":"metrics listening".*"port":"\([0-9]*\)".*/\1/p' "$SV_LOG" | head -1)"
t_eq "serves the first certificate" 1A "$(served_serial)"
t_eq "plain metrics listener: /readyz" ready "$(timeout 10 curl -sS "http://127.0.0.1:$MPORT/readyz")"
st="$(timeout 10 curl -sS -o /dev/null -w '%{http_code}' -d '{}' "http://127.0.0.1:$MPORT/validate")"
t_eq "plain listener does not take reviews" 404 "$st"

# --- certificate rotation ---------------------------------------------------------
# A keep-alive connection opened before the rotation keeps working after it.
cat >"$T/ka.py" <<'PY'
import http.client, json, ssl, sys, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
body = json.dumps(rv.wrap(json.load(open(sys.argv[4])), uid="keep-alive"))
c = http.client.HTTPSConnection("localhost", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
def once():
    c.request("POST", "/validate", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse(); d = r.read()
    assert r.status == 200 and b"keep-alive" in d, (r.status, d)
once()
sock = c.sock
sys.stdin.readline()  # the test rotates the certificate meanwhile
once()
assert c.sock is sock, "reconnected"
print("both answered on one connection")
PY
mkfifo "$T/ka.in"
python3 "$T/ka.py" "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$OBJ/cm-clean.json" <"$T/ka.in" >"$T/ka.out" 2>&1 &
KA=$!
t_on_exit "kill $KA 2>/dev/null"
exec 7>"$T/ka.in"
sleep 0.5
publish 1B
t_eq "rotated certificate served to new handshakes" 1B "$(wait_serial 1B)"
echo go >&7
exec 7>&-
wait $KA 2>/dev/null
ka_rc=$?
grep -q "both answered on one connection" "$T/ka.out" && [ $ka_rc -eq 0 ] && t_ok "open connection survives the rotation" ||
	t_fail "open connection survives the rotation" "$(cat "$T/ka.out")"
grep -q '"msg":"certificate reloaded".*"serial":"1B"' "$SV_LOG" && t_ok "reload logged" ||
	t_fail "reload logged" "$(grep certificate "$SV_LOG")"

# garbage in the mounted certificate: old one kept, failure logged
d="$VOL/..garbage"; mkdir -p "$d"
echo "-----BEGIN CERTIFICATE-----garbage" >"$d/tls.crt"
cp "$CERTS/tls.key" "$d/tls.key"
ln -sfn ..garbage "$VOL/..data.tmp" && mv -T "$VOL/..data.tmp" "$VOL/..data"
for i in $(seq 1 $((40 * SV_SLOW))); do
	grep -q "certificate reload failed" "$SV_LOG" && break
	sleep 0.1
done
grep -q '"msg":"certificate reload failed' "$SV_LOG" && t_ok "garbage certificate: failure logged" ||
	t_fail "garbage certificate: failure logged" "$(tail -3 "$SV_LOG")"
t_eq "garbage certificate: old one still served" 1B "$(served_serial)"
t_eq "garbage certificate: still ready" ready "$(timeout 10 curl -sS "http://127.0.0.1:$MPORT/readyz")"
timeout 10 curl -sS "http://127.0.0.1:$MPORT/metrics" >"$T/m1"
grep -q '^pgadmit_tls_cert_reload_failures_total 1$' "$T/m1" && t_ok "metrics: reload failure counted" ||
	t_fail "metrics: reload failure counted" "$(grep cert_reload "$T/m1")"
publish 1C
t_eq "a good certificate after garbage is served" 1C "$(wait_serial 1C)"

# --- SIGHUP policy reload ---------------------------------------------------------
verdict() { # -> "allowed warnings"
	python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$OBJ/deploy-inline-password.json" <<'PY'
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
st, body = rv.post(int(sys.argv[1]), sys.argv[2], "/validate", rv.wrap(json.load(open(sys.argv[4]))))
r = json.loads(body)["response"]
print(r["allowed"], len(r.get("warnings", [])))
PY
}
t_eq "policy deny: denied" "False 0" "$(verdict)"
echo '{"rules": {"PGA102": "warn"}}' >"$T/policy.json"
kill -HUP "$SV_PID"
for i in $(seq 1 $((40 * SV_SLOW))); do grep -q '"msg":"policy reloaded"' "$SV_LOG" && break; sleep 0.1; done
t_eq "SIGHUP good policy: now a warning" "True 1" "$(verdict)"
echo '{"rules": {"PGA102": "explode"}' >"$T/policy.json"
kill -HUP "$SV_PID"
for i in $(seq 1 $((40 * SV_SLOW))); do grep -q '"msg":"policy reload failed' "$SV_LOG" && break; sleep 0.1; done
grep -q '"msg":"policy reload failed, keeping the old policy"' "$SV_LOG" && t_ok "SIGHUP bad policy: logged" ||
	t_fail "SIGHUP bad policy: logged" "$(tail -3 "$SV_LOG")"
t_eq "SIGHUP bad policy: old policy kept" "True 1" "$(verdict)"
kill -0 "$SV_PID" 2>/dev/null && t_ok "SIGHUP bad policy: still running" || t_fail "SIGHUP bad policy: still running" "died"
timeout 10 curl -sS "http://127.0.0.1:$MPORT/metrics" >"$T/m2"
grep -q '^pgadmit_policy_reloads_total 1$' "$T/m2" && grep -q '^pgadmit_policy_reload_failures_total 1$' "$T/m2" &&
	t_ok "metrics: policy reloads 1, failures 1" || t_fail "metrics: policy reloads" "$(grep policy_reload "$T/m2")"
# the bad file fixed (to something new): the next SIGHUP takes it
echo '{"rules": {"PGA102": "deny"}}' >"$T/policy.json"
n0="$(grep -c '"msg":"policy reloaded"' "$SV_LOG")"
kill -HUP "$SV_PID"
for i in $(seq 1 $((40 * SV_SLOW))); do [ "$(grep -c '"msg":"policy reloaded"' "$SV_LOG")" -gt "$n0" ] && break; sleep 0.1; done
t_eq "SIGHUP fixed policy: the new one applies (deny again)" "False 0" "$(verdict)"

# reloads while reviews are in flight: every review answered (refcounted
# policy swap; ASan builds catch a use after free here)
python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$OBJ/deploy-inline-password.json" >"$T/hupload.out" 2>&1 <<'PY' &
import json, sys, threading, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
obj = json.load(open(sys.argv[4]))
bad = []
def worker(k):
    for i in range(40):
        st, body = rv.post(int(sys.argv[1]), sys.argv[2], "/validate", rv.wrap(obj, uid=f"h{k}-{i}"))
        if st != 200 or json.loads(body)["response"]["uid"] != f"h{k}-{i}":
            bad.append((st, body))
ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print("answered", 160 - len(bad), "of 160")
sys.exit(1 if bad else 0)
PY
HL=$!
echo '{"rules": {"PGA102": "warn"}}' >"$T/policy.json"
for i in $(seq 1 10); do kill -HUP "$SV_PID"; sleep 0.1; done
wait $HL
t_eq "SIGHUP under load: every review answered" 0 $?
kill -0 "$SV_PID" 2>/dev/null && t_ok "SIGHUP under load: still running" || t_fail "SIGHUP under load: still running" "died"

# --- SIGTERM drains the request in flight ---------------------------------------
python3 - "$SV_PORT" "$CERTS/ca.crt" "$SV_PY" "$OBJ/deploy-inline-password.json" "$T/inflight.sent" \
	>"$T/inflight.out" 2>&1 <<'PY' &
import json, socket, ssl, sys, time, importlib.util
spec = importlib.util.spec_from_file_location("review", sys.argv[3]); rv = importlib.util.module_from_spec(spec); spec.loader.exec_module(rv)
body = json.dumps(rv.wrap(json.load(open(sys.argv[4])), uid="in-flight")).encode()
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20), server_hostname="localhost")
s.sendall(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
s.sendall(body[:100])
open(sys.argv[5], "w").close()
time.sleep(1.0)  # SIGTERM arrives meanwhile
s.sendall(body[100:])
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
head, _, rest = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode())
assert head.startswith(b"HTTP/1.1 200"), head
assert b"in-flight" in rest, rest
print("drained request answered")
PY
IF=$!
t_on_exit "kill $IF 2>/dev/null"
for i in $(seq 1 100); do [ -f "$T/inflight.sent" ] && break; sleep 0.05; done
sleep 0.2
t0=$(date +%s%N)
kill -TERM "$SV_PID"
sleep 0.3
st="$(timeout 5 curl -sS -o "$T/rz" -w '%{http_code}' "http://127.0.0.1:$MPORT/readyz")"
t_eq "SIGTERM: /readyz fails while draining" 503 "$st"
wait $IF
t_eq "SIGTERM: in-flight request answered" 0 $?
sv_stop
t1=$(date +%s%N)
t_eq "SIGTERM: exit 0" 0 "$SV_RC"
ms=$(( (t1 - t0) / 1000000 ))
[ $ms -lt $((5000 * SV_SLOW)) ] && t_ok "SIGTERM: stopped after the drain (${ms} ms)" || t_fail "SIGTERM: stopped quickly" "${ms} ms"
grep -q '"msg":"stopped","unfinished":"0"' "$SV_LOG" && t_ok "SIGTERM: nothing left unfinished" ||
	t_fail "SIGTERM: nothing left unfinished" "$(tail -2 "$SV_LOG")"

# --- the grace period bounds a request that never completes -------------------
export PGADMIT_SHUTDOWN_GRACE=1
sv_start grace --tls-cert "$VOL/tls.crt" --tls-key "$VOL/tls.key" || t_fail "grace: server starts" "$(cat "$SV_LOG")"
python3 - "$SV_PORT" "$CERTS/ca.crt" >"$T/stuck.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30), server_hostname="localhost")
s.sendall(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{")
time.sleep(8)
PY
ST=$!
t_on_exit "kill $ST 2>/dev/null"
sleep "$(awk -v s="$SV_SLOW" 'BEGIN {print 0.5 * s}')" # the request reaches the handler
t0=$(date +%s%N)
sv_stop
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
t_eq "grace: exit 0 with a stuck client" 0 "$SV_RC"
[ $ms -ge 900 ] && [ $ms -lt $((4000 * SV_SLOW)) ] && t_ok "grace: waited about 1 s (${ms} ms)" ||
	t_fail "grace: waited about 1 s" "${ms} ms"
kill $ST 2>/dev/null
t_finish
