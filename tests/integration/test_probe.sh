# pgadmit probe against real PostgreSQL servers of every supported major:
# the whole suite (tests/fixtures/probe/suite.sh) runs once per major, one
# after the other, and every check line names its major ("pg17: ...").
#
#   PGADMIT_PG_MAJORS   majors to run (default "13 14 15 16 17 18"; under
#                       the sanitizers or valgrind — PGADMIT_SANITIZED=1 or
#                       PGADMIT_SLOW set — default "15" only, to keep CI
#                       time in check: the queries are the same C code)
#   PGADMIT_PG_OUTSIDE  majors outside the tested range, probed once each
#                       to see the note saying so (default "12"; "" under
#                       the sanitizers or valgrind)
#
# 15 is Debian's server; the others come from scripts/get-postgres, which
# fetches them once into ${PGADMIT_PG_CACHE:-$HOME/.cache/pgadmit/pg} (CI
# calls it before `make test`; here it only fetches what is missing).
source "$(dirname "$0")/lib.sh"
dflt="13 14 15 16 17 18" dflt_out="12"
if [ "${PGADMIT_SANITIZED:-0}" = 1 ] || [ -n "${PGADMIT_SLOW:-}" ]; then
	dflt="15" dflt_out=""
fi
read -r -a majors <<<"${PGADMIT_PG_MAJORS:-$dflt}"
read -r -a outside <<<"${PGADMIT_PG_OUTSIDE-$dflt_out}"
[ ${#majors[@]} -gt 0 ] || { t_fail "PGADMIT_PG_MAJORS names no major"; t_finish; }
for m in "${majors[@]}"; do
	if ! bin="$("$ROOT/scripts/get-postgres" --bin "$m" 2>"/tmp/pgadmit-get-postgres.$$")"; then
		t_fail "pg$m: server binaries" "$(cat "/tmp/pgadmit-get-postgres.$$")"
		continue
	fi
	echo "--- PostgreSQL $m ($bin)"
	start=$(date +%s.%N)
	PGADMIT_PG_MAJOR="$m" PGADMIT_PG_BIN="$bin" bash "$ROOT/tests/fixtures/probe/suite.sh" || _t_failed=1
	echo "--- PostgreSQL $m: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
done
for m in "${outside[@]}"; do
	if ! bin="$("$ROOT/scripts/get-postgres" --bin "$m" 2>"/tmp/pgadmit-get-postgres.$$")"; then
		t_fail "pg$m: server binaries" "$(cat "/tmp/pgadmit-get-postgres.$$")"
		continue
	fi
	echo "--- PostgreSQL $m, outside the tested range ($bin)"
	PGADMIT_PG_MAJOR="$m" PGADMIT_PG_BIN="$bin" bash "$ROOT/tests/fixtures/probe/outside.sh" || _t_failed=1
done
rm -f "/tmp/pgadmit-get-postgres.$$"
t_finish
