"""A FastAPI service behind Keyhole's origin links: the middleware lets through only requests that
Keyhole signed for a live link (unsigned, tampered and replayed ones get 401), and tells the app
which link and viewer asked.

    # PUT an origin resource whose origin url is http://127.0.0.1:9200, keep its origin_secret, then:
    KEYHOLE_ORIGIN_SECRETS=whsec_... uvicorn --factory examples.fastapi_origin.app:from_env --port 9200
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from keyhole_client.origin import KeyholeOriginASGI, OriginRequest

PAGE = """<!doctype html><title>Build status</title><h1>Build status</h1>
<p id="status">loading</p><script>fetch("api/status").then(r => r.json()).then(s => {
document.getElementById("status").textContent = s.status + " (shared as " + s.share_name + ")"; });</script>"""


def create_app(secrets: list[str]) -> FastAPI:
    app = FastAPI(title="Build status", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(KeyholeOriginASGI, secrets=secrets)  # both secrets during a rotation

    def asked_by(request: Request) -> OriginRequest:
        origin: OriginRequest = request.state.keyhole_origin
        return origin

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE

    @app.get("/api/status")
    def status(request: Request) -> dict[str, Any]:
        who = asked_by(request)
        return {
            "status": "green",
            "builds": 42,
            "link_id": who.link_id,
            "share_name": who.share_name,
            "viewer_ip": who.viewer_ip,
        }

    @app.post("/api/echo")
    async def echo(request: Request) -> dict[str, Any]:
        return {"received": (await request.body()).decode("utf-8"), "link_id": asked_by(request).link_id}

    return app


def from_env() -> FastAPI:
    return create_app(os.environ["KEYHOLE_ORIGIN_SECRETS"].split(","))
