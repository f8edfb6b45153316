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
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "product.localhost"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Monitoring: Checkout API</title><link rel="stylesheet" href="/product.css"></head>
<body><header><strong>Acme Monitoring</strong> <span>(a demo product that embeds Keyhole)</span></header>
<main><h1>Checkout API</h1>
<p>Uptime 99.98% over 30 days. Share a read-only status page with a customer:</p>
<p><button type="button" id="share" data-resource="__RESOURCE__">Share</button></p>
<section id="sheet" hidden aria-label="Share dialog">
<iframe id="dialog" title="Share Checkout API" allow="clipboard-write" referrerpolicy="no-referrer"></iframe></section>
<h2>What the dialog told this page</h2><ol id="events" aria-live="polite"></ol></main>
<script src="/product.js"></script></body></html>
"""

STYLE = """body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f3f4f6;color:#111}
header{background:#1f2937;color:#fff;padding:.75rem 1rem}main{max-width:820px;margin:0 auto;padding:1rem}
button{font:inherit;padding:.5rem 1rem;border-radius:8px;border:1px solid #1f2937;background:#fff;min-height:44px}
#sheet{background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.2);margin:1rem 0}
iframe{width:100%;height:620px;border:0;border-radius:12px;display:block}
#events{font-family:ui-monospace,monospace;font-size:.85rem}
@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}main button{background:#1f2937;color:#fff}}
"""

FRAME_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wall display</title>
<link rel="stylesheet" href="/product.css"></head>
<body><main><h1>Wall display</h1><iframe id="framed" title="Shared status" src="__URL__"></iframe>
<ol id="events"></ol></main><script src="/product.js"></script></body></html>
"""

SCRIPT = """(function () {
  var keyhole = "__KEYHOLE__";
  var frame = document.getElementById("dialog");
  var sheet = document.getElementById("sheet");
  var events = document.getElementById("events");
  var share = document.getElementById("share");
  if (share) share.addEventListener("click", function () {
    var resource = this.getAttribute("data-resource");
    fetch("/api/share-dialog?resource=" + encodeURIComponent(resource), {method: "POST"})
      .then(function (r) { return r.json(); })
      .then(function (answer) { frame.src = answer.url; sheet.hidden = false; });
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== keyhole || !event.data || typeof event.data.type !== "string") { return; }
    if (event.data.type === "keyhole:resize" && frame) {
      frame.style.height = Math.max(320, event.data.detail.height) + "px";
      return;
    }
    if (event.data.type === "keyhole:close" && frame) { sheet.hidden = true; frame.removeAttribute("src"); }
    var item = document.createElement("li");
    item.textContent = event.data.type + " " + JSON.stringify(event.data.detail);
    events.appendChild(item);
  });
})();
"""


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
            self._send(200, "text/html; charset=utf-8", PAGE.replace("__RESOURCE__", self.server.resource_id))
        elif path == "/product.js":
            self._send(200, "text/javascript; charset=utf-8", SCRIPT.replace("__KEYHOLE__", keyhole_origin))
        elif path == "/product.css":
            self._send(200, "text/css; charset=utf-8", STYLE)
        elif path == "/frame":
            target = (parse_qs(urlsplit(self.path).query).get("url") or [""])[0]
            if not target.startswith(keyhole_origin + "/"):
                self._send(400, "text/plain; charset=utf-8", "only Keyhole's own URLs")
                return
            self._send(200, "text/html; charset=utf-8", FRAME_PAGE.replace("__URL__", html.escape(target, quote=True)))
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
