#!/bin/bash
# make valgrind: the check, serve and probe integration tests with the pgadmit
# binary run under valgrind memcheck (tests/valgrind/memcheck). Fails when a
# test fails or when any memcheck log reports an error (invalid read/write,
# uninitialised value in a decision, definite leak).
#   usage: tests/valgrind/run.sh PGADMIT_BIN LOG_DIR
# PGADMIT_SLOW (default 10) scales the serve tests' time bounds; TESTS
# (a regex) narrows the scripts run.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
real="$(realpath "$1")"
logs="$(realpath -m "$2")"
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps)" >&2; exit 2; }
rm -rf "$logs"
mkdir -p "$logs"
export PGADMIT_VG_REAL="$real" PGADMIT_VG_LOGS="$logs"
export PGADMIT_SLOW="${PGADMIT_SLOW:-10}"
t0=$(date +%s)
PGADMIT_BIN="$here/memcheck" UNIT_DIR=/nonexistent \
	TESTS="${TESTS:-^(test_check_cli|test_rules_fixtures_cli|test_serve_.*|test_probe)$}" "$root/tests/run.sh"
status=$?
t1=$(date +%s)
runs=$(find "$logs" -name 'vg.*.log' | wc -l)
# A process killed with SIGKILL writes no summary; count those apart.
summaries=$(grep -l 'ERROR SUMMARY:' "$logs"/vg.*.log 2>/dev/null | wc -l)
bad=$(grep -l 'ERROR SUMMARY: [1-9]' "$logs"/vg.*.log 2>/dev/null)
echo "valgrind: $runs pgadmit processes under memcheck ($summaries with a summary), $(( t1 - t0 )) s, logs in $logs"
if [ -n "$bad" ]; then
	echo "valgrind: memcheck errors in:"
	for f in $bad; do
		echo "--- $f: $(grep -m1 'Command:' "$f" | sed 's/.*Command: //')"
		grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|.*definitely lost|   (at|by) )' "$f" | head -40
	done
	status=1
else
	echo "valgrind: no memcheck error in any log"
fi
exit $status
