#!/bin/bash
# Test driver: runs every CUnit binary in $UNIT_DIR and every integration
# script tests/integration/test_*.sh, then prints one closing line
# "tests: N passed, N failed". Exit 0 only if nothing failed.
#   --unit-only        skip integration scripts
#   TESTS=regex        only run tests whose name matches
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${UNIT_DIR:?UNIT_DIR not set}" "${PGADMIT_BIN:?PGADMIT_BIN not set}"
export PGADMIT_BIN UNIT_DIR
export PGADMIT_TEST_ROOT="$here"
unit_only=0
[ "${1:-}" = "--unit-only" ] && unit_only=1
results="$(mktemp)"
export PGADMIT_TEST_RESULTS="$results"
trap 'rm -f "$results"' EXIT
filter="${TESTS:-.}"
status=0

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	name="$(basename "$t")"
	echo "$name" | grep -Eq -- "$filter" || continue
	echo "=== unit $name"
	if ! (cd "$here/.." && "$t"); then
		echo "FAIL: $name exited non-zero"
		echo "fail $name:exit" >>"$results"
		status=1
	fi
done

if [ $unit_only -eq 0 ]; then
	for s in "$here"/integration/test_*.sh; do
		[ -f "$s" ] || continue
		name="$(basename "$s" .sh)"
		echo "$name" | grep -Eq -- "$filter" || continue
		echo "=== integration $name"
		if ! (cd "$here/.." && bash "$s"); then
			echo "FAIL: $name exited non-zero"
			echo "fail $name:exit" >>"$results"
			status=1
		fi
	done
fi

passed=$(grep -c '^pass ' "$results" || true)
failed=$(grep -c '^fail ' "$results" || true)
if [ "$failed" -gt 0 ]; then
	echo "--- failures:"
	grep '^fail ' "$results" | sed 's/^fail /  /'
	status=1
fi
if [ "$passed" -eq 0 ]; then
	echo "no test ran"
	status=1
fi
echo "tests: $passed passed, $failed failed"
exit $status
