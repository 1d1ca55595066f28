#!/usr/bin/env python3
"""tests/lib/check_report.py — named assertions on `pgadmit check` reports
(JSON or SARIF), for tests/integration/test_check_cli.sh and
test_check_evidence.sh (stdlib only).

  check_report.py CHECK FILE [ARG...]

FILE is a report path or `-` for standard input. Prints "ok" and exits 0
when every assertion of CHECK holds; otherwise the failed assertion (with
the values it saw) goes to stderr and the exit status is 1. `list` prints
the checks. Checks that several tests share in spirit (counting, picking
one value) live in jsontool.py; these are the multi-field ones.
"""
import json
import sys
import urllib.parse


def json_shape(d):
    """examples/ as JSON: version, finding and summary keys, the expected findings."""
    assert d["version"] == 1, "version"
    keys = {"rule","slug","action","file","document","line","kind","namespace",
            "name","path","message","hint"}
    for f in d["findings"]:
        assert set(f) == keys, "finding keys %s" % sorted(f)
        assert isinstance(f["line"], int) and f["line"] > 0, "line %r" % f
        assert isinstance(f["document"], int)
    s = d["summary"]
    assert set(s) == {"files","documents","objects","deny","warn","annotate","info"}, s
    assert s["files"] == 4, "files %r" % s
    assert s["deny"] == sum(f["action"] == "deny" for f in d["findings"])
    def has(rule, file, path, line=None):
        for f in d["findings"]:
            if f["rule"] == rule and f["file"].endswith(file) and f["path"] == path:
                if line is None or f["line"] == line:
                    return f
        raise AssertionError("missing %s %s %s %s" % (rule, file, path, line))
    assert any(x["rule"] == "PGA101" and x["file"].endswith("postgres-statefulset.yaml") and x["path"].startswith("spec.ports[0]") and x["kind"] == "Service" for x in d["findings"]), "PGA101 NodePort"
    f = has("PGA102", "postgres-statefulset.yaml",
            "spec.template.spec.containers[0].env[1].value", 44)
    assert f["kind"] == "StatefulSet" and f["namespace"] == "shop" and f["name"] == "db"
    assert any(x["rule"] == "PGA103" and x["name"] == "db" for x in d["findings"]), "PGA103 db"
    assert not any(x["rule"] == "PGA103" and x["name"] == "orders-db" for x in d["findings"]), "PGA103 orders-db must be quiet"
    has("PGA102", "app-inline-url.yaml", "spec.template.spec.containers[0].env[1].value", 25)
    has("PGA104", "app-inline-url.yaml", "spec.template.spec.containers[0].env[1].value", 25)
    has("PGA102", "app-inline-url.yaml", "data.DB_DSN", 36)
    c = [x for x in d["findings"] if x["kind"] == "ComposeService"]
    assert any(x["rule"] == "PGA101" and x["name"] == "db" for x in c), "compose PGA101"
    assert any(x["rule"] == "PGA102" and x["name"] == "db" for x in c), "compose PGA102"
    assert not any(x["name"] == "app" for x in c), "compose app uses ${VAR}: quiet"
    assert all(x["namespace"] is None for x in c)
    assert not any(x["file"].endswith("clean-release.yaml") for x in d["findings"]), "clean release quiet"


