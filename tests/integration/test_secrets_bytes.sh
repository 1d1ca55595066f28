# Issue 10 regressions over the real binary: the leaked query password
# (text, JSON, SARIF, the webhook's deny message, warnings, annotations,
# patch and the log line) and the 400 answer quoting bytes cut inside a
# UTF-8 character (valid JSON from /validate and /mutate, valid log line).
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 0C || { t_fail "make certificates" "openssl failed"; t_finish; }
FIX="$ROOT/tests/fixtures/PGA102/fires/regress-query-password-at.yaml"
SECRETS=(TOPSECRETTAIL LEAKME abc@TOP rawSLASHtail pw%2Fwith)

no_secret() { # name file
	local s hit=""
	for s in "${SECRETS[@]}"; do
		grep -qF -- "$s" "$2" && hit+=" $s"
	done
	[ -z "$hit" ] && t_ok "$1: no password" || t_fail "$1: no password" "found:$hit"
}

# --- check, three formats ------------------------------------------------------
for fmt in text json sarif; do
	"$PGADMIT" check -f "$FIX" --format "$fmt" --no-color >"$T/check.$fmt" 2>&1
	t_eq "check $fmt: exit 1 (deny)" 1 $?
	no_secret "check $fmt" "$T/check.$fmt"
done
jt valid "$T/check.json" &&
	t_ok "check json parses" || t_fail "check json parses" "$(head -c 300 "$T/check.json")"
grep -q 'password=\*\*\*\*' "$T/check.json" && t_ok "query password masked as ****" ||
	t_fail "query password masked as ****" "$(grep -o 'password=[^"]*' "$T/check.json" | head -3)"

# --- file names that are not UTF-8 ------------------------------------------------
bad="$T/names"; mkdir -p "$bad"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: "postgresql://u:pw@h/db"}\n' \
	>"$bad/finding-$(printf '\xff\xfe').yaml"
printf 'foo: [\n' >"$bad/broken-$(printf '\xc3').yaml"
for fmt in json sarif; do
	"$PGADMIT" check -f "$bad" --format "$fmt" >"$T/names.$fmt" 2>/dev/null
	if [ "$fmt" = json ]; then # U+FFFD stands for the bytes that are not UTF-8
		jt truthy "$T/names.$fmt" errors findings &&
			[[ "$(jt pick "$T/names.$fmt" errors.0.input)" == *$'\xef\xbf\xbd'* ]] &&
			[[ "$(jt pick "$T/names.$fmt" findings.0.file)" == *$'\xef\xbf\xbd'* ]]
	else
		jt truthy "$T/names.$fmt" runs.0.results runs.0.invocations.0.toolExecutionNotifications
	fi
	t_eq "check $fmt: a file name in another encoding gives valid UTF-8 JSON" 0 $?
done

# --- the webhook ---------------------------------------------------------------
export PGADMIT_TLS_CERT="$CERTS/tls.crt" PGADMIT_TLS_KEY="$CERTS/tls.key"
export PGADMIT_LOG_LEVEL=debug
if ! sv_start secrets; then
	t_fail "server starts" "$(cat "$SV_LOG")"
	t_finish
fi
review() { # op object-json
	printf '%s' "$2" >"$T/object.json"
	python3 "$SV_PY" wrap "$T/object.json" --uid u-1 --op "$1"
}
cm='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"leak","namespace":"shop"},
 "data":{"JDBC_URL":"jdbc:postgresql://db:5432/app?user=app&password=abc@TOPSECRETTAIL&sslmode=disable",
         "PG_URL":"postgresql://db:5432/app?user=app&password=xy@LEAKME",
         "RAW_SLASH":"postgresql://app:pw/rawSLASHtail@db:5432/app"}}'
review CREATE "$cm" >"$T/review.json"
for ep in validate mutate; do
	sv_curl -o "$T/$ep.out" -H 'Content-Type: application/json' --data-binary @"$T/review.json" "$(sv_url /$ep)"
	jt decode-answer "$T/$ep.out" "$T/$ep.decoded"
	t_eq "/$ep answers a review" 0 $?
	no_secret "/$ep answer (message, warnings, annotations, patch)" "$T/$ep.decoded"
done
grep -q '"allowed": false' "$T/validate.decoded" && t_ok "/validate denies" ||
	t_fail "/validate denies" "$(head -c 300 "$T/validate.decoded")"

# --- bytes cut inside a UTF-8 character ------------------------------------------
for ep in validate mutate; do
	st="$(sv_curl -o "$T/bad.$ep" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$ROOT/tests/fuzz/regressions/admission/invalid-escape-cut-utf8" "$(sv_url /$ep)")"
	t_eq "/$ep: cut UTF-8 escape -> 400" 400 "$st"
	jt get error "$T/bad.$ep" >/dev/null && t_ok "/$ep: 400 body is valid UTF-8 JSON" ||
		t_fail "/$ep: 400 body is valid UTF-8 JSON" "$(xxd "$T/bad.$ep" | head -3)"
done
sv_stop
no_secret "server log" "$SV_LOG"
jt lines "$SV_LOG" 4
t_eq "every log line is valid UTF-8 JSON" 0 $?
t_finish
