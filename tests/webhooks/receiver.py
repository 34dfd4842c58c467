"""A webhook receiver for the tests: verifies every request with the Standard Webhooks
library from PyPI (`standardwebhooks`), and logs what it got as JSON lines.

    receiver.py PORT SECRET LOG MODE

MODE is `ok` (answer 204), `gone` (answer 410), or `fail:N` (answer 500 to the first N
requests, then 204). Prints `ready` once it listens. With RECEIVER_ON_CUE set, it prints
`loaded` once its libraries are imported and listens only when a line comes on standard
input, so that a test can bring a "down" receiver up within milliseconds.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

port, secret, log_path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
webhook = Webhook(secret)
lock = threading.Lock()
state = {"requests": 0}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = webhook.verify(body, headers)
            verified = True
        except Exception as e:  # the library's verification error
            payload, verified = {"error": repr(e)}, False
        with lock:
            state["requests"] += 1
            n = state["requests"]
            with open(log_path, "a") as log:
                log.write(json.dumps({
                    "id": headers.get("webhook-id"),
                    "verified": verified,
                    "signatures": headers.get("webhook-signature", "").count("v1,"),
                    "payload": payload,
                }) + "\n")
        if not verified:
            status = 401
        elif mode == "gone":
            status = 410
        elif mode.startswith("fail:") and n <= int(mode.split(":")[1]):
            status = 500
        else:
            status = 204
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if os.environ.get("RECEIVER_ON_CUE"):
    print("loaded", flush=True)
    sys.stdin.readline()
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
