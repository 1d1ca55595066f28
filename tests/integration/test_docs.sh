# Documentation tests: docs/rules/ is exactly what the binary generates from
# the rule catalog (no stale, missing or hand-edited page), every catalog
# rule has a page, `pgadmit rules` / `pgadmit explain` / SARIF help agree,
# the README fits on a screen, and no relative markdown link (file or
# #anchor) in README.md, SECURITY.md, CHANGELOG.md or docs/**/*.md is dead,
# and the README's check/rules/explain/certgen examples print what they show.
source "$(dirname "$0")/lib.sh"
t_tmpdir
cd "$ROOT" || exit 1

# --- docs/rules/ is generated --------------------------------------------
"$PGADMIT" explain --write-docs "$T/rules" >"$T/gen.out" 2>&1
t_eq "explain --write-docs: exit 0" 0 $?
if diff -ru docs/rules "$T/rules" >"$T/rules.diff" 2>&1; then
	t_ok "docs/rules/ matches the catalog"
else
	t_fail "docs/rules/ matches the catalog" \
		"stale: run make docs-rules and commit; $(head -c 2000 "$T/rules.diff")"
fi

"$PGADMIT" rules --format json >"$T/rules.json" 2>"$T/rules.err"
t_eq "rules --format json: exit 0" 0 $?
ids="$(jt rule-ids "$T/rules.json" 2>/dev/null | paste -sd " ")"
[ -n "$ids" ] && t_ok "rules --format json: parses" || t_fail "rules --format json: parses" "$(cat "$T/rules.err")"
n=0
for id in $ids; do
	n=$((n + 1))
	if [ -s "docs/rules/$id.md" ] && grep -q "^# $id " "docs/rules/$id.md"; then
		t_ok "docs/rules/$id.md exists"
	else
		t_fail "docs/rules/$id.md exists" "catalog rule without a page"
	fi
	grep -q "($id.md)" docs/rules/README.md && t_ok "docs/rules/README.md lists $id" ||
		t_fail "docs/rules/README.md lists $id"
