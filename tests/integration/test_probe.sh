# pgadmit probe against real PostgreSQL servers started here (initdb in a
# temporary directory, loopback only): every probe rule firing and quiet,
# TLS read from the session and through the raw SSLRequest, a pg_monitor-only
# role seeing `unknown` with the GRANT, refused and silent targets ending as
# errors within the timeout, a backend killed mid-query, sharding, bounded
# concurrency, and no password in any output.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fixtures/probe/pg_lib.sh"
t_tmpdir
PJ="$ROOT/tests/fixtures/probe/pj.py"
PW='S3cr3t-Probe-Pw-91'
SLOW=1
[ "${PGADMIT_SANITIZED:-0}" = 1 ] && SLOW=3
SLOW="${PGADMIT_SLOW:-$SLOW}" # make valgrind sets it

# probe OUT [ARGS...]: run with the current PGADMIT_PROBE_* environment,
# JSON to OUT.json, stderr to OUT.err, exit status in RC.
probe() {
	local out="$1"; shift
	"$PGADMIT" probe --format json "$@" >"$T/$out.json" 2>"$T/$out.err"
	RC=$?
}
has() { grep -qx -- "$2" <(python3 "$PJ" "$T/$1.json" findings "${3:-0}" | sed 's/ *$//'); }
t_has() { if has "$2" "$3" "${4:-0}"; then t_ok "$1"; else t_fail "$1" "no '$3' in: $(python3 "$PJ" "$T/$2.json" findings "${4:-0}" | tr '\n' ';')"; fi; }
# A quiet assertion only counts on a target that was probed.
probed() { [ "$(python3 "$PJ" "$T/$1.json" eval "r['targets'][${2:-0}]['status']" 2>/dev/null)" = ok ]; }
t_hasnt() {
	if ! probed "$2" "${4:-0}"; then t_fail "$1" "target not probed: $(cat "$T/$2.err")"
	elif has "$2" "$3" "${4:-0}"; then t_fail "$1" "unexpected '$3'"; else t_ok "$1"; fi
}
t_none() { # NAME OUT RULE [I]: no finding of RULE at all
	local l; l="$(python3 "$PJ" "$T/$2.json" findings "${4:-0}" | grep "^$3 " || true)"
	if ! probed "$2" "${4:-0}"; then t_fail "$1" "target not probed: $(cat "$T/$2.err")"
	elif [ -z "$l" ]; then t_ok "$1"; else t_fail "$1" "unexpected: $l"; fi
}
ev() { python3 "$PJ" "$T/$1.json" eval "$2"; }

mkdir -p "$T/certs" && chmod 755 "$T/certs"
pg_cert "$T/certs" soon 5 && pg_cert "$T/certs" year 365 && pg_cert_expired "$T/certs" old ||
	{ t_fail "certificates" "openssl failed"; t_finish; }

# --- server "tls": SSL on, cert expiring in 5 days, weak protocol floor,
# listen *, archiving failing, md5, pg_stat_statements preloaded ---------------
pg_new tls || { t_fail "initdb" "see above"; t_finish; }
pg_conf tls "ssl = on" "ssl_cert_file = '$T/certs/soon.crt'" "ssl_key_file = '$T/certs/soon.key'" \
	"ssl_min_protocol_version = 'TLSv1'" "listen_addresses = '*'" \
	"archive_mode = on" "archive_command = 'false'" \
	"shared_preload_libraries = 'pg_stat_statements'" "password_encryption = md5"
pg_hba tls "host all all 127.0.0.1/32 trust" "host all all 0.0.0.0/0 scram-sha-256"
pg_start tls || { t_fail "server tls starts" "see above"; t_finish; }
TP="${PG_PORT[tls]}"
pg_sql tls postgres "CREATE DATABASE app" >/dev/null
pg_sql tls app "CREATE EXTENSION pg_stat_statements" >/dev/null
psql -X -q -h "${PG_DIR[tls]}/sock" -p "$TP" -U postgres -d app -v ON_ERROR_STOP=1 \
	-f "$FIX/probe/schema.sql" >"$T/schema.log" 2>&1 ||
	{ t_fail "schema loads" "$(tail -5 "$T/schema.log")"; t_finish; }
