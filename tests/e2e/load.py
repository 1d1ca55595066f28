#!/usr/bin/env python3
"""tests/e2e/load.py — bounded create load against the loopback API server
for `make bench-e2e` (tests/e2e/bench.sh).

    load.py API_URL CA CERT KEY NAMESPACE PREFIX UNITS CLIENTS [STOP_FILE]

Creates UNITS units of a realistic mix from CLIENTS parallel clients (one
keep-alive TLS connection each), the objects that controllers would create
included, since no controller-manager runs here:
    a Deployment, its ReplicaSet (controller: the Deployment), 4 Pods
    (controller: the ReplicaSet); a Job and its Pod (controller: the Job);
    2 ConfigMaps (churn)                                 = 10 creates a unit
With STOP_FILE, the clients also stop as soon as that file exists (a load
that lasts as long as a procedure, still bounded by UNITS and 120 s).
Only 127.0.0.1 is ever dialled (API_URL is checked). Prints one JSON object:
creates, errors, wall seconds, and client-side latency p50/p99 per kind.
"""
import http.client
import json
import os
import queue
import ssl
import sys
import threading
import time
import urllib.parse

IMAGE = "example/app:1.0"


def meta(name, ns, owner=None):
    m = {"name": name, "namespace": ns, "labels": {"app": name}}
    if owner:
        api, kind, oname = owner
        m["ownerReferences"] = [{"apiVersion": api, "kind": kind, "name": oname,
                                 "uid": "00000000-0000-4000-8000-000000000001",
                                 "controller": True}]
    return m


def podspec():
    return {"containers": [{"name": "app", "image": IMAGE,
                            "env": [{"name": "PGSSLMODE", "value": "verify-full"}]}]}


def unit(ns, p, i):
    """(kind label, path, body) of one unit."""
    d, rs, job = f"{p}-d{i}", f"{p}-d{i}-rs", f"{p}-j{i}"
    sel = {"matchLabels": {"app": d}}
    tmpl = {"metadata": {"labels": {"app": d}}, "spec": podspec()}
    out = [("deployment", f"/apis/apps/v1/namespaces/{ns}/deployments",
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(d, ns),
             "spec": {"replicas": 4, "selector": sel, "template": tmpl}}),
           ("replicaset(owned)", f"/apis/apps/v1/namespaces/{ns}/replicasets",
            {"apiVersion": "apps/v1", "kind": "ReplicaSet",
             "metadata": meta(rs, ns, ("apps/v1", "Deployment", d)),
             "spec": {"replicas": 4, "selector": sel, "template": tmpl}})]
    for k in range(4):
        out.append(("pod(owned)", f"/api/v1/namespaces/{ns}/pods",
                    {"apiVersion": "v1", "kind": "Pod",
                     "metadata": meta(f"{rs}-{k}", ns, ("apps/v1", "ReplicaSet", rs)),
                     "spec": podspec()}))
    jt = {"spec": dict(podspec(), restartPolicy="Never")}
    out.append(("job", f"/apis/batch/v1/namespaces/{ns}/jobs",
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(job, ns),
                 "spec": {"template": jt}}))
    out.append(("pod(owned)", f"/api/v1/namespaces/{ns}/pods",
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": meta(f"{job}-pod", ns, ("batch/v1", "Job", job)),
                 "spec": dict(podspec(), restartPolicy="Never")}))
    for k in range(2):
        out.append(("configmap", f"/api/v1/namespaces/{ns}/configmaps",
                    {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": meta(f"{p}-c{i}-{k}", ns),
                     "data": {"settings.yaml": f"level: info\nunit: {i}\n"}}))
    return out


def quantile(xs, q):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main():
    api, ca, cert, key, ns, prefix, units, clients = sys.argv[1:9]
    stop_file = sys.argv[9] if len(sys.argv) > 9 else None
    deadline = time.monotonic() + 120
    u = urllib.parse.urlsplit(api)
    if u.hostname not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("load.py: loopback only")
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    work = queue.Queue()
    for i in range(int(units)):
        for item in unit(ns, prefix, i):
            work.put(item)
    lat, errors, lock = {}, [], threading.Lock()

    def client():
        conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
        while True:
            if stop_file and (os.path.exists(stop_file) or time.monotonic() > deadline):
                break
            try:
                kind, path, body = work.get_nowait()
            except queue.Empty:
                break
            data = json.dumps(body).encode()
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=data,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                text = r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
                status, text = 0, str(e).encode()
            dt = time.perf_counter() - t0
            with lock:
                if status == 201:
                    lat.setdefault(kind, []).append(dt)
                else:
                    errors.append(f"{kind} {status} {text[:200]!r}")
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(int(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    allx = [x for v in lat.values() for x in v]
    print(json.dumps({
        "creates": len(allx), "errors": len(errors), "first_errors": errors[:3],
        "wall_s": round(wall, 2), "per_s": round(len(allx) / wall, 1) if wall else 0,
        "client_ms": {k: {"n": len(v), "p50": round(quantile(v, .5) * 1e3, 2),
                          "p99": round(quantile(v, .99) * 1e3, 2)}
                      for k, v in sorted(lat.items()) + [("all", allx)]},
    }))


if __name__ == "__main__":
    main()