done
[ "$n" -ge 21 ] && t_ok "catalog has every implemented rule ($n)" || t_fail "catalog has every implemented rule" "$n"
# every page is a catalog rule (no leftovers of a removed rule)
extra=""
for f in docs/rules/*.md; do
	id="$(basename "$f" .md)"
	case " README $ids " in
	*" $id "*) ;;
	*) extra="$extra $f" ;;
	esac
done
[ -z "$extra" ] && t_ok "docs/rules: no page without a rule" ||
	t_fail "docs/rules: no page without a rule" "$extra"

# rules text: header + one line per rule, with scope and default
"$PGADMIT" rules >"$T/rules.txt" 2>&1
t_eq "rules: exit 0" 0 $?
t_eq "rules: one line per rule" "$((n + 1))" "$(wc -l <"$T/rules.txt")"
grep -q '^PGA101  postgres-port-exposed .* webhook, check, audit .* deny ' "$T/rules.txt" &&
	t_ok "rules: PGA101 line" || t_fail "rules: PGA101 line" "$(head -3 "$T/rules.txt")"
grep -q '^PGA212  index-unused .* probe .* warn ' "$T/rules.txt" &&
	t_ok "rules: PGA212 line" || t_fail "rules: PGA212 line"
"$PGADMIT" rules --format markdown >"$T/rules.md" 2>&1
cmp -s "$T/rules.md" docs/rules/README.md && t_ok "rules --format markdown = docs/rules/README.md" ||
	t_fail "rules --format markdown = docs/rules/README.md"
"$PGADMIT" rules --format yaml >/dev/null 2>&1
t_eq "rules --format yaml: usage error" 2 $?

# --- explain ---------------------------------------------------------------
"$PGADMIT" explain PGA101 >"$T/e1" 2>&1
t_eq "explain PGA101: exit 0" 0 $?
"$PGADMIT" explain pga101 >"$T/e2" 2>&1
"$PGADMIT" explain Postgres-Port-Exposed >"$T/e3" 2>&1
cmp -s "$T/e1" "$T/e2" && cmp -s "$T/e1" "$T/e3" &&
	t_ok "explain: id or slug, any case, same page" || t_fail "explain: id or slug, any case, same page"
for h in "Fires on:" "Does not fire on:" "Fix:" "Opt out:" "scope: webhook, check, audit; default action: deny"; do
	grep -qF "$h" "$T/e1" && t_ok "explain PGA101: $h" || t_fail "explain PGA101: $h"
done
"$PGADMIT" explain postgres-backup-misisng >"$T/u.out" 2>"$T/u.err"
t_eq "explain unknown: exit 2" 2 $?
grep -q "unknown rule 'postgres-backup-misisng'; did you mean PGA103 (postgres-backup-missing)" "$T/u.err" &&
	t_ok "explain unknown: suggests PGA103" || t_fail "explain unknown: suggests PGA103" "$(cat "$T/u.err")"
[ ! -s "$T/u.out" ] && t_ok "explain unknown: nothing on stdout" || t_fail "explain unknown: nothing on stdout"
"$PGADMIT" explain annotation-not-understood >/dev/null 2>"$T/anu.err"
t_eq "explain annotation-not-understood: exit 2" 2 $?
grep -q "is not a rule" "$T/anu.err" && t_ok "explain annotation-not-understood: says what it is" ||
	t_fail "explain annotation-not-understood: says what it is" "$(cat "$T/anu.err")"
"$PGADMIT" explain PGA107 >/dev/null 2>&1
t_eq "explain PGA107 (no such rule): exit 2" 2 $?
"$PGADMIT" explain >/dev/null 2>&1
t_eq "explain without a rule: exit 2" 2 $?
"$PGADMIT" explain --all >"$T/all.txt" 2>&1
t_eq "explain --all: exit 0" 0 $?
t_eq "explain --all: every rule" "$n" "$(grep -c '^PGA[0-9]* [a-z0-9-]*: ' "$T/all.txt")"
"$PGADMIT" explain --format markdown PGA212 >"$T/212.md" 2>&1
cmp -s "$T/212.md" docs/rules/PGA212.md && t_ok "explain --format markdown = docs/rules page" ||
	t_fail "explain --format markdown = docs/rules page"
"$PGADMIT" explain --format json hba-trust >"$T/252.json" 2>&1
[ "$(jt pick "$T/252.json" rules.0.id rules.0.scope rules.0.default 2>"$T/252.err")" = 'PGA252 ["probe"] deny' ] &&
	jt truthy "$T/252.json" rules.0.fires_on rules.0.does_not_fire_on rules.0.fix rules.0.opt_out 2>>"$T/252.err" &&
	t_ok "explain --format json: every field" || t_fail "explain --format json: every field" "$(cat "$T/252.err")"
"$PGADMIT" help rules | grep -q -- "--format text|json|markdown" && t_ok "help rules" || t_fail "help rules"
"$PGADMIT" help explain | grep -q -- "--write-docs" && t_ok "help explain" || t_fail "help explain"
"$PGADMIT" help | grep -q "^  explain " && t_ok "help lists explain" || t_fail "help lists explain"

# --- SARIF help is the explain text ------------------------------------------
"$PGADMIT" check -f "$ROOT/examples" --format sarif >"$T/out.sarif" 2>/dev/null
for id in PGA101 PGA102 PGA103 PGA104; do
	"$PGADMIT" explain "$id" >"$T/$id.txt" 2>/dev/null
	jt sarif-help "$id" "$T/out.sarif" >"$T/$id.help" 2>"$T/sarif.err"
	if [ $? -eq 0 ] && cmp "$T/$id.help" "$T/$id.txt" >>"$T/sarif.err" 2>&1; then
		t_ok "SARIF help of $id = explain $id"
	else
		t_fail "SARIF help of $id = explain $id" "$(tail -2 "$T/sarif.err")"
	fi
done

# --- README size --------------------------------------------------------------
lines="$(wc -l <README.md)"
[ "$lines" -le 250 ] && t_ok "README.md is at most 250 lines ($lines)" ||
	t_fail "README.md is at most 250 lines" "$lines lines"

# --- the examples are what the binary prints ---------------------------------
# Every "$ pgadmit check|rules|explain|certgen ..." line of a console block
# in README.md and docs/*.md on files of the repository is run (from the repository root; certgen in a scratch
# directory) and its output compared with the lines shown up to the next
# "$" line; a line "…" means "the rest is left out". serve and probe need a
# server and are covered by their own tests.
python3 - "$PGADMIT" "$T" <<'PY' >"$T/examples.out" 2>&1
import re, shlex, subprocess, sys, os
binary, tmp = sys.argv[1], sys.argv[2]
import glob
blocks = []
for f in ["README.md"] + sorted(glob.glob("docs/*.md")):
    cur = None
    for l in open(f, encoding="utf-8").read().split("\n"):
        if l.startswith("```console"):
            cur = []
        elif l.startswith("```") and cur is not None:
            blocks.append((f, cur)); cur = None
        elif cur is not None:
            cur.append(l)
def runnable(args):
    # an example on a file that is not in the repository is illustrative
    return all(os.path.exists(a) for a in args[1:]
               if not a.startswith("-") and ("/" in a or re.search(r"\.(ya?ml|json)$", a)))
for f, b in blocks:
    i = 0
    while i < len(b):
        m = re.match(r"^\$ pgadmit (check|rules|explain|certgen)\b(.*)$", b[i])
        if not m:
            i += 1
            continue
        args = shlex.split(m.group(1) + m.group(2), comments=True)
        j = i + 1
        expect = []
        while j < len(b) and not b[j].startswith("$ "):
            expect.append(b[j]); j += 1
        if not runnable(args):
            i = j
            continue
        cwd = None
        if args[0] == "certgen":
            cwd = os.path.join(tmp, "certgen-example-%d" % len(os.listdir(tmp)))
            os.makedirs(cwd)
        r = subprocess.run([binary] + args, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        got = r.stdout.rstrip("\n").split("\n")
        cut = [k for k, l in enumerate(expect) if l.strip() == "…"]
        if cut:
            expect = expect[:cut[0]]
            ok = got[:len(expect)] == expect
        else:
            ok = got == expect
        name = f + ": " + " ".join(args)[:50]
        print(("ok\t" if ok else "FAIL\t") + name + ("" if ok else "\t" + repr(got[:len(expect) + 1])))
        i = j
PY
n_ex=0
while IFS=$'\t' read -r st name why; do
	case "$st" in
	ok) t_ok "example in $name"; n_ex=$((n_ex + 1)) ;;
	FAIL) t_fail "example in $name" "$why" ;;
	esac
done <"$T/examples.out"
[ "$n_ex" -ge 6 ] && t_ok "README and docs examples run ($n_ex)" || t_fail "README and docs examples run" "$n_ex: $(tail -3 "$T/examples.out")"

# --- links ----------------------------------------------------------------------
# Every relative link [text](target) outside code: the file exists, and a
# #fragment names a heading of the target (GitHub's anchor rules).
python3 - "$T/links.out" <<'PY' >"$T/links.log" 2>&1
import os, re, sys, glob
files = ["README.md", "SECURITY.md", "CHANGELOG.md"] + sorted(
    glob.glob("docs/**/*.md", recursive=True))
