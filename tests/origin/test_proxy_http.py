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
                link: Dict[str, Any] | None = None, name: str = "Acme", display_name: str | None = None) -> OriginLink:
    api = HttpApi(stack.api_url)
    keys = make_tenant(stack.svc, api, name=name, resource=False)
    if display_name:
        assert api.call("PATCH", "/v1/tenant", key=keys.admin, body={"display_name": display_name}).status == 200
    body = {"type": "monitor", "name": "Checkout", "origin": {"url": origin.url, **(origin_body or {})}}
    reply = api.put("/v1/resources/live-1", key=keys.operator, body=body)
    assert reply.status == 201, reply.json
    secret = reply.json["origin_secret"]
    assert secret.startswith("whsec_")
    origin.secrets.append(secret)
    made = api.post("/v1/resources/live-1/links", key=keys.operator, body={"label": "contractor-access", **(link or {})})
    assert made.status == 201, made.json
    _OPERATORS[made.json["id"]] = keys.operator
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
    varying = {"date", "x-request-id", "server"}
    assert {k: v for k, v in dead.headers.items() if k not in varying} == {
        k: v for k, v in document_dead.headers.items() if k not in varying}
    import json
    assert json.loads(dead.body) == NOT_FOUND_BODY


def test_binary_body_arrives_byte_for_byte(http_stack: Any, origin: Any) -> None:
    from devstack.origin import BINARY

    live = origin_link(http_stack, origin)
    reply = live.get("/image.png", ip=fresh_ip(), headers={"Accept": "text/html"})
    assert reply.status == 200
    assert reply.headers["content-type"] == "image/png"
    assert hashlib.sha256(reply.body).digest() == hashlib.sha256(BINARY).digest()


def test_headers_forwarded_and_stripped_both_ways(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin)
    ip = fresh_ip()
    reply = live.get("/echo/x", ip=ip, headers={
        "Cookie": "kh_unlock=abc; kh_visit=def; mine=1", "Authorization": "Bearer kh_secret", "X-Api-Key": "kh_x",
        "Referer": f"http://127.0.0.1/share/{live.token}/o/", "Connection": "X-Hop", "X-Hop": "1",
        "X-Custom": f"carries {live.token}", "Accept-Language": "de", "X-Share-Name": "forged"})
    assert reply.status == 200
    seen = origin.received[-1]["headers"]
    assert seen["x-forwarded-for"] == ip
    assert seen["x-shared-access"] == "true" and seen["x-share-name"] == "contractor-access"
    assert seen["accept-language"] == "de"
    for name in ("cookie", "authorization", "x-api-key", "referer", "x-hop", "x-custom"):
        assert name not in seen, name
    assert all(live.token not in value for value in seen.values())
    assert live.token not in origin.received[-1]["target"]
    cookie = live.get("/cookie", ip=fresh_ip())
    assert cookie.status == 200 and "set-cookie" not in cookie.headers
    csp = live.get("/csp", ip=fresh_ip())
    assert csp.headers["content-security-policy"] == "default-src 'self'; frame-ancestors 'none'"
    assert csp.headers["cache-control"] == "no-store" and csp.headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in csp.headers and "strict-transport-security" not in csp.headers
    assert csp.headers["referrer-policy"] == "no-referrer" and csp.headers["x-robots-tag"] == "noindex, nofollow"


