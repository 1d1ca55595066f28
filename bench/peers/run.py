#!/usr/bin/env python3
"""make bench-peers: `pgadmit check` beside the tools people use instead.

Figures, not asserts. In one run, on examples/*.yaml and on the generated
4 MB bundle (bench/check/gen_bundle.py, the one `make bench-check` reads),
time pgadmit, kube-score, gator (with bench/peers/gator/), Checkov, and
Polaris and kube-linter where installed: wall time and peak RSS from GNU
time (best of RUNS; the spread is printed), the ratio to pgadmit, then a
table of which tool reports which of the examples' problems. Every tool
runs in a fresh network namespace (`unshare -n`: loopback only), so none
can phone home. Peers come from scripts/get-peers; a missing one is listed
with the reason get-peers recorded.

usage: run.py PGADMIT_BIN OUTDIR PEERS_CACHE
env:   BENCH_PEERS_RUNS (3), BENCH_PEERS_TIMEOUT seconds per run (600)
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNS = int(os.environ.get("BENCH_PEERS_RUNS", "3"))
TIMEOUT = int(os.environ.get("BENCH_PEERS_TIMEOUT", "600"))
SLOW = 60.0  # a tool slower than this on an input runs once there

PROBLEMS = ["inline password", "exposed 5432", "missing backup",
            "sslmode=disable"]
# The problems in examples/*.yaml, by object (kind, namespace, name).
INSTANCES = {
    "inline password": [("Deployment", "shop", "api"),
                        ("ConfigMap", "shop", "worker-config"),
                        ("StatefulSet", "shop", "db")],
    "exposed 5432": [("Service", "shop", "db-external")],
    "missing backup": [("StatefulSet", "shop", "db")],
    "sslmode=disable": [("Deployment", "shop", "api")],
}
CLEAN = "clean-release.yaml"  # pgadmit reports nothing there
CLEAN_NS = "orders"  # the namespace of its objects


def tools(bin_, cache):
    """name -> (argv builder(files) -> list, parser(stdout) -> findings)."""
    b = os.path.join(cache, "bin")
    gator_dir = os.path.join(HERE, "gator")
    return [
        ("pgadmit", lambda f: [bin_, "check", "--format", "json",
                               "--fail-on", "never"] + f, parse_pgadmit),
        ("kube-score", lambda f: [os.path.join(b, "kube-score"), "score",
                                  "--output-format", "json"] + f,
         parse_kube_score),
        ("gator", lambda f: [os.path.join(b, "gator"), "test", "-o", "json",
                             "-f", gator_dir] + sum((["-f", x] for x in f), []),
         parse_gator),
        ("checkov", lambda f: [os.path.join(b, "checkov"), "--quiet",
                               "--compact", "--skip-download", "-o", "json",
                               "--framework", "kubernetes", "secrets",
                               "-f"] + f, parse_checkov),
        ("polaris", lambda f: [os.path.join(b, "polaris"), "audit",
                               "--format", "json", "--audit-path"] + f,
         parse_polaris),
        ("kube-linter", lambda f: [os.path.join(b, "kube-linter"), "lint",
                                   "--format", "json"] + f,
         parse_kube_linter),
    ]


# ---- one finding = (kind, namespace, name, file, line, check id, text) ----

def parse_pgadmit(out):
    d = json.loads(out)
    return [(f.get("kind"), f.get("namespace"), f.get("name"), f.get("file"),
             f.get("line"), f["rule"], f["rule"] + " " + f.get("slug", ""))
            for f in d.get("findings", [])]


def parse_kube_score(out):
    res = []
    for o in json.loads(out):
        m = o.get("object_meta") or {}
        for c in o.get("checks", []):
            if c.get("skipped") or c.get("grade", 10) >= 10:
                continue
            ck = c["check"]
            res.append((o["type_meta"]["kind"], m.get("namespace"),
                        m.get("name"), o.get("file_name"), None, ck["id"],
                        ck["id"] + " " + ck.get("name", "")))
    return res


def parse_gator(out):
    res = []
    for r in json.loads(out) if out.strip() else []:
        o = r.get("violatingObject") or r.get("resource") or {}
        m = o.get("metadata") or {}
        c = (r.get("constraint") or {}).get("kind", "?")
        res.append((o.get("kind"), m.get("namespace"), m.get("name"), None,
                    None, c, c + " " + r.get("msg", "")))
    return res


def parse_checkov(out):
    d = json.loads(out)
    res = []
    for rep in d if isinstance(d, list) else [d]:
        for f in rep.get("results", {}).get("failed_checks", []):
            kind = ns = name = None
            parts = (f.get("resource") or "").split(".")
            if rep.get("check_type") == "kubernetes" and len(parts) >= 3:
                kind, ns, name = parts[0], parts[1], parts[-1]
            line = (f.get("file_line_range") or [None])[0]
            res.append((kind, ns, name, f.get("file_abs_path") or
                        f.get("file_path"), line, f["check_id"],
                        f["check_id"] + " " + (f.get("check_name") or "")))
    return res


def parse_polaris(out):
    d = json.loads(out)
    res = []
    for r in d.get("Results") or []:
        def walk(results):
            for k, v in (results or {}).items():
                if isinstance(v, dict) and v.get("Success") is False:
                    res.append((r.get("Kind"), r.get("Namespace"),
                                r.get("Name"), None, None, k,
                                k + " " + v.get("Message", "")))
        walk(r.get("Results"))
        pr = r.get("PodResult") or {}
        walk(pr.get("Results"))
        for c in pr.get("ContainerResults") or []:
            walk(c.get("Results"))
    return res


def parse_kube_linter(out):
    d = json.loads(out)
    res = []
    for r in d.get("Reports") or []:
        o = (r.get("Object") or {}).get("K8sObject") or {}
        gvk = o.get("GroupVersionKind") or {}
        res.append((gvk.get("Kind"), o.get("Namespace"), o.get("Name"), None,
                    None, r.get("Check"), r.get("Check", "") + " " +
                    (r.get("Diagnostic") or {}).get("Message", "")))
    return res


# ---- which problem a finding reports ---------------------------------------

PGA = {"PGA102": "inline password", "PGA101": "exposed 5432",
       "PGA103": "missing backup", "PGA104": "sslmode=disable"}
GATOR = {"K8sPgInlinePassword": "inline password",
         "K8sPgPortExposed": "exposed 5432",
         "K8sPgSslDisabled": "sslmode=disable"}


def problem_of(tool, f):
    """The problem a finding names, or None. Peers are read by their check's
    id and title: a check about secrets/passwords in plain text counts for
    inline password, one about NodePort/LoadBalancer Services for exposed
    5432, backup for missing backup, sslmode/plain-text DB for SSL."""
    if tool == "pgadmit":
        return PGA.get(f[5])
    if tool == "gator":
        return GATOR.get(f[5])
    t = f[6].lower()
    if f[0] == "Service" and re.search(r"nodeport|loadbalancer|service-type|"
                                      r"service type", t):
        return "exposed 5432"
    if re.search(r"ckv_secret|password|credential|basic auth", t):
        return "inline password"
    if "backup" in t:
        return "missing backup"
    if "sslmode" in t:
        return "sslmode=disable"
    return None


def doc_index(files):
    """(file, first line, last line, kind, namespace, name) per document,
    to place findings that carry only a file and a line (Checkov secrets)."""
    docs = []
    for path in files:
        lines = open(path).read().split("\n")
        seps = [i for i, l in enumerate(lines) if l == "---"]
        starts = [0] + [i + 1 for i in seps]
        ends = seps + [len(lines)]
        for s, e in zip(starts, ends):
            try:
                o = yaml.safe_load("\n".join(lines[s:e]))
            except yaml.YAMLError:
                o = None
            if isinstance(o, dict):
                m = o.get("metadata") or {}
                docs.append((os.path.abspath(path), s + 1, e, o.get("kind"),
                             m.get("namespace"), m.get("name")))
    return docs


def place(f, docs):
    if f[0] and f[2]:
        return f
    if f[3] and f[4]:
        p = os.path.abspath(f[3]) if os.path.exists(f[3]) else \
            os.path.abspath(os.path.join(ROOT, f[3].lstrip("/")))
        for d in docs:
            if d[0] == p and d[1] <= f[4] <= d[2]:
                return (d[3], d[4], d[5]) + tuple(f[3:])
    return f


# ---- timing ------------------------------------------------------------------

WRAP = [0.0]  # seconds the wrapper chain costs around a no-op


def timed(argv, out_path):
    """(exit code, wall seconds, peak RSS KiB). Peak RSS from GNU time;
    wall from a monotonic clock (GNU time's %e has 10 ms steps) less the
    cost of the wrappers, measured on `true`."""
    tfile = out_path + ".time"
    cmd = ["unshare", "-n", "/usr/bin/time", "-f", "%e %M", "-o", tfile,
           "timeout", str(TIMEOUT)] + argv
    env = dict(os.environ, HOME=os.environ.get("PEERS_HOME", "/tmp"))
    with open(out_path, "w") as o, open(out_path + ".err", "w") as e:
        t0 = time.monotonic()
        rc = subprocess.call(cmd, stdout=o, stderr=e, env=env, cwd=ROOT)
        wall = time.monotonic() - t0
    try:
        kb = open(tfile).read().split()[-1]
    except (OSError, ValueError, IndexError):
        return rc, None, None
    return rc, max(wall - WRAP[0], 0.0), int(kb)


def measure(name, argv, out_path):
    walls, rss, rc = [], [], 0
    for i in range(RUNS):
        rc, w, kb = timed(argv, out_path)
        if rc == 124:
            return None, "stopped after %d s (BENCH_PEERS_TIMEOUT)" % TIMEOUT
        if w is None:
            return None, "failed (exit %s): %s" % (rc, tail(out_path + ".err"))
        walls.append(w)
        rss.append(kb)
        if w > SLOW:
            break
    return (min(walls), max(walls), max(rss), len(walls), rc), None


def tail(path):
    try:
        lines = [l for l in open(path).read().split("\n") if l.strip()]
    except OSError:
        return "?"
    return (lines[-1] if lines else "no output")[:150]


def main():
    bin_, out, cache = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    bundle = os.path.join(out, "bundle-4mb.yaml")
    if not os.path.exists(bundle) or os.path.getsize(bundle) == 0:
        subprocess.check_call([sys.executable, os.path.join(
            ROOT, "bench/check/gen_bundle.py"), "4000000", bundle],
            stdout=subprocess.DEVNULL)
    examples = sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml")))
    examples = [os.path.relpath(p, ROOT) for p in examples]
    inputs = [("examples/*.yaml", examples),
              ("4 MB bundle", [os.path.relpath(bundle, ROOT)
                               if bundle.startswith(ROOT) else bundle])]
    t = os.path.join(out, "peers-true.out")
    WRAP[0] = min(timed(["true"], t)[1] or 0.0 for _ in range(5))
    print("peers: %s (runs: best of %d, once when slower than %.0f s; every "
          "run in its own network namespace)" % (cache, RUNS, SLOW))
    results, missing, findings = {}, {}, {}
    for name, argv_of, parse in tools(bin_, cache):
        exe = argv_of([])[0]
        if name != "pgadmit" and not os.access(exe, os.X_OK):
            why = os.path.join(cache, "why", name)
            missing[name] = tail(why) if os.path.exists(why) else \
                "not installed (run scripts/get-peers)"
            continue
        for label, files in inputs:
            o = os.path.join(out, "peers-%s-%s.out" % (
                name, "examples" if label.startswith("ex") else "bundle"))
            r, err = measure(name, argv_of(files), o)
            results[(name, label)] = r if r else err
            if label.startswith("ex") and r:
                try:
                    findings[name] = parse(open(o).read())
                except (ValueError, KeyError, TypeError) as e:
                    findings[name] = "unreadable output (%s)" % e
    for label, _ in inputs:
        base = results.get(("pgadmit", label))
        print("\n%s\n%-12s %9s %17s %10s %9s %8s" % (
            label, "tool", "wall s", "spread s", "RSS MiB", "x wall",
            "x RSS"))
        for name, *_ in tools(bin_, cache):
            r = results.get((name, label))
            if name in missing or r is None:
                continue
            if isinstance(r, str):
                print("%-12s %s" % (name, r))
                continue
            lo, hi, kb, n, _ = r
            bw = base[0] if isinstance(base, tuple) else None
            bk = base[2] if isinstance(base, tuple) else None
            print("%-12s %9.3f %8.3f-%-8.3f %10.1f %9s %8s" % (
                name, lo, lo, hi, kb / 1024.0,
                "%.1f" % (lo / max(bw, 0.001)) if bw else "-",
                "%.1f" % (kb / bk) if bk else "-") +
                ("" if n == RUNS else "  (%d run)" % n))
    docs = doc_index(examples)
    print("\nwhich tool reports which problem of examples/*.yaml "
          "(objects found / objects with the problem; all = findings in "
          "all, clean = findings on %s):" % CLEAN)
    print("%-12s" % "tool" + "".join("%21s" % p for p in PROBLEMS) +
          "%6s %6s" % ("all", "clean"))
    for name, *_ in tools(bin_, cache):
        if name in missing:
            continue
        fs = findings.get(name)
        if not isinstance(fs, list):
            print("%-12s %s" % (name, fs or "no run"))
            continue
        fs = [place(f, docs) for f in fs]
        row = "%-12s" % name
        for p in PROBLEMS:
            hit, ids = 0, set()
            for inst in INSTANCES[p]:
                got = [f for f in fs if problem_of(name, f) == p and
                       (f[0], f[1] or "default", f[2]) ==
                       (inst[0], inst[1], inst[2])]
                if got:
                    hit += 1
                    ids.update(f[5] for f in got)
            cell = "%d/%d" % (hit, len(INSTANCES[p]))
            if ids:
                cell += " " + ",".join(sorted(ids))[:14]
            row += "%21s" % cell
        clean = sum(1 for f in fs if (f[3] and f[3].endswith(CLEAN)) or
                    f[1] == CLEAN_NS)
        print(row + "%6d %6d" % (len(fs), clean))
    for name, why in missing.items():
        print("%-12s not run: %s" % (name, why))
    why = os.path.join(cache, "why", "gatekeeper-library")
    if os.path.exists(why):
        print("gator policies: %s" % open(why).read().strip())


if __name__ == "__main__":
    main()