# PGA214: the concurrent unique build fails on the duplicate rows
pg_sql tls app "CREATE UNIQUE INDEX CONCURRENTLY dupes_v ON dupes (v)" >/dev/null 2>&1
t_eq "fixture: invalid index exists" "f" "$(pg_sql tls app "SELECT indisvalid FROM pg_index WHERE indexrelid = 'dupes_v'::regclass")"
# PGA212: index scans on used_idx only; PGA215: sequential scans on events
pg_sql tls app "SET enable_seqscan = off; SELECT count(*) FROM usage WHERE a = 5" >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do pg_sql tls app "SELECT count(*) FROM events WHERE payload = 'z'" >/dev/null; done
for i in $(seq 1 30); do pg_sql tls app "SELECT payload FROM lookups WHERE id = $i" >/dev/null; done
# PGA232: a WAL segment to archive, and an archiver that fails on it
pg_sql tls postgres "SELECT pg_switch_wal()" >/dev/null
for i in $(seq 1 100); do
	[ "$(pg_sql tls postgres "SELECT failed_count > 0 FROM pg_stat_archiver")" = t ] && break
	sleep 0.1
done

cat >"$T/policy.yaml" <<'YAML'
probe:
  indexUnusedDays: 0
  indexUnusedMinBytes: 0
  seqScanMinBytes: 1048576
  seqScanMinRows: 1000000
  seqScanRatio: 10
  connectTimeoutSeconds: CONNECT_TIMEOUT
YAML
CONNECT_TIMEOUT=$((2 * SLOW))
sed -i "s/CONNECT_TIMEOUT/$CONNECT_TIMEOUT/" "$T/policy.yaml"
export PGADMIT_POLICY="$T/policy.yaml"
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$TP user=postgres password=$PW dbname=app sslmode=require"
probe tls
t_eq "tls: exit 1 (deny findings)" 1 "$RC"
t_eq "tls: status ok" ok "$(ev tls "r['targets'][0]['status']")"
t_eq "tls: target named host:port/db" "127.0.0.1:$TP/app" "$(ev tls "r['targets'][0]['target']")"
t_eq "tls: server_version" 15 "$(ev tls "r['targets'][0]['server_version'].split('.')[0]")"
t_eq "tls: session encrypted" "True session" "$(ev tls "r['targets'][0]['tls']['in_use'], r['targets'][0]['tls']['source']" | tr -d "(),'")"
t_eq "tls: protocol TLSv1.3" TLSv1.3 "$(ev tls "r['targets'][0]['tls']['protocol']")"
t_eq "tls: certificate subject" "CN=pgadmit-test-soon" "$(ev tls "r['targets'][0]['tls']['cert_subject']")"
t_eq "tls: self-signed" True "$(ev tls "r['targets'][0]['tls']['self_signed']")"
t_eq "tls: RSA 2048" "RSA 2048" "$(ev tls "r['targets'][0]['tls']['key_type'] + ' ' + str(r['targets'][0]['tls']['key_bits'])")"
t_eq "tls: SANs" "DNS:localhost, IP:127.0.0.1" "$(ev tls "r['targets'][0]['tls']['cert_sans']")"
t_eq "tls: days left 4 (5-day certificate)" 4 "$(ev tls "r['targets'][0]['tls']['cert_days_left']")"
t_has "PGA204 fires: certificate expires in 5 days" tls "PGA204 warn server"
t_has "PGA203 fires: ssl_min_protocol_version TLSv1" tls "PGA203 warn server"
t_none "PGA201 quiet: ssl on" tls PGA201
t_none "PGA205 quiet: session encrypted" tls PGA205
t_has "PGA202 fires: host rule for 0.0.0.0/0" tls "PGA202 warn pg_hba.conf:3"
t_hasnt "PGA202 quiet: loopback host rule" tls "PGA202 warn pg_hba.conf:2"
t_has "PGA251 fires: listen * and 0.0.0.0/0" tls "PGA251 deny pg_hba.conf:3"
t_none "PGA252 quiet: trust only for 127.0.0.1/32" tls PGA252
t_has "PGA253 fires: password_encryption md5" tls "PGA253 warn server"
t_none "PGA231 quiet: archive_mode on" tls PGA231
t_has "PGA232 fires: archive_command fails" tls "PGA232 deny server"
t_none "PGA241 quiet: pg_stat_statements installed and preloaded" tls PGA241
t_none "PGA221 quiet: few connections" tls PGA221
# indexes
t_has "PGA211 fires: FK without index" tls "PGA211 warn public.orders"
t_has "PGA211 fires: FK column second in its index" tls "PGA211 warn public.shipments"
t_has "PGA211 fires: multi-column FK, one column indexed" tls "PGA211 warn public.depots"
t_has "PGA211 fires: other schema" tls "PGA211 warn billing.invoices"
t_has "PGA211 fires: partitioned table, at the parent" tls "PGA211 warn public.measurements"
t_hasnt "PGA211 quiet: FK is the leading column" tls "PGA211 warn public.items"
t_hasnt "PGA211 quiet: multi-column FK, set-equal leading columns" tls "PGA211 warn public.stores"
t_eq "PGA211 once for the partitioned table" 1 "$(python3 "$PJ" "$T/tls.json" findings 0 | grep -c '^PGA211 .* public.measurements')"
t_none "PGA211 not per partition" tls "PGA211 warn public.measurements_2025"
t_eq "PGA211 hint: CREATE INDEX CONCURRENTLY" "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);" \
	"$(python3 "$PJ" "$T/tls.json" hint 0 PGA211 public.orders)"
