"""Importing links with a product's own tokens, and share URLs on the product's own host, over real
HTTP: single and bulk imports with mixed results, collisions (never a takeover, never an oracle:
counted, audited, 429 after a few an hour), short tokens refused, legacy marking, lookup on every
viewer route and limits of imported tokens, re-copy; URL templates (validation, every place a URL
appears).

Every admin response is checked against the OpenAPI document (tests/ops/kit.py's HttpApi).
"""
from __future__ import annotations

import base64
import secrets
import uuid
from typing import Any, Dict, List, Optional

import pytest
import requests

from chalicelib.links.imports import COLLISIONS_PER_HOUR
from chalicelib.platform import keys
from chalicelib.storage.models import AuditEvent
from chalicelib.tenancy import tenants
from tests.ops.kit import HttpApi
from tests.support import fresh_ip

DOC = {"type": "report", "name": "Scan report", "document": {"grade": "A", "findings": 0}}


@pytest.fixture(scope="module")
def stack(http_stack: Any) -> Any:
    http_stack.svc  # noqa: B018 (binds this process's models to the stack)
    return http_stack


class Org:
    """A tenant (made through the platform API) that accepts imported tokens, and its admin key."""

    def __init__(self, stack: Any, *, allow: bool = True, plan: str = "enterprise") -> None:
        self.stack = stack
        self.api = HttpApi(stack.api_url)
        _, self.platform = keys.create_key(stack.svc, name="backend", namespace=f"ns-{uuid.uuid4().hex[:10]}")
        assert self.api.put("/v1/tenants/org", key=self.platform, body={"name": "Org", "plan": plan}).status == 201
        self.admin = self.api.post("/v1/tenants/org/api-keys", key=self.platform, body={}).json["key"]
        if allow:
            assert self.call("PATCH", "/v1/tenant", body={"allow_imported_tokens": True}).status == 200
        self.resource("r1")

    @property
    def tenant_id(self) -> str:
        return str(self.call("GET", "/v1/tenant").json["id"])

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return self.api.call(method, path, key=self.admin, **kw)

    def resource(self, resource_id: str, document: Optional[Dict[str, Any]] = None) -> None:
        body = {**DOC, "document": document or DOC["document"]}
        assert self.call("PUT", f"/v1/resources/{resource_id}", body=body).status in (200, 201)

    def imported(self, token: str, resource_id: str = "r1", **body: Any) -> Any:
        return self.call("POST", f"/v1/resources/{resource_id}/links", body={"import_token": token, **body})


@pytest.fixture
def org(stack: Any) -> Org:
    return Org(stack)


def view(stack: Any, token: str, path: str = "/data", ip: Optional[str] = None,
         headers: Optional[Dict[str, str]] = None) -> requests.Response:
    return requests.get(f"{stack.api_url}/share/{token}{path}",
                        headers={"x-forwarded-for": ip or fresh_ip(), **(headers or {})}, timeout=30)


