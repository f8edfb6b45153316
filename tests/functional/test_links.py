"""Links end to end: the token and the link object, lists and their filters across pages, reveal
(and `token_display: once`), revocation, deleting a resource, and the audit trail of every admin
action. Each test starts from empty tables with its own clock (`clock.advance` ages links).
"""
from __future__ import annotations

import base64
import re
from typing import Any, Dict, List

import pytest

from chalicelib.storage.models import Capability, LinkRecord
from tests.conftest import Api
from tests.functional.conftest import Env
from tests.support import (TenantKeys, all_items, assert_error, fresh_ip, make_link, new_key, pages,
                           put_resource, refused)

LINK_FIELDS = {"id", "resource_id", "label", "description", "scope", "token_preview", "status", "expires_at",
               "created_at", "created_by", "revoked_at", "revoked_by", "view_count", "last_accessed_at",
               "has_password", "max_views", "rate_limit_per_min", "token_source", "token_strength", "paused",
               "embeddable"}
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{64}$")


def _opens(api: Api, token: str) -> int:
    return api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()}).status


def test_a_new_link_carries_a_256_bit_url_safe_token_and_its_url(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN / WHEN an operator creates a link
    reply = api.post(f"/v1/resources/{tenant.resource_id}/links", key=tenant.operator, body={"label": "L"})
    # THEN 201 with the link object, a token and the share URL
    assert reply.status == 201, reply
    link = reply.json
    assert set(link) == LINK_FIELDS | {"url", "token"}
    token = link["token"]
    assert TOKEN_RE.match(token) and len(base64.urlsafe_b64decode(token)) == 48  # 32 secret bytes + locator
    assert link["url"] == f"http://localhost/share/{token}"
    assert link["token_preview"] == token[:6]
    assert link["id"].startswith("lnk_") and token not in link["id"]
    assert (link["status"], link["view_count"], link["has_password"], link["revoked_at"], link["revoked_by"],
            link["last_accessed_at"]) == ("active", 0, False, None, None, None)
    assert link["created_by"] == {"key_id": tenant.key_ids["operator"], "actor": None} and link["resource_id"] == tenant.resource_id
    # AND the URL opens
    assert _opens(api, token) == 200


def test_tokens_are_never_reused(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN / WHEN many links are created (and revoked, freeing their slots) THEN every token and id differs
    tokens, ids = set(), set()
    for _ in range(6):
        link = make_link(api, tenant.operator, tenant.resource_id)
        tokens.add(link["token"][:32])
        ids.add(link["id"])
        assert api.delete(f"/v1/links/{link['id']}", key=tenant.operator).status == 204
    assert len(tokens) == len(ids) == 6


@pytest.mark.parametrize("path", ["/v1/links/{id}", "/v1/links", "/v1/resources/{resource}/links"])
def test_the_link_object_has_exactly_the_spec_fields_and_no_url_or_token(env: Env, tenant: TenantKeys,
                                                                         path: str) -> None:
    api = env.api
    # GIVEN a link WHEN it is read back (one, tenant list, resource list)
    link = make_link(api, tenant.operator, tenant.resource_id, label="L", description="D", scope="summary",
                     password="correct horse", max_views=5, rate_limit_per_min=30, expires_in="2d")
    reply = api.get(path.format(id=link["id"], resource=tenant.resource_id), key=tenant.viewer)
    got = reply.json if "{id}" in path else reply.json["items"][0]
    # THEN exactly SPEC's fields, without url or token, with the values given at creation
    assert set(got) == LINK_FIELDS
    assert link["token"] not in reply.body.decode()
    expected = {k: v for k, v in link.items() if k not in ("url", "token")}
    assert got == expected
    assert (got["label"], got["description"], got["scope"], got["has_password"], got["max_views"],
            got["rate_limit_per_min"]) == ("L", "D", "summary", True, 5, 30)


def test_lists_paginate_without_duplicates_or_gaps(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN 7 links on the resource (team plan: up to 10 active)
    created = {make_link(api, tenant.operator, tenant.resource_id)["id"] for _ in range(7)}
    for limit in (1, 2, 3, 7, 100):
        for path in ("/v1/links", f"/v1/resources/{tenant.resource_id}/links"):
            for status in ("active", "all"):
                # WHEN the list is walked `limit` at a time
                walked = list(pages(api, path, tenant.viewer, limit=limit, status=status))
                ids = [item["id"] for page in walked for item in page]
                # THEN every link appears exactly once, and no page is longer than the limit
                assert sorted(ids) == sorted(created), (limit, path, status)
                assert all(len(page) <= limit for page in walked)


def test_resources_api_keys_and_audit_paginate_too(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN several resources and keys
    for i in range(5):
        put_resource(api, tenant.operator, f"page-res-{i}")
        new_key(api, tenant.admin)
    for path, key in (("/v1/resources", tenant.viewer), ("/v1/api-keys", tenant.admin), ("/v1/audit", tenant.admin)):
        everything = all_items(api, path, key, limit=100)
        # WHEN walked two at a time THEN the same items, once each
        walked = all_items(api, path, key, limit=2)
        assert [i["id"] for i in walked] == [i["id"] for i in everything] and len(walked) >= 6


def test_audit_is_newest_first(env: Env, tenant: TenantKeys) -> None:
    api, clock = env.api, env.clock
    for label in ("first", "second", "third"):
        make_link(api, tenant.operator, tenant.resource_id, label=label)
        clock.advance(1)
    events = api.get("/v1/audit?limit=3", key=tenant.admin).json["items"]
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)
    assert events[0]["action"] == "link.created"


def _statuses(api: Api, t: TenantKeys, status: str, resource: bool = False) -> List[str]:
    path = f"/v1/resources/{t.resource_id}/links" if resource else "/v1/links"
    query = {} if status == "default" else {"status": status}
    return sorted(item["label"] for item in all_items(api, path, t.viewer, **query))


@pytest.mark.parametrize("resource", [False, True], ids=["tenant-wide", "per resource"])
def test_status_filter_active_revoked_expired_all(env: Env, tenant: TenantKeys, resource: bool) -> None:
    api, clock = env.api, env.clock
    # GIVEN a link that never expires, one revoked, one that expires in an hour
    make_link(api, tenant.operator, tenant.resource_id, label="forever", expires_in="never")
    revoked = make_link(api, tenant.operator, tenant.resource_id, label="revoked")
    api.delete(f"/v1/links/{revoked['id']}", key=tenant.operator)
    soon = make_link(api, tenant.operator, tenant.resource_id, label="soon", expires_in="1h")
    assert _statuses(api, tenant, "active", resource) == ["forever", "soon"]
    # WHEN two hours pass
    clock.advance(2 * 3600)
    # THEN each filter shows exactly its links, and the default is active
    assert _statuses(api, tenant, "default", resource) == ["forever"]
    assert _statuses(api, tenant, "active", resource) == ["forever"]
    assert _statuses(api, tenant, "revoked", resource) == ["revoked"]
    assert _statuses(api, tenant, "expired", resource) == ["soon"]
    assert _statuses(api, tenant, "all", resource) == ["forever", "revoked", "soon"]
    assert api.get(f"/v1/links/{soon['id']}", key=tenant.viewer).json["status"] == "expired"
    # AND the expired link no longer opens, although TTL has not removed anything yet
    assert _opens(api, soon["token"]) == 404


def test_reveal_returns_the_same_token_and_is_audited(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN a link WHEN an operator reveals it twice
    link = make_link(api, tenant.operator, tenant.resource_id)
    for _ in range(2):
        reply = api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator)
        # THEN the same token and URL come back
        assert reply.status == 200 and reply.json["token"] == link["token"] and reply.json["url"] == link["url"]
    # AND each reveal is audited, by preview only
    events = [e for e in all_items(api, "/v1/audit", tenant.admin) if e["action"] == "link.revealed"]
    assert len(events) == 2 and all(e["target_id"] == link["id"] for e in events)
    assert all(e["actor"]["id"] == tenant.key_ids["operator"] for e in events)
    assert link["token"] not in repr(events) and link["token"][:6] in repr(events)


def test_token_display_once_stores_no_sealed_copy_and_reveal_is_409(env: Env, tenant: TenantKeys) -> None:
    api, svc = env.api, env.svc
    # GIVEN a link created while tokens are re-copyable
    before = make_link(api, tenant.operator, tenant.resource_id)
    assert svc.store.get(LinkRecord, LinkRecord.key(before["id"])).sealed_token is not None
    # WHEN the tenant switches to `once`
    assert api.patch("/v1/tenant", key=tenant.admin, body={"token_display": "once"}).status == 200
    # THEN a new link shows its token once, in the create reply, and stores no sealed copy at all
    after = make_link(api, tenant.operator, tenant.resource_id)
    assert TOKEN_RE.match(after["token"]) and _opens(api, after["token"]) == 200
    record = svc.store.get(LinkRecord, LinkRecord.key(after["id"]))
    assert record.sealed_token is None and record.token_preview == after["token"][:6]
    # AND reveal is 409 for new and old links alike, and writes nothing
    for link in (after, before):
        refused(svc, lambda: api.post(f"/v1/links/{link['id']}/reveal", key=tenant.admin), 409, "conflict")


def test_revoke_is_immediate_permanent_and_keeps_the_record(env: Env, tenant: TenantKeys) -> None:
    api, svc = env.api, env.svc
    # GIVEN an open link
    link = make_link(api, tenant.operator, tenant.resource_id)
    assert _opens(api, link["token"]) == 200
    # WHEN it is revoked
    reply = api.delete(f"/v1/links/{link['id']}", key=tenant.operator)
    # THEN 204, the URL is dead at once, and the record stays with who and when
    assert reply.status == 204 and not reply.body
    assert _opens(api, link["token"]) == 404
    got = api.get(f"/v1/links/{link['id']}", key=tenant.viewer).json
    assert got["status"] == "revoked" and got["revoked_by"] == {"key_id": tenant.key_ids["operator"], "actor": None} and got["revoked_at"]
    assert svc.store.get(Capability, Capability.key(_hash(link["token"]))) is None
    # AND revoking again is a harmless 204; reveal and patch are refused
    assert api.delete(f"/v1/links/{link['id']}", key=tenant.operator).status == 204
    refused(svc, lambda: api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator), 409, "conflict")
    refused(svc, lambda: api.patch(f"/v1/links/{link['id']}", key=tenant.operator, body={"label": "x"}),
            409, "conflict")
    # AND the slot is free again
    assert api.get("/v1/tenant", key=tenant.viewer).json["usage"] == {"active_links": 0,
                                                                            "shared_resources": 0}


def _hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def test_expired_links_cannot_be_patched_or_revealed(env: Env, tenant: TenantKeys) -> None:
    api, svc, clock = env.api, env.svc, env.clock
    link = make_link(api, tenant.operator, tenant.resource_id, expires_in="1h")
    clock.advance(3601)
    refused(svc, lambda: api.patch(f"/v1/links/{link['id']}", key=tenant.operator,
                                          body={"expires_in": "7d"}), 409, "conflict")
    refused(svc, lambda: api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator), 409, "conflict")
    assert _opens(api, link["token"]) == 404


def test_patch_changes_what_viewers_see_and_the_expiry(env: Env, tenant: TenantKeys) -> None:
    api, clock = env.api, env.clock
    # GIVEN a link expiring in an hour
    link = make_link(api, tenant.operator, tenant.resource_id, label="old", expires_in="1h")
    # WHEN its label and expiry are patched
    reply = api.patch(f"/v1/links/{link['id']}", key=tenant.operator,
                             body={"label": "new", "description": "desc", "expires_in": "2d"})
    assert reply.status == 200 and reply.json["label"] == "new" and set(reply.json) == LINK_FIELDS
    # THEN viewers see the new label, and the link outlives its old expiry
    clock.advance(2 * 3600)
    data = api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()})
    assert data.status == 200 and data.json["link"]["label"] == "new" and data.json["link"]["description"] == "desc"
    assert api.get(f"/v1/links/{link['id']}", key=tenant.viewer).json["status"] == "active"


