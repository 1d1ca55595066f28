#!/bin/bash
# make bench-serve: throughput and latency of pgadmit serve over TLS with
# keep-alive (wrk, 32 connections), with the default policy and with every
# rule off (rule-evaluation cost), against a bare libmicrohttpd + GnuTLS +
# jansson server that parses the review and answers allowed ($BARE_SERVER,
# bench/serve/bare_server.c: the ceiling for a jansson webhook; ratio
# pgadmit/bare printed) and nginx returning a fixed AdmissionReview (the
# ceiling of TLS + HTTP alone). Then the largest legal reviews (1 MiB
# ConfigMap UPDATE, bench/serve/big_review.py): latency as served and the
# in-process split parse/rules ($HANDLE_BENCH). Prints figures; asserts
# nothing.   usage: bench/serve/run.sh PGADMIT_BIN [SECONDS] [CONNECTIONS]
set -uo pipefail
BIN="$(realpath "$1")"
SECS="${2:-10}"
CONNS="${3:-32}"
HERE="$(cd "$(dirname "$0")" && pwd)"
W="$(mktemp -d /tmp/pgadmit-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.2; rm -rf "$W"; }
trap cleanup EXIT
THREADS=2

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/tls.key" \
	-out "$W/tls.crt" -days 2 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1

hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# CPU time (user + system, clock ticks) of a process and its threads: the
# server's CPU per request does not depend on what else the shared machine
# runs, unlike req/s.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_us_per_req() { # ticks requests
	awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print 0 }'
}

run_wrk() { # url -> RESULT line
	PGADMIT_BENCH_PATH="$2" wrk -t$THREADS -c"$CONNS" -d"${SECS}s" --latency \
		-s "$HERE/reviews.lua" "$1" -- "$HERE/pod-review.json" "$HERE/deployment-review.json" \
		>"$W/wrk.out" 2>&1
	grep '^RESULT' "$W/wrk.out" || { cat "$W/wrk.out" >&2; echo "RESULT 0 0 0 0 -1"; }
}

start_pgadmit() { # label env...
	local label="$1"; shift
	env "$@" "$BIN" serve --listen 127.0.0.1:0 --tls-cert "$W/tls.crt" \
		--tls-key "$W/tls.key" 2>"$W/$label.log" &
	SPID=$!
	PIDS+=("$SPID")
	for i in $(seq 1 100); do
		PORT="$(sed -n 's/.*"msg":"listening".*"port":"\([0-9]*\)".*/\1/p' "$W/$label.log" | head -1)"
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	echo "pgadmit did not start: $(cat "$W/$label.log")" >&2
	exit 1
}

declare -A RPS P50 P99 ERR RSS CPU
# Each configuration runs ROUNDS times, interleaved so that drift on a shared
# machine hits all alike; the table shows medians (errors: sum, RSS: max).
ROUNDS="${BENCH_ROUNDS:-3}"
record() { # label rps p50 p99 errors rss_mib cpu_us_per_request
	RPS[$1]+="$2 " P50[$1]+="$3 " P99[$1]+="$4 " ERR[$1]+="$5 " RSS[$1]+="$6 " CPU[$1]+="$7 "
	echo "  round: $1 $2 req/s p50 $3 ms p99 $4 ms errors $5 rss $6 MiB cpu $7 us/req ($(uptime | sed 's/.*load/load/'))"
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
sum() { tr ' ' '\n' <<<"$1" | grep . | awk '{s+=$1} END {print s+0}'; }
max() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -1; }
measure_pgadmit() { # label env...
	local label="$1"; shift
	start_pgadmit "$label" "$@"
	# warm up (TLS sessions, allocator)
	PGADMIT_BENCH_PATH=/validate wrk -t1 -c4 -d1s -s "$HERE/reviews.lua" "https://127.0.0.1:$PORT" \
		-- "$HERE/pod-review.json" "$HERE/deployment-review.json" >/dev/null 2>&1
	local c0; c0="$(cpu_ticks "$SPID")"
	read -r _ nreq r p50 p99 e <<<"$(run_wrk "https://127.0.0.1:$PORT" /validate)"
	record "$label" "$r" "$p50" "$p99" "$e" $(( $(hwm_kb "$SPID") / 1024 )) \
		"$(cpu_us_per_req $(( $(cpu_ticks "$SPID") - c0 )) "$nreq")"
	kill -TERM "$SPID"; wait "$SPID" 2>/dev/null
}