def hex_token(n: int = 12) -> str:
    return secrets.token_hex(n // 2 + 1)[:n]


def keyhole_shaped() -> str:
    """48 random bytes in base64url: the shape of Keyhole's own tokens, naming no tenant."""
    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")


def test_imports_are_off_until_an_admin_turns_them_on(stack: Any) -> None:
    org = Org(stack, allow=False)
    refused = org.imported(hex_token())
    assert refused.status == 422 and refused.json["error"]["details"][0]["field"] == "import_token"
    assert "allow_imported_tokens" in refused.json["error"]["details"][0]["message"]
    assert org.call("GET", "/v1/links?status=all").json["items"] == []
    viewer = org.call("POST", "/v1/api-keys", body={"name": "ro", "role": "operator"}).json["key"]
    assert org.api.patch("/v1/tenant", key=viewer, body={"allow_imported_tokens": True}).status == 403


def test_a_12_character_hex_token_opens_every_viewer_route_and_is_marked_legacy(org: Org, stack: Any) -> None:
    token = hex_token(12)
    made = org.imported(token, label="Q1 report")
    assert made.status == 201, made
    link = made.json
    assert (link["token"], link["token_source"], link["token_strength"]) == (token, "imported", "legacy")
    assert link["url"].endswith(f"/share/{token}") and link["token_preview"] == token[:6]
    # THEN the token opens the page, the JSON, the public info: found by its hash, as Keyhole's own
    page = view(stack, token, "")
    assert page.status_code == 200 and "Scan report" in page.text
    data = view(stack, token)
    assert data.status_code == 200 and data.json()["document"] == DOC["document"]
    assert view(stack, token, "/info").json()["label"] == "Q1 report"
    assert view(stack, token, headers={"if-none-match": data.headers["etag"]}).status_code == 304
    # AND it can be copied again, and introspected
    again = org.call("POST", f"/v1/links/{link['id']}/reveal").json
    assert again["token"] == token and again["url"] == link["url"]
    assert org.call("POST", "/v1/introspect", body={"token": token}).json["active"] is True
    # AND a 32-hex token (128 bits) is strong; short or foreign-alphabet tokens are refused
    assert org.imported(hex_token(32)).json["token_strength"] == "strong"
    for bad in ("0123456789a", "has space in it!", "x" * 257, "slash/in/token", "per%cent-token"):
        reply = org.imported(bad)
        assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "import_token", bad


def test_imported_tokens_obey_every_limit(org: Org, stack: Any) -> None:
    capped = org.imported(hex_token(16), max_views=1).json
    assert requests.post(f"{stack.api_url}/share/{capped['token']}/data", timeout=30,
                         headers={"x-forwarded-for": fresh_ip()}).status_code == 200
    assert requests.post(f"{stack.api_url}/share/{capped['token']}/data", timeout=30,
                         headers={"x-forwarded-for": fresh_ip()}).status_code == 404
    limited = org.imported(hex_token(16), rate_limit_per_min=2).json
    assert [view(stack, limited["token"]).status_code for _ in range(3)] == [200, 200, 429]
    protected = org.imported(hex_token(16), password="correct horse").json
    assert view(stack, protected["token"]).status_code == 401
    expiring = org.imported(hex_token(16), expires_in="1h").json
    assert expiring["expires_at"] and view(stack, expiring["token"]).status_code == 200
    # AND a revoked imported link is the one 404, and its token can never be imported again
    assert org.call("DELETE", f"/v1/links/{limited['id']}").status == 204
    dead = view(stack, limited["token"])
    unknown = view(stack, hex_token(16))
    assert dead.status_code == unknown.status_code == 404 and dead.content == unknown.content
    assert org.imported(limited["token"]).json["error"]["code"] == "token_taken"


def test_the_dead_token_guard_counts_imported_shapes_too(stack: Any) -> None:
    org = Org(stack, plan="team")  # 30 failed resolves a minute per address, as for unknown tokens
    live = org.imported(hex_token(20)).json["token"]
    ip = fresh_ip()
    statuses = [view(stack, hex_token(20), ip=ip).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert view(stack, live, ip=ip).status_code == 429  # a 429 never tells a live token from a dead one


def test_a_token_with_keyholes_shape_is_still_found(org: Org, stack: Any) -> None:
    token = keyhole_shaped()
    made = org.imported(token)
    assert made.status == 201, made
    assert made.json["token_strength"] == "strong"
    assert view(stack, token).json()["document"] == DOC["document"]
    assert view(stack, token, "").status_code == 200


def test_import_never_takes_over_a_token_in_any_tenant(org: Org, stack: Any) -> None:
    other = Org(stack)
    other.resource("theirs", {"owner": "other"})
    theirs_imported = other.imported(hex_token(14), "theirs").json
    theirs_minted = other.call("POST", "/v1/resources/theirs/links", body={}).json
    revoked_minted = other.call("POST", "/v1/resources/theirs/links", body={}).json
    assert other.call("DELETE", f"/v1/links/{revoked_minted['id']}").status == 204
    revoked_imported = other.imported(hex_token(14), "theirs").json
    assert other.call("DELETE", f"/v1/links/{revoked_imported['id']}").status == 204
    # WHEN the first tenant tries to import each of those tokens
    for link in (theirs_imported, theirs_minted, revoked_minted, revoked_imported):
        reply = org.imported(link["token"])
        # THEN 409 token_taken: nothing re-pointed, the live ones still open the other tenant's resource
        assert reply.status == 409 and reply.json["error"]["code"] == "token_taken", reply
    assert view(stack, theirs_imported["token"]).json()["document"] == {"owner": "other"}
    assert view(stack, theirs_minted["token"]).json()["document"] == {"owner": "other"}
    assert view(stack, revoked_minted["token"]).status_code == 404
    # AND each collision is audited in the importer's trail, never with the token
    events = [e for e in org.call("GET", "/v1/audit").json["items"] if e["action"] == "link.import_refused"]
    assert len(events) == 4
    assert not any(link["token"] in str(events) for link in (theirs_imported, theirs_minted))
    assert org.call("GET", "/v1/links?status=all").json["items"] == []


def test_collisions_are_limited_per_hour_then_every_import_is_429(org: Org, stack: Any) -> None:
    taken = Org(stack).imported(hex_token(16)).json["token"]  # another tenant's
    for _ in range(COLLISIONS_PER_HOUR - 1):
        assert org.imported(taken).status == 409
    fresh = hex_token(16)
    assert org.imported(fresh).status == 201  # not a collision: still allowed
    assert org.imported(taken).status == 409  # the last one of the hour
    # THEN every import of this tenant is 429 for the rest of the hour, taken or not
    for token in (taken, hex_token(16), keyhole_shaped()):
        refused = org.imported(token)
        assert refused.status == 429 and refused.headers["retry-after"], refused
    # AND Keyhole's own links are unaffected, and another tenant imports as usual
    assert org.call("POST", "/v1/resources/r1/links", body={}).status == 201
    assert Org(stack).imported(hex_token(16)).status == 201


def test_a_retried_import_of_the_tenants_own_tokens_counts_no_collision(org: Org, stack: Any) -> None:
    batch = {"links": [{"resource_id": "r1", "import_token": hex_token(16)} for _ in range(COLLISIONS_PER_HOUR + 5)]}
    assert org.call("POST", "/v1/links/import", body=batch).json["created"] == COLLISIONS_PER_HOUR + 5
    # WHEN the product sends the same batch again (it timed out, say)
    again = org.call("POST", "/v1/links/import", body=batch)
    # THEN each item is its own 409 token_taken, none a 429: its own links are no guess
    assert [r["status"] for r in again.json["items"]] == [409] * (COLLISIONS_PER_HOUR + 5), again.json
    assert {r["error"]["code"] for r in again.json["items"]} == {"token_taken"}
    # AND a new token still imports, and nothing was audited as a refused guess
    assert org.imported(hex_token(16)).status == 201
    actions = [e.action for e in AuditEvent.query(AuditEvent.partition(org.tenant_id))]
    assert "link.import_refused" not in actions


def test_bulk_import_reports_each_item(org: Org, stack: Any) -> None:
    org.resource("r2")
    taken = org.imported(hex_token(16)).json["token"]
    good, dup = hex_token(12), hex_token(24)
    reply = org.call("POST", "/v1/links/import", headers={"Keyhole-Actor": "migration-2024"}, body={"links": [
        {"resource_id": "r1", "import_token": good, "label": "first", "created_at": "2024-03-01T09:00:00Z"},
        {"resource_id": "r2", "import_token": dup, "expires_at": "2030-01-01T00:00:00Z"},
        {"resource_id": "r2", "import_token": dup},
        {"resource_id": "r1", "import_token": taken},
        {"resource_id": "nope", "import_token": hex_token(16)},
        {"resource_id": "r1", "import_token": "short"},
        {"resource_id": "r1", "import_token": hex_token(16), "created_at": "2999-01-01T00:00:00Z"},
        {"resource_id": "r1", "import_token": hex_token(16), "password": "not in bulk"},
        {"import_token": hex_token(16)},
    ]})
    assert reply.status == 200, reply
    results = reply.json["items"]
    assert [r["status"] for r in results] == [201, 201, 422, 409, 404, 422, 422, 422, 422], results
    assert (reply.json["created"], reply.json["failed"]) == (2, 7)
    first = results[0]["link"]
    assert first["created_at"] == "2024-03-01T09:00:00Z" and first["label"] == "first"
    assert first["created_by"]["actor"] == "migration-2024" and first["token_strength"] == "legacy"
    assert results[1]["link"]["expires_at"] == "2030-01-01T00:00:00Z"
    assert results[3]["error"]["code"] == "token_taken"
    fields = [r["error"]["details"][0]["field"] for r in results if r["status"] == 422]
    assert fields == ["import_token", "import_token", "created_at", "password", "resource_id"]
    assert view(stack, good).status_code == 200 and view(stack, dup).status_code == 200
    # AND bad envelopes are a 422 of the whole request, nothing created
    for body, field in (({"links": []}, "links"), ({"links": [{}] * 101}, "links"), ({"items": []}, "items")):
        bad = org.call("POST", "/v1/links/import", body=body)
        assert bad.status == 422 and field in [d["field"] for d in bad.json["error"]["details"]], bad


def test_bulk_import_obeys_plan_limits(stack: Any) -> None:
    org = Org(stack, plan="free")  # one link per resource
    reply = org.call("POST", "/v1/links/import", body={"links": [
        {"resource_id": "r1", "import_token": hex_token(16)}, {"resource_id": "r1", "import_token": hex_token(16)}]})
    assert [r["status"] for r in reply.json["items"]] == [201, 409]
    assert reply.json["items"][1]["error"]["code"] == "limit_reached"


# --- share URL templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("template", [
    "http://app.example.com/m/{token}", "https://app.example.com/m/{token}/{token}", "https://app.example.com/m/",
    "https://user:pw@app.example.com/m/{token}", "https://{token}.example.com/", "https://app.example.com/#{token}",
    "https://app.example.com/m/{token}?x={y}", "ftp://app.example.com/{token}", "https://app.example.com/ {token}",
    "https:///m/{token}", 42, "",
])
def test_a_bad_url_template_is_422_and_changes_nothing(org: Org, template: Any) -> None:
    reply = org.call("PATCH", "/v1/tenant", body={"share_url_template": template})
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "share_url_template", reply
    assert org.call("GET", "/v1/tenant").json["settings"]["share_url_template"] is None


