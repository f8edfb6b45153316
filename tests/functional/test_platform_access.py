"""The platform API's foundation over real HTTP (`chalice local` against moto in server mode):
platform keys (made by the ops CLI, hashed, shown once, revocable), namespaces, acting for a
tenant with `Keyhole-Tenant`, and actors (`Keyhole-Actor`) on links, audit events and lists.

Every response is checked against the OpenAPI document (tests/ops/kit.py's HttpApi).
"""
from __future__ import annotations

import os
import uuid
from typing import Any, Dict, List, Tuple

import pytest

from chalicelib.credentials.tokens import sha256_hex
from chalicelib.platform import keys
from chalicelib.storage.models import PlatformKeyItem
from chalicelib.tenancy import tenants
from tests.ops.kit import HttpApi, run_cli

ORG = {"name": "Globex", "plan": "team"}


@pytest.fixture(scope="module")
def stack(http_stack: Any) -> Any:
    http_stack.svc  # noqa: B018 (binds this process's models to the stack)
    return http_stack


@pytest.fixture
def api(stack: Any) -> HttpApi:
    stack.svc  # noqa: B018
    return HttpApi(stack.api_url)


def platform_key(stack: Any, namespace: str | None = None) -> str:
    """A platform key of a fresh namespace (the ops entry point)."""
    _, value = keys.create_key(stack.svc, name="product backend", namespace=namespace or f"ns-{uuid.uuid4().hex[:10]}")
    return value


def acting(tenant: str, actor: str | None = None) -> Dict[str, str]:
    headers = {"Keyhole-Tenant": tenant}
    if actor is not None:
        headers["Keyhole-Actor"] = actor
    return headers


def org(api: HttpApi, key: str, tenant: str = "org-1", body: Dict[str, Any] | None = None) -> Dict[str, Any]:
    reply = api.put(f"/v1/tenants/{tenant}", key=key, body=body or ORG)
    assert reply.status in (200, 201), reply
    return reply.json


def test_the_ops_cli_makes_lists_and_revokes_platform_keys_shown_once(stack: Any, api: HttpApi) -> None:
    # GIVEN ops with the CLI, configured like the Lambda
    env = {**stack.env, "PATH": os.environ.get("PATH", "")}
    namespace = f"cli-{uuid.uuid4().hex[:8]}"
    # WHEN they create a platform key
    made = run_cli(env, "platform-key", "create", "--name", "Acme backend", "--namespace", namespace)
    assert made.code == 0, made.stderr
    key = made.json["key"]
    # THEN it is shown once: stored only as its hash, listed without it
    assert key.startswith("khp_") and made.json["namespace"] == namespace
    stored = stack.svc.store.get(PlatformKeyItem, (f"NS#{keys.namespace_key_for(namespace)}", f"PKEY#{made.json['id']}"))
    assert stored is not None and stored.key_hash == sha256_hex(key) and key not in str(stored.attribute_values)
    listed = run_cli(env, "platform-key", "list", "--namespace", namespace)
    assert [row["id"] for row in listed.json] == [made.json["id"]] and key not in listed.stdout
    # AND it works, until revoked; then it is the 401 of an unknown key, at once
    assert api.put("/v1/tenants/org-1", key=key, body=ORG).status == 201
    revoked = run_cli(env, "platform-key", "revoke", made.json["id"], "--reason", "rotated")
    assert revoked.code == 0, revoked.stderr
    assert api.get("/v1/tenants/org-1", key=key).status == 401
    # AND both are in the namespace's own audit trail, never the key
    trail = run_cli(env, "platform-key", "audit", "--namespace", namespace)
    assert [e["action"] for e in trail.json] == ["platform_key.revoked", "tenant.created", "platform_key.created"]
    assert key not in trail.stdout
    # AND bad input is one line, exit 1, nothing written
    bad = run_cli(env, "platform-key", "create", "--name", "x", "--namespace", "Not A Namespace!")
    assert bad.code == 1 and "namespace" in bad.stderr and "Traceback" not in bad.stderr