# Sanity: the fixtures are judged (not skipped) and answered.
start_pgadmit check
for f in pod deployment; do
	code="$(curl -sS -o "$W/$f.resp" -w '%{http_code}' --cacert "$W/tls.crt" \
		-H 'Content-Type: application/json' --data-binary "@$HERE/$f-review.json" \
		"https://localhost:$PORT/validate")"
	echo "fixture $f-review.json ($(wc -c <"$HERE/$f-review.json") bytes): HTTP $code $(head -c 160 "$W/$f.resp")"
done
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null

OFF=() # every rule the webhook runs, off
for r in $("$BIN" rules | awk '$3 ~ /webhook/ {print $1}'); do OFF+=("PGADMIT_RULE_$r=off"); done

start_nginx() {
# nginx: the same TLS, a fixed AdmissionReview, no parsing: the ceiling.
NPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$W/nginx"
cat >"$W/nginx.conf" <<NGX
worker_processes $(nproc);
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $W/nginx/body;
	proxy_temp_path $W/nginx/proxy;
	fastcgi_temp_path $W/nginx/fastcgi;
	uwsgi_temp_path $W/nginx/uwsgi;
	scgi_temp_path $W/nginx/scgi;
	client_max_body_size 3m;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NPORT ssl;
		ssl_certificate $W/tls.crt;
		ssl_certificate_key $W/tls.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		location / {
			default_type application/json;
			return 200 '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"0d3c6f6e-8a3b-4b8e-9a52-6f3e1c2d4b7a","allowed":true}}';
		}
	}
}
NGX
nginx -c "$W/nginx.conf" -p "$W/nginx" 2>"$W/nginx.err" || { cat "$W/nginx.err"; exit 1; }
for i in $(seq 1 50); do [ -s "$W/nginx/nginx.pid" ] && break; sleep 0.05; done
NPID="$(cat "$W/nginx/nginx.pid")"
PIDS+=("$NPID")
PGADMIT_BENCH_PATH=/validate wrk -t1 -c4 -d1s -s "$HERE/reviews.lua" "https://127.0.0.1:$NPORT" \
	-- "$HERE/pod-review.json" "$HERE/deployment-review.json" >/dev/null 2>&1
c0=0
for c in $(pgrep -P "$NPID"); do c0=$((c0 + $(cpu_ticks "$c"))); done
read -r _ nreq r p50 p99 e <<<"$(run_wrk "https://127.0.0.1:$NPORT" /validate)"
kb=$(hwm_kb "$NPID") c1=0
for c in $(pgrep -P "$NPID"); do kb=$((kb + $(hwm_kb "$c"))) c1=$((c1 + $(cpu_ticks "$c"))); done
record nginx "$r" "$p50" "$p99" "$e" $((kb / 1024)) "$(cpu_us_per_req $((c1 - c0)) "$nreq")"
kill -QUIT "$NPID" 2>/dev/null
for i in $(seq 1 50); do kill -0 "$NPID" 2>/dev/null || break; sleep 0.05; done
}

measure_bare() {
	[ -x "${BARE_SERVER:-}" ] || return 0
	"$BARE_SERVER" "$W/tls.crt" "$W/tls.key" >"$W/bare.out" 2>&1 &
	local bpid=$!
	PIDS+=("$bpid")
	local bport=""
	for i in $(seq 1 100); do
		bport="$(sed -n 's/^port \([0-9]*\)$/\1/p' "$W/bare.out")"
		[ -n "$bport" ] && break
		sleep 0.05
	done
	[ -n "$bport" ] || { echo "bare server did not start: $(cat "$W/bare.out")" >&2; return 0; }
	PGADMIT_BENCH_PATH=/validate wrk -t1 -c4 -d1s -s "$HERE/reviews.lua" "https://127.0.0.1:$bport" \
		-- "$HERE/pod-review.json" "$HERE/deployment-review.json" >/dev/null 2>&1
	local c0; c0="$(cpu_ticks "$bpid")"
	read -r _ nreq r p50 p99 e <<<"$(run_wrk "https://127.0.0.1:$bport" /validate)"
	record bare "$r" "$p50" "$p99" "$e" $(( $(hwm_kb "$bpid") / 1024 )) \
		"$(cpu_us_per_req $(( $(cpu_ticks "$bpid") - c0 )) "$nreq")"
	kill -TERM "$bpid"; wait "$bpid" 2>/dev/null
}

LABELS="default rules-off nginx"
[ -x "${BARE_SERVER:-}" ] && LABELS="default rules-off bare nginx"
for round in $(seq 1 "$ROUNDS"); do
	measure_pgadmit default
	measure_pgadmit rules-off "${OFF[@]}"
	measure_bare
	start_nginx
done

