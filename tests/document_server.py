"""An HTTP server of documents that also fails on purpose: 404s, 5xx, slow answers, binaries."""

import http.server
import threading
import time


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes, float]] = {}

    def do_GET(self):  # noqa: N802
        route = self.routes.get(self.path)
        if route is None:
            status, content_type, body, delay = 404, "text/html", b"<html><body>404 Not Found</body></html>", 0.0
        else:
            status, content_type, body, delay = route
        time.sleep(delay)
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
            pass

    def log_message(self, format, *args):  # noqa: A002
        pass


class DocumentServer:
    """route(path, status, content_type, body, delay) adds a page; anything else is a 404 page."""

    def __init__(self) -> None:
        handler = type("Handler", (_Handler,), {"routes": {}})
        self.routes = handler.routes
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, path: str, status: int = 200, content_type: str = "text/plain; charset=utf-8",
              body: str | bytes = b"", delay: float = 0.0) -> str:  # fmt: skip
        self.routes[path] = (status, content_type, body.encode() if isinstance(body, str) else body, delay)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self) -> "DocumentServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
