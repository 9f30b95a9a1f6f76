#!/usr/bin/env python3
"""A counting proxy between stackhost and moto's server.

Forwards every request unchanged and appends one line per request to a log
file: "<signing service> <operation>", read from the SigV4 credential scope
and the query Action or the JSON X-Amz-Target. Prints its port on stdout.

usage: count_proxy.py UPSTREAM_URL LOG_FILE
"""
import http.server
import re
import sys
import threading
import urllib.error
import urllib.request

UPSTREAM, LOG = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()
HOP = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding", "expect"}


class Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.forward()

    def do_GET(self):
        self.forward()

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        service = scope.group(1) if scope else "-"
        target = self.headers.get("X-Amz-Target")
        if target:
            operation = target.rsplit(".", 1)[-1]
        else:
            action = re.search(rb"(?:^|&)Action=([^&]+)", body)
            operation = action.group(1).decode() if action else "-"
        with LOCK, open(LOG, "a") as log:
            log.write(f"{service} {operation}\n")
        request = urllib.request.Request(UPSTREAM + self.path, data=body if self.command == "POST" else None,
                                         method=self.command)
        for name, value in self.headers.items():
            if name.lower() not in HOP:
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, data, headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, data, headers = error.code, error.read(), error.headers
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in HOP | {"server", "date"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
print(server.server_address[1], flush=True)
server.serve_forever()