for l in $LABELS; do
	RPS[$l]="$(median "${RPS[$l]}")" P50[$l]="$(median "${P50[$l]}")" P99[$l]="$(median "${P99[$l]}")"
	ERR[$l]="$(sum "${ERR[$l]}")" RSS[$l]="$(max "${RSS[$l]}")" CPU[$l]="$(median "${CPU[$l]}")"
done
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "pgadmit serve benchmark: wrk -t$THREADS -c$CONNS -d${SECS}s, TLS keep-alive, POST /validate"
echo "medians of $ROUNDS interleaved rounds; alternating $(wc -c <"$HERE/pod-review.json")-byte Pod and $(wc -c <"$HERE/deployment-review.json")-byte Deployment reviews; $(nproc) CPUs; load after: $(uptime | sed 's/.*load average: //')"
echo "cpu_us: server CPU (user+system) per request; vs_bare_cpu: bare's CPU per request / this one's (the throughput ratio on a machine with nothing else running)"
printf '%-26s %10s %9s %9s %7s %9s %8s %9s %8s %11s\n' server req/s p50_ms p99_ms errors peak_MiB cpu_us vs_nginx vs_bare vs_bare_cpu
for l in $LABELS; do
	name="pgadmit ($l)"; [ $l = nginx ] && name="nginx (fixed answer)"
	[ $l = bare ] && name="bare MHD+GnuTLS+jansson"
	printf '%-26s %10s %9s %9s %7s %9s %8s %9s %8s %11s\n' "$name" "${RPS[$l]}" "${P50[$l]}" "${P99[$l]}" \
		"${ERR[$l]}" "${RSS[$l]}" "${CPU[$l]}" "$(div "${RPS[$l]}" "${RPS[nginx]}")" \
		"$(div "${RPS[$l]}" "${RPS[bare]:-0}")" "$(div "${CPU[bare]:-0}" "${CPU[$l]}")"
done
cost="$(awk -v a="${RPS[default]}" -v b="${RPS[rules-off]}" 'BEGIN { if (b > 0) printf "%.1f", (1 - a / b) * 100; else print "-" }')"
ccost="$(awk -v a="${CPU[default]}" -v b="${CPU[rules-off]}" 'BEGIN { if (a > 0) printf "%.1f", (1 - b / a) * 100; else print "-" }')"
echo "rule evaluation cost: ${cost}% of the throughput with all rules off; ${ccost}% of the CPU per request (target < 15)"
[ -n "${RPS[bare]:-}" ] && echo "pgadmit/bare: $(div "${RPS[default]}" "${RPS[bare]}") with all rules on, $(div "${RPS[rules-off]}" "${RPS[bare]}") with all rules off; by CPU per request $(div "${CPU[bare]}" "${CPU[default]}") and $(div "${CPU[bare]}" "${CPU[rules-off]}") (target >= 0.9)"

# --- the largest legal reviews (docs/memory.md) ---------------------------------------
echo
echo "1 MiB ConfigMap UPDATE reviews (object + oldObject, Go escaping; bench/serve/big_review.py)"
start_pgadmit big
printf '%-34s %10s %7s %12s %12s\n' review bytes status server_ms client_ms
for kind in dashboard worst controls; do
	bytes="$(python3 "$HERE/big_review.py" "$W/big-$kind.json" $kind "big-$kind")"
	ms=() cms=() code=""
	for i in 1 2 3 4 5; do
		r="$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --cacert "$W/tls.crt" \
			-H 'Content-Type: application/json' --data-binary "@$W/big-$kind.json" \
			"https://localhost:$PORT/validate")"
		code="${r% *}"
		cms+=("$(awk -v t="${r#* }" 'BEGIN { printf "%.1f", t * 1000 }')")
	done
	ms=($(grep "\"uid\":\"big-$kind\"" "$W/big.log" | sed -n 's/.*"duration_ms":\([0-9.]*\).*/\1/p'))
	printf '%-34s %10s %7s %12s %12s\n' "$kind (median of 5)" "$bytes" "$code" \
		"$(median "${ms[*]}")" "$(median "${cms[*]}")"
done
echo "peak RSS after them: $(( $(hwm_kb "$SPID") / 1024 )) MiB"
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null
if [ -x "${HANDLE_BENCH:-}" ]; then
	echo "in process, one thread (handle_bench): where the time goes"
	for kind in dashboard worst controls; do
		"$HANDLE_BENCH" "$W/big-$kind.json" 5 | sed 's/^/  /'
	done
	"$HANDLE_BENCH" "$HERE/pod-review.json" 2000 | sed 's/^/  /'
fi
