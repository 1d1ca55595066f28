# pgadmit serve against hostile clients (issue 6, item 4): 1,000 idle TLS
# connections plus a slowloris client dribbling headers one byte a second
# do not stop a well-behaved client from being answered within 100 ms, and
# slowloris clients filling every connection slot are cut by the header
# deadline (the idle timeout alone restarts with each byte); a
# 100 MB body (chunked, and with Content-Length) is cut off at the limit
# without being buffered (peak RSS checked); clients that disconnect
# mid-request leave no file descriptor behind (and, under make asan, no
# leak: the server must exit 0 after LeakSanitizer ran); TLS handshakes with
# garbage bytes are closed and the server keeps serving.
# Every client is on 127.0.0.1; every wait is bounded.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 4D || { t_fail "make certificates" "openssl failed"; t_finish; }
OBJ="$ROOT/tests/fixtures/serve/objects"
IDLE=1000

# 1,000 connections need more than the usual 1,024 descriptors once the
# server's own and the client's are counted: raise the soft limit (this
# shell, so the server and the Python clients inherit it).
sv_fd_limit $((IDLE + 200)) 2>"$T/fdlimit" || { t_fail "fd limit" "$(cat "$T/fdlimit")"; t_finish; }

# The idle timeout is long enough that the idle clients are still held
# while the well-behaved one is measured (test_serve_http covers expiry).
if ! sv_start hostile --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" --idle-timeout $((30 * SV_SLOW)); then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi
python3 "$SV_PY" wrap "$OBJ/deploy-inline-password.json" --uid good >"$T/review.json"
# one well-behaved review on a fresh connection -> "status milliseconds"
good_review() {
	sv_curl -o "$T/good.resp" -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
		--data-binary "@$T/review.json" "$(sv_url /validate)" |
		awk '{printf "%s %.1f\n", $1, $2 * 1000}'
}
good_review >/dev/null
t_eq "healthy at start" ok "$(sv_curl "$(sv_url /healthz)")"
sleep 0.3
BASE_FDS="$(sv_fds)"
echo "  info: baseline $BASE_FDS fds, VmRSS $(sv_vm_kb VmRSS) kB, idle timeout $((30 * SV_SLOW)) s, SV_SLOW $SV_SLOW"

# --- (a) 1,000 idle TLS connections + (b) a slowloris client -------------------
cat >"$T/hold.py" <<'PY'
import os, socket, ssl, sys, threading, time
port, ca, n, ready, stop, limit = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], float(sys.argv[6])
ctx = ssl.create_default_context(cafile=ca)
def tls():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
t0 = time.monotonic()
held = [tls() for _ in range(n)]  # handshake completed, then silence
setup = time.monotonic() - t0
lor = tls()
req = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Slow: " + b"z" * 500
quit = threading.Event()
sent = [0]
def dribble():
    for b in req:
        if quit.is_set():
            return
        try:
            lor.send(bytes([b]))
        except OSError:
            return
        sent[0] += 1
        quit.wait(1.0)  # one byte a second
th = threading.Thread(target=dribble)
th.start()
print("opened %d idle TLS connections in %.1f s" % (n, setup), flush=True)
open(ready, "w").close()
t1 = time.monotonic()
while not os.path.exists(stop) and time.monotonic() - t1 < limit:
    time.sleep(0.05)
quit.set()
th.join()
def is_open(s):
    s.setblocking(False)
    try:
        return s.recv(1) != b""  # data would be odd, but the peer is there
    except (ssl.SSLWantReadError, BlockingIOError):
        return True
    except (OSError, ssl.SSLError):
        return False
alive = sum(is_open(s) for s in held)
print("after %.1f s: idle still open %d/%d, slowloris open %s after %d bytes" %
      (time.monotonic() - t1, alive, n, is_open(lor), sent[0]), flush=True)
for s in held + [lor]:
    s.close()
PY
python3 "$T/hold.py" "$SV_PORT" "$CERTS/ca.crt" $IDLE "$T/hold.ready" "$T/hold.stop" $((60 * SV_SLOW)) \
	>"$T/hold.out" 2>&1 &
