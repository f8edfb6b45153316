"""Defects an attacker review found, each pinned by the behaviour a user sees: retried writes
that cannot leave a second copy, an exhausted link that PATCH cannot revive, resource rules that
cannot overflow DynamoDB's item size, edited cursors, forged unlock cookies, the enumeration
guard giving every dead token of a tenant one threshold, and forwarded addresses that are not one.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Dict, List

from botocore.exceptions import ReadTimeoutError

from chalicelib.credentials import tokens
from tests.functional.conftest import Env
from tests.support import (TenantKeys, assert_error, b64_cursor, fresh_ip, make_link, make_tenant, put_resource,
                           refused)


# --- idempotent transactions ------------------------------------------------------------------

def test_an_sdk_retry_of_a_create_carries_the_same_idempotency_token(env: Env, tenant: TenantKeys) -> None:
    """moto ignores ClientRequestToken, so what is checked here is what real DynamoDB needs: every
    attempt of one commit carries one token (a retry of an attempt that had committed is then
    answered with success, not with failed conditions), and each commit has its own."""
    # GIVEN the first TransactWriteItems of a create times out before it reaches DynamoDB
    client = env.svc.store.client
    sent: List[str] = []

    def flaky(request: Any, **kwargs: Any) -> Any:
        sent.append(json.loads(request.body).get("ClientRequestToken"))
        if len(sent) == 1:
            raise ReadTimeoutError(endpoint_url=request.url)
        return None

    client.meta.events.register_first("before-send.dynamodb.TransactWriteItems", flaky)
    try:
        # WHEN an operator creates a link, and then another
        first = env.api.post(f"/v1/resources/{tenant.resource_id}/links", key=tenant.operator, body={})
        second = env.api.post(f"/v1/resources/{tenant.resource_id}/links", key=tenant.operator, body={})
    finally:
        client.meta.events.unregister("before-send.dynamodb.TransactWriteItems", flaky)
    # THEN both succeed; the SDK's retry of the first sent the first attempt's token again
    assert first.status == 201 and second.status == 201, (first, second)
    assert len(sent) == 3 and sent[0] and sent[0] == sent[1]
    # AND the second create had a token of its own
    assert sent[2] and sent[2] != sent[0]


# --- PATCH and exhaustion ---------------------------------------------------------------------

def test_patch_cannot_revive_a_link_that_used_its_last_view(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a one-view link whose view was just used (the stream has not marked the record yet)
    link = make_link(env.api, tenant.operator, tenant.resource_id, max_views=1)
    ip = {"x-forwarded-for": fresh_ip()}
    assert env.api.post(f"/share/{link['token']}/data", headers=ip).status == 200
    assert env.api.post(f"/share/{link['token']}/data", headers=ip).status == 404
    # WHEN an operator raises or removes its view limit
    for body in ({"max_views": 10}, {"max_views": None}, {"label": "again"}):
        error = refused(env.svc, lambda: env.api.patch(f"/v1/links/{link['id']}", key=tenant.operator, body=body),
                        409, "conflict")
        # THEN 409, naming why
        assert "exhausted" in error["message"]
    # AND the link stays dead
    assert env.api.post(f"/share/{link['token']}/data", headers=ip).status == 404
    assert env.api.get(f"/share/{link['token']}/info", headers=ip).status == 404


def test_patch_still_raises_the_limit_of_a_link_with_views_left(env: Env, tenant: TenantKeys) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id, max_views=2)
    ip = {"x-forwarded-for": fresh_ip()}
    assert env.api.post(f"/share/{link['token']}/data", headers=ip).status == 200
    assert env.api.patch(f"/v1/links/{link['id']}", key=tenant.operator, body={"max_views": 3}).status == 200
    assert [env.api.post(f"/share/{link['token']}/data", headers=ip).status for _ in range(3)] == [200, 200, 404]


# --- resource item size -----------------------------------------------------------------------

def _scopes(total_fields: int, width: int = 200) -> Dict[str, List[str]]:
    names = [f"f{i:04d}".ljust(width, "x") for i in range(total_fields)]
    return {f"s{n}": names[n * 200:(n + 1) * 200] for n in range((total_fields + 199) // 200)}


def test_scopes_over_64_kib_are_413_and_change_nothing(env: Env, tenant: TenantKeys) -> None:
    # GIVEN scopes of about 80 KB next to a near-limit document (together over DynamoDB's 400 KB item)
    body = {"type": "t", "name": "big", "document": {"text": "a" * (250 * 1024)}, "scopes": _scopes(400)}
    # WHEN an operator puts the resource THEN 413 naming `scopes`, and nothing is written
    error = refused(env.svc, lambda: env.api.put("/v1/resources/big", key=tenant.operator, body=body),
                    413, "payload_too_large")
    assert [d["field"] for d in error["details"]] == ["scopes"]
    assert env.api.get("/v1/resources/big", key=tenant.operator).status == 404


def test_a_full_document_with_scopes_just_under_the_limit_is_stored(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a 255 KiB document and about 60 KiB of scopes (the largest item the limits allow)
    body = {"type": "t", "name": "big", "document": {"text": "a" * (255 * 1024)}, "scopes": _scopes(300)}
    # WHEN it is put THEN it is stored whole
    reply = env.api.put("/v1/resources/big", key=tenant.operator, body=body)
    assert reply.status == 201, reply
    assert len(env.api.get("/v1/resources/big", key=tenant.operator).json["scopes"]) == 2


# --- edited cursors ---------------------------------------------------------------------------

def test_edited_cursors_are_422_never_500(env: Env, tenant: TenantKeys) -> None:
    # GIVEN cursors edited by the tenant itself: a key attribute dropped, or a sort key moved out
    # of the range the list queries (real DynamoDB rejects such a start key)
    t = tenant.tenant_id
    live = f"T#{t}#S#live"
    edited = [
        ("/v1/links", {"list": "links:active", "gsi1pk": live}),
        ("/v1/links", {"list": "links:active", "gsi1pk": live, "gsi1sk": "9999#x"}),
        ("/v1/links?status=expired", {"list": "links:expired", "pk": "LINK#lnk_x", "sk": "LINK", "gsi1pk": live,
                                      "gsi1sk": "9999#lnk_x"}),
        ("/v1/resources", {"list": "resources", "pk": f"TENANT#{t}"}),
        ("/v1/resources", {"list": "resources", "pk": f"TENANT#{t}", "sk": "KEY#zzz"}),
        ("/v1/audit", {"list": "audit", "pk": f"AUDIT#{t}"}),
    ]
    for path, cursor in edited:
        # WHEN a page is asked for with it
        separator = "&" if "?" in path else "?"
        reply = env.api.get(f"{path}{separator}cursor={b64_cursor(cursor)}", key=tenant.admin)
        # THEN each is a 422 on `cursor`
        error = assert_error(reply, 422, "validation_error")
        assert [d["field"] for d in error["details"]] == ["cursor"], (path, cursor)


# --- forged unlock cookies --------------------------------------------------------------------

def test_a_forged_unlock_cookie_with_unicode_digits_is_just_no_cookie(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a password link
    link = make_link(env.api, tenant.operator, tenant.resource_id, password="correct horse battery")
    for cookie in ('kh_unlock="\\262.abc"', 'kh_unlock="9999999999.\\303\\251"', "kh_unlock=1.2.3"):
        headers = {"x-forwarded-for": fresh_ip(), "cookie": cookie}
        # WHEN a viewer sends a forged cookie THEN /data asks for the password (401), the page shows the form
        reply = env.api.get(f"/share/{link['token']}/data", headers=headers)
        assert reply.status == 401 and reply.json["error"]["code"] == "password_required", (cookie, reply)
        page = env.api.get(f"/share/{link['token']}", headers=headers)
        assert page.status == 200 and b'type="password"' in page.body


# --- the enumeration guard --------------------------------------------------------------------

def test_every_dead_token_of_a_tenant_meets_the_same_enumeration_threshold(env: Env) -> None:
    # GIVEN an enterprise tenant (60 failed resolves a minute, the default is 30) with an expired
    # link (its capability not yet removed by TTL) and an unknown token naming the same tenant
    t = make_tenant(env.svc, env.api, name="Big Co", plan="enterprise")
    expired = make_link(env.api, t.operator, t.resource_id, expires_in="1h")
    env.clock.advance(3601)
    raw = base64.urlsafe_b64decode(expired["token"])
    unknown = base64.urlsafe_b64encode(bytes(32) + raw[32:]).decode()
    assert tokens.parse_share_token(unknown) is not None
    ip = {"x-forwarded-for": fresh_ip()}
    # WHEN one IP sends 50 requests, alternating the two
    statuses = [env.api.get(f"/share/{token}/data", headers=ip).status for _ in range(25)
                for token in (expired["token"], unknown)]
    # THEN both are answered alike all the way (both counted against the tenant's 60)
    assert statuses == [404] * 50


# --- forwarded addresses (honoured on the local and test stages) ------------------------------

def test_a_forwarded_address_that_is_not_one_falls_back_to_the_source(env: Env, tenant: TenantKeys) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    for claimed in ("x" * 3000, "not-an-ip", "10.0.0.1:80"):
        reply = env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": claimed})
        assert reply.status == 200, (claimed[:20], reply)
    logs = env.api.get(f"/v1/links/{link['id']}/access-logs", key=tenant.viewer)
    assert logs.status == 200
    put_resource(env.api, tenant.operator, "after")  # the service is still healthy


def test_robots_txt_refusals_carry_the_viewer_headers(env: Env) -> None:
    # WHEN a client POSTs /robots.txt THEN 405 in Keyhole's shape with the viewer headers
    reply = env.api.post("/robots.txt", body={})
    assert reply.status == 405
    assert reply.headers["cache-control"] == "no-store" and reply.headers["x-robots-tag"] == "noindex, nofollow"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
