"""A real HTTP server that records the notifications (or forwarded requests) it receives. Paths
decide behaviour: /slow/... waits `slow_seconds` before answering, /fail/... answers 500,
/missing/... 404, anything else 200; `script` gives a path prefix its own answer (a context
provider's entities). Any method is taken; a body that is not JSON is kept as text."""
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, slow_seconds=2.0, tls=None):
        """tls: (certificate file, key file) to answer HTTPS."""
        self.slow_seconds = slow_seconds
        self.received = []  # (arrival time, path, headers, body, method)
        self.cond = threading.Condition()
        self.scripts = {}  # path prefix -> (status, body bytes, headers)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode()
                if self.path.startswith("/slow"):
                    time.sleep(receiver.slow_seconds)
                status = 500 if self.path.startswith("/fail") else 404 if self.path.startswith("/missing") else 200
                answer, headers = b"", {}
                for prefix, (s, a, h) in receiver.scripts.items():
                    if self.path.startswith(prefix):
                        status, answer, headers = s, a, h
                with receiver.cond:
                    receiver.received.append((time.time(), self.path, dict(self.headers), body, self.command))
                    receiver.cond.notify_all()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, prefix, status=200, body=None, headers=None):
        """Answers requests under `prefix` with `status` and `body` (JSON unless bytes or str)."""
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
        self.scripts[prefix] = (status, data, dict(headers or {}, **({"Content-Type": "application/json"} if data else {})))

    def bodies(self, path):
        with self.cond:
            return [r[3] for r in self.received if r[1] == path]

    def wait(self, path, count, timeout=5.0):
        """The bodies received on `path` once there are at least `count` (or fails)."""
        deadline = time.time() + timeout
        with self.cond:
            while len([r for r in self.received if r[1] == path]) < count:
                left = deadline - time.time()
                if left <= 0:
                    got = [r[3] for r in self.received if r[1] == path]
                    raise AssertionError(f"{path}: {len(got)} notifications after {timeout}s, wanted {count}: {got}")
                self.cond.wait(left)
            return [r for r in self.received if r[1] == path]
