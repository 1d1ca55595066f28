#!/usr/bin/env python3
"""The one Kubernetes API replay server of the tests, for faults.

A replay, not an API server: HTTPS on 127.0.0.1 (ephemeral port, printed on
stdout once listening), answers recorded responses. What a real
kube-apiserver can do is tested against one (tests/e2e/run.sh: certgen with
the chart's RBAC, rotation, PGA103, audit); this server is for what a real
one will not do on demand (timeouts, 5xx, broken bodies, closed connections,
a 403 on PATCH, a rotated token, an untrusted certificate) and for the exact
requests pgadmit sends (JSON Patch bodies, content types, paging queries).

  kube_replay.py CERT KEY TOKEN_FILE LOG_FILE

Every request is appended to LOG_FILE as one JSON line: method, path, query
(parsed: {"limit": ["500"]}), auth_ok, content_type, body (JSON). The bearer
token must equal the content of TOKEN_FILE (re-read per request), else 401.

CronJobs, for `pgadmit serve` (PGA103), from tests/fixtures/serve/kube/:
  GET /apis/batch/v1/namespaces/NS/cronjobs?limit=500[&continue=TOKEN]
  slow      answers after KUBE_REPLAY_SLOW_S seconds (default 5; beyond
            pgadmit's timeout)
  broken    HTTP 500 with a Status object
  garbage   a body that is not JSON (text/html, as a proxy error page)
  badjson   HTTP 200 application/json, cut off in the middle of the list
  closing   reads the request, then closes the connection without a word
  forbidden HTTP 403 (missing RBAC)
  NS.page1.json present: paged answer, page 2 after ?continue=
  anything else without a file: an empty CronJobList

Namespace evidence, for `pgadmit serve` (PGA106 listings, PGA105's
ConfigMap GETs, PGA103's CloudNativePG ScheduledBackups), from
tests/fixtures/serve/kube/evidence/NS/:
  GET .../namespaces/NS/{deployments,statefulsets,services,podmonitors,
      servicemonitors,podmonitorings,scheduledbackups}   RESOURCE.json,
      else an empty list; ?continue=TOKEN: RESOURCE.TOKEN.json (paging)
  GET /api/v1/namespaces/NS/configmaps/NAME   configmap-NAME.json, else 404
  NS "nocrd": the monitoring CRDs and scheduledbackups answer 404 (not
  installed); "evforbidden": services answer 403 (RBAC); "evslow": after
  KUBE_REPLAY_SLOW_S seconds; "sbforbidden", "sbslow": the same for
  scheduledbackups only

Webhook configurations and Secrets, for `pgadmit certgen`, from
tests/fixtures/certgen/: <kind>-<name>.json fixtures; "locked" answers GET
with the pgadmit fixture and PATCH with a recorded 403 Status. Secrets live
in memory: POST creates (409 when present), GET reads, merge PATCH updates.
"""
import copy
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CERT, KEY, TOKEN_FILE, LOG_FILE = sys.argv[1:5]
HERE = os.path.dirname(os.path.abspath(__file__))
CRONJOBS = os.path.join(HERE, "..", "fixtures", "serve", "kube")
CERTGEN = os.path.join(HERE, "..", "fixtures", "certgen")
BATCH = "/apis/batch/v1/namespaces/"
ADMREG = "/apis/admissionregistration.k8s.io/v1/"
KINDS = {
    "validatingwebhookconfigurations": "validatingwebhookconfiguration",
    "mutatingwebhookconfigurations": "mutatingwebhookconfiguration",
}
SLOW_S = float(os.environ.get("KUBE_REPLAY_SLOW_S", "5"))
EVIDENCE = os.path.join(HERE, "..", "fixtures", "serve", "kube", "evidence")
EV_RESOURCES = ("deployments", "statefulsets", "services", "podmonitors",
                "servicemonitors", "podmonitorings", "configmaps",
                "scheduledbackups")
lock = threading.Lock()
secrets = {}


def fixture(name):
    with open(os.path.join(CERTGEN, name)) as f:
        return json.load(f)


def status(code, reason, message):
    return code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                  "status": "Failure", "message": message, "reason": reason,
                  "code": code}