def test_two_namespaces_never_see_each_others_tenants(stack: Any, api: HttpApi) -> None:
    # GIVEN two products, each with a tenant "org-1" of its own
    first, second = platform_key(stack), platform_key(stack)
    a = org(api, first, body={"name": "First's org", "plan": "team"})
    b = org(api, second, body={"name": "Second's org", "plan": "free"})
    # THEN they are different tenants, each seeing its own
    assert a["keyhole_id"] != b["keyhole_id"]
    assert api.get("/v1/tenants/org-1", key=first).json["name"] == "First's org"
    assert api.get("/v1/tenants/org-1", key=second).json["name"] == "Second's org"
    # AND a tenant only the other namespace has is the same 404 as one nobody has
    org(api, second, "only-second", {"name": "Mine", "plan": "free"})
    foreign = api.get("/v1/tenants/only-second", key=first)
    unknown = api.get("/v1/tenants/nobody-has-this", key=first)
    assert foreign.status == unknown.status == 404
    assert foreign.json["error"]["message"] == unknown.json["error"]["message"]
    assert api.get("/v1/links", key=first, headers=acting("only-second")).status == 404
    assert [t["id"] for t in api.get("/v1/tenants", key=first).json["items"]] == ["org-1"]


def test_put_is_idempotent(stack: Any, api: HttpApi) -> None:
    key = platform_key(stack)
    created = api.put("/v1/tenants/acme:eu.1", key=key, body={**ORG, "overrides": {"links_per_resource": 25}})
    assert created.status == 201 and created.json["id"] == "acme:eu.1"
    assert created.json["limits"]["links_per_resource"] == 25
    again = api.put("/v1/tenants/acme:eu.1", key=key, body={**ORG, "overrides": {"links_per_resource": 25}})
    assert again.status == 200 and again.json == created.json
    trail = api.get("/v1/audit", key=key, headers=acting("acme:eu.1")).json["items"]
    assert [e["action"] for e in trail] == ["tenant.created"]  # the second PUT changed nothing


def test_a_platform_key_acts_for_its_tenant_as_admin(stack: Any, api: HttpApi) -> None:
    key = platform_key(stack)
    org(api, key)
    # WHEN it calls a tenant route without naming the tenant: 400 tenant_required
    bare = api.get("/v1/tenant", key=key)
    assert bare.status == 400 and bare.json["error"]["code"] == "tenant_required"
    # WITH the header it is that tenant's admin
    tenant = api.get("/v1/tenant", key=key, headers=acting("org-1"))
    assert tenant.status == 200 and tenant.json["name"] == "Globex"
    made = api.post("/v1/api-keys", key=key, headers=acting("org-1"), body={"name": "ops app", "role": "operator"})
    assert made.status == 201
    assert api.get("/v1/tenant", key=made.json["key"]).json["id"] == tenant.json["id"]
    # AND a malformed tenant id is 422 naming the header; a bad key stays 401 first
    malformed = api.get("/v1/tenant", key=key, headers=acting("no spaces allowed"))
    assert malformed.status == 422 and malformed.json["error"]["details"][0]["field"] == "Keyhole-Tenant"
    assert api.get("/v1/tenant", key=key[:-2] + "xx", headers=acting("org-1")).status == 401
    assert api.get("/v1/tenant", key=key[:-2] + "xx").status == 401


def platform_routes() -> List[Tuple[str, str]]:
    import app as app_module

    return sorted((method, path) for path, entry in app_module.app.routes.items()
                  if path.startswith(("/v1/tenants", "/v1/plans")) for method in entry)


