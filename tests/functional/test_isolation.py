"""Tenant isolation, tested as an attacker: tenant B (with its strongest key) goes after tenant A's
keys, resources, links and audit events by id, by guessing, through lists and by replaying A's
cursors and tokens. Every attempt is a 404 (or a 422 for cursors) that changes nothing, lists never
show A's items, and a probe for a real id of A's answers exactly like one for an id nobody has.
"""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any, Dict, List

import pytest

from chalicelib.service import Keyhole
from tests.conftest import Api
from tests.support import (TenantKeys, all_items, fresh_ip, make_link, put_resource, refused, refused_fields)


@dataclass
class Victim:
    """What tenant A owns: a live link (and its token), a revoked link, a resource, its keys."""

    t: TenantKeys
    link_id: str
    token: str
    revoked_link_id: str
    resource_id: str
    key_id: str


@pytest.fixture(scope="module")
def victim(module_api: Api, module_tenant: TenantKeys) -> Victim:
    t = module_tenant
    live = make_link(module_api, t.admin, t.resource_id, label="A's secret link")
    make_link(module_api, t.admin, t.resource_id, label="A's other link")
    for label in ("A's revoked link", "A's other revoked link"):
        revoked = make_link(module_api, t.admin, t.resource_id, label=label)
        assert module_api.delete(f"/v1/links/{revoked['id']}", key=t.admin).status == 204
    for _ in range(2):
        assert module_api.post("/v1/webhooks", key=t.admin, body={"url": "https://a.localhost/hook"}).status == 201
    return Victim(t=t, link_id=live["id"], token=live["token"], revoked_link_id=revoked["id"],
                  resource_id=t.resource_id, key_id=t.key_ids["operator"])


@pytest.fixture(scope="module")
def attacker(module_api: Api, module_attacker: TenantKeys, victim: Victim) -> TenantKeys:
    """Tenant B, with a resource of the same id as A's and links of its own."""
    put_resource(module_api, module_attacker.admin, victim.resource_id,
                 {"type": "evil", "name": "B's resource", "document": {"owner": "B"}})
    make_link(module_api, module_attacker.admin, victim.resource_id, label="B's link")
    return module_attacker


def _ids(items: List[Dict[str, Any]]) -> set:
    return {item["id"] for item in items}


@pytest.mark.parametrize("path", ["/v1/links", "/v1/links?status=all", "/v1/links?status=revoked",
                                  "/v1/resources", "/v1/api-keys", "/v1/audit", "/v1/webhooks",
                                  "/v1/resources/{resource}/links?status=all"])
def test_lists_never_include_another_tenants_items(module_api: Api, victim: Victim, attacker: TenantKeys,
                                                   path: str) -> None:
    # GIVEN tenant A's items and tenant B's, with the same resource id
    path = path.format(resource=victim.resource_id)
    base, _, query = path.partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    # WHEN each tenant walks the whole list
    mine = all_items(module_api, base, victim.t.admin, **params)
    theirs = all_items(module_api, base, attacker.admin, **params)
    # THEN no id appears in both (resource ids are chosen per tenant, so B's `X` is B's own), and
    # none of A's ids, tokens or labels show up in B's pages
    if base == "/v1/resources":
        assert {r["id"]: r["name"] for r in theirs}[victim.resource_id] == "B's resource"
    else:
        assert not _ids(mine) & _ids(theirs)
    text = repr(theirs)
    for secret in (victim.link_id, victim.revoked_link_id, victim.token, victim.token[:6], victim.key_id,
                   victim.t.tenant_id, "A's secret link", "A's revoked link"):
        assert secret not in text


def test_tenant_view_shows_only_the_callers_tenant(module_api: Api, victim: Victim, attacker: TenantKeys) -> None:
    got = module_api.get("/v1/tenant", key=attacker.viewer).json
    assert got["id"] == attacker.tenant_id and got["name"] == attacker.name != victim.t.name