def test_the_url_template_shapes_every_url_keyhole_returns(org: Org, stack: Any) -> None:
    template = "https://app.example.com/m/{token}?ref=keyhole"
    settings = org.call("PATCH", "/v1/tenant", body={"share_url_template": template}).json["settings"]
    assert settings["share_url_template"] == template
    minted = org.call("POST", "/v1/resources/r1/links", body={}).json
    assert minted["url"] == template.replace("{token}", minted["token"])
    assert org.call("POST", f"/v1/links/{minted['id']}/reveal").json["url"] == minted["url"]
    imported = org.imported(hex_token(16)).json
    assert imported["url"] == template.replace("{token}", imported["token"])
    bulk = org.call("POST", "/v1/links/import", body={"links": [{"resource_id": "r1", "import_token": hex_token(16)}]})
    item = bulk.json["items"][0]["link"]
    assert item["url"] == template.replace("{token}", item["token"])
    # AND Keyhole still serves the token at /share/{token}
    assert view(stack, minted["token"]).status_code == 200
    # AND clearing it brings Keyhole's own URLs back
    org.call("PATCH", "/v1/tenant", body={"share_url_template": None})
    assert "/share/" in org.call("POST", f"/v1/links/{minted['id']}/reveal").json["url"]


def test_the_platform_key_sets_both_settings_for_its_tenants(stack: Any) -> None:
    org = Org(stack, allow=False)
    changed = org.api.patch("/v1/tenants/org", key=org.platform, body={
        "settings": {"allow_imported_tokens": True, "share_url_template": "https://p.example/s/{token}"}})
    assert changed.status == 200, changed
    made = org.api.post("/v1/resources/r1/links", key=org.platform, headers={"Keyhole-Tenant": "org"},
                        body={"import_token": "legacy-token-0001"}).json
    assert made["url"] == "https://p.example/s/legacy-token-0001"
    bad = org.api.patch("/v1/tenants/org", key=org.platform, body={"settings": {"share_url_template": "x{token}"}})
    assert bad.status == 422 and bad.json["error"]["details"][0]["field"] == "settings.share_url_template"


def test_ops_tenants_default_to_neither(stack: Any) -> None:
    _, admin = tenants.create_tenant(stack.svc, name="Ops Co", plan="team")
    settings = HttpApi(stack.api_url).get("/v1/tenant", key=admin).json["settings"]
    assert settings["allow_imported_tokens"] is False and settings["share_url_template"] is None


def audit_of(stack: Any, tenant_id: str) -> List[str]:
    return [e.action for e in AuditEvent.query(AuditEvent.partition(tenant_id))]
