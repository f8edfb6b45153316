"""What matters over real HTTP (moto server + `chalice local`): the dead-link 404 is identical on the
wire, headers included, and admin errors keep their format through a real server.
"""
from __future__ import annotations

import secrets
from typing import Any, Dict, Tuple

import pytest
import requests

from chalicelib.tenancy import tenants
from tests.support import random_token

pytestmark = pytest.mark.http

NOT_FOUND = {"error": {"code": "not_found", "message": "Share link not found or has been revoked"}}
PER_RESPONSE = {"x-request-id", "date"}  # differ from response to response by nature


def _ip() -> Dict[str, str]:
    return {"X-Forwarded-For": f"10.99.{secrets.randbelow(256)}.{secrets.randbelow(256)}"}


def _wire(response: requests.Response) -> Tuple[int, bytes, Dict[str, str]]:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in PER_RESPONSE}
    return response.status_code, response.content, headers


@pytest.fixture(scope="module")
def http_tenant(http_stack: Any) -> Dict[str, Any]:
    """A tenant on the HTTP stack with live, revoked, exhausted and deleted-resource links."""
    _, admin = tenants.create_tenant(http_stack.svc, name="Wire Co", plan="team")
    api, auth = http_stack.api_url, {"Authorization": f"Bearer {admin}"}

    def link(resource: str, **body: Any) -> Dict[str, Any]:
        reply = requests.post(f"{api}/v1/resources/{resource}/links", json=body, headers=auth)
        assert reply.status_code == 201, reply.text
        return reply.json()

    for resource in ("wire-1", "wire-doomed"):
        requests.put(f"{api}/v1/resources/{resource}", json={"type": "t", "name": "n", "document": {"a": 1}},
                     headers=auth).raise_for_status()
    live, revoked, exhausted, doomed = link("wire-1"), link("wire-1"), link("wire-1", max_views=1), link("wire-doomed")
    requests.delete(f"{api}/v1/links/{revoked['id']}", headers=auth).raise_for_status()
    assert requests.post(f"{exhausted['url']}/data", headers=_ip()).status_code == 200
    requests.delete(f"{api}/v1/resources/wire-doomed", headers=auth).raise_for_status()
    return {"admin": admin, "live": live, "dead": {"revoked": revoked["token"], "exhausted": exhausted["token"],
                                                  "resource deleted": doomed["token"], "unknown": random_token(),
                                                  "malformed": "not-a-token", "too long": "A" * 65}}


@pytest.mark.parametrize("suffix,method", [("/data", "GET"), ("/data", "POST"), ("/info", "GET")])
def test_every_dead_link_is_the_same_404_on_the_wire(http_stack: Any, http_tenant: Dict[str, Any], suffix: str,
                                                     method: str) -> None:
    # GIVEN a reference 404 for a token nobody had
    base = f"{http_stack.api_url}/share"
    reference = requests.request(method, f"{base}/{random_token()}{suffix}", headers=_ip())
    assert reference.status_code == 404 and reference.json() == NOT_FOUND
    assert reference.headers["Cache-Control"] == "no-store" and reference.headers["X-Request-Id"]
    # WHEN every dead token is requested THEN the wire bytes match, headers included (but the ids)
    for kind, token in http_tenant["dead"].items():
        reply = requests.request(method, f"{base}/{token}{suffix}", headers=_ip())
        assert _wire(reply) == _wire(reference), kind


def test_a_live_link_has_the_viewer_headers_on_the_wire(http_stack: Any, http_tenant: Dict[str, Any]) -> None:
    reply = requests.get(f"{http_tenant['live']['url']}/data", headers=_ip())
    assert reply.status_code == 200 and reply.json()["document"] == {"a": 1}
    for name, value in {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                        "X-Robots-Tag": "noindex, nofollow", "X-Content-Type-Options": "nosniff"}.items():
        assert reply.headers[name] == value
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    revalidated = requests.get(f"{http_tenant['live']['url']}/data",
                               headers={**_ip(), "If-None-Match": reply.headers["ETag"]})
    assert revalidated.status_code == 304 and not revalidated.content


