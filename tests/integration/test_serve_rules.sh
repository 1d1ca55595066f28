# pgadmit serve end to end, rule by rule: deny, warn, annotate, opt-out and
# allow through POST /validate and POST /mutate of the real server over TLS;
# the JSONPatch is applied to the object (tests/fixtures/serve/review.py) and
# a second round on the patched object gives no patch.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fixtures/serve/serve_lib.sh"
t_tmpdir
CERTS="$T/certs"
sv_certs "$CERTS" 0A || { t_fail "make certificates" "openssl failed"; t_finish; }
# JSON is YAML too
echo '{"rules": {"PGA104": "annotate"}}' >"$T/annotate.yaml"

run_cases() { # $1 = policy label, rest: server args
	local label="$1"; shift
	if ! sv_start "serve-$label" --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" "$@"; then
		t_fail "$label: server starts" "$(cat "$SV_LOG")"
		return
	fi
	t_ok "$label: server starts"
	python3 - "$SV_PORT" "$CERTS/ca.crt" "$ROOT/tests/fixtures/serve" "$label" >"$T/$label.out" 2>&1 <<'PY'
import json, sys
sys.path.insert(0, sys.argv[3])
from review import wrap, post, apply_patch, patch_of
port, ca, fix, label = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
SECRETS = ["Tr0ub4dor-serve", "w0rker-serve"]
ok = True
def check(name, cond, detail=""):
    global ok
    print(("  ok   " if cond else "  FAIL ") + label + ": " + name + ("" if cond else ": " + str(detail)))
    ok = ok and cond

ANN = "pgadmit.dev/findings"
# object, allowed, deny [(rule, path)], warn rules, annotation [(rule, path)]
P102 = "spec.template.spec.containers[0].env[1].value"
cases = [
    ("svc-nodeport", False, [("PGA101", "spec.ports[1].port")], [], [("PGA101", "spec.ports[1].port")]),
    ("svc-clusterip", True, [], [], []),
    ("deploy-inline-password", False, [("PGA102", P102)], [], [("PGA102", P102)]),
    ("deploy-secretref", True, [], [], []),
    ("sts-postgres", True, [], ["PGA103"], [("PGA103", "metadata.name")]),
    ("sts-postgres-backup-elsewhere", True, [], [], []),
    ("cm-sslmode-disable", True, [], [] if label == "annotate" else ["PGA104"], [("PGA104", "data.DATABASE_URL")]),
    ("cm-clean", True, [], [], []),
    ("deploy-optout", True, [], [], [("PGA102", 'metadata.annotations["pgadmit.dev/ignore-postgres-credentials-inline"]')]),
    ("cronjob-backup", True, [], [], []),
]
for n, (name, allowed, deny, warn, annot) in enumerate(cases):
    obj = json.load(open(f"{fix}/objects/{name}.json"))
    uid = f"{label}-{name}-{n}"
    st, body = post(port, ca, "/validate", wrap(obj, uid=uid))
    check(f"{name} /validate 200", st == 200, st)
    r = json.loads(body)["response"]
    check(f"{name} uid echoed", r["uid"] == uid, r.get("uid"))
    check(f"{name} allowed={allowed}", r["allowed"] is allowed, r)
    for s in SECRETS:
        check(f"{name} no secret in answer", s not in body.decode(), s)
    if deny:
        stat = r.get("status", {})
        check(f"{name} status 403", stat.get("code") == 403, stat)
        for rule, path in deny:
            check(f"{name} message names {rule} at {path}",
                  rule in stat.get("message", "") and path in stat.get("message", ""), stat)
    else:
        check(f"{name} no status", "status" not in r, r)
    got_warn = sorted({w.split(" ")[0] for w in r.get("warnings", [])})
    check(f"{name} warnings {warn}", got_warn == sorted(warn), r.get("warnings"))
    check(f"{name} warnings < 120 chars", all(len(w) < 120 for w in r.get("warnings", [])))
    aa = r.get("auditAnnotations", {})
    check(f"{name} audit annotations", sorted(aa) == sorted({a for a, _ in annot}), aa)

    # dryRun: the same answer
    st2, body2 = post(port, ca, "/validate", wrap(obj, uid=uid, dry_run=True))
    check(f"{name} dryRun same answer", st2 == 200 and body2 == body)

    # /mutate
    st, body = post(port, ca, "/mutate", wrap(obj, uid=uid))
    m = json.loads(body)
    check(f"{name} /mutate allowed", st == 200 and m["response"]["allowed"] is True, body)
    ops = patch_of(m)
    if not annot:
        check(f"{name} no patch", ops is None, ops)
        continue
    check(f"{name} has patch", ops is not None, m)
    if ops is None:
        continue
    st_b, body_b = post(port, ca, "/mutate", wrap(obj, uid=uid))
    check(f"{name} patch deterministic", body_b == body)
    patched = apply_patch(obj, ops)
    val = patched["metadata"]["annotations"][ANN]
    want = [{"rule": a, "path": p} for a, p in sorted(annot)]
    check(f"{name} annotation value", json.loads(val) == want, val)
    check(f"{name} annotation compact", ", " not in val and ": " not in val, val)
    for k, v in obj.get("metadata", {}).get("annotations", {}).items():
        check(f"{name} other annotations kept", patched["metadata"]["annotations"].get(k) == v)
    st, body = post(port, ca, "/mutate", wrap(patched, uid=uid + "-again", op="UPDATE"))
    again = json.loads(body)
    check(f"{name} second mutation is a no-op", patch_of(again) is None, again)
sys.exit(0 if ok else 1)
PY
	local rc=$?
	cat "$T/$label.out"
	[ $rc -eq 0 ] && t_ok "$label: all cases" || t_fail "$label: all cases" "see above"
	# the log has one line per review, never a secret
	grep -q '"msg":"review".*"decision":"deny"' "$SV_LOG" && t_ok "$label: review logged" ||
		t_fail "$label: review logged" "$(tail -3 "$SV_LOG")"
	! grep -qE 'Tr0ub4dor-serve|w0rker-serve' "$SV_LOG" && t_ok "$label: no secret in log" ||
		t_fail "$label: no secret in log" "secret found"
	sv_stop
}

run_cases default
run_cases annotate --policy "$T/annotate.yaml"
t_finish
