# pgadmit serve end to end, rule by rule: deny, warn, annotate, opt-out and
# allow through POST /validate and POST /mutate of the real server over TLS;
# the JSONPatch is applied to the object (tests/lib/serve/review.py) and
# a second round on the patched object gives no patch. The cases are the
# files of tests/fixtures/webhook/ (one per object, the expected answer per
# policy label), run by tests/lib/webhook_cases.py: a new case is a new file.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 0A || { t_fail "make certificates" "openssl failed"; t_finish; }
# JSON is YAML too
echo '{"rules": {"PGA104": "annotate"}}' >"$T/annotate.yaml"

run_cases() { # $1 = policy label, rest: server args
	local label="$1"; shift
	if ! sv_start "serve-$label" --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" "$@"; then
		t_fail "$label: server starts" "$(cat "$SV_LOG")"
		return
	fi
	t_ok "$label: server starts"
	python3 "$ROOT/tests/lib/webhook_cases.py" "$SV_PORT" "$CERTS/ca.crt" "$ROOT/tests/fixtures" "$label" >"$T/$label.out" 2>&1
	local rc=$?
	cat "$T/$label.out"
	[ $rc -eq 0 ] && t_ok "$label: all cases" || t_fail "$label: all cases" "see above"
	# the log has one line per review, never a secret
	grep -q '"msg":"review".*"decision":"deny"' "$SV_LOG" && t_ok "$label: review logged" ||
		t_fail "$label: review logged" "$(tail -3 "$SV_LOG")"
	! grep -qE 'Tr0ub4dor-serve|w0rker-serve' "$SV_LOG" && t_ok "$label: no secret in log" ||
		t_fail "$label: no secret in log" "secret found"
	sv_stop
}

run_cases default
run_cases annotate --policy "$T/annotate.yaml"
t_finish
