"""Origin links end to end over HTTP: `chalice local`, moto, and a real origin that verifies every
Standard Webhooks signature it receives."""

from __future__ import annotations

import hashlib
from typing import Any, Dict

import pytest

from chalicelib.viewer.resolve import NOT_FOUND_BODY
from tests.origin.kit import OriginLink, request
from tests.support import fresh_ip, make_tenant

pytestmark = pytest.mark.usefixtures("http_stack")


class HttpApi:
    """JSON over real HTTP to the stack's admin API."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, *, key: str, body: Any = None) -> Any:
        import json

        reply = request(self.base, method, path, headers={"Authorization": f"Bearer {key}",
                                                          "Content-Type": "application/json"},
                        body=json.dumps(body).encode() if body is not None else None)

        class R:
            status = reply.status
            json = __import__("json").loads(reply.body) if reply.body else None
        return R

    def post(self, path: str, *, key: str, body: Any = None) -> Any:
        return self.call("POST", path, key=key, body=body)

    def put(self, path: str, *, key: str, body: Any = None) -> Any:
        return self.call("PUT", path, key=key, body=body)

    def get(self, path: str, *, key: str) -> Any:
        return self.call("GET", path, key=key)


def origin_link(stack: Any, origin: Any, *, origin_body: Dict[str, Any] | None = None,
                link: Dict[str, Any] | None = None, name: str = "Acme") -> OriginLink:
    api = HttpApi(stack.api_url)
    keys = make_tenant(stack.svc, api, name=name, resource=False)
    body = {"type": "monitor", "name": "Checkout", "origin": {"url": origin.url, **(origin_body or {})}}
    reply = api.put("/v1/resources/live-1", key=keys.operator, body=body)
    assert reply.status == 201, reply.json
    secret = reply.json["origin_secret"]
    assert secret.startswith("whsec_")
    origin.secrets.append(secret)
    made = api.post("/v1/resources/live-1/links", key=keys.operator, body={"label": "contractor-access", **(link or {})})
    assert made.status == 201, made.json
    return OriginLink(stack.api_url, made.json["token"], made.json["id"], secret, "live-1", made.json)


def test_get_through_the_link_reaches_the_origin_signed(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin)
    reply = live.get("/api/status", ip=fresh_ip())
    assert reply.status == 200, reply.body
    assert reply.json["status"] == "up"
    seen = origin.received[-1]
    assert seen["verified"] and seen["target"] == "/api/status"
    assert seen["headers"]["x-shared-access"] == "true"
    assert seen["headers"]["x-share-name"] == "contractor-access"
    assert seen["headers"]["x-keyhole-link-id"] == live.link_id
    assert reply.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]


def test_refused_path_and_method_are_403_and_dead_token_the_one_404(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_paths": ["/api/*"]})
    assert live.get("/admin", ip=fresh_ip()).status == 403
    assert live.get("/api/status", method="POST", ip=fresh_ip(), body=b"{}").status == 403
    dead = request(http_stack.api_url, "GET", f"/share/{'A' * 64}/o/api/status", host=live.content_host,
                   headers={"X-Forwarded-For": fresh_ip()})
    document_dead = request(http_stack.api_url, "GET", f"/share/{'A' * 64}/data",
                            headers={"X-Forwarded-For": fresh_ip()})
    assert dead.status == document_dead.status == 404
    assert dead.body == document_dead.body
    import json
    assert json.loads(dead.body) == NOT_FOUND_BODY


def test_binary_body_arrives_byte_for_byte(http_stack: Any, origin: Any) -> None:
    from devstack.origin import BINARY

    live = origin_link(http_stack, origin)
    reply = live.get("/image.png", ip=fresh_ip(), headers={"Accept": "text/html"})
    assert reply.status == 200
    assert reply.headers["content-type"] == "image/png"
    assert hashlib.sha256(reply.body).digest() == hashlib.sha256(BINARY).digest()