@pytest.mark.parametrize("role", ["admin", "operator", "viewer"])
@pytest.mark.parametrize("method,suffix,body", [
    ("GET", "", None), ("PATCH", "", {"label": "pwned", "expires_in": "never"}), ("DELETE", "", None),
    ("POST", "/reveal", None),
])
def test_another_tenants_links_cannot_be_read_changed_revealed_or_revoked(module_svc: Keyhole, module_api: Api,
                                                                         victim: Victim, attacker: TenantKeys,
                                                                         role: str, method: str, suffix: str,
                                                                         body: Any) -> None:
    # GIVEN A's live and revoked links WHEN B's keys go after them by id THEN 404 (403 where B's
    # role could not do this even to its own links: the role is checked first), nothing written
    expected = (403, "forbidden") if role == "viewer" and method != "GET" else (404, "not_found")
    for link_id in (victim.link_id, victim.revoked_link_id):
        refused(module_svc, lambda: module_api.call(method, f"/v1/links/{link_id}{suffix}",
                                                    key=attacker.key(role), body=body), *expected)
    # AND A's link is intact and still opens for viewers
    link = module_api.get(f"/v1/links/{victim.link_id}", key=victim.t.viewer).json
    assert link["status"] == "active" and link["label"] == "A's secret link"
    assert module_api.get(f"/share/{victim.token}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200


def test_a_real_foreign_id_answers_exactly_like_an_id_nobody_has(module_svc: Keyhole, module_api: Api,
                                                                 victim: Victim, attacker: TenantKeys) -> None:
    # GIVEN A's real link id and a random one WHEN B probes both THEN the replies are identical
    # (apart from the request id), so B cannot even learn that the id exists
    def probe(link_id: str) -> Any:
        reply = module_api.get(f"/v1/links/{link_id}", key=attacker.admin)
        error = dict(reply.json["error"])
        error.pop("request_id")
        headers = {k: v for k, v in reply.headers.items() if k != "x-request-id"}
        return reply.status, error, headers

    assert probe(victim.link_id) == probe(f"lnk_{secrets.token_hex(12)}")


@pytest.mark.parametrize("role", ["admin", "operator"])
def test_another_tenants_api_keys_cannot_be_deleted(module_svc: Keyhole, module_api: Api, victim: Victim,
                                                    attacker: TenantKeys, role: str) -> None:
    # GIVEN A's operator key id WHEN B tries to delete it THEN 404 (admin) or 403 (operator: role first)
    expected = (404, "not_found") if role == "admin" else (403, "forbidden")
    refused(module_svc, lambda: module_api.delete(f"/v1/api-keys/{victim.key_id}", key=attacker.key(role)),
            *expected)
    # AND A's key still works
    assert module_api.get("/v1/tenant", key=victim.t.operator).status == 200


def test_the_same_resource_id_names_two_separate_resources(module_svc: Keyhole, module_api: Api, victim: Victim,
                                                           attacker: TenantKeys) -> None:
    # GIVEN A and B both have a resource with the same id
    path = f"/v1/resources/{victim.resource_id}"
    # WHEN each reads it THEN each sees its own document only
    assert module_api.get(path, key=attacker.viewer).json["document"] == {"owner": "B"}
    assert module_api.get(path, key=victim.t.viewer).json["document"]["title"] == "Checkout API"
    # AND B's resource links list holds only B's links
    b_links = module_api.get(f"{path}/links?status=all", key=attacker.viewer).json["items"]
    assert b_links and {link["label"] for link in b_links} == {"B's link"}


def test_deleting_ones_own_resource_never_touches_the_other_tenants(module_api: Api, victim: Victim,
                                                                    attacker: TenantKeys) -> None:
    # GIVEN both tenants have resource `X` with links WHEN B deletes its `X`
    path = f"/v1/resources/{victim.resource_id}"
    assert module_api.delete(path, key=attacker.operator).status == 204
    # THEN A's resource and link are untouched and A's share link still opens
    assert module_api.get(path, key=victim.t.viewer).status == 200
    assert module_api.get(f"/v1/links/{victim.link_id}", key=victim.t.viewer).json["status"] == "active"
    assert module_api.get(f"/share/{victim.token}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    # AND B's side is gone
    assert module_api.get(path, key=attacker.viewer).status == 404
    # (restore B's resource for the other tests in this module)
    put_resource(module_api, attacker.admin, victim.resource_id,
                 {"type": "evil", "name": "B's resource", "document": {"owner": "B"}})


def test_links_cannot_be_created_on_another_tenants_resource(module_svc: Keyhole, module_api: Api,
                                                             victim: Victim, attacker: TenantKeys) -> None:
    # GIVEN an id only A has WHEN B creates a link on it THEN 404
    only_a = "only-a-res"
    put_resource(module_api, victim.t.admin, only_a)
    refused(module_svc, lambda: module_api.post(f"/v1/resources/{only_a}/links", key=attacker.admin, body={}),
            404, "not_found")
    refused(module_svc, lambda: module_api.get(f"/v1/resources/{only_a}/links", key=attacker.admin),
            404, "not_found")


@pytest.mark.parametrize("path", ["/v1/links", "/v1/audit", "/v1/resources", "/v1/api-keys", "/v1/webhooks",
                                  "/v1/links?status=revoked&"])
def test_replaying_another_tenants_cursor_is_refused(module_svc: Keyhole, module_api: Api, victim: Victim,
                                                     attacker: TenantKeys, path: str) -> None:
    # GIVEN a cursor from A's list (and the same cursor edited to name B's partition)
    sep = "&" if "?" in path else "?"
    reply = module_api.get(f"{path}{sep}limit=1", key=victim.t.admin)
    cursor = reply.json["next_cursor"]
    assert cursor, "A needs two items in this list"
    # WHEN B replays it THEN 422 cursor, and B's reply holds nothing of A's
    send = lambda: module_api.get(f"{path}{sep}cursor={cursor}", key=attacker.admin)  # noqa: E731
    assert refused_fields(module_svc, send) == ["cursor"]


def test_a_forged_token_cannot_reach_another_tenants_resource(module_api: Api, victim: Victim,
                                                              attacker: TenantKeys) -> None:
    # GIVEN B's own valid token, and A's token whose last 16 bytes (the locator) name A's document
    mine = make_link(module_api, attacker.admin, victim.resource_id, label="forge base")["token"]
    raw_mine = base64.urlsafe_b64decode(mine)
    raw_victim = base64.urlsafe_b64decode(victim.token)
    # WHEN B grafts A's locator onto its own secret (and A's secret onto its locator)
    forged = [base64.urlsafe_b64encode(raw_mine[:32] + raw_victim[32:]).decode(),
              base64.urlsafe_b64encode(raw_victim[:31] + bytes([raw_victim[31] ^ 1]) + raw_victim[32:]).decode()]
    # THEN each forgery is a dead link: the one 404, no document of A's
    for token in forged:
        for suffix in ("/data", "/info"):
            reply = module_api.get(f"/share/{token}{suffix}", headers={"x-forwarded-for": fresh_ip()})
            assert reply.status == 404 and b"Checkout" not in reply.body


def test_audit_logs_are_per_tenant(module_api: Api, victim: Victim, attacker: TenantKeys) -> None:
    # GIVEN both tenants acted (keys, resources, links, revocations)
    def owned(t: TenantKeys) -> set:
        links = all_items(module_api, "/v1/links", t.admin, status="all")
        keys = all_items(module_api, "/v1/api-keys", t.admin)
        return _ids(links) | _ids(keys) | {t.tenant_id}

    # WHEN each reads its audit log THEN no event names the other tenant's keys, links or tenant
    for reader, other in ((victim.t, attacker), (attacker, victim.t)):
        events = all_items(module_api, "/v1/audit", reader.admin)
        assert events
        foreign = owned(other)
        for event in events:
            assert event["target_id"] not in foreign and event["actor"]["id"] not in foreign, event