t_eq "PGA211 hint, partitioned: ON ONLY" "CREATE INDEX ON ONLY public.measurements (customer_id);" \
	"$(python3 "$PJ" "$T/tls.json" hint 0 PGA211 public.measurements | cut -d';' -f1);"
t_has "PGA213 fires: exact duplicate (newer one)" tls "PGA213 warn public.orders_note_b"
t_hasnt "PGA213: the older duplicate stays" tls "PGA213 warn public.orders_note_a"
t_has "PGA213 fires: leading-column prefix" tls "PGA213 warn public.items_sku"
t_has "PGA213 fires: plain duplicate of a unique index" tls "PGA213 warn public.customers_name"
t_hasnt "PGA213 quiet: the unique index stays" tls "PGA213 warn public.customers_name_key"
t_hasnt "PGA213 quiet: expression index" tls "PGA213 warn public.customers_lower_name"
t_hasnt "PGA213 quiet: partial index" tls "PGA213 warn public.customers_name_partial"
t_hasnt "PGA213 quiet: different sort order" tls "PGA213 warn public.customers_email_desc"
t_hasnt "PGA213 quiet: different sort order (2)" tls "PGA213 warn public.customers_email"
t_has "PGA213 fires: partitioned duplicate at the parent" tls "PGA213 warn public.measurements_at2"
t_eq "PGA213 not per partition" 0 "$(python3 "$PJ" "$T/tls.json" findings 0 | grep -c '^PGA213 .*measurements_20')"
t_eq "PGA213 hint: DROP INDEX CONCURRENTLY" "DROP INDEX CONCURRENTLY public.orders_note_b; -- public.orders_note_a stays" \
	"$(python3 "$PJ" "$T/tls.json" hint 0 PGA213 public.orders_note_b)"
t_has "PGA214 fires: invalid index" tls "PGA214 warn public.dupes_v"
t_eq "PGA214 hint: REINDEX INDEX CONCURRENTLY" "REINDEX INDEX CONCURRENTLY public.dupes_v;" \
	"$(python3 "$PJ" "$T/tls.json" hint 0 PGA214 public.dupes_v | cut -d' ' -f1-4)"
