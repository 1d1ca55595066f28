#!/bin/bash
# make soak: pgadmit serve under steady load over TLS for a while, watching
# for errors, memory growth, descriptor growth and latency drift.
#   usage: bench/soak/run.sh PGADMIT_BIN [SECONDS=300] [CONNECTIONS=64]
# Load: wrk keep-alive connections driven by soak.lua in consecutive windows
# (60 s each, or SECONDS/6 for runs shorter than 3 minutes), so p50/p99 are
# per window: CONNECTIONS-4 connections send the mix (allow, deny, warn,
# mutate, malformed JSON -> 400, chunked oversize -> 413) and 4 more send
# oversize bodies with Content-Length (413, then the server closes the
# connection: their socket errors are deliberate and counted apart).
# A sampler reads the server's VmRSS and open descriptors every second.
# Prints figures and the targets of issue 6: zero non-deliberate errors, RSS
# of the last window within 5% of the second, no fd growth, p99 stable (last
# window at most 2x the second and 2x the median window). Exit 1 if a target
# is missed.
set -uo pipefail
BIN="$(realpath "$1")"
SECS="${2:-300}"
CONNS="${3:-64}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
W="$(mktemp -d /tmp/pgadmit-soak.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.2; rm -rf "$W"; }
trap cleanup EXIT
[ "$CONNS" -ge 8 ] || { echo "soak: need at least 8 connections" >&2; exit 2; }
command -v wrk >/dev/null || { echo "soak: wrk not installed (scripts/deps)" >&2; exit 2; }
MIXC=$((CONNS - 4))
if [ "$SECS" -ge 180 ]; then WIN=60; else WIN=$((SECS / 6)); [ "$WIN" -lt 5 ] && WIN=5; fi
NWIN=$(( (SECS + WIN - 1) / WIN ))
[ "$NWIN" -ge 3 ] || NWIN=3
MAXBODY=65536

# --- certificate and bodies --------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/tls.key" \
	-out "$W/tls.crt" -days 2 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 || { echo "soak: openssl failed" >&2; exit 2; }
OBJ="$ROOT/tests/fixtures/serve/objects"
wrap() { python3 "$ROOT/tests/lib/serve/review.py" wrap "$OBJ/$1" --uid "soak-$2" >"$W/$2.json"; }
wrap cm-clean.json allow && wrap deploy-inline-password.json deny && wrap cm-sslmode-disable.json warn &&
	wrap deploy-inline-password.json mutate || { echo "soak: cannot build the reviews" >&2; exit 2; }
head -c 300 "$W/deny.json" >"$W/bad.json"   # cut mid-object: malformed JSON
python3 - "$W/allow.json" "$W/big.json" $((MAXBODY + 4096)) <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["request"]["object"]["data"]["pad"] = "x" * int(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d))
PY

# --- server and sampler --------------------------------------------------------
"$BIN" serve --listen 127.0.0.1:0 --tls-cert "$W/tls.crt" --tls-key "$W/tls.key" \
	--max-body-bytes $MAXBODY 2>"$W/serve.log" &
