"""A small origin service for the local stack and the tests: what a tenant runs behind an origin
resource. It refuses every request that did not come through Keyhole (verifying the Standard
Webhooks signature over the canonical request, exactly as docs/origins.md shows), and serves:

- `/`: a monitor dashboard page (HTML) that loads `app.js` and `api/status` by *relative* URLs;
- `/api/status`, `/api/checks`: a monitor-like JSON API with live values;
- test helpers: `/echo/...` (what the origin received), `/redirect?to=`, `/cookie`, `/slow?s=`,
  `/big?n=`, `/image.png` (binary), `/csp` (a page with its own CSP), `/html` (a plain page).

Run alone: `DEMO_ORIGIN_SECRETS=whsec_... python -m devstack.origin --port 9100` (comma-separated
secrets; in tests, set `OriginServer.secrets`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

CANONICAL_VERSION = "keyhole-origin-v1"

# The demo page, its script and style, and the browser test's probe page (a page whose script
# tries to reach what a proxied page must not: Keyhole's cookies and pages, another link's content
# origin and storage; the URLs come in the query).
ASSETS = Path(__file__).with_name("origin_assets")


def _asset(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


# A tiny PNG followed by every byte value: binary bodies must arrive byte for byte.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)
BINARY = PNG + bytes(range(256)) * 4


def canonical_request(method: str, raw_target: str, link_id: str, body: bytes) -> str:
    """What Keyhole signed, rebuilt from the request as received (docs/origins.md)."""
    path, _, query = raw_target.partition("?")
    return "\n".join((CANONICAL_VERSION, method, path, query, link_id, hashlib.sha256(body).hexdigest()))


def verify(accepted: Sequence[str], method: str, raw_target: str, headers: Any, body: bytes) -> bool:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    canonical = canonical_request(method, raw_target, headers.get("x-keyhole-link-id", ""), body)
    wanted = {name: headers.get(name, "") for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    for secret in accepted:
        try:
            Webhook(secret).verify(canonical, wanted, json_parse=False)
            return True
        except WebhookVerificationError:
            continue
    return False


class OriginServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, secrets: Sequence[str] = ()) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.secrets: list[str] = list(secrets)
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before the answer was written (Keyhole gave up on a slow origin
        and answered 504, a browser navigated away) is what an origin sees every day, not an
        error: no traceback. Anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError, ConnectionResetError, ...
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: OriginServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        verified = verify(self.server.secrets, self.command, self.path, self.headers, body)
        entry = {
            "method": self.command,
            "target": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "verified": verified,
        }
        with self.server.lock:
            self.server.received.append(entry)
        if not verified:
            self._send(401, {"error": "this origin only answers requests signed by Keyhole"})
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path in ("/", "/index.html"):
            self._send(200, _asset("page.html"), "text/html; charset=utf-8")
        elif path == "/app.js":
            self._send(200, _asset("app.js"), "text/javascript")
        elif path == "/style.css":
            self._send(200, _asset("style.css"), "text/css")
        elif path == "/api/status":
            self._send(
                200,
                {
                    "monitor": "checkout-api",
                    "status": "up",
                    "latency_ms": 40 + secrets.randbelow(50),
                    "checked_at": time.strftime("%H:%M:%S"),
                },
            )
        elif path == "/api/checks":
            now = time.time()
            self._send(
                200,
                {
                    "items": [
                        {
                            "at": time.strftime("%H:%M:%S", time.gmtime(now - 30 * i)),
                            "status": "up",
                            "latency_ms": 40 + (i * 7) % 50,
                        }
                        for i in range(5)
                    ]
                },
            )
        elif path == "/redirect" or path.endswith("/redirect"):  # below a base path too
            self._send(302, b"", "text/plain", extra={"Location": query.get("to", ["/"])[0]})
        elif path == "/cookie":
            self._send(200, {"ok": True}, extra={"Set-Cookie": "origin_session=abc; Path=/"})
        elif path == "/slow":
            time.sleep(float(query.get("s", ["5"])[0]))
            self._send(200, {"slow": True})
        elif path == "/big":
            self._send(200, b"x" * int(query.get("n", ["1024"])[0]), "application/octet-stream")
        elif path == "/image.png":
            self._send(200, BINARY, "image/png")
        elif path == "/csp":
            self._send(
                200,
                b"<html><body><p>csp page</p></body></html>",
                "text/html",
                extra={
                    "Content-Security-Policy": "default-src 'self'; frame-ancestors *",
                    "X-Frame-Options": "ALLOWALL",
                    "Cache-Control": "public, max-age=3600",
                    "Access-Control-Allow-Origin": "*",
                    "Strict-Transport-Security": "max-age=1",
                },
            )
        elif path == "/probe":
            self._send(200, _asset("probe.html"), "text/html; charset=utf-8")
        elif path == "/html":
            self._send(
                200,
                b"<!doctype html><html><head><title>t</title></head><body class=x><p>hello</p></body></html>",
                "text/html; charset=utf-8",
            )
        else:  # /echo/... and anything else: what the origin received
            self._send(
                200,
                {
                    "method": self.command,
                    "target": self.path,
                    "headers": entry["headers"],
                    "body_sha256": hashlib.sha256(body).hexdigest(),
                    "body_length": len(body),
                },
            )

    def _send(
        self, status: int, body: Any, content_type: str = "application/json", extra: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--secret", action="append", default=[])
    args = parser.parse_args(argv)
    # The demo's secret comes in the environment (a command line is visible to every local user).
    secrets_from_env = [s for s in os.environ.get("DEMO_ORIGIN_SECRETS", "").split(",") if s]
    OriginServer(args.port, [*args.secret, *secrets_from_env]).serve_forever()


if __name__ == "__main__":
    main()