HOLD=$!
t_on_exit "kill $HOLD 2>/dev/null"
for i in $(seq 1 $((1200 * SV_SLOW))); do
	[ -f "$T/hold.ready" ] && break
	kill -0 $HOLD 2>/dev/null || break
	sleep 0.05
done
if [ -f "$T/hold.ready" ]; then
	t_ok "$IDLE idle TLS connections open ($(head -1 "$T/hold.out"))"
else
	t_fail "$IDLE idle TLS connections open" "$(cat "$T/hold.out")"
fi
held_fds="$(sv_fds)"
[ "$held_fds" -ge $((BASE_FDS + IDLE)) ] && t_ok "server holds them ($held_fds fds, baseline $BASE_FDS)" ||
	t_fail "server holds the idle connections" "$held_fds fds, baseline $BASE_FDS"
# 20 reviews, a fresh TLS connection each, spread over 5 s of slowloris
: >"$T/lat"
for i in $(seq 1 20); do
	good_review >>"$T/lat"
	sleep 0.25
done
ok200="$(awk '$1 == 200' "$T/lat" | wc -l)"
t_eq "well-behaved client answered 20/20 (200)" 20 "$ok200"
grep -q '"allowed":false' "$T/good.resp" && t_ok "and judged (denied)" || t_fail "and judged (denied)" "$(head -c 300 "$T/good.resp")"
read -r p50 p90 pmax <<<"$(awk '{print $2}' "$T/lat" | sort -g | awk '{v[NR]=$1} END {print v[int(NR/2)], v[int(NR*0.9)], v[NR]}')"
bound=$((100 * SV_SLOW))
echo "  info: review latency with $IDLE idle + slowloris: p50 $p50 ms, p90 $p90 ms, max $pmax ms (bound $bound ms)"
awk -v a="$p90" -v b=$bound 'BEGIN {exit !(a < b)}' && t_ok "answered within ${bound} ms (p90 $p90 ms, p50 $p50 ms, max $pmax ms)" ||
	t_fail "answered within ${bound} ms" "p50 $p50 p90 $p90 max $pmax ms: $(tr '\n' ' ' <"$T/lat")"
touch "$T/hold.stop"
wait $HOLD
t_eq "hold client ran to the end" 0 $?
echo "  info: $(tail -1 "$T/hold.out")"
grep -q "idle still open $IDLE/$IDLE" "$T/hold.out" && t_ok "idle connections were held throughout" ||
	t_fail "idle connections were held throughout" "$(tail -1 "$T/hold.out")"
sv_wait_fds "$BASE_FDS" $((10 * SV_SLOW)) && t_ok "fds back to baseline after the idle clients left" ||
	t_fail "fds back to baseline after the idle clients left" "$(sv_fds) fds, baseline $BASE_FDS"

# --- (c) 100 MB bodies -------------------------------------------------------------
cat >"$T/big.py" <<'PY'
import socket, ssl, sys, time
port, ca, mode, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
total = 100 * 1000 * 1000
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=limit), server_hostname="localhost")
head = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
head += b"Transfer-Encoding: chunked\r\n\r\n" if mode == "chunked" else b"Content-Length: %d\r\n\r\n" % total
s.sendall(head)
chunk = b" " * 65536
sent, t0, why = 0, time.monotonic(), "sent everything"
try:
    while sent < total:
        s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if mode == "chunked" else chunk)
        sent += len(chunk)
    if mode == "chunked":
        s.sendall(b"0\r\n\r\n")
except socket.timeout:
    why = "timeout (server stopped reading but kept the connection)"
except (ConnectionError, ssl.SSLError, OSError) as e:
    why = "cut off (%s)" % type(e).__name__
status = ""
try:
    status = s.recv(4096).split(b"\r\n")[0].decode(errors="replace")
except (OSError, ssl.SSLError):
    pass
