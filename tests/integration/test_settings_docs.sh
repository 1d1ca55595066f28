# The settings tables in the docs are what the binary's settings table
# renders (cmd/pgadmit/serve_settings.c -> `pgadmit serve --help-table`), and
# every row's flag and variable is in --help: one table drives parsing,
# --help and the docs.
source "$(dirname "$0")/lib.sh"
t_tmpdir
cd "$ROOT" || exit 1

"$PGADMIT" serve --help-table >"$T/table.md" 2>&1
t_eq "serve --help-table: exit 0" 0 $?
sed -n '/^<!-- settings: generated/,/^<!-- end settings -->/p' docs/serve.md |
	sed '1d;$d' >"$T/doc.md"
[ -s "$T/doc.md" ] && t_ok "docs/serve.md has the generated settings table" ||
	t_fail "docs/serve.md has the generated settings table" "markers missing"
if diff -u "$T/doc.md" "$T/table.md" >"$T/diff" 2>&1; then
	t_ok "docs/serve.md settings = serve --help-table"
else
	t_fail "docs/serve.md settings = serve --help-table" \
		"stale: paste \`pgadmit serve --help-table\` between the markers; $(head -c 1500 "$T/diff")"
fi

"$PGADMIT" serve --help >"$T/help.txt" 2>&1
t_eq "serve --help: exit 0" 0 $?
rows=0
while IFS='|' read -r _ flag env _; do
	flag="$(echo "$flag" | tr -d '` ' | sed 's/^\(--[a-z-]*\).*/\1/')"
	env="$(echo "$env" | tr -d '` ')"
	case "$env" in PGADMIT_*) ;; *) continue ;; esac
	rows=$((rows + 1))
	if [ -n "$flag" ] && ! grep -qF -- "$flag " "$T/help.txt"; then
		t_fail "--help lists $flag" "$(cat "$T/help.txt")"
		continue
	fi
	grep -qF -- "$env" "$T/help.txt" && t_ok "--help lists ${flag:-$env}" ||
		t_fail "--help lists $env" "$(cat "$T/help.txt")"
done <"$T/table.md"
[ "$rows" -ge 15 ] && t_ok "settings table rows ($rows)" || t_fail "settings table rows" "only $rows"
t_finish
