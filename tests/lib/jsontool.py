#!/usr/bin/env python3
"""tests/lib/jsontool.py — read pgadmit's JSON outputs in the bash tests
(stdlib only). FILE is a path or `-` (the default) for standard input.
Input is decoded as strict UTF-8: invalid bytes or JSON exit 1 with the
reason on stderr, so a test that reads nothing fails instead of passing.

  jsontool.py valid [FILE]          exit 0 if FILE is one UTF-8 JSON value
  jsontool.py lines FILE MIN        every line of FILE is UTF-8 JSON, and
                                    there are at least MIN lines (server logs)
  jsontool.py get PATH [FILE]       the value at PATH (dots; numbers index
                                    lists: runs.0.results); strings raw,
                                    anything else as JSON (true, null, [..])
  jsontool.py pick FILE PATH...     the values at the PATHs, on one line,
                                    joined by a space (as get shows them)
  jsontool.py truthy FILE PATH...   exit 0 if every PATH holds a non-empty,
                                    non-false value; else names the first
  jsontool.py count RULE|all [FILE] how many findings of RULE (or all) a
                                    `check --format json` report holds
  jsontool.py findings FIELDS [FILE]
                                    one line per finding: the comma-separated
                                    FIELDS (rule,action,path...) joined by a space
  jsontool.py rule-ids [FILE]       the ids of `rules --format json`, one line
  jsontool.py sarif-uris [FILE]     the artifact URIs of a SARIF run's
                                    results, sorted, unique, one per line
  jsontool.py sarif-results FIELDS [FILE]
                                    one line per SARIF result: level, uri
                                    (FIELDS from level,rule,uri,suppressed)
  jsontool.py sarif-help ID [FILE]  the help text of rule ID in a SARIF run's
                                    driver, exactly (no newline added)
  jsontool.py decode-answer FILE OUT
                                    write an AdmissionReview answer's response
                                    and its base64 JSONPatch, decoded, to OUT
"""
import base64
import json
import sys


def load(path="-"):
    raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    return json.loads(raw.decode("utf-8"))


def at(value, path):
    for part in path.split(".") if path else []:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def show(value):
    return value if isinstance(value, str) else json.dumps(value)


def sarif_uri(result):
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "valid":
        load(*args[:1])
    elif cmd == "lines":
        n = 0
        for raw in open(args[0], "rb"):
            json.loads(raw.decode("utf-8"))
            n += 1
        if n < int(args[1]):
            sys.exit("%s: %d lines, want at least %s" % (args[0], n, args[1]))
    elif cmd == "get":
        print(show(at(load(*args[1:2]), args[0])))
    elif cmd == "pick":
        d = load(args[0])
        print(" ".join(show(at(d, p)) for p in args[1:]))
    elif cmd == "truthy":
        d = load(args[0])
        for p in args[1:]:
            if not at(d, p):
                sys.exit("%s: %s is %s" % (args[0], p, json.dumps(at(d, p))))
    elif cmd == "count":
        f = load(*args[1:2])["findings"]
        print(sum(1 for x in f if args[0] in ("all", x["rule"])))
    elif cmd == "findings":
        for x in load(*args[1:2])["findings"]:
            print(" ".join(show(x[k]) for k in args[0].split(",")))
    elif cmd == "rule-ids":
        for r in load(*args[:1])["rules"]:
            print(r["id"])
    elif cmd == "sarif-uris":
        for u in sorted({sarif_uri(r) for r in load(*args[:1])["runs"][0]["results"]}):
            print(u)
    elif cmd == "sarif-results":
        for r in load(*args[1:2])["runs"][0]["results"]:
            row = {"level": r.get("level"), "rule": r.get("ruleId"), "uri": sarif_uri(r),
                   "suppressed": "suppressions" in r}
            print(" ".join(show(row[k]) for k in args[0].split(",")))
    elif cmd == "sarif-help":
        rules = load(*args[1:2])["runs"][0]["tool"]["driver"]["rules"]
        sys.stdout.write([r for r in rules if r["id"] == args[0]][0]["help"]["text"])
    elif cmd == "decode-answer":
        r = load(args[0])["response"]
        with open(args[1], "w") as f:
            f.write(json.dumps(r))
            if "patch" in r:
                f.write(base64.b64decode(r["patch"]).decode())
    else:
        sys.exit("jsontool.py: unknown command %r\n%s" % (cmd, __doc__))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ValueError, KeyError, IndexError, TypeError, OSError) as e:
        sys.exit("jsontool.py %s: %s: %s" % (" ".join(sys.argv[1:2]), type(e).__name__, e))