t_has "PGA212 fires: index never scanned" tls "PGA212 warn public.unused_idx"
t_hasnt "PGA212 quiet: index with scans" tls "PGA212 warn public.used_idx"
t_hasnt "PGA212 quiet: unique index" tls "PGA212 warn public.customers_name_key"
t_hasnt "PGA212 quiet: primary key" tls "PGA212 warn public.usage_pkey"
t_has "PGA212 fires once for a partitioned index" tls "PGA212 warn public.measurements_at"
t_eq "PGA212 not per partition" 0 "$(python3 "$PJ" "$T/tls.json" findings 0 | grep -c '^PGA212 .*measurements_20')"
t_eq "PGA212 hint: DROP INDEX CONCURRENTLY" "DROP INDEX CONCURRENTLY public.unused_idx;" \
	"$(python3 "$PJ" "$T/tls.json" hint 0 PGA212 public.unused_idx | cut -d' ' -f1-4)"
t_has "PGA215 fires: sequential scans on a large table" tls "PGA215 warn public.events"
t_hasnt "PGA215 quiet: large table read by index" tls "PGA215 warn public.lookups"
t_eq "queries: a fixed number per target (no per-table loops)" 8 "$(ev tls "r['targets'][0]['queries']")"
# the default threshold of 7 days keeps PGA212 quiet on fresh statistics
PGADMIT_POLICY= probe tls-default
t_none "PGA212 quiet: statistics younger than indexUnusedDays" tls-default PGA212

# --- same server, plain session: the raw SSLRequest path reads the cert ---------
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$TP user=postgres password=$PW dbname=app sslmode=disable"
probe raw
t_eq "raw: session not encrypted, certificate read via SSLRequest" "False True sslrequest" \
	"$(ev raw "r['targets'][0]['tls']['in_use'], r['targets'][0]['tls']['server_ssl'], r['targets'][0]['tls']['source']" | tr -d "(),'")"
t_eq "raw: same certificate" "CN=pgadmit-test-soon" "$(ev raw "r['targets'][0]['tls']['cert_subject']")"
t_has "raw: PGA205 fires: probe session not encrypted" raw "PGA205 warn session"
t_has "raw: PGA204 fires from the raw handshake" raw "PGA204 warn server"

# --- the server fixed: a year-long certificate, TLSv1.2, scram, hba variants ------
pg_conf tls "ssl_cert_file = '$T/certs/year.crt'" "ssl_key_file = '$T/certs/year.key'" \
	"ssl_min_protocol_version = 'TLSv1.2'" "password_encryption = 'scram-sha-256'"
pg_hba tls "host all all 127.0.0.1/32 trust" "hostnossl all all 0.0.0.0/0 reject" \
	"host all all 0.0.0.0/0 scram-sha-256" "host all all 10.0.0.0/8 trust"
pg_reload tls
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$TP user=postgres dbname=app sslmode=require"
probe fixed
t_eq "fixed: certificate valid a year" "CN=pgadmit-test-year" "$(ev fixed "r['targets'][0]['tls']['cert_subject']")"
t_eq "fixed: days left >= 360" True "$(ev fixed "r['targets'][0]['tls']['cert_days_left'] >= 360")"
t_none "PGA204 quiet: certificate valid a year" fixed PGA204
t_none "PGA203 quiet: TLSv1.2" fixed PGA203
t_none "PGA253 quiet: scram-sha-256" fixed PGA253
t_hasnt "PGA202 quiet: host rule behind hostnossl reject" fixed "PGA202 warn pg_hba.conf:4"
t_has "PGA251 still fires behind a hostnossl reject" fixed "PGA251 deny pg_hba.conf:4"
t_has "PGA252 fires: trust for 10.0.0.0/8" fixed "PGA252 deny pg_hba.conf:5"
t_hasnt "PGA202 quiet: hostnossl reject line itself" fixed "PGA202 warn pg_hba.conf:3"
# an expired certificate: PGA204 denies whatever its configured action
pg_conf tls "ssl_cert_file = '$T/certs/old.crt'" "ssl_key_file = '$T/certs/old.key'"
pg_reload tls
probe expired
t_has "PGA204 denies an expired certificate" expired "PGA204 deny server"
t_eq "expired: days left negative" True "$(ev expired "r['targets'][0]['tls']['cert_days_left'] < 0")"
t_check "expired: the message says expired" grep -q "expired on 2020-01-02T00:00:00Z" <(python3 "$PJ" "$T/expired.json" message 0 PGA204 server)
printf 'rules:\n  PGA204: "off"\n' >"$T/policy-204off.yaml"
PGADMIT_POLICY="$T/policy-204off.yaml" probe expired-off
t_none "PGA204 off stays off, even when expired" expired-off PGA204
pg_conf tls "ssl_cert_file = '$T/certs/year.crt'" "ssl_key_file = '$T/certs/year.key'"
pg_hba tls "host all all 127.0.0.1/32 trust" "host all all 0.0.0.0/0 trust"
pg_reload tls
probe trust
t_has "PGA252 fires: trust for 0.0.0.0/0" trust "PGA252 deny pg_hba.conf:3"
t_hasnt "PGA252 quiet: trust for 127.0.0.1/32" trust "PGA252 deny pg_hba.conf:2"