print("%s: %.1f MB sent in %.2f s, %s, answer '%s'" % (mode, sent / 1e6, time.monotonic() - t0, why, status))
ok = sent < total and not why.startswith("timeout") and (status.startswith("HTTP/1.1 413") or status == "")
sys.exit(0 if ok else 1)
PY
# Reset the peak (VmHWM) to the current RSS so that the 1,000 connections
# above do not hide a peak here (writing 5 to clear_refs, Linux >= 4.0).
echo 5 >"/proc/$SV_PID/clear_refs" 2>/dev/null
hwm0="$(sv_vm_kb VmHWM)" rss0="$(sv_vm_kb VmRSS)"
for mode in chunked length; do
	python3 "$T/big.py" "$SV_PORT" "$CERTS/ca.crt" $mode $((20 * SV_SLOW)) >"$T/big-$mode.out" 2>&1
	t_eq "100 MB body ($mode): cut off at the limit ($(cat "$T/big-$mode.out"))" 0 $?
done
grep -q "length: .*answer 'HTTP/1.1 413" "$T/big-length.out" && t_ok "100 MB Content-Length: answered 413" ||
	t_fail "100 MB Content-Length: answered 413" "$(cat "$T/big-length.out")"
grep -q '"msg":"request body far over the limit, connection dropped"' "$SV_LOG" &&
	t_ok "100 MB chunked: dropped after the drain allowance (logged)" ||
	t_fail "100 MB chunked: dropped (logged)" "$(grep -i 'body' "$SV_LOG" | tail -2)"
hwm1="$(sv_vm_kb VmHWM)" rss1="$(sv_vm_kb VmRSS)"
echo "  info: 100 MB bodies: VmHWM $hwm0 -> $hwm1 kB, VmRSS $rss0 -> $rss1 kB"
# The body cap is 20 MiB (docs/memory.md): nothing like 100 MB may ever be
# resident. The chunked body fills up to the cap before it is found too
# large (then freed); with Content-Length nothing is read. Measured +21 MiB;
# sanitizers keep freed buffers in quarantine (+70 MiB).
peak_mib=$((20 + 16))
[ "$SV_SLOW" -gt 1 ] && peak_mib=$((20 + 80))
[ $((hwm1 - hwm0)) -lt $((peak_mib * 1024)) ] && t_ok "100 MB bodies not buffered (peak RSS +$(( (hwm1 - hwm0) / 1024 )) MiB < $peak_mib MiB)" ||
	t_fail "100 MB bodies not buffered" "VmHWM $hwm0 -> $hwm1 kB"
t_eq "healthy after 100 MB bodies" ok "$(sv_curl "$(sv_url /healthz)")"

# --- (d) clients that disconnect mid-request -----------------------------------------
cat >"$T/drop.py" <<'PY'
import socket, ssl, struct, sys
port, ca, rounds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
def tcp():
    return socket.create_connection(("127.0.0.1", port), timeout=10)
def tls():
    return ctx.wrap_socket(tcp(), server_hostname="localhost")
