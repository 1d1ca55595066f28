#!/usr/bin/env python3
"""Write the largest AdmissionReview the API server can legally send for a
ConfigMap: an UPDATE of a ConfigMap whose data is Kubernetes' 1 MiB limit
(keys + values), with oldObject of the same size and 256 KiB of annotations
(the annotation limit), serialised the way the API server's Go encoder does
(encoding/json: '<', '>', '&' and control characters as \\u00XX, six bytes
each; '"' and '\\' as two).

usage: big_review.py OUT.json [worst|controls|dashboard] [UID]
  worst      every byte an HTML character escaped to six ('<', '&'): the
             largest body (pgadmit serve shortens these escapes back to
             one byte before parsing, src/server/unescape.c)
  controls   every byte a control character (\u0001): as large, and its
             escapes cannot be shortened: the slowest to parse
  dashboard  a Grafana-style JSON dashboard (quotes escaped, some '<' '&')
Prints the file size in bytes."""
import json, random, sys

MIB = 1024 * 1024


def go_json(v):
    # Go's json.Marshal: HTML characters escaped as well
    s = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def dashboard(n):
    rnd = random.Random(16)
    panels, size = [], 0
    while size < n:
        p = {"id": len(panels), "type": "timeseries", "title": "Panel <%d> & co" % len(panels),
             "targets": [{"expr": 'sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) > %d' % rnd.randrange(100)}],
             "gridPos": {"h": 8, "w": 12, "x": 0, "y": len(panels) * 8},
             "options": {"legend": {"displayMode": "table", "placement": "bottom"}}}
        panels.append(p)
        size += len(json.dumps(p))
    s = json.dumps({"title": "big", "panels": panels})
    return s[:n]


def configmap(value_kind, rv):
    key = "dashboard.json"
    n = MIB - len(key)
    if value_kind == "worst":
        value = "<" * n
        ann = {"note": "&" * (256 * 1024 - 4)}
    elif value_kind == "controls":
        value = "\x01" * n
        ann = {"note": "\x02" * (256 * 1024 - 4)}
    else:
        value = dashboard(n)
        ann = {"note": dashboard(256 * 1024 - 4)}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "grafana-dashboards", "namespace": "monitoring",
                         "uid": "7a1c0e0e-0000-4000-8000-000000000001", "resourceVersion": rv,
                         "labels": {"app": "grafana"}, "annotations": ann},
            "data": {key: value}}


def main():
    out = sys.argv[1]
    kind = sys.argv[2] if len(sys.argv) > 2 else "worst"
    uid = sys.argv[3] if len(sys.argv) > 3 else "big-configmap-update"
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
              "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                          "resource": {"group": "", "version": "v1", "resource": "configmaps"},
                          "requestKind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                          "requestResource": {"group": "", "version": "v1", "resource": "configmaps"},
                          "name": "grafana-dashboards", "namespace": "monitoring", "operation": "UPDATE",
                          "userInfo": {"username": "system:serviceaccount:monitoring:grafana-operator",
                                       "groups": ["system:serviceaccounts", "system:authenticated"]},
                          "object": configmap(kind, "1002"), "oldObject": configmap(kind, "1001"),
                          "dryRun": False,
                          "options": {"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"}}}
    data = go_json(review).encode()
    with open(out, "wb") as f:
        f.write(data)
    print(len(data))


main()