# --- a pg_monitor-only role: unknown with the GRANT where it must ------------------
pg_sql tls postgres "CREATE ROLE mon LOGIN IN ROLE pg_monitor" >/dev/null
pg_sql tls postgres "CREATE ROLE plain LOGIN" >/dev/null
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$TP user=mon dbname=app sslmode=require"
probe mon
t_eq "mon: status ok" ok "$(ev mon "r['targets'][0]['status']")"
t_has "mon: PGA202 unknown" mon "PGA202 info pg_hba.conf unknown"
t_has "mon: PGA251 unknown" mon "PGA251 info pg_hba.conf unknown"
t_has "mon: PGA252 unknown" mon "PGA252 info pg_hba.conf unknown"
t_eq "mon: unknown carries the GRANT" \
	"GRANT SELECT ON pg_catalog.pg_hba_file_rules TO mon; GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO mon;" \
	"$(python3 "$PJ" "$T/mon.json" hint 0 PGA252 pg_hba.conf)"
t_has "mon: PGA211 still found" mon "PGA211 warn public.orders"
t_has "mon: PGA214 still found" mon "PGA214 warn public.dupes_v"
t_none "mon: PGA221 known (pg_read_all_stats)" mon PGA221
t_none "mon: PGA241 quiet (shared_preload_libraries readable)" mon PGA241
t_eq "mon: exit 1 (PGA232 still denies)" 1 "$RC"
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$TP user=plain dbname=app sslmode=require"
# a second session of another role, so that something is hidden from plain
psql -X -h "${PG_DIR[tls]}/sock" -p "$TP" -U postgres -d app -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
HOLD=$!
t_on_exit "kill $HOLD 2>/dev/null"
for i in $(seq 1 50); do
	[ "$(pg_sql tls postgres "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")" -ge 1 ] 2>/dev/null && break
	sleep 0.1
done
probe plain
t_has "plain role: PGA221 unknown (sessions hidden)" plain "PGA221 info server unknown"
t_eq "plain role: GRANT pg_read_all_stats" "GRANT pg_read_all_stats TO plain;" "$(python3 "$PJ" "$T/plain.json" hint 0 PGA221 server)"
kill $HOLD 2>/dev/null; wait $HOLD 2>/dev/null

# --- server "plain": SSL off, no archiving, tiny max_connections ----------------
pg_new off || { t_fail "initdb off" ""; t_finish; }
pg_conf off "ssl = off" "archive_mode = off" "max_connections = 10" "superuser_reserved_connections = 3"
pg_hba off "host all all 127.0.0.1/32 trust"
pg_start off || { t_fail "server off starts" ""; t_finish; }
OP="${PG_PORT[off]}"
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$OP user=postgres dbname=postgres"
probe off
t_has "PGA201 fires: ssl off" off "PGA201 deny server"
t_eq "off: SSLRequest answered N" "False False" "$(ev off "r['targets'][0]['tls']['in_use'], r['targets'][0]['tls']['server_ssl']" | tr -d "(),'")"
t_has "PGA205 fires: session not encrypted" off "PGA205 warn session"
t_has "PGA231 fires: archive_mode off" off "PGA231 warn server"
t_has "PGA241 fires: pg_stat_statements absent" off "PGA241 warn database"
t_none "PGA221 quiet: one client of 7" off PGA221
t_none "PGA203 not judged with SSL off" off PGA203
t_none "PGA251 quiet: listen 127.0.0.1" off PGA251
# hold 5 connections: 6 clients of 7 available is over 80%
for i in 1 2 3 4 5; do
	psql -X -h "${PG_DIR[off]}/sock" -p "$OP" -U postgres -d postgres -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
	t_on_exit "kill $! 2>/dev/null"