def test_a_tenants_own_keys_get_403_on_every_platform_route(stack: Any, api: HttpApi) -> None:
    # GIVEN a tenant's own admin key, an unknown key, and a platform key
    _, admin = tenants.create_tenant(stack.svc, name="Ops-made", plan="team")
    key = platform_key(stack)
    org(api, key, "x")
    routes = platform_routes()
    assert len(routes) == 11
    for method, template in routes:
        path = template.replace("{tenant_id}", "x").replace("{plan_name}", "gold")
        body = ORG if method in ("PUT", "PATCH") and "tenants" in path else {"limits": {}} if method == "PUT" else None
        # WHEN each calls every platform route THEN the tenant's key is 403, the unknown one 401
        reply = api.call(method, path, key=admin, body=body)
        assert reply.status == 403 and reply.json["error"]["code"] == "forbidden", (method, path, reply)
        assert api.call(method, path, key="kh_0123456789abcdef_" + "A" * 43, body=body).status == 401
        assert api.call(method, path, body=body).status == 401
        assert api.call(method, path, key=key[:-1] + ("A" if key[-1] != "A" else "B"), body=body).status == 401
    # AND nothing the refused calls named was changed
    assert api.get("/v1/tenants/x", key=key).json["status"] == "active"


def test_actors_are_recorded_on_links_audit_and_filter_the_list(stack: Any, api: HttpApi) -> None:
    key = platform_key(stack)
    org(api, key)
    alice, bob = acting("org-1", "user:alice@globex"), acting("org-1", "user:bob")
    assert api.put("/v1/resources/r1", key=key, headers=alice,
                   body={"type": "doc", "name": "R1", "document": {"a": 1}}).status == 201
    made = [api.post("/v1/resources/r1/links", key=key, headers=who, body={}).json for who in (alice, alice, bob)]
    key_id = made[0]["created_by"]["key_id"]
    assert key_id.startswith("pkey_")
    assert made[0]["created_by"] == {"key_id": key_id, "actor": "user:alice@globex"}
    # WHEN bob revokes one of alice's links
    assert api.delete(f"/v1/links/{made[0]['id']}", key=key, headers=bob).status == 204
    revoked = api.get(f"/v1/links/{made[0]['id']}", key=key, headers=acting("org-1")).json
    assert revoked["revoked_by"] == {"key_id": key_id, "actor": "user:bob"}
    # THEN the list filters by the creating actor (status filter as usual)
    mine = api.get("/v1/links?actor=user:alice@globex", key=key, headers=acting("org-1")).json["items"]
    assert [link["id"] for link in mine] == [made[1]["id"]]
    every = api.get("/v1/links?actor=user:alice@globex&status=all", key=key, headers=acting("org-1")).json["items"]
    assert [link["id"] for link in every] == [made[1]["id"], made[0]["id"]]
    assert api.get("/v1/links?actor=nobody", key=key, headers=acting("org-1")).json["items"] == []
    # AND audit events name the platform key, its namespace and the actor
    events = api.get("/v1/audit", key=key, headers=acting("org-1")).json["items"]
    revoke = next(e for e in events if e["action"] == "link.revoked")
    assert revoke["actor"]["type"] == "platform_key" and revoke["actor"]["id"] == key_id
    assert revoke["actor"]["actor"] == "user:bob" and revoke["actor"]["namespace"]
    # AND a tenant's own key may name an actor too
    admin = api.post("/v1/tenants/org-1/api-keys", key=key, body={"name": "first"}).json["key"]
    own = api.post("/v1/resources/r1/links", key=admin, headers={"Keyhole-Actor": "svc-billing"}, body={}).json
    assert own["created_by"]["actor"] == "svc-billing" and own["created_by"]["key_id"].startswith("key_")


@pytest.mark.parametrize("actor", ["", "x" * 129, "tab\there"])
def test_a_malformed_actor_is_422_and_changes_nothing(stack: Any, api: HttpApi, actor: str) -> None:
    key = platform_key(stack)
    org(api, key)
    assert api.put("/v1/resources/r1", key=key, headers=acting("org-1"),
                   body={"type": "doc", "name": "R1", "document": {}}).status == 201
    reply = api.post("/v1/resources/r1/links", key=key, headers=acting("org-1", actor), body={})
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "Keyhole-Actor"
    assert api.get("/v1/links?status=all", key=key, headers=acting("org-1")).json["items"] == []
    bad_filter = api.get("/v1/links?actor=" + "y" * 129, key=key, headers=acting("org-1"))
    assert bad_filter.status == 422 and bad_filter.json["error"]["details"][0]["field"] == "actor"
