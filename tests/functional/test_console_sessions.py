"""Console sessions over real HTTP (`chalice local` against moto in server mode): minting (roles
never above the key's), the one-time ticket, the resource limit on every admin route, ending on key
deletion, tenant suspension and sign-out, audit with the actor; links paused and their password
changed; bulk revocation; `embed_origins` and the `frame-ancestors` every page sends. Time (ticket
expiry, idle timeout, 12 hours) is moved with the in-process stack's clock at the end.

Every response is checked against the OpenAPI document (tests/ops/kit.py's HttpApi).
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List, Tuple

import pytest
import requests

from chalicelib.console import sessions
from chalicelib.platform import keys as platform_keys
from chalicelib.runtime import apidoc
from chalicelib.storage.models import ConsoleGrant, ConsoleSession, ConsoleTicket
from chalicelib.tenancy import embedding, tenants
from tests.ops.kit import HttpApi
from tests.support import RESOURCE_BODY, TenantKeys, assert_error, fields_of, fresh_ip, make_link, make_tenant, new_key, put_resource

pytestmark = pytest.mark.http

NOT_FOUND_LINK = {"error": {"code": "not_found", "message": "Share link not found or has been revoked"}}


@pytest.fixture(scope="module")
def stack(http_stack: Any) -> Any:
    http_stack.svc  # noqa: B018 (binds this process's models to the stack)
    return http_stack


@pytest.fixture
def api(stack: Any) -> HttpApi:
    stack.svc  # noqa: B018
    return HttpApi(stack.api_url)


@pytest.fixture
def acme(stack: Any, api: HttpApi) -> TenantKeys:
    made = make_tenant(stack.svc, api, name=f"Acme {uuid.uuid4().hex[:6]}")
    put_resource(api, made.admin, "res-2")
    return made


def mint(api: HttpApi, key: str, expect: int = 201, headers: Dict[str, str] | None = None, **body: Any) -> Any:
    reply = api.post("/v1/console/sessions", key=key, body=body, headers=headers)
    assert reply.status == expect, reply
    return reply


def ticket_of(url: str) -> str:
    return url.split("#ticket=", 1)[1]


def start(api: HttpApi, key: str, headers: Dict[str, str] | None = None, **body: Any) -> Dict[str, Any]:
    """A session, as the console page gets it: mint, then exchange the ticket."""
    minted = mint(api, key, headers=headers, **body).json
    reply = api.post("/v1/console/session", body={"ticket": ticket_of(minted["url"])})
    assert reply.status == 201, reply
    return reply.json


def audit(api: HttpApi, admin: str) -> List[Dict[str, Any]]:
    return api.get("/v1/audit?limit=100", key=admin).json["items"]


# --- minting and the ticket ---------------------------------------------------------------------


def test_a_key_mints_a_one_time_url_whose_ticket_opens_one_session(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    # WHEN the admin key asks for the share dialog of res-1 for its user
    minted = mint(api, acme.admin, resource_id="res-1", actor="user:42").json
    # THEN the URL is the dialog page, the ticket in its fragment (never sent to a server)
    assert re.fullmatch(rf"{stack.api_url}/console/{acme.tenant_id}/share#ticket=kht_[0-9a-f]{{16}}_[A-Za-z0-9_-]{{43}}", minted["url"])
    console = mint(api, acme.admin).json["url"]
    assert console.startswith(f"{stack.api_url}/console/{acme.tenant_id}#ticket=")
    # AND the exchange gives a session token, the session (operator: a dialog never acts as admin),
    # the tenant with its limits and the resource without its document
    reply = api.post("/v1/console/session", body={"ticket": ticket_of(minted["url"])})
    assert reply.status == 201, reply
    started = reply.json
    assert started["token"].startswith("khs_")
    assert started["session"]["role"] == "operator" and started["session"]["resource_id"] == "res-1"
    assert started["session"]["actor"] == "user:42" and started["session"]["idle_timeout_seconds"] == 1800
    assert started["tenant"]["id"] == acme.tenant_id and started["tenant"]["limits"]["links_per_resource"] == 10
    assert started["resource"]["name"] == "Checkout" and "document" not in started["resource"]
    assert started["resource"]["scopes"] == ["summary"]
    # AND the ticket opens nothing a second time
    again = api.post("/v1/console/session", body={"ticket": ticket_of(minted["url"])})
    assert_error(again, 401, "unauthorized")
    # AND the token works like a key on the admin routes
    assert api.get("/v1/resources/res-1/links", key=started["token"]).status == 200
    # AND neither the ticket nor the token is stored in clear: items are keyed by their hashes
    svc = stack.svc
    assert svc.store.get(ConsoleSession, ConsoleSession.key(sessions.parse_console_secret(started["token"], "khs").hash))
    dumped = str([item.attribute_values for item in ConsoleSession.scan()]) + str([i.attribute_values for i in ConsoleTicket.scan()])
    assert started["token"] not in dumped and ticket_of(minted["url"]) not in dumped


@pytest.mark.parametrize("garbage", ["", "kht_0123", "khs_" + "0" * 16 + "_" + "A" * 43, "kht_" + "0" * 16 + "_" + "A" * 43])
def test_made_up_tickets_open_nothing(api: HttpApi, garbage: str) -> None:
    reply = api.post("/v1/console/session", body={"ticket": garbage})
    if garbage:
        assert_error(reply, 401, "unauthorized")
    else:
        assert "ticket" in fields_of(reply)


def test_a_sessions_role_is_never_above_its_keys(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    # An operator key gets operator sessions, viewer ones on request, never admin
    assert start(api, acme.operator)["session"]["role"] == "operator"
    assert start(api, acme.operator, role="viewer")["session"]["role"] == "viewer"
    assert_error(mint(api, acme.operator, expect=403, role="admin"), 403, "forbidden")
    # A viewer key (and an introspect key) cannot open the console at all: the route is operator's
    assert_error(mint(api, acme.viewer, expect=403), 403, "forbidden")
    _, introspect = new_key(api, acme.admin, "introspect")
    assert_error(mint(api, introspect, expect=403), 403, "forbidden")
    # An admin key: admin for the tenant; a session limited to one resource is operator at most
    assert start(api, acme.admin)["session"]["role"] == "admin"
    assert "role" in fields_of(mint(api, acme.admin, expect=422, resource_id="res-1", role="admin"))
    # A session cannot start another
    token = start(api, acme.admin)["token"]
    assert_error(mint(api, token, expect=403), 403, "forbidden")
    # Bad fields and unknown resources are refused
    assert set(fields_of(mint(api, acme.admin, expect=422, role="root", actor="", extra=1))) == {"role", "actor", "extra"}
    assert_error(mint(api, acme.admin, expect=404, resource_id="no-such"), 404, "not_found")


def test_a_platform_key_acting_for_its_tenant_opens_the_console_as_admin(stack: Any, api: HttpApi) -> None:
    _, key = platform_keys.create_key(stack.svc, name="product", namespace=f"ns-{uuid.uuid4().hex[:10]}")
    assert api.put("/v1/tenants/org-7", key=key, body={"name": "Org 7", "plan": "team"}).status == 201
    acting = {"Keyhole-Tenant": "org-7", "Keyhole-Actor": "user:7"}
    started = start(api, key, headers=acting)
    assert started["session"]["role"] == "admin" and started["session"]["actor"] == "user:7"
    assert api.get("/v1/audit", key=started["token"]).status == 200
    # AND revoking the platform key (ops) ends the session at once
    platform_keys.revoke_key(stack.svc, started["session"]["key"]["id"])
    assert_error(api.get("/v1/tenant", key=started["token"]), 401, "unauthorized")


# --- the resource limit ------------------------------------------------------------------------


def _admin_operations() -> List[Tuple[str, str]]:
    """Every admin operation of the document a tenant's session could call (not the platform's,
    not introspection, not the session's own routes)."""
    found = []
    for path, item in apidoc.document()["paths"].items():
        for method, op in item.items():
            if method == "parameters" or op.get("security") == [] or not path.startswith("/v1/"):
                continue
            if path.startswith(("/v1/tenants", "/v1/plans", "/v1/introspect", "/v1/console/")):
                continue
            found.append((method.upper(), path))
    return sorted(found)


