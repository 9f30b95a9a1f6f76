#!/usr/bin/env python3
"""A counting proxy between stackhost and moto's server.

Forwards every request unchanged and appends one line per request to a log
file: "<signing service> <operation>", read from the SigV4 credential scope
and the query Action or the JSON X-Amz-Target. Prints its port on stdout.

--latency-ms N   waits N ms before forwarding each request, in that
                 request's own thread, so concurrent requests overlap as
                 they would against a distant endpoint.
--json-log FILE  also appends one JSON object per request: service,
                 operation, start, end (epoch seconds around the whole
                 handling, latency included), status and port (the
                 client's side of the connection).

usage: count_proxy.py [--latency-ms N] [--json-log FILE] UPSTREAM_URL LOG_FILE
"""
import argparse
import http.server
import json
import re
import threading
import time
import urllib.error
import urllib.request

parser = argparse.ArgumentParser(description="Forward to UPSTREAM_URL, one log line per request.")
parser.add_argument("upstream", metavar="UPSTREAM_URL")
parser.add_argument("log", metavar="LOG_FILE")
parser.add_argument("--latency-ms", type=float, default=0.0, metavar="N")
parser.add_argument("--json-log", metavar="FILE")
ARGS = parser.parse_args()
LOCK = threading.Lock()
HOP = {"host", "content-length", "connection", "keep-alive", "accept-encoding", "transfer-encoding", "expect",
       "te", "trailer", "upgrade", "proxy-connection"}


class Verbatim(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # a redirect is the client's to follow


# No HTTP_PROXY from the environment, no redirects followed.
UPSTREAM = urllib.request.build_opener(urllib.request.ProxyHandler({}), Verbatim)


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # not 5: a burst of connections must not wait for SYN retries


def append(path, line):
    # Opened per line so that a test can truncate the file between steps.
    with LOCK, open(path, "a") as log:
        log.write(line + "\n")


class Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each answer goes out in one write, with Nagle off: as two small
    # writes (headers, then body) the body waited for the client's delayed
    # ACK, ~40 ms a request on loopback.
    disable_nagle_algorithm = True

    def forward(self):
        start = time.time()
        body = self.read_body()
        scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        service = scope.group(1) if scope else "-"
        target = self.headers.get("X-Amz-Target")
        if target:
            operation = target.rsplit(".", 1)[-1]
        else:
            action = re.search(rb"(?:^|&)Action=([^&]+)", body)
            operation = action.group(1).decode() if action else "-"
        append(ARGS.log, f"{service} {operation}")
        if ARGS.latency_ms > 0:
            time.sleep(ARGS.latency_ms / 1000)
        request = urllib.request.Request(ARGS.upstream + self.path, method=self.command,
                                         data=body if body or self.command in ("POST", "PUT") else None)
        for name, value in self.headers.items():
            if name.lower() not in HOP:
                request.add_header(name, value)
        try:
            with UPSTREAM.open(request, timeout=60) as answer:
                status, data, headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, data, headers = error.code, error.read(), error.headers
        except OSError as error:
            # An answer rather than a dropped connection, so that the client's
            # kept-alive connection stays usable.
            status, data, headers = 502, f"count_proxy: {error}\n".encode(), {}
        head = [f"{self.protocol_version} {status} {self.responses.get(status, ('',))[0]}"]
        head += [f"{name}: {value}" for name, value in headers.items() if name.lower() not in HOP | {"server", "date"}]
        length = headers.get("Content-Length", len(data)) if self.command == "HEAD" else len(data)
        head.append(f"Content-Length: {length}")
        if self.close_connection:
            head.append("Connection: close")
        if ARGS.json_log:
            # Logged before the answer is sent: once the client has its last
            # answer, the log is complete.
            append(ARGS.json_log, json.dumps({"service": service, "operation": operation, "start": start,
                                              "end": time.time(), "status": status,
                                              "port": self.client_address[1]}))
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (b"" if self.command == "HEAD" else data))

    def read_body(self):
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""
        # Read to the very end, trailers included, or the next request on
        # this connection would start mid-body.
        body = b""
        while size := int(self.rfile.readline().split(b";")[0], 16):
            body += self.rfile.read(size + 2)[:size]
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return body

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = forward

    def log_message(self, *args):
        pass


server = Server(("127.0.0.1", 0), Forward)
print(server.server_address[1], flush=True)
server.serve_forever()