done
for i in $(seq 1 100); do
	[ "$(pg_sql off postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")" -ge 6 ] 2>/dev/null && break
	sleep 0.1
done
probe busy
t_has "PGA221 fires: 6 of 7 connections in use" busy "PGA221 warn server"

# over the Unix socket: no TLS to inspect, PGA205 does not apply
export PGADMIT_PROBE_DSN="host=${PG_DIR[off]}/sock port=$OP user=postgres dbname=postgres"
probe sock
t_eq "socket: named by its directory" "${PG_DIR[off]}/sock:$OP/postgres" "$(ev sock "r['targets'][0]['target']")"
t_eq "socket: TLS not inspected" "Unix-domain socket: TLS does not apply" "$(ev sock "r['targets'][0]['tls']['note']")"
t_none "PGA205 quiet over a Unix socket" sock PGA205
t_has "socket: PGA201 still read from the setting" sock "PGA201 deny server"
# pg_stat_statements created but not preloaded
pg_sql off postgres "CREATE EXTENSION pg_stat_statements" >/dev/null
probe pgss
t_eq "PGA241 fires: installed but not preloaded" \
	"pg_stat_statements is installed but not in shared_preload_libraries: its views fail" \
	"$(python3 "$PJ" "$T/pgss.json" message 0 PGA241 database)"
# a role that sees only its own sessions: 6 of them already exceed the limit,
# so PGA221 fires on that lower bound instead of reporting unknown
pg_sql off postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
pg_sql off postgres "CREATE ROLE plain LOGIN" >/dev/null
for i in $(seq 1 100); do
	[ "$(pg_sql off postgres "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND pid <> pg_backend_pid()")" = 0 ] && break
	sleep 0.05
done
for i in 1 2 3 4 5; do
	psql -X -h "${PG_DIR[off]}/sock" -p "$OP" -U plain -d postgres -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
	t_on_exit "kill $! 2>/dev/null"
done
for i in $(seq 1 100); do
	[ "$(pg_sql off postgres "SELECT count(*) FROM pg_stat_activity WHERE usename = 'plain'")" -ge 5 ] 2>/dev/null && break
	sleep 0.1
done
export PGADMIT_PROBE_DSN="host=127.0.0.1 port=$OP user=plain dbname=postgres"
probe lowerbound
t_has "PGA221 fires on what a plain role can see" lowerbound "PGA221 warn server"
t_check "... saying it is a lower bound" grep -q "at least: other sessions are hidden" <(python3 "$PJ" "$T/lowerbound.json" message 0 PGA221 server)

# --- many targets: errors do not stop the others; bounded time ---------------------
REFUSED="$(pg_free_port)"
python3 - "$T/silent.port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
end = time.time() + 120
while time.time() < end:
    s.settimeout(1)
    try:
        c, _ = s.accept(); conns.append(c)   # accept, never answer
    except socket.timeout:
        pass
PY
SILENT_PID=$!
t_on_exit "kill $SILENT_PID 2>/dev/null"
for i in $(seq 1 50); do [ -s "$T/silent.port" ] && break; sleep 0.1; done
SILENT="$(cat "$T/silent.port")"
cat >"$T/dsns" <<EOF
# probe targets, one per line
host=127.0.0.1 port=$TP user=postgres password=$PW dbname=app sslmode=require

