#!/bin/bash
# make bench (check part): wall time and peak RSS of `pgadmit check` on a
# 4 MB and a 40 MB bundle, beside a bare libyaml event parse of the same file.
set -euo pipefail
BIN="${1:?pgadmit binary}" BARE="${2:?bare_parse binary}" OUT="${3:-build/bench}"
mkdir -p "$OUT"
here="$(dirname "$0")"
for mb in 4 40; do
	f="$OUT/bundle-${mb}mb.yaml"
	[ -s "$f" ] || python3 "$here/gen_bundle.py" $((mb * 1000 * 1000)) "$f" >/dev/null
done
printf '%-10s %10s %12s %12s %14s %8s\n' bundle objects "check s" "bare s" "check RSS MiB" ratio
declare -A rss
for mb in 4 40; do
	f="$OUT/bundle-${mb}mb.yaml"
	best_check=999; best_bare=999
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$BIN" check -f "$f" --format json >"$OUT/report.json" 2>/dev/null || true
		read -r secs kb < <(tail -1 "$OUT/time.txt")
		best_check=$(python3 -c "print(min($best_check, $secs))")
		rss[$mb]=$kb
		bare=$("$BARE" "$f" | cut -d' ' -f1)
		best_bare=$(python3 -c "print(min($best_bare, $bare))")
	done
	objects=$(python3 -c "import json;print(json.load(open('$OUT/report.json'))['summary']['objects'])")
	printf '%-10s %10s %12.3f %12.3f %14.1f %8.2f\n' "${mb} MB" "$objects" "$best_check" "$best_bare" \
		"$(python3 -c "print(${rss[$mb]}/1024)")" "$(python3 -c "print($best_check/max($best_bare,0.001))")"
done
python3 -c "print('peak RSS 40 MB / 4 MB: %.2fx (target < 2x); check / bare parse target < 3x' % (${rss[40]}/${rss[4]}))"
