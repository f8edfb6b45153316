"""The API as generated clients call it, over real HTTP (`chalice local`, as `make run` serves it):
path parameters percent-encoded (`oa3%3Acolon%2Edot`) name the same resource as plain ones, a
204 carries no body and no Content-Type, a method a path does not take is 405, and the rules the
OpenAPI document states as schema rules are the API's (webhook events each once, `*` alone;
no empty logo; allow-lists only on links to origin resources; a made-up cursor is 422).

Requests go out through http.client: `requests` would re-quote `%2E` to `.` before sending."""
from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.tenancy import tenants
from tests import contract

pytestmark = pytest.mark.http


class Raw:
    def __init__(self, api_url: str, key: str) -> None:
        self.netloc = urlsplit(api_url).netloc
        self.key = key

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.netloc, timeout=60)
        try:
            headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            reply = conn.getresponse()
            status, got, data = reply.status, dict(reply.getheaders()), reply.read()
        finally:
            conn.close()
        contract.check(method, path, status, got, data)
        return status, got, data


@pytest.fixture(scope="module")
def call(http_stack: Any) -> Raw:
    _, admin = tenants.create_tenant(http_stack.svc, name="Generated Co", plan="team")
    return Raw(http_stack.api_url, admin)


def test_percent_encoded_path_parameters_name_the_same_resource(call: Raw) -> None:
    body = {"type": "t", "name": "Colon and dot", "document": {"a": 1}}
    status, _, data = call("PUT", "/v1/resources/oa3%3Acolon%2Edot", body)
    assert status == 201, data
    assert json.loads(data)["id"] == "oa3:colon.dot"
    for path in ("/v1/resources/oa3:colon.dot", "/v1/resources/oa3%3Acolon%2Edot", "/v1/resources/oa3%3acolon.dot"):
        status, _, data = call("GET", path)
        assert status == 200 and json.loads(data)["id"] == "oa3:colon.dot", (path, data)
    status, _, data = call("PUT", "/v1/resources/oa3%3Acolon%2Edot", {**body, "name": "Replaced"})
    assert status == 200 and json.loads(data)["name"] == "Replaced"
    status, _, data = call("POST", "/v1/resources/oa3%3Acolon%2Edot/links", {})
    assert status == 201, data
    link = json.loads(data)
    assert link["resource_id"] == "oa3:colon.dot"
    status, _, data = call("GET", "/v1/resources/oa3%3Acolon%2Edot/links")
    assert [item["id"] for item in json.loads(data)["items"]] == [link["id"]]
    # decoded once: `%252E` is the literal `%2E`, which is not a resource id
    status, _, data = call("GET", "/v1/resources/oa3%3Acolon%252Edot")
    assert status in (404, 422), data
    # an encoded slash is one segment whose value holds a `/`: not a resource id, refused
    status, _, data = call("PUT", "/v1/resources/a%2Fb", body)
    assert status == 422 and json.loads(data)["error"]["details"][0]["field"] == "resource_id", data


def test_percent_encoded_tenant_ids_on_the_platform_routes(http_stack: Any) -> None:
    """The platform routes decode their path values once too (a client sends `org:7` as `org%3A7`)."""
    import uuid

    from chalicelib.platform import keys

    _, key = keys.create_key(http_stack.svc, name="generated", namespace=f"gen-{uuid.uuid4().hex[:8]}")
    platform = Raw(http_stack.api_url, key)
    status, _, data = platform("PUT", "/v1/tenants/org%3A7%2Ea", {"name": "Colon", "plan": "team"})
    assert status == 201 and json.loads(data)["id"] == "org:7.a", data
    for path in ("/v1/tenants/org:7.a", "/v1/tenants/org%3A7%2Ea", "/v1/tenants/org%3a7.a/usage"):
        status, _, data = platform("GET", path)
        assert status == 200 and json.loads(data)["id"] == "org:7.a", (path, data)
    status, headers, data = platform("DELETE", "/v1/tenants/org%3A7%2Ea")
    assert status == 204 and data == b"" and "content-type" not in {k.lower() for k in headers}, headers
    assert platform("GET", "/v1/tenants/org:7.a")[0] == 404


def test_a_204_has_no_body_and_no_content_type(call: Raw) -> None:
    call("PUT", "/v1/resources/gone%3A1", {"type": "t", "name": "n", "document": {}})
    status, headers, data = call("DELETE", "/v1/resources/gone%3A1")
    assert status == 204 and data == b""
    lowered = {k.lower() for k in headers}
    assert "content-type" not in lowered and "content-length" not in lowered, headers
    assert call("GET", "/v1/resources/gone:1")[0] == 404


def test_webhook_events_each_once_and_star_alone(call: Raw) -> None:
    url = "http://127.0.0.1:9/hook"
    for events in (["share.created", "share.created"], ["*", "share.created"], ["*", "*"]):
        status, _, data = call("POST", "/v1/webhooks", {"url": url, "events": events})
        assert status == 422 and json.loads(data)["error"]["details"][0]["field"] == "events", (events, data)
    assert call("GET", "/v1/webhooks")[2].count(b'"id"') == 0  # nothing was created


def test_an_empty_logo_a_made_up_cursor_and_allow_lists_on_a_document_link_are_422(call: Raw) -> None:
    status, _, data = call("PATCH", "/v1/tenant", {"logo": ""})
    assert status == 422 and json.loads(data)["error"]["details"][0]["field"] == "logo"
    for path in ("/v1/resources?cursor=bm90LWEtY3Vyc29y", "/v1/links?cursor=x", "/v1/audit?cursor=eyJhIjogMX0"):
        status, _, data = call("GET", path)
        assert status == 422 and json.loads(data)["error"]["details"][0]["field"] == "cursor", (path, data)
    call("PUT", "/v1/resources/doc-only", {"type": "t", "name": "n", "document": {}})
    status, _, data = call("POST", "/v1/resources/doc-only/links", {"allowed_methods": ["GET"]})
    assert status == 422 and json.loads(data)["error"]["details"][0]["field"] == "allowed_methods", data
