#!/usr/bin/env python3
"""Generate a multi-document Kubernetes bundle of about SIZE bytes:
Deployments and Services in many namespaces, a few of them with findings
(inline DATABASE_URL, NodePort on 5432, a Postgres StatefulSet).
usage: gen_bundle.py SIZE_BYTES OUT"""
import sys

size, out = int(sys.argv[1]), sys.argv[2]
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-{i}
  namespace: team-{ns}
  labels: {{app.kubernetes.io/name: api-{i}, app.kubernetes.io/part-of: shop}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: api-{i}}}
  template:
    metadata:
      labels: {{app: api-{i}}}
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:{i}.0.1
          ports:
            - {{containerPort: 8080, name: http}}
          env:
            - {{name: LOG_LEVEL, value: info}}
            - name: DATABASE_URL
              value: {url}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: api-{i}
  namespace: team-{ns}
spec:
  type: {svctype}
  selector: {{app: api-{i}}}
  ports:
    - {{name: http, port: {port}, targetPort: 8080}}
---
"""
written = 0
i = 0
with open(out, "w") as f:
    while written < size:
        bad = i % 100 == 0
        doc = DEPLOY.format(
            i=i, ns=i % 50,
            url=("postgresql://app:pw{0}@db:5432/app".format(i) if bad
                 else "postgresql://app:$(DB_PASSWORD)@db:5432/app?sslmode=verify-full"),
            svctype="NodePort" if i % 250 == 0 else "ClusterIP",
            port=5432 if i % 250 == 0 else 80)
        f.write(doc)
        written += len(doc)
        i += 1
print("%s: %d bytes, %d objects" % (out, written, 2 * i))
