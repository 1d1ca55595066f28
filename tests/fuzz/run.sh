#!/bin/bash
# Run each fuzz target for $FUZZ_SECONDS, starting from the corpus kept in
# the repository (tests/fuzz/corpus/<target>, minimised) plus seeds from the
# fixtures, with the target's dictionary (tests/fuzz/dict). Prints
# executions and coverage per target; exit non-zero if any target found a
# crash, a leak or a timeout (the reproducer is kept in <dir>/artifacts/).
#   FUZZ_SECONDS=N    time per target (default 60)
#   FUZZ_ASAN_OPTIONS replaces the ASan options below
#   FUZZ_MERGE=1      afterwards merge new coverage back into the
#                     repository's corpus (-merge=1: minimal, size-capped)
#                     and add the run to tests/fuzz/totals.tsv
set -uo pipefail
dir="$1"; shift
secs="${FUZZ_SECONDS:-60}"
merge="${FUZZ_MERGE:-0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
totals="$root/tests/fuzz/totals.tsv"
mkdir -p "$dir/artifacts"
# malloc_context_size=2: ASan records two frames of each allocation's stack
# instead of 30. Leaks and memory errors are found the same (1 or 0 frames
# would hide leaks from LeakSanitizer); only the allocation stack printed
# with a report is shorter: replay the reproducer (test_regressions, or the
# target with ASAN_OPTIONS unset) for the whole stack. It makes allocation-
# heavy targets faster: fuzz_policy 3.8k -> 5.8k executions a second.
asan_options="${FUZZ_ASAN_OPTIONS:-detect_leaks=1:malloc_context_size=2}"
status=0
summary=""

dict_of() {
	case "$1" in
	manifest|rules|compose|policy|policy_reload) echo yaml ;;
	admission|kubelist) echo admission ;;
	connstr|redact) echo connstr ;;
	probe|hba) echo hba ;;
	esac
}
maxlen_of() {
	case "$1" in
	admission) echo 262144 ;;
	kubelist) echo 131072 ;;
	redact|connstr|hba|probe) echo 4096 ;;
	*) echo 65536 ;;
	esac
}

for t in "$@"; do
	corpus="$dir/corpus/$t"
	kept="$root/tests/fuzz/corpus/$t"
	mkdir -p "$corpus" "$kept"
	case "$t" in
	manifest|rules|policy|policy_reload)
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
	cp "$kept"/* "$corpus"/ 2>/dev/null
	maxlen=$(maxlen_of "$t")
	dict=""
	d="$(dict_of "$t")"
	[ -n "$d" ] && [ -f "$root/tests/fuzz/dict/$d.dict" ] && dict="-dict=$root/tests/fuzz/dict/$d.dict"
	log="$dir/$t.log"
	ASAN_OPTIONS="$asan_options" "$dir/fuzz_$t" -max_total_time="$secs" -max_len=$maxlen \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $dict \
		-artifact_prefix="$dir/artifacts/$t-" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	res=ok
	if [ $rc -ne 0 ]; then res="FAILED (rc $rc, see $log)"; status=1; fi
	# A fuzzer that never started (a shared library missing while packages
	# were being reinstalled gave rc 127) ran nothing and found nothing:
	# not a run for the totals.
	if ! grep -q '^INFO: Seed:' "$log"; then
		summary+=$(printf '%-14s did not start (rc %s): %s' "$t" "$rc" "$(head -c 200 "$log")")$'\n'
		continue
	fi
	if [ "$merge" = 1 ]; then
		merged=0
		if [ $rc -eq 0 ]; then
			# Minimal corpus: what the kept corpus lacks, from this run.
			new="$dir/merge-$t"
			rm -rf "$new" && mkdir -p "$new"
			cp "$kept"/* "$new"/ 2>/dev/null
			ASAN_OPTIONS="$asan_options" "$dir/fuzz_$t" -merge=1 -max_len=$maxlen $dict "$new" "$corpus" >"$dir/$t.merge.log" 2>&1 &&
				merged=1
		fi
		# A run that found something still counts its executions, and
		# the finding (crash, leak, timeout) is counted.
		[ -z "$execs" ] && execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
		c=${cov#cov: }; c=${c%% *}; f=${cov##* }
		# One lock over the kept corpora and the totals: campaigns of
		# different targets may run side by side, and whoever commits
		# can take it (flock build/fuzz/.merge.lock git commit ...).
		exec 9>"$dir/.merge.lock"
		flock 9
		if [ $merged = 1 ]; then
			rm -f "$kept"/* && cp "$new"/* "$kept"/ 2>/dev/null
			# Size cap: the largest files go first past 1 MiB of content.
			while [ "$(du -sk --apparent-size "$kept" | cut -f1)" -gt 1024 ]; do
				rm -f "$(ls -S "$kept" | head -1 | sed "s|^|$kept/|")"
			done
		fi
		python3 - "$totals" "$t" "${execs:-0}" "$secs" "${c:-0}" "${f:-0}" "$rc" <<'PY'
import sys, os
path, t, ex, secs, cov, ft = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
found = 1 if sys.argv[7] != "0" else 0
rows = {}
head = "target\texecutions\tseconds\truns\tcoverage\tfeatures\tfindings"
if os.path.exists(path):
    for line in open(path).read().splitlines()[1:]:
        p = line.split("\t")
        rows[p[0]] = p
r = rows.get(t, [t, "0", "0", "0", "0", "0", "0"])
r[1] = str(int(r[1]) + ex); r[2] = str(int(r[2]) + secs); r[3] = str(int(r[3]) + 1)
r[4] = cov; r[5] = ft; r[6] = str(int(r[6]) + found)
rows[t] = r
with open(path, "w") as f:
    f.write(head + "\n")
    for k in sorted(rows):
        f.write("\t".join(rows[k]) + "\n")
PY
		exec 9>&-
	fi
	summary+=$(printf '%-14s %12s execs  %-22s %s' "$t" "${execs:-?}" "${cov:-?}" "$res")$'\n'
done
echo "fuzz summary (${secs}s per target):"
printf '%s' "$summary"
[ "$merge" = 1 ] && { echo "running totals (tests/fuzz/totals.tsv):"; column -t -s$'\t' "$totals"; }
exit $status
