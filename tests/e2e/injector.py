#!/usr/bin/env python3
"""tests/e2e/injector.py — a stand-in sidecar injector for the e2e
reinvocation scenario: a mutating webhook, called after pgadmit's (its
configuration's name sorts after pgadmit-mutating), that adds an env var
with a connection string to the first container of a Deployment that has
none yet. pgadmit then sees the change only if it is reinvoked
(reinvocationPolicy: IfNeeded).

    injector.py CERT KEY PORT_FILE

Listens on 127.0.0.1 (an ephemeral port written to PORT_FILE), HTTPS only.
"""
import base64
import http.server
import json
import ssl
import sys

ENV = {"name": "INJECTED_DATABASE_URL",
       "value": "postgresql://app@db.injected.svc/app?sslmode=disable"}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        review = json.loads(self.rfile.read(n) or b"{}")
        req = review.get("request", {})
        obj = req.get("object") or {}
        resp = {"uid": req.get("uid", ""), "allowed": True}
        try:
            c = obj["spec"]["template"]["spec"]["containers"][0]
        except (KeyError, IndexError, TypeError):
            c = None
        if c is not None and not any(e.get("name") == ENV["name"] for e in c.get("env") or []):
            base = "/spec/template/spec/containers/0/env"
            patch = ([{"op": "add", "path": base + "/-", "value": ENV}] if c.get("env")
                     else [{"op": "add", "path": base, "value": [ENV]}])
            resp["patchType"] = "JSONPatch"
            resp["patch"] = base64.b64encode(json.dumps(patch).encode()).decode()
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": resp}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("injector: " + fmt % args + "\n")


def main():
    cert, key, port_file = sys.argv[1:4]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(port_file, "w") as f:
        f.write(str(srv.server_address[1]))
    srv.serve_forever()


if __name__ == "__main__":
    main()
