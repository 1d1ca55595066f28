# Sourced by integration scripts. Assertions record to $PGADMIT_TEST_RESULTS
# so tests/run.sh can total them; each script exits non-zero if any failed.
# Use: t_ok NAME / t_fail NAME WHY / t_check NAME CMD... / t_finish
: "${PGADMIT_BIN:?}"
PGADMIT="$PGADMIT_BIN"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIX="$ROOT/tests/fixtures"
# jt CMD ARGS...: tests/lib/jsontool.py (read JSON reports; see its header)
jt() { python3 "$ROOT/tests/lib/jsontool.py" "$@"; }
_t_failed=0
_t_script="$(basename "$0" .sh)"
t_ok() {
	echo "  ok   $1"
	[ -n "${PGADMIT_TEST_RESULTS:-}" ] && echo "pass $_t_script:$1" >>"$PGADMIT_TEST_RESULTS"
	return 0
}
t_fail() {
	echo "  FAIL $1: ${2:-}"
	[ -n "${PGADMIT_TEST_RESULTS:-}" ] && echo "fail $_t_script:$1" >>"$PGADMIT_TEST_RESULTS"
	_t_failed=1
	return 0
}
# t_check NAME command...: passes when the command exits 0
t_check() {
	local name="$1"; shift
	if "$@" >/dev/null 2>&1; then t_ok "$name"; else t_fail "$name" "command failed: $*"; fi
}
# t_eq NAME EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "expected '$2', got '$3'"; fi
}
t_finish() { exit $_t_failed; }
# A scratch directory removed on exit (even on failure).
t_tmpdir() {
	T="$(mktemp -d /tmp/pgadmit-test.XXXXXX)"
	chmod 755 "$T"
	trap 't_cleanup' EXIT
}
_t_cleanup_hooks=()
t_on_exit() { _t_cleanup_hooks+=("$1"); }
t_cleanup() {
	local h
	for h in "${_t_cleanup_hooks[@]}"; do eval "$h" || true; done
	[ -n "${T:-}" ] && rm -rf "$T"
}
