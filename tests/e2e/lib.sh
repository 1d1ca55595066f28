# tests/e2e/lib.sh — what tests/e2e/run.sh and bench.sh share: results,
# `pgadmit serve` on loopback as the API server's webhook, its request log.
#
#   ok NAME / fail NAME WHY / check_eq NAME WANT GOT / e2e_summary
#   webhook_start / webhook_stop   (WH_PORT, WH_DIR/tls, WH_DIR/policy.yaml,
#                                   WH_DIR/sa for the Kubernetes API)
#   reviews_since MARK             request-log lines written after MARK
#                                  (MARK from log_mark)

E2E_PASS=0
E2E_FAIL=0
ok() {
	echo "  ok   $1"
	E2E_PASS=$((E2E_PASS + 1))
}
fail() {
	echo "  FAIL $1: ${2:-}"
	E2E_FAIL=$((E2E_FAIL + 1))
}
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
# check_has NAME NEEDLE HAYSTACK
check_has() {
	if grep -qF -- "$2" <<<"$3"; then ok "$1"; else fail "$1" "no '$2' in: $(head -c 400 <<<"$3")"; fi
}
check_lacks() {
	if grep -qF -- "$2" <<<"$3"; then fail "$1" "'$2' found in: $(head -c 400 <<<"$3")"; else ok "$1"; fi
}
e2e_summary() {
	echo "e2e: $E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" -eq 0 ]
}

WH_PID=
# webhook_start: pgadmit serve on 127.0.0.1:$WH_PORT with the e2e certificate,
# the policy the chart renders, debug logs (every review, skips included) and
# the Kubernetes API reached as $WH_DIR/sa says (token + ca.crt).
webhook_start() {
	local -a env=(PGADMIT_LOG_LEVEL="${WH_LOG_LEVEL:-debug}" PGADMIT_SHUTDOWN_GRACE=1)
	if [ -s "$WH_DIR/sa/token" ]; then
		env+=(PGADMIT_KUBE_API_URL="$API_URL" PGADMIT_KUBE_SA_DIR="$WH_DIR/sa")
	fi
	env "${env[@]}" "$PGADMIT_BIN" serve --listen "127.0.0.1:$WH_PORT" \
		--tls-cert "$WH_DIR/tls/tls.crt" --tls-key "$WH_DIR/tls/tls.key" \
		--policy "$WH_DIR/policy.yaml" --metrics-listen "127.0.0.1:$WH_METRICS_PORT" \
		--threads 2 >>"$WH_DIR/serve.log" 2>&1 &
	WH_PID=$!
	local i
	for i in $(seq 1 100); do
		curl -fsS --max-time 1 "http://127.0.0.1:$WH_METRICS_PORT/readyz" >/dev/null 2>&1 && return 0
		kill -0 "$WH_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "e2e: pgadmit serve did not become ready: $(tail -n 3 "$WH_DIR/serve.log")" >&2
	return 1
}
webhook_stop() {
	[ -n "$WH_PID" ] || return 0
	kill "$WH_PID" 2>/dev/null
	wait "$WH_PID" 2>/dev/null
	WH_PID=
}
log_mark() { wc -l <"$WH_DIR/serve.log"; }
reviews_since() { tail -n +"$(($1 + 1))" "$WH_DIR/serve.log" | grep '"msg":"review"'; }