# What a session limited to res-1 gets on each admin route when it names the other resource (or
# its link): `list` routes answer 200 with res-1's things only; `admin` routes are tenant-wide (403).
LIMITED = {
    ("GET", "/v1/tenant"): "allowed",
    ("PATCH", "/v1/tenant"): "admin",
    ("POST", "/v1/api-keys"): "admin",
    ("GET", "/v1/api-keys"): "admin",
    ("DELETE", "/v1/api-keys/{key_id}"): "admin",
    ("GET", "/v1/resources"): "list",
    ("PUT", "/v1/resources/{resource_id}"): "404",
    ("PATCH", "/v1/resources/{resource_id}"): "404",
    ("GET", "/v1/resources/{resource_id}"): "404",
    ("DELETE", "/v1/resources/{resource_id}"): "404",
    ("POST", "/v1/resources/{resource_id}/origin-secret"): "404",
    ("POST", "/v1/resources/{resource_id}/links"): "404",
    ("GET", "/v1/resources/{resource_id}/links"): "404",
    ("GET", "/v1/links"): "list",
    ("POST", "/v1/links/revoke"): "bulk",
    ("POST", "/v1/links/import"): "import",
    ("POST", "/v1/resources/{resource_id}/files"): "404",
    ("POST", "/v1/resources/{resource_id}/files/{file_id}/complete"): "404",
    ("DELETE", "/v1/resources/{resource_id}/files/{file_id}"): "404",
    ("GET", "/v1/links/{link_id}"): "404",
    ("PATCH", "/v1/links/{link_id}"): "404",
    ("DELETE", "/v1/links/{link_id}"): "404",
    ("POST", "/v1/links/{link_id}/reveal"): "404",
    ("GET", "/v1/links/{link_id}/access-logs"): "404",
    ("GET", "/v1/audit"): "admin",
    ("POST", "/v1/webhooks"): "admin",
    ("GET", "/v1/webhooks"): "admin",
    ("DELETE", "/v1/webhooks/{webhook_id}"): "admin",
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): "admin",
}
BODIES = {
    ("PATCH", "/v1/tenant"): {"default_expires_in": "1d"},
    ("POST", "/v1/api-keys"): {"name": "x", "role": "viewer"},
    ("PUT", "/v1/resources/{resource_id}"): RESOURCE_BODY,
    ("PATCH", "/v1/resources/{resource_id}"): {"name": "taken over"},
    ("POST", "/v1/resources/{resource_id}/links"): {},
    ("PATCH", "/v1/links/{link_id}"): {"paused": True},
    ("POST", "/v1/resources/{resource_id}/files"): {"name": "a.pdf", "content_type": "application/pdf", "size": 3,
                                                    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    ("POST", "/v1/webhooks"): {"url": "http://127.0.0.1:9/hook", "events": ["*"]},
}


def test_every_admin_route_is_classified_for_sessions_limited_to_one_resource() -> None:
    """A route added to the API must say what a resource-limited session gets there."""
    assert sorted(LIMITED) == _admin_operations()


def test_a_session_limited_to_one_resource_sees_and_changes_only_that_resource(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    # GIVEN links on both resources, and a webhook, made with the tenant's admin key
    mine = make_link(api, acme.admin, "res-1", label="mine")
    other = make_link(api, acme.admin, "res-2", label="other")
    hook = api.post("/v1/webhooks", key=acme.admin, body={"url": "http://127.0.0.1:9/hook", "events": ["*"]}).json
    spare_id, _ = new_key(api, acme.admin)
    # AND an operator session limited to res-1 (the share dialog)
    token = start(api, acme.admin, resource_id="res-1", actor="user:42")["token"]
    ids = {"resource_id": "res-2", "link_id": other["id"], "key_id": spare_id, "webhook_id": hook["id"],
           "file_id": "fil_0123456789abcdef0123"}
    for (method, path), expected in sorted(LIMITED.items()):
        url = path.format(**ids)
        body = BODIES.get((method, path))
        if (method, path) == ("POST", "/v1/links/revoke"):
            assert_error(api.post(url, key=token, body={"resource_id": "res-2"}), 404, "not_found")
            named = api.post(url, key=token, body={"link_ids": [other["id"]]})
            assert named.status == 200 and named.json["results"][0]["status"] == "not_found", named
            continue
        if (method, path) == ("POST", "/v1/links/import"):  # each item naming res-2: the usual 404
            assert api.patch("/v1/tenant", key=acme.admin, body={"allow_imported_tokens": True}).status == 200
            imported = api.post(url, key=token, body={"links": [{"resource_id": "res-2", "import_token": "legacy-token-0001"}]})
            assert imported.status == 200 and imported.json["items"][0]["status"] == 404, imported
            assert imported.json["created"] == 0, imported
            continue
        reply = api.call(method, url, key=token, body=body)
        if expected == "admin":
            assert_error(reply, 403, "forbidden")
        elif expected == "404":
            assert_error(reply, 404, "not_found")
        elif expected == "list":
            assert reply.status == 200, reply
            assert {item.get("resource_id", item.get("id")) for item in reply.json["items"]} <= {"res-1"}, (url, reply.json)
        else:
            assert reply.status == 200, reply
    for query in ("?status=all", f"?actor=user:42&status=all", "?status=paused"):
        listed = api.get(f"/v1/links{query}", key=token).json["items"]
        assert all(item["resource_id"] == "res-1" for item in listed), (query, listed)
    # THEN nothing of res-2 changed, and res-1 works as usual for the session
    assert api.get(f"/v1/links/{other['id']}", key=acme.admin).json["status"] == "active"
    assert api.get("/v1/resources/res-2", key=acme.admin).json["name"] == "Checkout"
    assert api.get(f"/v1/links/{mine['id']}", key=token).status == 200
    assert api.post("/v1/resources/res-1/links", key=token, body={"label": "from the dialog"}).status == 201
    assert api.get("/v1/resources", key=token).json["items"][0]["id"] == "res-1"


# --- the end of a session ------------------------------------------------------------------------


def test_deleting_the_key_that_started_a_session_ends_it_at_once(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    key_id, key = new_key(api, acme.admin, "operator")
    token = start(api, key)["token"]
    unused = mint(api, key).json["url"]  # a ticket not yet exchanged
    assert api.get("/v1/links", key=token).status == 200
    assert api.delete(f"/v1/api-keys/{key_id}", key=acme.admin).status == 204
    assert_error(api.get("/v1/links", key=token), 401, "unauthorized")
    assert_error(api.post("/v1/console/session", body={"ticket": ticket_of(unused)}), 401, "unauthorized")
    assert not list(ConsoleGrant.query(ConsoleGrant.partition(key_id)))
    # The tenant's other sessions go on
    assert api.get("/v1/links", key=start(api, acme.operator)["token"]).status == 200


def test_a_suspended_tenants_sessions_end_at_once_and_for_good(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    token = start(api, acme.admin)["token"]
    unused = mint(api, acme.admin).json["url"]
    tenants.set_suspended(stack.svc, acme.tenant_id, True, reason="test")
    try:
        assert_error(api.get("/v1/tenant", key=token), 401, "unauthorized")
        assert_error(api.post("/v1/console/session", body={"ticket": ticket_of(unused)}), 401, "unauthorized")
    finally:
        tenants.set_suspended(stack.svc, acme.tenant_id, False)
    # resuming brings the keys back, not the sessions or tickets the suspension ended
    assert api.get("/v1/tenant", key=acme.admin).status == 200
    assert_error(api.get("/v1/tenant", key=token), 401, "unauthorized")
    assert_error(api.post("/v1/console/session", body={"ticket": ticket_of(unused)}), 401, "unauthorized")
    assert api.get("/v1/tenant", key=start(api, acme.admin)["token"]).status == 200


def test_a_key_deletion_that_fails_half_way_leaves_the_key_and_a_retry_ends_its_sessions(
    svc: Any, local: Tuple[Any, str]
) -> None:
    from tests.stream.faults import AwsFaults

    client, admin = local
    made = client.post("/v1/api-keys", key=admin, body={"name": "dialog", "role": "operator"}).json
    token = _start_local(client, made["key"])
    # GIVEN ending the key's console sessions fails once (DynamoDB answers 500)
    faults = AwsFaults(svc.store.client)
    ends_a_session = lambda request: any(  # noqa: E731
        item.get("Delete", {}).get("Key", {}).get("pk", {}).get("S", "").startswith("CS#")
        for item in request.get("TransactItems", [])
    )
    faults.fail("TransactWriteItems", "InternalServerError", when=ends_a_session, times=1)
    try:
        first = client.delete(f"/v1/api-keys/{made['id']}", key=admin)
    finally:
        faults.remove()
    # THEN the deletion failed as a whole: the key is still there, so a retry can finish it
    assert first.status >= 500, first
    assert client.get("/v1/tenant", key=made["key"]).status == 200
    # AND the retry deletes the key and ends its session
    assert client.delete(f"/v1/api-keys/{made['id']}", key=admin).status == 204
    assert_error(client.get("/v1/tenant", key=token), 401, "unauthorized")
    assert_error(client.get("/v1/tenant", key=made["key"]), 401, "unauthorized")


def test_signing_out_ends_the_session_and_keys_cannot_sign_out(api: HttpApi, acme: TenantKeys) -> None:
    token = start(api, acme.operator)["token"]
    assert api.delete("/v1/console/session", key=token).status == 204
    assert_error(api.get("/v1/links", key=token), 401, "unauthorized")
    assert_error(api.delete("/v1/console/session", key=acme.admin), 403, "forbidden")


def test_every_change_made_in_a_session_is_audited_with_its_actor(api: HttpApi, acme: TenantKeys) -> None:
    started = start(api, acme.operator, resource_id="res-1", actor="user:42")
    token, session_id = started["token"], started["session"]["id"]
    link = make_link(api, token, "res-1", label="for Globex")
    assert link["created_by"] == {"key_id": acme.key_ids["operator"], "actor": "user:42"}
    assert api.patch(f"/v1/links/{link['id']}", key=token, body={"paused": True}).json["status"] == "paused"
    assert api.delete(f"/v1/links/{link['id']}", key=token).status == 204
    revoked = api.get(f"/v1/links/{link['id']}", key=acme.admin).json
    assert revoked["revoked_by"] == {"key_id": acme.key_ids["operator"], "actor": "user:42"}
    events = {e["action"]: e for e in audit(api, acme.admin) if e["actor"].get("id") == session_id}
    assert {"console.session_started", "link.created", "link.paused", "link.revoked"} <= set(events), sorted(events)
    for event in events.values():
        assert event["actor"] == {"type": "console_session", "id": session_id, "name": "operator key",
                                  "key_id": acme.key_ids["operator"], "actor": "user:42"}, event
    # A header cannot change who a session acts for
    other = api.post("/v1/resources/res-1/links", key=token, body={}, headers={"Keyhole-Actor": "mallory"}).json
    assert other["created_by"]["actor"] == "user:42"


def test_a_sessions_requests_count_in_the_tenants_api_window(stack: Any, api: HttpApi) -> None:
    made = make_tenant(stack.svc, api, name="Tight", overrides={"api_requests_per_min": 5})
    token = start(api, made.admin)["token"]
    statuses = [api.get("/v1/tenant", key=token).status for _ in range(8)]
    assert statuses.count(429) >= 2 and 200 in statuses, statuses


# --- links paused and their password changed ----------------------------------------------------


def test_a_paused_link_is_the_one_404_keeps_its_slot_and_resumes_with_the_same_url(stack: Any, api: HttpApi) -> None:
    made = make_tenant(stack.svc, api, name="Paused", plan="free")
    link = make_link(api, made.operator, "res-1", label="kiosk")
    data = link["url"] + "/data"
    assert requests.get(data, headers={"X-Forwarded-For": fresh_ip()}, timeout=30).status_code == 200
    paused = api.patch(f"/v1/links/{link['id']}", key=made.operator, body={"paused": True}).json
    assert paused["status"] == "paused" and paused["paused"] is True
    dead = requests.get(data, headers={"X-Forwarded-For": fresh_ip()}, timeout=30)
    unknown = requests.get(link["url"][:-8] + "AAAAAAAA/data", headers={"X-Forwarded-For": fresh_ip()}, timeout=30)
    assert dead.status_code == unknown.status_code == 404 and dead.json() == unknown.json() == NOT_FOUND_LINK
    page = requests.get(link["url"], headers={"X-Forwarded-For": fresh_ip()}, timeout=30)
    assert page.status_code == 404 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    # The slot stays held: the free plan's one link per resource is still taken
    assert api.get("/v1/tenant", key=made.admin).json["usage"]["active_links"] == 1
    assert_error(api.post("/v1/resources/res-1/links", key=made.operator, body={}), 409, "limit_reached")
    assert [x["id"] for x in api.get("/v1/links?status=paused", key=made.operator).json["items"]] == [link["id"]]
    assert api.get("/v1/links", key=made.operator).json["items"] == []  # active: not paused ones
    # Resuming brings the same URL back
    assert api.patch(f"/v1/links/{link['id']}", key=made.operator, body={"paused": False}).json["status"] == "active"
    assert requests.get(data, headers={"X-Forwarded-For": fresh_ip()}, timeout=30).status_code == 200
    actions = [e["action"] for e in audit(api, made.admin)]
    assert "link.paused" in actions and "link.resumed" in actions
    assert "paused" in fields_of(api.patch(f"/v1/links/{link['id']}", key=made.operator, body={"paused": "yes"}))


def test_a_links_password_can_be_set_changed_and_cleared(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    link = make_link(api, acme.operator, "res-1")
    data, unlock = link["url"] + "/data", link["url"] + "/unlock"
    ip = {"X-Forwarded-For": fresh_ip()}
    assert requests.get(data, headers=ip, timeout=30).status_code == 200
    # Set: viewers must unlock
    assert api.patch(f"/v1/links/{link['id']}", key=acme.operator, body={"password": "first secret"}).json["has_password"]
    assert requests.get(data, headers=ip, timeout=30).json()["error"]["code"] == "password_required"
    session = requests.Session()
    assert session.post(unlock, json={"password": "first secret"}, headers=ip, timeout=30).status_code == 200
    assert session.get(data, headers=ip, timeout=30).status_code == 200
    # Changed: the unlocked viewer must unlock again, with the new one
    assert api.patch(f"/v1/links/{link['id']}", key=acme.operator, body={"password": "second secret"}).status == 200
    assert session.get(data, headers=ip, timeout=30).status_code == 401
    assert session.post(unlock, json={"password": "first secret"}, headers=ip, timeout=30).status_code == 401
    assert session.post(unlock, json={"password": "second secret"}, headers=ip, timeout=30).status_code == 200
    assert session.get(data, headers=ip, timeout=30).status_code == 200
    # Cleared: no password at all
    cleared = api.patch(f"/v1/links/{link['id']}", key=acme.operator, body={"password": None}).json
    assert cleared["has_password"] is False
    assert requests.get(data, headers=ip, timeout=30).status_code == 200
    assert "password" in fields_of(api.patch(f"/v1/links/{link['id']}", key=acme.operator, body={"password": "short"}))
    events = [e for e in audit(api, acme.admin) if e["target_id"] == link["id"] and e["action"] == "link.updated"]
    assert {e["details"]["changes"]["password"] for e in events} == {"set", "cleared"}
    assert "first secret" not in str(audit(api, acme.admin))
    # A tenant that requires passwords refuses clearing one
    assert api.patch("/v1/tenant", key=acme.admin, body={"require_password": True}).status == 200
    try:
        locked = make_link(api, acme.operator, "res-1", password="a password")
        assert "password" in fields_of(api.patch(f"/v1/links/{locked['id']}", key=acme.operator, body={"password": None}))
    finally:
        api.patch("/v1/tenant", key=acme.admin, body={"require_password": False})


# --- bulk revocation ---------------------------------------------------------------------------


def test_bulk_revocation_by_ids_and_by_filter_with_per_link_results(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    leaver = {"Keyhole-Actor": "user:leaver"}
    theirs = [api.post(f"/v1/resources/{r}/links", key=acme.operator, body={}, headers=leaver).json for r in ("res-1", "res-2", "res-1")]
    api.patch(f"/v1/links/{theirs[2]['id']}", key=acme.operator, body={"paused": True})
    kept = make_link(api, acme.operator, "res-1", label="kept")
    # By actor: every active or paused link their requests made, one audit event each
    reply = api.post("/v1/links/revoke", key=acme.operator, body={"actor": "user:leaver", "reason": "employee left"})
    assert reply.status == 200, reply
    assert reply.json["revoked"] == 3 and reply.json["complete"] is True
    assert sorted(r["link_id"] for r in reply.json["results"]) == sorted(link["id"] for link in theirs)
    for link in theirs:
        assert requests.get(link["url"] + "/data", headers={"X-Forwarded-For": fresh_ip()}, timeout=30).status_code == 404
    events = [e for e in audit(api, acme.admin) if e["action"] == "link.revoked" and e["details"].get("reason") == "employee left"]
    assert len(events) == 3
    assert api.get(f"/v1/links/{kept['id']}", key=acme.operator).json["status"] == "active"
    # By ids: per-link results in the order given
    again = api.post("/v1/links/revoke", key=acme.operator, body={"link_ids": [kept["id"], theirs[0]["id"], "lnk_" + "0" * 24]}).json
    assert [r["status"] for r in again["results"]] == ["revoked", "already_revoked", "not_found"]
    # By resource and age
    fresh = make_link(api, acme.operator, "res-2")
    older = api.post("/v1/links/revoke", key=acme.operator, body={"resource_id": "res-2", "created_before": "2000-01-01T00:00:00Z"}).json
    assert older["results"] == []
    assert api.post("/v1/links/revoke", key=acme.operator, body={"resource_id": "res-2"}).json["revoked"] == 1
    assert api.get(f"/v1/links/{fresh['id']}", key=acme.operator).json["status"] == "revoked"
    # Refused: nothing, both, too many, malformed ids; viewers cannot
    assert "link_ids" in fields_of(api.post("/v1/links/revoke", key=acme.operator, body={}))
    assert "link_ids" in fields_of(api.post("/v1/links/revoke", key=acme.operator, body={"link_ids": [kept["id"]], "actor": "x"}))
    assert "link_ids" in fields_of(api.post("/v1/links/revoke", key=acme.operator, body={"link_ids": ["lnk_" + "0" * 24] * 101}))
    assert "link_ids[0]" in fields_of(api.post("/v1/links/revoke", key=acme.operator, body={"link_ids": ["nope"]}))
    assert "created_before" in fields_of(api.post("/v1/links/revoke", key=acme.operator, body={"created_before": "yesterday"}))
    assert_error(api.post("/v1/links/revoke", key=acme.viewer, body={"actor": "x"}), 403, "forbidden")


# --- embed_origins and frame-ancestors ---------------------------------------------------------------


def test_embed_origins_are_validated_and_normalised(api: HttpApi, acme: TenantKeys) -> None:
    ok = api.patch("/v1/tenant", key=acme.admin, body={"embed_origins": ["https://App.Example.com:443/", "http://shop.localhost:9000", "http://127.0.0.1:8100"]})
    assert ok.status == 200, ok
    assert ok.json["settings"]["embed_origins"] == ["https://app.example.com", "http://shop.localhost:9000", "http://127.0.0.1:8100"]
    assert api.get("/v1/tenant", key=acme.viewer).json["settings"]["embed_origins"] == ok.json["settings"]["embed_origins"]
    bad = ["https://example.com/path", "https://*.example.com", "ftp://example.com", "https://a.example?x=1", "http://example.com",
           "https://example.com", "javascript:alert(1)", 42]
    fields = fields_of(api.patch("/v1/tenant", key=acme.admin, body={"embed_origins": bad}))
    assert fields == [f"embed_origins[{i}]" for i in (0, 1, 2, 3, 4, 6, 7)], fields
    assert "embed_origins" in fields_of(api.patch("/v1/tenant", key=acme.admin, body={"embed_origins": [f"https://a{i}.example" for i in range(11)]}))
    assert "embed_origins[1]" in fields_of(api.patch("/v1/tenant", key=acme.admin, body={"embed_origins": ["https://a.example", "https://A.example/"]}))
    assert api.get("/v1/tenant", key=acme.admin).json["settings"]["embed_origins"] == ok.json["settings"]["embed_origins"]
    assert api.patch("/v1/tenant", key=acme.admin, body={"embed_origins": None}).json["settings"]["embed_origins"] == []
    assert_error(api.patch("/v1/tenant", key=acme.operator, body={"embed_origins": []}), 403, "forbidden")


@pytest.mark.parametrize("value, local, expected", [
    ("https://app.example.com", False, "https://app.example.com"),
    ("https://app.example.com:8443", False, "https://app.example.com:8443"),
    ("http://127.0.0.1:8100", False, None),
    ("http://shop.localhost:9000", False, None),
    ("https://127.0.0.1", False, None),
    ("http://127.0.0.1:8100", True, "http://127.0.0.1:8100"),
    ("http://localhost:3000", True, "http://localhost:3000"),
    ("http://shop.localhost", True, "http://shop.localhost"),
    ("http://10.0.0.1", True, None),
    ("http://example.com", True, None),
    ("https://user@example.com", False, None),
    ("https://exa mple.com", False, None),
])
def test_deployed_stages_accept_only_https_origins(value: str, local: bool, expected: str | None) -> None:
    assert embedding.normalise_origin(value, local_stage=local) == expected


def _csp(response: Any) -> str:
    return response.headers["Content-Security-Policy"]


def test_each_page_sends_the_frame_ancestors_it_should(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    origins = ["https://app.example.com", "http://shop.localhost:9000"]
    assert api.patch("/v1/tenant", key=acme.admin, body={"embed_origins": origins}).status == 200
    stack.svc.cache.clear()
    plain = make_link(api, acme.operator, "res-1")
    framed = make_link(api, acme.operator, "res-1", embeddable=True)
    locked = make_link(api, acme.operator, "res-1", embeddable=True, password="kiosk secret")
    assert framed["embeddable"] is True and plain["embeddable"] is False
    expected = "frame-ancestors https://app.example.com http://shop.localhost:9000"

    def get(url: str, **headers: str) -> Any:
        return requests.get(url, headers={"X-Forwarded-For": fresh_ip(), **headers}, timeout=30)

    # The console and the dialog: the tenant's origins (read from a 10-second cache: wait it out)
    import time

    deadline = time.time() + 15
    while expected not in _csp(get(f"{stack.api_url}/console/{acme.tenant_id}/share")) and time.time() < deadline:
        time.sleep(1)
    for page in (f"/console/{acme.tenant_id}", f"/console/{acme.tenant_id}/share"):
        reply = get(stack.api_url + page)
        assert reply.status_code == 200 and _csp(reply).endswith(expected), _csp(reply)
        assert "script-src 'sha256-" in _csp(reply) and "'unsafe-inline'" not in _csp(reply)
        assert reply.headers["Cache-Control"] == "no-store" and reply.headers["Referrer-Policy"] == "no-referrer"
    # A tenant without origins, an unknown tenant, a malformed id: 'none'
    other = make_tenant(stack.svc, api, name="No embeds", resource=False)
    for tenant_id in (other.tenant_id, "ten_0000000000000000", "nonsense"):
        assert _csp(get(f"{stack.api_url}/console/{tenant_id}")).endswith("frame-ancestors 'none'")
    # Viewer pages: an embeddable link's page and password form have the origins; others 'none'
    assert _csp(get(framed["url"])).endswith(expected)
    assert _csp(get(locked["url"])).endswith(expected)
    assert _csp(get(plain["url"])).endswith("frame-ancestors 'none'")
    assert "frame-ancestors 'none'" in _csp(get(framed["url"] + "/data"))
    api.delete(f"/v1/links/{framed['id']}", key=acme.operator)
    gone = get(framed["url"])
    assert gone.status_code == 404 and _csp(gone).endswith("frame-ancestors 'none'")  # the one 404, whatever the link was
    assert "embeddable" in fields_of(api.post("/v1/resources/res-1/links", key=acme.operator, body={"embeddable": "yes"}))


def test_an_embeddable_password_link_unlocks_inside_a_frame_without_a_cookie(stack: Any, api: HttpApi, acme: TenantKeys) -> None:
    link = make_link(api, acme.operator, "res-1", embeddable=True, password="kiosk secret")
    ip = {"X-Forwarded-For": fresh_ip()}
    # WHEN the password form is sent from inside a frame
    reply = requests.post(link["url"] + "/unlock", data={"password": "kiosk secret"}, allow_redirects=False, timeout=30,
                          headers={**ip, "Sec-Fetch-Dest": "iframe"})
    # THEN the page itself comes back (no redirect a blocked cookie would make useless), with the
    # unlock value for its script
    assert reply.status_code == 200 and "Checkout" in reply.text, reply.status_code
    value = re.search(r'data-unlock="([^"]+)"', reply.text).group(1)
    # AND the script's requests are let in by that value in a header, not by a cookie
    assert requests.get(link["url"] + "/data", headers={**ip, "X-Keyhole-Unlock": value}, timeout=30).status_code == 200
    assert requests.get(link["url"] + "/data", headers={**ip, "X-Keyhole-Unlock": "1.forged"}, timeout=30).status_code == 401
    # AND outside a frame the usual redirect and cookie
    top = requests.post(link["url"] + "/unlock", data={"password": "kiosk secret"}, allow_redirects=False, headers=ip, timeout=30)
    assert top.status_code == 303 and "kh_unlock=" in top.headers["Set-Cookie"]


# --- time: ticket expiry, idle timeout, 12 hours (the in-process stack's clock) ----------------------


@pytest.fixture
def local(svc: Any, app_client: Any) -> Tuple[Any, str]:
    _, admin = tenants.create_tenant(svc, name="Clocked", plan="team")
    return app_client, admin


def _start_local(client: Any, admin: str) -> str:
    minted = client.post("/v1/console/sessions", key=admin, body={})
    reply = client.post("/v1/console/session", body={"ticket": ticket_of(minted.json["url"])})
    assert reply.status == 201, reply
    return str(reply.json["token"])


def test_a_ticket_opens_nothing_after_five_minutes(local: Tuple[Any, str], clock: Any) -> None:
    client, admin = local
    url = client.post("/v1/console/sessions", key=admin, body={}).json["url"]
    clock.advance(sessions.TICKET_SECONDS + 1)
    assert_error(client.post("/v1/console/session", body={"ticket": ticket_of(url)}), 401, "unauthorized")


def test_a_session_ends_after_30_idle_minutes_but_not_while_used(local: Tuple[Any, str], clock: Any) -> None:
    client, admin = local
    token = _start_local(client, admin)
    for _ in range(3):  # used every 29 minutes: it goes on
        clock.advance(29 * 60)
        assert client.get("/v1/tenant", key=token).status == 200
    clock.advance(30 * 60 + 1)
    assert_error(client.get("/v1/tenant", key=token), 401, "unauthorized")


def test_a_session_ends_after_twelve_hours_however_busy(local: Tuple[Any, str], clock: Any) -> None:
    client, admin = local
    token = _start_local(client, admin)
    for _ in range(24):
        clock.advance(29 * 60)
        assert client.get("/v1/tenant", key=token).status == 200  # busy: never idle for 30 minutes
    clock.advance(sessions.SESSION_SECONDS - 24 * 29 * 60 + 1)
    assert_error(client.get("/v1/tenant", key=token), 401, "unauthorized")


def test_revoking_by_actor_reads_its_whole_history_a_page_at_a_time(stack: Any, api: HttpApi) -> None:
    """An actor's list holds every link it ever made, revoked ones too: more than a page of them
    before its live links still finds and revokes those (over HTTP: the emulator's transactions
    keep an undo log; in-process moto copies its tables on each one)."""
    t = make_tenant(stack.svc, api, name="Long history")
    by = {"Keyhole-Actor": "user:veteran"}
    for _ in range(105):  # more than one page (100) of links made and revoked
        link = api.post(f"/v1/resources/{t.resource_id}/links", key=t.operator, headers=by, body={}).json
        assert api.delete(f"/v1/links/{link['id']}", key=t.operator).status == 204
    live = [api.post(f"/v1/resources/{t.resource_id}/links", key=t.operator, headers=by, body={}).json["id"]
            for _ in range(2)]
    reply = api.post("/v1/links/revoke", key=t.operator, body={"actor": "user:veteran"})
    assert reply.status == 200 and reply.json["complete"] is True, reply
    assert sorted(r["link_id"] for r in reply.json["results"]) == sorted(live)
