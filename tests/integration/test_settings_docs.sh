# The settings tables in the docs are what the binary's settings tables
# render (cmd/pgadmit/<name>_settings.c -> `pgadmit <name> --help-table`),
# and every row's flag and variable is in --help: one table a subcommand
# drives parsing, --help and the docs (serve, check, probe, audit).
source "$(dirname "$0")/lib.sh"
t_tmpdir
cd "$ROOT" || exit 1

# check_docs NAME DOC MIN_ROWS
check_docs() {
	local name=$1 doc=$2 min=$3
	"$PGADMIT" "$name" --help-table >"$T/$name.table.md" 2>&1
	t_eq "$name --help-table: exit 0" 0 $?
	sed -n '/^<!-- settings: generated/,/^<!-- end settings -->/p' "$doc" |
		sed '1d;$d' >"$T/$name.doc.md"
	[ -s "$T/$name.doc.md" ] && t_ok "$doc has the generated settings table" ||
		t_fail "$doc has the generated settings table" "markers missing"
	if diff -u "$T/$name.doc.md" "$T/$name.table.md" >"$T/$name.diff" 2>&1; then
		t_ok "$doc settings = $name --help-table"
	else
		t_fail "$doc settings = $name --help-table" \
			"stale: paste \`pgadmit $name --help-table\` between the markers; $(head -c 1500 "$T/$name.diff")"
	fi
	"$PGADMIT" "$name" --help >"$T/$name.help.txt" 2>&1
	t_eq "$name --help: exit 0" 0 $?
	local rows=0 flag env
	while IFS='|' read -r _ flag env _; do
		flag="$(echo "$flag" | tr -d '` ' | sed 's/^\(--[a-z-]*\).*/\1/')"
		env="$(echo "$env" | tr -d '` ')"
		case "$flag$env" in --*|PGADMIT_*|*_*) ;; *) continue ;; esac
		case "$flag" in flag|---*) continue ;; esac
		rows=$((rows + 1))
		if [ -n "$flag" ] && ! grep -qE -- "(^| )$flag( |$)" "$T/$name.help.txt"; then
			t_fail "$name --help lists $flag" "$(cat "$T/$name.help.txt")"
			continue
		fi
		if [ -n "$env" ] && ! tr -d ' ' <"$T/$name.help.txt" | grep -qF -- "$env"; then
			t_fail "$name --help lists $env" "$(cat "$T/$name.help.txt")"
			continue
		fi
		t_ok "$name --help lists ${flag:-$env}"
	done <"$T/$name.table.md"
	[ "$rows" -ge "$min" ] && t_ok "$name settings table rows ($rows)" ||
		t_fail "$name settings table rows" "only $rows"
}

check_docs serve docs/serve.md 15
check_docs check docs/check.md 7
check_docs probe docs/probe.md 12
check_docs audit docs/audit.md 10

# flag > environment > default on the new tables: PGADMIT_POLICY is read
# through the table, --policy overrides it.
printf 'rules:\n  PGA101: maybe\n' >"$T/bad-policy.yaml"
printf 'rules:\n  PGA101: warn\n' >"$T/good-policy.yaml"
echo 'kind: ConfigMap' | PGADMIT_POLICY="$T/bad-policy.yaml" "$PGADMIT" check -f - >/dev/null 2>"$T/env.err"
t_eq "check: PGADMIT_POLICY read (bad policy: exit 2)" 2 $?
echo 'apiVersion: v1
kind: ConfigMap
metadata: {name: x}' | PGADMIT_POLICY="$T/bad-policy.yaml" "$PGADMIT" check --policy "$T/good-policy.yaml" -f - >/dev/null 2>"$T/flag.err"
t_eq "check: --policy over PGADMIT_POLICY: exit 0" 0 $?
"$PGADMIT" audit --timeout-ms 5 >/dev/null 2>"$T/range.err"
t_eq "audit: --timeout-ms out of range: exit 2" 2 $?
grep -q -- "--timeout-ms: expected a number between 100 and 600000, got '5'" "$T/range.err" &&
	t_ok "audit: range message" || t_fail "audit: range message" "$(cat "$T/range.err")"
"$PGADMIT" probe stray >/dev/null 2>"$T/pos.err"
t_eq "probe: positional argument: exit 2" 2 $?
grep -q "unexpected argument '(hidden)'" "$T/pos.err" && ! grep -q stray "$T/pos.err" &&
	t_ok "probe: positional argument not echoed (may hold a password)" ||
	t_fail "probe: positional argument not echoed" "$(cat "$T/pos.err")"
t_finish