host=127.0.0.1 port=$REFUSED user=postgres password=$PW dbname=x
postgresql://postgres:$PW@127.0.0.1:$SILENT/x?sslmode=disable
host=127.0.0.1 port=$OP user=postgres password=$PW dbname=postgres
   host=127.0.0.1 port=abc password=$PW
postgresql://postgres:p%zz$PW@127.0.0.1:$OP/postgres
EOF
unset PGADMIT_PROBE_DSN
export PGADMIT_PROBE_DSN_FILE="$T/dsns"
start=$(date +%s.%N)
probe many --concurrency 2
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
t_eq "many: exit 2 (targets could not be probed)" 2 "$RC"
t_eq "many: six targets in file order" "6" "$(ev many "len(r['targets'])")"
t_eq "many: statuses" "ok error error ok error error" "$(ev many "' '.join(t['status'] for t in r['targets'])")"
t_check "many: refused target says why" grep -q "Connection refused" <(ev many "r['targets'][1]['error']")
t_check "many: silent target times out" grep -qi "timeout\|timed out" <(ev many "r['targets'][2]['error']")
t_check "many: all within the connect timeout plus slack" \
	awk -v s="$secs" -v c="$CONNECT_TIMEOUT" -v k="$SLOW" 'BEGIN { exit !(s < 2 * c + 6 * k) }'
t_eq "many: silent target named without password" "127.0.0.1:$SILENT/x" "$(ev many "r['targets'][2]['target']")"
t_eq "many: summary" "6 2 4" "$(ev many "r['summary']['targets'], r['summary']['ok'], r['summary']['error']" | tr -d '(),')"
t_check "many: stderr names the failures" grep -q "4 targets could not be probed" "$T/many.err"

