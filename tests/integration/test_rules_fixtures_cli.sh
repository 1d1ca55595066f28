# The rule fixtures through the real binary: every fires/ file gives exit 1
# (deny rules) or findings of its rule, quiet/ files none of their rule, and
# no fixture secret (# secret: lines) appears in any output format.
source tests/integration/lib.sh
t_tmpdir

# The rules with fixtures: every tests/fixtures/PGA*/ folder (a new rule is
# a new folder, nothing here lists the rules).
rule_dirs=()
for d in "$FIX"/PGA*/; do
	[ -d "$d/fires" ] && rule_dirs+=("${d%/}")
done
[ "${#rule_dirs[@]}" -ge 4 ] && t_ok "fixture folders found (${#rule_dirs[@]})" || t_fail "fixture folders" "only ${#rule_dirs[@]}"
check_all=() fires=() quiet=()
for d in "${rule_dirs[@]}"; do
	check_all+=(-f "$d")
	fires+=("$d"/fires/*.yaml)
	quiet+=("$d"/quiet/*.yaml)
done

# Collect the fixture secrets.
grep -h '^# secret:' "${fires[@]}" | sed 's/^# secret: *//' >"$T/secrets"
n_secrets=$(wc -l <"$T/secrets")
[ "$n_secrets" -ge 10 ] && t_ok "fixtures declare secrets ($n_secrets)" || t_fail "fixture secrets" "only $n_secrets"

for fmt in text json sarif; do
	timeout 60 "$PGADMIT" check "${check_all[@]}" \
		--format $fmt --no-color >"$T/out.$fmt" 2>&1
	rc=$?
	t_eq "all fixtures ($fmt): exit 1" 1 $rc
	leaked=""
	while IFS= read -r s; do
		[ -n "$s" ] && grep -qF -- "$s" "$T/out.$fmt" && leaked="$leaked $s"
	done <"$T/secrets"
	[ -z "$leaked" ] && t_ok "no secret in $fmt output" || t_fail "no secret in $fmt output" "leaked:$leaked"
done

# Per file: fires/ has a finding of its rule at the expected first path,
# quiet/ has none of its rule.
for f in "${fires[@]}" "${quiet[@]}"; do
	rule=$(basename "$(dirname "$(dirname "$f")")")
	kind=$(basename "$(dirname "$f")")
	out=$(timeout 20 "$PGADMIT" check -f "$f" --format json --fail-on never 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		t_fail "$rule/$kind/$(basename "$f")" "exit $rc: $out"
		continue
	fi
	n=$(printf '%s' "$out" | jt count "$rule" 2>/dev/null)
	want=$(grep -c "^# expect: $rule " "$f")
	if [ "$kind" = quiet ]; then want=0; fi
	t_eq "$rule/$kind/$(basename "$f"): $want findings" "$want" "$n"
done

# PGA103 over a bundle of several files: the CronJob in another file counts,
# in either order; in another namespace it does not.
cat >"$T/sts.yaml" <<'Y'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg, namespace: data}
spec:
  template:
    spec:
      containers: [{name: pg, image: "postgres:16"}]
Y
cat >"$T/cj.yaml" <<'Y'
apiVersion: batch/v1
kind: CronJob
metadata: {name: dump, namespace: data}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: d, image: "alpine", command: ["pg_dump", "-h", "pg"]}]
Y
sed 's/namespace: data/namespace: other/' "$T/cj.yaml" >"$T/cj-other.yaml"
count103() {
	timeout 20 "$PGADMIT" check "$@" --format json --fail-on never 2>/dev/null |
		jt count PGA103
}
t_eq "PGA103: workload alone" 1 "$(count103 -f "$T/sts.yaml")"
t_eq "PGA103: CronJob in a later file" 0 "$(count103 -f "$T/sts.yaml" -f "$T/cj.yaml")"
t_eq "PGA103: CronJob in an earlier file" 0 "$(count103 -f "$T/cj.yaml" -f "$T/sts.yaml")"
t_eq "PGA103: CronJob in another namespace" 1 "$(count103 -f "$T/sts.yaml" -f "$T/cj-other.yaml")"
t_finish
