#!/usr/bin/env python3
"""tests/lib/webhook_cases.py — the webhook cases of tests/fixtures/webhook/,
one JSON file each, through a running `pgadmit serve` over TLS.

A case file names an object (relative to tests/fixtures/) and, per policy
label, the expected answer:
  {"object": "serve/objects/x.json",
   "expect": {"default": {"allowed": bool,
                          "deny":  [[rule, path], ...],  # in status.message
                          "warn":  [rule, ...],          # warnings
                          "patch": [[rule, path], ...]}}}  # /mutate annotation
A new case is a new file. Prints one "  ok   ..." / "  FAIL ..." line per
assertion and exits 1 if any failed. A case without an expectation for the
policy label fails (a new policy label needs every case to say what it
expects).

usage: webhook_cases.py PORT CA_FILE FIXTURES_DIR LABEL
"""
import glob
import json
import os
import sys

port, ca, fixtures, label = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve"))
from review import wrap, post, apply_patch, patch_of  # noqa: E402

SECRETS = ["Tr0ub4dor-serve", "w0rker-serve"]
ANN = "pgadmit.dev/findings"
ok = True


def check(name, cond, detail=""):
    global ok
    print(("  ok   " if cond else "  FAIL ") + label + ": " + name + ("" if cond else ": " + str(detail)))
    ok = ok and cond


def run_case(n, name, obj, exp):
    allowed, warn = exp["allowed"], exp["warn"]
    deny = [tuple(d) for d in exp["deny"]]
    annot = [tuple(a) for a in exp["patch"]]
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
        return
    check(f"{name} has patch", ops is not None, m)
    if ops is None:
        return
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


files = sorted(glob.glob(os.path.join(fixtures, "webhook", "*.json")))
check(f"webhook cases found ({len(files)})", len(files) >= 10, files)
for n, path in enumerate(files):
    case = json.load(open(path))
    name = os.path.splitext(os.path.basename(path))[0].split("-", 1)[-1]
    exp = case.get("expect", {}).get(label)
    if exp is None:
        check(f"{name} expects something under '{label}'", False, path)
        continue
    obj = json.load(open(os.path.join(fixtures, case["object"])))
    run_case(n, name, obj, exp)
sys.exit(0 if ok else 1)
