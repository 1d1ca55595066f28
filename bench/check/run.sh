#!/bin/bash
# make bench (check part): wall time and peak RSS of `pgadmit check` on a
# 4 MB and a 40 MB bundle, beside a bare libyaml event parse of the same file.
# Runs are interleaved (check, bare, check, bare, ...) so that a busy
# machine slows both alike; best of BENCH_RUNS (5), with the spread. CPU
# seconds (user + system, GNU time) are printed too: on a machine shared
# with other work they move far less than wall time.
# Targets (issue 16): check within 2x of the bare parse, peak RSS of the
# 40 MB run under 2x that of the 4 MB run.
set -euo pipefail
BIN="${1:?pgadmit binary}" BARE="${2:?bare_parse binary}" OUT="${3:-build/bench}"
RUNS="${BENCH_RUNS:-5}"
mkdir -p "$OUT"
here="$(dirname "$0")"
for mb in 4 40; do
	f="$OUT/bundle-${mb}mb.yaml"
	[ -s "$f" ] || python3 "$here/gen_bundle.py" $((mb * 1000 * 1000)) "$f" >/dev/null
done
printf '%-7s %7s %8s %13s %8s %13s %7s %6s %6s %7s %8s\n' bundle objects "check s" "(spread)" "bare s" "(spread)" ratio "cpu s" "bare" "cpu x" "RSS MiB"
declare -A rss
for mb in 4 40; do
	f="$OUT/bundle-${mb}mb.yaml"
	checks=() bares=() cpus=() bcpus=() kb=0
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" "$BIN" check -f "$f" --format json >"$OUT/report.json" 2>/dev/null || true
		read -r secs u s k < <(tail -1 "$OUT/time.txt")
		checks+=("$secs") cpus+=("$u+$s")
		[ "$k" -gt "$kb" ] && kb=$k
		bares+=("$(/usr/bin/time -f '%U %S' -o "$OUT/time-bare.txt" "$BARE" "$f" | cut -d' ' -f1)")
		read -r u s < <(tail -1 "$OUT/time-bare.txt")
		bcpus+=("$u+$s")
	done
	rss[$mb]=$kb
	objects=$(python3 -c "import json;print(json.load(open('$OUT/report.json'))['summary']['objects'])")
	python3 - "$mb" "$objects" "$kb" "${checks[*]}" "${bares[*]}" "${cpus[*]}" "${bcpus[*]}" <<'PY'
import sys
mb, objects, kb = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = [float(x) for x in sys.argv[4].split()]
b = [float(x) for x in sys.argv[5].split()]
cc = min(eval(x) for x in sys.argv[6].split())  # "user+sys"
bc = min(eval(x) for x in sys.argv[7].split())
print("%-7s %7s %8.3f %13s %8.3f %13s %6.2fx %6.2f %6.2f %6.2fx %8.1f" % (
    mb + " MB", objects, min(c), "%.3f-%.3f" % (min(c), max(c)), min(b),
    "%.3f-%.3f" % (min(b), max(b)), min(c) / max(min(b), 0.001), cc, bc,
    cc / max(bc, 0.01), kb / 1024))
PY
done
python3 -c "print('peak RSS 40 MB / 4 MB: %.2fx (target < 2x); check / bare parse target <= 2x' % (${rss[40]}/${rss[4]}))"
