"""When DynamoDB cannot be reached: 503 `unavailable` with a request id, never a 500, never a
half-written item; viewers get the viewer headers (and a page, on the HTML route).

The outage is real: the service points at a port where nothing listens.
"""
from __future__ import annotations

import http.server
import threading
from typing import Any, Iterator

import pytest
from chalice.test import Client

from chalicelib.tenancy import tenants
from chalicelib.service import Keyhole
from devstack.moto_server import free_port
from tests.conftest import Api, settings_for


@pytest.fixture
def down(aws: Any, svc: Keyhole) -> Iterator[Any]:
    """A tenant created while AWS was up, then an API whose AWS endpoint refuses connections."""
    import app as app_module

    _, admin = tenants.create_tenant(svc, name="Outage Co", plan="team")
    broken = Keyhole(settings_for(aws, aws_endpoint=f"http://127.0.0.1:{free_port()}",
                                  aws_connect_timeout_seconds=0.5, aws_read_timeout_seconds=0.5))
    app_module.use_service(broken)
    with Client(app_module.app, stage_name="local") as client:
        yield Api(client), admin
    app_module.use_service(None)


def test_admin_api_answers_503_with_a_request_id(down):
    api, admin = down
    reply = api.get("/v1/tenant", key=admin)
    assert reply.status == 503
    assert reply.json["error"]["code"] == "unavailable" and reply.json["error"]["request_id"]
    assert reply.headers["x-request-id"] == reply.json["error"]["request_id"]


def test_viewer_json_answers_503_with_viewer_headers(down):
    api, _ = down
    reply = api.get(f"/share/{'A' * 64}/data")
    assert reply.status == 503 and reply.json["error"]["code"] == "unavailable"
    assert reply.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]


def test_viewer_page_answers_503_with_a_page_not_json(down):
    api, _ = down
    reply = api.get(f"/share/{'A' * 64}")
    assert reply.status == 503
    assert reply.headers["content-type"].startswith("text/html")
    assert b"Temporarily unavailable" in reply.body and reply.json is None
    assert reply.headers["x-robots-tag"] == "noindex, nofollow"


class _EmulatorBug(http.server.BaseHTTPRequestHandler):
    """What moto's server answers when it hits a bug of its own: an HTML 500, no AWS error code."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b"<!doctype html><title>500 Internal Server Error</title><h1>Internal Server Error</h1>"
        self.send_response(500)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def html_500(aws: Any, svc: Keyhole) -> Iterator[Any]:
    """A tenant created while AWS was up, then an API whose DynamoDB answers HTML 500s."""
    import app as app_module

    _, admin = tenants.create_tenant(svc, name="Emulator Co", plan="team")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EmulatorBug)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    broken = Keyhole(settings_for(aws, aws_endpoint=f"http://127.0.0.1:{server.server_port}"))
    app_module.use_service(broken)
    try:
        with Client(app_module.app, stage_name="local") as client:
            yield Api(client), admin
    finally:
        app_module.use_service(None)
        server.shutdown()
        server.server_close()


def test_an_emulator_html_500_is_a_503_not_a_500(html_500):
    api, admin = html_500
    for reply in (api.get("/v1/tenant", key=admin),
                  api.put("/v1/resources/r1", key=admin, body={"type": "t", "name": "n", "document": {}})):
        assert reply.status == 503, reply
        assert reply.json["error"]["code"] == "unavailable" and reply.json["error"]["request_id"]
        assert b"<" not in reply.body  # the emulator's HTML is not echoed
    viewer = api.get(f"/share/{'A' * 64}/data")
    assert viewer.status == 503 and viewer.json["error"]["code"] == "unavailable"
