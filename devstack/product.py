"""A small demo product for `make run` and the browser tests: the page of a product that adopted
Keyhole, on an origin of its own (`http://product.localhost:<port>`, another site than Keyhole's
`http://127.0.0.1:<port>`), with a "Share" button that opens Keyhole's share dialog in an iframe.

It does what a real product's backend does: it holds the API key (never sent to the browser) and,
when the user clicks "Share", mints a console session for that one resource
(`POST /v1/console/sessions {resource_id, actor}`) and hands the browser the one-time URL. The
page listens to the dialog's `postMessage`s (from Keyhole's origin only) and shows them.

- `/`: the product page; `/product.js`: its script; `/api/share-dialog?resource=`: the one-time
  dialog URL (JSON); `/console`: a fresh console session (admin), by redirect;
- `/frame?url=`: a page that frames one Keyhole URL (a wall display showing an `embeddable`
  link, or, from an origin the tenant did not list, a page the browser must refuse to frame).

Run alone: `DEMO_PRODUCT_KEY=kh_... python -m devstack.product --port 9200 --api http://127.0.0.1:8000
--resource checkout-api` (the key comes in the environment: a command line is visible to every local user).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "product.localhost"

ASSETS = Path(__file__).with_name("product_assets")  # the demo page, its frame page, style and script


def _asset(name: str, **values: str) -> str:
    """The asset with each `__NAME__` placeholder replaced by its value."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


class ProductServer(ThreadingHTTPServer):
    """The demo product on 127.0.0.1:`port`, reached as http://product.localhost:`port`."""

    daemon_threads = True

    def __init__(self, port: int, *, api_url: str, api_key: str, resource_id: str, actor: str = "demo-user") -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key
        self.resource_id = resource_id
        self.actor = actor

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError)):
            return  # a browser that went away
        super().handle_error(request, client_address)

    def mint(self, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /v1/console/sessions` with the product's key: what its backend does."""
        request = urllib.request.Request(  # noqa: S310 (the local stack's own URL)
            f"{self.api_url}/v1/console/sessions",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the local stack's URL)
            answer: dict[str, Any] = json.loads(response.read())
            return answer


class Handler(BaseHTTPRequestHandler):
    server: ProductServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the one-time URLs are not logged

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        keyhole_origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.server.api_url))
        if path == "/":
            self._send(200, "text/html; charset=utf-8", _asset("page.html", __RESOURCE__=self.server.resource_id))
        elif path == "/product.js":
            self._send(200, "text/javascript; charset=utf-8", _asset("product.js", __KEYHOLE__=keyhole_origin))
        elif path == "/product.css":
            self._send(200, "text/css; charset=utf-8", _asset("product.css"))
        elif path == "/frame":
            target = (parse_qs(urlsplit(self.path).query).get("url") or [""])[0]
            if not target.startswith(keyhole_origin + "/"):
                self._send(400, "text/plain; charset=utf-8", "only Keyhole's own URLs")
                return
            self._send(200, "text/html; charset=utf-8", _asset("frame.html", __URL__=html.escape(target, quote=True)))
        elif path == "/console":
            answer = self.server.mint({"role": "admin", "actor": self.server.actor})
            self.send_response(303)
            self.send_header("Location", answer["url"])
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, "text/plain; charset=utf-8", "not found")

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/api/share-dialog":
            self._send(404, "text/plain; charset=utf-8", "not found")
            return
        resource = (parse_qs(parts.query).get("resource") or [self.server.resource_id])[0]
        answer = self.server.mint({"resource_id": resource, "actor": self.server.actor})
        self._send(200, "application/json", json.dumps({"url": answer["url"]}))

    def _send(self, status: int, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        keyhole_origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.server.api_url))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'self'; frame-src {keyhole_origin}; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'none'",
        )
        self.end_headers()
        self.wfile.write(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--api", required=True)
    parser.add_argument("--resource", default="checkout-api")
    args = parser.parse_args(argv)
    key = os.environ.get("DEMO_PRODUCT_KEY", "")
    ProductServer(args.port, api_url=args.api, api_key=key, resource_id=args.resource).serve_forever()


if __name__ == "__main__":
    main()
