# pgadmit probe against real PostgreSQL servers of every supported major:
# the whole suite (tests/lib/probe/suite.sh) runs once per major and
# every check line names its major ("pg17: ...").
#
#   PGADMIT_PG_MAJORS   majors to run (default "13 14 15 16 17 18"; under
#                       the sanitizers or valgrind — PGADMIT_SANITIZED=1 or
#                       PGADMIT_SLOW set — default "15" only, to keep CI
#                       time in check: the queries are the same C code)
#   PGADMIT_PG_OUTSIDE  majors outside the tested range, probed once each
#                       to see the note saying so (default "12"; "" under
#                       the sanitizers or valgrind)
#   PGADMIT_PG_JOBS     majors run at once (default 1); each one's output
#                       is printed whole when it ends
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
jobs="${PGADMIT_PG_JOBS:-1}"
[ ${#majors[@]} -gt 0 ] || { t_fail "PGADMIT_PG_MAJORS names no major"; t_finish; }
L="$(mktemp -d /tmp/pgadmit-matrix.XXXXXX)"
trap 'rm -rf "$L"' EXIT

# one MAJOR SCRIPT: fetch (if needed) and run SCRIPT against that major,
# output to $L/MAJOR.log, exit status to $L/MAJOR.rc.
one() {
	local m="$1" script="$2" bin start rc=0
	{
		if ! bin="$("$ROOT/scripts/get-postgres" --bin "$m" 2>"$L/$m.get")"; then
			t_fail "pg$m: server binaries" "$(cat "$L/$m.get")"
			echo 1 >"$L/$m.rc"
			return
		fi
		echo "--- PostgreSQL $m ($bin)"
		start=$(date +%s.%N)
		PGADMIT_PG_MAJOR="$m" PGADMIT_PG_BIN="$bin" bash "$ROOT/tests/lib/probe/$script" || rc=1
		echo "--- PostgreSQL $m: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
		echo "$rc" >"$L/$m.rc"
	} >"$L/$m.log" 2>&1
}

run=()
for m in "${majors[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	one "$m" suite.sh &
	run+=("$m")
done
for m in "${outside[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	one "$m" outside.sh &
	run+=("$m")
done
wait
for m in "${run[@]}"; do
	cat "$L/$m.log"
	[ "$(cat "$L/$m.rc" 2>/dev/null)" = 0 ] || _t_failed=1
done
t_finish