def rst(s):  # abortive close: RST instead of FIN
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
H = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
body = b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"CREATE","object":{"kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}}}}'
cases = {
    "tcp-only": lambda: tcp().close(),
    "after-handshake": lambda: tls().close(),
    "mid-headers": lambda: (lambda s: (s.sendall(H[:30]), s.close()))(tls()),
    "mid-body": lambda: (lambda s: (s.sendall(H + b"Content-Length: 5000\r\n\r\n" + body[:60]), s.close()))(tls()),
    "mid-chunk": lambda: (lambda s: (s.sendall(H + b"Transfer-Encoding: chunked\r\n\r\n1000\r\n" + body), s.close()))(tls()),
    "mid-body-rst": lambda: (lambda s: (s.sendall(H + b"Content-Length: 5000\r\n\r\n" + body[:60]), rst(s)))(tls()),
    "before-answer": lambda: (lambda s: (s.sendall(H + b"Content-Length: %d\r\n\r\n" % len(body) + body), rst(s)))(tls()),
}
for name, f in cases.items():
    for _ in range(rounds):
        f()
print("%d disconnects (%s x %d)" % (len(cases) * rounds, ", ".join(cases), rounds))
PY
python3 "$T/drop.py" "$SV_PORT" "$CERTS/ca.crt" 30 >"$T/drop.out" 2>&1
t_eq "mid-request disconnects done ($(tail -1 "$T/drop.out"))" 0 $?
sv_wait_fds "$BASE_FDS" $((10 * SV_SLOW)) && t_ok "no fd leak after mid-request disconnects ($(sv_fds) fds, baseline $BASE_FDS)" ||
	t_fail "no fd leak after mid-request disconnects" "$(sv_fds) fds, baseline $BASE_FDS"
t_eq "healthy after disconnects" ok "$(sv_curl "$(sv_url /healthz)")"

# --- (e) garbage instead of a TLS handshake -------------------------------------------
cat >"$T/garbage.py" <<'PY'
import random, socket, ssl, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
def client_hello():
    # the first flight of a real handshake, taken from a memory BIO
    ctx = ssl.create_default_context()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    o = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        o.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()
ch = client_hello()
rnd = random.Random(6)
bad_ch = bytearray(ch)
for i in range(10, len(bad_ch), 7):
    bad_ch[i] = rnd.randrange(256)
cases = [
    ("random bytes", rnd.randbytes(4096)),
    ("plaintext HTTP", b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ("truncated ClientHello", ch[: len(ch) // 2]),
    ("ClientHello header only", ch[:5]),
    ("corrupted ClientHello", bytes(bad_ch)),
    ("SSLv2-style hello", b"\x80\x2e\x01\x00\x02" + rnd.randbytes(45)),
    ("huge record length", b"\x16\x03\x01\xff\xff" + rnd.randbytes(100)),
]
bad = 0
for name, data in cases:
    s = socket.create_connection(("127.0.0.1", port), timeout=limit)
    t0 = time.monotonic()
    got, how = b"", "closed"
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)  # nothing more is coming
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except socket.timeout:
        how = "NOT closed"
        bad += 1
    except (ConnectionResetError, BrokenPipeError):
        how = "reset"
    except OSError:  # closed before our shutdown(SHUT_WR): ENOTCONN
        how = "closed early"
    dt = (time.monotonic() - t0) * 1000
    kind = "TLS alert" if got[:1] == b"\x15" else ("%d bytes" % len(got) if got else "nothing")
    print("%-24s -> %s after %.0f ms, received %s" % (name, how, dt, kind))
    s.close()
sys.exit(1 if bad else 0)
PY
python3 "$T/garbage.py" "$SV_PORT" $((10 * SV_SLOW)) >"$T/garbage.out" 2>&1
t_eq "garbage handshakes closed by the server" 0 $?
sed 's/^/  info: /' "$T/garbage.out"
n=0
for i in $(seq 1 20); do
	python3 "$T/garbage.py" "$SV_PORT" $((10 * SV_SLOW)) >"$T/garbage2.out" 2>&1 || break
	n=$i
done
[ "$n" = 20 ] && t_ok "140 more garbage handshakes closed" ||
	t_fail "140 more garbage handshakes closed" "round $((n + 1)): $(cat "$T/garbage2.out")"
kill -0 "$SV_PID" 2>/dev/null && t_ok "server still running after garbage" || t_fail "server still running after garbage" "died"
t_eq "serves reviews after garbage" 200 "$(good_review | cut -d' ' -f1)"
sv_wait_fds "$BASE_FDS" $((10 * SV_SLOW)) && t_ok "no fd leak after garbage handshakes ($(sv_fds) fds)" ||
	t_fail "no fd leak after garbage handshakes" "$(sv_fds) fds, baseline $BASE_FDS"

# Under make asan, LeakSanitizer runs at exit and a leak makes the exit
# status 99: "exit 0" is the leak check of everything above.
sv_stop
t_eq "SIGTERM: exit 0 (no leak reported)" 0 "$SV_RC"
grep -q '"msg":"stopped","unfinished":"0"' "$SV_LOG" && t_ok "every dropped request was completed" ||
	t_fail "every dropped request was completed" "$(grep '"msg":"stopped"' "$SV_LOG")"

# --- (b2) slowloris clients filling every connection slot -----------------------
# The idle timeout restarts with each byte, so dribbling clients are cut by
# the header deadline (idle timeout + 5 s) instead, and the slots come back.
IDLE_S=$((2 * SV_SLOW))
DEADLINE_S=$((IDLE_S + 5))
SLOTS=16
if ! sv_start lor --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" --idle-timeout $IDLE_S \
	--max-connections $SLOTS; then
	t_fail "slowloris server starts" "$(cat "$SV_LOG")"
	t_finish
fi
cat >"$T/lor.py" <<'PY'
import socket, ssl, sys, time
port, ca, n, limit, ready = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
socks = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
         for _ in range(n)]
for s in socks:
    s.settimeout(0.0)
req = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"z" * 4000
t0 = time.monotonic()
closed = [None] * n
i = 0
while time.monotonic() - t0 < limit and None in closed:
    for k, s in enumerate(socks):
        if closed[k] is not None:
            continue
        try:
            s.send(req[i:i + 1])
            if s.recv(1) == b"":
                closed[k] = time.monotonic() - t0
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            pass
        except (OSError, ssl.SSLError):
            closed[k] = time.monotonic() - t0
    i += 1
    if i == 2:
        open(ready, "w").close()
    time.sleep(1.0)  # one byte a second on each
cut = [c for c in closed if c is not None]
print("%d/%d slowloris connections closed by the server, after %.1f..%.1f s (%d bytes sent each at most)" %
      (len(cut), n, min(cut) if cut else -1, max(cut) if cut else -1, i))
PY
python3 "$T/lor.py" "$SV_PORT" "$CERTS/ca.crt" $SLOTS $((DEADLINE_S + 10 * SV_SLOW)) "$T/lor.ready" >"$T/lor.out" 2>&1 &
LOR=$!
t_on_exit "kill $LOR 2>/dev/null"
for i in $(seq 1 $((200 * SV_SLOW))); do [ -f "$T/lor.ready" ] && break; sleep 0.05; done
starved="$(timeout 5 curl -sS --cacert "$CERTS/ca.crt" --max-time 3 -o /dev/null -w '%{http_code}' "$(sv_url /healthz)" 2>&1 | tr '\n' ' ')"
echo "  info: with $SLOTS slowloris clients on --max-connections $SLOTS, a new client got: ${starved:-nothing}"
wait $LOR
echo "  info: $(tail -1 "$T/lor.out")"
read -r ncut lo hi <<<"$(sed -n 's|^\([0-9]*\)/[0-9]* slowloris .* after \([0-9.]*\)\.\.\([0-9.]*\) s.*|\1 \2 \3|p' "$T/lor.out")"
t_eq "every slowloris connection cut" "$SLOTS" "${ncut:-0}"
awk -v lo="${lo:-0}" -v hi="${hi:-0}" -v i="$IDLE_S" -v d="$DEADLINE_S" -v s="$SV_SLOW" \
	'BEGIN {exit !(lo > i + 1 && hi <= d + 2 + 2 * s)}' &&
	t_ok "cut by the header deadline, not before the idle timeout (${lo}..${hi} s; idle ${IDLE_S} s, deadline ${DEADLINE_S} s)" ||
	t_fail "cut by the header deadline" "${lo}..${hi} s; idle ${IDLE_S} s, deadline ${DEADLINE_S} s: $(cat "$T/lor.out")"
grep -q '"msg":"request headers too slow, connections closed"' "$SV_LOG" && t_ok "header deadline logged" ||
	t_fail "header deadline logged" "$(tail -3 "$SV_LOG")"
t_eq "slots free again: a review is answered" 200 "$(good_review | cut -d' ' -f1)"
# a keep-alive client idle for most of the idle timeout is not cut
cat >"$T/ka.py" <<'PY'
import http.client, ssl, sys, time
body = open(sys.argv[3], "rb").read()
c = http.client.HTTPSConnection("localhost", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]), timeout=30)
sock = None
for i in range(3):
    c.request("POST", "/validate", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
    sock = sock or c.sock
    assert c.sock is sock, "reconnected"
    time.sleep(float(sys.argv[4]))
print("3 reviews on one connection, idle %s s between them" % sys.argv[4])
PY
python3 "$T/ka.py" "$SV_PORT" "$CERTS/ca.crt" "$T/review.json" $((IDLE_S - 1)) >"$T/ka.out" 2>&1
t_eq "keep-alive client idle between requests is not cut ($(tail -1 "$T/ka.out"))" 0 $?
sv_stop
t_eq "slowloris server: exit 0" 0 "$SV_RC"
t_finish