def test_deleting_a_resource_revokes_every_link_to_it(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN a resource with three live links
    links = [make_link(api, tenant.operator, tenant.resource_id, label=f"l{i}") for i in range(3)]
    assert api.get("/v1/tenant", key=tenant.viewer).json["usage"] == {"active_links": 3,
                                                                            "shared_resources": 1}
    # WHEN the resource is deleted
    assert api.delete(f"/v1/resources/{tenant.resource_id}", key=tenant.operator).status == 204
    # THEN every URL is dead, every link reads revoked (record kept), and the slots are free
    for link in links:
        assert _opens(api, link["token"]) == 404
        got = api.get(f"/v1/links/{link['id']}", key=tenant.viewer).json
        assert got["status"] == "revoked" and got["revoked_by"] == {"key_id": tenant.key_ids["operator"], "actor": None}
    assert api.get(f"/v1/resources/{tenant.resource_id}", key=tenant.viewer).status == 404
    assert api.get("/v1/tenant", key=tenant.viewer).json["usage"] == {"active_links": 0,
                                                                            "shared_resources": 0}
    # AND the audit trail says why
    events = all_items(api, "/v1/audit", tenant.admin)
    revoked = [e for e in events if e["action"] == "link.revoked"]
    assert sorted(e["target_id"] for e in revoked) == sorted(link["id"] for link in links)
    assert all(e["details"]["reason"] == "resource_deleted" for e in revoked)
    deleted = [e for e in events if e["action"] == "resource.deleted"]
    assert len(deleted) == 1 and deleted[0]["details"]["links_revoked"] == 3
    # AND recreating the resource does not resurrect any link
    put_resource(api, tenant.operator, tenant.resource_id)
    assert all(_opens(api, link["token"]) == 404 for link in links)
    assert _opens(api, links[0]["token"]) == 404


def test_every_admin_action_is_audited_with_actor_and_request_id(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    # GIVEN a tenant WHEN an admin and an operator do one of everything
    replies: Dict[str, Any] = {}
    replies["tenant.settings_updated"] = api.patch("/v1/tenant", key=tenant.admin,
                                                          body={"default_expires_in": "1d"})
    replies["api_key.created"] = api.post("/v1/api-keys", key=tenant.admin,
                                                 body={"name": "tmp", "role": "viewer"})
    tmp_key = replies["api_key.created"].json["key"]
    replies["api_key.deleted"] = api.delete(f"/v1/api-keys/{replies['api_key.created'].json['id']}",
                                                   key=tenant.admin)
    replies["resource.created"] = api.put("/v1/resources/audited", key=tenant.operator,
                                                 body={"type": "t", "name": "n", "document": {"a": 1}})
    replies["resource.replaced"] = api.put("/v1/resources/audited", key=tenant.operator,
                                                  body={"type": "t", "name": "n2", "document": {"a": 2}})
    replies["link.created"] = api.post("/v1/resources/audited/links", key=tenant.operator,
                                              body={"password": "p4ssw0rd-audit"})
    link = replies["link.created"].json
    replies["link.updated"] = api.patch(f"/v1/links/{link['id']}", key=tenant.operator, body={"label": "x"})
    replies["link.revealed"] = api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator)
    replies["link.revoked"] = api.delete(f"/v1/links/{link['id']}", key=tenant.operator)
    replies["resource.deleted"] = api.delete("/v1/resources/audited", key=tenant.operator)
    assert all(r.status in (200, 201, 204) for r in replies.values()), replies
    # THEN each action has an event carrying the request id of the call that made it, and its actor
    events = all_items(api, "/v1/audit", tenant.admin)
    by_request = {e["request_id"]: e for e in events}
    for action, reply in replies.items():
        event = by_request[reply.headers["x-request-id"]]
        assert event["action"] == action and event["at"] and event["actor"]["type"] == "key"
        assert event["actor"]["id"] in (tenant.key_ids["operator"], _admin_key_id(api, tenant))
    # AND no event holds a token, a key or a password
    text = repr(events)
    for secret in (link["token"], tmp_key, tenant.admin, tenant.operator, "p4ssw0rd-audit"):
        assert secret not in text


def _admin_key_id(api: Api, t: TenantKeys) -> str:
    keys = all_items(api, "/v1/api-keys", t.admin)
    return next(k["id"] for k in keys if k["name"] == "first admin key")


def test_tenant_view_shows_plan_limits_usage_and_settings(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    make_link(api, tenant.operator, tenant.resource_id)
    got = api.get("/v1/tenant", key=tenant.viewer).json
    assert got["plan"] == "team" and got["name"] == tenant.name and got["id"] == tenant.tenant_id
    assert got["limits"] == {"links_per_resource": 10, "shared_resources": 1000, "api_requests_per_min": 1200,
                             "viewer_requests_per_min_per_ip": 600, "failed_resolves_per_min_per_ip": 30}
    assert got["usage"] == {"active_links": 1, "shared_resources": 1}
    assert {"default_expires_in": "7d", "max_expires_in": "never", "token_display": "recopyable",
            "require_password": False}.items() <= got["settings"].items()


def test_the_operator_and_admin_see_the_same_link_the_viewer_does(env: Env, tenant: TenantKeys) -> None:
    api = env.api
    link = make_link(api, tenant.operator, tenant.resource_id)
    bodies = {role: api.get(f"/v1/links/{link['id']}", key=tenant.key(role)).json
              for role in ("viewer", "operator", "admin")}
    assert bodies["viewer"] == bodies["operator"] == bodies["admin"]
    assert_error(api.get(f"/v1/links/{link['id']}x", key=tenant.viewer), 404, "not_found")


def test_a_scope_in_use_cannot_be_removed_from_the_resource(env: Env, tenant: TenantKeys) -> None:
    # GIVEN an active link using scope `summary`
    api, svc = env.api, env.svc
    link = make_link(api, tenant.operator, tenant.resource_id, scope="summary")
    without = {"type": "monitor", "name": "Checkout", "document": {"title": "t"}, "redact": [], "scopes": {}}
    # WHEN the resource is replaced without that scope THEN 409 naming the scope, nothing changed
    error = refused(svc, lambda: api.put(f"/v1/resources/{tenant.resource_id}", key=tenant.operator, body=without),
                    409, "conflict")
    assert [d["field"] for d in error["details"]] == ["scopes.summary"]
    # AND once the link is revoked the scope can go
    api.delete(f"/v1/links/{link['id']}", key=tenant.operator)
    assert api.put(f"/v1/resources/{tenant.resource_id}", key=tenant.operator, body=without).status == 200


def test_max_views_cannot_be_patched_below_the_views_used(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a link with 3 views, 2 of them used
    api, svc = env.api, env.svc
    link = make_link(api, tenant.operator, tenant.resource_id, max_views=3)
    for _ in range(2):
        assert api.post(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    # WHEN max_views is lowered to the views used THEN 422; above them it is accepted
    send = lambda: api.patch(f"/v1/links/{link['id']}", key=tenant.operator, body={"max_views": 2})  # noqa: E731
    assert [d["field"] for d in refused(svc, send, 422, "validation_error")["details"]] == ["max_views"]
    assert api.patch(f"/v1/links/{link['id']}", key=tenant.operator, body={"max_views": 4}).status == 200
    assert [api.post(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status
            for _ in range(3)] == [200, 200, 404]



def test_a_link_can_be_created_with_no_body_at_all(env: Env, tenant: TenantKeys) -> None:
    # GIVEN every create-link field is optional WHEN the request has no body THEN the defaults apply
    reply = env.api.call("POST", f"/v1/resources/{tenant.resource_id}/links", key=tenant.operator, raw=b"")
    assert reply.status == 201, reply
    assert reply.json["status"] == "active" and reply.json["expires_at"] is not None  # tenant default (7d)


def test_an_active_list_cursor_survives_the_expiry_of_the_link_it_ended_on(env: Env, tenant: TenantKeys) -> None:
    """Real DynamoDB rejects a start key outside the key condition (moto does not check): a cursor
    that ended on a link which has expired since must still give the rest of the active links."""
    api, clock = env.api, env.clock
    # GIVEN active links expiring in 1, 2, 3 and 4 hours, and the first page of one link
    ids = [make_link(api, tenant.operator, tenant.resource_id, expires_in=f"{h}h")["id"] for h in (1, 2, 3, 4)]
    first = api.get("/v1/links?status=active&limit=1", key=tenant.viewer).json
    assert [i["id"] for i in first["items"]] == ids[:1]
    # WHEN 90 minutes pass (the first link expired) and the next page is asked for
    clock.advance(90 * 60)
    second = api.get(f"/v1/links?status=active&limit=2&cursor={first['next_cursor']}", key=tenant.viewer)
    # THEN it continues with the links still active, without an error, a gap or a repeat
    assert second.status == 200, second
    assert [i["id"] for i in second.json["items"]] == ids[1:3]