SPID=$!
PIDS+=("$SPID")
PORT=""
for i in $(seq 1 100); do
	PORT="$(sed -n 's/.*"msg":"listening".*"port":"\([0-9]*\)".*/\1/p' "$W/serve.log" | head -1)"
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { echo "soak: pgadmit did not start: $(cat "$W/serve.log")" >&2; exit 2; }
URL="https://127.0.0.1:$PORT"
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SPID/status" 2>/dev/null; }
nfds() { find "/proc/$SPID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# Sample lines: "WINDOW rss_kb fds" (WINDOW 0 = before the windows, -1 after).
echo 0 >"$W/window"
( while kill -0 "$SPID" 2>/dev/null; do
	echo "$(cat "$W/window") $(rss_kb) $(nfds)"
	sleep 1
done ) >"$W/samples" 2>/dev/null &
PIDS+=($!)

RSS_IDLE=$(rss_kb) FDS_IDLE=$(nfds)
# warm-up: TLS sessions, allocator arenas, the policy's compiled patterns
wrk -t2 -c"$MIXC" -d5s --timeout 5s -s "$HERE/soak.lua" "$URL" -- "$W" mix >"$W/warm.out" 2>&1
sleep 1
RSS_START=$(rss_kb) FDS_START=$(nfds)
echo "pgadmit serve soak: $SECS s as $NWIN windows of $WIN s, $CONNS TLS keep-alive connections" \
	"($MIXC mix + 4 oversize-with-Content-Length), wrk -t2, $(nproc) CPUs, --max-body-bytes $MAXBODY"
echo "server idle: VmRSS $((RSS_IDLE / 1024)) MiB, $FDS_IDLE fds; after 5 s warm-up: $((RSS_START / 1024)) MiB, $FDS_START fds"
echo
printf '%-6s %9s %8s %8s %8s %7s %7s %7s %9s %9s %6s\n' window requests req/s p50_ms p99_ms sockerr unexpect cl_413 rss_MiB rss_max fds
declare -a REQ P50 P99 SERR UNEX RSSM FDSX
: >"$W/classes"
for w in $(seq 1 "$NWIN"); do
	echo "$w" >"$W/window"
	wrk -t1 -c4 -d"${WIN}s" --timeout 5s -s "$HERE/soak.lua" "$URL" -- "$W" oversize-cl >"$W/cl.$w" 2>&1 &
	CLW=$!
	wrk -t2 -c"$MIXC" -d"${WIN}s" --timeout 5s --latency -s "$HERE/soak.lua" "$URL" -- "$W" mix >"$W/mix.$w" 2>&1
	wait $CLW
	read -r _ req p50 p99 ce re we te un <<<"$(grep '^RESULT' "$W/mix.$w" || echo "RESULT 0 0 0 -1 -1 -1 -1 -1")"
	read -r _ creq _ _ cce cre cwe cte cun <<<"$(grep '^RESULT' "$W/cl.$w" || echo "RESULT 0 0 0 -1 -1 -1 -1 -1")"
	grep -E '^(CLASS|UNEXPECTED)' "$W/mix.$w" "$W/cl.$w" | sed "s/^[^:]*://; s/^/$w /" >>"$W/classes"
	serr=$((ce + re + we + te))
	# the oversize connections: a socket error there is the deliberate close;
	# a connect error or a timeout is not
	unx=$((un + cun + cce + cte))
	REQ[w]=$req P50[w]=$p50 P99[w]=$p99 SERR[w]=$serr UNEX[w]=$unx
	rss_med=$(awk -v w="$w" '$1 == w {print $2}' "$W/samples" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]+0}')
	rss_max=$(awk -v w="$w" '$1 == w {print $2}' "$W/samples" | sort -n | tail -1)
	fds_max=$(awk -v w="$w" '$1 == w {print $3}' "$W/samples" | sort -n | tail -1)
	RSSM[w]=$rss_med FDSX[w]=$fds_max
	printf '%-6s %9s %8.0f %8s %8s %7s %7s %7s %9.1f %9.1f %6s\n' "$w" "$req" \
		"$(awk -v r="$req" -v s="$WIN" 'BEGIN {print r / s}')" "$p50" "$p99" "$serr" "$unx" \
		"$creq" "$(awk -v k="$rss_med" 'BEGIN {print k / 1024}')" \
		"$(awk -v k="${rss_max:-0}" 'BEGIN {print k / 1024}')" "${fds_max:--}"
done
echo -1 >"$W/window"
sleep 2 # let the closed connections go
RSS_END=$(rss_kb) FDS_END=$(nfds)
kill -TERM "$SPID"
wait "$SPID" 2>/dev/null
SRC=$?