def test_post_body_and_query_reach_the_origin_signed_when_allowed(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_methods": ["GET", "HEAD", "POST"]})
    body = bytes(range(256)) * 3
    reply = live.get("/echo/post", method="POST", ip=fresh_ip(), body=body,
                     headers={"Content-Type": "application/octet-stream"})
    assert reply.status == 200, reply.body
    assert reply.json["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert origin.received[-1]["verified"]
    query = live.get("/echo/q?a=1&b=x%20y", ip=fresh_ip())
    assert query.json["target"] == "/echo/q?a=1&b=x+y" and origin.received[-1]["verified"]
    head = live.get("/html", method="HEAD", ip=fresh_ip())
    assert head.status == 200 and head.body == b""
    before = len(origin.received)
    too_big = live.get("/echo/post", method="POST", ip=fresh_ip(), body=b"x" * (1024 * 1024 + 1))
    assert too_big.status == 413 and len(origin.received) == before


@pytest.mark.parametrize("attack", ["/api/../admin", "/api/%2e%2e/admin", "/api%2fadmin", "//admin",
                                    "/api/..;/admin", "/api/%252e%252e/admin", "/api/%5c..%5cadmin"])
def test_normalisation_attacks_never_reach_a_refused_path(http_stack: Any, origin: Any, attack: str) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_paths": ["/api/*"]})
    before = len(origin.received)
    reply = live.get(attack, ip=fresh_ip())
    assert reply.status in (403, 404), (attack, reply.status)
    assert len(origin.received) == before


def test_links_narrow_the_resource_lists_never_widen(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_paths": ["/api/*", "/html"]},
                       link={"allowed_paths": ["/api/status"], "allowed_methods": ["GET"]})
    assert live.link["allowed_paths"] == ["/api/status"]
    assert live.get("/api/status", ip=fresh_ip()).status == 200
    assert live.get("/api/checks", ip=fresh_ip()).status == 403
    assert live.get("/html", ip=fresh_ip()).status == 403
    assert live.get("/api/status", method="HEAD", ip=fresh_ip()).status == 403
    api = HttpApi(http_stack.api_url)
    keys = make_tenant(http_stack.svc, api, name="Wide", resource=False)
    api.put("/v1/resources/w", key=keys.operator, body={"type": "m", "name": "w",
                                                       "origin": {"url": origin.url, "allowed_paths": ["/api/*"]}})
    wider = api.post("/v1/resources/w/links", key=keys.operator, body={"allowed_paths": ["/*"]})
    assert wider.status == 422 and wider.json["error"]["details"][0]["field"] == "allowed_paths"
    more = api.post("/v1/resources/w/links", key=keys.operator, body={"allowed_methods": ["DELETE"]})
    assert more.status == 422


def test_redirects_banner_and_errors(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, origin_body={"banner": True})
    inside = live.get("/redirect?to=/api/status", ip=fresh_ip())
    assert inside.status == 302 and inside.headers["location"] == f"/share/{live.token}/o/api/status"
    outside = live.get("/redirect?to=https://evil.example/x", ip=fresh_ip())
    assert outside.status == 502 and "location" not in outside.headers
    page = live.get("/html", ip=fresh_ip())
    assert b"Shared through a private link by Acme" in page.body
    big = live.get("/big?n=5000000", ip=fresh_ip())
    assert big.status == 502 and big.json["error"]["code"] == "bad_gateway"
    root = live.get("", ip=fresh_ip())
    assert root.status == 301 and root.headers["location"] == f"/share/{live.token}/o/"


def test_the_banner_and_public_info_name_the_tenant_by_its_display_name(http_stack: Any, origin: Any) -> None:
    # GIVEN a tenant that brands its pages with a display name, and a bannered origin link
    live = origin_link(http_stack, origin, origin_body={"banner": True}, name="Acme Holdings Internal",
                       display_name="Acme Status")
    # THEN the banner names it as the document page does, never by its internal name
    page = live.get("/html", ip=fresh_ip())
    assert page.status == 200 and b"Shared through a private link by Acme Status" in page.body
    assert b"Acme Holdings Internal" not in page.body
    info = request(http_stack.api_url, "GET", f"/share/{live.token}/info", headers={"X-Forwarded-For": fresh_ip()})
    assert info.status == 200 and info.json["tenant"] == {"name": "Acme Status"}


def test_unreachable_origin_is_502_never_500(http_stack: Any, origin: Any) -> None:
    from devstack.moto_server import free_port

    class Gone:
        url = f"http://127.0.0.1:{free_port()}"
        secrets: list = []

    live = origin_link(http_stack, Gone)
    reply = live.get("/", ip=fresh_ip(), headers={"Accept": "text/html"})
    assert reply.status == 502 and reply.headers["content-type"].startswith("text/html")


def test_content_origin_isolation_and_handover(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin)
    other = origin_link(http_stack, origin, name="Other")
    # Keyhole's page of an origin link hands the viewer to the link's own content origin
    page = request(http_stack.api_url, "GET", f"/share/{live.token}", headers={"X-Forwarded-For": fresh_ip()})
    assert page.status == 302
    assert page.headers["location"] == f"http://{live.content_host}/share/{live.token}/o/"
    deep = request(http_stack.api_url, "GET", f"/share/{live.token}/o/api/status",
                   headers={"X-Forwarded-For": fresh_ip()})
    assert deep.status == 302 and deep.headers["location"].endswith(f"/share/{live.token}/o/api/status")
    # an origin link has no document: /data says so (it is live, so not the dead-link 404)
    data = request(http_stack.api_url, "GET", f"/share/{live.token}/data", headers={"X-Forwarded-For": fresh_ip()})
    assert data.status == 409 and data.json["error"]["code"] == "origin_link"
    # the content origin serves nothing of Keyhole's own
    for path in ("/v1/tenant", f"/share/{live.token}", f"/share/{live.token}/data", f"/share/{live.token}/info"):
        reply = request(http_stack.api_url, "GET", path, host=live.content_host,
                        headers={"X-Forwarded-For": fresh_ip()})
        assert reply.status == 404, path
    # a token used on another link's content origin is the one 404
    crossed = request(http_stack.api_url, "GET", f"/share/{live.token}/o/api/status", host=other.content_host,
                      headers={"X-Forwarded-For": fresh_ip()})
    assert crossed.status == 404


def test_rate_limit_access_log_and_counters(http_stack: Any, origin: Any) -> None:
    import boto3

    import app as app_module
    from devstack.pump import Pump, StreamReader

    app_module.use_service(http_stack.svc)
    streams = boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=http_stack.aws_endpoint)
    reader = StreamReader(streams, http_stack.outputs["TableStreamArn"])
    reader.read_all()
    live = origin_link(http_stack, origin, link={"rate_limit_per_min": 3})
    ip = fresh_ip()
    statuses = [live.get(p, ip=ip).status for p in ("/api/status", "/api/checks", "/admin%2f", "/api/status")]
    assert statuses[:3] == [200, 200, 403] and statuses[3] == 429
    pump = Pump(reader, app_module.stream_consumer, out=lambda line: None)
    for _ in range(10):
        if not pump.poll():
            break
    api = HttpApi(http_stack.api_url)
    keys_reply = api.get(f"/v1/links/{live.link_id}", key=_operator_of(http_stack, live))
    # the two proxied requests are views; the refused path and the 429 are logged, not counted
    assert keys_reply.json["view_count"] == 2
    logs = api.get(f"/v1/links/{live.link_id}/access-logs", key=_operator_of(http_stack, live)).json["items"]
    assert [(e["method"], e["path"], e["status"]) for e in reversed(logs)] == [
        ("GET", "/api/status", 200), ("GET", "/api/checks", 200), ("GET", "(refused path)", 403),
        ("GET", "/api/status", 429)]
    assert all(live.token not in str(e) for e in logs)
    app_module.use_service(None)


_OPERATORS: Dict[str, str] = {}


def _operator_of(stack: Any, live: OriginLink) -> str:
    return _OPERATORS[live.link_id]


def _cookie(reply: Any, name: str) -> str:
    for header, value in reply.all_headers:
        if header.lower() == "set-cookie" and value.startswith(name + "="):
            return value
    raise AssertionError(f"no {name} cookie in {reply.all_headers}")


def test_password_origin_link_unlocks_on_its_content_origin(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, link={"password": "correct horse"})
    ip = fresh_ip()
    before = len(origin.received)
    form = live.get("/", ip=ip, headers={"Accept": "text/html"})
    assert form.status == 200 and b"password" in form.body.lower() and len(origin.received) == before
    unlocked = request(http_stack.api_url, "POST", f"/share/{live.token}/unlock", host=live.content_host,
                       headers={"X-Forwarded-For": ip, "Content-Type": "application/x-www-form-urlencoded"},
                       body=b"password=correct+horse")
    assert unlocked.status == 303 and unlocked.headers["location"] == f"/share/{live.token}/o/"
    cookie = _cookie(unlocked, "kh_unlock")
    assert f"Path=/share/{live.token}" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    value = cookie.split(";", 1)[0]
    page = live.get("/", ip=ip, headers={"Cookie": value})
    assert page.status == 200 and b"Checkout API" in page.body
    assert "cookie" not in origin.received[-1]["headers"]


def test_view_limited_origin_link_uses_one_view_per_visit(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, link={"max_views": 1})
    ip = fresh_ip()
    before = len(origin.received)
    gate = live.get("/", ip=ip, headers={"Accept": "text/html"})
    assert gate.status == 200 and f'action="/share/{live.token}/visit"'.encode() in gate.body
    assert len(origin.received) == before  # a GET (an unfurler, a prefetch) uses nothing
    opened = request(http_stack.api_url, "POST", f"/share/{live.token}/visit", host=live.content_host,
                     headers={"X-Forwarded-For": ip})
    assert opened.status == 303 and opened.headers["location"] == f"/share/{live.token}/o/"
    visit = _cookie(opened, "kh_visit").split(";", 1)[0]
    for path in ("/", "/app.js", "/api/status", "/api/checks"):  # one visit, many subresources
        assert live.get(path, ip=ip, headers={"Cookie": visit}).status == 200, path
    again = request(http_stack.api_url, "POST", f"/share/{live.token}/visit", host=live.content_host,
                    headers={"X-Forwarded-For": ip})
    assert again.status == 404  # the only view is used: the link is dead now


def test_rotation_signs_with_both_secrets_during_the_grace(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin)
    api = HttpApi(http_stack.api_url)
    rotated = api.post(f"/v1/resources/{live.resource_id}/origin-secret", key=_OPERATORS[live.link_id])
    assert rotated.status == 200 and rotated.json["origin_secret"].startswith("whsec_")
    new = rotated.json["origin_secret"]
    assert new != live.secret and rotated.json["previous_secret_retires_at"]
    shown = api.get(f"/v1/resources/{live.resource_id}", key=_OPERATORS[live.link_id]).json
    assert "origin_secret" not in shown and live.secret not in str(shown) and new not in str(shown)
    sent = live.get("/api/status", ip=fresh_ip())
    assert sent.status == 200
    signature = origin.received[-1]["headers"]["webhook-signature"]
    assert len(signature.split(" ")) == 2
    from devstack.origin import verify

    seen = origin.received[-1]
    for secret in (live.secret, new):
        assert verify([secret], seen["method"], seen["target"], seen["headers"], seen["body"])