def not_found(msg="the server could not find the requested resource"):
    return status(404, "NotFound", msg)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="application/json"):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"unparsable": raw.decode("latin-1")}
        u = urllib.parse.urlsplit(self.path)
        try:
            with open(TOKEN_FILE) as f:
                want = f.read().strip()
        except OSError:
            want = None
        ok = want is not None and self.headers.get("Authorization") == "Bearer " + want
        with lock:
            with open(LOG_FILE, "a") as log:
                log.write(json.dumps({"method": self.command, "path": u.path,
                                      "query": urllib.parse.parse_qs(u.query),
                                      "auth_ok": ok,
                                      "content_type": self.headers.get("Content-Type"),
                                      "body": body}) + "\n")
        if not ok:
            return self.reply(*status(401, "Unauthorized", "Unauthorized"))
        ev = self.evidence(u.path, urllib.parse.parse_qs(u.query))
        if ev:
            return self.reply(*ev)
        if u.path.startswith(BATCH) and u.path.endswith("/cronjobs"):
            return self.cronjobs(u.path[len(BATCH):-len("/cronjobs")],
                                 urllib.parse.parse_qs(u.query))
        self.reply(*self.route(self.command, u.path, body))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    def cronjobs(self, ns, q):
        def send_file(name):
            with open(os.path.join(CRONJOBS, name), "rb") as f:
                self.reply(200, f.read())
        if self.command != "GET":
            return self.reply(*status(405, "MethodNotAllowed", "method not allowed"))
        if ns == "slow":
            time.sleep(SLOW_S)
            return send_file("shop.json")
        if ns == "broken":
            return self.reply(*status(500, "InternalError", "etcdserver: request timed out"))
        if ns == "forbidden":
            return self.reply(*status(403, "Forbidden", 'cronjobs.batch is forbidden: User "system:serviceaccount:pgadmit:pgadmit" cannot list resource "cronjobs"'))
        if ns == "garbage":
            return self.reply(200, b"<html>proxy error</html>", "text/html")
        if ns == "badjson":
            return self.reply(200, b'{"kind":"CronJobList","apiVersion":"batch/v1","items":[{"metadata":{"name":')
        if ns == "closing":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if os.path.exists(os.path.join(CRONJOBS, ns + ".page1.json")):
            return send_file("%s.%s.json" % (ns, "page2" if q.get("continue") else "page1"))
        if os.path.exists(os.path.join(CRONJOBS, ns + ".json")):
            return send_file(ns + ".json")
        return send_file("empty.json")

    def evidence(self, path, query=None):
        parts = path.strip("/").split("/")
        # api/v1/namespaces/NS/R[/NAME] or apis/G/V/namespaces/NS/R
        if parts[:1] == ["api"]:
            parts = parts[2:]
        elif parts[:1] == ["apis"] and len(parts) > 3:
            group = parts[1]
            parts = parts[3:]
        else:
            return None
        if len(parts) < 3 or parts[0] != "namespaces" or parts[2] not in EV_RESOURCES:
            return None
        ns, res = parts[1], parts[2]
        d = os.path.join(EVIDENCE, ns)
        if res == "configmaps":
            if len(parts) != 4:
                return None
            f = os.path.join(d, "configmap-%s.json" % parts[3])
            if not os.path.exists(f):
                return not_found('configmaps "%s" not found' % parts[3])
            with open(f) as fh:
                return 200, json.load(fh)
        if len(parts) != 3:
            return None
        if ns == "nocrd" and res in ("podmonitors", "servicemonitors", "podmonitorings",
                                     "scheduledbackups"):
            return not_found()
        if ns == "sbforbidden" and res == "scheduledbackups":
            return status(403, "Forbidden", 'scheduledbackups.postgresql.cnpg.io is forbidden: User "system:serviceaccount:pgadmit:pgadmit" cannot list resource "scheduledbackups"')
        if ns == "sbslow" and res == "scheduledbackups":
            time.sleep(SLOW_S)
        cont = (query or {}).get("continue")
        if cont:
            res = res + "." + os.path.basename(cont[0])
        if ns == "evforbidden" and res == "services":
            return status(403, "Forbidden", 'services is forbidden: User "system:serviceaccount:pgadmit:pgadmit" cannot list resource "services"')
        if ns == "evslow":
            time.sleep(SLOW_S)
        f = os.path.join(d, res + ".json")
        if os.path.exists(f):
            with open(f) as fh:
                return 200, json.load(fh)
        return 200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []}

    def route(self, method, path, body):
        if path.startswith(ADMREG):
            parts = path[len(ADMREG):].split("/")
            if len(parts) != 2 or parts[0] not in KINDS:
                return not_found()
            resource, name = parts
            fname = "%s-%s.json" % (KINDS[resource], "pgadmit" if name == "locked" else name)
            if not os.path.exists(os.path.join(CERTGEN, fname)):
                return not_found('%s.admissionregistration.k8s.io "%s" not found' % (resource, name))
            obj = fixture(fname)
            if method == "GET":
                return 200, obj
            if method == "PATCH" and name == "locked":
                return 403, fixture("status-forbidden.json")
            if method == "PATCH":
                if self.headers.get("Content-Type") != "application/json-patch+json":
                    return status(415, "UnsupportedMediaType", "unsupported patch type")
                for op in body:
                    if op["op"] == "test" and op["value"] != obj["metadata"]["resourceVersion"]:
                        return status(422, "Invalid", "the server rejected our request due to an error in our request")
                    if op["op"] == "add":
                        i = int(op["path"].split("/")[2])
                        obj["webhooks"][i]["clientConfig"]["caBundle"] = op["value"]
                return 200, obj
            return status(405, "MethodNotAllowed", "method not allowed")
        parts = path.split("/")
        # /api/v1/namespaces/NS/secrets[/NAME]
        if len(parts) >= 6 and parts[1:4] == ["api", "v1", "namespaces"] and parts[5] == "secrets":
            ns = parts[4]
            if len(parts) == 6 and method == "POST":
                key = (ns, body["metadata"]["name"])
                if key in secrets:
                    return status(409, "AlreadyExists", 'secrets "%s" already exists' % key[1])
                obj = copy.deepcopy(body)
                obj["metadata"]["resourceVersion"] = "1"
                secrets[key] = obj
                return 201, obj
            if len(parts) == 7:
                key = (ns, parts[6])
                if key not in secrets:
                    return not_found('secrets "%s" not found' % key[1])
                if method == "GET":
                    return 200, secrets[key]
                if method == "PATCH":
                    if self.headers.get("Content-Type") != "application/merge-patch+json":
                        return status(415, "UnsupportedMediaType", "unsupported patch type")
                    if "data" in body:
                        secrets[key]["data"] = body["data"]
                    for k, v in body.get("metadata", {}).items():
                        secrets[key]["metadata"][k] = v
                    return 200, secrets[key]
        return not_found()


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
