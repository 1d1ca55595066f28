#!/bin/bash
# Run each fuzz target for $FUZZ_SECONDS on a corpus seeded from the repo's
# fixtures, then print executions and coverage per target. Exit non-zero if
# any target found a crash, a leak or a timeout (the reproducer is kept in
# build/fuzz/artifacts/).
set -uo pipefail
dir="$1"; shift
secs="${FUZZ_SECONDS:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$dir/artifacts"
status=0
summary=""
for t in "$@"; do
	corpus="$dir/corpus/$t"
	mkdir -p "$corpus"
	case "$t" in
	manifest|rules|policy)
		find "$root/tests/fixtures" "$root/examples" -name '*.y*ml' -size -64k \
			-exec cp -t "$corpus" {} + 2>/dev/null ;;
	compose)
		# Compose files (several are called compose.yaml: keep the path)
		grep -rlE '^services:' "$root/tests/fixtures" "$root/examples" 2>/dev/null |
			while read -r f; do
				r="${f#"$root"/}"
				cp "$f" "$corpus/${r//\//_}"
			done ;;
	admission)
		find "$root/tests/fixtures/serve" "$root/bench/serve" -name '*.json' -size -256k \
			-exec cp -t "$corpus" {} + 2>/dev/null ;;
	esac
	[ -d "$root/tests/fuzz/seeds/$t" ] && cp "$root/tests/fuzz/seeds/$t"/* "$corpus"/ 2>/dev/null
	maxlen=65536
	[ "$t" = admission ] && maxlen=262144
	log="$dir/$t.log"
	ASAN_OPTIONS=detect_leaks=1 "$dir/fuzz_$t" -max_total_time="$secs" -max_len=$maxlen \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$t-" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	res=ok
	if [ $rc -ne 0 ]; then res="FAILED (rc $rc, see $log)"; status=1; fi
	summary+=$(printf '%-10s %12s execs  %-22s %s' "$t" "${execs:-?}" "${cov:-?}" "$res")$'\n'
done
echo "fuzz summary (${secs}s per target):"
printf '%s' "$summary"
exit $status
