# PGA233 backup-stale against a real PostgreSQL (Debian's server, or
# PGADMIT_PG_BIN / PGADMIT_PG_MAJOR as for the probe suite): archiving
# that works is quiet; an archive_command that hangs (no failure recorded,
# pg_stat_archiver.last_archived_time stands still) while whole segments
# are written fires once the threshold (probe.backupStaleSeconds) has
# passed, and not before; an idle server whose last segment was archived
# is quiet; a role that cannot read the WAL position gets `unknown` with
# the GRANT and the target is still probed.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/lib/probe/pg_lib.sh"
t_tmpdir
PJ="$ROOT/tests/lib/probe/pj.py"
[ -x "$PG_BIN/initdb" ] || { t_fail "server binaries" "no initdb in $PG_BIN"; t_finish; }

probe() { # OUT: JSON report of the current target to $T/OUT.json, RC
	"$PGADMIT" probe --format json >"$T/$1.json" 2>"$T/$1.err"
	RC=$?
}
findings() { python3 "$PJ" "$T/$1.json" cache 0 2>/dev/null | tail -n +2 | sed 's/ *$//'; }
status() { python3 "$PJ" "$T/$1.json" cache 0 2>/dev/null | head -n 1; }
t_has() { if findings "$2" | grep -qx -- "$3"; then t_ok "$1"; else t_fail "$1" "no '$3' in: $(findings "$2" | tr '\n' ';') $(cat "$T/$2.err")"; fi; }
t_none() {
	if [ "$(status "$2")" != ok ]; then t_fail "$1" "not probed: $(cat "$T/$2.err")"
	elif findings "$2" | grep -q "^$3 "; then t_fail "$1" "unexpected: $(findings "$2" | grep "^$3 ")"
	else t_ok "$1"; fi
}
# wait_archived N: until pg_stat_archiver.archived_count >= N (10 s)
wait_archived() {
	local i
	for i in $(seq 1 100); do
		[ "$(pg_sql a postgres "SELECT archived_count >= $1 FROM pg_stat_archiver")" = t ] && return 0
		sleep 0.1
	done
	return 1
}

mkdir -p "$T/archive" && { [ "$(id -u)" != 0 ] || chown postgres "$T/archive"; }
pg_new a || { t_fail "initdb" "see above"; t_finish; }
pg_conf a "archive_mode = on" "archive_command = 'cp %p $T/archive/%f'"
pg_start a || { t_fail "server starts" "see above"; t_finish; }
pg_sql a postgres "CREATE TABLE t (v text)" >/dev/null
pg_sql a postgres "INSERT INTO t SELECT repeat('x', 100) FROM generate_series(1, 1000); SELECT pg_switch_wal()" >/dev/null
wait_archived 1 || { t_fail "fixture: a segment archived" "$(pg_sql a postgres 'SELECT * FROM pg_stat_archiver')"; t_finish; }

cat >"$T/policy.yaml" <<'YAML'
probe:
  backupStaleSeconds: 2
YAML
export PGADMIT_POLICY="$T/policy.yaml"
export PGADMIT_PROBE_DSN="host=${PG_DIR[a]}/sock port=${PG_PORT[a]} user=postgres dbname=postgres"

# Working archiver, just archived: quiet.
probe fresh
t_none "PGA233 quiet: the last segment was archived just now" fresh PGA233
t_none "PGA232 quiet: archiving works" fresh PGA232

# Idle past the threshold: the segment after the last archived one is
# still being filled, nothing to archive.
sleep 3
probe idle
t_none "PGA233 quiet: idle server past the threshold (nothing to archive)" idle PGA233

# The archiver hangs (no failure is ever recorded) while segments are
# written.
pg_conf a "archive_command = 'sleep 300'"
pg_reload a || { t_fail "reload" "see above"; t_finish; }
for i in 1 2 3; do
	pg_sql a postgres "INSERT INTO t SELECT repeat('y', 100) FROM generate_series(1, 1000); SELECT pg_switch_wal()" >/dev/null
done
probe hung
t_has "PGA233 fires: archiver stalled for more than backupStaleSeconds while WAL is written" hung "PGA233 warn server"
t_none "PGA232 quiet: a hung archiver records no failure" hung PGA232
t_check "PGA233 message names the last archived WAL file" grep -q "WAL archiving has stalled: the last WAL archived (0000000" <(python3 "$PJ" "$T/hung.json" message 0 PGA233 server)

# The same with a threshold not yet reached: quiet.
printf 'probe:\n  backupStaleSeconds: 86400\n' >"$T/policy-day.yaml"
PGADMIT_POLICY="$T/policy-day.yaml" probe day
t_none "PGA233 quiet: under the default 24 h threshold" day PGA233

# Off in the policy: not judged.
PGADMIT_RULE_PGA233=off probe off
t_none "PGA233 off: not reported" off PGA233

# A role that cannot read the WAL position (EXECUTE revoked from PUBLIC):
# unknown with the GRANT, and the target still probed (no query failed).
pg_sql a postgres "CREATE ROLE weak LOGIN; REVOKE EXECUTE ON FUNCTION pg_catalog.pg_current_wal_lsn() FROM PUBLIC" >/dev/null
PGADMIT_PROBE_DSN="host=${PG_DIR[a]}/sock port=${PG_PORT[a]} user=weak dbname=postgres" probe weak
t_eq "weak role: target probed" ok "$(status weak)"
t_has "PGA233 unknown without the grant" weak "PGA233 info server unknown"
t_check "PGA233 unknown: hint is the GRANT" grep -q "GRANT EXECUTE ON FUNCTION pg_catalog.pg_current_wal_lsn(), pg_catalog.pg_walfile_name(pg_lsn) TO weak" <(python3 "$PJ" "$T/weak.json" hint 0 PGA233 server)
t_finish