@pytest.mark.parametrize("headers,status,code", [
    ({}, 401, "unauthorized"),
    ({"Authorization": "Bearer nope"}, 401, "unauthorized"),
])
def test_admin_errors_keep_their_format_over_http(http_stack: Any, headers: Dict[str, str], status: int,
                                                  code: str) -> None:
    reply = requests.get(f"{http_stack.api_url}/v1/links", headers=headers)
    assert reply.status_code == status and reply.headers["Content-Type"].startswith("application/json")
    error = reply.json()["error"]
    assert error["code"] == code and error["request_id"] == reply.headers["X-Request-Id"]


def test_bad_bodies_over_http_are_4xx(http_stack: Any, http_tenant: Dict[str, Any]) -> None:
    auth = {"Authorization": f"Bearer {http_tenant['admin']}"}
    for body, status in ((b"[" * 10_000 + b"]" * 10_000, 400), (b"{", 400), (b'{"name": 1, "role": []}', 422)):
        reply = requests.post(f"{http_stack.api_url}/v1/api-keys", data=body, headers=auth)
        assert reply.status_code == status, reply.text


def test_an_unknown_route_never_echoes_the_api_key(http_stack: Any) -> None:
    """API Gateway's default reply to an unknown route with an Authorization header quotes the
    header; the deployed gateway responses (and `chalice local` here) answer a plain 404."""
    import requests

    from chalicelib.tenancy import tenants

    _, admin = tenants.create_tenant(http_stack.svc, name="Echo Co", plan="free")
    for path in ("/v1/nope", "/v2/links", "/share"):
        reply = requests.get(http_stack.api_url + path, headers={"Authorization": f"Bearer {admin}"})
        assert reply.status_code == 404, (path, reply.text)
        assert admin not in reply.text and admin[:24] not in reply.text
        assert reply.json()["error"]["code"] == "not_found"
        assert reply.headers["Cache-Control"] == "no-store"


def test_a_method_no_route_takes_is_405_on_a_served_path_and_404_elsewhere_not_a_5xx(http_stack: Any) -> None:
    """Found by the contract fuzzer: `TRACE` (or any method API Gateway has no route for) got
    http.server's HTML 501 from `chalice local`. On a path the API serves it is 405, like any other
    method that path does not take (Schemathesis expects that of every documented path); on any
    other path the gateway's 404."""
    import requests

    from tests import contract

    session = requests.Session()  # one kept-alive connection: a body left unread would corrupt the next request
    for method, path in (("TRACE", "/v1/tenant"), ("TRACE", f"/share/{'A' * 64}"), ("PROPFIND", "/v1/links"),
                         ("QUERY", "/v1/links")):
        reply = session.request(method, http_stack.api_url + path, data="password=correct+horse")
        assert reply.status_code == 405, (method, path, reply.text)
        assert reply.json()["error"]["code"] == "method_not_allowed"
        assert reply.headers["Cache-Control"] == "no-store" and reply.headers["X-Request-Id"]
        assert ("Content-Security-Policy" in reply.headers) == path.startswith("/share/")
        contract.check(method, path, reply.status_code, reply.headers, reply.content)
    for method, path in (("TRACE", "/v1/nope"), ("PROPFIND", "/nowhere")):
        reply = session.request(method, http_stack.api_url + path, data="password=correct+horse")
        assert reply.status_code == 404, (method, path, reply.text)
        assert reply.json()["error"]["code"] == "not_found"
        contract.check(method, path, reply.status_code, reply.headers, reply.content)
    assert session.get(http_stack.api_url + "/robots.txt").status_code == 200


def test_a_head_request_gets_headers_and_no_body(http_stack: Any) -> None:
    """Found by the contract fuzzer: `chalice local` wrote a body after the headers of a HEAD
    response, and on a kept-alive connection the client read it as the next response's status line."""
    import socket

    host, port = http_stack.api_url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"HEAD /robots.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while received.count(b"HTTP/1.1 ") < 2 or not received.endswith(b"/share/\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405") and b"Content-Length: " in head, head
    assert rest.startswith(b"HTTP/1.1 200 OK"), rest[:200]  # the next response, not a leftover body
    assert rest.endswith(b"Disallow: /share/\n"), rest[-200:]