def sarif_shape(d):
    """examples/ as SARIF 2.1.0: rules, results with physical locations."""
    assert d["version"] == "2.1.0"
    run = d["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == ["PGA101","PGA102","PGA103","PGA104","PGA105","PGA106"], ids
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    assert run["results"], "results"
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"]
        assert loc["region"]["startLine"] >= 1
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error","warning","note")


def json_input_errors(d, g):
    """errors[] names each bad input (G: the directory) and the others are still checked."""
    e = d["errors"]
    assert [x["input"] for x in e] == [g + "/foo.yaml", g + "/empty"], e
    assert e[0]["message"].startswith(g + "/foo.yaml: no Kubernetes object"), e[0]
    assert e[1]["message"] == g + "/empty: no manifest file (*.yaml, *.yml or *.json) in this directory", e[1]
    assert any(f["rule"] == "PGA102" for f in d["findings"]), "other inputs still checked"


def sarif_input_errors(d):
    """a bad input is an error notification; relative uris are percent-encoded."""
    run = d["runs"][0]
    inv = run["invocations"]
    assert len(inv) == 1 and inv[0]["executionSuccessful"] is False, inv
    n = inv[0]["toolExecutionNotifications"]
    assert len(n) == 1 and n[0]["level"] == "error", n
    assert n[0]["message"]["text"].startswith("sp/../g/foo.yaml: no Kubernetes object"), n
    assert n[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sp/../g/foo.yaml", n
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"sp/my%20app%231.yaml"}, uris


def helm_source_map(d):
    """Helm '# Source:' comments map findings to template files and lines."""
    run = d["runs"][0]
    got = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"])
    assert got == [("PGA101", "shop/templates/service.yaml", 8),
                   ("PGA102", "shop/templates/config%20map.yaml", 6)], got
    assert run["invocations"][0]["toolExecutionNotifications"] == [], "no stdin warning: all mapped"


def stdin_lines(d):
    """no -f reads standard input: file "-", lines counted, 2 documents."""
    f = [x for x in d["findings"] if x["rule"] == "PGA102"][0]
    assert f["file"] == "-" and f["line"] == 44, f
    assert d["summary"]["documents"] == 2


def several_f(d):
    """several -f form one bundle of 2 files; stdin findings are on "-"."""
    assert d["summary"]["files"] == 2, d["summary"]
    assert any(x["file"] == "-" for x in d["findings"])


def dir_recursion(d):
    """a directory: *.yml and *.json read (List unwrapped), others skipped."""
    assert d["summary"]["files"] == 2, d["summary"]
    assert any(x["rule"] == "PGA101" and x["file"].endswith("list.json") and x["kind"] == "Service" for x in d["findings"])


def policy_actions(d):
    """policy: PGA102 set to warn, PGA101 (by slug) off."""
    r = {(f["rule"], f["action"]) for f in d["findings"]}
    assert ("PGA102", "warn") in r and not any(x[0] == "PGA101" for x in r), r


def sarif_absolute_uri(d, path):
    """a path outside the working directory is the file:// uri of PATH."""
    r = d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert r.startswith("file:///") and urllib.parse.unquote(r[7:]) == path, r


def stdin_name(d):
    """--stdin-name names standard input; no unnamed-stdin notification."""
    run = d["runs"][0]
    u = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert u == {"deploy/app.yaml"}, u
    assert run["invocations"][0]["toolExecutionNotifications"] == []


def stdin_unnamed(d):
    """findings on unnamed standard input: a warning notification."""
    n = d["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert n[0]["level"] == "warning" and "--stdin-name" in n[0]["message"]["text"], n


def source_root(d):
    """--source-root deploy/charts/ prefixes the templates' uris."""
    r = d["runs"][0]["results"]
    u = sorted(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in r)
    assert u == ["deploy/charts/shop/templates/config%20map.yaml", "deploy/charts/shop/templates/service.yaml"], u


def positional(d):
    """positional paths are inputs like -f: 2 files, PGA102 found."""
    assert d["summary"]["files"] == 2 and any(f["rule"] == "PGA102" for f in d["findings"]), d["summary"]


def kustomize_rendered(d):
    """kustomize directory: the rendered objects are judged, not the raw files."""
    f = d["findings"]
    assert {x["rule"] for x in f} == {"PGA101", "PGA102"} and not any(x["name"] == "raw" for x in f), f


def kustomize_generator(d):
    """real kubectl kustomize: the configMapGenerator literal is found."""
    f = d["findings"]
    assert any(x["rule"] == "PGA102" and x["kind"] == "ConfigMap" and x["path"] == "data.DATABASE_URL" for x in f), f


def annotation_not_honoured(d):
    """an ignore annotation naming the rule id: one info finding, the rule still runs."""
    f = d["findings"]
    i = [x for x in f if x["action"] == "info"]
    assert len(i) == 1 and i[0]["rule"] == "PGA101" and i[0]["line"] == 6 and "not honoured" in i[0]["message"], f
    assert any(x["action"] == "deny" and x["rule"] == "PGA101" for x in f), "the rule still runs"


def annotation_not_suppression(d):
    """SARIF: a not-honoured annotation is a note, not a suppression."""
    r = d["runs"][0]["results"]
    i = [x for x in r if x["level"] == "note"]
    assert len(i) == 1 and "suppressions" not in i[0], i


def sarif_one_result(d, rule, level):
    """exactly one result of RULE, at LEVEL, whose ruleIndex points at RULE."""
    run = d["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    res = [r for r in run["results"] if r["ruleId"] == rule]
    assert len(res) == 1 and ids[res[0]["ruleIndex"]] == rule and res[0]["level"] == level, res


CHECKS = {name.replace("_", "-"): fn for name, fn in list(globals().items())
          if callable(fn) and getattr(fn, "__module__", "") == __name__}


def main(argv):
    if argv[:1] == ["list"]:
        for name, fn in sorted(CHECKS.items()):
            print("%-26s %s" % (name, fn.__doc__))
        return
    if len(argv) < 2 or argv[0] not in CHECKS:
        sys.exit("usage: check_report.py CHECK FILE|- [ARG...] (check_report.py list)")
    path = argv[1]
    raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    CHECKS[argv[0]](json.loads(raw.decode("utf-8")), *argv[2:])
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1:])