# --- no password anywhere ----------------------------------------------------------
"$PGADMIT" probe --format text >"$T/many.txt" 2>&1
leaks=0
for f in "$T"/*.json "$T"/*.err "$T/many.txt"; do
	grep -q -- "$PW" "$f" && { leaks=1; echo "  password in $f"; }
done
t_eq "no password in any report or error" 0 "$leaks"
t_check "text report names the invalid URI redacted" grep -q 'unparsed:postgresql://postgres:\*\*\*\*@' "$T/many.txt"
t_check "an invalid URI's error masks the quoted token" grep -q 'invalid percent-encoded token: "\*\*\*\*"' "$T/many.txt"

# --- sharding ------------------------------------------------------------------------
probe shard1 --shard 1/2
t_eq "--shard 1/2 probes targets 1, 3, 5 of 6" "3 6/1" \
	"$(ev shard1 "len(r['targets']), str(r['summary']['targets_total']) + '/' + r['summary']['shard'].split('/')[0]" | tr -d "(),'")"
t_eq "--shard 1/2: which ones" "127.0.0.1:$REFUSED/x 127.0.0.1:$OP/postgres" \
	"$(ev shard1 "' '.join(t['target'] for t in r['targets'][:2])")"
JOB_COMPLETION_INDEX=0 PGADMIT_PROBE_SHARDS=3 probe shard0
t_eq "JOB_COMPLETION_INDEX 0 of 3: targets 0, 3" "127.0.0.1:$TP/app 127.0.0.1:$OP/postgres" \
	"$(ev shard0 "' '.join(t['target'] for t in r['targets'])")"
JOB_COMPLETION_INDEX=3 PGADMIT_PROBE_SHARDS=3 probe badshard
t_eq "index outside the shard count: exit 2" 2 "$RC"
t_check "... and says why" grep -q "JOB_COMPLETION_INDEX 3 is not below" "$T/badshard.err"
unset PGADMIT_PROBE_DSN_FILE

# --- a standby: index usage counters are its own, PGA212 is not judged ----------
PG_DIR[standby]="$T/pg-standby"
PG_PORT[standby]="$(pg_free_port)"
mkdir -p "${PG_DIR[standby]}/sock"
[ "$(id -u)" = 0 ] && chown -R postgres "${PG_DIR[standby]}"
pg_hba tls "host all all 127.0.0.1/32 trust" "local replication all trust"
pg_reload tls
if pg_as "$PG_BIN/pg_basebackup" -h "${PG_DIR[tls]}/sock" -p "$TP" -U postgres \
	-D "${PG_DIR[standby]}/data" -R -X stream -c fast >"$T/basebackup.log" 2>&1; then
	pg_conf standby "port = ${PG_PORT[standby]}" "unix_socket_directories = '${PG_DIR[standby]}/sock'" \
		"listen_addresses = '127.0.0.1'" "archive_mode = off"
	if pg_start standby; then
		export PGADMIT_PROBE_DSN="host=127.0.0.1 port=${PG_PORT[standby]} user=postgres dbname=app sslmode=require"
		probe standby
		t_none "standby: PGA212 not judged" standby PGA212
		t_has "standby: the rest still judged (PGA214)" standby "PGA214 warn public.dupes_v"
	else
		t_fail "standby starts" "$(tail -3 "${PG_DIR[standby]}/server.log")"
	fi
else
	t_fail "standby: pg_basebackup" "$(tail -3 "$T/basebackup.log")"
fi
unset PGADMIT_PROBE_DSN

# --- a backend killed mid-query: that target errors, the other is probed -------------
pg_sql tls app "SELECT 1" >/dev/null # relcache init file in place before the lock
cat >"$T/dsns2" <<EOF
host=127.0.0.1 port=$TP user=postgres dbname=app
host=127.0.0.1 port=$TP user=postgres dbname=postgres
EOF
cat >"$T/policy-lock.yaml" <<'YAML'
probe:
  lockTimeoutMs: 60000
  statementTimeoutMs: 60000
  concurrency: 2
YAML
psql -X -h "${PG_DIR[tls]}/sock" -p "$TP" -U postgres -d app \
	-c "BEGIN; LOCK TABLE pg_catalog.pg_constraint IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)" >/dev/null 2>&1 &
LOCKER=$!
t_on_exit "kill $LOCKER 2>/dev/null"
for i in $(seq 1 100); do # until the lock is held
	[ "$(pg_sql tls postgres "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = 'app' AND l.relation = 'pg_catalog.pg_constraint'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
	sleep 0.05
done
PGADMIT_PROBE_DSN_FILE="$T/dsns2" PGADMIT_POLICY="$T/policy-lock.yaml" \
	"$PGADMIT" probe --format json >"$T/killed.json" 2>"$T/killed.err" &
PROBE_PID=$!
killed=""
for i in $(seq 1 $((100 * SLOW))); do
	killed="$(pg_sql tls postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgadmit-probe' AND datname = 'app' AND wait_event_type = 'Lock'")"
	[ -n "$killed" ] && break
	sleep 0.1
done
t_eq "kill: the probe's backend was waiting and got terminated" t "$killed"
wait $PROBE_PID
RC=$?
kill $LOCKER 2>/dev/null
t_eq "kill: exit 2" 2 "$RC"
t_eq "kill: the killed target is an error, the other ok" "error ok" "$(ev killed "' '.join(t['status'] for t in r['targets'])")"
err="$(ev killed "r['targets'][0]['error']")"
case "$err" in
*terminat*) t_ok "kill: the error says the connection was terminated" ;;
*) t_fail "kill: the error says the connection was terminated" "$err" ;;
esac

# --- usage ------------------------------------------------------------------------
"$PGADMIT" probe "host=x password=$PW" >/dev/null 2>"$T/argv.err"
t_eq "a DSN in argv is a usage error" 2 "$?"
t_check "... that does not echo it" bash -c "! grep -q -- '$PW' '$T/argv.err'"
PGADMIT_PROBE_DSN_FILE="$T/nope" "$PGADMIT" probe >/dev/null 2>"$T/nofile.err"
t_eq "a missing DSN file: exit 2" 2 "$?"
t_check "... naming it" grep -q "PGADMIT_PROBE_DSN_FILE $T/nope" "$T/nofile.err"
"$PGADMIT" probe --format yaml >/dev/null 2>&1
t_eq "--format yaml: exit 2" 2 "$?"
t_finish
