#!/bin/bash
# make bench-probe: the probe's cost on large catalogs, against a throwaway
# PostgreSQL started here. For each size (default 1000 and 10000 tables):
# every table has a primary key and two more indexes, every second table a
# foreign key to the previous one (every fourth indexed), i.e. 3.25 indexes
# and 0.5 foreign keys per table. Prints wall time, peak RSS and queries of
# `pgadmit probe`, and for reference the time of check_postgres's nearest
# actions on the same database.
#   bench/probe/run.sh BIN [SIZES...]
set -uo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; shift
SIZES=("${@:-1000 10000}")
# shellcheck disable=SC2206
SIZES=(${SIZES[*]})
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
T="$(mktemp -d /tmp/pgadmit-bench.XXXXXX)"
chmod 755 "$T"
_hooks=()
t_on_exit() { _hooks+=("$1"); }
cleanup() { local h; for h in "${_hooks[@]}"; do eval "$h" || true; done; rm -rf "$T"; }
trap cleanup EXIT
source "$ROOT/tests/lib/probe/pg_lib.sh"

pg_new bench || exit 1
pg_conf bench "max_locks_per_transaction = 1024" "shared_buffers = 128MB" \
	"autovacuum = off" "shared_preload_libraries = 'pg_stat_statements'"
pg_hba bench "host all all 127.0.0.1/32 trust"
pg_start bench || exit 1
PORT="${PG_PORT[bench]}"

build_db() { # DB N
	local db="$1" n="$2" step=500 lo
	pg_sql bench postgres "CREATE DATABASE $db" >/dev/null
	for ((lo = 1; lo <= n; lo += step)); do
		pg_sql bench "$db" "DO \$\$ BEGIN
		  FOR i IN $lo..$((lo + step - 1 < n ? lo + step - 1 : n)) LOOP
		    EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, a int, b int, c int, ref int)', i);
		    EXECUTE format('CREATE INDEX ON t%s (a)', i);
		    EXECUTE format('CREATE INDEX ON t%s (b, c)', i);
		    IF i % 2 = 0 THEN
		      EXECUTE format('ALTER TABLE t%s ADD FOREIGN KEY (ref) REFERENCES t%s (id)', i, i - 1);
		      IF i % 4 = 0 THEN EXECUTE format('CREATE INDEX ON t%s (ref)', i); END IF;
		    END IF;
		  END LOOP; END \$\$" >/dev/null || return 1
	done
	pg_sql bench "$db" "ANALYZE" >/dev/null
}

timed() { # OUT CMD...: wall seconds and peak RSS (KiB) into $OUT.time
	local out="$1"; shift
	/usr/bin/time -f "%e %M" -o "$out.time" "$@" >"$out" 2>"$out.err"
	return 0
}

echo "PostgreSQL $(pg_sql bench postgres "SHOW server_version" | cut -d' ' -f1) ($PG_BIN; PGADMIT_PG_MAJOR picks another)"
printf '%-8s %-8s %-8s %-6s %-10s %-10s %-9s %s\n' tables indexes fkeys queries "probe s" "peak RSS" findings "check_postgres s (index_size, table_size, backends)"
declare -A WALL
for n in "${SIZES[@]}"; do
	db="b$n"
	echo "building $db ($n tables)..." >&2
	build_db "$db" "$n" || { echo "cannot build $db" >&2; exit 1; }
	idx="$(pg_sql bench "$db" "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace")"
	fks="$(pg_sql bench "$db" "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")"
	dsn="host=127.0.0.1 port=$PORT user=postgres dbname=$db"
	# warm the server's caches once, then take the best of 3
	PGADMIT_PROBE_DSN="$dsn" "$BIN" probe --format json >/dev/null 2>&1
	best=""; rss=""
	for i in 1 2 3; do
		PGADMIT_PROBE_DSN="$dsn" timed "$T/probe.json" "$BIN" probe --format json --fail-on never
		read -r s m <"$T/probe.json.time"
		if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$s"; rss="$m"; fi
	done
	q="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r["targets"][0]; print(t["queries"], len(t["findings"]), t["status"])' "$T/probe.json")"
	read -r queries nfind status <<<"$q"
	cp_times=""
	for a in index_size table_size backends; do
		limits=(--warning=100000000000 --critical=200000000000)
		[ "$a" = backends ] && limits=()
		timed "$T/cp.out" check_postgres --action="$a" -H 127.0.0.1 -p "$PORT" -u postgres \
			--db "$db" "${limits[@]}"
		read -r s _ <"$T/cp.out.time"
		cp_times="$cp_times $s"
	done
	WALL[$n]="$best"
	printf '%-8s %-8s %-8s %-6s %-10s %-10s %-9s%s\n' "$n" "$idx" "$fks" "$queries" "$best" "$((rss / 1024)) MiB" "$nfind" "$cp_times"
	[ "$status" = ok ] || { echo "probe status $status:" >&2; cat "$T/probe.json" >&2; }
done
if [ "${#SIZES[@]}" -ge 2 ]; then
	a="${SIZES[0]}" b="${SIZES[-1]}"
	awk -v ta="${WALL[$a]}" -v tb="${WALL[$b]}" -v a="$a" -v b="$b" 'BEGIN {
		printf "growth: %d -> %d tables (x%.0f) took x%.1f the time (linear: <= x%.0f)\n", a, b, b / a, (ta > 0 ? tb / ta : 0), b / a }'
fi
echo "target: the whole probe of the 10000-table database under 0.5 s (8 queries)"
