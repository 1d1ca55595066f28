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
pybin=""
trap 'rm -f "$results"; [ -n "$pybin" ] && rm -rf "$pybin"' EXIT
# The scripts call python3 hundreds of times; a version-manager shim (pyenv)
# costs about half a second a call. Put the interpreter it resolves to
# first on PATH.
real_py="$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)"
if [ -n "$real_py" ] && [ -x "$real_py" ] && [ "$real_py" != "$(command -v python3)" ]; then
	pybin="$(mktemp -d)"
	ln -s "$real_py" "$pybin/python3"
	export PATH="$pybin:$PATH"
fi
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