# --- figures -------------------------------------------------------------------
total=0 serr=0 unx=0
for w in $(seq 1 "$NWIN"); do total=$((total + REQ[w])) serr=$((serr + SERR[w])) unx=$((unx + UNEX[w])); done
cl_total=$(awk '$2 == "CLASS" && $3 == "oversize-cl" {s += $5} END {print s+0}' "$W/classes")
cl_closed=$(for w in $(seq 1 "$NWIN"); do grep '^RESULT' "$W/cl.$w" | awk '{print $6 + $7}'; done | awk '{s+=$1} END {print s+0}')
echo
echo "answers by class (sent / answered as expected; the difference is what was in flight when a window ended):"
awk '$2 == "CLASS" {s[$3] += $4; a[$3] += $5} END {for (k in s) printf "  %-12s %9d / %9d\n", k, s[k], a[k]}' "$W/classes" | sort
awk '$2 == "UNEXPECTED" {u[$3] += $4} END {for (k in u) printf "  unexpected status %s: %d\n", k, u[k]}' "$W/classes"
echo "requests answered: $((total + cl_total)) ($total mix + $cl_total oversize with Content-Length) in $((NWIN * WIN)) s"
echo "non-deliberate errors: $((serr + unx)) (socket errors on the mix connections: $serr; unexpected statuses, connect errors, timeouts: $unx)"
echo "deliberate closes after a 413 with Content-Length (wrk read/write errors on those connections): $cl_closed"
second=${RSSM[2]} last=${RSSM[$NWIN]}
growth=$(awk -v a="$second" -v b="$last" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}')
echo "RSS: start $((RSS_START / 1024)) MiB (idle $((RSS_IDLE / 1024)) MiB), window 2 median $(awk -v k="$second" 'BEGIN {printf "%.1f", k/1024}') MiB," \
	"last window median $(awk -v k="$last" 'BEGIN {printf "%.1f", k/1024}') MiB ($growth%), end $(awk -v k="$RSS_END" 'BEGIN {printf "%.1f", k/1024}') MiB"
fmax=$(for w in $(seq 1 "$NWIN"); do echo "${FDSX[w]:-0}"; done | sort -n | tail -1)
echo "fds: idle $FDS_IDLE, after warm-up $FDS_START, max per window $(for w in $(seq 1 "$NWIN"); do printf '%s ' "${FDSX[w]}"; done)(max $fmax), end $FDS_END"
p99med=$(for w in $(seq 1 "$NWIN"); do echo "${P99[w]}"; done | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
echo "p50 per window (ms): $(for w in $(seq 1 "$NWIN"); do printf '%s ' "${P50[w]}"; done)"
echo "p99 per window (ms): $(for w in $(seq 1 "$NWIN"); do printf '%s ' "${P99[w]}"; done)(median $p99med)"
echo "server exit status after SIGTERM: $SRC"
echo
fail=0
verdict() { # name ok(0/1) detail
	if [ "$2" = 0 ]; then echo "target met:    $1 ($3)"; else echo "target MISSED: $1 ($3)"; fail=1; fi
}
verdict "zero non-deliberate errors" $([ $((serr + unx)) -eq 0 ] && echo 0 || echo 1) "$((serr + unx))"
verdict "last-window RSS within 5% of the second window" \
	$(awk -v a="$second" -v b="$last" 'BEGIN {d = (b - a) / a; print (d <= 0.05 && d >= -0.05) ? 0 : 1}') "$growth%"
verdict "no fd growth" $([ "$FDS_END" -le "$FDS_START" ] && [ "$fmax" -le $((FDS_START + CONNS + 8)) ] && echo 0 || echo 1) \
	"start $FDS_START, end $FDS_END, max $fmax with $CONNS connections"
verdict "p99 stable" $(awk -v s="${P99[2]}" -v l="${P99[$NWIN]}" -v m="$p99med" \
	'BEGIN {print (l <= 2 * s && l <= 2 * m) ? 0 : 1}') "second window ${P99[2]} ms, last ${P99[$NWIN]} ms, median $p99med ms"
verdict "clean exit" "$SRC" "SIGTERM -> exit $SRC"
exit $fail
