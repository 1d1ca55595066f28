#!/usr/bin/env python3
"""Kubernetes API replay server for the PGA103 tests of `pgadmit serve`.

Serves recorded CronJobList responses (tests/fixtures/serve/kube/) over
HTTPS the way kube-apiserver does for
  GET /apis/batch/v1/namespaces/NS/cronjobs?limit=500[&continue=TOKEN]
It is a replay, not an API server: namespaces map to recorded files, and a
few namespaces simulate failures:
  slow     answers after KUBE_REPLAY_SLOW_S seconds (default 5; beyond
           pgadmit's timeout)
  broken   HTTP 500 with a Status object
  garbage  a body that is not JSON (text/html, as a proxy error page)
  badjson  HTTP 200 application/json, cut off in the middle of the list
  closing  reads the request, then closes the connection without a word
  forbidden HTTP 403 (missing RBAC)
  NS.page1.json present: paged answer, page 2 after ?continue=
  anything else without a file: an empty CronJobList
The bearer token must equal the content of TOKEN_FILE (re-read per request),
else 401. Every request is appended to LOG_FILE as one JSON line.

usage: kube_replay_server.py CERT KEY FIXTURE_DIR TOKEN_FILE LOG_FILE
Prints the port on stdout once listening (127.0.0.1, ephemeral port).
"""
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CERT, KEY, FIX, TOKEN_FILE, LOG = sys.argv[1:6]
PREFIX = "/apis/batch/v1/namespaces/"
SLOW_S = float(os.environ.get("KUBE_REPLAY_SLOW_S", "5"))
lock = threading.Lock()


def status(code, reason, msg):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": msg, "reason": reason, "code": code}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json"):
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

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        auth = self.headers.get("Authorization", "")
        try:
            want = open(TOKEN_FILE).read().strip()
        except OSError:
            want = None
        ok = want is not None and auth == "Bearer " + want
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": u.path, "query": q, "auth_ok": ok}) + "\n")
        if not ok:
            return self.send(401, status(401, "Unauthorized", "Unauthorized"))
        if not (u.path.startswith(PREFIX) and u.path.endswith("/cronjobs")):
            return self.send(404, status(404, "NotFound", "the server could not find the requested resource"))
        ns = u.path[len(PREFIX):-len("/cronjobs")]
        if ns == "slow":
            time.sleep(SLOW_S)
            return self.send(200, json.load(open(os.path.join(FIX, "shop.json"))))
        if ns == "broken":
            return self.send(500, status(500, "InternalError", "etcdserver: request timed out"))
        if ns == "forbidden":
            return self.send(403, status(403, "Forbidden", 'cronjobs.batch is forbidden: User "system:serviceaccount:pgadmit:pgadmit" cannot list resource "cronjobs"'))
        if ns == "garbage":
            return self.send(200, b"<html>proxy error</html>", "text/html")
        if ns == "badjson":
            return self.send(200, b'{"kind":"CronJobList","apiVersion":"batch/v1","items":[{"metadata":{"name":')
        if ns == "closing":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        paged = os.path.join(FIX, ns + ".page1.json")
        if os.path.exists(paged):
            page = "page2" if q.get("continue") else "page1"
            return self.send(200, open(os.path.join(FIX, f"{ns}.{page}.json"), "rb").read())
        f = os.path.join(FIX, ns + ".json")
        if os.path.exists(f):
            return self.send(200, open(f, "rb").read())
        return self.send(200, open(os.path.join(FIX, "empty.json"), "rb").read())


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