link_re = re.compile(r'(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
def anchors(path):
    out, seen, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
            continue
        m = None if fence else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        a = m.group(1).strip().lower()
        a = re.sub(r"[^\w\- ]", "", a).replace(" ", "-")
        k = seen.get(a, 0)
        seen[a] = k + 1
        out.add(a if k == 0 else "%s-%d" % (a, k))
    return out
res = []
for f in files:
    if not os.path.exists(f):
        res.append((f, "missing", "the file itself"))
        continue
    bad, n, fence, kept = [], 0, False, []
    # code blocks and inline code blanked; a link may span lines
    for line in open(f, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
            kept.append("\n")
            continue
        kept.append("\n" if fence else re.sub(r"`[^`]*`", "", line))
    text = "".join(kept)
    for m in link_re.finditer(text):
        target = m.group(1)
        ln = text.count("\n", 0, m.start()) + 1
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # http:, https:, mailto:
        n += 1
        path, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(dest):
            bad.append("%s:%d: %s (no such file)" % (f, ln, target))
        elif frag and dest.endswith(".md") and frag not in anchors(dest):
            bad.append("%s:%d: %s (no heading #%s)" % (f, ln, target, frag))
    res.append((f, "dead" if bad else "ok", "%d links" % n if not bad else "; ".join(bad)))
with open(sys.argv[1], "w") as o:
    for f, st, why in res:
        o.write("%s\t%s\t%s\n" % (st, f, why))
PY
[ -s "$T/links.out" ] && t_ok "link checker ran" || t_fail "link checker ran" "$(cat "$T/links.log")"
while IFS=$'\t' read -r st f why; do
	[ "$st" = ok ] && t_ok "links in $f ($why)" || t_fail "links in $f" "$why"
done <"$T/links.out"
# the pages the README must reach
for p in docs/check.md docs/policy.md docs/serve.md docs/install.md docs/probe.md \
	docs/benchmarks.md docs/development.md docs/hardening.md docs/decisions.md \
	docs/manifest.md docs/rules/README.md SECURITY.md CHANGELOG.md; do
	grep -qF "]($p" README.md && t_ok "README links $p" || t_fail "README links $p"
done
t_finish
