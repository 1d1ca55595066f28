#!/usr/bin/env python3
"""tests/e2e/metrics.py BEFORE AFTER — what happened between two scrapes of
kube-apiserver's /metrics (and, optionally, pgadmit's), for bench-e2e.

Prints one JSON object:
  webhooks:  per webhook name (apiserver_admission_webhook_admission_duration_seconds,
             the API server's own clock around each call): calls, mean, and
             p50/p99/p99.9 interpolated inside the histogram's buckets the way
             PromQL's histogram_quantile does, with the bucket bound above
  requests:  apiserver_request_duration_seconds for POST (create) requests
  pod_requests: the same for pods only (in bench-e2e's mix every Pod has a
             controller, so this is a controller-made Pod's create)
  webhook_requests: apiserver_admission_webhook_request_total by name, code
  pgadmit:   pgadmit_admission_requests_total by endpoint (pgadmit's side)
"""
import json
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"')


def parse(path):
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = LINE.match(line)
        if not m:
            continue
        labels = tuple(sorted(LABEL.findall(m.group(3) or "")))
        try:
            out[(m.group(1), labels)] = float(m.group(4))
        except ValueError:
            pass
    return out


def delta(a, b):
    return {k: v - a.get(k, 0.0) for k, v in b.items()}


def hist(d, name, want):
    """Sum the buckets of histogram `name` over series whose labels include
    `want` (a dict); returns (buckets [(le, count)], count, sum)."""
    buckets, count, total = {}, 0.0, 0.0
    for (metric, labels), v in d.items():
        lab = dict(labels)
        if any(lab.get(k) != x for k, x in want.items()):
            continue
        if metric == name + "_bucket":
            le = float("inf") if lab["le"] == "+Inf" else float(lab["le"])
            buckets[le] = buckets.get(le, 0.0) + v
        elif metric == name + "_count":
            count += v
        elif metric == name + "_sum":
            total += v
    return sorted(buckets.items()), count, total


def quantile(buckets, q):
    """histogram_quantile: linear inside the bucket. (value, bucket bound)."""
    if not buckets or buckets[-1][1] <= 0:
        return None, None
    rank = q * buckets[-1][1]
    prev_le, prev_c = 0.0, 0.0
    for le, c in buckets:
        if c >= rank:
            if le == float("inf"):
                return prev_le, le
            frac = (rank - prev_c) / (c - prev_c) if c > prev_c else 1.0
            return prev_le + (le - prev_le) * frac, le
        prev_le, prev_c = le, c
    return prev_le, float("inf")


def summary(d, name, want):
    b, n, s = hist(d, name, want)
    if n <= 0:
        return None
    out = {"calls": int(n), "mean_ms": round(s / n * 1e3, 3)}
    for label, q in (("p50", .5), ("p99", .99), ("p999", .999)):
        v, le = quantile(b, q)
        out[label + "_ms"] = None if v is None else round(v * 1e3, 3)
        out[label + "_bucket_le_ms"] = None if le is None else (
            "+Inf" if le == float("inf") else round(le * 1e3, 3))
    return out


def main():
    d = delta(parse(sys.argv[1]), parse(sys.argv[2]))
    names = sorted({dict(l).get("name") for (m, l) in d
                    if m.startswith("apiserver_admission_webhook_admission_duration_seconds")} - {None})
    res = {"webhooks": {n: summary(d, "apiserver_admission_webhook_admission_duration_seconds",
                                   {"name": n}) for n in names},
           "requests": summary(d, "apiserver_request_duration_seconds", {"verb": "POST"}),
           "pod_requests": summary(d, "apiserver_request_duration_seconds",
                                   {"verb": "POST", "resource": "pods"}),
           "webhook_requests": {}, "pgadmit": {}}
    for (m, l), v in d.items():
        lab = dict(l)
        if m == "apiserver_admission_webhook_request_total" and v:
            key = f'{lab.get("name")} code={lab.get("code")}'
            res["webhook_requests"][key] = res["webhook_requests"].get(key, 0) + int(v)
        if m == "pgadmit_admission_requests_total" and v:
            key = lab.get("endpoint", "?")
            res["pgadmit"][key] = res["pgadmit"].get(key, 0) + int(v)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
